"""Measures the model's accuracy on the held-out rows and prints a confusion table."""
import json
from collections import Counter

from iris_model import load_csv, predict
from task_io import params, publish

p = params()
with open(p["model_path"], encoding="utf-8") as f:
    model = json.load(f)
xs, ys = load_csv(p["test_path"])

confusion = Counter((y, predict(model, x)) for x, y in zip(xs, ys))
correct = sum(n for (actual, guess), n in confusion.items() if actual == guess)
accuracy = round(correct / len(ys), 4)

labels = sorted(model["centroids"])
print("actual \\ predicted " + " ".join(f"{c:>10}" for c in labels))
for actual in labels:
    print(f"{actual:>18} " + " ".join(f"{confusion[(actual, c)]:>10}" for c in labels))
print(f"accuracy: {correct}/{len(ys)} = {accuracy}")
publish(accuracy=accuracy, correct=correct, total=len(ys))
