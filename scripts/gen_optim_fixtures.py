#!/usr/bin/env python3
"""Writes PyTorch float64 references for minidl's optimizers: tests/data/optim_fixtures.json.

Run with the system Python that has PyTorch (the CI only reads the JSON it writes):
    /usr/bin/python3 scripts/gen_optim_fixtures.py

The optimizers follow tf.keras >= 2.11 (keras/optimizers/*.py, /work/shared/KERAS_SEMANTICS.md
§9), written here by hand from those formulas (not torch.optim, whose Adam, RMSprop, Adagrad and
Nadam place epsilon or decay differently). The problem is a linear model, loss = mean((X W + b -
Y)^2) over fixed float32-rounded X [8, 4] and Y [8, 3]; W [4, 3] carries an L1L2(0.01, 0.01)
regularizer (its gradient joins the loss gradient, as Keras adds the penalty to the loss; L1's
gradient at 0 is sign(0) = 0) and a MaxNorm(1.0, axis=0) constraint, b [3] a NonNeg constraint.
Each case runs 10 steps of Keras's order: gradient (with the penalty) -> clip -> weight decay
(w -= lr * wd * w) -> update rule -> constraint -> iterations += 1, and stores W and b after every
step (float64, 12 significant digits).

The script checks itself: the autograd gradient against the closed form; both constraints, every
clipping mode and AMSGrad's maximum actually acting in the cases meant to exercise them; no weight
of W passing near 0 (where float32 could take the other sign of L1's gradient); and each rule that
torch.optim shares with Keras (SGD, momentum, Adam, AdamW, AMSGrad, RMSprop in all four forms,
Adagrad, Adadelta, Adamax: equal once epsilon is 0 or placed alike) against torch.optim. Every
random choice comes from a fixed seed, so re-running reproduces the file byte for byte.
"""

import json
import math
import pathlib

import numpy as np
import torch

SEED = 5
STEPS = 10
L1 = 0.01
L2 = 0.01
MAX_NORM = 1.0
KERAS_EPSILON = 1e-7  # tf.keras's MaxNorm denominator
SIGN_MARGIN = 1e-4
OUTPUT_DIGITS = 12
DATA_FILE = (pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"
             / "optim_fixtures.json")

DEFAULTS = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
             "amsgrad": False},
    "AdamW": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
              "amsgrad": False, "weight_decay": 0.004},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                "centered": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}
COMMON_DEFAULTS = {"weight_decay": None, "clipnorm": None, "clipvalue": None,
                   "global_clipnorm": None}

EXPONENTIAL_DECAY = {"class_name": "ExponentialDecay",
                     "config": {"initial_learning_rate": 0.1, "decay_steps": 4,
                                "decay_rate": 0.5, "staircase": False}}

# (name, optimizer, options differing from Keras's defaults).
CASES = [
    ("sgd", "SGD", {"learning_rate": 0.05}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_clipnorm", "SGD", {"learning_rate": 0.05, "clipnorm": 1.0}),
    ("sgd_clipvalue", "SGD", {"learning_rate": 0.05, "clipvalue": 0.5}),
    ("sgd_global_clipnorm", "SGD", {"learning_rate": 0.05, "global_clipnorm": 1.5}),
    ("sgd_weight_decay", "SGD", {"learning_rate": 0.05, "weight_decay": 0.5}),
    ("sgd_exponential_decay", "SGD", {"learning_rate": EXPONENTIAL_DECAY, "momentum": 0.9}),
    ("adam", "Adam", {"learning_rate": 0.05}),
    ("adam_epsilon", "Adam", {"learning_rate": 0.05, "epsilon": 0.1}),
    # beta_2 0.9 lets v fall as the gradients shrink, so that AMSGrad's maximum matters.
    ("adam_amsgrad", "Adam", {"learning_rate": 0.05, "beta_2": 0.9, "amsgrad": True}),
    ("adam_clipnorm", "Adam", {"learning_rate": 0.05, "clipnorm": 1.0}),
    ("adam_clipvalue", "Adam", {"learning_rate": 0.05, "clipvalue": 0.5}),
    ("adam_global_clipnorm", "Adam", {"learning_rate": 0.05, "global_clipnorm": 1.5}),
    ("adam_weight_decay", "Adam", {"learning_rate": 0.05, "weight_decay": 0.5}),
    ("adamw", "AdamW", {"learning_rate": 0.05}),
    ("adamw_amsgrad", "AdamW",
     {"learning_rate": 0.05, "beta_2": 0.9, "weight_decay": 0.1, "amsgrad": True}),
    ("rmsprop", "RMSprop", {"learning_rate": 0.05}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.05, "momentum": 0.5}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.05, "centered": True}),
    ("rmsprop_centered_momentum", "RMSprop",
     {"learning_rate": 0.05, "momentum": 0.5, "centered": True}),
    ("adagrad", "Adagrad", {"learning_rate": 0.05}),
    ("adagrad_initial_accumulator", "Adagrad",
     {"learning_rate": 0.05, "initial_accumulator_value": 0.5}),
    ("adadelta", "Adadelta", {"learning_rate": 1.0}),
    ("adadelta_epsilon", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3}),
    ("adamax", "Adamax", {"learning_rate": 0.05}),
    ("nadam", "Nadam", {"learning_rate": 0.05}),
]


