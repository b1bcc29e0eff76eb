#include "minidl/optim/optimizer.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/optim/update_support.hpp"

namespace minidl::optim {

namespace {

constexpr std::size_t kMaxSlots = 4;

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;

ArrayMap array_of(const Tensor& t) { return ArrayMap(t.data(), t.numel()); }

void check_positive_option(const std::string& optimizer, const char* argument,
                           const std::optional<double>& value) {
    if (value && !(std::isfinite(*value) && *value > 0.0)) {
        throw ValueError(optimizer + ": " + argument + " must be a positive number, got " +
                         format_number(*value));
    }
}

double squared_norm(const Tensor& t) { return array_of(t).cast<double>().square().sum(); }

Tensor copy_of(const Tensor& t) {
    Tensor copy = empty(t.shape());
    std::copy_n(t.data(), t.numel(), copy.data());
    return copy;
}

// The regularizer's gradient at the parameter's value, from a graph of its own on a detached
// leaf, so the user's graph and gradients are untouched; recorded even under a NoGradGuard.
Tensor regularizer_gradient(const Parameter& parameter) {
    AutoGradMode recording(true);
    Tensor value = parameter.detach();
    value.requires_grad_(true);
    const Tensor penalty = parameter.regularizer()(value);
    if (!penalty.requires_grad()) return Tensor();
    penalty.backward();
    return value.grad();
}

}  // namespace

Optimizer::Optimizer(std::string name, LearningRate learning_rate, CommonOptions common)
    : name_(std::move(name)), learning_rate_(std::move(learning_rate)), common_(common) {
    if (!learning_rate_.schedule())
        detail::check_non_negative(name_, "learning_rate", learning_rate_.at(0));
    if (common_.weight_decay) {
        detail::check_non_negative(name_, "weight_decay", *common_.weight_decay);
    }
    check_positive_option(name_, "clipnorm", common_.clipnorm);
    check_positive_option(name_, "clipvalue", common_.clipvalue);
    check_positive_option(name_, "global_clipnorm", common_.global_clipnorm);
    const int clip_modes = int(common_.clipnorm.has_value()) + int(common_.clipvalue.has_value()) +
                           int(common_.global_clipnorm.has_value());
    if (clip_modes > 1) {
        throw ValueError(name_ +
                         ": at most one of clipnorm, clipvalue and global_clipnorm may be set");
    }
}

void Optimizer::define_slot(std::string name, float initial_value) {
    if (!parameters_.empty() || slot_specs_.size() == kMaxSlots) {
        throw ValueError(name_ + ": slot '" + name + "' defined too late or once too often");
    }
    slot_specs_.push_back({std::move(name), initial_value});
}

std::size_t Optimizer::define_global(std::string name, float initial_value) {
    globals_.push_back({std::move(name), initial_value});
    return globals_.size() - 1;
}

float& Optimizer::global(std::size_t index) { return globals_.at(index).value; }

void Optimizer::add_parameters(const std::vector<Parameter>& parameters) {
    std::set<std::string> names;
    for (const Parameter& existing : parameters_) names.insert(existing.name());
    for (const Parameter& parameter : parameters) {
        if (!parameter.defined()) {
            throw ValueError(name_ + ": cannot optimize an undefined parameter");
        }
        // The state names slots by parameter name, so a name may appear once (which also catches
        // a parameter given twice).
        if (!names.insert(parameter.name()).second) {
            throw ValueError(name_ + ": parameter '" + parameter.name() +
                             "' is given twice (parameter names must be unique)");
        }
    }
    for (const Parameter& parameter : parameters) add_parameter(parameter);
}

void Optimizer::add_parameter(const Parameter& parameter) {
    ParameterState state;
    for (const SlotSpec& spec : slot_specs_) {
        state.slots.push_back(full(parameter.shape(), spec.initial_value));
    }
    parameters_.push_back(parameter);
    states_.push_back(std::move(state));
}

void Optimizer::set_learning_rate(double value) {
    if (learning_rate_.schedule()) {
        throw ValueError(name_ + ": the learning rate is a " +
                         learning_rate_.schedule()->class_name() +
                         " schedule and cannot be set to a constant");
    }
    detail::check_non_negative(name_, "learning_rate", value);
    learning_rate_ = LearningRate(value);
}

void Optimizer::zero_grad() {
    for (const Parameter& parameter : parameters_) parameter.zero_grad();
}

std::vector<std::size_t> Optimizer::gather_gradients() {
    std::vector<std::size_t> updated;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        const Parameter& parameter = parameters_[i];
        const Tensor grad = parameter.grad();
        if (!parameter.trainable() || (!grad.defined() && !parameter.regularizer())) continue;
        Tensor& effective = states_[i].effective_grad;
        if (!effective.defined()) effective = empty(parameter.shape());
        if (grad.defined()) {
            std::copy_n(grad.data(), grad.numel(), effective.data());
        } else {
            std::fill_n(effective.data(), effective.numel(), 0.0f);
        }
        if (parameter.regularizer()) {
            const Tensor penalty_grad = regularizer_gradient(parameter);
            if (penalty_grad.defined()) array_of(effective) += array_of(penalty_grad);
        }
        updated.push_back(i);
    }
    return updated;
}

