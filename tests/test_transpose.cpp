// copy_transposed: every element lands at its transposed place, for whole 16x16 blocks, partial
// blocks at both edges, and strided source and destination; nothing outside is written.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "minidl/core/kernels/transpose.hpp"

TEST_CASE("copy_transposed writes the transpose and nothing else", "[transpose]") {
    const std::vector<std::pair<int64_t, int64_t>> shapes{{1, 1},  {16, 16},  {17, 5},
                                                          {3, 40}, {64, 256}, {33, 31}};
    for (const auto& [rows, cols] : shapes) {
        CAPTURE(rows, cols);
        const int64_t src_stride = cols + 7, dst_stride = rows + 9;
        std::vector<float> src(static_cast<size_t>(rows * src_stride));
        for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<float>(i) + 0.5f;
        std::vector<float> dst(static_cast<size_t>(cols * dst_stride), -1.0f);
        minidl::kernels::copy_transposed(src.data(), src_stride, rows, cols, dst.data(),
                                         dst_stride);
        for (int64_t j = 0; j < cols; ++j) {
            for (int64_t i = 0; i < dst_stride; ++i) {
                const float expected = i < rows ? src[i * src_stride + j] : -1.0f;
                REQUIRE(dst[j * dst_stride + i] == expected);
            }
        }
    }
}
