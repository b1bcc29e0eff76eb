// Depthwise convolution with multiplier 1 (every SepNet layer) runs in register blocks of one
// channel vector: the forward pass and the input gradient (the same correlation, read backwards)
// sum kBlockRows output rows at once, so that each kernel tap is loaded once per block; the
// kernel gradient keeps the sums of up to kMaxBlockTaps taps in registers and loads each
// gradient row once for all of them. Each output is still summed tap by tap (row by row for the
// kernel gradient) from zero, as before, so blocking changes no bits. Other multipliers run as
// plain loops over a channels_last row (C * M contiguous floats), which GCC vectorises, with the
// multiplier a compile-time constant for M = 2 (sum_of_products). Padding is never materialised:
// each output row computes the range of taps whose inputs lie inside the sequence.
//
// The grouped convolution gathers blocks of kColumnRows output rows into im2col rows of
// k * C / groups values and multiplies them by the kernel with Eigen's GEMM, one product per
// group. Blocks bound the scratch memory (a whole-batch im2col of B=32, L=1024, C=64, k=9 would
// take 75 MB) and keep it in L2.
#include "minidl/core/kernels/conv1d.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <type_traits>
#include <utility>

#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/kernels/lanes.hpp"
#include "minidl/core/kernels/prefetch.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl::kernels {
namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using StridedMap = Eigen::Map<RowMajorMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const RowMajorMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;

/// Multiply-adds below which a chunk of depthwise rows is not worth handing to another thread.
constexpr int64_t kMinDepthwiseWork = int64_t{1} << 16;
/// The same for the GEMM-based convolution, whose chunks also pay for a scratch buffer.
constexpr int64_t kMinGemmWork = int64_t{1} << 20;
/// Output rows per im2col block: a [128, k * C] block of the benchmark shapes (k = 9, C = 64)
/// is 295 KB, inside L2, and Eigen re-packs the kernel once per 128 rows.
constexpr int64_t kColumnRows = 128;
/// A weight-gradient partial sum covers at least this many output rows per kernel tap, so the
/// partial buffers (one kernel each) take at most 1/16 of the memory of the output gradient.
constexpr int64_t kPartialRowsPerTap = 16;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Rows per parallel_for chunk when one row costs `row_work` multiply-adds.
int64_t row_grain(int64_t min_work, int64_t row_work) {
    return std::max<int64_t>(1, min_work / std::max<int64_t>(1, row_work));
}

/// Rows per weight-gradient partial sum: see kPartialRowsPerTap.
int64_t partial_rows(int64_t min_work, int64_t row_work, int64_t kernel_size) {
    return std::max(row_grain(min_work, row_work), kPartialRowsPerTap * kernel_size);
}

/// Output row `row` = b * out_length + t: the taps [begin, end) whose input position lies in
/// [0, length), and where their input rows start in x.
struct OutputRow {
    int64_t begin;
    int64_t end;
    int64_t tap0_offset;  ///< element offset of tap 0's input row (outside x if tap 0 is padding)
    int64_t tap_step;     ///< dilation * channels

    int64_t input_offset(int64_t tap) const { return tap0_offset + tap * tap_step; }
};

OutputRow output_row(const Conv1DSizes& s, int64_t row) {
    const Conv1DGeometry& g = s.geometry;
    const int64_t b = row / s.out_length;
    const int64_t first = (row - b * s.out_length) * g.stride - g.pad_left;
    // Divisions only at the sequence's edges: rows of tiny models are so cheap that a division
    // per tap range costs as much as the row.
    const int64_t begin = first < 0 ? std::min(g.kernel_size, ceil_div(-first, g.dilation)) : 0;
    int64_t end = g.kernel_size;
    if (first + (g.kernel_size - 1) * g.dilation >= s.length) {
        const int64_t last_valid = first >= s.length ? -1 : (s.length - 1 - first) / g.dilation;
        end = std::clamp(last_valid + 1, begin, g.kernel_size);
    }
    return {begin, end, (b * s.length + first) * s.channels, g.dilation * s.channels};
}

/// The output steps [begin, end) whose tap reads inside the input, for a tap that reads input
/// position t * stride + shift.
struct StepRange {
    int64_t begin;
    int64_t end;
};

