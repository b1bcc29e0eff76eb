// Helpers for tests that compare configs with the JSON tf.keras writes (tests/data/keras_configs).
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "minidl/layers/config.hpp"

namespace minidl::testing {

/// tests/data/keras_configs/<name>, parsed.
inline Json read_keras_fixture(const std::string& name) {
    const std::string path = std::string(MINIDL_TEST_DATA_DIR) + "/keras_configs/" + name;
    std::ifstream file(path);
    REQUIRE(file.good());
    return Json::parse(file);
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

}  // namespace minidl::testing
