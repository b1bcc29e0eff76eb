// Keras configs as JSON: the Json type, tf.keras's nested object references, and ConfigReader,
// which reads a config key by key so that every error names the key.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "minidl/core/error.hpp"

namespace minidl {

/// JSON that keeps keys in insertion order, so configs list their keys in Keras's order.
using Json = nlohmann::ordered_json;

/// A reference to a Keras object (initializer, regularizer, constraint) as tf.keras writes it:
/// a name ("l2"), {"class_name", "config"} (tf.keras <= 2.12), or the same with "module" and
/// "registered_name" (tf.keras >= 2.13, Keras 3).
struct KerasObject {
    std::string class_name;        ///< as written ("L2", "glorot_uniform")
    Json config = Json::object();  ///< empty when the reference was a plain name
};

/// Parses a reference; `key` names it in errors (e.g. "depthwise_regularizer"). Throws
/// ValueError for other JSON types, a missing class_name or a config that is not an object.
KerasObject parse_keras_object(const Json& reference, const std::string& key);

/// {"class_name": class_name, "config": config}, the form tf.keras 2.x writes nested objects in.
Json keras_object(const std::string& class_name, Json config);

/// `name` lower-cased with '_' removed, so "GlorotUniform", "glorot_uniform" and
/// "GLOROT_UNIFORM" compare equal (Keras accepts both the function and the class spelling).
std::string canonical_name(std::string_view name);

/// Lower-cased ASCII.
std::string lowercase(std::string_view text);

/// `value` as JSON, an integer when it is a whole number, as Python writes an int argument
/// (MaxNorm's default max_value is 2, not 2.0).
Json whole_as_int(double value);

/// A ValueError about one value of a config, located by a JSON Pointer relative to the config
/// being read: "/layers/2/config/kernal_size" for a Sequential config, "" for the config itself.
/// A reader of a nested config prefixes the pointer with where that config sits, so that a file
/// reader can name the exact place ("model.json: /config/layers/2/config/kernal_size: ...").
class ConfigError : public ValueError {
  public:
    /// what() is "<pointer>: <problem>", or the problem alone for an empty pointer.
    ConfigError(std::string pointer, std::string problem);
    const std::string& pointer() const { return pointer_; }
    const std::string& problem() const { return problem_; }

  private:
    std::string pointer_;
    std::string problem_;
};

/// "/" and `key` escaped as a JSON Pointer reference token (RFC 6901: '~' is "~0", '/' is "~1").
std::string json_pointer_token(std::string_view key);

/// `error`, thrown while reading `config`, as a ConfigError located under `prefix`: a ConfigError
/// keeps its own pointer after `prefix`; any other error is placed at the key of `config` its
/// message names (the first quoted word that is a key, else the first word before a ':' that
/// is one), or at `config` itself.
ConfigError locate_config_error(const Error& error, const Json& config, const std::string& prefix);

/// Reads one config object: each getter marks its key as read, applies Keras's default when the
/// key is absent (or null), and throws ValueError naming `context` and the key when the value has
/// the wrong type. finish() rejects keys nobody read.
class ConfigReader {
  public:
    /// `context` starts every message, e.g. "SeparableConv1D config". Throws ValueError when
    /// `config` is not an object.
    ConfigReader(const Json& config, std::string context);

    /// The value of `key` (marking it read), or nullptr when absent or null.
    const Json* take(std::string_view key);
    /// As take(), but an explicit null is returned (as a null value), not nullptr: for keys
    /// where Keras treats None differently from an absent argument.
    const Json* take_present(std::string_view key);
    /// An integer, also accepted as a one-element list ([5], Keras's 1-tuples).
    int64_t get_int(std::string_view key, int64_t default_value);
    /// As get_int, for a key Keras requires (no default): absent or null is an error.
    int64_t require_int(std::string_view key);
    double get_number(std::string_view key, double default_value);
    bool get_bool(std::string_view key, bool default_value);
    std::string get_string(std::string_view key, const std::string& default_value);
    /// Accepts `key` without using it (keys tf.keras writes that minidl has no use for).
    void ignore(std::string_view key);
    /// Throws ValueError naming the first key that was not read.
    void finish() const;
    /// Throws ValueError "<context>: '<key>' <problem>".
    [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

    const std::string& context() const { return context_; }

  private:
    const Json& config_;
    std::string context_;
    std::set<std::string, std::less<>> read_;
};

}  // namespace minidl
