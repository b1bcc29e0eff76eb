#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's 1-D convolution layers:

    tests/data/sepconv_fixtures.json           SeparableConv1D
    tests/data/depthwise_conv1d_fixtures.json  DepthwiseConv1D
    tests/data/conv1d_fixtures.json            Conv1D (with groups)

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_sepconv_fixtures.py

The layers follow tf.keras 2.x (/work/shared/KERAS_SEMANTICS.md §1-3, §7), written here from
those rules rather than from minidl: Keras weight layouts, Keras padding (valid/same/causal),
both data formats, and the activation applied to the output in its own data format (so softmax
over channels_first output runs along the steps). Each case stores the layer's Keras config, an
input, the weights, a cotangent G, the output Y and the gradients of sum(Y * G) with respect to
the input and every weight; tensors are {"shape", "values"} with row-major values.

Inputs, weights and cotangents are uniform in [-1, 1] rounded to float32 (stored exactly, so the
C++ float32 test sees the same numbers); outputs and gradients are float64 to 12 significant
digits. Cases with a kinked activation are redrawn until no pre-activation lies within 1e-3 of
a kink, where float32 rounding could pick the other side. Every random choice comes from fixed
seeds, so re-running reproduces the files byte for byte.

The script checks itself: every case's pre-activation against a direct loop over the Keras
formula (§1), and the autograd gradients of small cases against finite differences.
"""

import json
import math
import pathlib
import random

import numpy as np
import torch
import torch.nn.functional as F

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
KINK_MARGIN = 1e-3
OUTPUT_DIGITS = 12
DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"


# ---- activations (Keras 2 formulas, §7), applied along the last axis where they have one ----

def softplus(x):
    return torch.log1p(torch.exp(x))


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
    "leaky_relu": lambda x: torch.where(x >= 0, x, 0.2 * x),
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1.0),
    "selu": lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1.0)),
    "softplus": softplus,
    "softsign": lambda x: x / (1.0 + torch.abs(x)),
    "swish": lambda x: x * torch.sigmoid(x),
    "silu": lambda x: x * torch.sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "exponential": torch.exp,
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
    "tanh": torch.tanh,
    "mish": lambda x: x * torch.tanh(softplus(x)),
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "log_softmax": lambda x: x - torch.logsumexp(x, dim=-1, keepdim=True),
}

# Where an activation's derivative jumps (selu's slope is λ on the right, λα on the left).
KINKS = {"relu": (0.0,), "relu6": (0.0, 6.0), "leaky_relu": (0.0,), "selu": (0.0,),
         "hard_sigmoid": (-2.5, 2.5)}


def check_activation_formulas():
    """The Keras formulas agree with PyTorch's functions where the two libraries agree."""
    x = torch.linspace(-7.0, 7.0, 141)
    same = {"relu6": F.relu6(x), "elu": F.elu(x), "selu": F.selu(x), "softplus": F.softplus(x),
            "softsign": F.softsign(x), "swish": F.silu(x), "gelu": F.gelu(x), "mish": F.mish(x),
            "leaky_relu": F.leaky_relu(x, 0.2), "log_softmax": F.log_softmax(x, dim=-1)}
    for name, expected in same.items():
        assert torch.allclose(ACTIVATIONS[name](x), expected, rtol=1e-12, atol=1e-12), name


# ---- Keras padding (§2) ----

