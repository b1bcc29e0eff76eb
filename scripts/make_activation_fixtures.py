#!/usr/bin/env python3
"""Writes tests/data/activations.json: reference values and gradients of minidl's activations.

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/make_activation_fixtures.py

Each case holds a float32 input x (stored as the exact float32 values, so the C++ test sees the
same numbers), a fixed weighting w, the output y = f(x) and the gradient of sum(y * w) with
respect to x, all computed in float64 by PyTorch. Where PyTorch's function differs from
tf.keras 2.x (KERAS_SEMANTICS.md §7), the Keras formula is written out: hard_sigmoid is
clip(0.2x + 0.5, 0, 1), leaky_relu's slope is 0.2, selu uses Keras's constants.
The inputs come from fixed lists and formulas (no RNG), so re-running gives the same file.
"""

import json
import math
import pathlib

import torch
import torch.nn.functional as F

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

# Negatives, zero-adjacent values and large magnitudes (for overflow and cancellation), avoiding
# the kinks: 0 (relu family), +-2.5 (hard_sigmoid) and 6 (relu6).
ELEMENTWISE_INPUT = [-80.0, -30.0, -10.0, -5.0, -3.0, -2.0, -1.0, -0.5, -1e-3,
                     1e-3, 0.5, 1.0, 2.0, 3.0, 5.5, 7.0, 10.0, 30.0, 80.0]


def selu(x):
    # exp(x) - 1 rather than expm1: torch differentiates expm1 as result + 1, which is 0 at -80.
    return SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1.0))


def hard_sigmoid(x):
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


# name -> (minidl op, its parameters, the float64 reference).
ELEMENTWISE = {
    "linear": ("linear", {}, lambda x: x * 1.0),
    "relu": ("relu", {}, torch.relu),
    "relu6": ("relu6", {}, F.relu6),
    "leaky_relu": ("leaky_relu", {}, lambda x: F.leaky_relu(x, negative_slope=0.2)),
    "leaky_relu_alpha_0.05": ("leaky_relu", {"alpha": 0.05},
                              lambda x: F.leaky_relu(x, negative_slope=0.05)),
    "elu": ("elu", {}, lambda x: F.elu(x, alpha=1.0)),
    "elu_alpha_0.5": ("elu", {"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
    "selu": ("selu", {}, selu),
    # threshold=1000: the exact ln(1 + e^x) everywhere (float64 does not overflow at 80).
    "softplus": ("softplus", {}, lambda x: F.softplus(x, threshold=1000.0)),
    "softsign": ("softsign", {}, F.softsign),
    "sigmoid": ("sigmoid", {}, torch.sigmoid),
    "hard_sigmoid": ("hard_sigmoid", {}, hard_sigmoid),
    "tanh": ("tanh", {}, torch.tanh),
    "swish": ("swish", {}, F.silu),
    "silu": ("silu", {}, F.silu),
    "gelu": ("gelu", {}, lambda x: F.gelu(x)),
    "gelu_approximate": ("gelu", {"approximate": True}, lambda x: F.gelu(x, approximate="tanh")),
    "exponential": ("exponential", {}, torch.exp),
    "mish": ("mish", {}, F.mish),
}

# (name, shape, axis) for softmax and log_softmax.
AXIS_CASES = [
    ("2d_last", [3, 4], -1),
    ("2d_axis0", [3, 4], 0),
    ("3d_axis0", [2, 3, 4], 0),
    ("3d_axis1", [2, 3, 4], 1),
    ("3d_axis2", [2, 3, 4], 2),
    ("1d", [5], 0),
]


def as_float32(values):
    """The float64 tensor of `values` rounded to float32, as the C++ side will hold them."""
    return torch.tensor(values, dtype=torch.float32).to(torch.float64)


def weights(count):
    """A fixed weighting in (-1, 1) with no zeros, so every gradient entry is exercised."""
    return as_float32([0.9 * math.sin(1.3 * i + 0.7) + 0.05 for i in range(count)])


def axis_input(shape):
    """Deterministic values in about [-4, 4] for the softmax cases."""
    count = math.prod(shape)
    return as_float32([4.0 * math.sin(0.9 * i + 0.2) * math.cos(0.37 * i) for i in range(count)])


def make_case(name, op, params, reference, x, shape):
    x = x.clone().requires_grad_(True)
    w = weights(x.numel())
    y = reference(x).reshape(-1)
    (y * w).sum().backward()
    return {
        "name": name,
        "op": op,
        "params": params,
        "shape": shape,
        "input": x.detach().tolist(),
        "weight": w.tolist(),
        "output": y.detach().tolist(),
        "grad": x.grad.reshape(-1).tolist(),
    }


def elementwise_cases():
    x = as_float32(ELEMENTWISE_INPUT)
    return [make_case(name, op, params, reference, x, [x.numel()])
            for name, (op, params, reference) in ELEMENTWISE.items()]


def axis_cases():
    cases = []
    for op, reference in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for suffix, shape, axis in AXIS_CASES:
            x = axis_input(shape)
            cases.append(make_case(f"{op}_{suffix}", op, {"axis": axis},
                                   lambda t, s=shape, a=axis, f=reference: f(t.reshape(s), a),
                                   x, shape))
        # Large logits: stable only when the maximum is subtracted first.
        x = as_float32([1000.0, 0.0, -1000.0, 80.0, 81.0, 79.5])
        cases.append(make_case(f"{op}_large_logits", op, {"axis": -1},
                               lambda t, f=reference: f(t.reshape(2, 3), -1), x, [2, 3]))
    return cases


def to_json(fixtures):
    """Pretty JSON with one case per line: readable diffs without a line per number."""
    header = {key: value for key, value in fixtures.items() if key != "cases"}
    lines = json.dumps(header, indent=1)[:-2] + ',\n "cases": [\n'
    lines += ",\n".join("  " + json.dumps(case) for case in fixtures["cases"])
    return lines + "\n ]\n}\n"


def main():
    torch.set_default_dtype(torch.float64)
    fixtures = {
        "generator": "scripts/make_activation_fixtures.py (PyTorch %s, float64)"
                     % torch.__version__.split("+")[0],
        "description": "Keras activations: y = f(input) and grad = d sum(y * weight) / d input, "
                       "flattened row-major; params are the minidl op's arguments.",
        "cases": elementwise_cases() + axis_cases(),
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "activations.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(fixtures))
    print(f"wrote {len(fixtures['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
