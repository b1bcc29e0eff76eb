#include "minidl/core/kernels/pointwise.hpp"

#include <Eigen/Core>
#include <algorithm>

#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/kernels/small_gemm.hpp"
#include "minidl/core/kernels/transpose.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl::kernels {
namespace {

/// Multiply-adds below which a chunk of tiles is not worth handing to another thread.
constexpr int64_t kMinChunkWork = int64_t{1} << 18;
/// At most this many chunks. Their scratch tiles and weight-gradient partial sums are allocated
/// once per call, before the parallel loop, so the caching allocator sees the same requests
/// whatever the threads' timing (a tile allocated inside the loop was sometimes needed twice at
/// once for the first time after the warm-up steps, and taken from the system). 16 chunks still
/// balance two threads, and their buffers stay small beside the activations.
constexpr int64_t kMaxChunks = 16;

/// A [steps, filters] tile seen as Eigen's column-major [filters, steps] array: one column per
/// time step, so the bias is added column by column.
using TileArray = Eigen::Map<Eigen::ArrayXXf>;
using ConstTileArray = Eigen::Map<const Eigen::ArrayXXf>;

/// Time steps [step, step + steps) of sequence `sequence`.
struct Tile {
    int64_t sequence;
    int64_t step;
    int64_t steps;
};

/// The tiles of a batch: ceil(length / kPointwiseTileSteps) per sequence, in batch order.
struct Tiling {
    const PointwiseSizes& s;
    int64_t per_sequence = (s.length + kPointwiseTileSteps - 1) / kPointwiseTileSteps;

    int64_t count() const { return s.batch * per_sequence; }
    Tile operator[](int64_t index) const {
        const int64_t step = index % per_sequence * kPointwiseTileSteps;
        return {index / per_sequence, step, std::min(kPointwiseTileSteps, s.length - step)};
    }
    /// Tiles per parallel chunk: at least kMinChunkWork multiply-adds and at most kMaxChunks
    /// chunks.
    int64_t grain() const {
        const int64_t tile_work =
            std::min(kPointwiseTileSteps, s.length) * s.in_channels * s.filters;
        const int64_t work_grain =
            std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(1, tile_work));
        return std::max(work_grain, (count() + kMaxChunks - 1) / kMaxChunks);
    }
    int64_t chunks() const { return chunk_count(count(), grain()); }
    /// Chunk `chunk`'s [steps, filters] scratch tile in a buffer of chunks() tiles.
    float* scratch_tile(const Tensor& buffer, int64_t chunk) const {
        return buffer.data() + chunk * kPointwiseTileSteps * s.filters;
    }
    int64_t first_row(const Tile& t) const { return t.sequence * s.length + t.step; }
    /// Where the tile's column of filter 0 starts in a channels_first [batch, filters, length].
    int64_t channels_first_offset(const Tile& t) const {
        return t.sequence * s.filters * s.length + t.step;
    }
};

/// to = the row-major [cols, rows] transpose of the row-major [rows, cols] `from`.
void transpose_kernel(const float* from, float* to, int64_t rows, int64_t cols) {
    Eigen::Map<Eigen::MatrixXf>(to, rows, cols) =
        Eigen::Map<const Eigen::MatrixXf>(from, cols, rows).transpose();
}

}  // namespace

void pointwise_conv1d_forward(const PointwiseSizes& s, const float* x, const float* kernel,
                              const float* bias, float* out) {
    const Tiling tiling{s};
    const int64_t grain = tiling.grain();
    // channels_first tiles are computed in scratch, then written transposed.
    const Tensor scratch =
        empty({s.channels_first_output ? tiling.chunks() * kPointwiseTileSteps * s.filters : 0});
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            const int64_t row = tiling.first_row(tile);
            float* product = s.channels_first_output ? tiling.scratch_tile(scratch, begin / grain)
                                                     : out + row * s.filters;
            small_gemm(tile.steps, s.filters, s.in_channels,
                       {x + row * s.in_channels, s.in_channels, 1}, kernel, s.filters, product,
                       s.filters, false);
            TileArray values(product, s.filters, tile.steps);
            if (bias) values.colwise() += Eigen::Map<const Eigen::ArrayXf>(bias, s.filters);
            if (s.relu) values = values.max(0.0f);
            if (s.channels_first_output) {
                copy_transposed(product, s.filters, tile.steps, s.filters,
                                out + tiling.channels_first_offset(tile), s.length);
            }
        }
    });
}

