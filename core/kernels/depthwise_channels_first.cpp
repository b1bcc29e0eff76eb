// The channels_first depthwise kernels work on one [length] row of one channel at a time: with
// the time steps contiguous, a stride-1 convolution is a correlation of rows, vectorised over
// time (register blocks of kBlockSteps outputs, each tap's weight broadcast), and the kernel
// gradient is k dot products per row. A row is first copied into a zero-padded scratch row in
// L1, so no loop tests for the sequence's edges. Strides above 1 run as plain loops.
//
// The forward splits the (sequence, channel) rows over the threads; the backward splits the
// channels, computes both gradients of each row while its output gradient is in cache (one pass
// over the gradient, not two), and sums each channel's kernel gradient in batch order: every
// value is computed by one thread in an order fixed by the sizes, so the results are
// bit-identical for any OpenMP thread count.
#include "minidl/core/kernels/depthwise_channels_first.hpp"

#include <algorithm>

#include "minidl/core/kernels/chunk_scratch.hpp"
#include "minidl/core/kernels/lanes.hpp"
#include "minidl/core/parallel.hpp"

// GCC notes the calling convention of 64-byte vectors at each inlined use (see lanes.hpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace minidl::kernels {
namespace {

/// Multiply-adds below which a chunk of rows is not worth handing to another thread.
constexpr int64_t kMinChunkWork = int64_t{1} << 16;
/// At most this many chunks: each has its own scratch row, and the rows of all chunks are
/// allocated at once (large SepNet has 8192 rows: one scratch row per row took 135 MB, and
/// each pad copy wrote to lines that were in no cache).
constexpr int64_t kMaxChunks = 64;
/// Vectors of outputs a correlation block sums in registers (64 time steps).
constexpr int64_t kBlockVectors = 4;
constexpr int64_t kLanes = 16;
constexpr int64_t kBlockSteps = kBlockVectors * kLanes;
/// Taps whose dot products the kernel gradient sums at once, each in its own register, loading
/// the gradient once for all of them (SepNet's k = 9 in one pass).
constexpr int64_t kDotTaps = 9;

/// Rows per parallel chunk, for `rows` rows of `row_work` multiply-adds each.
int64_t row_grain(int64_t rows, int64_t row_work) {
    const int64_t work_grain = std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(1, row_work));
    return std::max(work_grain, (rows + kMaxChunks - 1) / kMaxChunks);
}

/// out[t] = (out[t] +) sum over j < taps of w[j] * src[t * step + j * tap_step], t < n, each
/// sum taken tap by tap from zero.
void correlate_row(const float* src, int64_t step, const float* w, int64_t taps, int64_t tap_step,
                   int64_t n, float* out, bool accumulate) {
    int64_t t = 0;
    if (step == 1) {
        for (; t + kBlockSteps <= n; t += kBlockSteps) {
            Lanes16 acc[kBlockVectors] = {};
            for (int64_t j = 0; j < taps; ++j) {
                const Lanes16 weight = Lanes16{} + w[j];
                const float* from = src + t + j * tap_step;
#pragma GCC unroll 4
                for (int64_t v = 0; v < kBlockVectors; ++v) {
                    acc[v] += load<Lanes16>(from + v * kLanes) * weight;
                }
            }
#pragma GCC unroll 4
            for (int64_t v = 0; v < kBlockVectors; ++v) {
                float* to = out + t + v * kLanes;
                store(to, accumulate ? load<Lanes16>(to) + acc[v] : acc[v]);
            }
        }
    }
    for (; t < n; ++t) {
        float acc = 0.0f;
        for (int64_t j = 0; j < taps; ++j) acc += src[t * step + j * tap_step] * w[j];
        out[t] = accumulate ? out[t] + acc : acc;
    }
}

/// sums[j] += sum over t < n of g[t] * src[t * step + j * tap_step], for j < taps.
void correlate_dots(const float* g, const float* src, int64_t step, int64_t taps, int64_t tap_step,
                    int64_t n, float* sums) {
    for (int64_t first = 0; first < taps; first += kDotTaps) {
        const int64_t count = std::min(kDotTaps, taps - first);
        const float* base = src + first * tap_step;
        float tail[kDotTaps] = {};
        int64_t t = 0;
        if (step == 1) {
            Lanes16 acc[kDotTaps] = {};
            for (; t + kLanes <= n; t += kLanes) {
                const Lanes16 gradient = load<Lanes16>(g + t);
#pragma GCC unroll 9
                for (int64_t j = 0; j < kDotTaps; ++j) {
                    if (j < count) acc[j] += load<Lanes16>(base + t + j * tap_step) * gradient;
                }
            }
#pragma GCC unroll 9
            for (int64_t j = 0; j < kDotTaps; ++j) {
                for (int64_t lane = 0; lane < kLanes; ++lane) tail[j] += acc[j][lane];
            }
        }
        for (; t < n; ++t) {
            for (int64_t j = 0; j < count; ++j) tail[j] += g[t] * base[t * step + j * tap_step];
        }
        for (int64_t j = 0; j < count; ++j) sums[first + j] += tail[j];
    }
}

/// The geometry of one channel's rows: x [length] read through a zero-padded copy of
/// pad_left + length + pad_right floats, output [out_length].
struct RowGeometry {
    const Conv1DSizes& s;
    int64_t multiplier;
    const Conv1DGeometry& g = s.geometry;
    int64_t padded_length = g.pad_left + s.length + g.pad_right;

