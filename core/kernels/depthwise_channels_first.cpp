// The channels_first depthwise kernels: tiles of one sequence, transposed into and out of scratch,
// around the channels_last kernels of core/kernels/conv1d.hpp.
//
// The forward and the kernel gradient tile the output steps: a tile of `steps` outputs reads the
// input window [first, first + (steps - 1) * stride + dilated kernel) of its sequence, copied
// transposed into a [window, C] scratch tile whose rows outside the sequence are zeros, so the
// tile is a "valid" convolution of its window. The input gradient tiles the input positions
// instead (gather form): positions [p, p + P) receive gradient from the output steps whose taps
// reach them, a contiguous run of grad's channels_last rows, so each tile's gradient is complete
// when it is written back transposed, and no two tiles write the same element: tiles need no
// order, and every tile of a sequence may run on any thread.
#include "minidl/core/kernels/depthwise_channels_first.hpp"

#include <algorithm>

#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/kernels/prefetch.hpp"
#include "minidl/core/kernels/transpose.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl::kernels {
namespace {

/// Multiply-adds below which a chunk of tiles is not worth handing to another thread.
constexpr int64_t kMinChunkWork = int64_t{1} << 18;
/// At most this many chunks, whose scratch tiles and partial sums are allocated once per call
/// before the parallel loop (as in pointwise.cpp), so the caching allocator sees the same
/// requests whatever the threads' timing.
constexpr int64_t kMaxChunks = 16;
/// Floats of the windows one kernel-gradient call reads (64 KB): runs of small tiles share a
/// call, so the kernel's own partial sums are allocated once per run, not per tile (with one
/// call per tile, tiny's channels_first step made 150 more heap allocations). Medium's and
/// large's windows (35 and 70 KB) stay one per call: runs of 14 tiles (512 KB) in L2 left the
/// windows' loads waiting on memory (their share of the medium step rose from 12% to 15%).
constexpr int64_t kKernelGradientRunFloats = int64_t{1} << 14;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Asks for rows [0, rows) x columns [0, cols) of a row-major array to be loaded into L2 (not
/// L1, which the current tile's window and output fill). The rows of a [C, L] sequence lie a
/// page or more apart, where the hardware's stream prefetchers do not follow, so a tile waited
/// for each of its lines in turn unless they were requested while the previous tile computed
/// (BM_DepthwiseChannelsFirstForwardBackward on the loaded machine: 9.7-10.1 ms CPU with,
/// 8.9-12.4 ms without; the transposes' share of the medium channels_first step fell from 11%
/// to 9.5%).
void prefetch_rows(const float* data, int64_t stride, int64_t rows, int64_t cols) {
    if (cols <= 0) return;
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += kTransposeBlock)
            prefetch<false, 2>(data, r * stride + j);
        prefetch<false, 2>(data, r * stride + cols - 1);
    }
}

/// A convolution over `count` scratch windows one after another: no pads, as many steps as a
/// window holds.
Conv1DSizes window_sizes(const Conv1DSizes& s, int64_t count, int64_t window, int64_t steps) {
    const Conv1DGeometry& g = s.geometry;
    return {count, window, s.channels, steps, {g.kernel_size, g.stride, g.dilation, 0, 0}};
}

/// Steps [step, step + steps) of sequence `sequence`: output steps, or input positions for the
/// input gradient.
struct Tile {
    int64_t sequence;
    int64_t step;
    int64_t steps;
};

/// The tiles of kDepthwiseTileSteps along `extent` (output steps or input positions) of each
/// sequence, in batch order, and their split into parallel chunks.
struct Tiling {
    int64_t batch;
    int64_t extent;
    int64_t tile_work;  ///< multiply-adds of a full tile
    int64_t per_sequence = ceil_div(extent, kDepthwiseTileSteps);

    int64_t count() const { return batch * per_sequence; }
    Tile operator[](int64_t index) const {
        const int64_t step = index % per_sequence * kDepthwiseTileSteps;
        return {index / per_sequence, step, std::min(kDepthwiseTileSteps, extent - step)};
    }
    /// Tiles per chunk: at least kMinChunkWork multiply-adds and at most kMaxChunks chunks.
    int64_t grain() const {
        const int64_t work_grain =
            std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(1, tile_work));
        return std::max(work_grain, ceil_div(count(), kMaxChunks));
    }
};

