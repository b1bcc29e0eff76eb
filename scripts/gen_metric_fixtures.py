#!/usr/bin/env python3
"""Writes references for minidl's AUC metric: tests/data/metric_fixtures.json.

Run with the system Python (numpy only; the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_metric_fixtures.py

tf.keras 2.x's AUC (keras/metrics/confusion_metrics.py) written out here in float64, but counting
the confusion matrix the direct way: a prediction p is positive at threshold t when p > t, for
Keras's thresholds [-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7] (minidl uses Keras's bucketed
form, so the two agree only if both are right). A label is positive when it is not 0. Each case
updates the metric with two batches (y_true [8, 3], y_pred [8, 3] float32-rounded, per-sample
weights [8] on the second batch) and stores the result for every curve and summation method.
Predictions are kept away from the thresholds (where float32 rounding could move a bucket), and
every random choice comes from a fixed seed, so re-running reproduces the file byte for byte.
"""

import json
import pathlib

import numpy as np

EPSILON = 1e-7
OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "metric_fixtures.json"


def div_no_nan(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def thresholds(n):
    inner = [(i + 1) / (n - 1) for i in range(n - 2)]
    return np.array([-EPSILON] + inner + [1.0 + EPSILON])


def confusion(batches, n):
    """Weighted tp, fp, tn, fn per threshold over every (y_true, y_pred, weight) batch."""
    t = thresholds(n)
    tp, fp, tn, fn = (np.zeros(n) for _ in range(4))
    for y_true, y_pred, weight in batches:
        w = np.broadcast_to(weight, y_pred.shape).reshape(-1)
        label = y_true.reshape(-1) != 0
        pred = y_pred.reshape(-1)
        for j in range(n):
            positive = pred > t[j]
            tp[j] += np.sum(w * (label & positive))
            fp[j] += np.sum(w * (~label & positive))
            fn[j] += np.sum(w * (label & ~positive))
            tn[j] += np.sum(w * (~label & ~positive))
    return tp, fp, tn, fn


def interpolate_pr_auc(tp, fp, fn):
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = div_no_nan(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    ratio = np.where((p[:-1] > 0) & (p[1:] > 0), div_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
    return float(np.sum(div_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                   np.maximum(tp[1:] + fn[1:], 0))))


def auc(tp, fp, tn, fn, curve, summation):
    if curve == "PR" and summation == "interpolation":
        return interpolate_pr_auc(tp, fp, fn)
    recall = div_no_nan(tp, tp + fn)
    if curve == "ROC":
        x, y = div_no_nan(fp, fp + tn), recall
    else:
        x, y = recall, div_no_nan(tp, tp + fp)
    if summation == "interpolation":
        heights = (y[:-1] + y[1:]) / 2
    elif summation == "minoring":
        heights = np.minimum(y[:-1], y[1:])
    else:
        heights = np.maximum(y[:-1], y[1:])
    return float(np.sum((x[:-1] - x[1:]) * heights))


def away_from_thresholds(values, n):
    """Moves values within 1e-3 of a threshold k/(n-1) off it, so float32 bucketing agrees."""
    scaled = values * (n - 1)
    near = np.abs(scaled - np.round(scaled)) < 1e-3 * (n - 1)
    return np.where(near, values + 2e-3, values).clip(0.001, 0.999)


def f32(values):
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def tensor(values):
    return {"shape": list(values.shape), "values": [float(v) for v in values.reshape(-1)]}


def make_case(rng, n, from_logits):
    batches = []
    for index in range(2):
        y_true = (rng.random((8, 3)) < 0.4).astype(np.float64)
        # Scores that lean towards the labels, so the curves are far from the diagonal.
        probabilities = away_from_thresholds(0.65 * rng.random((8, 3)) + 0.3 * y_true, n)
        y_pred = f32(np.log(probabilities / (1 - probabilities)) if from_logits else probabilities)
        weight = f32(rng.uniform(0.2, 2.0, size=(8, 1))) if index == 1 else np.ones((8, 1))
        batches.append((y_true, y_pred, weight))
    # The reference sees the sigmoid of the float32 logits, as minidl does (in float32).
    seen = [(t, f32(1 / (1 + np.exp(-p))) if from_logits else p, w) for t, p, w in batches]
    counts = confusion(seen, n)
    results = {f"{curve}/{summation}": auc(*counts, curve, summation)
               for curve in ("ROC", "PR")
               for summation in ("interpolation", "minoring", "majoring")}
    return {
        "num_thresholds": n,
        "from_logits": from_logits,
        "batches": [{"y_true": tensor(t), "y_pred": tensor(p), "sample_weight": tensor(w.reshape(-1))}
                    for t, p, w in batches],
        "true_positives": [float(v) for v in counts[0]],
        "results": results,
    }


def main():
    rng = np.random.default_rng(20240531)
    cases = [make_case(rng, n, from_logits) for n, from_logits in
             [(3, False), (10, False), (200, False), (50, True)]]
    OUT.write_text(json.dumps({"generator": "scripts/gen_metric_fixtures.py", "cases": cases},
                              indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
