#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's Normalization preprocessing layer:

    tests/data/normalization_fixtures.json

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_normalization_fixtures.py

The layer follows tf.keras 2.13 (keras/layers/preprocessing/normalization.py), written here from
its rules rather than from minidl:

- The kept axes (`axis`, None meaning none) are resolved and sorted; adapt() takes the mean and
  the biased variance of the data over every other axis, and count = the number of values each
  statistic was taken over.
- Given `mean` and `variance` broadcast to the kept axes' shape (NumPy rules).
- y = (x - mean) / max(sqrt(variance), 1e-7), or mean + x * max(sqrt(variance), 1e-7) with
  `invert`; the statistics are constants, so only the input has a gradient.

Each case stores the Keras config, the "adapt" data (or null for given statistics), the expected
"mean", "variance" and "count" after adapt, an input, a cotangent G, the output Y and the
gradient of sum(Y * G) by the input. Data, inputs and cotangents are uniform values rounded to
float32 (stored exactly); results are float64 to 12 significant digits. Fixed seeds: re-running
reproduces the file byte for byte.
"""

import torch

from fixture_common import tensor_json, uniform, write_fixtures

KERAS_EPSILON = 1e-7


def kept_axes(axis, rank):
    axes = [] if axis is None else ([axis] if isinstance(axis, int) else list(axis))
    return sorted(a % rank for a in axes)


def broadcast_shape(shape, kept):
    return [shape[d] if d in kept else 1 for d in range(len(shape))]


def adapt(data, kept):
    reduced = [d for d in range(data.dim()) if d not in kept]
    mean = data.mean(dim=reduced, keepdim=True)
    variance = ((data - mean) ** 2).mean(dim=reduced, keepdim=True)
    count = 1
    for d in reduced:
        count *= data.shape[d]
    kept_shape = [data.shape[d] for d in kept]
    return mean.reshape(kept_shape), variance.reshape(kept_shape), count


def given_statistic(values, kept_shape):
    # NumPy's broadcasting of the list, as Keras's `mean * np.ones(shape)`; one value is a scalar.
    t = torch.tensor(values, dtype=torch.float64)
    if t.numel() == 1:
        t = t.reshape([])
    return t * torch.ones(kept_shape, dtype=torch.float64)


def normalize(x, mean, variance, kept, invert):
    shape = broadcast_shape(list(x.shape), kept)
    mean = mean.reshape(shape)
    scale = torch.clamp(torch.sqrt(variance), min=KERAS_EPSILON).reshape(shape)
    return mean + x * scale if invert else (x - mean) / scale


def case(name, gen, input_shape, axis=-1, invert=False, adapt_shape=None, mean=None,
         variance=None, data_scale=(-2.0, 3.0), constant_feature=False):
    rank = len(input_shape)
    kept = kept_axes(axis, rank)
    kept_shape = [input_shape[d] for d in kept]
    adapt_data = None
    if adapt_shape is not None:
        adapt_data = uniform(gen, adapt_shape, *data_scale)
        if constant_feature:
            adapt_data[..., 0] = 1.5  # variance 0: the layer divides by 1e-7
        stat_mean, stat_variance, count = adapt(adapt_data, kept)
    else:
        stat_mean = given_statistic(mean, kept_shape)
        stat_variance = given_statistic(variance, kept_shape)
        count = None
    x = uniform(gen, input_shape, -2.0, 3.0)
    if constant_feature:
        x[..., 0] = 1.5  # output 0 there; the gradient is still divided by 1e-7
    x.requires_grad_()
    cotangent = uniform(gen, input_shape)
    y = normalize(x, stat_mean, stat_variance, kept, invert)
    (grad,) = torch.autograd.grad((y * cotangent).sum(), [x])
    return {
        "name": name,
        "config": {"axis": axis, "invert": invert, "mean": mean, "variance": variance},
        "adapt": None if adapt_data is None else tensor_json(adapt_data, exact=True),
        "mean": tensor_json(stat_mean),
        "variance": tensor_json(stat_variance),
        "count": count,
        "input": tensor_json(x, exact=True),
        "cotangent": tensor_json(cotangent, exact=True),
        "output": tensor_json(y),
        "gradients": {"input": tensor_json(grad)},
    }


def cases(gen):
    return [
        case("axis_last_rank3", gen, [3, 4, 3], adapt_shape=[40, 4, 3], data_scale=(1.0, 9.0)),
        case("axis1_rank3", gen, [2, 5, 3], axis=1, adapt_shape=[37, 5, 3]),
        case("axis_none", gen, [3, 4, 2], axis=None, adapt_shape=[9, 6, 2], data_scale=(-5.0, 1.0)),
        case("two_kept_axes", gen, [2, 3, 4], axis=[2, -2], adapt_shape=[33, 3, 4]),
        case("invert", gen, [2, 3, 2], invert=True, adapt_shape=[50, 3, 2], data_scale=(3.0, 7.0)),
        case("constant_feature", gen, [2, 3, 2], adapt_shape=[8, 3, 2], constant_feature=True),
        case("rank2", gen, [4, 5], adapt_shape=[70, 5], data_scale=(-1.0, 0.5)),
        case("given_per_feature", gen, [2, 3, 4], mean=[0.5, -1.0, 2.0, 0.25],
             variance=[4.0, 0.25, 1.0, 2.25]),
        case("given_scalar_axis_none", gen, [2, 3, 4], axis=None, mean=[3.0], variance=[2.0]),
        case("given_invert", gen, [3, 2, 3], invert=True, mean=[1.0, 2.0, -3.0],
             variance=[9.0, 0.5, 1.0]),
    ]


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261202)
    fixtures = {"generator": "scripts/gen_normalization_fixtures.py", "cases": cases(gen)}
    write_fixtures("normalization_fixtures.json", fixtures)


if __name__ == "__main__":
    main()