StepRange steps_reading_inside(const Conv1DSizes& s, int64_t shift) {
    const int64_t stride = s.geometry.stride;
    const int64_t begin = std::min(s.out_length, shift < 0 ? ceil_div(-shift, stride) : 0);
    const int64_t last_position = s.length - 1 - shift;  // t * stride <= this
    const int64_t end = last_position < 0 ? 0 : last_position / stride + 1;
    return {begin, std::clamp(end, begin, s.out_length)};
}

/// Calls body(multiplier) with the multiplier as a compile-time constant when it is 1 or 2.
template <class Body>
void with_multiplier(int64_t multiplier, const Body& body) {
    switch (multiplier) {
        case 1:
            body(std::integral_constant<int64_t, 1>{});
            break;
        case 2:
            body(std::integral_constant<int64_t, 2>{});
            break;
        default:
            body(multiplier);
    }
}

/// Calls body(count) with the count as a compile-time constant when it is 8, 16 or 32 (and below
/// `limit`): the channel counts of small models, whose last register block then runs as fully
/// unrolled vector code (SepNet tiny, C = 8 and 16: the training step took 30% less CPU time).
template <int64_t limit, class Body>
void with_small_count(int64_t count, const Body& body) {
    const auto dispatch = [&](auto constant) {
        if constexpr (decltype(constant)::value < limit) {
            body(constant);
        } else {
            body(count);
        }
    };
    switch (count) {
        case 8:
            dispatch(std::integral_constant<int64_t, 8>{});
            break;
        case 16:
            dispatch(std::integral_constant<int64_t, 16>{});
            break;
        case 32:
            dispatch(std::integral_constant<int64_t, 32>{});
            break;
        default:
            body(count);
    }
}

/// Output values a register block holds across all the products summed into them (4 AVX-512
/// or 8 AVX2 registers): summing there instead of into memory makes the depthwise kernels
/// 1.75x faster at C = 64, k = 9.
constexpr int64_t kBlockValues = 64;

template <class T>
constexpr bool kIsConstant = !std::is_integral_v<T>;

/// The depthwise forward and kernel-gradient product: acc[c * M + m] += a[c] * b[c * M + m]
/// for the channels [first, first + count) (acc starts at channel `first`).
struct Spread {
    template <class Multiplier>
    static constexpr auto values_per_channel(Multiplier multiplier) {
        return multiplier;
    }
    template <class Count, class Multiplier>
    static void add(float* __restrict acc, const float* __restrict a, const float* __restrict b,
                    int64_t first, Count count, Multiplier multiplier) {
        a += first;
        b += first * multiplier;
        for (int64_t c = 0; c < count; ++c) {
            for (int64_t m = 0; m < multiplier; ++m) {
                acc[c * multiplier + m] += a[c] * b[c * multiplier + m];
            }
        }
    }
};

/// The depthwise input-gradient product: acc[c] += sum_m a[c * M + m] * b[c * M + m].
struct Contract {
    template <class Multiplier>
    static constexpr auto values_per_channel(Multiplier) {
        return std::integral_constant<int64_t, 1>{};
    }
    template <class Count, class Multiplier>
    static void add(float* __restrict acc, const float* __restrict a, const float* __restrict b,
                    int64_t first, Count count, Multiplier multiplier) {
        a += first * multiplier;
        b += first * multiplier;
        for (int64_t c = 0; c < count; ++c) {
            float total = 0.0f;
            for (int64_t m = 0; m < multiplier; ++m) {
                total += a[c * multiplier + m] * b[c * multiplier + m];
            }
            acc[c] += total;
        }
    }
};