void pointwise_conv1d_backward(const PointwiseSizes& s, const float* grad, const float* out,
                               const float* x, const float* kernel, float* grad_x,
                               float* grad_kernel, float* grad_bias) {
    const Tiling tiling{s};
    const int64_t grain = tiling.grain();
    const int64_t chunks = tiling.chunks();
    const int64_t kernel_numel = s.in_channels * s.filters;
    // One partial kernel gradient per chunk; transposed, [filters, in_channels], for
    // channels_first.
    const Tensor kernel_partials = empty({grad_kernel ? chunks * kernel_numel : 0});
    const Tensor bias_partials = empty({grad_bias ? chunks * s.filters : 0});
    // grad_x = grad kernelᵀ takes kernelᵀ [filters, in_channels] as small_gemm's row-major B.
    const Tensor kernel_t = empty({grad_x ? kernel_numel : 0});
    if (grad_x) transpose_kernel(kernel, kernel_t.data(), s.in_channels, s.filters);
    // The masked gradient of a tile is staged in scratch unless it is the incoming gradient
    // itself (channels_last, no relu).
    const bool staged = s.relu || s.channels_first_output;
    const Tensor scratch = empty({staged ? chunks * kPointwiseTileSteps * s.filters : 0});
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        const int64_t chunk = begin / grain;
        float* staging = staged ? tiling.scratch_tile(scratch, chunk) : nullptr;
        float* partial_kernel =
            grad_kernel ? kernel_partials.data() + chunk * kernel_numel : nullptr;
        float* partial_bias = grad_bias ? bias_partials.data() + chunk * s.filters : nullptr;
        if (partial_bias) std::fill(partial_bias, partial_bias + s.filters, 0.0f);
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            const int64_t row = tiling.first_row(tile);
            const float* x_tile = x + row * s.in_channels;
            // The tile's (masked) gradient g [steps, filters] in the output's own order: a
            // channels_first tile is staged as [filters, steps], one contiguous run of steps per
            // filter, and the products read it through strides. (Gathered into [steps, filters]
            // instead, each filter's run lies L floats from the next: for L a multiple of 1024
            // all of them share one L1 set, and the gather took 40% of channels_first's step.)
            const float* g = grad + row * s.filters;
            StridedMatrix g_view{g, s.filters, 1};
            if (s.channels_first_output) {
                const int64_t offset = tiling.channels_first_offset(tile);
                for (int64_t f = 0; f < s.filters; ++f) {
                    const ConstArrayMap g_run(grad + offset + f * s.length, tile.steps);
                    ArrayMap staged_run(staging + f * tile.steps, tile.steps);
                    if (s.relu) {
                        const ConstArrayMap out_run(out + offset + f * s.length, tile.steps);
                        staged_run = (out_run > 0.0f).select(g_run, 0.0f);
                    } else {
                        staged_run = g_run;
                    }
                }
                g_view = {staging, 1, tile.steps};
            } else if (s.relu) {
                const int64_t n = tile.steps * s.filters;
                ArrayMap(staging, n) = (ConstArrayMap(out + row * s.filters, n) > 0.0f)
                                           .select(ConstArrayMap(g, n), 0.0f);
                g = staging;
                g_view.data = staging;
            }
            if (partial_bias) {
                ArrayMap bias_sum(partial_bias, s.filters);
                if (s.channels_first_output) {
                    bias_sum +=
                        ConstTileArray(staging, tile.steps, s.filters).colwise().sum().transpose();
                } else {
                    bias_sum += ConstTileArray(g, s.filters, tile.steps).rowwise().sum();
                }
            }
            if (partial_kernel && s.channels_first_output) {
                // gᵀ x, the kernel's transpose [filters, in_channels]: gᵀ is the staged tile.
                small_gemm(s.filters, s.in_channels, tile.steps, {staging, tile.steps, 1}, x_tile,
                           s.in_channels, partial_kernel, s.in_channels, index != begin);
            } else if (partial_kernel) {
                // xᵀ g: row i of xᵀ is input channel i, stepping by in_channels along the tile.
                small_gemm(s.in_channels, s.filters, tile.steps, {x_tile, 1, s.in_channels}, g,
                           s.filters, partial_kernel, s.filters, index != begin);
            }
            if (grad_x) {
                small_gemm(tile.steps, s.in_channels, s.filters, g_view, kernel_t.data(),
                           s.in_channels, grad_x + row * s.in_channels, s.in_channels, false);
            }
        }
    });
    if (grad_kernel && s.channels_first_output) {
        const Tensor kernel_gradient_t = empty({kernel_numel});
        sum_partials(kernel_partials.data(), chunks, kernel_numel, kernel_gradient_t.data());
        transpose_kernel(kernel_gradient_t.data(), grad_kernel, s.filters, s.in_channels);
    } else if (grad_kernel) {
        sum_partials(kernel_partials.data(), chunks, kernel_numel, grad_kernel);
    }
    if (grad_bias) sum_partials(bias_partials.data(), chunks, s.filters, grad_bias);
}

}  // namespace minidl::kernels