// tf.clip_by_norm, tf.clip_by_global_norm and tf.clip_by_value, in their float32 arithmetic.
void Optimizer::clip(const std::vector<std::size_t>& updated) {
    if (common_.clipnorm) {
        const float limit = static_cast<float>(*common_.clipnorm);
        for (std::size_t i : updated) {
            ArrayMap g = array_of(states_[i].effective_grad);
            const float norm =
                static_cast<float>(std::sqrt(squared_norm(states_[i].effective_grad)));
            g = g * limit / std::max(norm, limit);
        }
    } else if (common_.global_clipnorm) {
        const float limit = static_cast<float>(*common_.global_clipnorm);
        double total = 0.0;
        for (std::size_t i : updated) total += squared_norm(states_[i].effective_grad);
        const float norm = static_cast<float>(std::sqrt(total));
        // As tf.clip_by_global_norm: a NaN or infinite norm makes every gradient NaN rather than
        // letting 1 / inf = 0 silently skip the step.
        const float scale = std::isfinite(norm) ? limit * std::min(1.0f / norm, 1.0f / limit)
                                                : std::numeric_limits<float>::quiet_NaN();
        for (std::size_t i : updated) array_of(states_[i].effective_grad) *= scale;
    } else if (common_.clipvalue) {
        const float limit = static_cast<float>(*common_.clipvalue);
        for (std::size_t i : updated) {
            ArrayMap g = array_of(states_[i].effective_grad);
            g = g.max(-limit).min(limit);
        }
    }
}

void Optimizer::step() {
    const std::vector<std::size_t> updated = gather_gradients();
    if (updated.empty()) {
        throw ValueError(name_ +
                         ".step: no trainable parameter has a gradient or a regularizer "
                         "(was backward() called?)");
    }
    clip(updated);
    const StepContext context{static_cast<float>(learning_rate_.at(iterations_)), iterations_ + 1};
    if (common_.weight_decay) {
        const float decay = static_cast<float>(*common_.weight_decay);
        for (std::size_t i : updated) {
            ArrayMap w = array_of(parameters_[i]);
            w -= w * decay * context.learning_rate;
        }
    }
    prepare_step(context);
    for (std::size_t i : updated) {
        const Parameter& parameter = parameters_[i];
        const ParameterState& state = states_[i];
        parallel_for(parameter.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
            std::array<float*, kMaxSlots> slots{};
            for (std::size_t s = 0; s < state.slots.size(); ++s) {
                slots[s] = state.slots[s].data() + begin;
            }
            update({parameter.data() + begin, state.effective_grad.data() + begin,
                    std::span<float* const>(slots.data(), state.slots.size()), end - begin},
                   context);
        });
    }
    for (std::size_t i : updated) parameters_[i].apply_constraint();
    ++iterations_;
}

OptimizerState Optimizer::state() const {
    OptimizerState state{name_, iterations_, learning_rate(), {}};
    for (const Global& global : globals_)
        state.tensors.emplace_back(global.name, scalar(global.value));
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        for (std::size_t s = 0; s < slot_specs_.size(); ++s) {
            state.tensors.emplace_back(slot_specs_[s].name + "/" + parameters_[i].name(),
                                       copy_of(states_[i].slots[s]));
        }
    }
    return state;
}

void Optimizer::load_state(const OptimizerState& state) {
    const std::string context = name_ + ".load_state: ";
    if (state.optimizer != name_) {
        throw ValueError(context + "the state is of a '" + state.optimizer + "' optimizer");
    }
    if (state.iterations < 0) {
        throw ValueError(context + "iterations must be >= 0, got " +
                         std::to_string(state.iterations));
    }
    if (!learning_rate_.schedule())
        detail::check_non_negative(name_, "learning_rate", state.learning_rate);
    std::map<std::string, Tensor> given;
    for (const auto& [name, value] : state.tensors) {
        if (!value.defined()) throw ValueError(context + "'" + name + "' is undefined");
        if (!given.emplace(name, value).second) {
            throw ValueError(context + "'" + name + "' is given twice");
        }
    }
    auto take = [&](const std::string& name, const Shape& shape) -> Tensor {
        const auto found = given.find(name);
        if (found == given.end()) throw ValueError(context + "missing '" + name + "'");
        if (!(found->second.shape() == shape)) {
            throw ShapeError(context + "'" + name + "' has shape " +
                             found->second.shape().to_string() + ", expected " + shape.to_string());
        }
        Tensor value = found->second;
        given.erase(found);
        return value;
    };
    // Everything is checked before anything is written.
    std::vector<float> global_values;
    for (const Global& global : globals_)
        global_values.push_back(take(global.name, Shape()).item());
    std::vector<std::vector<Tensor>> slot_values(parameters_.size());
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        for (const SlotSpec& spec : slot_specs_) {
            slot_values[i].push_back(
                take(spec.name + "/" + parameters_[i].name(), parameters_[i].shape()));
        }
    }
    if (!given.empty()) {
        throw ValueError(context + "unexpected '" + given.begin()->first + "' (no such slot or " +
                         "parameter in this " + name_ + ")");
    }
    iterations_ = state.iterations;
    if (!learning_rate_.schedule()) learning_rate_ = LearningRate(state.learning_rate);
    for (std::size_t g = 0; g < globals_.size(); ++g) globals_[g].value = global_values[g];
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        for (std::size_t s = 0; s < slot_specs_.size(); ++s) {
            const Tensor& source = slot_values[i][s];
            std::copy_n(source.data(), source.numel(), states_[i].slots[s].data());
        }
    }
}

}  // namespace minidl::optim