/// dst = the sum of Product::add(a, b) over the (a, b) row pairs that for_each_pair(add)
/// passes to add. With a compile-time multiplier the sums run in register blocks of
/// kBlockValues outputs (for_each_pair runs once per block); otherwise they go to dst directly.
template <class Product, class Multiplier, class ForEachPair>
void sum_of_products(float* dst, int64_t channels, Multiplier multiplier,
                     const ForEachPair& for_each_pair) {
    const auto per_channel = Product::values_per_channel(multiplier);
    if constexpr (!kIsConstant<Multiplier>) {
        std::fill(dst, dst + channels * per_channel, 0.0f);
        for_each_pair([&](const float* a, const float* b) {
            Product::add(dst, a, b, 0, channels, multiplier);
        });
    } else {
        const auto block = [&](int64_t first, auto count) {
            float acc[kBlockValues] = {};
            for_each_pair([&](const float* a, const float* b) {
                Product::add(acc, a, b, first, count, multiplier);
            });
            std::copy_n(acc, count * per_channel, dst + first * per_channel);
        };
        constexpr int64_t kBlockChannels = kBlockValues / decltype(per_channel)::value;
        int64_t first = 0;
        for (; first + kBlockChannels <= channels; first += kBlockChannels) {
            block(first, std::integral_constant<int64_t, kBlockChannels>{});
        }
        if (first < channels) {
            with_small_count<kBlockChannels>(channels - first,
                                             [&](auto count) { block(first, count); });
        }
    }
}

// ---- depthwise, multiplier 1: register blocks of channel vectors ----

// GCC notes the calling convention of 64-byte vectors at each inlined use (see lanes.hpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

/// Calls body(V{}, c) for channel vectors of type V covering channels [c, c + lanes of V), from
/// channel 0 to `channels`: 16 channels, 8 for a remainder of 8 to 15 (SepNet tiny's C = 8),
/// and single floats for the last C % 8.
template <class Body>
void for_each_channel_vector(int64_t channels, const Body& body) {
    int64_t c = 0;
    for (; c + 16 <= channels; c += 16) body(Lanes16{}, c);
    if (c + 8 <= channels) {
        body(Lanes8{}, c);
        c += 8;
    }
    for (; c < channels; ++c) body(0.0f, c);
}

/// Output rows per register block of the forward and input-gradient passes: each kernel tap's
/// vector, loaded once, serves the block's rows (about 1 load per multiply-add, where loading
/// the tap for every row took 2).
constexpr int64_t kBlockRows = 12;
/// Taps per register block of the kernel-gradient pass: each gradient row, loaded once, serves
/// up to this many tap sums (SepNet's k = 9 in one block).
constexpr int64_t kMaxBlockTaps = 9;
/// How many rows ahead the kernel-gradient pass prefetches the gradient and input rows it reads
/// (one line per row and channel vector, a row apart). Medium SepNet step, 1 thread, best of 4
/// alternated runs: 52.8 ms without, 50.6 with 8 rows, 49.1 with 32.
constexpr int64_t kPrefetchRows = 32;

/// A depthwise product as a correlation of rows: out row i of a sequence sums, over taps j,
/// src row i * step + shift + j * tap_shift times kernel row j, the taps whose src row lies in
/// [0, src_length). The forward pass reads x (shift -pad_left, tap_shift dilation); the input
/// gradient reads the output gradient backwards (shift pad_left, tap_shift -dilation).
struct Correlation {
    int64_t channels;
    int64_t src_length;
    int64_t out_length;
    int64_t step;
    int64_t shift;
    int64_t tap_shift;
    int64_t kernel_size;

    /// The src row of out row i's tap 0, within its sequence.
    int64_t first_position(int64_t i) const { return i * step + shift; }

    bool inside(int64_t position) const { return position >= 0 && position < src_length; }

    /// Whether every tap of out rows [i, i + rows) of one sequence reads inside.
    bool all_inside(int64_t i, int64_t rows) const {
        const int64_t last_tap = (kernel_size - 1) * tap_shift;
        const int64_t first = first_position(i);
        const int64_t last = first_position(i + rows - 1);
        return inside(first) && inside(first + last_tap) && inside(last) && inside(last + last_tap);
    }

    /// The taps [begin, end) of out row i that read inside (taps inside are consecutive).
    StepRange taps_inside(int64_t i) const {
        const int64_t p = first_position(i);
        const int64_t a = tap_shift > 0 ? tap_shift : -tap_shift;
        // Taps j with 0 <= p + j * tap_shift < src_length.
        const int64_t low = tap_shift > 0 ? -p : p - src_length + 1;  // j * a >= low
        const int64_t high = tap_shift > 0 ? src_length - 1 - p : p;  // j * a <= high
        if (high < 0) return {0, 0};
        const int64_t begin = std::min(kernel_size, low > 0 ? ceil_div(low, a) : 0);
        return {begin, std::clamp(high / a + 1, begin, kernel_size)};
    }
};

