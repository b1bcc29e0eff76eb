// Helpers shared inside optim/ (not part of the public API): the checks of options (optimizers'
// and schedules') and Eigen views of the blocks Optimizer::update() receives.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>

namespace minidl::optim::detail {

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

/// Throws ValueError "<optimizer>: <argument> must be in [0, 1), got <value>" unless
/// 0 <= value < 1 (Keras's betas).
void check_below_one(const std::string& optimizer, const char* argument, double value);
/// As check_below_one, for 0 <= value <= 1 (momentum, rho).
void check_fraction(const std::string& optimizer, const char* argument, double value);
/// Throws ValueError unless value is finite and >= 0 (epsilon, initial_accumulator_value).
void check_non_negative(const std::string& optimizer, const char* argument, double value);

/// Checks the options Adam, Adamax and Nadam share: beta_1 and beta_2 in [0, 1), epsilon >= 0.
template <class Options>
void check_moment_options(const std::string& optimizer, const Options& options) {
    check_below_one(optimizer, "beta_1", options.beta_1);
    check_below_one(optimizer, "beta_2", options.beta_2);
    check_non_negative(optimizer, "epsilon", options.epsilon);
}

/// The block's weights, gradient and slot `index` (Optimizer::UpdateView; a template because the
/// view type is protected in Optimizer).
template <class View>
ArrayMap weights(const View& view) {
    return {view.value, view.size};
}
template <class View>
ConstArrayMap gradient(const View& view) {
    return {view.grad, view.size};
}
template <class View>
ArrayMap slot(const View& view, std::size_t index) {
    return {view.slots[index], view.size};
}

/// An option as the float32 constant Keras's Python-float arithmetic turns into.
inline float f32(double value) { return static_cast<float>(value); }

}  // namespace minidl::optim::detail
