#include "minidl/core/kernels/pointwise.hpp"

#include <Eigen/Core>
#include <algorithm>

#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/kernels/small_gemm.hpp"
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
/// Filters per band of a channels_first tile's transposed gather (see the backward): 16 input
/// rows read in step, one cache line each per 16 steps.
constexpr int64_t kTransposeBand = 16;

/// A [steps, filters] tile seen as Eigen's column-major [filters, steps] array: one column per
/// time step, so the bias is added column by column.
using TileArray = Eigen::Map<Eigen::ArrayXXf>;
using ConstTileArray = Eigen::Map<const Eigen::ArrayXXf>;
/// The same tile inside a channels_first [filters, length] sequence, as [steps, filters].
using ChannelsFirstTile = Eigen::Map<Eigen::ArrayXXf, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstChannelsFirstTile =
    Eigen::Map<const Eigen::ArrayXXf, Eigen::Unaligned, Eigen::OuterStride<>>;

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
                ChannelsFirstTile(out + tiling.channels_first_offset(tile), tile.steps, s.filters,
                                  Eigen::OuterStride<>(s.length)) = values.transpose();
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
    const Tensor kernel_partials = empty({grad_kernel ? chunks * kernel_numel : 0});
    const Tensor bias_partials = empty({grad_bias ? chunks * s.filters : 0});
    // grad_x = grad kernelᵀ takes kernelᵀ [filters, in_channels] as small_gemm's row-major B.
    const Tensor kernel_t = empty({grad_x ? kernel_numel : 0});
    if (grad_x) {
        Eigen::Map<Eigen::MatrixXf>(kernel_t.data(), s.in_channels, s.filters) =
            Eigen::Map<const Eigen::MatrixXf>(kernel, s.filters, s.in_channels).transpose();
    }
    // The masked gradient of a tile is staged in row-major [steps, filters] scratch unless it is
    // the incoming gradient itself (channels_last, no relu).
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
            const float* g = grad + row * s.filters;
            if (s.channels_first_output) {
                const int64_t offset = tiling.channels_first_offset(tile);
                const Eigen::OuterStride<> stride(s.length);
                const ConstChannelsFirstTile g_tile(grad + offset, tile.steps, s.filters, stride);
                const ConstChannelsFirstTile out_tile(out + offset, tile.steps, s.filters, stride);
                TileArray masked(staging, s.filters, tile.steps);
                // In bands of kTransposeBand filters: a whole column of the staged tile would
                // read one float per filter, each from another page (a stride of L floats);
                // this cost large channels_first 3x the time of channels_last.
                for (int64_t f = 0; f < s.filters; f += kTransposeBand) {
                    const int64_t band = std::min(kTransposeBand, s.filters - f);
                    const auto g_band = g_tile.middleCols(f, band).transpose();
                    if (s.relu) {
                        masked.middleRows(f, band) =
                            (out_tile.middleCols(f, band).transpose() > 0.0f).select(g_band, 0.0f);
                    } else {
                        masked.middleRows(f, band) = g_band;
                    }
                }
                g = staging;
            } else if (s.relu) {
                const int64_t n = tile.steps * s.filters;
                const Eigen::Map<const Eigen::ArrayXf> out_tile(out + row * s.filters, n);
                Eigen::Map<Eigen::ArrayXf>(staging, n) =
                    (out_tile > 0.0f).select(Eigen::Map<const Eigen::ArrayXf>(g, n), 0.0f);
                g = staging;
            }
            if (partial_bias) {
                Eigen::Map<Eigen::ArrayXf>(partial_bias, s.filters) +=
                    ConstTileArray(g, s.filters, tile.steps).rowwise().sum();
            }
            if (partial_kernel) {
                // xᵀ g: row i of xᵀ is input channel i, stepping by in_channels along the tile.
                small_gemm(s.in_channels, s.filters, tile.steps,
                           {x + row * s.in_channels, 1, s.in_channels}, g, s.filters,
                           partial_kernel, s.filters, index != begin);
            }
            if (grad_x) {
                small_gemm(tile.steps, s.in_channels, s.filters, {g, s.filters, 1}, kernel_t.data(),
                           s.in_channels, grad_x + row * s.in_channels, s.in_channels, false);
            }
        }
    });
    if (grad_kernel) sum_partials(kernel_partials.data(), chunks, kernel_numel, grad_kernel);
    if (grad_bias) sum_partials(bias_partials.data(), chunks, s.filters, grad_bias);
}

}  // namespace minidl::kernels