/// Rows out[r * row_size] for r < Rows, one channel vector: the sum over taps [begin, end), in
/// tap order, of src[r * row_step + j * tap_step] * kernel[j * row_size]. The pointers are
/// offset to the vector's first channel; src + j * tap_step is only formed for taps inside.
/// Meanwhile the rows src[src_offset + next + r * row_step] that the next block reads first are
/// prefetched (with `next` = 0, nothing is): the rows of a block lie a row apart, one cache line
/// per row and channel vector, and the hardware prefetchers left the loads waiting for them
/// (35% of the medium SepNet step was depthwise, 12% of its FLOPs).
template <class V, int64_t Rows>
void correlate_rows(const float* src, int64_t src_offset, int64_t row_step, int64_t tap_step,
                    const float* kernel, int64_t row_size, StepRange taps, float* out,
                    int64_t next = 0) {
    if (next != 0) {
#pragma GCC unroll 12
        for (int64_t r = 0; r < Rows; ++r) prefetch(src, src_offset + next + r * row_step);
    }
    V acc[Rows] = {};
    for (int64_t j = taps.begin; j < taps.end; ++j) {
        const V weight = load<V>(kernel + j * row_size);
        const float* rows = src + (src_offset + j * tap_step);
#pragma GCC unroll 12
        for (int64_t r = 0; r < Rows; ++r) acc[r] += load<V>(rows + r * row_step) * weight;
    }
#pragma GCC unroll 12
    for (int64_t r = 0; r < Rows; ++r) store(out + r * row_size, acc[r]);
}

/// out rows [begin, end) of the correlation (rows of all sequences, b * out_length + i), in
/// blocks of kBlockRows rows whose taps all read inside, row by row at the sequences' edges.
/// Each row's sum is the same whatever the range's bounds.
void correlate_range(const Correlation& k, const float* src, const float* kernel, float* out,
                     int64_t begin, int64_t end) {
    const int64_t row_size = k.channels;
    const int64_t tap_step = k.tap_shift * row_size;
    const int64_t row_step = k.step * row_size;
    // The rows the next block reads and this one does not: those of its leading tap (the last
    // one when taps step forward, the first when they step back), one block further on.
    const int64_t leading_tap = k.tap_shift > 0 ? k.kernel_size - 1 : 0;
    const int64_t next = leading_tap * tap_step + kBlockRows * row_step;
    for (int64_t row = begin; row < end;) {
        const int64_t b = row / k.out_length;
        const int64_t i = row - b * k.out_length;
        const int64_t src_offset = (b * k.src_length + k.first_position(i)) * row_size;
        const bool block = row + kBlockRows <= std::min(end, (b + 1) * k.out_length) &&
                           k.all_inside(i, kBlockRows);
        const StepRange taps = block ? StepRange{0, k.kernel_size} : k.taps_inside(i);
        for_each_channel_vector(row_size, [&](auto lanes, int64_t c) {
            using V = decltype(lanes);
            float* dst = out + row * row_size + c;
            if (block) {
                correlate_rows<V, kBlockRows>(src + c, src_offset, row_step, tap_step, kernel + c,
                                              row_size, taps, dst, next);
            } else {
                correlate_rows<V, 1>(src + c, src_offset, row_step, tap_step, kernel + c, row_size,
                                     taps, dst);
            }
        });
        row += block ? kBlockRows : 1;
    }
}

/// All out rows [0, batch * out_length) of the correlation.
void correlate(const Correlation& k, int64_t batch, const float* src, const float* kernel,
               float* out) {
    // Whole register blocks per chunk: a chunk of 56 rows (C = 128) ran 8 of them one by one.
    const int64_t grain =
        kBlockRows * ceil_div(row_grain(kMinDepthwiseWork, k.kernel_size * k.channels), kBlockRows);
    parallel_for(batch * k.out_length, grain, [&](int64_t begin, int64_t end) {
        correlate_range(k, src, kernel, out, begin, end);
    });
}

/// The input gradient of multiplier 1 and stride 1 as a correlation: input row i reads output
/// row i + pad_left - j * dilation through tap j.
Correlation input_gradient_correlation(const Conv1DSizes& s) {
    const Conv1DGeometry& g = s.geometry;
    return {s.channels, s.out_length, s.length, 1, g.pad_left, -g.dilation, g.kernel_size};
}

