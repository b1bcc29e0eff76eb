// Reference fixtures for the layer tests: loading the PyTorch float64 cases in tests/data (written
// by scripts/gen_sepconv_fixtures.py), and running a layer on a case to compare its output and
// gradients with them.
//
// A case holds a Keras "config", an "input", the "weights" in Keras order (each with its "name"),
// a "cotangent", the "output" and the "gradients" of sum(output * cotangent) by input and weight
// name; every tensor is {"shape": [...], "values": [...]} with row-major values.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/conv_utils.hpp"
#include "minidl/layers/layer.hpp"
#include "minidl/layers/registry.hpp"

namespace minidl::testing {

using FixtureJson = nlohmann::json;

/// The "cases" of tests/data/<file>.
inline FixtureJson load_fixture_cases(const std::string& file) {
    const std::string path = std::string(MINIDL_TEST_DATA_DIR) + "/" + file;
    std::ifstream stream(path);
    if (!stream) throw std::runtime_error("cannot open " + path);
    return FixtureJson::parse(stream).at("cases");
}

inline Shape fixture_shape(const FixtureJson& entry) {
    return Shape(entry.at("shape").get<std::vector<int64_t>>());
}

/// A fixture tensor as float32 (inputs and weights are stored as exact float32 values).
inline Tensor fixture_tensor(const FixtureJson& entry) {
    return tensor(entry.at("values").get<std::vector<float>>(), fixture_shape(entry));
}

/// max|actual - expected| / (1 + max|expected|): relative to the reference's scale, absolute near
/// zero. Infinite when the shapes differ or `actual` is undefined.
inline double relative_error(const Tensor& actual, const FixtureJson& expected) {
    if (!actual.defined() || actual.shape() != fixture_shape(expected)) {
        return std::numeric_limits<double>::infinity();
    }
    const std::vector<float> got = actual.to_vector();
    const auto& want = expected.at("values");
    double max_difference = 0.0;
    double max_reference = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double reference = want[i].get<double>();
        const double difference = std::abs(static_cast<double>(got[i]) - reference);
        // A NaN must fail, and std::max would drop it.
        max_difference = std::isnan(difference) ? difference : std::max(max_difference, difference);
        max_reference = std::max(max_reference, std::abs(reference));
    }
    return max_difference / (1.0 + max_reference);
}

/// The worst relative error of each quantity (output, each gradient) over the cases.
class WorstErrors {
  public:
    void record(const std::string& quantity, double error, const std::string& case_name) {
        for (Entry& entry : entries_) {
            if (entry.quantity != quantity) continue;
            if (!(error <= entry.error)) entry = {quantity, error, case_name};
            return;
        }
        entries_.push_back({quantity, error, case_name});
    }

    /// One line: "<title> worst relative error: output 3.1e-07 (case), ...".
    std::string summary(const std::string& title) const {
        std::ostringstream line;
        line << title << " worst relative error:" << std::setprecision(2) << std::scientific;
        for (const Entry& entry : entries_) {
            line << (&entry == entries_.data() ? " " : ", ") << entry.quantity << " " << entry.error
                 << " (" << entry.case_name << ")";
        }
        return line.str();
    }

  private:
    struct Entry {
        std::string quantity;
        double error;
        std::string case_name;
    };
    std::vector<Entry> entries_;
};

/// An integer Keras argument, written as an int or a one-element list ([3]).
inline int64_t keras_int(const FixtureJson& config, const char* key) {
    const FixtureJson& value = config.at(key);
    return value.is_array() ? value.at(0).get<int64_t>() : value.get<int64_t>();
}

/// Sets the arguments every 1-D convolution layer's options share from a case's Keras config.
template <class Options>
void read_conv1d_options(const FixtureJson& config, Options& options) {
    options.kernel_size = keras_int(config, "kernel_size");
    options.strides = keras_int(config, "strides");
    options.padding = config.at("padding").get<std::string>();
    options.data_format = config.at("data_format").get<std::string>();
    options.dilation_rate = keras_int(config, "dilation_rate");
    options.activation = config.at("activation").get<std::string>();
    options.use_bias = config.at("use_bias").get<bool>();
}

/// Checks one quantity against the reference and records its error.
inline void check_fixture_quantity(const std::string& quantity, const Tensor& actual,
                                   const FixtureJson& expected, const std::string& case_name,
                                   WorstErrors& worst, double tolerance) {
    const double error = relative_error(actual, expected);
    worst.record(quantity, error, case_name);
    INFO(quantity << ": relative error " << error << " (tolerance " << tolerance << ")");
    CHECK(error <= tolerance);
}

/// Builds `layer` (fresh, made from the case's config) for the case's input, sets the case's
/// weights, runs forward and backward with the cotangent, and checks the output and the gradients
/// of the input and of every weight (in weights() order, which must be the case's Keras order).
inline void check_layer_against_fixture(Layer& layer, const FixtureJson& fixture,
                                        WorstErrors& worst, double tolerance = 1e-5) {
    const std::string case_name = fixture.at("name").get<std::string>();
    INFO("case " << case_name << " " << fixture.at("config").dump());
    Tensor x = fixture_tensor(fixture.at("input")).requires_grad_();
    layer.build(x.shape());

    const FixtureJson& weight_fixtures = fixture.at("weights");
    const std::vector<Parameter> weights = layer.weights();
    REQUIRE(weights.size() == weight_fixtures.size());
    std::vector<Tensor> values;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const std::string name = weight_fixtures[i].at("name").get<std::string>();
        INFO("weight " << i << " is " << weights[i].name() << ", the case's is " << name);
        CHECK(weights[i].name().ends_with("/" + name));
        values.push_back(fixture_tensor(weight_fixtures[i]));
    }
    layer.set_weights(values);

    const Tensor y = layer(x);
    check_fixture_quantity("output", y, fixture.at("output"), case_name, worst, tolerance);
    REQUIRE(y.shape() == fixture_shape(fixture.at("cotangent")));
    y.backward(fixture_tensor(fixture.at("cotangent")));

    const FixtureJson& gradients = fixture.at("gradients");
    check_fixture_quantity("d input", x.grad(), gradients.at("input"), case_name, worst, tolerance);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const std::string name = weight_fixtures[i].at("name").get<std::string>();
        check_fixture_quantity("d " + name, weights[i].grad(), gradients.at(name), case_name, worst,
                               tolerance);
    }
}

/// Builds each case of tests/data/<file> whose "class_name" is `class_name` from its Keras config
/// through the layer registry and checks it with check_layer_against_fixture; there must be at
/// least `min_cases` of them. Prints the worst errors.
inline void check_registered_layer_fixtures(const std::string& file, const std::string& class_name,
                                            int min_cases) {
    const FixtureJson cases = load_fixture_cases(file);
    WorstErrors worst;
    int checked = 0;
    for (const FixtureJson& fixture : cases) {
        if (fixture.at("class_name") != class_name) continue;
        const Json wrapper = {{"class_name", class_name},
                              {"config", Json::parse(fixture.at("config").dump())}};
        const std::unique_ptr<Layer> layer = layers::from_config(wrapper);
        check_layer_against_fixture(*layer, fixture, worst);
        ++checked;
    }
    CHECK(checked >= min_cases);
    std::cout << worst.summary(class_name + " (" + std::to_string(checked) + " cases)") << "\n";
}

}  // namespace minidl::testing
