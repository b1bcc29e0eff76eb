// Optimizers and learning-rate schedules as tf.keras 2.13 configures them (keras/optimizers/
// optimizer.py and each optimizer's get_config; keras/optimizers/schedules). docs/formats.md,
// "Compile config".
#include <array>
#include <cmath>

#include "minidl/optim/adadelta.hpp"
#include "minidl/optim/adagrad.hpp"
#include "minidl/optim/adam.hpp"
#include "minidl/optim/adamax.hpp"
#include "minidl/optim/get.hpp"
#include "minidl/optim/nadam.hpp"
#include "minidl/optim/rmsprop.hpp"
#include "minidl/optim/sgd.hpp"
#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/compile_config_internal.hpp"

namespace minidl::serialization {

namespace {

using detail::exactly;
using detail::ObjectReader;

Json optional_number(const std::optional<double>& value) {
    return value ? Json(*value) : Json(nullptr);
}

// ---- schedules ----

Json numbers(const std::vector<double>& values, bool whole_as_integers) {
    Json list = Json::array();
    for (double value : values)
        list.push_back(whole_as_integers ? whole_as_int(value) : Json(value));
    return list;
}

std::vector<double> read_numbers(const JsonNode& node) {
    std::vector<double> values;
    for (std::size_t i = 0; i < node.size(); ++i) values.push_back(node.at(i).as_number());
    return values;
}

// Keras's schedules take an optional tf name scope, which minidl's have no use for.
void ignore_schedule_name(ObjectReader& reader) {
    if (const std::optional<JsonNode> name = reader.find("name")) (void)name->as_string();
}

std::shared_ptr<const optim::LearningRateSchedule> read_schedule(const std::string& class_name,
                                                                 ObjectReader& reader) {
    if (class_name == "ExponentialDecay" || class_name == "InverseTimeDecay") {
        const double initial = reader.required_number("initial_learning_rate");
        const int64_t steps = reader.required_integer("decay_steps");
        const double rate = reader.required_number("decay_rate");
        const bool staircase = reader.boolean("staircase", false);
        ignore_schedule_name(reader);
        reader.finish();
        if (class_name == "ExponentialDecay") {
            return std::make_shared<optim::ExponentialDecay>(
                optim::ExponentialDecayOptions{initial, steps, rate, staircase});
        }
        return std::make_shared<optim::InverseTimeDecay>(
            optim::InverseTimeDecayOptions{initial, steps, rate, staircase});
    }
    if (class_name == "PiecewiseConstantDecay") {
        optim::PiecewiseConstantDecayOptions options;
        options.boundaries = read_numbers(reader.require("boundaries"));
        options.values = read_numbers(reader.require("values"));
        ignore_schedule_name(reader);
        reader.finish();
        return std::make_shared<optim::PiecewiseConstantDecay>(std::move(options));
    }
    if (class_name == "CosineDecay") {
        optim::CosineDecayOptions options;
        options.initial_learning_rate = reader.required_number("initial_learning_rate");
        options.decay_steps = reader.required_integer("decay_steps");
        options.alpha = reader.number("alpha", 0.0);
        ignore_schedule_name(reader);
        options.warmup_target = reader.optional_number("warmup_target");
        options.warmup_steps = reader.integer("warmup_steps", 0);
        reader.finish();
        return std::make_shared<optim::CosineDecay>(options);
    }
    if (class_name == "PolynomialDecay") {
        optim::PolynomialDecayOptions options;
        options.initial_learning_rate = reader.required_number("initial_learning_rate");
        options.decay_steps = reader.required_integer("decay_steps");
        options.end_learning_rate = reader.number("end_learning_rate", 0.0001);
        options.power = reader.number("power", 1.0);
        options.cycle = reader.boolean("cycle", false);
        ignore_schedule_name(reader);
        reader.finish();
        return std::make_shared<optim::PolynomialDecay>(options);
    }
    return nullptr;
}

constexpr const char* kSchedules =
    "ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay, PolynomialDecay";

// ---- optimizers ----

// What every optimizer's config holds besides its own options.
struct BaseKeys {
    optim::LearningRate learning_rate = 0.0;
    optim::CommonOptions common;
    bool legacy = false;  ///< a tf.keras < 2.11 (or keras.optimizers.legacy) config
};

// Keras's class names, and whether a legacy optimizer of that name has the same update rule.
struct OptimizerClass {
    const char* name;
    bool legacy_rule_is_the_same;
};
constexpr std::array<OptimizerClass, 8> kOptimizers = {{{"SGD", true},
                                                        {"Adam", true},
                                                        {"AdamW", true},
                                                        {"RMSprop", true},
                                                        {"Adagrad", false},
                                                        {"Adadelta", true},
                                                        {"Adamax", true},
                                                        {"Nadam", false}}};

// The keys Optimizer.get_config writes first, in its order. Keras's EMA and XLA keys are read and
// checked: minidl has no EMA, and jit_compile only chooses how TF runs the same update.
Json write_base_keys(const optim::Optimizer& optimizer) {
    const optim::CommonOptions& common = optimizer.common_options();
    Json config = Json::object();
    config["name"] = optimizer.name();
    config["weight_decay"] = optional_number(common.weight_decay);
    config["clipnorm"] = optional_number(common.clipnorm);
    config["global_clipnorm"] = optional_number(common.global_clipnorm);
    config["clipvalue"] = optional_number(common.clipvalue);
    config["use_ema"] = false;
    config["ema_momentum"] = 0.99;
    config["ema_overwrite_frequency"] = nullptr;
    config["jit_compile"] = false;
    config["is_legacy_optimizer"] = false;
    const optim::LearningRate& rate = optimizer.learning_rate_setting();
    config["learning_rate"] =
        rate.schedule() ? detail::schedule_config(*rate.schedule()) : Json(rate.at(0));
    return config;
}

BaseKeys read_base_keys(ObjectReader& reader, const std::string& class_name, double default_rate) {
    BaseKeys base;
    if (const std::optional<JsonNode> name = reader.find("name")) (void)name->as_string();
    base.common.weight_decay = reader.optional_number("weight_decay");
    base.common.clipnorm = reader.optional_number("clipnorm");
    base.common.global_clipnorm = reader.optional_number("global_clipnorm");
    base.common.clipvalue = reader.optional_number("clipvalue");
    if (const std::optional<JsonNode> use_ema = reader.find("use_ema");
        use_ema && use_ema->as_bool())
        use_ema->fail(class_name +
                      ": use_ema is not supported (minidl has no moving average of "
                      "the weights)");
    (void)reader.number("ema_momentum", 0.99);
    (void)reader.optional_integer("ema_overwrite_frequency");
    (void)reader.boolean("jit_compile", false);
    base.legacy = reader.boolean("is_legacy_optimizer", false);

    // The rate: "learning_rate", or the legacy "lr"; a number or a schedule.
    std::optional<JsonNode> rate = reader.find("learning_rate");
    if (const std::optional<JsonNode> lr = reader.find("lr")) {
        if (rate) lr->fail(class_name + ": both 'lr' and 'learning_rate' are given");
        rate = lr;
    }
    if (!rate) {
        base.learning_rate = default_rate;
    } else if (rate->value().is_object()) {
        base.learning_rate = detail::schedule_from_config(*rate);
    } else {
        base.learning_rate = rate->as_number();
    }

    // Legacy optimizers' time-based decay, lr / (1 + decay * iterations), is InverseTimeDecay
    // with decay_steps 1. The new optimizers have no "decay" (Keras rejects it).
    if (const std::optional<JsonNode> decay = reader.find("decay")) {
        base.legacy = true;
        const double value = decay->as_number();
        if (value != 0.0) {
            if (!std::isfinite(value) || value < 0.0)
                decay->fail(class_name + ": decay must be a finite number >= 0");
            if (base.learning_rate.schedule())
                decay->fail(class_name + ": decay with a learning-rate schedule is not supported");
            base.learning_rate = detail::rethrow_at(*decay, [&] {
                return optim::LearningRate(
                    optim::InverseTimeDecay({.initial_learning_rate = base.learning_rate.at(0),
                                             .decay_steps = 1,
                                             .decay_rate = value}));
            });
        }
    }
    return base;
}

template <class Options>
void set_base(Options& options, const BaseKeys& base) {
    options.learning_rate = base.learning_rate;
    options.weight_decay = base.common.weight_decay;
    options.clipnorm = base.common.clipnorm;
    options.clipvalue = base.common.clipvalue;
    options.global_clipnorm = base.common.global_clipnorm;
}

/// The keys Adam, AdamW, Adamax and Nadam share, in Keras's order.
template <class Options>
void write_moments(Json& config, const Options& options) {
    config["beta_1"] = options.beta_1;
    config["beta_2"] = options.beta_2;
    config["epsilon"] = options.epsilon;
}

template <class Options>
void read_moments(ObjectReader& reader, Options& options) {
    options.beta_1 = reader.number("beta_1", options.beta_1);
    options.beta_2 = reader.number("beta_2", options.beta_2);
    options.epsilon = reader.number("epsilon", options.epsilon);
}

// Reads an optimizer's config; `legacy` tells whether it was a legacy optimizer's.
std::unique_ptr<optim::Optimizer> read_optimizer(const std::string& class_name,
                                                 ObjectReader& reader, bool& legacy) {
    // Reads the base keys into `options` and notes whether the config is a legacy one.
    const auto read_base = [&](auto& options) {
        const BaseKeys base = read_base_keys(reader, class_name, options.learning_rate.at(0));
        set_base(options, base);
        legacy = base.legacy;
    };
    if (class_name == "SGD") {
        optim::SGDOptions options;
        read_base(options);
        options.momentum = reader.number("momentum", options.momentum);
        options.nesterov = reader.boolean("nesterov", options.nesterov);
        reader.finish();
        return std::make_unique<optim::SGD>(options);
    }
    if (class_name == "Adam" || class_name == "AdamW") {
        optim::AdamWOptions options;  // AdamW's and Adam's fields; weight_decay set below
        read_base(options);
        if (class_name == "AdamW" && !reader.node().value().contains("weight_decay"))
            options.weight_decay = 0.004;  // AdamW's default when the config leaves it out
        read_moments(reader, options);
        options.amsgrad = reader.boolean("amsgrad", options.amsgrad);
        reader.finish();
        if (class_name == "AdamW") return std::make_unique<optim::AdamW>(options);
        return std::make_unique<optim::Adam>(optim::AdamOptions{
            options.learning_rate, options.beta_1, options.beta_2, options.epsilon, options.amsgrad,
            options.weight_decay, options.clipnorm, options.clipvalue, options.global_clipnorm});
    }
    if (class_name == "RMSprop") {
        optim::RMSpropOptions options;
        read_base(options);
        options.rho = reader.number("rho", options.rho);
        options.momentum = reader.number("momentum", options.momentum);
        options.epsilon = reader.number("epsilon", options.epsilon);
        options.centered = reader.boolean("centered", options.centered);
        reader.finish();
        if (legacy && options.momentum == 0.0) {
            reader.node().fail(
                "a legacy RMSprop without momentum adds epsilon outside the square root, "
                "minidl's (tf.keras >= 2.11) inside it: it cannot be loaded as the same optimizer");
        }
        return std::make_unique<optim::RMSprop>(options);
    }
    if (class_name == "Adagrad") {
        optim::AdagradOptions options;
        read_base(options);
        options.initial_accumulator_value =
            reader.number("initial_accumulator_value", options.initial_accumulator_value);
        options.epsilon = reader.number("epsilon", options.epsilon);
        reader.finish();
        return std::make_unique<optim::Adagrad>(options);
    }
    if (class_name == "Adadelta") {
        optim::AdadeltaOptions options;
        read_base(options);
        options.rho = reader.number("rho", options.rho);
        options.epsilon = reader.number("epsilon", options.epsilon);
        reader.finish();
        return std::make_unique<optim::Adadelta>(options);
    }
    // Adamax and Nadam share their options.
    optim::MomentOptions options;
    read_base(options);
    read_moments(reader, options);
    reader.finish();
    if (class_name == "Adamax") return std::make_unique<optim::Adamax>(options);
    return std::make_unique<optim::Nadam>(options);
}

// A class name as tf.keras writes it: "Adam", or "Custom>Adam" (tf.keras 2.11-2.13 register
// their optimizers under the package "Custom"); letter case does not matter, as in
// tf.keras.optimizers.deserialize. Fails listing the known names.
const OptimizerClass& find_optimizer_class(const detail::KerasReference& reference) {
    std::string name = reference.class_name;
    if (name.starts_with("Custom>")) name = name.substr(7);
    std::string known;
    for (const OptimizerClass& entry : kOptimizers) {
        if (lowercase(name) == lowercase(entry.name)) return entry;
        known += (known.empty() ? "" : ", ") + std::string(entry.name);
    }
    reference.class_name_node.fail("unknown optimizer '" + reference.class_name +
                                   "' (known: " + known + ")");
}

}  // namespace

namespace detail {

Json schedule_config(const optim::LearningRateSchedule& schedule) {
    Json config = Json::object();
    if (const auto* s = exactly<optim::ExponentialDecay>(schedule)) {
        config["initial_learning_rate"] = s->options().initial_learning_rate;
        config["decay_steps"] = s->options().decay_steps;
        config["decay_rate"] = s->options().decay_rate;
        config["staircase"] = s->options().staircase;
        config["name"] = nullptr;
    } else if (const auto* s = exactly<optim::InverseTimeDecay>(schedule)) {
        config["initial_learning_rate"] = s->options().initial_learning_rate;
        config["decay_steps"] = s->options().decay_steps;
        config["decay_rate"] = s->options().decay_rate;
        config["staircase"] = s->options().staircase;
        config["name"] = nullptr;
    } else if (const auto* s = exactly<optim::PiecewiseConstantDecay>(schedule)) {
        config["boundaries"] = numbers(s->options().boundaries, true);
        config["values"] = numbers(s->options().values, false);
        config["name"] = nullptr;
    } else if (const auto* s = exactly<optim::CosineDecay>(schedule)) {
        config["initial_learning_rate"] = s->options().initial_learning_rate;
        config["decay_steps"] = s->options().decay_steps;
        config["alpha"] = s->options().alpha;
        config["name"] = nullptr;
        config["warmup_target"] = optional_number(s->options().warmup_target);
        config["warmup_steps"] = s->options().warmup_steps;
    } else if (const auto* s = exactly<optim::PolynomialDecay>(schedule)) {
        config["initial_learning_rate"] = s->options().initial_learning_rate;
        config["decay_steps"] = s->options().decay_steps;
        config["end_learning_rate"] = s->options().end_learning_rate;
        config["power"] = s->options().power;
        config["cycle"] = s->options().cycle;
        config["name"] = nullptr;
    } else {
        throw ValueError("optimizer_config: the learning-rate schedule " + schedule.class_name() +
                         " has no config (minidl writes " + kSchedules + ")");
    }
    return keras_object(schedule.class_name(), std::move(config));
}

std::shared_ptr<const optim::LearningRateSchedule> schedule_from_config(const JsonNode& node) {
    const KerasReference reference = read_reference(node, "learning-rate schedule");
    if (!reference.config)
        node.fail("learning-rate schedule " + reference.class_name + " needs a \"config\" object");
    ObjectReader reader(*reference.config, reference.class_name + " config");
    auto schedule =
        rethrow_at(*reference.config, [&] { return read_schedule(reference.class_name, reader); });
    if (!schedule) {
        reference.class_name_node.fail("unknown learning-rate schedule '" + reference.class_name +
                                       "' (known: " + kSchedules + ")");
    }
    return schedule;
}

}  // namespace detail

Json optimizer_config(const optim::Optimizer& optimizer) {
    Json config = write_base_keys(optimizer);
    if (const auto* o = exactly<optim::SGD>(optimizer)) {
        config["momentum"] = o->options().momentum;
        config["nesterov"] = o->options().nesterov;
    } else if (const auto* o = exactly<optim::Adam>(optimizer)) {
        write_moments(config, o->options());
        config["amsgrad"] = o->options().amsgrad;
    } else if (const auto* o = exactly<optim::AdamW>(optimizer)) {
        // Keras's AdamW repeats weight_decay, which stays where the base config put it.
        write_moments(config, o->options());
        config["amsgrad"] = o->options().amsgrad;
    } else if (const auto* o = exactly<optim::RMSprop>(optimizer)) {
        config["rho"] = o->options().rho;
        config["momentum"] = o->options().momentum;
        config["epsilon"] = o->options().epsilon;
        config["centered"] = o->options().centered;
    } else if (const auto* o = exactly<optim::Adagrad>(optimizer)) {
        config["initial_accumulator_value"] = o->options().initial_accumulator_value;
        config["epsilon"] = o->options().epsilon;
    } else if (const auto* o = exactly<optim::Adadelta>(optimizer)) {
        config["rho"] = o->options().rho;
        config["epsilon"] = o->options().epsilon;
    } else if (const auto* o = exactly<optim::Adamax>(optimizer)) {
        write_moments(config, o->options());
    } else if (const auto* o = exactly<optim::Nadam>(optimizer)) {
        write_moments(config, o->options());
    } else {
        throw ValueError("optimizer_config: the optimizer class " + optimizer.name() +
                         " has no config (minidl writes SGD, Adam, AdamW, RMSprop, Adagrad, "
                         "Adadelta, Adamax and Nadam)");
    }
    return keras_object(optimizer.name(), std::move(config));
}

std::unique_ptr<optim::Optimizer> optimizer_from_config(const JsonNode& node) {
    const detail::KerasReference reference = detail::read_reference(node, "optimizer");
    const OptimizerClass& entry = find_optimizer_class(reference);
    // A name, as compile("adam") takes it, or an object without a config: Keras's defaults.
    if (!reference.config) return optim::get(entry.name);
    ObjectReader reader(*reference.config, std::string(entry.name) + " config");
    bool legacy = false;
    auto optimizer = detail::rethrow_at(*reference.config,
                                        [&] { return read_optimizer(entry.name, reader, legacy); });
    if (legacy && !entry.legacy_rule_is_the_same) {
        reference.config->fail(std::string("a legacy ") + entry.name +
                               " (tf.keras < 2.11 or keras.optimizers.legacy) updates the "
                               "weights by another formula than minidl's (tf.keras >= 2.11): it "
                               "cannot be loaded as the same optimizer");
    }
    return optimizer;
}

}  // namespace minidl::serialization
