// Conv1D (layers/conv1d.cpp) against PyTorch float64 references of tf.keras 2.x's layer
// (tests/data/conv1d_fixtures.json, written by scripts/gen_sepconv_fixtures.py): every padding
// and data format, strides, dilations, groups, activations and bias, in output and gradients.

#include <catch2/catch.hpp>
#include <iostream>

#include "fixture_support.hpp"
#include "minidl/layers/conv1d.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

layers::Conv1DOptions conv1d_options(const FixtureJson& config) {
    layers::Conv1DOptions options;
    options.filters = testing::keras_int(config, "filters");
    options.groups = testing::keras_int(config, "groups");
    testing::read_conv1d_options(config, options);
    return options;
}

}  // namespace

TEST_CASE("Conv1D matches PyTorch float64 references in output and gradients") {
    const FixtureJson cases = testing::load_fixture_cases("conv1d_fixtures.json");
    REQUIRE(cases.size() >= 60);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        layers::Conv1D layer(conv1d_options(fixture.at("config")));
        testing::check_layer_against_fixture(layer, fixture, worst);
    }
    std::cout << worst.summary("Conv1D (" + std::to_string(cases.size()) + " cases)") << "\n";
}
