#include "minidl/core/kernels/pointwise.hpp"

#include <Eigen/Core>
#include <algorithm>

#include "minidl/core/kernels/chunk_scratch.hpp"
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

/// Row stride of the channels_first scratch tiles ([rows, steps] copies of a tile's rows): a
/// row a little longer than a tile, so that the rows of a small_gemm panel (64 columns of up to
/// 128 rows) spread over L1's sets. At a stride of a power of two times 1 KB, as in the
/// [B, C, L] tensors themselves, the panel's lines fall into 4 to 16 of the 64 sets and evict
/// each other.
constexpr int64_t kScratchStride = kPointwiseTileSteps + 16;

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
    /// Where the tile's rows start in a channels_last [batch, length, channels] array.
    int64_t channels_last(const Tile& t, int64_t channels) const {
        return (t.sequence * s.length + t.step) * channels;
    }
    /// Where the tile's row of channel 0 starts in a channels_first [batch, channels, length].
    int64_t channels_first(const Tile& t, int64_t channels) const {
        return t.sequence * channels * s.length + t.step;
    }
};

/// to = the row-major [cols, rows] transpose of the row-major [rows, cols] `from`.
void transpose_kernel(const float* from, float* to, int64_t rows, int64_t cols) {
    Eigen::Map<Eigen::MatrixXf>(to, rows, cols) =
        Eigen::Map<const Eigen::MatrixXf>(from, cols, rows).transpose();
}

/// Adds the bias and applies relu (as asked) to `rows` rows of `steps` values, `stride` apart:
/// a channels_first output tile, one row per filter.
void finish_rows(const PointwiseSizes& s, const float* bias, float* rows, int64_t stride,
                 int64_t steps) {
    for (int64_t f = 0; f < s.filters; ++f) {
        ArrayMap row(rows + f * stride, steps);
        if (bias) row += bias[f];
        if (s.relu) row = row.max(0.0f);
    }
}

void forward_channels_last(const PointwiseSizes& s, const float* x, const float* kernel,
                           const float* bias, float* out) {
    const Tiling tiling{s};
    parallel_for(tiling.count(), tiling.grain(), [&](int64_t begin, int64_t end) {
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            float* product = out + tiling.channels_last(tile, s.filters);
            small_gemm(tile.steps, s.filters, s.in_channels,
                       {x + tiling.channels_last(tile, s.in_channels), s.in_channels, 1}, kernel,
                       s.filters, product, s.filters, false);
            TileArray values(product, s.filters, tile.steps);
            if (bias) values.colwise() += Eigen::Map<const Eigen::ArrayXf>(bias, s.filters);
            if (s.relu) values = values.max(0.0f);
        }
    });
}

/// out [F, steps] = kernelᵀ [F, Cin] x [Cin, steps] per tile: x's rows are copied into a
/// scratch tile first (kScratchStride), the product is written into the output's rows.
void forward_channels_first(const PointwiseSizes& s, const float* x, const float* kernel,
                            const float* bias, float* out) {
    const Tiling tiling{s};
    const int64_t grain = tiling.grain();
    const Tensor kernel_t = empty({s.in_channels * s.filters});
    transpose_kernel(kernel, kernel_t.data(), s.in_channels, s.filters);
    const ChunkScratch scratch(tiling.chunks(), s.in_channels * kScratchStride);
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        float* x_tile = scratch[begin / grain];
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            const float* x_rows = x + tiling.channels_first(tile, s.in_channels);
            for (int64_t i = 0; i < s.in_channels; ++i) {
                std::copy_n(x_rows + i * s.length, tile.steps, x_tile + i * kScratchStride);
            }
            float* product = out + tiling.channels_first(tile, s.filters);
            small_gemm(s.filters, tile.steps, s.in_channels, {kernel_t.data(), s.in_channels, 1},
                       x_tile, kScratchStride, product, s.length, false);
            finish_rows(s, bias, product, s.length, tile.steps);
        }
    });
}

/// What the backward's tiles read and write, and one chunk's partial sums and scratch.
struct BackwardTile {
    const PointwiseSizes& s;
    const Tiling& tiling;
    const float* grad;
    const float* out;
    const float* x;
    const float* kernel;  ///< channels_last: kernelᵀ [filters, in_channels]; else [in, filters]
    float* grad_x;
    float* partial_kernel;
    float* partial_bias;
    float* staging;
    float* transposed;  ///< channels_first: the staged gradient's transpose

