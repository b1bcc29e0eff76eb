// Every kernel works on whole rows of `channels` floats through the small __restrict row
// functions below, which GCC vectorises. The windowed backward kernels gather: input row (b, i)
// sums the output rows whose windows hold position i, in increasing step order, so no two chunks
// write the same row and no partial sums are needed.
#include "minidl/core/kernels/pool1d.hpp"

#include <algorithm>
#include <vector>

#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/parallel.hpp"

namespace minidl::kernels {
namespace {

/// Rows per parallel_for chunk when one row costs `row_work` element operations.
int64_t row_grain(int64_t row_work) {
    return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, row_work));
}

// ---- row operations ----

void add_row(float* __restrict acc, const float* __restrict row, int64_t n) {
    for (int64_t c = 0; c < n; ++c) acc[c] += row[c];
}

void divide_row(float* __restrict row, float divisor, int64_t n) {
    for (int64_t c = 0; c < n; ++c) row[c] /= divisor;
}

/// best = max(best, candidate), keeping best on ties (the first maximum wins, and a NaN in
/// best stays, as in TensorFlow's `if (output < input)` update).
void take_larger(float* __restrict best, const float* __restrict candidate, int64_t n) {
    for (int64_t c = 0; c < n; ++c) best[c] = candidate[c] > best[c] ? candidate[c] : best[c];
}

/// As take_larger, also recording `tap` wherever the candidate won.
void take_larger_tracked(float* __restrict best, float* __restrict winner,
                         const float* __restrict candidate, float tap, int64_t n) {
    for (int64_t c = 0; c < n; ++c) {
        const bool larger = candidate[c] > best[c];
        best[c] = larger ? candidate[c] : best[c];
        winner[c] = larger ? tap : winner[c];
    }
}

/// acc += grad where winner == tap.
void add_where_winner(float* __restrict acc, const float* __restrict grad,
                      const float* __restrict winner, float tap, int64_t n) {
    for (int64_t c = 0; c < n; ++c) acc[c] += winner[c] == tap ? grad[c] : 0.0f;
}

/// acc += grad / divisor.
void add_divided(float* __restrict acc, const float* __restrict grad, float divisor, int64_t n) {
    for (int64_t c = 0; c < n; ++c) acc[c] += grad[c] / divisor;
}

/// ties += [row == best].
void count_ties(float* __restrict ties, const float* __restrict row, const float* __restrict best,
                int64_t n) {
    for (int64_t c = 0; c < n; ++c) ties[c] += row[c] == best[c] ? 1.0f : 0.0f;
}

/// grad_row = [row == best] / ties * grad, in TensorFlow's order of operations.
void share_among_ties(float* __restrict grad_row, const float* __restrict row,
                      const float* __restrict best, const float* __restrict ties,
                      const float* __restrict grad, int64_t n) {
    for (int64_t c = 0; c < n; ++c)
        grad_row[c] = (row[c] == best[c] ? 1.0f : 0.0f) / ties[c] * grad[c];
}

// ---- windows ----

/// Output step t's window: tap 0 sits at `start`; its positions inside the input are
/// [begin, end), never empty under the geometry's pad limits.
struct Window {
    int64_t start;
    int64_t begin;
    int64_t end;

    float count() const { return static_cast<float>(end - begin); }
    float tap(int64_t position) const { return static_cast<float>(position - start); }
};

Window window_of(const Pool1DSizes& s, int64_t t) {
    const int64_t start = t * s.geometry.stride - s.geometry.pad_left;
    return {start, std::max<int64_t>(start, 0), std::min(start + s.geometry.pool_size, s.length)};
}

/// The output steps [begin, end) whose windows hold input position i: those with
/// i - pool_size < t * stride - pad_left <= i.
struct StepRange {
    int64_t begin;
    int64_t end;
};

StepRange steps_holding(const Pool1DSizes& s, int64_t i) {
    const Pool1DGeometry& g = s.geometry;
    const int64_t shifted = i + g.pad_left;  // >= 0
    const int64_t lowest = shifted - g.pool_size + 1;
    const int64_t begin = lowest <= 0 ? 0 : (lowest + g.stride - 1) / g.stride;
    return {begin, std::min(shifted / g.stride + 1, s.out_length)};
}

/// Calls body(row, b, window) for each output row, in chunks of parallel_for.
template <class Body>
void for_each_output_row(const Pool1DSizes& s, const Body& body) {
    const int64_t rows = s.batch * s.out_length;
    parallel_for(rows, row_grain(s.geometry.pool_size * s.channels),
                 [&](int64_t begin, int64_t end) {
                     for (int64_t row = begin; row < end; ++row) {
                         body(row, row / s.out_length, window_of(s, row % s.out_length));
                     }
                 });
}

/// Calls body(grad_x_row, b, i, steps) for each input row (zeroed first), in chunks of
/// parallel_for; `steps` are the output steps whose windows hold position i.
template <class Body>
void for_each_input_row(const Pool1DSizes& s, float* grad_x, const Body& body) {
    const int64_t rows = s.batch * s.length;
    const int64_t windows_per_row =
        (s.geometry.pool_size + s.geometry.stride - 1) / s.geometry.stride;
    parallel_for(rows, row_grain(windows_per_row * s.channels), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            float* gx = grad_x + row * s.channels;
            std::fill_n(gx, s.channels, 0.0f);
            const int64_t i = row % s.length;
            body(gx, row / s.length, i, steps_holding(s, i));
        }
    });
}