/// The output-step tiling shared by the forward and the kernel gradient, with the input window
/// each tile reads.
struct OutputTiling : Tiling {
    const Conv1DSizes& s;

    explicit OutputTiling(const Conv1DSizes& sizes, int64_t multiplier)
        : Tiling{sizes.batch, sizes.out_length,
                 std::min(kDepthwiseTileSteps, sizes.out_length) * sizes.geometry.kernel_size *
                     sizes.channels * multiplier},
          s(sizes) {}

    /// Input steps a tile of `steps` outputs reads.
    int64_t window(int64_t steps) const {
        return (steps - 1) * s.geometry.stride + s.geometry.dilated_kernel_size();
    }
    /// Floats of one chunk's scratch window.
    int64_t window_floats() const {
        return window(std::min(kDepthwiseTileSteps, s.out_length)) * s.channels;
    }
    /// The sequence positions [begin, end) of the tile's window that lie inside the sequence.
    struct Inside {
        int64_t first;  ///< the window's first position (negative in the left padding)
        int64_t begin;
        int64_t end;
    };
    Inside inside(const Tile& tile) const {
        const int64_t first = tile.step * s.geometry.stride - s.geometry.pad_left;
        const int64_t n = window(tile.steps);
        const int64_t begin = std::clamp<int64_t>(-first, 0, n);  // relative to first
        return {first, first + begin, first + std::clamp(s.length - first, begin, n)};
    }
    const float* sequence(const Tile& tile, const float* x) const {
        return x + tile.sequence * s.channels * s.length;
    }
    /// Copies the tile's input window from x [B, C, L] into `scratch` [window, C], transposed,
    /// with zero rows for the positions outside the sequence; returns the window's steps.
    int64_t load_window(const Tile& tile, const float* x, float* scratch) const {
        const int64_t n = window(tile.steps);
        const Inside in = inside(tile);
        float* inside_rows = scratch + (in.begin - in.first) * s.channels;
        float* after_rows = scratch + (in.end - in.first) * s.channels;
        std::fill(scratch, inside_rows, 0.0f);
        copy_transposed(sequence(tile, x) + in.begin, s.length, s.channels, in.end - in.begin,
                        inside_rows, s.channels);
        std::fill(after_rows, scratch + n * s.channels, 0.0f);
        return n;
    }
    /// Starts loading the tile's window into the cache, so that its load_window, one tile
    /// later, does not wait for the C rows' lines one by one.
    void prefetch_window(const Tile& tile, const float* x) const {
        const Inside in = inside(tile);
        prefetch_rows(sequence(tile, x) + in.begin, s.length, s.channels, in.end - in.begin);
    }
    /// Where the tile's rows start in a channels_last [B, Lout, C * M] array.
    int64_t output_offset(const Tile& tile, int64_t multiplier) const {
        return (tile.sequence * s.out_length + tile.step) * s.channels * multiplier;
    }
};

}  // namespace

void depthwise_conv1d_channels_first_forward(const Conv1DSizes& s, int64_t multiplier,
                                             const float* x, const float* kernel, float* out) {
    const OutputTiling tiling(s, multiplier);
    const int64_t grain = tiling.grain();
    const Tensor scratch = empty({chunk_count(tiling.count(), grain) * tiling.window_floats()});
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        float* window = scratch.data() + begin / grain * tiling.window_floats();
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            if (index + 1 < end) tiling.prefetch_window(tiling[index + 1], x);
            const int64_t n = tiling.load_window(tile, x, window);
            depthwise_conv1d_forward(window_sizes(s, 1, n, tile.steps), multiplier, window, kernel,
                                     out + tiling.output_offset(tile, multiplier));
        }
    });
}

