#!/usr/bin/env bash
# `make bench`'s end-to-end part: the SepNet training step of minidl (bench/sepnet.cpp) and of
# PyTorch (../shared/bench/torch_sepnet.py), per size, alternated so that the machine's noise
# spreads over both, each size and data format in its own process (peak RSS is per process).
# Then measures this machine's GEMM peak (bench_micro's Eigen sgemm 1024^3, same build and thread
# count) for the roofline, and prints the table of minidl / PyTorch ratios (scripts/bench_table.py).
#
#   scripts/bench_sepnet.sh <path to bench_sepnet>
# Environment: THREADS (default 2), SIZES (default "tiny medium large"), ROUNDS (default 1:
# each measurement once; with more, the table shows the median over rounds), TORCH_SEPNET (the
# peer script), RESULTS (the JSON lines file, default <bench_sepnet's folder>/sepnet_results.jsonl).
set -euo pipefail

bench_sepnet=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-2}
sizes=${SIZES:-tiny medium large}
rounds=${ROUNDS:-1}
peer=${TORCH_SEPNET:-$repo/../shared/bench/torch_sepnet.py}
results=${RESULTS:-$(dirname "$bench_sepnet")/sepnet_results.jsonl}

have_torch=0
if [[ -f "$peer" ]] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
    have_torch=1
else
    echo "bench: PyTorch or $peer not found (make bench-deps installs python3-torch):" \
        "minidl only" >&2
fi

: >"$results"
for ((round = 1; round <= rounds; ++round)); do
    for size in $sizes; do
        for format in channels_last channels_first; do
            OMP_NUM_THREADS=$threads "$bench_sepnet" "$threads" "$size" \
                --data-format="$format" | tee -a "$results"
        done
        if ((have_torch)); then
            /usr/bin/python3 "$peer" "$threads" "$size" | tee -a "$results"
        fi
    done
done
peak=()
micro=$(dirname "$bench_sepnet")/bench_micro
if [[ -x "$micro" ]]; then
    gflops=$(OMP_NUM_THREADS=$threads "$micro" --benchmark_filter='^BM_Matmul/square_1024' \
        --benchmark_min_time=1 --benchmark_format=json |
        /usr/bin/python3 -c 'import json, sys; print(max(b["FLOP/s"] for b in json.load(sys.stdin)["benchmarks"]) / 1e9)')
    peak=(--peak-gflops "$gflops")
fi
echo
/usr/bin/python3 "$repo/scripts/bench_table.py" "$results" "${peak[@]}"
