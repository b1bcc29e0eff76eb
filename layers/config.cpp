#include "minidl/layers/config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <vector>

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

ConfigError::ConfigError(std::string pointer, std::string problem)
    : ValueError(pointer.empty() ? problem : pointer + ": " + problem),
      pointer_(std::move(pointer)),
      problem_(std::move(problem)) {}

std::string json_pointer_token(std::string_view key) {
    std::string token = "/";
    for (const char c : key) {
        if (c == '~') {
            token += "~0";
        } else if (c == '/') {
            token += "~1";
        } else {
            token += c;
        }
    }
    return token;
}

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// Levenshtein distance, for telling a misspelt key.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// The texts `message` quotes ('...' or "..."), in order.
std::vector<std::string> quoted_texts(const std::string& message) {
    std::vector<std::string> texts;
    for (std::size_t open = 0; open < message.size(); ++open) {
        const char quote = message[open];
        if (quote != '\'' && quote != '"') continue;
        const std::size_t close = message.find(quote, open + 1);
        if (close == std::string::npos) break;
        texts.push_back(message.substr(open + 1, close - open - 1));
        open = close;
    }
    return texts;
}

struct NamedKey {
    std::string key;   ///< empty when the message names no key of the config
    std::string hint;  ///< added to the message, e.g. for a misspelt key
};

/// The key of `config` that `message` names: the first quoted text that is a key (messages
/// quote the argument: "unknown key 'kernal_size'", "'filters' must be ..."), else the first
/// word directly before a ':' that is one ("padding: expected one of ..."), else a key spelt
/// within two letters of a quoted text ("'kernel_size' is required" when the config has
/// "kernal_size").
NamedKey named_key(const std::string& message, const Json& config) {
    if (!config.is_object()) return {};
    const std::vector<std::string> quoted = quoted_texts(message);
    for (const std::string& text : quoted) {
        if (config.contains(text)) return {text, ""};
    }
    for (std::size_t colon = message.find(':'); colon != std::string::npos;
         colon = message.find(':', colon + 1)) {
        std::size_t start = colon;
        while (start > 0 && is_word_char(message[start - 1])) --start;
        const std::string word = message.substr(start, colon - start);
        if (!word.empty() && config.contains(word)) return {word, ""};
    }
    constexpr std::size_t kMaxTypos = 2;
    for (const std::string& text : quoted) {
        if (text.size() <= kMaxTypos + 1) continue;
        for (const auto& [key, value] : config.items()) {
            (void)value;
            if (edit_distance(text, key) <= kMaxTypos) {
                return {key, " ('" + key + "' is not an argument of this layer: is it '" + text +
                                 "' misspelt?)"};
            }
        }
    }
    return {};
}

}  // namespace

ConfigError locate_config_error(const Error& error, const Json& config, const std::string& prefix) {
    if (const auto* located = dynamic_cast<const ConfigError*>(&error)) {
        return ConfigError(prefix + located->pointer(), located->problem());
    }
    const std::string message = error.what();
    const NamedKey named = named_key(message, config);
    if (named.key.empty()) return ConfigError(prefix, message);
    return ConfigError(prefix + json_pointer_token(named.key), message + named.hint);
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
