// small_gemm against a product summed in double, over the shapes that exercise its blocks:
// narrow (<= 32 columns) and wide products, partial row blocks and partial vectors, a second
// column panel, A read through strides (the transposed tile of the kernel gradient), C inside a
// wider array (ldc > n), accumulation, and k = 0.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "minidl/core/kernels/small_gemm.hpp"

namespace {

/// Deterministic values in [-1, 1) that are not round binary fractions.
std::vector<float> values(int64_t n, int seed) {
    std::vector<float> v(static_cast<size_t>(n));
    uint32_t state = 2654435761u * static_cast<uint32_t>(seed + 1);
    for (auto& x : v) {
        state = state * 1664525u + 1013904223u;
        x = static_cast<float>(state >> 8) / float(1 << 23) - 1.0f;
    }
    return v;
}

struct Shape {
    int64_t m, n, k;
};

}  // namespace

TEST_CASE("small_gemm equals the product summed in double", "[small_gemm]") {
    const std::vector<Shape> shapes{{1, 1, 1},     {12, 32, 8}, {13, 33, 7},   {256, 16, 8},
                                    {256, 64, 64}, {7, 75, 19}, {25, 130, 40}, {64, 64, 256},
                                    {5, 3, 300},   {6, 64, 1}};
    for (const Shape& s : shapes) {
        for (const bool transposed_a : {false, true}) {
            for (const bool accumulate : {false, true}) {
                CAPTURE(s.m, s.n, s.k, transposed_a, accumulate);
                const int64_t ldb = s.n + 3, ldc = s.n + 5;
                const std::vector<float> a = values(s.m * s.k, 1);
                const std::vector<float> b = values(s.k * ldb, 2);
                const std::vector<float> c0 = values(s.m * ldc, 3);
                // A [m, k] row-major, or stored as its transpose [k, m] and read through strides.
                const minidl::kernels::StridedMatrix view =
                    transposed_a ? minidl::kernels::StridedMatrix{a.data(), 1, s.m}
                                 : minidl::kernels::StridedMatrix{a.data(), s.k, 1};
                std::vector<float> c = c0;
                minidl::kernels::small_gemm(s.m, s.n, s.k, view, b.data(), ldb, c.data(), ldc,
                                            accumulate);
                for (int64_t i = 0; i < s.m; ++i) {
                    for (int64_t j = 0; j < ldc; ++j) {
                        const float got = c[i * ldc + j];
                        if (j >= s.n) {
                            REQUIRE(got == c0[i * ldc + j]);  // outside C: untouched
                            continue;
                        }
                        double expected = accumulate ? c0[i * ldc + j] : 0.0;
                        for (int64_t p = 0; p < s.k; ++p) {
                            const float a_ip = transposed_a ? a[p * s.m + i] : a[i * s.k + p];
                            expected += double{a_ip} * b[p * ldb + j];
                        }
                        REQUIRE(got == Approx(expected).margin(1e-5 * (s.k + 1)));
                    }
                }
            }
        }
    }
}

TEST_CASE("small_gemm with k = 0 zeroes C, or leaves it when accumulating", "[small_gemm]") {
    const std::vector<float> b(1);
    for (const bool accumulate : {false, true}) {
        std::vector<float> c(40 * 70, 2.5f);
        minidl::kernels::small_gemm(40, 70, 0, {b.data(), 0, 1}, b.data(), 70, c.data(), 70,
                                    accumulate);
        for (const float x : c) REQUIRE(x == (accumulate ? 2.5f : 0.0f));
    }
}
