#include "minidl/layers/normalization_support.hpp"

#include <algorithm>
#include <cmath>

#include "minidl/core/error.hpp"

namespace minidl::layers {

void check_normalization_epsilon(double epsilon, const std::string& layer_name) {
    if (!(epsilon > 0.0 && std::isfinite(epsilon))) {
        throw ValueError(layer_name + ": 'epsilon' must be a finite number > 0, got " +
                         format_number(epsilon));
    }
}

bool has_repeated_axes(Axes axes) {
    std::sort(axes.begin(), axes.end());
    return std::adjacent_find(axes.begin(), axes.end()) != axes.end();
}

Axes resolve_normalization_axes(const Axes& axes, const Shape& input_shape,
                                const std::function<std::string()>& describe) {
    const int64_t rank = input_shape.rank();
    Axes resolved;
    for (int64_t axis : axes) {
        const int64_t index = axis < 0 ? axis + rank : axis;
        if (index < 0 || index >= rank) {
            throw ShapeError(describe() + " is out of range for an input of shape " +
                             input_shape.to_string() + " (rank " + std::to_string(rank) + ")");
        }
        resolved.push_back(index);
    }
    if (has_repeated_axes(resolved)) {
        throw ShapeError(describe() + " names an axis twice for an input of shape " +
                         input_shape.to_string());
    }
    return resolved;
}

Shape sizes_along(const Shape& shape, const Axes& axes) {
    Shape sizes;
    for (int64_t axis : axes) sizes.push_back(shape[axis]);
    return sizes;
}

bool fits_built_shape(const Shape& shape, const Shape& built_shape, const Axes& axes) {
    if (shape.rank() != built_shape.rank()) return false;
    return std::all_of(axes.begin(), axes.end(),
                       [&](int64_t axis) { return shape[axis] == built_shape[axis]; });
}

Axes read_normalization_axes(ConfigReader& reader, NullAxis null_axis) {
    const bool null_is_none = null_axis == NullAxis::None;
    const Json* value = null_is_none ? reader.take_present("axis") : reader.take("axis");
    if (value == nullptr) return {-1};
    if (value->is_null()) return {};
    if (value->is_number_integer()) return {value->get<int64_t>()};
    Axes axes;
    if (value->is_array()) {
        for (const Json& axis : *value) {
            if (!axis.is_number_integer()) break;
            axes.push_back(axis.get<int64_t>());
        }
    }
    if (!value->is_array() || axes.size() != value->size()) {
        const char* expected = null_is_none ? "an integer, a list of integers or null"
                                            : "an integer or a list of integers";
        reader.fail("axis", std::string("must be ") + expected + ", got " + value->dump());
    }
    return axes;
}

}  // namespace minidl::layers
