#include "minidl/layers/layer.hpp"

#include <map>
#include <mutex>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {
namespace {

struct NameCounters {
    std::mutex mutex;
    std::map<std::string, int64_t, std::less<>> next;
};

NameCounters& name_counters() {
    static NameCounters counters;
    return counters;
}

}  // namespace

std::string unique_layer_name(std::string_view prefix) {
    NameCounters& counters = name_counters();
    std::lock_guard lock(counters.mutex);
    auto [it, inserted] = counters.next.try_emplace(std::string(prefix), 0);
    const int64_t index = it->second++;
    return index == 0 ? std::string(prefix) : std::string(prefix) + "_" + std::to_string(index);
}

void require_positive_argument(int64_t value, const char* argument, const std::string& layer) {
    if (value < 1) {
        throw ValueError(layer + ": '" + argument + "' must be a positive integer, got " +
                         std::to_string(value));
    }
}

void reset_layer_names() {
    NameCounters& counters = name_counters();
    std::lock_guard lock(counters.mutex);
    counters.next.clear();
}

Layer::Layer(std::string_view prefix, std::string name, bool trainable)
    : name_(name.empty() ? unique_layer_name(prefix) : std::move(name)), trainable_(trainable) {}

Tensor Layer::operator()(const Tensor& x, bool training) {
    if (!x.defined()) throw ValueError(name_ + ": called with an undefined tensor");
    build(x.shape());
    check_input(x.shape());
    Tensor y = call(x, training);
    if (activity_regularizer_) {
        // tf.keras 2.x divides the activity penalty by the batch size.
        const int64_t batch = y.rank() > 0 ? y.size(0) : 1;
        activity_penalty_ =
            activity_regularizer_(y) / static_cast<float>(std::max<int64_t>(batch, 1));
    }
    return y;
}

void Layer::build(const Shape& input_shape) {
    if (built_) return;
    check_input(input_shape);
    // A weight that cannot be created (e.g. a constraint that does not fit its shape) must not
    // leave the ones created before it behind: the layer stays as it was.
    const std::size_t created_before = weights_.size();
    try {
        create_weights(input_shape);
    } catch (...) {
        weights_.resize(created_before);
        created_trainable_.resize(created_before);
        throw;
    }
    built_ = true;
}

Json Layer::config() const {
    Json config = Json::object();
    config["name"] = name_;
    config["trainable"] = trainable_;
    // tf.keras 2.x's base get_config writes batch_input_shape before dtype.
    if (batch_input_shape_) {
        Json shape = Json::array();
        for (int64_t size : *batch_input_shape_) shape.push_back(size < 0 ? Json() : Json(size));
        config["batch_input_shape"] = shape;
    }
    config["dtype"] = "float32";
    return config;
}

Json Layer::to_json() const { return keras_object(class_name(), config()); }

void Layer::set_trainable(bool trainable) {
    trainable_ = trainable;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        weights_[i].set_trainable(trainable && created_trainable_[i]);
    }
    for (const auto& layer : sublayers_) layer->set_trainable(trainable);
}

std::vector<Parameter> Layer::trainable_weights() const {
    std::vector<Parameter> result;
    if (!trainable_) return result;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        if (created_trainable_[i]) result.push_back(weights_[i]);
    }
    for (const auto& layer : sublayers_) {
        for (Parameter& weight : layer->trainable_weights()) result.push_back(std::move(weight));
    }
    return result;
}

std::vector<Parameter> Layer::non_trainable_weights() const {
    std::vector<Parameter> result;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        if (!trainable_ || !created_trainable_[i]) result.push_back(weights_[i]);
    }
    for (const auto& layer : sublayers_) {
        for (Parameter& weight : trainable_ ? layer->non_trainable_weights() : layer->weights())
            result.push_back(std::move(weight));
    }
    return result;
}

std::vector<Parameter> Layer::weights() const {
    std::vector<Parameter> result = trainable_weights();
    for (Parameter& weight : non_trainable_weights()) result.push_back(std::move(weight));
    return result;
}

int64_t Layer::count_params() const {
    int64_t count = 0;
    for (const Parameter& weight : weights_) count += weight.numel();
    for (const auto& layer : sublayers_) count += layer->count_params();
    return count;
}

std::vector<Tensor> Layer::get_weights() const {
    std::vector<Tensor> values;
    for (const Parameter& weight : weights()) values.push_back(weight.detach().clone());
    return values;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
    const std::vector<Parameter> targets = weights();
    if (values.size() != targets.size()) {
        throw ValueError(name_ + ": set_weights got " + std::to_string(values.size()) +
                         " tensors, but the layer has " + std::to_string(targets.size()) +
                         " weights" + (built_ ? "" : " (it is not built yet: call build() first)"));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i].defined() || !(values[i].shape() == targets[i].shape())) {
            throw ShapeError(name_ + ": set_weights: weight '" + targets[i].name() +
                             "' has shape " + targets[i].shape().to_string() + ", got " +
                             (values[i].defined() ? values[i].shape().to_string() : "undefined"));
        }
    }
    for (std::size_t i = 0; i < values.size(); ++i) targets[i].assign(values[i]);
}

