#!/usr/bin/env python3
"""Writes tests/data/basic_layer_fixtures.json: PyTorch float64 references for minidl's basic
layers Dense, Activation, Flatten, Reshape, Permute, Add and Concatenate.

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_basic_layer_fixtures.py

The layers follow tf.keras 2.x, written here from Keras's definitions rather than from minidl:
- Dense: activation(x @ kernel + bias) over the last axis for any rank >= 2 (tf.tensordot),
  kernel [C, units], bias [units];
- Activation: the activation alone (formulas of gen_sepconv_fixtures.py, KERAS_SEMANTICS.md §7);
- Flatten: [B, ...] -> [B, -1]; channels_first moves axis 1 last first ([0, 2, ..., n-1, 1]);
- Reshape: [B, ...] -> [B, *target_shape], one -1 inferred;
- Permute: transpose by (0, *dims), dims 1-based;
- Add: _Merge's rule: lower-rank inputs get size-1 axes at axis 1 until the ranks agree, then a
  broadcasting sum;
- Concatenate: torch.cat along the axis.

A case holds the layer's "class_name", its Keras "config" (the layer's own keys), the "input"
(or "inputs" for the merge layers), the "weights" in Keras order (Dense only), a "cotangent" G,
the "output" Y and the "gradients" of sum(Y * G) by "input" (or "input_0", "input_1", ...) and by
each weight name. Tensors are {"shape", "values"}, row-major. Inputs, weights and cotangents are
float32 values stored exactly; outputs and gradients are float64 to 12 significant digits.
Cases with a kinked activation are redrawn until no pre-activation lies within 1e-3 of a kink.
Every random choice comes from a fixed seed, so re-running reproduces the file byte for byte.
The script checks small Dense cases' autograd gradients against finite differences.
"""

import pathlib
import random

import torch

from gen_sepconv_fixtures import (ACTIVATIONS, DATA_DIR, check_activation_formulas, cycled, draw,
                                  exact, near_kink, rounded, tensor_json, to_json)

SEED = 1201


# ---- the layers, in PyTorch ----

def dense(config):
    activation = ACTIVATIONS[config["activation"]]

    def forward(inputs, weights):
        y = inputs[0] @ weights["kernel"]
        if config["use_bias"]:
            y = y + weights["bias"]
        return activation(y)
    return forward


def dense_preactivation(config):
    return dense({**config, "activation": "linear"})


def activation_layer(config):
    return lambda inputs, weights: ACTIVATIONS[config["activation"]](inputs[0])


def flatten(config):
    def forward(inputs, weights):
        x = inputs[0]
        if x.dim() == 1:
            return x.reshape(-1, 1)
        if config["data_format"] == "channels_first" and x.dim() > 2:
            x = x.permute(0, *range(2, x.dim()), 1)
        return x.reshape(x.shape[0], -1)
    return forward


def reshape(config):
    return lambda inputs, weights: inputs[0].reshape(inputs[0].shape[0], *config["target_shape"])


def permute(config):
    return lambda inputs, weights: inputs[0].permute(0, *config["dims"])


def add(config):
    def forward(inputs, weights):
        rank = max(x.dim() for x in inputs)
        total = 0
        for x in inputs:
            while x.dim() < rank:
                x = x.unsqueeze(1)
            total = total + x
        return total
    return forward


def concatenate(config):
    return lambda inputs, weights: torch.cat(inputs, dim=config["axis"])


# ---- the cases: (class_name, config, input shapes, weight shapes in Keras order) ----

def dense_plans(rng):
    count = 36
    activations = cycled(ACTIVATIONS, count, rng)
    biases = cycled((True, False), count, rng)
    units = cycled(range(1, 9), count, rng)
    features = cycled(range(1, 9), count, rng)
    leading = cycled(([3], [2, 4], [1, 3], [2, 2, 3], [5], [1]), count, rng)
    plans = []
    for i in range(count):
        config = {"units": units[i], "activation": activations[i], "use_bias": biases[i]}
        weights = [("kernel", [features[i], units[i]])]
        if biases[i]:
            weights.append(("bias", [units[i]]))
        plans.append(("Dense", config, [leading[i] + [features[i]]], weights))
    return plans


def activation_plans(rng):
    shapes = cycled(([4, 5], [2, 3, 4], [3, 1], [2, 2, 2, 3]), len(ACTIVATIONS), rng)
    return [("Activation", {"activation": name}, [shape], [])
            for name, shape in zip(ACTIVATIONS, shapes)]


def reshaping_plans():
    plans = []
    for data_format in ("channels_last", "channels_first"):
        for shape in ([5], [3, 4], [2, 3, 4], [2, 2, 3, 4]):
            plans.append(("Flatten", {"data_format": data_format}, [shape], []))
    for shape, target in (([2, 6], [3, 2]), ([2, 3, 4], [-1, 2]), ([2, 3, 4], [4, -1, 1]),
                          ([3, 12], [2, 2, 3]), ([3, 1], []), ([1, 5, 2], [-1]),
                          ([2, 2, 3, 2], [3, 4])):
        plans.append(("Reshape", {"target_shape": target}, [shape], []))
    for shape, dims in (([2, 3, 4], [2, 1]), ([2, 2, 3, 4], [3, 1, 2]), ([2, 2, 3, 4], [2, 3, 1]),
                        ([3, 5], [1]), ([2, 3, 1, 2], [1, 3, 2])):
        plans.append(("Permute", {"dims": dims}, [shape], []))
    return plans


