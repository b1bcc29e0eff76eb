#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's losses: tests/data/loss_fixtures.json.

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_loss_fixtures.py

The losses follow tf.keras 2.x (keras/losses.py, keras/backend.py, keras/utils/losses_utils.py;
/work/shared/KERAS_SEMANTICS.md §10), written here from those formulas rather than from minidl.
Each case stores the loss's class name and options, y_true, y_pred, an optional sample_weight,
a cotangent G, the reduced output Y and the gradient of sum(Y * G) with respect to y_pred
(G is a scalar 1 unless the reduction is "none"); tensors are {"shape", "values"}.

Inputs are rounded to float32 (stored exactly, so the C++ float32 test sees the same numbers);
the clipping bounds are Keras's float32 epsilon and 1 - epsilon. Regression errors are redrawn
until none lies within 1e-3 of a kink (0 for MAE and MAPE, +-delta for Huber). Every random
choice comes from a fixed seed, so re-running reproduces the file byte for byte.
"""

import json
import math
import pathlib
import random

import numpy as np
import torch

EPSILON = float(np.float32(1e-7))
ONE_MINUS_EPSILON = float(np.float32(1.0) - np.float32(1e-7))
KINK_MARGIN = 1e-3
OUTPUT_PATH = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "loss_fixtures.json"


# ---- the Keras 2 loss functions: per-sample values, the class axis reduced ----

def mean_squared_error(y, p, options):
    return torch.mean((p - y) ** 2, dim=-1)


def mean_absolute_error(y, p, options):
    return torch.mean(torch.abs(p - y), dim=-1)


def mean_absolute_percentage_error(y, p, options):
    return 100.0 * torch.mean(torch.abs((y - p) / torch.clamp(torch.abs(y), min=EPSILON)), dim=-1)


def huber(y, p, options):
    delta = options["delta"]
    error = p - y
    magnitude = torch.abs(error)
    elementwise = torch.where(magnitude <= delta, 0.5 * error ** 2, delta * magnitude - 0.5 * delta ** 2)
    return torch.mean(elementwise, dim=-1)


def log_cosh(y, p, options):
    return torch.mean(torch.log(torch.cosh(p - y)), dim=-1)


def binary_crossentropy(y, p, options):
    ls = options["label_smoothing"]
    y = y * (1.0 - ls) + 0.5 * ls
    if options["from_logits"]:
        elementwise = torch.relu(p) - p * y + torch.log1p(torch.exp(-torch.abs(p)))
    else:
        q = torch.clamp(p, EPSILON, ONE_MINUS_EPSILON)
        elementwise = -(y * torch.log(q + EPSILON) + (1.0 - y) * torch.log(1.0 - q + EPSILON))
    return torch.mean(elementwise, dim=options["axis"])


def categorical_crossentropy(y, p, options):
    axis = options["axis"]
    ls = options["label_smoothing"]
    y = y * (1.0 - ls) + ls / y.shape[axis]
    if options["from_logits"]:
        log_p = torch.log_softmax(p, dim=axis)
    else:
        log_p = torch.log(torch.clamp(p / p.sum(dim=axis, keepdim=True), EPSILON, ONE_MINUS_EPSILON))
    return -torch.sum(y * log_p, dim=axis)


def sparse_categorical_crossentropy(y, p, options):
    labels = y.reshape(p.shape[:-1]).long()
    if options["from_logits"]:
        log_p = torch.log_softmax(p, dim=-1)
    else:
        q = torch.clamp(p, EPSILON, ONE_MINUS_EPSILON)
        log_p = torch.log(q / q.sum(dim=-1, keepdim=True))
    return -torch.gather(log_p, -1, labels.unsqueeze(-1)).squeeze(-1)


def kl_divergence(y, p, options):
    y = torch.clamp(y, EPSILON, 1.0)
    q = torch.clamp(p, EPSILON, 1.0)
    return torch.sum(y * torch.log(y / q), dim=-1)


def weighted_and_reduced(losses, sample_weight, reduction):
    """Keras's compute_weighted_loss: squeeze_or_expand_dimensions, multiply, reduce."""
    if sample_weight is not None:
        if sample_weight.dim() == losses.dim() + 1:
            sample_weight = sample_weight.squeeze(-1)
        elif sample_weight.dim() + 1 == losses.dim():
            sample_weight = sample_weight.unsqueeze(-1)
        losses = losses * sample_weight
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else total / losses.numel()


# ---- inputs ----