    /// channels_last: the tile's rows are contiguous [steps, channels] blocks; its (masked)
    /// gradient g [steps, filters] is grad itself unless relu masks it into `staging`.
    void channels_last(const Tile& tile, bool accumulate) const {
        const int64_t row = tiling.channels_last(tile, 1);
        const float* x_tile = x + row * s.in_channels;
        const float* g = grad + row * s.filters;
        if (s.relu) {
            const int64_t n = tile.steps * s.filters;
            ArrayMap(staging, n) =
                (ConstArrayMap(out + row * s.filters, n) > 0.0f).select(ConstArrayMap(g, n), 0.0f);
            g = staging;
        }
        if (partial_bias) {
            ArrayMap(partial_bias, s.filters) +=
                ConstTileArray(g, s.filters, tile.steps).rowwise().sum();
        }
        if (partial_kernel) {
            // xᵀ g: row i of xᵀ is input channel i, stepping by in_channels along the tile.
            small_gemm(s.in_channels, s.filters, tile.steps, {x_tile, 1, s.in_channels}, g,
                       s.filters, partial_kernel, s.filters, accumulate);
        }
        if (grad_x) {
            small_gemm(tile.steps, s.in_channels, s.filters, {g, s.filters, 1}, kernel,
                       s.in_channels, grad_x + row * s.in_channels, s.in_channels, false);
        }
    }

    /// channels_first: each channel's run of steps is contiguous; the masked gradient is staged
    /// as it lies, [filters, steps], and transposed for the kernel gradient.
    void channels_first(const Tile& tile, bool accumulate) const {
        const int64_t offset = tiling.channels_first(tile, s.filters);
        for (int64_t f = 0; f < s.filters; ++f) {
            const ConstArrayMap g_run(grad + offset + f * s.length, tile.steps);
            ArrayMap staged_run(staging + f * kScratchStride, tile.steps);
            if (s.relu) {
                const ConstArrayMap out_run(out + offset + f * s.length, tile.steps);
                staged_run = (out_run > 0.0f).select(g_run, 0.0f);
            } else {
                staged_run = g_run;
            }
            if (partial_bias) partial_bias[f] += staged_run.sum();
        }
        const int64_t x_offset = tiling.channels_first(tile, s.in_channels);
        if (partial_kernel) {
            // x gᵀ: x's tile [in_channels, steps] as it lies, gᵀ [steps, filters].
            copy_transposed(staging, kScratchStride, s.filters, tile.steps, transposed, s.filters);
            small_gemm(s.in_channels, s.filters, tile.steps, {x + x_offset, s.length, 1},
                       transposed, s.filters, partial_kernel, s.filters, accumulate);
        }
        if (grad_x) {
            small_gemm(s.in_channels, tile.steps, s.filters, {kernel, s.filters, 1}, staging,
                       kScratchStride, grad_x + x_offset, s.length, false);
        }
    }
};

}  // namespace

void pointwise_conv1d_forward(const PointwiseSizes& s, const float* x, const float* kernel,
                              const float* bias, float* out) {
    if (s.channels_first) {
        forward_channels_first(s, x, kernel, bias, out);
    } else {
        forward_channels_last(s, x, kernel, bias, out);
    }
}

void pointwise_conv1d_backward(const PointwiseSizes& s, const float* grad, const float* out,
                               const float* x, const float* kernel, float* grad_x,
                               float* grad_kernel, float* grad_bias) {
    const Tiling tiling{s};
    const int64_t grain = tiling.grain();
    const int64_t chunks = tiling.chunks();
    const int64_t kernel_numel = s.in_channels * s.filters;
    const int64_t tile_floats = kPointwiseTileSteps * s.filters;
    const bool cf = s.channels_first;
    // One partial kernel gradient per chunk.
    const Tensor kernel_partials = empty({grad_kernel ? chunks * kernel_numel : 0});
    const Tensor bias_partials = empty({grad_bias ? chunks * s.filters : 0});
    // channels_last's grad_x = g kernelᵀ takes kernelᵀ [filters, in_channels] as small_gemm's
    // row-major B; channels_first's grad_x = kernel g reads the kernel as it is.
    const Tensor kernel_t = empty({grad_x && !cf ? kernel_numel : 0});
    if (grad_x && !cf) transpose_kernel(kernel, kernel_t.data(), s.in_channels, s.filters);
    const int64_t staging_floats = cf ? s.filters * kScratchStride : s.relu ? tile_floats : 0;
    const int64_t transposed_floats = cf && grad_kernel ? tile_floats : 0;
    const ChunkScratch scratch(chunks, staging_floats + transposed_floats);
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        const int64_t chunk = begin / grain;
        const BackwardTile tiles{
            s,
            tiling,
            grad,
            out,
            x,
            cf ? kernel : kernel_t.data(),
            grad_x,
            grad_kernel ? kernel_partials.data() + chunk * kernel_numel : nullptr,
            grad_bias ? bias_partials.data() + chunk * s.filters : nullptr,
            scratch[chunk],
            scratch[chunk] + staging_floats};
        if (tiles.partial_bias) std::fill(tiles.partial_bias, tiles.partial_bias + s.filters, 0.0f);
        for (int64_t index = begin; index < end; ++index) {
            if (cf) {
                tiles.channels_first(tiling[index], index != begin);
            } else {
                tiles.channels_last(tiling[index], index != begin);
            }
        }
    });
    if (grad_kernel) sum_partials(kernel_partials.data(), chunks, kernel_numel, grad_kernel);
    if (grad_bias) sum_partials(bias_partials.data(), chunks, s.filters, grad_bias);
}

}  // namespace minidl::kernels
