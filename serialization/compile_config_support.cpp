// ObjectReader and Keras object references for the compile-config readers.
#include <algorithm>

#include "minidl/serialization/compile_config_internal.hpp"

namespace minidl::serialization::detail {

ObjectReader::ObjectReader(const JsonNode& node, std::string what)
    : node_(node), what_(std::move(what)) {
    if (!node_.value().is_object()) node_.fail(what_ + " must be a JSON object");
}

std::optional<JsonNode> ObjectReader::find(std::string_view key) {
    if (std::find(read_.begin(), read_.end(), key) == read_.end()) read_.emplace_back(key);
    std::optional<JsonNode> member = node_.find(key);
    if (member && member->value().is_null()) return std::nullopt;
    return member;
}

JsonNode ObjectReader::require(std::string_view key) {
    std::optional<JsonNode> member = find(key);
    if (!member) node_.fail(what_ + " needs '" + std::string(key) + "'");
    return *member;
}

double ObjectReader::number(std::string_view key, double default_value) {
    const std::optional<JsonNode> member = find(key);
    return member ? member->as_number() : default_value;
}

double ObjectReader::required_number(std::string_view key) { return require(key).as_number(); }

std::optional<double> ObjectReader::optional_number(std::string_view key,
                                                    std::optional<double> default_value) {
    const std::optional<JsonNode> member = find(key);
    return member ? std::optional<double>(member->as_number()) : default_value;
}

int64_t ObjectReader::integer(std::string_view key, int64_t default_value) {
    const std::optional<JsonNode> member = find(key);
    return member ? member->as_int() : default_value;
}

int64_t ObjectReader::required_integer(std::string_view key) { return require(key).as_int(); }

std::optional<int64_t> ObjectReader::optional_integer(std::string_view key) {
    const std::optional<JsonNode> member = find(key);
    return member ? std::optional<int64_t>(member->as_int()) : std::nullopt;
}

bool ObjectReader::boolean(std::string_view key, bool default_value) {
    const std::optional<JsonNode> member = find(key);
    return member ? member->as_bool() : default_value;
}

std::string ObjectReader::string(std::string_view key, const std::string& default_value) {
    const std::optional<JsonNode> member = find(key);
    return member ? member->as_string() : default_value;
}

void ObjectReader::require_null(std::string_view key, const std::string& why) {
    const std::optional<JsonNode> member = find(key);
    if (member) member->fail(what_ + ": '" + std::string(key) + "' must be null: " + why);
}

void ObjectReader::ignore(std::string_view key) { (void)find(key); }

void ObjectReader::finish() const {
    for (const auto& [key, value] : node_.value().items()) {
        (void)value;
        if (std::find(read_.begin(), read_.end(), key) != read_.end()) continue;
        std::string expected;
        for (const std::string& known : read_) expected += (expected.empty() ? "" : ", ") + known;
        node_.at(key).fail("unknown key \"" + key + "\" in " + what_ +
                           " (expected one of: " + expected + ")");
    }
}

KerasReference read_reference(const JsonNode& node, const std::string& what) {
    if (node.value().is_string()) return {node.as_string(), std::nullopt, node};
    if (!node.value().is_object()) {
        node.fail(what + " must be a name or a {\"class_name\", \"config\"} object, got " +
                  node.value().dump());
    }
    ObjectReader reader(node, what);
    const JsonNode class_name = reader.require("class_name");
    std::optional<JsonNode> config = reader.find("config");
    if (config) config->require_object();
    // tf.keras 2.13 and Keras 3 add where the class lives; minidl knows its classes by name.
    reader.ignore("module");
    reader.ignore("registered_name");
    reader.finish();
    return {class_name.as_string(), config, class_name};
}

}  // namespace minidl::serialization::detail
