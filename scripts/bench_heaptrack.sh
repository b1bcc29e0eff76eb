#!/usr/bin/env bash
# Heap allocations (malloc/new calls, all sizes) per steady-state SepNet training step, counted
# by heaptrack: bench_sepnet --profile-steps=N runs 2 warm-up steps and N more, so the difference
# between two runs of N and 2N steps, divided by N, is the count per step. The caching allocator's
# own counter (tensor storage taken from the system) is printed by bench_sepnet itself.
#
#   scripts/bench_heaptrack.sh <path to bench_sepnet> [size=tiny] [data_format=channels_last] [N=20]
set -euo pipefail

bench_sepnet=$1
size=${2:-tiny}
format=${3:-channels_last}
steps=${4:-20}
if ! command -v heaptrack >/dev/null; then
    echo "bench_heaptrack: heaptrack is not installed (apt-get install heaptrack)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Calls to allocation functions in a run of `$1` profiled steps.
allocation_calls() {
    OMP_NUM_THREADS=${THREADS:-2} heaptrack -o "$work/run$1" "$bench_sepnet" "${THREADS:-2}" \
        "$size" --data-format="$format" --profile-steps="$1" >/dev/null 2>&1
    heaptrack_print "$work"/run"$1".* 2>/dev/null |
        sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p'
}

short=$(allocation_calls "$steps")
long=$(allocation_calls $((2 * steps)))
echo "{\"config\": \"$size\", \"data_format\": \"$format\", \"heap_allocations_per_step\": $(((long - short) / steps))}"