    /// Copies row x [length] into padded [padded_length], zeros in the pads.
    void pad(const float* x, float* padded) const {
        std::fill(padded, padded + g.pad_left, 0.0f);
        std::copy_n(x, s.length, padded + g.pad_left);
        std::fill(padded + g.pad_left + s.length, padded + padded_length, 0.0f);
    }
    /// weights[j] = kernel[j, c, m] for j < kernel_size, reversed when `reverse`.
    void taps(const float* kernel, int64_t c, int64_t m, bool reverse, float* weights) const {
        for (int64_t j = 0; j < g.kernel_size; ++j) {
            weights[reverse ? g.kernel_size - 1 - j : j] =
                kernel[(j * s.channels + c) * multiplier + m];
        }
    }
    /// Row (b, c * M + m) of an output-shaped [B, C * M, Lout] array.
    int64_t output_row(int64_t b, int64_t c, int64_t m) const {
        return ((b * s.channels + c) * multiplier + m) * s.out_length;
    }
    int64_t input_row(int64_t b, int64_t c) const { return (b * s.channels + c) * s.length; }
};

}  // namespace

void depthwise_conv1d_channels_first_forward(const Conv1DSizes& s, int64_t multiplier,
                                             const float* x, const float* kernel, float* out) {
    const RowGeometry rows{s, multiplier};
    const int64_t k = s.geometry.kernel_size;
    const int64_t n = s.batch * s.channels;
    const int64_t grain = row_grain(n, s.out_length * k * multiplier);
    const int64_t floats = rows.padded_length + k;
    const ChunkScratch scratch(chunk_count(n, grain), floats);
    parallel_for(n, grain, [&](int64_t begin, int64_t end) {
        float* padded = scratch[begin / grain];
        float* weights = padded + rows.padded_length;
        for (int64_t row = begin; row < end; ++row) {
            const int64_t b = row / s.channels;
            const int64_t c = row % s.channels;
            rows.pad(x + rows.input_row(b, c), padded);
            for (int64_t m = 0; m < multiplier; ++m) {
                rows.taps(kernel, c, m, false, weights);
                correlate_row(padded, s.geometry.stride, weights, k, s.geometry.dilation,
                              s.out_length, out + rows.output_row(b, c, m), false);
            }
        }
    });
}

void depthwise_conv1d_channels_first_backward(const Conv1DSizes& s, int64_t multiplier,
                                              const float* grad, const float* x,
                                              const float* kernel, float* grad_x,
                                              float* grad_kernel) {
    const RowGeometry rows{s, multiplier};
    const Conv1DGeometry& g = s.geometry;
    const int64_t k = g.kernel_size;
    const int64_t span = (k - 1) * g.dilation;
    // The input gradient, stride 1, gathers: grad_x[p] = sum_j w[k - 1 - j] * spread[p + j *
    // dilation], where spread[u] = grad[u - shift] (zero outside the output), a correlation like
    // the forward's. Other strides scatter each output's gradient into a padded row.
    const bool gather = g.stride == 1;
    const int64_t shift = span - g.pad_left;
    const int64_t work_floats = gather ? s.length + span : rows.padded_length;
    const int64_t grain = row_grain(s.channels, s.batch * s.out_length * k * multiplier);
    const int64_t floats = rows.padded_length + work_floats + 2 * k * multiplier;
    const ChunkScratch scratch(chunk_count(s.channels, grain), floats);
    parallel_for(s.channels, grain, [&](int64_t begin, int64_t end) {
        float* padded = scratch[begin / grain];
        float* work = padded + rows.padded_length;
        float* channel_taps = work + work_floats;  // [M, k]: this channel's, as gather reads them
        float* sums = channel_taps + k * multiplier;  // [M, k]
        const auto input_gradient_row = [&](int64_t b, int64_t c) {
            float* dx = grad_x + rows.input_row(b, c);
            if (!gather) std::fill(work, work + work_floats, 0.0f);
            for (int64_t m = 0; m < multiplier; ++m) {
                const float* dy = grad + rows.output_row(b, c, m);
                const float* weights = channel_taps + m * k;
                if (gather) {
                    const int64_t first = std::clamp<int64_t>(shift, 0, work_floats);
                    const int64_t last = std::clamp(shift + s.out_length, first, work_floats);
                    std::fill(work, work + first, 0.0f);
                    std::copy(dy + (first - shift), dy + (last - shift), work + first);
                    std::fill(work + last, work + work_floats, 0.0f);
                    correlate_row(work, 1, weights, k, g.dilation, s.length, dx, m > 0);
                } else {
                    for (int64_t t = 0; t < s.out_length; ++t) {
                        for (int64_t j = 0; j < k; ++j) {
                            work[t * g.stride + j * g.dilation] += weights[j] * dy[t];
                        }
                    }
                }
            }
            if (!gather) std::copy_n(work + g.pad_left, s.length, dx);
        };
        for (int64_t c = begin; c < end; ++c) {
            std::fill(sums, sums + k * multiplier, 0.0f);
            for (int64_t m = 0; m < multiplier; ++m) {
                rows.taps(kernel, c, m, gather, channel_taps + m * k);
            }
            for (int64_t b = 0; b < s.batch; ++b) {
                // Both gradients while the row's output gradient is in cache.
                if (grad_x) input_gradient_row(b, c);
                if (!grad_kernel) continue;
                rows.pad(x + rows.input_row(b, c), padded);
                for (int64_t m = 0; m < multiplier; ++m) {
                    correlate_dots(grad + rows.output_row(b, c, m), padded, g.stride, k, g.dilation,
                                   s.out_length, sums + m * k);
                }
            }
            if (!grad_kernel) continue;
            for (int64_t m = 0; m < multiplier; ++m) {
                for (int64_t j = 0; j < k; ++j) {
                    grad_kernel[(j * s.channels + c) * multiplier + m] = sums[m * k + j];
                }
            }
        }
    });
}

}  // namespace minidl::kernels

#pragma GCC diagnostic pop
