#include "minidl/layers/permute.hpp"

#include <algorithm>
#include <numeric>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/from_config_support.hpp"
#include "minidl/layers/reshape.hpp"

namespace minidl::layers {

Permute::Permute(const PermuteOptions& options)
    : Layer("permute", options.name, options.trainable), options_(options) {
    std::vector<int64_t> sorted = options_.dims;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> expected(sorted.size());
    std::iota(expected.begin(), expected.end(), int64_t{1});
    if (sorted != expected) {
        throw ValueError(name() +
                         ": invalid permutation 'dims': the indices must be consecutive and "
                         "start from 1, got dims=" +
                         int_list_to_string(options_.dims));
    }
    if (static_cast<int64_t>(options_.dims.size()) + 1 > Shape::kMaxRank) {
        throw ValueError(name() + ": 'dims' may have at most " +
                         std::to_string(Shape::kMaxRank - 1) +
                         " axes, got dims=" + int_list_to_string(options_.dims));
    }
}

void Permute::check_input(const Shape& input_shape) const {
    const int expected_rank = static_cast<int>(options_.dims.size()) + 1;
    if (input_shape.rank() != expected_rank) {
        throw ShapeError(
            name() + ": expected an input of rank " + std::to_string(expected_rank) +
            " (the batch axis plus one per entry of dims=" + int_list_to_string(options_.dims) +
            "), got shape " + input_shape.to_string());
    }
}

Shape Permute::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    Shape output{input_shape[0]};
    for (int64_t dim : options_.dims) output.push_back(input_shape[static_cast<int>(dim)]);
    return output;
}

Tensor Permute::call(const Tensor& x, bool /*training*/) {
    Axes axes = {0};
    axes.insert(axes.end(), options_.dims.begin(), options_.dims.end());
    return permute(x, axes);
}

Json Permute::config() const {
    Json config = Layer::config();
    config["dims"] = options_.dims;
    return config;
}

std::unique_ptr<Permute> Permute::from_config(const Json& config) {
    ConfigReader reader(config, "Permute config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    const PermuteOptions options{.dims = read_int_list(reader, "dims")};
    return finish_from_config<Permute>(reader, base, options);
}

}  // namespace minidl::layers