def merge_plans():
    plans = []
    for shapes in (([2, 3], [2, 3]), ([2, 3, 4], [2, 3, 4], [2, 3, 4]), ([2, 1, 3], [2, 4, 3]),
                   ([3, 3], [3, 4, 3]), ([2, 1], [2, 2, 3]), ([2, 4, 1], [2, 1, 5]),
                   ([3], [3, 2]), ([2, 5],)):
        plans.append(("Add", {}, list(shapes), []))
    for axis, shapes in ((-1, ([2, 3], [2, 4])), (1, ([2, 1, 3], [2, 4, 3], [2, 2, 3])),
                         (0, ([1, 3], [2, 3])), (-2, ([2, 3, 4], [2, 2, 4])),
                         (2, ([2, 3, 1, 2], [2, 3, 2, 2])), (-1, ([3, 2],))):
        plans.append(("Concatenate", {"axis": axis}, list(shapes), []))
    return plans


LAYERS = {"Dense": dense, "Activation": activation_layer, "Flatten": flatten,
          "Reshape": reshape, "Permute": permute, "Add": add, "Concatenate": concatenate}
MERGE_LAYERS = ("Add", "Concatenate")


# ---- one case ----

def draw_values(class_name, config, input_shapes, weight_shapes, rng):
    """Inputs and weights, redrawn until the pre-activation keeps clear of the activation's
    kinks."""
    for _ in range(1000):
        inputs = [draw(rng, shape) for shape in input_shapes]
        weights = {name: draw(rng, shape) for name, shape in weight_shapes}
        if class_name == "Dense":
            preactivation = dense_preactivation(config)(inputs, weights)
        elif class_name == "Activation":
            preactivation = inputs[0]
        else:
            return inputs, weights
        if not near_kink(preactivation, config["activation"]):
            return inputs, weights
    raise RuntimeError(f"no kink-free values for {class_name} {config}")


def check_gradients(forward, inputs, weights, cotangent):
    """Autograd against finite differences (Dense cases, where the layer has weights)."""
    names = list(weights)
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    leaves += [weights[n].clone().requires_grad_(True) for n in names]

    def objective(*tensors):
        ins, ws = tensors[:len(inputs)], tensors[len(inputs):]
        return (forward(list(ins), dict(zip(names, ws))) * cotangent).sum()
    assert torch.autograd.gradcheck(objective, leaves, eps=1e-6, atol=1e-7, rtol=1e-6)


def make_case(index, plan, rng):
    class_name, config, input_shapes, weight_shapes = plan
    forward = LAYERS[class_name](config)
    inputs, weights = draw_values(class_name, config, input_shapes, weight_shapes, rng)
    with torch.no_grad():
        cotangent = draw(rng, forward(inputs, weights).shape)
    if class_name == "Dense":
        check_gradients(forward, inputs, weights, cotangent)

    input_leaves = [x.clone().requires_grad_(True) for x in inputs]
    weight_leaves = {n: w.clone().requires_grad_(True) for n, w in weights.items()}
    y = forward(input_leaves, weight_leaves)
    (y * cotangent).sum().backward()
    case = {"name": f"{class_name}_{index:03d}", "class_name": class_name, "config": config}
    if class_name in MERGE_LAYERS:
        case["inputs"] = [tensor_json(x, exact) for x in inputs]
        gradients = {f"input_{i}": tensor_json(x.grad, rounded)
                     for i, x in enumerate(input_leaves)}
    else:
        case["input"] = tensor_json(inputs[0], exact)
        gradients = {"input": tensor_json(input_leaves[0].grad, rounded)}
    gradients.update({n: tensor_json(w.grad, rounded) for n, w in weight_leaves.items()})
    case.update({
        "weights": [{"name": n, **tensor_json(w, exact)} for n, w in weights.items()],
        "cotangent": tensor_json(cotangent, exact),
        "output": tensor_json(y, rounded),
        "gradients": gradients,
    })
    return case


def main():
    torch.set_default_dtype(torch.float64)
    check_activation_formulas()
    rng = random.Random(SEED)
    plans = dense_plans(rng) + activation_plans(rng) + reshaping_plans() + merge_plans()
    cases = [make_case(i, plan, rng) for i, plan in enumerate(plans)]
    assert {c["config"]["activation"] for c in cases if c["class_name"] == "Dense"} == \
        set(ACTIVATIONS), "every activation in a Dense case"
    fixtures = {
        "generator": "scripts/gen_basic_layer_fixtures.py (PyTorch %s, float64, seed %d)"
                     % (torch.__version__.split("+")[0], SEED),
        "description": "tf.keras 2.x Dense, Activation, Flatten, Reshape, Permute, Add and "
                       "Concatenate: output = layer(input or inputs) with the weights (Keras "
                       "layouts and order) and gradients of sum(output * cotangent) with respect "
                       "to each input and weight; values are flattened row-major.",
        "cases": cases,
    }
    path = pathlib.Path(DATA_DIR) / "basic_layer_fixtures.json"
    path.write_text(to_json(fixtures))
    print(f"wrote {len(cases)} cases ({path.stat().st_size / 1e6:.2f} MB) to {path}")


if __name__ == "__main__":
    main()
