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
/// At most this many weight-gradient partial sums (one kernel each): enough chunks to balance
/// two threads, few enough that the partials stay small beside the activations.
constexpr int64_t kMaxPartials = 16;

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
    /// Tiles per parallel chunk, so that a chunk does at least kMinChunkWork multiply-adds.
    int64_t grain() const {
        const int64_t tile_work =
            std::min(kPointwiseTileSteps, s.length) * s.in_channels * s.filters;
        return std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(1, tile_work));
    }
    /// The same, bounded so that there are at most kMaxPartials chunks.
    int64_t partial_grain() const {
        return std::max(grain(), (count() + kMaxPartials - 1) / kMaxPartials);
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
    parallel_for(tiling.count(), tiling.grain(), [&](int64_t begin, int64_t end) {
        // channels_first tiles are computed here, then written transposed.
        const Tensor scratch =
            s.channels_first_output ? empty({kPointwiseTileSteps * s.filters}) : Tensor();
        for (int64_t index = begin; index < end; ++index) {
            const Tile tile = tiling[index];
            const int64_t row = tiling.first_row(tile);
            float* product = s.channels_first_output ? scratch.data() : out + row * s.filters;
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
    const int64_t grain = tiling.partial_grain();
    const int64_t chunks = chunk_count(tiling.count(), grain);
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
    parallel_for(tiling.count(), grain, [&](int64_t begin, int64_t end) {
        const Tensor scratch = staged ? empty({kPointwiseTileSteps * s.filters}) : Tensor();
        const int64_t chunk = begin / grain;
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
                TileArray masked(scratch.data(), s.filters, tile.steps);
                if (s.relu) {
                    masked = (out_tile.transpose() > 0.0f).select(g_tile.transpose(), 0.0f);
                } else {
                    masked = g_tile.transpose();
                }
                g = scratch.data();
            } else if (s.relu) {
                const int64_t n = tile.steps * s.filters;
                const Eigen::Map<const Eigen::ArrayXf> out_tile(out + row * s.filters, n);
                Eigen::Map<Eigen::ArrayXf>(scratch.data(), n) =
                    (out_tile > 0.0f).select(Eigen::Map<const Eigen::ArrayXf>(g, n), 0.0f);
                g = scratch.data();
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
