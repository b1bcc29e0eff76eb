#!/usr/bin/python3
"""Prints `make bench`'s table from the JSON lines of bench_sepnet and torch_sepnet.py.

Per size and minidl data format: the times and peak RSS of both, the ratios minidl / PyTorch
next to the issue's targets, and the fraction of the roofline minidl reaches. With several
rounds each figure is the median over the rounds. Standard library only.

The roofline is ../shared/bench/ANCHORS.md's: max(FLOPs / achievable GEMM peak, minimum bytes /
read bandwidth). The GEMM peak is the Eigen sgemm 1024^3 rate measured in the same run
(--peak-gflops, given by scripts/bench_sepnet.sh), else ANCHORS.md's machine's (138 GFLOP/s on 1
thread, 250 on 2); the read bandwidth is ANCHORS.md's (29 / 56 GB/s; every size is
compute-bound). FLOPs are computed from the sizes (2 per multiply-add; a training step is 3
forwards); the minimum bytes are ANCHORS.md's (fused layers).

usage: bench_table.py RESULTS.jsonl [--peak-gflops GFLOPS]
"""
import argparse
import json
import platform
import statistics

SIZES = {  # torch_sepnet.py's CONFIGS
    "tiny": dict(B=32, L=128, Cin=8, C=16, k=5),
    "medium": dict(B=32, L=1024, Cin=64, C=64, k=9),
    "large": dict(B=64, L=4096, Cin=128, C=128, k=9),
}
MIN_MB = {"tiny": (1.4, 4.2), "medium": (50, 143), "large": (805, 2282)}  # forward, train
PEAK_GFLOPS = {1: 138.0, 2: 250.0}
READ_GBS = {1: 29.0, 2: 56.0}
CLASSES = 10
# The targets: maximum ratios (train, forward, RSS) and minimum roofline fraction.
TARGETS = {
    "tiny": (0.12, 0.3, 0.3, None),
    "medium": (0.25, 0.8, 0.5, 0.50),
    "large": (0.05, 0.05, 1.0, 0.60),
}


def forward_flops(size):
    s = SIZES[size]
    macs = 0
    for layer in range(3):
        cin = s["Cin"] if layer == 0 else s["C"]
        macs += s["B"] * s["L"] * cin * (s["k"] + s["C"])  # depthwise + pointwise
    macs += s["B"] * s["C"] * CLASSES  # dense head
    return 2.0 * macs


def roofline_ms(size, threads, train, peak_gflops):
    t = min(max(threads, 1), 2)
    flops = forward_flops(size) * (3 if train else 1)
    mb = MIN_MB[size][1 if train else 0]
    return 1e3 * max(flops / (peak_gflops * 1e9), mb * 1e6 / (READ_GBS[t] * 1e9))


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median_of(lines, key):
    values = [line[key] for line in lines if key in line]
    return statistics.median(values) if values else None


def ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "-"


def mark(value, limit, at_most=True):
    if value is None or limit is None:
        return ""
    ok = value <= limit if at_most else value >= limit
    return " ok" if ok else " MISS"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--peak-gflops", type=float, default=None)
    args = parser.parse_args()
    lines = [json.loads(l) for l in open(args.results) if l.strip().startswith("{")]
    torch = [l for l in lines if l["impl"].startswith("torch")]
    minidl = [l for l in lines if l["impl"].startswith("minidl")]
    threads = sorted({l["threads"] for l in lines})
    peak_of = lambda t: args.peak_gflops or PEAK_GFLOPS[min(max(t, 1), 2)]
    source = "measured in this run" if args.peak_gflops else "ANCHORS.md's machine"
    print(f"SepNet training step on {cpu_model()}, {'/'.join(map(str, threads))} thread(s); "
          "ratios are minidl / PyTorch (target in brackets); roofline % = roofline time / minidl "
          f"time, with a GEMM peak of {peak_of(threads[0]):.0f} GFLOP/s ({source})")
    header = ("| size | format | train ms minidl / torch | ratio | fwd ms minidl / torch | ratio "
              "| peak RSS MB minidl / torch | ratio | roofline % train / fwd "
              "| same bits 1T/2T | system allocs in timed steps |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for size in SIZES:
        peer = [l for l in torch if l["config"] == size]
        for fmt in ("channels_last", "channels_first"):
            own = [l for l in minidl if l["config"] == size and l.get("data_format") == fmt]
            if not own:
                continue
            t = own[0]["threads"]
            train, fwd, rss = (median_of(own, k) for k in ("train_step_ms", "forward_ms", "peak_rss_mb"))
            p_train, p_fwd, p_rss = (median_of(peer, k) for k in ("train_step_ms", "forward_ms", "peak_rss_mb"))
            max_train, max_fwd, max_rss, min_roof = TARGETS[size]
            roof_train = roofline_ms(size, t, True, peak_of(t)) / train
            roof_fwd = roofline_ms(size, t, False, peak_of(t)) / fwd
            same = {l.get("same_bits_1_and_2_threads") for l in own} - {None}
            allocs = max(l.get("system_allocations_in_timed_steps", 0) for l in own)

            def cell(v):
                return "-" if v is None else f"{v:g}"
            r_train = p_train and train / p_train
            r_fwd = p_fwd and fwd / p_fwd
            r_rss = p_rss and rss / p_rss
            print(f"| {size} | {fmt} | {cell(train)} / {cell(p_train)} "
                  f"| {ratio(train, p_train)} (<= {max_train}){mark(r_train, max_train)} "
                  f"| {cell(fwd)} / {cell(p_fwd)} | {ratio(fwd, p_fwd)} (<= {max_fwd}){mark(r_fwd, max_fwd)} "
                  f"| {cell(rss)} / {cell(p_rss)} | {ratio(rss, p_rss)} (<= {max_rss}){mark(r_rss, max_rss)} "
                  f"| {100 * roof_train:.0f}%"
                  + (f" (>= {100 * min_roof:.0f}%){mark(roof_train, min_roof, False)}" if min_roof else "")
                  + f" / {100 * roof_fwd:.0f}% "
                  f"| {'yes' if same == {True} else ('NO' if False in same else '-')} | {allocs} |")


if __name__ == "__main__":
    main()