# ---- the problem ----

def float32_rounded(values):
    return torch.tensor(np.float32(values.numpy()).astype(np.float64), dtype=torch.float64)


def make_problem():
    """X, Y and the starting W, b. W's first column starts just inside the max-norm ball and is
    pulled outwards; b's first entry starts at 0 and is pulled below it, so both constraints act
    even for the slowest optimizer (Adadelta)."""
    gen = torch.Generator().manual_seed(SEED)
    x = torch.randn(8, 4, generator=gen, dtype=torch.float64)
    w_true = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    w_true[:, 0] *= 3.0 / w_true[:, 0].norm()
    b_true = torch.tensor([-1.0, 0.6, 0.3], dtype=torch.float64)
    noise = 0.1 * torch.randn(8, 3, generator=gen, dtype=torch.float64)
    y = x @ w_true + b_true + noise
    # Same signs as the target, away from 0, so L1's sign stays put.
    w0 = torch.sign(w_true) * (0.2 + 0.3 * torch.rand(4, 3, generator=gen, dtype=torch.float64))
    w0[:, 0] *= (MAX_NORM - 0.002) / w0[:, 0].norm()
    b0 = torch.tensor([0.0, 0.2, 0.1], dtype=torch.float64)
    return {name: float32_rounded(value)
            for name, value in {"X": x, "Y": y, "W": w0, "b": b0}.items()}


def data_loss(problem, w, b):
    return torch.mean((problem["X"] @ w + b - problem["Y"]) ** 2)


def penalty(w):
    return L1 * torch.sum(torch.abs(w)) + L2 * torch.sum(w ** 2)


def loss_gradients(problem, w, b):
    """d(data loss + penalty)/dW and /db by autograd (torch.abs has gradient sign(0) = 0 at 0)."""
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    (data_loss(problem, w, b) + penalty(w)).backward()
    return [w.grad, b.grad]


def closed_form_gradients(problem, w, b):
    residual = problem["X"] @ w + b - problem["Y"]
    scale = 2.0 / residual.numel()
    return [scale * problem["X"].T @ residual + L1 * torch.sign(w) + 2.0 * L2 * w,
            scale * residual.sum(dim=0)]


def column_norms(w):
    return torch.sqrt(torch.sum(w ** 2, dim=0, keepdim=True))


def max_norm(w):
    norms = column_norms(w)
    return w * torch.clamp(norms, 0.0, MAX_NORM) / (KERAS_EPSILON + norms)


def non_neg(b):
    return b * (b >= 0.0)


CONSTRAINTS = [max_norm, non_neg]
# Whether a constraint changes more than rounding: MaxNorm scales by n / (1e-7 + n) even inside.
CONSTRAINT_BINDS = [lambda w: bool(torch.any(column_norms(w) > MAX_NORM)),
                    lambda b: bool(torch.any(b < 0.0))]


# ---- Keras's step ----

def learning_rate_at(setting, step):
    if not isinstance(setting, dict):
        return setting
    config = setting["config"]
    exponent = step / config["decay_steps"]
    if config["staircase"]:
        exponent = math.floor(exponent)
    return config["initial_learning_rate"] * config["decay_rate"] ** exponent


