// DepthwiseConv1D (layers/depthwise_conv1d.cpp) against PyTorch float64 references of tf.keras
// 2.x's layer (tests/data/depthwise_conv1d_fixtures.json, written by
// scripts/gen_sepconv_fixtures.py): valid and same padding, both data formats, strides,
// dilations, depth multipliers, activations and bias, in output and gradients.

#include <catch2/catch.hpp>
#include <iostream>

#include "fixture_support.hpp"
#include "minidl/layers/depthwise_conv1d.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

layers::DepthwiseConv1DOptions depthwise_options(const FixtureJson& config) {
    layers::DepthwiseConv1DOptions options;
    options.depth_multiplier = testing::keras_int(config, "depth_multiplier");
    testing::read_conv1d_options(config, options);
    return options;
}

}  // namespace

TEST_CASE("DepthwiseConv1D matches PyTorch float64 references in output and gradients") {
    const FixtureJson cases = testing::load_fixture_cases("depthwise_conv1d_fixtures.json");
    REQUIRE(cases.size() >= 60);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        layers::DepthwiseConv1D layer(depthwise_options(fixture.at("config")));
        testing::check_layer_against_fixture(layer, fixture, worst);
    }
    std::cout << worst.summary("DepthwiseConv1D (" + std::to_string(cases.size()) + " cases)")
              << "\n";
}
