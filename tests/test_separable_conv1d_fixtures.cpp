// SeparableConv1D (layers/separable_conv1d.cpp) against PyTorch float64 references of tf.keras
// 2.x's layer (tests/data/sepconv_fixtures.json, written by scripts/gen_sepconv_fixtures.py):
// every padding and data format, strides, dilations, depth multipliers, activations and bias,
// in output and in the gradients of the input and the three weights.

#include <catch2/catch.hpp>
#include <iostream>
#include <vector>

#include "fixture_support.hpp"
#include "minidl/layers/separable_conv1d.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

layers::SeparableConv1DOptions separable_options(const FixtureJson& config) {
    layers::SeparableConv1DOptions options;
    options.filters = testing::keras_int(config, "filters");
    options.depth_multiplier = testing::keras_int(config, "depth_multiplier");
    testing::read_conv1d_options(config, options);
    return options;
}

}  // namespace

TEST_CASE("SeparableConv1D matches PyTorch float64 references in output and gradients") {
    const FixtureJson cases = testing::load_fixture_cases("sepconv_fixtures.json");
    REQUIRE(cases.size() >= 150);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        layers::SeparableConv1D layer(separable_options(fixture.at("config")));
        testing::check_layer_against_fixture(layer, fixture, worst);
    }
    std::cout << worst.summary("SeparableConv1D (" + std::to_string(cases.size()) + " cases)")
              << "\n";
}

TEST_CASE("the SeparableConv1D fixture comparison notices a small change in a weight") {
    const FixtureJson fixture = testing::load_fixture_cases("sepconv_fixtures.json").at(0);
    layers::SeparableConv1D layer(separable_options(fixture.at("config")));
    const Tensor x = testing::fixture_tensor(fixture.at("input"));
    layer.build(x.shape());
    std::vector<Tensor> weights;
    for (const FixtureJson& weight : fixture.at("weights")) {
        weights.push_back(testing::fixture_tensor(weight));
    }
    weights.at(1) = weights.at(1) * 1.001f;  // the pointwise kernel, 0.1% larger
    layer.set_weights(weights);
    CHECK(testing::relative_error(layer(x), fixture.at("output")) > 1e-5);
}