/// out row b = example b's first row of x, then combine(out row, row) with each later row in
/// order, in chunks of parallel_for over the examples.
template <class Combine>
void fold_example_rows(const GlobalPool1DSizes& s, const float* x, float* out,
                       const Combine& combine) {
    const int64_t C = s.channels;
    parallel_for(s.batch, row_grain(s.length * C), [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            const float* xb = x + b * s.length * C;
            float* acc = out + b * C;
            std::copy_n(xb, C, acc);
            for (int64_t t = 1; t < s.length; ++t) combine(acc, xb + t * C, C);
        }
    });
}

}  // namespace

// ---- windowed ----

void max_pool1d_forward(const Pool1DSizes& s, const float* x, float* out, float* winners) {
    const int64_t C = s.channels;
    for_each_output_row(s, [&](int64_t row, int64_t b, const Window& w) {
        const float* xb = x + b * s.length * C;
        float* best = out + row * C;
        std::copy_n(xb + w.begin * C, C, best);
        if (winners == nullptr) {
            for (int64_t p = w.begin + 1; p < w.end; ++p) take_larger(best, xb + p * C, C);
            return;
        }
        float* winner = winners + row * C;
        std::fill_n(winner, C, w.tap(w.begin));
        for (int64_t p = w.begin + 1; p < w.end; ++p) {
            take_larger_tracked(best, winner, xb + p * C, w.tap(p), C);
        }
    });
}

void max_pool1d_backward(const Pool1DSizes& s, const float* grad, const float* winners,
                         float* grad_x) {
    const int64_t C = s.channels;
    for_each_input_row(s, grad_x, [&](float* gx, int64_t b, int64_t i, StepRange steps) {
        for (int64_t t = steps.begin; t < steps.end; ++t) {
            const int64_t row = b * s.out_length + t;
            add_where_winner(gx, grad + row * C, winners + row * C, window_of(s, t).tap(i), C);
        }
    });
}

void avg_pool1d_forward(const Pool1DSizes& s, const float* x, float* out) {
    const int64_t C = s.channels;
    for_each_output_row(s, [&](int64_t row, int64_t b, const Window& w) {
        const float* xb = x + b * s.length * C;
        float* mean = out + row * C;
        std::copy_n(xb + w.begin * C, C, mean);
        for (int64_t p = w.begin + 1; p < w.end; ++p) add_row(mean, xb + p * C, C);
        divide_row(mean, w.count(), C);
    });
}

void avg_pool1d_backward(const Pool1DSizes& s, const float* grad, float* grad_x) {
    const int64_t C = s.channels;
    for_each_input_row(s, grad_x, [&](float* gx, int64_t b, int64_t /*i*/, StepRange steps) {
        for (int64_t t = steps.begin; t < steps.end; ++t) {
            add_divided(gx, grad + (b * s.out_length + t) * C, window_of(s, t).count(), C);
        }
    });
}

// ---- global ----

// One channel is channels_first input seen as [B * C, L, 1] (layers/global_pooling1d.cpp): each
// example is then a contiguous run of L values, summed and filled as vectors, where the row
// loops would take one call per value (23% of SepNet's channels_first step).

void global_avg_pool1d_forward(const GlobalPool1DSizes& s, const float* x, float* out) {
    if (s.channels == 1) {
        parallel_for(s.batch, row_grain(s.length), [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b)
                out[b] = ConstArrayMap(x + b * s.length, s.length).sum();
        });
    } else {
        fold_example_rows(s, x, out, add_row);
    }
    divide_row(out, static_cast<float>(s.length), s.batch * s.channels);
}

void global_avg_pool1d_backward(const GlobalPool1DSizes& s, const float* grad, float* grad_x) {
    const int64_t C = s.channels;
    const float length = static_cast<float>(s.length);
    if (C == 1) {
        parallel_for(s.batch, row_grain(s.length), [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b) {
                std::fill_n(grad_x + b * s.length, s.length, grad[b] / length);
            }
        });
        return;
    }
    parallel_for(s.batch * s.length, row_grain(C), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            float* gx = grad_x + row * C;
            std::fill_n(gx, C, 0.0f);
            add_divided(gx, grad + row / s.length * C, length, C);
        }
    });
}

void global_max_pool1d_forward(const GlobalPool1DSizes& s, const float* x, float* out) {
    fold_example_rows(s, x, out, take_larger);
}

void global_max_pool1d_backward(const GlobalPool1DSizes& s, const float* x, const float* out,
                                const float* grad, float* grad_x) {
    const int64_t C = s.channels;
    parallel_for(s.batch, row_grain(2 * s.length * C), [&](int64_t begin, int64_t end) {
        std::vector<float> ties(static_cast<std::size_t>(C));
        for (int64_t b = begin; b < end; ++b) {
            const float* xb = x + b * s.length * C;
            const float* best = out + b * C;
            const float* g = grad + b * C;
            float* gxb = grad_x + b * s.length * C;
            std::fill(ties.begin(), ties.end(), 0.0f);
            for (int64_t t = 0; t < s.length; ++t) count_ties(ties.data(), xb + t * C, best, C);
            for (int64_t t = 0; t < s.length; ++t) {
                share_among_ties(gxb + t * C, xb + t * C, best, ties.data(), g, C);
            }
        }
    });
}

}  // namespace minidl::kernels
