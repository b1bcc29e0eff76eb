#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's pooling and resampling layers:

    tests/data/pool_layer_fixtures.json   MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D,
                                          GlobalMaxPooling1D, UpSampling1D, ZeroPadding1D,
                                          Cropping1D

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_pool_layer_fixtures.py

The layers follow tf.keras 2.x, written here from TensorFlow's rules rather than from minidl:
- 'valid' windows: Lout = ceil((L - k + 1) / s). 'same': Lout = ceil(L / s) with a total pad
  P = max((Lout - 1) s + k - L, 0), floor(P / 2) on the left (TensorFlow's SAME). The pads are
  emulated explicitly: -inf for the maximum (never chosen), and for the mean a sum over the
  zero-padded window divided by the count of real positions (TensorFlow's AvgPool).
- Max pooling's gradient goes to the first maximal element of a window (TensorFlow's MaxPoolGrad
  and PyTorch's max_pool1d agree); global max pooling's gradient is shared equally by tied
  maxima (TensorFlow's reduce_max gradient, as torch.amax does).
- UpSampling1D repeats each step, ZeroPadding1D adds zero steps, Cropping1D removes steps, all
  on axis 1.

Each case stores the layer's Keras class name and config (as tf.keras writes it), an input, a
cotangent G, the output Y and the gradient of sum(Y * G) with respect to the input; "weights" is
empty (the layers have none). Tensors are {"shape", "values"} with row-major values. Inputs and
cotangents are uniform in [-1, 1] rounded to float32 (stored exactly); the max-pooling cases also
include inputs drawn from {-1, -0.5, 0, 0.5, 1}, so that windows hold tied maxima. Outputs and
gradients are float64 to 12 significant digits. Every random choice comes from fixed seeds.

The script checks itself: every windowed pooling against a direct loop over the windows, and the
autograd gradients of the smooth layers against finite differences.
"""

import json
import math
import pathlib
import random

import numpy as np
import torch
import torch.nn.functional as F

OUTPUT_DIGITS = 12
DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"
TIE_VALUES = (-1.0, -0.5, 0.0, 0.5, 1.0)


# ---- TensorFlow's window placement ----

def window_pads(padding, length, pool_size, stride):
    """(left pad, right pad, output length) as TensorFlow places pooling windows."""
    if padding == "valid":
        return 0, 0, math.ceil((length - pool_size + 1) / stride)
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + pool_size - length, 0)
    return total // 2, total - total // 2, out


def check_padding_examples():
    """TensorFlow's documented SAME examples: the odd pad goes to the right."""
    assert window_pads("same", 5, 2, 2) == (0, 1, 3)
    assert window_pads("same", 4, 3, 1) == (1, 1, 4)
    assert window_pads("same", 7, 4, 3) == (1, 2, 3)
    assert window_pads("valid", 5, 2, 2) == (0, 0, 2)
    assert window_pads("valid", 7, 3, 4) == (0, 0, 2)


# ---- layouts ----

def to_channels_last(x, data_format):
    return x if data_format == "channels_last" else x.transpose(1, 2)


def from_channels_last(y, data_format):
    return y if data_format == "channels_last" else y.transpose(1, 2)


def step_axis(data_format):
    return 1 if data_format == "channels_last" else 2


# ---- the layers in torch ----

def windowed(kind):
    """MaxPooling1D or AveragePooling1D on an input in the config's data format."""
    def forward(x, config):
        k, s = config["pool_size"][0], config["strides"][0]
        x_cf = to_channels_last(x, config["data_format"]).transpose(1, 2)  # [B, C, L]
        left, right, out = window_pads(config["padding"], x_cf.shape[2], k, s)
        if kind == "max":
            y = F.max_pool1d(F.pad(x_cf, (left, right), value=-math.inf), k, s)
        else:
            sums = F.avg_pool1d(F.pad(x_cf, (left, right)), k, s) * k
            real = F.pad(torch.ones_like(x_cf[:1, :1]), (left, right))
            counts = F.avg_pool1d(real, k, s) * k
            y = sums / counts
        assert y.shape[2] == out
        return from_channels_last(y.transpose(1, 2), config["data_format"])
    return forward


def global_pooling(kind):
    def forward(x, config):
        axis = step_axis(config["data_format"])
        if kind == "max":
            return x.amax(dim=axis, keepdim=config["keepdims"])
        return x.mean(dim=axis, keepdim=config["keepdims"])
    return forward


def up_sampling(x, config):
    return x.repeat_interleave(config["size"], dim=1)


def zero_padding(x, config):
    left, right = config["padding"]
    return F.pad(x, (0, 0, left, right))


def cropping(x, config):
    left, right = config["cropping"]
    return x[:, left:x.shape[1] - right, :]


# ---- direct loops (the check on the torch forms) ----

def loop_windowed(kind, x, config):
    """The window formula on channels_last lists: window t covers [t s - left, t s - left + k)
    clipped to the input; max or mean of the real positions."""
    k, s = config["pool_size"][0], config["strides"][0]
    result = []
    for sample in x:
        left, _, out = window_pads(config["padding"], len(sample), k, s)
        steps = []
        for t in range(out):
            start = t * s - left
            rows = [sample[p] for p in range(max(start, 0), min(start + k, len(sample)))]
            columns = list(zip(*rows))
            steps.append([max(c) if kind == "max" else sum(c) / len(c) for c in columns])
        result.append(steps)
    return result


def check_against_loop(kind, forward, x, config):
    with torch.no_grad():
        y = to_channels_last(forward(x, config), config["data_format"])
    loop = loop_windowed(kind, to_channels_last(x, config["data_format"]).tolist(), config)
    assert torch.allclose(y, torch.tensor(loop), rtol=1e-12, atol=1e-12), config


# ---- values ----

def float32_values(rng, count):
    return [float(np.float32(rng.uniform(-1.0, 1.0))) for _ in range(count)]


def draw(rng, shape, ties=False):
    count = math.prod(shape)
    values = [rng.choice(TIE_VALUES) for _ in range(count)] if ties else float32_values(rng, count)
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


def exact(values):
    """float32 values in their shortest decimal form (the C++ test parses them exactly)."""
    result = []
    for value in values:
        short = float(repr(np.float32(value)))
        assert np.float32(short) == np.float32(value) and float(np.float32(value)) == value
        result.append(short)
    return result


def rounded(values):
    return [float(f"{v:.{OUTPUT_DIGITS}g}") for v in values]


def tensor_json(t, encode):
    return {"shape": list(t.shape), "values": encode(t.detach().reshape(-1).tolist())}


# ---- cases ----

def base_config(name):
    return {"name": name, "trainable": True, "dtype": "float32"}


def input_shape(data_format, batch, length, channels):
    if data_format == "channels_last":
        return [batch, length, channels]
    return [batch, channels, length]


def make_case(index, class_name, forward, config, shape, rng, ties=False, gradcheck=False):
    x = draw(rng, shape, ties)
    with torch.no_grad():
        cotangent = draw(rng, list(forward(x, config).shape))
    if gradcheck:
        leaf = x.clone().requires_grad_(True)
        assert torch.autograd.gradcheck(lambda t: (forward(t, config) * cotangent).sum(), [leaf],
                                        eps=1e-6, atol=1e-7, rtol=1e-6)
    leaf = x.clone().requires_grad_(True)
    y = forward(leaf, config)
    (y * cotangent).sum().backward()
    return {
        "name": f"{class_name}_{index:03d}",
        "class_name": class_name,
        "config": config,
        "input": tensor_json(x, exact),
        "weights": [],
        "cotangent": tensor_json(cotangent, exact),
        "output": tensor_json(y, rounded),
        "gradients": {"input": tensor_json(leaf.grad, rounded)},
    }


def windowed_cases(class_name, kind, count, rng):
    """Every padding x data format, pool sizes 1-5, strides 1-4 (often != pool_size), odd and
    even lengths from the shortest that gives one step."""
    forward = windowed(kind)
    layouts = [(p, f) for p in ("valid", "same") for f in ("channels_last", "channels_first")]
    cases = []
    for i in range(count):
        padding, data_format = layouts[i % len(layouts)]
        k = 1 + i % 5
        s = 1 + (i // 5) % 4
        shortest = k if padding == "valid" else 1
        length = shortest + rng.randint(0, 9)
        config = {**base_config(f"{class_name.lower()}_{i}"), "strides": [s], "pool_size": [k],
                  "padding": padding, "data_format": data_format}
        shape = input_shape(data_format, rng.randint(1, 3), length, rng.randint(1, 5))
        ties = kind == "max" and i % 3 == 2
        case = make_case(i, class_name, forward, config, shape, rng, ties=ties,
                         gradcheck=kind == "average")
        check_against_loop(kind, forward, torch.tensor(case["input"]["values"]).reshape(shape),
                           config)
        cases.append(case)
    return cases


def global_cases(class_name, kind, count, rng):
    forward = global_pooling(kind)
    cases = []
    for i in range(count):
        data_format = ("channels_last", "channels_first")[i % 2]
        config = {**base_config(f"{class_name.lower()}_{i}"), "data_format": data_format,
                  "keepdims": i % 4 >= 2}
        shape = input_shape(data_format, rng.randint(1, 3), 1 + rng.randint(0, 12),
                            rng.randint(1, 5))
        ties = kind == "max" and i % 3 == 2
        cases.append(make_case(i, class_name, forward, config, shape, rng, ties=ties,
                               gradcheck=kind == "average"))
    return cases


def resampling_cases(rng):
    plans = [("UpSampling1D", up_sampling, {"size": size}) for size in (1, 2, 3, 4)]
    plans += [("ZeroPadding1D", zero_padding, {"padding": pair})
              for pair in ([1, 1], [0, 2], [3, 0], [2, 5], [0, 0])]
    plans += [("Cropping1D", cropping, {"cropping": pair})
              for pair in ([1, 1], [0, 2], [3, 0], [2, 4], [0, 0])]
    cases = []
    for i, (class_name, forward, own) in enumerate(plans):
        config = {**base_config(f"{class_name.lower()}_{i}"), **own}
        removed = sum(own.get("cropping", [0, 0]))
        shape = [rng.randint(1, 3), removed + 1 + rng.randint(0, 6), rng.randint(1, 4)]
        cases.append(make_case(i, class_name, forward, config, shape, rng, gradcheck=True))
    return cases


# ---- output ----

def to_json(fixtures):
    """Pretty JSON with one case per line: readable diffs without a line per number."""
    header = {key: value for key, value in fixtures.items() if key != "cases"}
    text = json.dumps(header, indent=1)[:-2] + ',\n "cases": [\n'
    text += ",\n".join("  " + json.dumps(case) for case in fixtures["cases"])
    return text + "\n ]\n}\n"


def main():
    torch.set_default_dtype(torch.float64)
    check_padding_examples()
    rng = random.Random(2106)
    cases = (windowed_cases("MaxPooling1D", "max", 40, rng)
             + windowed_cases("AveragePooling1D", "average", 40, rng)
             + global_cases("GlobalMaxPooling1D", "max", 12, rng)
             + global_cases("GlobalAveragePooling1D", "average", 12, rng)
             + resampling_cases(rng))
    fixtures = {
        "generator": "scripts/gen_pool_layer_fixtures.py (PyTorch %s, float64, seed 2106)"
                     % torch.__version__.split("+")[0],
        "description": "tf.keras 2.x pooling and resampling layers: output = layer(input) built "
                       "from class_name and config, and the gradient of sum(output * cotangent) "
                       "with respect to the input; values are flattened row-major.",
        "cases": cases,
    }
    path = DATA_DIR / "pool_layer_fixtures.json"
    path.write_text(to_json(fixtures))
    print(f"wrote {len(cases)} cases ({path.stat().st_size / 1e6:.2f} MB) to {path}")


if __name__ == "__main__":
    main()