def clip(grads, options, activity):
    """tf.clip_by_norm per tensor, tf.clip_by_global_norm or tf.clip_by_value; counts clips."""
    if options["clipnorm"] is not None:
        limit = options["clipnorm"]
        activity["clipped"] += sum(int(g.norm() > limit) for g in grads)
        return [g * limit / torch.clamp(g.norm(), min=limit) for g in grads]
    if options["global_clipnorm"] is not None:
        limit = options["global_clipnorm"]
        norm = math.sqrt(sum(float(torch.sum(g ** 2)) for g in grads))
        activity["clipped"] += int(norm > limit)
        return [g * limit / max(norm, limit) for g in grads]
    if options["clipvalue"] is not None:
        limit = options["clipvalue"]
        activity["clipped"] += sum(int(torch.any(g.abs() > limit)) for g in grads)
        return [torch.clamp(g, -limit, limit) for g in grads]
    return grads


class KerasOptimizer:
    """One optimizer's slots and step count; `rule` updates one weight in place."""

    def __init__(self, kind, options, weights):
        self.kind = kind
        self.options = options
        self.iterations = 0
        self.shapes = [w.shape for w in weights]
        self.slots = [{} for _ in weights]
        self.u_product = 1.0

    def slot(self, index, name, initial=0.0):
        """The weight's slot `name`, created at `initial` on first use."""
        slots = self.slots[index]
        if name not in slots:
            slots[name] = torch.full(self.shapes[index], initial, dtype=torch.float64)
        return slots[name]

    def step(self, weights, grads, activity):
        grads = clip(grads, self.options, activity)
        lr = learning_rate_at(self.options["learning_rate"], self.iterations)
        if self.options["weight_decay"] is not None:
            for w in weights:
                w -= lr * self.options["weight_decay"] * w
        t = self.iterations + 1
        if self.kind == "Nadam":
            self.u_product *= nadam_mu(self.options["beta_1"], t)
        for index, (w, g) in enumerate(zip(weights, grads)):
            RULES[self.kind](self, index, w, g, lr, t)
        for index, (w, constraint) in enumerate(zip(weights, CONSTRAINTS)):
            activity["constrained"][index] += int(CONSTRAINT_BINDS[index](w))
            w.copy_(constraint(w))
        self.iterations += 1


def sgd_rule(opt, index, w, g, lr, t):
    momentum = opt.options["momentum"]
    if momentum == 0.0:
        w -= lr * g
        return
    m = opt.slot(index, "momentum")
    m.copy_(momentum * m - lr * g)
    w += momentum * m - lr * g if opt.options["nesterov"] else m


def adam_rule(opt, index, w, g, lr, t):
    o = opt.options
    m, v = opt.slot(index, "m"), opt.slot(index, "v")
    alpha = lr * math.sqrt(1.0 - o["beta_2"] ** t) / (1.0 - o["beta_1"] ** t)
    m += (g - m) * (1.0 - o["beta_1"])
    v += (g * g - v) * (1.0 - o["beta_2"])
    if o["amsgrad"]:
        vhat = opt.slot(index, "vhat")
        vhat.copy_(torch.maximum(vhat, v))
        v = vhat
    w -= alpha * m / (torch.sqrt(v) + o["epsilon"])


def rmsprop_rule(opt, index, w, g, lr, t):
    o = opt.options
    rho = o["rho"]
    velocity = opt.slot(index, "velocity")
    velocity.copy_(rho * velocity + (1.0 - rho) * g * g)
    denominator = velocity + o["epsilon"]
    if o["centered"]:
        average = opt.slot(index, "average_gradient")
        average.copy_(rho * average + (1.0 - rho) * g)
        denominator = velocity - average * average + o["epsilon"]
    increment = lr * g / torch.sqrt(denominator)
    if o["momentum"] > 0.0:
        momentum = opt.slot(index, "momentum")
        momentum.copy_(o["momentum"] * momentum + increment)
        increment = momentum
    w -= increment


def adagrad_rule(opt, index, w, g, lr, t):
    accumulator = opt.slot(index, "accumulator", opt.options["initial_accumulator_value"])
    accumulator += g * g
    w -= lr * g / torch.sqrt(accumulator + opt.options["epsilon"])


