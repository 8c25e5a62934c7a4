"""A nearest-centroid classifier on standardized features, and CSV loading."""
import csv
import math


def load_csv(path):
    """(feature rows, labels) of a CSV whose last column is the label."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)  # header
        rows = [r for r in reader if r]
    return [[float(v) for v in r[:-1]] for r in rows], [r[-1] for r in rows]


def fit(xs, ys):
    """The model: per-feature mean and spread, and each class's centroid in those units."""
    n = len(xs[0])
    mean = [sum(x[i] for x in xs) / len(xs) for i in range(n)]
    spread = [math.sqrt(sum((x[i] - mean[i]) ** 2 for x in xs) / len(xs)) or 1.0 for i in range(n)]
    centroids = {}
    for label in sorted(set(ys)):
        members = [scale(x, mean, spread) for x, y in zip(xs, ys) if y == label]
        centroids[label] = [sum(m[i] for m in members) / len(members) for i in range(n)]
    return {"mean": mean, "spread": spread, "centroids": centroids}


def predict(model, x):
    """The class whose centroid is nearest to x."""
    z = scale(x, model["mean"], model["spread"])
    return min(model["centroids"], key=lambda c: math.dist(z, model["centroids"][c]))


def scale(x, mean, spread):
    return [(v - m) / s for v, m, s in zip(x, mean, spread)]
