// Helpers for tests that compare configs with the JSON tf.keras writes (tests/data/keras_configs).
#pragma once

#include <catch2/catch.hpp>

#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/separable_conv1d.hpp"

namespace minidl::testing {

/// tests/data/keras_configs/<name>, parsed.
inline Json read_keras_fixture(const std::string& name) {
    const std::string path = std::string(MINIDL_TEST_DATA_DIR) + "/keras_configs/" + name;
    std::ifstream file(path);
    REQUIRE(file.good());
    return Json::parse(file);
}

/// The message of the IOError `action` must throw.
template <class F>
std::string io_error_of(F&& action) {
    try {
        action();
    } catch (const IOError& error) {
        return error.what();
    } catch (const std::exception& error) {
        FAIL("expected an IOError, got: " << error.what());
    }
    FAIL("expected an IOError, nothing was thrown");
    return {};
}

/// The keys of a JSON object, in order.
inline std::vector<std::string> keys_of(const Json& object) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.items()) {
        (void)value;
        keys.push_back(key);
    }
    return keys;
}

/// `json` with tf.keras >= 2.13's nested-object fields ("module", "registered_name") dropped:
/// tf.keras <= 2.12's form, which minidl's layer configs use.
inline Json legacy_form(const Json& json) {
    if (json.is_array()) {
        Json result = Json::array();
        for (const Json& item : json) result.push_back(legacy_form(item));
        return result;
    }
    if (!json.is_object()) return json;
    const bool keras_object = json.contains("class_name");
    Json result = Json::object();
    for (const auto& [key, value] : json.items()) {
        if (keras_object && (key == "module" || key == "registered_name")) continue;
        result[key] = legacy_form(value);
    }
    return result;
}

/// Both the JSON values and their key order (ordered_json's == is not enough to say why).
inline void check_same_config(const Json& actual, const Json& expected) {
    INFO("actual:   " << actual.dump());
    INFO("expected: " << expected.dump());
    CHECK(keys_of(actual) == keys_of(expected));
    CHECK(actual == expected);
    CHECK(actual.dump() == expected.dump());
}

/// The arguments of the SeparableConv1D "sep_conv" of the fixtures (separable_conv1d_tf2_13.json
/// and the sequential_sepconv_*.json), but its depthwise initializer, which differs among them.
inline void check_fixture_sep_conv(const layers::SeparableConv1D& sep) {
    const layers::SeparableConv1DOptions& options = sep.options();
    CHECK(sep.name() == "sep_conv");
    CHECK(options.filters == 8);
    CHECK(options.kernel_size == 5);
    CHECK(options.padding == Padding::Causal);
    CHECK(options.dilation_rate == 2);
    CHECK(options.depth_multiplier == 2);
    CHECK(options.activation.name() == "relu");
    CHECK(options.pointwise_initializer.class_name() == "RandomNormal");
    CHECK(options.bias_initializer.class_name() == "Constant");
    CHECK(options.depthwise_regularizer);
    CHECK_FALSE(options.pointwise_regularizer);
    CHECK(options.bias_regularizer);
    CHECK(options.activity_regularizer);
    CHECK(options.depthwise_constraint);
    CHECK(options.pointwise_constraint);
    CHECK(options.bias_constraint);
}

}  // namespace minidl::testing