def adadelta_rule(opt, index, w, g, lr, t):
    rho, epsilon = opt.options["rho"], opt.options["epsilon"]
    grad_average = opt.slot(index, "accumulated_grad")
    delta_average = opt.slot(index, "accumulated_delta_var")
    grad_average.copy_(rho * grad_average + (1.0 - rho) * g * g)
    delta = -torch.sqrt(delta_average + epsilon) * g / torch.sqrt(grad_average + epsilon)
    delta_average.copy_(rho * delta_average + (1.0 - rho) * delta * delta)
    w += lr * delta


def adamax_rule(opt, index, w, g, lr, t):
    o = opt.options
    m, u = opt.slot(index, "m"), opt.slot(index, "u")
    m += (g - m) * (1.0 - o["beta_1"])
    u.copy_(torch.maximum(o["beta_2"] * u, g.abs()))
    w -= lr * m / ((1.0 - o["beta_1"] ** t) * (u + o["epsilon"]))


def nadam_mu(beta_1, t):
    return beta_1 * (1.0 - 0.5 * 0.96 ** t)


def nadam_rule(opt, index, w, g, lr, t):
    o = opt.options
    m, v = opt.slot(index, "m"), opt.slot(index, "v")
    mu_t, mu_next = nadam_mu(o["beta_1"], t), nadam_mu(o["beta_1"], t + 1)
    m += (g - m) * (1.0 - o["beta_1"])
    v += (g * g - v) * (1.0 - o["beta_2"])
    m_hat = (mu_next * m / (1.0 - opt.u_product * mu_next)
             + (1.0 - mu_t) * g / (1.0 - opt.u_product))
    v_hat = v / (1.0 - o["beta_2"] ** t)
    w -= lr * m_hat / (torch.sqrt(v_hat) + o["epsilon"])


RULES = {"SGD": sgd_rule, "Adam": adam_rule, "AdamW": adam_rule, "RMSprop": rmsprop_rule,
         "Adagrad": adagrad_rule, "Adadelta": adadelta_rule, "Adamax": adamax_rule,
         "Nadam": nadam_rule}


def full_options(kind, options):
    return {**COMMON_DEFAULTS, **DEFAULTS[kind], **options}


def keras_trajectory(problem, kind, options, activity=None):
    """The weights after each of STEPS steps; checks the gradient against the closed form and
    that no weight of W comes near 0."""
    activity = activity if activity is not None else new_activity()
    weights = [problem["W"].clone(), problem["b"].clone()]
    optimizer = KerasOptimizer(kind, full_options(kind, options), weights)
    trajectory = []
    for _ in range(STEPS):
        activity["min_abs_w"] = min(activity["min_abs_w"], float(weights[0].abs().min()))
        grads = loss_gradients(problem, *weights)
        for autograd, closed in zip(grads, closed_form_gradients(problem, *weights)):
            assert torch.allclose(autograd, closed, rtol=1e-12, atol=1e-14)
        optimizer.step(weights, grads, activity)
        trajectory.append([w.clone() for w in weights])
    return trajectory


def new_activity():
    return {"clipped": 0, "constrained": [0, 0], "min_abs_w": math.inf}


# ---- self-checks against torch.optim, where its rule is Keras's ----

TORCH_EQUIVALENTS = [
    ("SGD", {"learning_rate": 0.05}, lambda p: torch.optim.SGD(p, lr=0.05)),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9},
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("Adam", {"learning_rate": 0.05, "epsilon": 0.0},
     lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=0.0)),
    ("Adam", {"learning_rate": 0.05, "epsilon": 0.0, "amsgrad": True},
     lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=0.0, amsgrad=True)),
    ("AdamW", {"learning_rate": 0.05, "epsilon": 0.0, "weight_decay": 0.1},
     lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=0.0, weight_decay=0.1)),
    ("RMSprop", {"learning_rate": 0.05, "epsilon": 0.0},
     lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=0.0)),
    ("RMSprop", {"learning_rate": 0.05, "epsilon": 0.0, "momentum": 0.5, "centered": True},
     lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=0.0, momentum=0.5, centered=True)),
    ("RMSprop", {"learning_rate": 0.05, "epsilon": 0.0, "centered": True},
     lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=0.0, centered=True)),
    ("RMSprop", {"learning_rate": 0.05, "epsilon": 0.0, "momentum": 0.5},
     lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=0.0, momentum=0.5)),
    ("Adagrad", {"learning_rate": 0.05, "epsilon": 0.0, "initial_accumulator_value": 0.5},
     lambda p: torch.optim.Adagrad(p, lr=0.05, eps=0.0, initial_accumulator_value=0.5)),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3},
     lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-3)),
    ("Adamax", {"learning_rate": 0.05, "epsilon": 0.0},
     lambda p: torch.optim.Adamax(p, lr=0.05, betas=(0.9, 0.999), eps=0.0)),
]