def float32_tensor(values, shape):
    values = [float(np.float32(v)) for v in values]
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


def uniform(rng, shape, low, high):
    return float32_tensor([rng.uniform(low, high) for _ in range(math.prod(shape))], shape)


def distributions(rng, shape, axis=-1, spread=1.5):
    """Rows of positive values summing to about 1 (float32-rounded softmax of random scores)."""
    return float32_tensor(torch.softmax(uniform(rng, shape, -spread, spread), dim=axis).flatten().tolist(), shape)


def one_hot_rows(rng, shape, axis=-1):
    labels = torch.tensor([rng.randrange(shape[axis]) for _ in range(math.prod(shape) // shape[axis])])
    moved = list(shape)
    classes = moved.pop(axis)
    rows = torch.nn.functional.one_hot(labels, classes).to(torch.float64).reshape(moved + [classes])
    return rows.movedim(-1, axis).contiguous()


def labels_for(rng, shape, classes):
    return float32_tensor([rng.randrange(classes) for _ in range(math.prod(shape))], shape)


def regression_pair(kinks):
    def draw(rng, shape):
        while True:
            y, p = uniform(rng, shape, -2.0, 2.0), uniform(rng, shape, -2.0, 2.0)
            error = (p - y).abs()
            if all((error - kink).abs().min() > KINK_MARGIN for kink in kinks):
                return y, p
    return draw


def binary_pair(from_logits, soft_targets):
    def draw(rng, shape):
        y = uniform(rng, shape, 0.0, 1.0) if soft_targets else float32_tensor(
            [rng.randrange(2) for _ in range(math.prod(shape))], shape)
        p = uniform(rng, shape, -4.0, 4.0) if from_logits else uniform(rng, shape, 0.02, 0.98)
        return y, p
    return draw


def categorical_pair(from_logits, soft_targets, axis=-1):
    def draw(rng, shape):
        y = distributions(rng, shape, axis) if soft_targets else one_hot_rows(rng, shape, axis)
        p = uniform(rng, shape, -3.0, 3.0) if from_logits else distributions(rng, shape, axis)
        return y, p
    return draw


def sparse_pair(from_logits, trailing_one):
    def draw(rng, shape):
        label_shape = list(shape[:-1]) + ([1] if trailing_one else [])
        y = labels_for(rng, label_shape, shape[-1])
        p = uniform(rng, shape, -3.0, 3.0) if from_logits else distributions(rng, shape)
        return y, p
    return draw


def kld_pair(rng, shape):
    return distributions(rng, shape), distributions(rng, shape)


def probabilities_at_bounds(kind):
    """y_pred with exact 0s and 1s, where Keras's clipping decides the value."""
    def draw(rng, shape):
        p = float32_tensor([0.0, 1.0, 0.0, 0.5, 0.5, 0.0, 1.0, 0.0, 0.0, 0.2, 0.3, 0.5], [4, 3])
        if kind == "sparse":
            return float32_tensor([0, 2, 0, 1], [4]), p
        if kind == "binary":
            return float32_tensor([1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1], [4, 3]), p
        return one_hot_rows(rng, [4, 3]), p
    return draw


# ---- the cases ----

LOSSES = {
    "MeanSquaredError": mean_squared_error,
    "MeanAbsoluteError": mean_absolute_error,
    "MeanAbsolutePercentageError": mean_absolute_percentage_error,
    "Huber": huber,
    "LogCosh": log_cosh,
    "BinaryCrossentropy": binary_crossentropy,
    "CategoricalCrossentropy": categorical_crossentropy,
    "SparseCategoricalCrossentropy": sparse_categorical_crossentropy,
    "KLDivergence": kl_divergence,
}

# (reduction, sample weight shape as a function of the per-sample loss shape)
WEIGHTINGS = [
    ("sum_over_batch_size", None),
    ("sum_over_batch_size", lambda s: s[:1]),        # per sample
    ("sum", lambda s: s + [1]),                      # per-sample shape with a trailing 1
    ("none", lambda s: s),                           # per step for sequences
    ("none", None),
]


def loss_configs():
    """(class name, options, draw(rng, shape), shapes) for every loss and option combination."""
    flat_and_sequence = [[4, 3], [2, 3, 4]]
    configs = [
        ("MeanSquaredError", {}, regression_pair([]), flat_and_sequence),
        ("MeanAbsoluteError", {}, regression_pair([0.0]), flat_and_sequence),
        ("MeanAbsolutePercentageError", {}, regression_pair([0.0]), flat_and_sequence),
        ("Huber", {"delta": 1.0}, regression_pair([1.0]), flat_and_sequence),
        ("Huber", {"delta": 0.5}, regression_pair([0.5]), flat_and_sequence),
        ("LogCosh", {}, regression_pair([]), flat_and_sequence),
        ("KLDivergence", {}, kld_pair, flat_and_sequence),
    ]
    for from_logits in (False, True):
        for ls in (0.0, 0.2):
            for soft in (False, True):
                options = {"from_logits": from_logits, "label_smoothing": ls, "axis": -1}
                configs.append(("BinaryCrossentropy", options, binary_pair(from_logits, soft),
                                flat_and_sequence))
                configs.append(("CategoricalCrossentropy", options,
                                categorical_pair(from_logits, soft), flat_and_sequence))
        for trailing_one in (False, True):
            configs.append(("SparseCategoricalCrossentropy", {"from_logits": from_logits},
                            sparse_pair(from_logits, trailing_one), flat_and_sequence))
        # The class axis in the middle of [N, C, L] (tf.keras's `axis` argument).
        axis_options = {"from_logits": from_logits, "label_smoothing": 0.1, "axis": 1}
        configs.append(("CategoricalCrossentropy", axis_options,
                        categorical_pair(from_logits, True, axis=1), [[2, 4, 3]]))
        configs.append(("BinaryCrossentropy", axis_options, binary_pair(from_logits, True), [[2, 4, 3]]))
    bounds = {"from_logits": False, "label_smoothing": 0.0, "axis": -1}
    configs += [
        ("CategoricalCrossentropy", bounds, probabilities_at_bounds("categorical"), [[4, 3]]),
        ("BinaryCrossentropy", bounds, probabilities_at_bounds("binary"), [[4, 3]]),
        ("SparseCategoricalCrossentropy", {"from_logits": False}, probabilities_at_bounds("sparse"), [[4, 3]]),
        ("KLDivergence", {}, probabilities_at_bounds("categorical"), [[4, 3]]),
    ]
    return configs


def as_json(t):
    return {"shape": list(t.shape), "values": [float(v) for v in t.flatten().tolist()]}


def make_case(name, class_name, options, reduction, y, p, sample_weight, rng):
    p = p.clone().requires_grad_(True)
    losses = LOSSES[class_name](y, p, options)
    output = weighted_and_reduced(losses, sample_weight, reduction)
    cotangent = uniform(rng, list(output.shape), -1.0, 1.0) if reduction == "none" else torch.ones(())
    (output * cotangent).sum().backward()
    case = {"name": name, "class_name": class_name, "options": dict(options, reduction=reduction),
            "y_true": as_json(y), "y_pred": as_json(p.detach())}
    if sample_weight is not None:
        case["sample_weight"] = as_json(sample_weight)
    case.update({"cotangent": as_json(cotangent), "output": as_json(output.detach()),
                 "grad_y_pred": as_json(p.grad)})
    return case


def check_log_cosh_form():
    """minidl computes log cosh x as x + softplus(-2x) - log 2 (Keras's form); same function."""
    x = torch.linspace(-5, 5, 101, dtype=torch.float64)
    keras_form = x + torch.nn.functional.softplus(-2.0 * x) - math.log(2.0)
    assert torch.allclose(keras_form, torch.log(torch.cosh(x)), atol=1e-12)


def main():
    check_log_cosh_form()
    rng = random.Random(20261125)
    cases = []
    for class_name, options, draw, shapes in loss_configs():
        for shape in shapes:
            for reduction, weight_shape in WEIGHTINGS:
                y, p = draw(rng, shape)
                axis = options.get("axis", -1) % len(shape)
                loss_shape = [s for i, s in enumerate(shape) if i != axis]
                weights = None if weight_shape is None else uniform(rng, weight_shape(loss_shape), 0.0, 2.0)
                option_text = ",".join(f"{k}={v}" for k, v in options.items())
                weight_text = "none" if weights is None else "x".join(map(str, weights.shape))
                name = (f"{class_name}({option_text}) {'x'.join(map(str, shape))} {reduction} "
                        f"weights={weight_text}")
                cases.append(make_case(name, class_name, options, reduction, y, p, weights, rng))
    with open(OUTPUT_PATH, "w") as file:
        file.write('{"cases": [\n')
        file.write(",\n".join(json.dumps(case) for case in cases))
        file.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUTPUT_PATH}")


if __name__ == "__main__":
    main()