/// Calls body(count) with count (1 to the length of `counts`) as a compile-time constant.
template <class Body, int64_t... Counts>
void with_tap_count(int64_t count, const Body& body,
                    std::integer_sequence<int64_t, Counts...> /*counts*/) {
    ((count == Counts + 1 ? body(std::integral_constant<int64_t, Counts + 1>{}) : void()), ...);
}

/// The kernel gradient of taps [first_tap, first_tap + Taps), one channel vector, over output
/// rows [begin, end): acc[j] sums x[input row of (t, j)] * grad[t] in row order, then goes to
/// partial[j * channels] (pointers offset to the vector's first channel).
template <class V, int64_t Taps>
void kernel_gradient_taps(const Conv1DSizes& s, const float* grad, const float* x,
                          int64_t first_tap, int64_t begin, int64_t end, float* partial) {
    const Conv1DGeometry& g = s.geometry;
    const int64_t c = s.channels;
    const int64_t span = (Taps - 1) * g.dilation;
    V acc[Taps] = {};
    for (int64_t b = begin / s.out_length; b * s.out_length < end; ++b) {
        const float* input = x + b * s.length * c;
        const int64_t t_end = std::min(s.out_length, end - b * s.out_length);
        for (int64_t t = std::max<int64_t>(0, begin - b * s.out_length); t < t_end; ++t) {
            const V gradient = load<V>(grad + (b * s.out_length + t) * c);
            const int64_t position = t * g.stride - g.pad_left + first_tap * g.dilation;
            prefetch(grad, (b * s.out_length + t + kPrefetchRows) * c);
            prefetch(input, (position + span + kPrefetchRows * g.stride) * c);
            if (position >= 0 && position + span < s.length) {
                const float* taps = input + position * c;
#pragma GCC unroll 9
                for (int64_t j = 0; j < Taps; ++j) {
                    acc[j] += load<V>(taps + j * g.dilation * c) * gradient;
                }
            } else {
#pragma GCC unroll 9
                for (int64_t j = 0; j < Taps; ++j) {
                    const int64_t p = position + j * g.dilation;
                    if (p >= 0 && p < s.length) acc[j] += load<V>(input + p * c) * gradient;
                }
            }
        }
    }
#pragma GCC unroll 9
    for (int64_t j = 0; j < Taps; ++j) store(partial + (first_tap + j) * c, acc[j]);
}

#pragma GCC diagnostic pop

// ---- grouped convolution helpers ----

/// The matrix view of a grouped convolution: group g multiplies im2col rows of `width`
/// = k * C / groups values by kernel columns [g * group_filters, (g + 1) * group_filters).
struct GroupLayout {
    int64_t groups;
    int64_t group_channels;
    int64_t filters;
    int64_t group_filters;
    int64_t width;

    GroupLayout(const Conv1DSizes& s, int64_t filters_, int64_t groups_)
        : groups(groups_),
          group_channels(s.channels / groups_),
          filters(filters_),
          group_filters(filters_ / groups_),
          width(s.geometry.kernel_size * group_channels) {}

    /// Group g's columns of a row-major [rows, filters] array (the output, its gradient, or a
    /// kernel seen as [k * C / groups, F]).
    template <class Map, class Pointer>
    Map filter_columns(Pointer base, int64_t rows, int64_t g) const {
        return Map(base + g * group_filters, rows, group_filters, Eigen::OuterStride<>(filters));
    }
};

/// im2col of output rows [first_row, first_row + rows): group g's block is [rows, width] at
/// col + g * rows * width, tap j of a row holding input channels of group g, or zeros.
void gather_columns(const Conv1DSizes& s, const GroupLayout& layout, const float* x,
                    int64_t first_row, int64_t rows, float* col) {
    const int64_t cg = layout.group_channels;
    for (int64_t r = 0; r < rows; ++r) {
        const OutputRow taps = output_row(s, first_row + r);
        for (int64_t g = 0; g < layout.groups; ++g) {
            float* dst = col + (g * rows + r) * layout.width;
            std::fill(dst, dst + taps.begin * cg, 0.0f);
            for (int64_t j = taps.begin; j < taps.end; ++j) {
                std::copy_n(x + taps.input_offset(j) + g * cg, cg, dst + j * cg);
            }
            std::fill(dst + taps.end * cg, dst + layout.width, 0.0f);
        }
    }
}