def torch_trajectory(problem, make_optimizer):
    weights = [problem["W"].clone().requires_grad_(), problem["b"].clone().requires_grad_()]
    optimizer = make_optimizer(weights)
    trajectory = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        (data_loss(problem, *weights) + penalty(weights[0])).backward()
        optimizer.step()
        with torch.no_grad():
            for w, constraint in zip(weights, CONSTRAINTS):
                w.copy_(constraint(w))
        trajectory.append([w.detach().clone() for w in weights])
    return trajectory


def check_against_torch(problem):
    for kind, options, make_optimizer in TORCH_EQUIVALENTS:
        ours = keras_trajectory(problem, kind, options)
        theirs = torch_trajectory(problem, make_optimizer)
        for step, (mine, reference) in enumerate(zip(ours, theirs)):
            for a, b in zip(mine, reference):
                assert torch.allclose(a, b, rtol=1e-10, atol=1e-12), (kind, options, step)


def check_activity(name, options, activity):
    """Both constraints act, clipping clips when it is set, and W keeps its signs."""
    assert all(count > 0 for count in activity["constrained"]), (name, activity)
    if any(options.get(key) is not None for key in ("clipnorm", "clipvalue", "global_clipnorm")):
        assert activity["clipped"] > 0, (name, activity)
    assert activity["min_abs_w"] > SIGN_MARGIN, (name, activity)


def check_amsgrad_matters(problem, kind, options):
    """An AMSGrad case must move away from the same case without AMSGrad."""
    if not options.get("amsgrad"):
        return
    with_max = keras_trajectory(problem, kind, options)
    without = keras_trajectory(problem, kind, {**options, "amsgrad": False})
    difference = max(float((a - b).abs().max())
                     for step_a, step_b in zip(with_max, without)
                     for a, b in zip(step_a, step_b))
    assert difference > 1e-3, (kind, options, difference)


# ---- output ----

def tensor_json(t):
    values = [float(f"{v:.{OUTPUT_DIGITS}g}") for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "values": values}


def main():
    problem = make_problem()
    check_against_torch(problem)
    cases = []
    for name, kind, options in CASES:
        activity = new_activity()
        trajectory = keras_trajectory(problem, kind, options, activity)
        check_activity(name, options, activity)
        check_amsgrad_matters(problem, kind, options)
        print(f"{name:28s} clipped {activity['clipped']:2d}  MaxNorm acted "
              f"{activity['constrained'][0]:2d}  NonNeg acted {activity['constrained'][1]:2d}  "
              f"min|W| {activity['min_abs_w']:.3f}")
        cases.append({
            "name": name,
            "optimizer": kind,
            "options": options,
            "trajectory": [{"W": tensor_json(w), "b": tensor_json(b)} for w, b in trajectory],
        })
    document = {
        "generator": f"scripts/gen_optim_fixtures.py (PyTorch {torch.__version__}, float64, "
                     f"seed {SEED})",
        "description": "tf.keras >= 2.11 optimizers on loss = mean((X W + b - Y)^2) with an "
                       f"L1L2({L1}, {L2}) regularizer and MaxNorm({MAX_NORM}, axis=0) on W and "
                       "NonNeg on b: W and b after each step; options differing from Keras's "
                       "defaults; values flattened row-major.",
        "problem": {
            "steps": STEPS, "l1": L1, "l2": L2, "max_norm": MAX_NORM,
            **{name: tensor_json(value) for name, value in problem.items()},
        },
        "cases": cases,
    }
    text = json.dumps(document, indent=1)
    DATA_FILE.write_text(text + "\n")
    print(f"wrote {len(cases)} cases to {DATA_FILE}")


if __name__ == "__main__":
    main()
