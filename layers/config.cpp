#include "minidl/layers/config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include "minidl/core/error.hpp"

namespace minidl {

KerasObject parse_keras_object(const Json& reference, const std::string& key) {
    if (reference.is_string()) return {reference.get<std::string>(), Json::object()};
    if (!reference.is_object()) {
        throw ValueError("'" + key +
                         "': expected a name or a {\"class_name\", \"config\"} object, got " +
                         reference.dump());
    }
    const auto class_name = reference.find("class_name");
    if (class_name == reference.end() || !class_name->is_string()) {
        throw ValueError("'" + key +
                         "': the object has no string \"class_name\": " + reference.dump());
    }
    for (const auto& [field, value] : reference.items()) {
        if (field != "class_name" && field != "config" && field != "module" &&
            field != "registered_name") {
            throw ValueError("'" + key + "': unknown field '" + field + "' in " + reference.dump());
        }
        (void)value;
    }
    KerasObject object{class_name->get<std::string>(), Json::object()};
    const auto config = reference.find("config");
    if (config != reference.end() && !config->is_null()) {
        if (!config->is_object()) {
            throw ValueError("'" + key + "': \"config\" must be an object, got " + config->dump());
        }
        object.config = *config;
    }
    return object;
}

Json keras_object(const std::string& class_name, Json config) {
    Json object = Json::object();
    object["class_name"] = class_name;
    object["config"] = std::move(config);
    return object;
}

std::string lowercase(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

std::string canonical_name(std::string_view name) {
    std::string result = lowercase(name);
    std::erase(result, '_');
    return result;
}

Json whole_as_int(double value) {
    constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
    if (std::abs(value) < kExactIntegers && value == std::trunc(value)) {
        return static_cast<int64_t>(value);
    }
    return value;
}

ConfigReader::ConfigReader(const Json& config, std::string context)
    : config_(config), context_(std::move(context)) {
    if (!config_.is_object()) {
        throw ValueError(context_ + ": expected a JSON object, got " + config_.dump());
    }
}

const Json* ConfigReader::take_present(std::string_view key) {
    read_.emplace(key);
    const auto it = config_.find(key);
    return it == config_.end() ? nullptr : &*it;
}

const Json* ConfigReader::take(std::string_view key) {
    const Json* value = take_present(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

int64_t ConfigReader::get_int(std::string_view key, int64_t default_value) {
    const Json* value = take(key);
    if (value == nullptr) return default_value;
    const Json* scalar = value;
    if (value->is_array()) {
        if (value->size() != 1)
            fail(key, "must be an integer or a 1-element list, got " + value->dump());
        scalar = &(*value)[0];
    }
    const bool fits = !scalar->is_number_unsigned() ||
                      scalar->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
    if (scalar->is_number_integer() && fits) return scalar->get<int64_t>();
    // Python writes 3.0 for a float that holds an integer; accept exact integers only.
    // The range check comes first: converting an out-of-range double to int64_t is undefined.
    if (scalar->is_number_float()) {
        const double number = scalar->get<double>();
        constexpr double kLimit = 9007199254740992.0;  // 2^53: every integer below is exact
        if (std::abs(number) <= kLimit && number == std::trunc(number)) {
            return static_cast<int64_t>(number);
        }
    }
    fail(key, "must be an integer, got " + value->dump());
}

int64_t ConfigReader::require_int(std::string_view key) {
    const Json* value = take(key);
    if (value == nullptr) fail(key, "is required");
    return get_int(key, 0);
}

double ConfigReader::get_number(std::string_view key, double default_value) {
    const Json* value = take(key);
    if (value == nullptr) return default_value;
    if (!value->is_number()) fail(key, "must be a number, got " + value->dump());
    return value->get<double>();
}

bool ConfigReader::get_bool(std::string_view key, bool default_value) {
    const Json* value = take(key);
    if (value == nullptr) return default_value;
    if (!value->is_boolean()) fail(key, "must be true or false, got " + value->dump());
    return value->get<bool>();
}

std::string ConfigReader::get_string(std::string_view key, const std::string& default_value) {
    const Json* value = take(key);
    if (value == nullptr) return default_value;
    if (!value->is_string()) fail(key, "must be a string, got " + value->dump());
    return value->get<std::string>();
}

void ConfigReader::ignore(std::string_view key) { read_.emplace(key); }

void ConfigReader::finish() const {
    for (const auto& [key, value] : config_.items()) {
        (void)value;
        if (!read_.contains(key)) {
            throw ValueError(context_ + ": unknown key '" + key + "'");
        }
    }
}

void ConfigReader::fail(std::string_view key, const std::string& problem) const {
    throw ValueError(context_ + ": '" + std::string(key) + "' " + problem);
}

}  // namespace minidl
