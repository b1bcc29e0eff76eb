// Gradient check shared by the op tests: compares backward() with central differences.
//
// The objective is sum(f(inputs) * w) with a fixed random weighting w, so every output element
// and every input element is exercised. Tensors are float32; the objective is accumulated in
// double, and the tolerances are loose enough for float rounding but fail a wrong gradient
// (a missing term, a wrong factor or sign; see test_autograd.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

namespace minidl::testing {

struct GradCheckOptions {
    double eps = 1e-3;   ///< central-difference step
    double atol = 5e-3;  ///< absolute tolerance
    double rtol = 1e-2;  ///< relative tolerance (of the numeric derivative)
};

struct GradCheckResult {
    bool ok = true;
    double max_abs_error = 0.0;
    std::string report;  ///< the first mismatches, for INFO()
};

using Function = std::function<Tensor(const std::vector<Tensor>&)>;

inline double weighted_sum(const Tensor& y, const Tensor& w) {
    double total = 0.0;
    const float* py = y.data();
    const float* pw = w.data();
    for (int64_t i = 0; i < y.numel(); ++i) total += static_cast<double>(py[i]) * pw[i];
    return total;
}

/// Checks the gradient of `f` with respect to each of `inputs` (copied; the originals are left
/// as they are). Inputs listed in `constant` are not differentiated (e.g. integer labels).
inline GradCheckResult gradcheck(const Function& f, std::vector<Tensor> inputs,
                                 GradCheckOptions options = {},
                                 std::vector<std::size_t> constant = {}) {
    auto is_constant = [&](std::size_t i) {
        return std::find(constant.begin(), constant.end(), i) != constant.end();
    };
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        inputs[i] = inputs[i].detach().clone();
        if (!is_constant(i)) inputs[i].requires_grad_(true);
    }
    const Tensor y = f(inputs);
    Generator gen(20261125);
    const Tensor w = uniform(y.shape(), -1.0f, 1.0f, gen);
    sum(y * w).backward();

    GradCheckResult result;
    std::ostringstream report;
    int mismatches = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (is_constant(i)) continue;
        const Tensor& x = inputs[i];
        const Tensor grad = x.grad();
        float* values = x.data();
        for (int64_t j = 0; j < x.numel(); ++j) {
            const float saved = values[j];
            double objective[2];
            for (int side = 0; side < 2; ++side) {
                values[j] = static_cast<float>(saved + (side == 0 ? options.eps : -options.eps));
                NoGradGuard no_grad;
                objective[side] = weighted_sum(f(inputs), w);
            }
            values[j] = saved;
            const double numeric = (objective[0] - objective[1]) / (2.0 * options.eps);
            const double analytic = grad.defined() ? grad.data()[j] : 0.0;
            const double error = std::abs(numeric - analytic);
            result.max_abs_error = std::max(result.max_abs_error, error);
            if (!(error <= options.atol + options.rtol * std::abs(numeric))) {
                result.ok = false;
                if (mismatches++ < 5) {
                    report << "input " << i << " element " << j << ": analytic " << analytic
                           << ", numeric " << numeric << "\n";
                }
            }
        }
    }
    result.report = report.str();
    return result;
}

}  // namespace minidl::testing

/// Asserts that `f` (a callable taking const std::vector<Tensor>&) passes gradcheck on `inputs`.
#define CHECK_GRADIENTS(f, ...)                                                     \
    do {                                                                            \
        const auto gradcheck_result = ::minidl::testing::gradcheck(f, __VA_ARGS__); \
        INFO(gradcheck_result.report);                                              \
        CHECK(gradcheck_result.ok);                                                 \
    } while (false)
