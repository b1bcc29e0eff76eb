#include "minidl/layers/normalization_support.hpp"

#include <cmath>

#include "minidl/core/error.hpp"

namespace minidl::layers {

void check_normalization_epsilon(double epsilon, const std::string& layer_name) {
    if (!(epsilon > 0.0 && std::isfinite(epsilon))) {
        throw ValueError(layer_name + ": 'epsilon' must be a finite number > 0, got " +
                         format_number(epsilon));
    }
}

}  // namespace minidl::layers