/// col2im of group g: adds each im2col-shaped gradient row [rows, width] to the input rows its
/// taps read (padding taps are dropped).
void scatter_columns(const Conv1DSizes& s, const GroupLayout& layout, int64_t g, const float* dcol,
                     int64_t first_row, int64_t rows, float* grad_x) {
    const int64_t cg = layout.group_channels;
    for (int64_t r = 0; r < rows; ++r) {
        const OutputRow taps = output_row(s, first_row + r);
        const float* src = dcol + r * layout.width;
        for (int64_t j = taps.begin; j < taps.end; ++j) {
            ArrayMap(grad_x + taps.input_offset(j) + g * cg, cg) += ConstArrayMap(src + j * cg, cg);
        }
    }
}

/// Gradients of the output rows of a batch range [first_row, end_row), block by block:
/// partial_kernel += col^T grad per group, grad_x += col2im(grad W^T). Either output may be null.
struct BackwardBlocks {
    const Conv1DSizes& s;
    const GroupLayout& layout;
    const float* grad;
    const float* x;
    const float* kernel;

    void run(int64_t first_row, int64_t end_row, float* grad_x, float* partial_kernel) const {
        // Scratch only for the gradients wanted (a first layer's input needs none).
        const Tensor col =
            partial_kernel ? empty({kColumnRows * layout.width * layout.groups}) : Tensor();
        const Tensor dcol = grad_x ? empty({kColumnRows * layout.width}) : Tensor();
        for (int64_t row = first_row; row < end_row; row += kColumnRows) {
            const int64_t rows = std::min(kColumnRows, end_row - row);
            if (partial_kernel) gather_columns(s, layout, x, row, rows, col.data());
            for (int64_t g = 0; g < layout.groups; ++g) {
                const auto grad_g =
                    layout.filter_columns<ConstStridedMap>(grad + row * layout.filters, rows, g);
                if (partial_kernel) {
                    const Eigen::Map<const RowMajorMatrix> col_g(
                        col.data() + g * rows * layout.width, rows, layout.width);
                    layout.filter_columns<StridedMap>(partial_kernel, layout.width, g).noalias() +=
                        col_g.transpose() * grad_g;
                }
                if (grad_x) {
                    Eigen::Map<RowMajorMatrix> dcol_g(dcol.data(), rows, layout.width);
                    dcol_g.noalias() =
                        grad_g *
                        layout.filter_columns<ConstStridedMap>(kernel, layout.width, g).transpose();
                    scatter_columns(s, layout, g, dcol.data(), row, rows, grad_x);
                }
            }
        }
    }
};

}  // namespace

// ---- depthwise ----

void depthwise_conv1d_forward(const Conv1DSizes& s, int64_t multiplier, const float* x,
                              const float* kernel, float* out) {
    const Conv1DGeometry& g = s.geometry;
    if (multiplier == 1) {
        correlate(
            {s.channels, s.length, s.out_length, g.stride, -g.pad_left, g.dilation, g.kernel_size},
            s.batch, x, kernel, out);
        return;
    }
    const int64_t row_size = s.channels * multiplier;
    const int64_t grain = row_grain(kMinDepthwiseWork, g.kernel_size * row_size);
    with_multiplier(multiplier, [&](auto m) {
        parallel_for(s.batch * s.out_length, grain, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const OutputRow taps = output_row(s, row);
                sum_of_products<Spread>(out + row * row_size, s.channels, m, [&](const auto& add) {
                    for (int64_t j = taps.begin; j < taps.end; ++j) {
                        add(x + taps.input_offset(j), kernel + j * row_size);
                    }
                });
            }
        });
    });
}