def padding_amounts(padding, length, kernel_size, stride, dilation):
    """(pad_left, pad_right, output_length) as Keras computes them; output_length may be <= 0."""
    dilated = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        return 0, 0, -(-(length - dilated + 1) // stride)
    out = -(-length // stride)
    if padding == "causal":
        return dilated - 1, 0, out
    total = max((out - 1) * stride + dilated - length, 0)
    return total // 2, total - total // 2, out


def check_padding_examples():
    """Hand-worked cases of §2: TF puts the odd pad of "same" on the right."""
    assert padding_amounts("same", 5, 3, 2, 1) == (1, 1, 3)
    assert padding_amounts("same", 4, 4, 1, 1) == (1, 2, 4)
    assert padding_amounts("same", 6, 1, 3, 1) == (0, 0, 2)
    assert padding_amounts("same", 1, 3, 1, 2) == (2, 2, 1)
    assert padding_amounts("causal", 7, 3, 3, 1) == (2, 0, 3)
    assert padding_amounts("causal", 5, 3, 1, 4) == (8, 0, 5)
    assert padding_amounts("valid", 10, 3, 3, 1) == (0, 0, 3)
    assert padding_amounts("valid", 9, 3, 1, 4) == (0, 0, 1)
    assert padding_amounts("valid", 8, 3, 1, 4) == (0, 0, 0)


# ---- the layers, in PyTorch ----

def to_channels_first(x, data_format):
    return x if data_format == "channels_first" else x.permute(0, 2, 1)


def from_channels_first(y, data_format):
    return y if data_format == "channels_first" else y.permute(0, 2, 1)


def padded_conv(x_cf, weight, config, groups):
    """torch conv1d of a channels_first input with Keras's padding; checks the output length."""
    k, s, d = config["kernel_size"][0], config["strides"][0], config["dilation_rate"][0]
    left, right, out = padding_amounts(config["padding"], x_cf.shape[2], k, s, d)
    y = F.conv1d(F.pad(x_cf, (left, right)), weight, stride=s, dilation=d, groups=groups)
    assert y.shape[2] == out, (config, y.shape, out)
    return y


def torch_depthwise(x_cf, depthwise_kernel, config):
    """Output channel c*M+m: with groups=C, torch gives output channel o to group o // M."""
    k, c, m = depthwise_kernel.shape
    weight = depthwise_kernel.permute(1, 2, 0).reshape(c * m, 1, k)
    return padded_conv(x_cf, weight, config, groups=c)


def sepconv_preactivation(x_cf, weights, config):
    depthwise = torch_depthwise(x_cf, weights["depthwise_kernel"], config)
    pointwise = weights["pointwise_kernel"][0].t().unsqueeze(-1)  # [F, C*M, 1]
    return F.conv1d(depthwise, pointwise)


def depthwise_preactivation(x_cf, weights, config):
    return torch_depthwise(x_cf, weights["depthwise_kernel"], config)


def conv1d_preactivation(x_cf, weights, config):
    weight = weights["kernel"].permute(2, 1, 0)  # [F, C/groups, k]
    return padded_conv(x_cf, weight, config, groups=config["groups"])


def keras_forward(preactivation, x, weights, config):
    """The layer's output in its data format: activation(preactivation + bias)."""
    y = preactivation(to_channels_first(x, config["data_format"]), weights, config)
    if config["use_bias"]:
        y = y + weights["bias"].reshape(1, -1, 1)
    return y


# ---- a direct loop over the Keras formulas (§1), channels_last, to check the torch mapping ----

def loop_conv(x, kernel, config, groups):
    """Y[b,t,f] = sum_j sum_i xp[b, t*s + j*d, g*Cg + i] * kernel[j, i, f], g = f // (F/groups)."""
    k, s, d = config["kernel_size"][0], config["strides"][0], config["dilation_rate"][0]
    length, channels = len(x[0]), len(x[0][0])
    left, _, out = padding_amounts(config["padding"], length, k, s, d)
    group_in, filters = channels // groups, len(kernel[0][0])
    group_out = filters // groups
    result = []
    for sample in x:
        steps = []
        for t in range(out):
            row = []
            for f in range(filters):
                first = (f // group_out) * group_in
                total = 0.0
                for j in range(k):
                    pos = t * s + j * d - left
                    if 0 <= pos < length:
                        for i in range(group_in):
                            total += sample[pos][first + i] * kernel[j][i][f]
                row.append(total)
            steps.append(row)
        result.append(steps)
    return result


def loop_depthwise(x, depthwise_kernel, config):
    """D[b,t,c*M+m] = sum_j xp[b, t*s + j*d, c] * dw[j, c, m]: a conv with groups = C whose
    kernel [k, 1, C*M] holds dw[j, c, m] at output channel c*M + m."""
    k, c, m = len(depthwise_kernel), len(depthwise_kernel[0]), len(depthwise_kernel[0][0])
    kernel = [[[depthwise_kernel[j][o // m][o % m] for o in range(c * m)]] for j in range(k)]
    return loop_conv(x, kernel, config, groups=c)


def loop_sepconv(x, weights, config):
    depthwise = loop_depthwise(x, weights["depthwise_kernel"], config)
    pointwise = {**config, "kernel_size": [1], "strides": [1], "dilation_rate": [1],
                 "padding": "valid"}
    return loop_conv(depthwise, weights["pointwise_kernel"], pointwise, groups=1)


# ---- the three layers ----

class LayerKind:
    def __init__(self, name, file, paddings, preactivation, loop, weight_shapes):
        self.name = name
        self.file = file
        self.paddings = paddings
        self.preactivation = preactivation  # torch, channels_first, no bias
        self.loop = loop  # the direct loop, channels_last, no bias
        self.weight_shapes = weight_shapes  # (config, channels) -> [(name, shape)] in Keras order


def with_bias(config, shapes, bias_size):
    return shapes + ([("bias", [bias_size])] if config["use_bias"] else [])


SEPARABLE = LayerKind(
    "SeparableConv1D", "sepconv_fixtures.json", ("valid", "same", "causal"),
    sepconv_preactivation,
    loop_sepconv,
    lambda c, ch: with_bias(c, [
        ("depthwise_kernel", [c["kernel_size"][0], ch, c["depth_multiplier"]]),
        ("pointwise_kernel", [1, ch * c["depth_multiplier"], c["filters"]])], c["filters"]))

DEPTHWISE = LayerKind(
    "DepthwiseConv1D", "depthwise_conv1d_fixtures.json", ("valid", "same"),
    depthwise_preactivation,
    lambda x, w, c: loop_depthwise(x, w["depthwise_kernel"], c),
    lambda c, ch: with_bias(c, [
        ("depthwise_kernel", [c["kernel_size"][0], ch, c["depth_multiplier"]])],
        ch * c["depth_multiplier"]))

CONV1D = LayerKind(
    "Conv1D", "conv1d_fixtures.json", ("valid", "same", "causal"),
    conv1d_preactivation,
    lambda x, w, c: loop_conv(x, w["kernel"], c, c["groups"]),
    lambda c, ch: with_bias(c, [
        ("kernel", [c["kernel_size"][0], ch // c["groups"], c["filters"]])], c["filters"]))


# ---- the grid ----

DATA_FORMATS = ("channels_last", "channels_first")
# Keras rejects strides > 1 together with dilation_rate > 1.
STRIDE_DILATION = ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3), (1, 4))
MAX_LENGTH = 40


def cycled(values, count, rng):
    """`count` values going through `values` in shuffled rounds: each appears once per round."""
    result = []
    while len(result) < count:
        round_ = list(values)
        rng.shuffle(round_)
        result += round_
    return result[:count]


def plan_lengths(paddings, dilated_sizes, strides, rng):
    """Input lengths covering 1..MAX_LENGTH: first length 1 for each of same/causal, then each
    longer length once, given to the next case that accepts it (any same/causal case, a valid
    case whose dilated kernel fits); the other cases get short inputs: a few output steps (often
    one) for valid, 1..10 steps otherwise."""
    lengths = [0] * len(paddings)
    for padding in sorted(set(paddings) - {"valid"}):
        lengths[paddings.index(padding)] = 1
    long_round = list(range(2, MAX_LENGTH + 1))
    rng.shuffle(long_round)
    for length in long_round:
        taker = next(i for i, p in enumerate(paddings)
                     if lengths[i] == 0 and (p != "valid" or dilated_sizes[i] <= length))
        lengths[taker] = length
    for i, padding in enumerate(paddings):
        if lengths[i] == 0 and padding == "valid":
            steps = 1 if rng.random() < 0.3 else rng.randint(2, 6)
            extra = rng.randint(0, strides[i] - 1)
            lengths[i] = dilated_sizes[i] + (steps - 1) * strides[i] + extra
        elif lengths[i] == 0:
            lengths[i] = rng.randint(1, 10)
    return lengths


def plan_cases(kind, count, rng):
    """Keras configs, input shapes and activations cycling every value of every dimension."""
    formats = cycled([(p, f) for p in kind.paddings for f in DATA_FORMATS], count, rng)
    stride_dilation = cycled(STRIDE_DILATION, count, rng)
    kernels = cycled(range(1, 8), count, rng)
    multipliers = cycled(range(1, 4), count, rng)
    biases = cycled((True, False), count, rng)
    activations = cycled(ACTIVATIONS, count, rng)
    batches = cycled(range(1, 5), count, rng)
    channels = cycled(range(1, 9), count, rng)
    filters = cycled(range(1, 9), count, rng)
    groups = cycled(range(1, 4), count, rng)
    dilated = [(k - 1) * sd[1] + 1 for k, sd in zip(kernels, stride_dilation)]
    lengths = plan_lengths([f[0] for f in formats], dilated, [sd[0] for sd in stride_dilation],
                           rng)
    plans = []
    for i in range(count):
        config = {}
        if kind is not DEPTHWISE:
            config["filters"] = filters[i]
        config.update({"kernel_size": [kernels[i]], "strides": [stride_dilation[i][0]],
                       "padding": formats[i][0], "data_format": formats[i][1],
                       "dilation_rate": [stride_dilation[i][1]]})
        ch = channels[i]
        if kind is CONV1D:
            g = groups[i]
            config["groups"] = g
            config["filters"] = fit_to_groups(filters[i], g)
            ch = fit_to_groups(ch, g)
        config["activation"] = activations[i]
        config["use_bias"] = biases[i]
        if kind is not CONV1D:
            config["depth_multiplier"] = multipliers[i]
        # Long inputs use a small batch to keep the file small.
        batch = batches[i] if lengths[i] <= 16 else min(batches[i], 2)
        plans.append((config, batch, lengths[i], ch))
    return plans


def fit_to_groups(size, groups):
    """The nearest multiple of `groups` to `size` within 1..8."""
    size = groups * max(1, round(size / groups))
    return size if size <= 8 else size - groups


# ---- values ----

def float32_values(rng, count):
    return [float(np.float32(rng.uniform(-1.0, 1.0))) for _ in range(count)]


def draw(rng, shape):
    return torch.tensor(float32_values(rng, math.prod(shape)), dtype=torch.float64).reshape(shape)


def near_kink(preactivation, activation):
    """Whether a pre-activation lies near a kink. Exactly on one is fine: only an output whose taps
    all read padding (and no bias) is exactly 0, and it depends on no input or weight."""
    for kink in KINKS.get(activation, ()):
        distance = (preactivation - kink).abs()
        if bool(((distance > 0) & (distance < KINK_MARGIN)).any()):
            return True
    return False


def input_shape(config, batch, length, channels):
    if config["data_format"] == "channels_last":
        return [batch, length, channels]
    return [batch, channels, length]


def draw_case_values(kind, config, shape, channels, rng):
    """Input and weights, redrawn until the pre-activation keeps clear of the activation's kinks."""
    for _ in range(1000):
        x = draw(rng, shape)
        weights = {name: draw(rng, s) for name, s in kind.weight_shapes(config, channels)}
        with torch.no_grad():
            y = keras_forward(kind.preactivation, x, weights, config)
        if not near_kink(y, config["activation"]):
            return x, weights
    raise RuntimeError(f"no kink-free values for {config}")


# ---- one case ----

def activated(kind, config):
    activation = ACTIVATIONS[config["activation"]]

    def forward(x, weights):
        y = keras_forward(kind.preactivation, x, weights, config)
        return activation(from_channels_first(y, config["data_format"]))
    return forward


def check_against_loop(kind, config, x, weights):
    """The torch pre-activation (channels_last) equals the direct loop over the Keras formula."""
    with torch.no_grad():
        y = from_channels_first(keras_forward(kind.preactivation, x, weights, config),
                                "channels_last")
    lists = {name: value.tolist() for name, value in weights.items()}
    x_cl = from_channels_first(to_channels_first(x, config["data_format"]), "channels_last")
    loop = torch.tensor(kind.loop(x_cl.tolist(), lists, config)).reshape(y.shape)
    if config["use_bias"]:
        loop = loop + weights["bias"]
    assert torch.allclose(y, loop, rtol=1e-12, atol=1e-12), (kind.name, config)


def check_gradients(forward, x, weights, names, cotangent):
    """Autograd against finite differences, for small cases (gradcheck is quadratic in size)."""
    leaves = [x.clone().requires_grad_(True)] + [weights[n].clone().requires_grad_(True)
                                                 for n in names]

    def objective(*tensors):
        return (forward(tensors[0], dict(zip(names, tensors[1:]))) * cotangent).sum()
    assert torch.autograd.gradcheck(objective, leaves, eps=1e-6, atol=1e-7, rtol=1e-6)


def exact(values):
    """float32 inputs in their shortest decimal form; parsing it as a double and casting to float
    (what the C++ test does) gives the same float32."""
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


def make_case(kind, index, plan, rng, gradcheck):
    config, batch, length, channels = plan
    shape = input_shape(config, batch, length, channels)
    x, weights = draw_case_values(kind, config, shape, channels, rng)
    names = list(weights)
    forward = activated(kind, config)
    with torch.no_grad():
        out_shape = forward(x, weights).shape
    cotangent = draw(rng, out_shape)
    check_against_loop(kind, config, x, weights)
    if gradcheck:
        check_gradients(forward, x, weights, names, cotangent)

    leaves = {"input": x.clone().requires_grad_(True)}
    leaves.update({n: weights[n].clone().requires_grad_(True) for n in names})
    y = forward(leaves["input"], {n: leaves[n] for n in names})
    (y * cotangent).sum().backward()
    return {
        "name": f"{kind.name}_{index:03d}",
        "config": config,
        "input": tensor_json(x, exact),
        "weights": [{"name": n, **tensor_json(weights[n], exact)} for n in names],
        "cotangent": tensor_json(cotangent, exact),
        "output": tensor_json(y, rounded),
        "gradients": {n: tensor_json(leaves[n].grad, rounded) for n in leaves},
    }


# ---- coverage ----

def check_coverage(kind, cases):
    """Every value of every grid dimension appears in some case."""
    seen = {}

    def note(key, value):
        seen.setdefault(key, set()).add(value)
    for case in cases:
        c = case["config"]
        shape = case["input"]["shape"]
        channels_axis = 2 if c["data_format"] == "channels_last" else 1
        length = shape[3 - channels_axis]
        out_length = case["output"]["shape"][3 - channels_axis]
        note("padding x data_format", (c["padding"], c["data_format"]))
        note("strides", c["strides"][0])
        note("dilation_rate", c["dilation_rate"][0])
        note("kernel_size", c["kernel_size"][0])
        note("activation", c["activation"])
        note("use_bias", c["use_bias"])
        note("batch", shape[0])
        note("channels", shape[channels_axis])
        note("length", length)
        note("one output step", (c["padding"], out_length == 1))
        note("length 1", (c["padding"], length == 1))
        if "filters" in c:
            note("filters", c["filters"])
        if "depth_multiplier" in c:
            note("depth_multiplier", c["depth_multiplier"])
        if "groups" in c:
            note("groups", c["groups"])
    required = {
        "padding x data_format": {(p, f) for p in kind.paddings for f in DATA_FORMATS},
        "strides": {1, 2, 3}, "dilation_rate": {1, 2, 3, 4}, "kernel_size": set(range(1, 8)),
        "activation": set(ACTIVATIONS), "use_bias": {True, False}, "batch": set(range(1, 5)),
        "channels": set(range(1, 9)), "length": set(range(1, MAX_LENGTH + 1)),
        "one output step": {(p, True) for p in kind.paddings},
        "length 1": {(p, True) for p in kind.paddings if p != "valid"},
    }
    if kind is not DEPTHWISE:
        required["filters"] = set(range(1, 9))
    if kind is not CONV1D:
        required["depth_multiplier"] = {1, 2, 3}
    else:
        required["groups"] = {1, 2, 3}
    for key, values in required.items():
        missing = values - seen.get(key, set())
        assert not missing, f"{kind.name}: {key} never takes {sorted(missing, key=str)}"


# ---- output ----

def to_json(fixtures):
    """Pretty JSON with one case per line: readable diffs without a line per number."""
    header = {key: value for key, value in fixtures.items() if key != "cases"}
    text = json.dumps(header, indent=1)[:-2] + ',\n "cases": [\n'
    text += ",\n".join("  " + json.dumps(case) for case in fixtures["cases"])
    return text + "\n ]\n}\n"


def write_fixtures(kind, count, seed, gradchecks):
    rng = random.Random(seed)
    plans = plan_cases(kind, count, rng)
    cases = [make_case(kind, i, plan, rng, gradcheck=i < gradchecks)
             for i, plan in enumerate(plans)]
    check_coverage(kind, cases)
    fixtures = {
        "generator": "scripts/gen_sepconv_fixtures.py (PyTorch %s, float64, seed %d)"
                     % (torch.__version__.split("+")[0], seed),
        "description": f"tf.keras 2.x {kind.name}: output = layer(input) with the weights (Keras "
                       "layouts and order) and gradients of sum(output * cotangent) with respect "
                       "to the input and each weight; values are flattened row-major.",
        "cases": cases,
    }
    path = DATA_DIR / kind.file
    path.write_text(to_json(fixtures))
    print(f"wrote {len(cases)} cases ({path.stat().st_size / 1e6:.2f} MB) to {path}")


def main():
    torch.set_default_dtype(torch.float64)
    check_activation_formulas()
    check_padding_examples()
    write_fixtures(SEPARABLE, count=150, seed=1101, gradchecks=40)
    write_fixtures(DEPTHWISE, count=60, seed=1102, gradchecks=20)
    write_fixtures(CONV1D, count=60, seed=1103, gradchecks=20)


if __name__ == "__main__":
    main()
