#include "minidl/layers/config_fields.hpp"

#include "minidl/core/error.hpp"

namespace minidl {
namespace {

// Parses the value under `key` with `parse(json, key)`, prefixing errors with the config's
// context; `absent` when the key is missing. An explicit null goes to `parse`, as Keras's
// get(None) does: no regularizer, no constraint, a linear activation, and for an initializer
// add_weight's fallback, glorot_uniform (even where the argument's default is zeros).
template <class T, class Parse>
T read_field(ConfigReader& reader, std::string_view key, T absent, const Parse& parse) {
    const Json* value = reader.take_present(key);
    if (value == nullptr) return absent;
    try {
        return parse(*value, std::string(key));
    } catch (const ValueError& error) {
        throw ValueError(reader.context() + ": " + error.what());
    }
}

}  // namespace

initializers::Initializer read_initializer(ConfigReader& reader, std::string_view key,
                                           const initializers::Initializer& default_value) {
    return read_field(reader, key, default_value, &initializers::Initializer::from_json);
}

regularizers::Regularizer read_regularizer(ConfigReader& reader, std::string_view key) {
    return read_field(reader, key, regularizers::Regularizer(),
                      &regularizers::Regularizer::from_json);
}

constraints::Constraint read_constraint(ConfigReader& reader, std::string_view key) {
    return read_field(reader, key, constraints::Constraint(), &constraints::Constraint::from_json);
}

Activation read_activation(ConfigReader& reader, std::string_view key) {
    return read_field(reader, key, Activation(), &Activation::from_json);
}

}  // namespace minidl
