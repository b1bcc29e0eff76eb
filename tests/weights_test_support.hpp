// Shared by the weights-file tests: a small model with the flagship layers, trained a little,
// and bit-for-bit snapshots of its weights.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "test_support.hpp"

namespace minidl::testing {

/// Sequential: InputLayer (16, 8) -> SeparableConv1D(4, kernel 5, causal) ->
/// GlobalAveragePooling1D -> Dense(3). Layer names restart, so two models made by this
/// function have the same weight names (sequential/separable_conv1d/depthwise_kernel, ...).
inline Sequential flagship_model() {
    reset_layer_names();
    return Sequential(
        {layers::InputLayer({.input_shape = {16, 8}}),
         layers::SeparableConv1D({.filters = 4, .kernel_size = 5, .padding = "causal"}),
         layers::GlobalAveragePooling1D(), layers::Dense({.units = 3})});
}

/// Gives every weight values from `seed` (so no weight is left at zeros), then trains two steps.
inline void train_a_little(Sequential& model, uint64_t seed) {
    std::vector<Tensor> values;
    for (const Parameter& weight : model.weights())
        values.push_back(seeded_randn(weight.shape(), seed++));
    model.set_weights(values);
    model.compile("adam", "mse");
    const Tensor x = seeded_randn({8, 16, 8}, seed + 100);
    const Tensor y = seeded_randn({8, 3}, seed + 200);
    model.train_on_batch(x, y);
    model.train_on_batch(x, y);
}

/// The bits of every weight value, in weights() order.
inline std::vector<std::vector<uint32_t>> weight_bits(const Layer& model) {
    std::vector<std::vector<uint32_t>> bits;
    for (const Parameter& weight : model.weights()) {
        std::vector<uint32_t>& one = bits.emplace_back();
        for (const float value : weight.to_vector()) one.push_back(std::bit_cast<uint32_t>(value));
    }
    return bits;
}

}  // namespace minidl::testing
