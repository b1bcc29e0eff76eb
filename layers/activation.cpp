#include "minidl/layers/activation.hpp"

#include <array>
#include <utility>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {
namespace {

struct NamedActivation {
    const char* name;
    Tensor (*function)(const Tensor&);
};

// Keras's activations.get() names; each wraps the core op with Keras's default arguments.
const std::array<NamedActivation, 18> kActivations = {{
    {"linear", [](const Tensor& x) { return x; }},
    {"relu", [](const Tensor& x) { return relu(x); }},
    {"relu6", [](const Tensor& x) { return relu6(x); }},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
    {"elu", [](const Tensor& x) { return elu(x); }},
    {"selu", [](const Tensor& x) { return selu(x); }},
    {"softplus", [](const Tensor& x) { return softplus(x); }},
    {"softsign", [](const Tensor& x) { return softsign(x); }},
    {"swish", [](const Tensor& x) { return swish(x); }},
    {"silu", [](const Tensor& x) { return silu(x); }},
    {"gelu", [](const Tensor& x) { return gelu(x); }},
    {"exponential", [](const Tensor& x) { return exponential(x); }},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
    {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }},
    {"tanh", [](const Tensor& x) { return minidl::tanh(x); }},
    {"mish", [](const Tensor& x) { return mish(x); }},
    {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
    {"log_softmax", [](const Tensor& x) { return log_softmax(x, -1); }},
}};

const NamedActivation& find_activation(const std::string& name) {
    const std::string wanted = lowercase(name);
    for (const auto& activation : kActivations) {
        if (wanted == activation.name) return activation;
    }
    std::string known;
    for (const auto& activation : kActivations) {
        known += known.empty() ? "" : ", ";
        known += activation.name;
    }
    throw ValueError("activation: unknown activation '" + name + "' (known: " + known + ")");
}

}  // namespace

Activation::Activation() : Activation("linear") {}

Activation::Activation(const char* name) : Activation(std::string(name)) {}

Activation::Activation(const std::string& name) {
    const NamedActivation& activation = find_activation(name);
    function_ = activation.function;
    name_ = activation.name;
}

Activation::Activation(Function function, std::string name)
    : function_(std::move(function)), name_(std::move(name)) {
    if (!function_) throw ValueError("activation '" + name_ + "': the function is empty");
}

Activation Activation::from_json(const Json& value, const std::string& key) {
    if (value.is_null()) return Activation();
    if (!value.is_string()) {
        throw ValueError("'" + key + "': expected an activation name, got " + value.dump());
    }
    try {
        return Activation(value.get<std::string>());
    } catch (const ValueError& error) {
        throw ValueError("'" + key + "': " + error.what());
    }
}

}  // namespace minidl
