"""Trains the nearest-centroid model on train.csv and saves it as model.json."""
import json
import os

from iris_model import fit, load_csv
from task_io import params, publish, workdir

xs, ys = load_csv(params()["train_path"])
model = fit(xs, ys)
for label, centroid in model["centroids"].items():
    print(f"{label:>10}: centroid {[round(v, 2) for v in centroid]}")

model_path = os.path.join(workdir(), "model.json")
with open(model_path, "w", encoding="utf-8") as f:
    json.dump(model, f, indent=2)
print(f"trained on {len(xs)} rows; model saved to {model_path}")
publish(model_path=model_path, classes=sorted(model["centroids"]))