std::vector<Tensor> Layer::losses() const {
    std::vector<Tensor> result;
    {
        NoGradGuard no_grad;
        for (const Parameter& weight : weights_) {
            if (weight.regularizer()) result.push_back(weight.penalty());
        }
    }
    if (activity_penalty_.defined()) result.push_back(activity_penalty_);
    for (const auto& layer : sublayers_) {
        for (Tensor& penalty : layer->losses()) result.push_back(std::move(penalty));
    }
    return result;
}

void Layer::track_layer(const std::shared_ptr<Layer>& layer) {
    if (!layer) throw ValueError(name_ + ": cannot track a null layer");
    if (layer.get() == this) throw ValueError(name_ + ": a layer cannot track itself");
    for (const auto& tracked : sublayers_) {
        if (tracked->name() == layer->name()) {
            throw ValueError(name_ + ": a layer named '" + layer->name() +
                             "' is already part of it; layer names must be unique");
        }
    }
    sublayers_.push_back(layer);
    layer->set_scope(scope_ + name_ + "/");
}

std::shared_ptr<Layer> Layer::untrack(std::size_t index) {
    if (index >= sublayers_.size()) {
        throw ValueError(name_ + ": no sublayer " + std::to_string(index) + " to remove (it has " +
                         std::to_string(sublayers_.size()) + ")");
    }
    std::shared_ptr<Layer> layer = sublayers_[index];
    sublayers_.erase(sublayers_.begin() + static_cast<std::ptrdiff_t>(index));
    return layer;
}

void Layer::set_scope(const std::string& scope) {
    const std::string old_prefix = scope_ + name_ + "/";
    scope_ = scope;
    const std::string new_prefix = scope_ + name_ + "/";
    for (const Parameter& weight : weights_)
        weight.set_name(new_prefix + weight.name().substr(old_prefix.size()));
    for (const auto& layer : sublayers_) layer->set_scope(new_prefix);
}

Parameter Layer::add_weight(const std::string& name, const Shape& shape,
                            const initializers::Initializer& initializer,
                            const regularizers::Regularizer& regularizer,
                            const constraints::Constraint& constraint, bool trainable) {
    const std::string full_name = scope_ + name_ + "/" + name;
    constraint.check_shape(shape, full_name);
    Parameter::RegularizerFn penalty;
    if (regularizer) penalty = regularizer;
    Parameter::ConstraintFn projection;
    if (constraint) projection = constraint;
    Tensor initial_value;
    try {
        initial_value = initializer(shape);
    } catch (const ValueError& error) {
        throw ValueError(full_name + ": " + error.what());
    }
    Parameter weight(full_name, std::move(initial_value), std::move(penalty), std::move(projection),
                     trainable && trainable_);
    weights_.push_back(weight);
    created_trainable_.push_back(trainable);
    return weight;
}

LayerBaseArguments read_layer_base_arguments(ConfigReader& reader) {
    LayerBaseArguments arguments;
    arguments.name = reader.get_string("name", "");
    arguments.trainable = reader.get_bool("trainable", true);
    if (const Json* dtype = reader.take("dtype")) {
        // Keras 3 writes a DTypePolicy object; its "name" is the dtype.
        Json name = *dtype;
        if (dtype->is_object()) {
            const auto config = dtype->find("config");
            name = config != dtype->end() && config->is_object() ? config->value("name", Json())
                                                                 : Json();
        }
        if (!name.is_string() || name.get<std::string>() != "float32") {
            reader.fail("dtype",
                        "must be \"float32\" (minidl computes in float32), got " + dtype->dump());
        }
    }
    if (const Json* shape = reader.take("batch_input_shape")) {
        if (!shape->is_array())
            reader.fail("batch_input_shape", "must be a list, got " + shape->dump());
        std::vector<int64_t> sizes;
        for (const Json& size : *shape) {
            if (size.is_null()) {
                sizes.push_back(-1);
            } else if (size.is_number_integer() && size.get<int64_t>() >= 0) {
                sizes.push_back(size.get<int64_t>());
            } else {
                reader.fail("batch_input_shape", "must hold sizes or null, got " + shape->dump());
            }
        }
        arguments.batch_input_shape = std::move(sizes);
    }
    return arguments;
}

Tensor regularization_loss(const Layer& layer) { return regularization_loss(layer.weights()); }

}  // namespace minidl