void depthwise_conv1d_channels_first_backward_input(const Conv1DSizes& s, int64_t multiplier,
                                                    const float* grad, const float* kernel,
                                                    float* grad_x) {
    const Conv1DGeometry& g = s.geometry;
    const int64_t row_size = s.channels * multiplier;
    const Tiling tiling{s.batch, s.length,
                        std::min(kDepthwiseTileSteps, s.length) * g.kernel_size * row_size};
    const int64_t grain = tiling.grain();
    const int64_t tile_floats = kDepthwiseTileSteps * s.channels;
    const Tensor scratch = empty({chunk_count(tiling.count(), grain) * tile_floats});
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        float* tile_grad = scratch.data() + begin / grain * tile_floats;
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];  // input positions [step, step + steps)
            const int64_t padded = tile.step + g.pad_left;
            // The output steps [first, last) whose taps may reach the tile: from the first one
            // whose last tap reaches its first position (at most the last one whose tap 0 lies
            // at or before it, so the sub-problem's pad stays >= 0) to the last one whose tap 0
            // lies inside it.
            const int64_t first =
                std::clamp(ceil_div(padded - g.dilated_kernel_size() + 1, g.stride), int64_t{0},
                           padded / g.stride);
            const int64_t last = std::min(s.out_length, (padded + tile.steps - 1) / g.stride + 1);
            if (last > first) {
                // Step first + t reads tile position t * stride + j * dilation - pad.
                const int64_t pad = padded - first * g.stride;
                const int64_t reach = (last - first - 1) * g.stride + g.dilated_kernel_size();
                const Conv1DSizes sub{1,
                                      tile.steps,
                                      s.channels,
                                      last - first,
                                      {g.kernel_size, g.stride, g.dilation, pad,
                                       std::max<int64_t>(0, reach - pad - tile.steps)}};
                depthwise_conv1d_backward_input(
                    sub, multiplier, grad + (tile.sequence * s.out_length + first) * row_size,
                    kernel, tile_grad);
            } else {
                std::fill(tile_grad, tile_grad + tile.steps * s.channels, 0.0f);
            }
            copy_transposed(tile_grad, s.channels, tile.steps, s.channels,
                            grad_x + tile.sequence * s.channels * s.length + tile.step, s.length);
        }
    });
}

void depthwise_conv1d_channels_first_backward_kernel(const Conv1DSizes& s, int64_t multiplier,
                                                     const float* grad, const float* x,
                                                     float* grad_kernel) {
    const OutputTiling tiling(s, multiplier);
    const int64_t grain = tiling.grain();
    const int64_t chunks = chunk_count(tiling.count(), grain);
    const int64_t kernel_numel = s.geometry.kernel_size * s.channels * multiplier;
    const int64_t window_floats = tiling.window_floats();
    const int64_t max_run = std::max<int64_t>(1, kKernelGradientRunFloats / window_floats);
    const Tensor partials = empty({chunks * kernel_numel});
    // Per chunk: a run's kernel gradient and its windows.
    const int64_t work_floats = kernel_numel + max_run * window_floats;
    const Tensor work = empty({chunks * work_floats});
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        float* partial = partials.data() + begin / grain * kernel_numel;
        float* run_kernel = work.data() + begin / grain * work_floats;
        float* windows = run_kernel + kernel_numel;
        for (int64_t index = begin; index < end;) {
            // A run of tiles of one size: their grad rows follow each other, so the run is one
            // call over its windows stacked as a batch.
            const Tile tile = tiling[index];
            int64_t run = 1;
            while (run < max_run && index + run < end && tiling[index + run].steps == tile.steps) {
                ++run;
            }
            const int64_t n = tiling.window(tile.steps);
            for (int64_t r = 0; r < run; ++r) {
                tiling.load_window(tiling[index + r], x, windows + r * n * s.channels);
            }
            for (int64_t next = index + run; next < std::min(end, index + 2 * run); ++next) {
                tiling.prefetch_window(tiling[next], x);
            }
            depthwise_conv1d_backward_kernel(window_sizes(s, run, n, tile.steps), multiplier,
                                             grad + tiling.output_offset(tile, multiplier), windows,
                                             index == begin ? partial : run_kernel);
            if (index != begin) {
                ArrayMap(partial, kernel_numel) += ConstArrayMap(run_kernel, kernel_numel);
            }
            index += run;
        }
    });
    sum_partials(partials.data(), chunks, kernel_numel, grad_kernel);
}

}  // namespace minidl::kernels
