"""Generates an iris-like dataset (Gaussian per species, Fisher's means and spreads) and
splits it into train.csv and test.csv in the attempt's directory."""
import csv
import os
import random

from task_io import params, publish, workdir

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
# (mean, standard deviation) per feature, from Fisher's 1936 iris measurements (cm).
SPECIES = {
    "setosa": [(5.01, 0.35), (3.43, 0.38), (1.46, 0.17), (0.25, 0.11)],
    "versicolor": [(5.94, 0.52), (2.77, 0.31), (4.26, 0.47), (1.33, 0.20)],
    "virginica": [(6.59, 0.64), (2.97, 0.32), (5.55, 0.55), (2.03, 0.27)],
}

p = params()
rng = random.Random(p["seed"])
rows = []
for species, dist in SPECIES.items():
    for _ in range(p["rows_per_class"]):
        rows.append([round(max(0.1, rng.gauss(m, s)), 2) for m, s in dist] + [species])
rng.shuffle(rows)

n_test = max(1, round(len(rows) * p["test_fraction"]))
splits = {"test": rows[:n_test], "train": rows[n_test:]}
paths = {}
for name, part in splits.items():
    paths[name] = os.path.join(workdir(), f"{name}.csv")
    with open(paths[name], "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(FEATURES + ["species"])
        writer.writerows(part)
    print(f"wrote {len(part)} rows to {paths[name]}")

publish(
    train_path=paths["train"],
    test_path=paths["test"],
    n_train=len(splits["train"]),
    n_test=len(splits["test"]),
)