void depthwise_conv1d_backward_input(const Conv1DSizes& s, int64_t multiplier, const float* grad,
                                     const float* kernel, float* grad_x) {
    const Conv1DGeometry& g = s.geometry;
    if (multiplier == 1 && g.stride == 1) {
        correlate(input_gradient_correlation(s), s.batch, grad, kernel, grad_x);
        return;
    }
    const int64_t row_size = s.channels * multiplier;
    const int64_t grain = row_grain(kMinDepthwiseWork, g.kernel_size * row_size);
    with_multiplier(multiplier, [&](auto m) {
        // Gather form: input row (b, i) sums the output rows whose taps read it, so each row is
        // written by one chunk only.
        parallel_for(s.batch * s.length, grain, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const int64_t b = row / s.length;
                const int64_t padded_position = row % s.length + g.pad_left;
                sum_of_products<Contract>(
                    grad_x + row * s.channels, s.channels, m, [&](const auto& add) {
                        for (int64_t j = 0; j < g.kernel_size; ++j) {
                            const int64_t offset = padded_position - j * g.dilation;  // t * stride
                            if (offset < 0) break;
                            if (g.stride != 1 && offset % g.stride != 0) continue;
                            const int64_t t = g.stride == 1 ? offset : offset / g.stride;
                            if (t >= s.out_length) continue;
                            add(grad + (b * s.out_length + t) * row_size, kernel + j * row_size);
                        }
                    });
            }
        });
    });
}

namespace {

/// The kernel gradient into grad_kernel, over chunks of output rows fixed by the sizes; after
/// each chunk, while its gradient rows are in cache, calls after_chunk(chunk, chunks).
template <class AfterChunk>
void kernel_gradient(const Conv1DSizes& s, int64_t multiplier, const float* grad, const float* x,
                     float* grad_kernel, const AfterChunk& after_chunk) {
    const Conv1DGeometry& g = s.geometry;
    const int64_t row_size = s.channels * multiplier;
    const int64_t kernel_numel = g.kernel_size * row_size;
    const int64_t rows = s.batch * s.out_length;
    const int64_t grain = partial_rows(kMinDepthwiseWork, kernel_numel, g.kernel_size);
    const int64_t chunks = chunk_count(rows, grain);
    Tensor partials = empty({chunks, kernel_numel});
    float* p = partials.data();
    // Multiplier 1: per channel vector and block of taps, each tap's sum over the chunk's rows
    // stays in a register, and each gradient row, loaded once, serves the block's taps.
    const auto tap_blocks = [&](int64_t begin, int64_t end, float* partial) {
        for_each_channel_vector(s.channels, [&](auto lanes, int64_t c) {
            using V = decltype(lanes);
            for (int64_t j = 0; j < g.kernel_size; j += kMaxBlockTaps) {
                with_tap_count(
                    std::min(kMaxBlockTaps, g.kernel_size - j),
                    [&](auto taps) {
                        kernel_gradient_taps<V, taps>(s, grad + c, x + c, j, begin, end,
                                                      partial + c);
                    },
                    std::make_integer_sequence<int64_t, kMaxBlockTaps>{});
            }
        });
    };
    // Other multipliers: tap by tap, so that each tap's sum over the chunk's rows stays in
    // registers.
    const auto taps_in_turn = [&](int64_t begin, int64_t end, float* partial, auto m) {
        for (int64_t j = 0; j < g.kernel_size; ++j) {
            const int64_t shift = j * g.dilation - g.pad_left;  // input position - t * stride
            const StepRange inside = steps_reading_inside(s, shift);
            sum_of_products<Spread>(partial + j * row_size, s.channels, m, [&](const auto& add) {
                for (int64_t b = begin / s.out_length; b * s.out_length < end; ++b) {
                    const int64_t first = std::max(inside.begin, begin - b * s.out_length);
                    const int64_t last = std::min(inside.end, end - b * s.out_length);
                    for (int64_t t = first; t < last; ++t) {
                        add(x + (b * s.length + t * g.stride + shift) * s.channels,
                            grad + (b * s.out_length + t) * row_size);
                    }
                }
            });
        }
    };
    with_multiplier(multiplier, [&](auto m) {
        parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
            float* partial = p + begin / grain * kernel_numel;
            if constexpr (std::is_same_v<decltype(m), std::integral_constant<int64_t, 1>>) {
                tap_blocks(begin, end, partial);
            } else {
                taps_in_turn(begin, end, partial, m);
            }
            after_chunk(begin / grain, chunks);
        });
    });
    sum_partials(p, chunks, kernel_numel, grad_kernel);
}

}  // namespace

