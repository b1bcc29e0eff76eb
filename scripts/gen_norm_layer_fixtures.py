#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's normalization layers:

    tests/data/norm_layer_fixtures.json   BatchNormalization and LayerNormalization

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_norm_layer_fixtures.py

The layers follow tf.keras 2.x (keras/layers/normalization/{batch,layer}_normalization.py),
written here from those rules rather than from minidl:

- BatchNormalization, training: y = gamma (x - mean) / sqrt(var + eps) + beta with the batch
  mean and biased variance over every axis but `axis`; then
  moving -= (moving - batch) * (1 - momentum) for the mean and the variance. The variance in
  that update is the biased one on Keras's plain path, but the unbiased one (n / (n - 1)) on
  its fused path (rank 4 with axis 1 or 3, rank 5 with axis 1 or 4), which also raises eps to
  at least 1.001e-5. (torch's own running_var is always unbiased, so it is not used here.)
- BatchNormalization, inference: the same formula with the moving statistics.
- LayerNormalization: the mean and biased variance of each example over `axis`; gamma and beta
  have the axes' sizes in `axis` order and are reshaped (not transposed) to the input's rank
  with those sizes at the axes' sorted positions, as Keras does.

Each case stores the Keras config, an input, the weights in Keras order, a cotangent G, the
output Y and the gradients of sum(Y * G) by the input and every trainable weight. BN cases hold
a "training" and an "inference" part, and "moving_history": the moving statistics after each of
three training calls on the same input. Inputs, weights and cotangents are uniform values
rounded to float32 (stored exactly); results are float64 to 12 significant digits. Fixed seeds:
re-running reproduces the file byte for byte. The script checks the hand-written BN gradient
formula against autograd and LN's per-axis case against torch.nn.functional.layer_norm.
"""

import torch
import torch.nn.functional as F

from fixture_common import tensor_json, uniform, write_fixtures

FUSED_MIN_EPSILON = 1.001e-5


def weight_json(name, t):
    entry = tensor_json(t, exact=True)
    entry["name"] = name
    return entry


# ---- BatchNormalization ----

def keras_fused_path(rank, axis):
    return (rank == 4 and axis in (1, 3)) or (rank == 5 and axis in (1, 4))


def bn_broadcast(v, rank, axis):
    shape = [1] * rank
    shape[axis] = -1
    return v.reshape(shape)


def bn_forward(x, gamma, beta, mean, var, eps, axis):
    rank = x.dim()
    y = (x - bn_broadcast(mean, rank, axis)) / torch.sqrt(bn_broadcast(var, rank, axis) + eps)
    if gamma is not None:
        y = y * bn_broadcast(gamma, rank, axis)
    if beta is not None:
        y = y + bn_broadcast(beta, rank, axis)
    return y


def bn_batch_moments(x, axis):
    dims = [d for d in range(x.dim()) if d != axis]
    mean = x.mean(dim=dims)
    var = ((x - bn_broadcast(mean, x.dim(), axis)) ** 2).mean(dim=dims)
    return mean, var


def gradients(y, cotangent, inputs):
    named = [(n, t) for n, t in inputs if t is not None]
    grads = torch.autograd.grad((y * cotangent).sum(), [t for _, t in named])
    return {n: g for (n, _), g in zip(named, grads)}


def check_bn_gradient_formula(x, gamma, g, eps, axis, dx):
    """dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), per channel."""
    rank = x.dim()
    dims = [d for d in range(rank) if d != axis]
    mean, var = bn_batch_moments(x.detach(), axis)
    inv = 1.0 / torch.sqrt(bn_broadcast(var, rank, axis) + eps)
    x_hat = (x.detach() - bn_broadcast(mean, rank, axis)) * inv
    expected = bn_broadcast(gamma.detach(), rank, axis) * inv * (
        g - g.mean(dim=dims, keepdim=True) - x_hat * (g * x_hat).mean(dim=dims, keepdim=True))
    assert torch.allclose(expected, dx, rtol=1e-10, atol=1e-12)


def bn_case(name, gen, shape, config):
    rank = len(shape)
    axis = config["axis"] % rank
    channels = shape[axis]
    eps = config["epsilon"]
    if keras_fused_path(rank, axis):
        eps = max(eps, FUSED_MIN_EPSILON)
    x = uniform(gen, shape, -2.0, 3.0).requires_grad_()
    gamma = uniform(gen, [channels], 0.5, 1.5).requires_grad_() if config["scale"] else None
    beta = uniform(gen, [channels]).requires_grad_() if config["center"] else None
    moving_mean = uniform(gen, [channels])
    moving_var = uniform(gen, [channels], 0.5, 2.0)
    cotangent = uniform(gen, shape)

    weights = []
    if gamma is not None:
        weights.append(weight_json("gamma", gamma))
    if beta is not None:
        weights.append(weight_json("beta", beta))
    weights += [weight_json("moving_mean", moving_mean), weight_json("moving_variance", moving_var)]

    mean, var = bn_batch_moments(x, axis)
    y_train = bn_forward(x, gamma, beta, mean, var, eps, axis)
    train_grads = gradients(y_train, cotangent, [("input", x), ("gamma", gamma), ("beta", beta)])
    if gamma is not None:
        check_bn_gradient_formula(x, gamma, cotangent, eps, axis, train_grads["input"])

    y_infer = bn_forward(x, gamma, beta, moving_mean, moving_var, eps, axis)
    infer_grads = gradients(y_infer, cotangent, [("input", x), ("gamma", gamma), ("beta", beta)])

    batch_mean, batch_var = (t.detach() for t in bn_batch_moments(x, axis))
    if keras_fused_path(rank, axis):
        n = x.numel() // channels
        batch_var = batch_var * n / max(n - 1, 1)
    decay = 1.0 - config["momentum"]
    history = []
    m, v = moving_mean.clone(), moving_var.clone()
    for _ in range(3):
        m = m - (m - batch_mean) * decay
        v = v - (v - batch_var) * decay
        history.append({"moving_mean": tensor_json(m), "moving_variance": tensor_json(v)})

    return {
        "name": name,
        "config": config,
        "input": tensor_json(x, exact=True),
        "weights": weights,
        "cotangent": tensor_json(cotangent, exact=True),
        "training": {"output": tensor_json(y_train),
                     "gradients": {k: tensor_json(g) for k, g in train_grads.items()}},
        "inference": {"output": tensor_json(y_infer),
                      "gradients": {k: tensor_json(g) for k, g in infer_grads.items()}},
        "moving_history": history,
    }


def bn_config(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True):
    return {"axis": axis, "momentum": momentum, "epsilon": epsilon, "center": center,
            "scale": scale}


def bn_cases(gen):
    return [
        bn_case("rank3_last", gen, [4, 5, 3], bn_config()),
        bn_case("rank3_momentum", gen, [3, 7, 4], bn_config(momentum=0.5, epsilon=0.01)),
        bn_case("rank2", gen, [6, 5], bn_config(axis=1, momentum=0.9)),
        bn_case("rank3_axis1", gen, [2, 3, 6], bn_config(axis=1, momentum=0.8)),
        bn_case("no_scale", gen, [3, 4, 2], bn_config(scale=False)),
        bn_case("no_center", gen, [3, 4, 2], bn_config(center=False, momentum=0.7)),
        bn_case("no_scale_no_center", gen, [2, 5, 3], bn_config(center=False, scale=False)),
        bn_case("rank4_fused", gen, [2, 3, 2, 3], bn_config(momentum=0.6, epsilon=1e-7)),
        bn_case("rank4_axis2_plain", gen, [2, 3, 4, 2], bn_config(axis=2, momentum=0.6)),
        bn_case("one_row", gen, [1, 1, 4], bn_config(momentum=0.5)),
    ]


# ---- LayerNormalization ----

def ln_forward(x, gamma, beta, axes, eps):
    rank = x.dim()
    resolved = [a % rank for a in axes]
    mean = x.mean(dim=resolved, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=resolved, keepdim=True)
    broadcast = [1] * rank
    for a in resolved:
        broadcast[a] = x.shape[a]
    y = (x - mean) / torch.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma.reshape(broadcast)
    if beta is not None:
        y = y + beta.reshape(broadcast)
    return y


def ln_case(name, gen, shape, axis=-1, epsilon=1e-3, center=True, scale=True):
    axes = axis if isinstance(axis, list) else [axis]
    param_shape = [shape[a % len(shape)] for a in axes]
    x = uniform(gen, shape, -2.0, 3.0).requires_grad_()
    gamma = uniform(gen, param_shape, 0.5, 1.5).requires_grad_() if scale else None
    beta = uniform(gen, param_shape).requires_grad_() if center else None
    cotangent = uniform(gen, shape)
    y = ln_forward(x, gamma, beta, axes, epsilon)
    if axes == [-1] and scale and center:
        expected = F.layer_norm(x, [shape[-1]], gamma, beta, epsilon)
        assert torch.allclose(y, expected, rtol=1e-10, atol=1e-12)
    grads = gradients(y, cotangent, [("input", x), ("gamma", gamma), ("beta", beta)])
    weights = []
    if gamma is not None:
        weights.append(weight_json("gamma", gamma))
    if beta is not None:
        weights.append(weight_json("beta", beta))
    return {
        "name": name,
        "config": {"axis": axis, "epsilon": epsilon, "center": center, "scale": scale},
        "input": tensor_json(x, exact=True),
        "weights": weights,
        "cotangent": tensor_json(cotangent, exact=True),
        "output": tensor_json(y),
        "gradients": {k: tensor_json(g) for k, g in grads.items()},
    }


def ln_cases(gen):
    return [
        ln_case("rank3_last", gen, [3, 4, 5]),
        ln_case("rank2", gen, [4, 6], epsilon=1e-5),
        ln_case("two_trailing_axes", gen, [2, 3, 4], axis=[1, 2]),
        ln_case("axis1_of_rank3", gen, [2, 4, 3], axis=1),
        ln_case("axes_reversed", gen, [2, 3, 4], axis=[2, 1]),
        ln_case("axes_0_2", gen, [3, 2, 4], axis=[0, 2]),
        ln_case("no_scale", gen, [2, 3, 5], scale=False),
        ln_case("no_center", gen, [2, 3, 5], center=False, epsilon=0.1),
        ln_case("single_feature", gen, [3, 2, 1]),
    ]


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261126)
    fixtures = {
        "generator": "scripts/gen_norm_layer_fixtures.py",
        "cases": {"batch_normalization": bn_cases(gen), "layer_normalization": ln_cases(gen)},
    }
    write_fixtures("norm_layer_fixtures.json", fixtures)


if __name__ == "__main__":
    main()