void depthwise_conv1d_backward_kernel(const Conv1DSizes& s, int64_t multiplier, const float* grad,
                                      const float* x, float* grad_kernel) {
    kernel_gradient(s, multiplier, grad, x, grad_kernel, [](int64_t, int64_t) {});
}

void depthwise_conv1d_backward(const Conv1DSizes& s, int64_t multiplier, const float* grad,
                               const float* x, const float* kernel, float* grad_x,
                               float* grad_kernel) {
    if (grad_x && grad_kernel && multiplier == 1 && s.geometry.stride == 1) {
        // Chunk k of the kernel gradient's output rows also computes the k-th of as many ranges
        // of input rows, which read about the same gradient rows: one pass over the gradient
        // instead of two.
        const Correlation correlation = input_gradient_correlation(s);
        const int64_t input_rows = s.batch * s.length;
        kernel_gradient(s, 1, grad, x, grad_kernel, [&](int64_t chunk, int64_t chunks) {
            const int64_t per_chunk = ceil_div(input_rows, chunks);
            correlate_range(correlation, grad, kernel, grad_x, chunk * per_chunk,
                            std::min(input_rows, (chunk + 1) * per_chunk));
        });
        return;
    }
    if (grad_x) depthwise_conv1d_backward_input(s, multiplier, grad, kernel, grad_x);
    if (grad_kernel) depthwise_conv1d_backward_kernel(s, multiplier, grad, x, grad_kernel);
}

// ---- grouped ----

void conv1d_forward(const Conv1DSizes& s, int64_t filters, int64_t groups, const float* x,
                    const float* kernel, float* out) {
    const GroupLayout layout(s, filters, groups);
    const int64_t block_work = kColumnRows * layout.width * layout.group_filters * groups;
    const int64_t grain = kColumnRows * row_grain(kMinGemmWork, block_work);
    const int64_t rows = s.batch * s.out_length;
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        Tensor col = empty({kColumnRows * layout.width * groups});
        for (int64_t row = begin; row < end; row += kColumnRows) {
            const int64_t block = std::min(kColumnRows, end - row);
            gather_columns(s, layout, x, row, block, col.data());
            for (int64_t g = 0; g < groups; ++g) {
                const Eigen::Map<const RowMajorMatrix> col_g(col.data() + g * block * layout.width,
                                                             block, layout.width);
                layout.filter_columns<StridedMap>(out + row * filters, block, g).noalias() =
                    col_g * layout.filter_columns<ConstStridedMap>(kernel, layout.width, g);
            }
        }
    });
}

void conv1d_backward(const Conv1DSizes& s, int64_t filters, int64_t groups, const float* grad,
                     const float* x, const float* kernel, float* grad_x, float* grad_kernel) {
    const GroupLayout layout(s, filters, groups);
    const int64_t kernel_numel = layout.width * filters;
    // Tasks are whole batch elements, so that each task's col2im writes only its own rows of
    // grad_x, and each adds its kernel gradient into its own partial sum.
    const int64_t row_work = layout.width * layout.group_filters * groups;
    const int64_t task_rows = partial_rows(kMinGemmWork, row_work, s.geometry.kernel_size);
    const int64_t batches_per_task =
        std::max<int64_t>(1, ceil_div(task_rows, std::max<int64_t>(1, s.out_length)));
    const int64_t tasks = chunk_count(s.batch, batches_per_task);
    Tensor partials = empty({grad_kernel ? tasks : 0, kernel_numel});
    const BackwardBlocks blocks{s, layout, grad, x, kernel};
    parallel_for(tasks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t first_batch = task * batches_per_task;
            const int64_t end_batch = std::min(s.batch, first_batch + batches_per_task);
            if (grad_x) {
                std::fill(grad_x + first_batch * s.length * s.channels,
                          grad_x + end_batch * s.length * s.channels, 0.0f);
            }
            float* partial = nullptr;
            if (grad_kernel) {
                partial = partials.data() + task * kernel_numel;
                std::fill(partial, partial + kernel_numel, 0.0f);
            }
            blocks.run(first_batch * s.out_length, end_batch * s.out_length, grad_x, partial);
        }
    });
    if (grad_kernel) sum_partials(partials.data(), tasks, kernel_numel, grad_kernel);
}

}  // namespace minidl::kernels
