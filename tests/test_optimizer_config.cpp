// Optimizer and schedule configs (serialization/optimizer_config.cpp): tf.keras 2.13's layout,
// round trips of every optimizer and schedule, identical steps after a round trip, Keras's and
// legacy keys, and errors that name the JSON Pointer.

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "keras_config_support.hpp"

#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/json_node.hpp"
#include "test_support.hpp"

using namespace minidl;
using namespace minidl::serialization;
using Catch::Contains;

namespace {

Json parse(const std::string& text) { return parse_json(text, "opt.json"); }

std::unique_ptr<optim::Optimizer> from_text(const std::string& text) {
    const Json json = parse(text);
    return optimizer_from_config(JsonNode(json, "opt.json"));
}

/// optimizer_config, written as text and read back, as a file would carry it.
std::unique_ptr<optim::Optimizer> through_text(const optim::Optimizer& optimizer) {
    return from_text(dump_json(optimizer_config(optimizer)));
}

/// The IOError message reading `text` gives.
std::string error_of(const std::string& text) {
    return minidl::testing::io_error_of([&] { from_text(text); });
}

std::vector<std::shared_ptr<optim::Optimizer>> every_optimizer() {
    using namespace optim;
    return {
        std::make_shared<SGD>(
            SGDOptions{.learning_rate = 0.05, .momentum = 0.9, .nesterov = true, .clipnorm = 1.5}),
        std::make_shared<Adam>(AdamOptions{.learning_rate = 0.02,
                                           .beta_1 = 0.8,
                                           .beta_2 = 0.99,
                                           .epsilon = 1e-6,
                                           .amsgrad = true,
                                           .weight_decay = 0.01}),
        std::make_shared<AdamW>(
            AdamWOptions{.learning_rate = 0.003, .weight_decay = 0.1, .global_clipnorm = 2.0}),
        std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = 0.01,
                                                 .rho = 0.8,
                                                 .momentum = 0.5,
                                                 .epsilon = 1e-5,
                                                 .centered = true,
                                                 .clipvalue = 0.25}),
        std::make_shared<Adagrad>(AdagradOptions{
            .learning_rate = 0.1, .initial_accumulator_value = 0.3, .epsilon = 1e-6}),
        std::make_shared<Adadelta>(
            AdadeltaOptions{.learning_rate = 1.0, .rho = 0.9, .epsilon = 1e-6}),
        std::make_shared<Adamax>(AdamaxOptions{.learning_rate = 0.01, .beta_1 = 0.85}),
        std::make_shared<Nadam>(
            NadamOptions{.learning_rate = 0.01, .beta_2 = 0.95, .epsilon = 1e-6}),
    };
}

std::vector<optim::LearningRate> every_schedule() {
    using namespace optim;
    return {
        ExponentialDecay(
            {.initial_learning_rate = 0.1, .decay_steps = 2, .decay_rate = 0.5, .staircase = true}),
        InverseTimeDecay({.initial_learning_rate = 0.2, .decay_steps = 3, .decay_rate = 0.7}),
        PiecewiseConstantDecay({.boundaries = {1, 3}, .values = {0.1, 0.05, 0.01}}),
        CosineDecay({.initial_learning_rate = 0.01,
                     .decay_steps = 4,
                     .alpha = 0.1,
                     .warmup_target = 0.1,
                     .warmup_steps = 2}),
        PolynomialDecay({.initial_learning_rate = 0.1,
                         .decay_steps = 3,
                         .end_learning_rate = 0.01,
                         .power = 2.0,
                         .cycle = true}),
    };
}

/// Steps `a` and `b`, each over its own copy of the same parameter, with the same gradients, and
/// checks that the values stay bit for bit equal.
void check_same_steps(optim::Optimizer& a, optim::Optimizer& b, int steps = 5) {
    const std::vector<float> start = {0.5f, -1.25f, 2.0f, 0.0f, -0.75f, 3.5f};
    Parameter pa("w", tensor(start, {2, 3}));
    Parameter pb("w", tensor(start, {2, 3}));
    a.add_parameters({pa});
    b.add_parameters({pb});
    for (int step = 0; step < steps; ++step) {
        std::vector<float> gradient;
        for (std::size_t i = 0; i < start.size(); ++i)
            gradient.push_back(static_cast<float>((step + 1) * (static_cast<int>(i) - 2)) * 0.3f);
        pa.set_grad(tensor(gradient, {2, 3}));
        pb.set_grad(tensor(gradient, {2, 3}));
        a.step();
        b.step();
        const std::vector<float> va = pa.to_vector();
        const std::vector<float> vb = pb.to_vector();
        INFO(a.name() << " step " << step);
        REQUIRE(std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)) == 0);
        REQUIRE(va != start);
    }
}

}  // namespace

TEST_CASE("Adam's config is tf.keras 2.13's", "[optimizer_config]") {
    const Json written = optimizer_config(optim::Adam());
    CHECK(dump_json(written) ==
          R"({"class_name":"Adam","config":{"name":"Adam","weight_decay":null,"clipnorm":null,)"
          R"("global_clipnorm":null,"clipvalue":null,"use_ema":false,"ema_momentum":0.99,)"
          R"("ema_overwrite_frequency":null,"jit_compile":false,"is_legacy_optimizer":false,)"
          R"("learning_rate":0.001,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"amsgrad":false}})");
}

TEST_CASE("the config tf.keras 2.13 writes for Adam loads as Adam", "[optimizer_config]") {
    // Copied from a model tf.keras 2.13 saved (model.save(..., save_format="h5")): the new
    // optimizers are registered as "Custom>Adam", and the rate is the float32 variable's value.
    const std::string path = MINIDL_TEST_DATA_DIR "/keras_configs/adam_optimizer_tf2_13.json";
    const Json keras = read_json_file(path);
    const auto adam = optimizer_from_config(JsonNode(keras, path));
    REQUIRE(typeid(*adam) == typeid(optim::Adam));
    const auto& options = static_cast<const optim::Adam&>(*adam).options();
    CHECK(static_cast<float>(adam->learning_rate()) == 0.001f);
    CHECK((options.beta_1 == 0.9 && options.beta_2 == 0.999 && options.epsilon == 1e-7));
    CHECK_FALSE(options.amsgrad);
    // Written back, the config is Keras's own (minidl names the class without "Custom>").
    const Json written = optimizer_config(*adam);
    CHECK(written["class_name"] == "Adam");
    CHECK(written["config"] == keras["config"]);
    // It steps as a default Adam (the rate is the same float32).
    optim::Adam fresh;
    check_same_steps(*adam, fresh);
}

TEST_CASE("every optimizer's config round-trips and the copy steps identically",
          "[optimizer_config]") {
    for (const auto& original : every_optimizer()) {
        INFO(original->name());
        const Json first = optimizer_config(*original);
        CHECK(first["class_name"] == original->name());
        CHECK(first["config"]["name"] == original->name());
        const auto copy = through_text(*original);
        CHECK(typeid(*copy) == typeid(*original));
        CHECK(optimizer_config(*copy) == first);
        check_same_steps(*original, *copy);
    }
}

TEST_CASE("every schedule round-trips nested as the learning rate", "[optimizer_config]") {
    for (const optim::LearningRate& rate : every_schedule()) {
        INFO(rate.schedule()->class_name());
        optim::SGD sgd({.learning_rate = rate, .momentum = 0.5});
        const Json first = optimizer_config(sgd);
        CHECK(first["config"]["learning_rate"]["class_name"] == rate.schedule()->class_name());
        const auto copy = through_text(sgd);
        CHECK(optimizer_config(*copy) == first);
        REQUIRE(copy->learning_rate_setting().schedule());
        for (int64_t step = 0; step < 12; ++step)
            CHECK(copy->learning_rate_setting().at(step) == rate.at(step));
        check_same_steps(sgd, *copy, 8);
    }
}

TEST_CASE("schedule configs have Keras's keys in Keras's order", "[optimizer_config]") {
    const auto rate_of = [](const optim::LearningRate& rate) {
        return dump_json(
            optimizer_config(optim::SGD({.learning_rate = rate}))["config"]["learning_rate"]);
    };
    CHECK(rate_of(optim::ExponentialDecay(
              {.initial_learning_rate = 0.1, .decay_steps = 1000, .decay_rate = 0.96})) ==
          R"({"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,)"
          R"("decay_steps":1000,"decay_rate":0.96,"staircase":false,"name":null}})");
    CHECK(rate_of(optim::PiecewiseConstantDecay(
              {.boundaries = {100, 200}, .values = {1.0, 0.5, 0.1}})) ==
          R"({"class_name":"PiecewiseConstantDecay","config":{"boundaries":[100,200],)"
          R"("values":[1.0,0.5,0.1],"name":null}})");
    CHECK(rate_of(optim::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 10})) ==
          R"({"class_name":"CosineDecay","config":{"initial_learning_rate":0.1,"decay_steps":10,)"
          R"("alpha":0.0,"name":null,"warmup_target":null,"warmup_steps":0}})");
}

TEST_CASE("optimizer configs: names and the forms other Keras versions write",
          "[optimizer_config]") {
    CHECK(typeid(*from_text(R"("adam")")) == typeid(optim::Adam));
    CHECK(typeid(*from_text(R"("RMSprop")")) == typeid(optim::RMSprop));
    CHECK(typeid(*from_text(R"({"class_name": "Custom>Nadam"})")) == typeid(optim::Nadam));
    CHECK(typeid(*from_text(R"({"class_name": "sgd", "config": {}})")) == typeid(optim::SGD));

    // A schedule as tf.keras 2.13's serialization_lib writes it.
    const auto scheduled = from_text(
        R"({"class_name": "SGD", "config": {"learning_rate": {"module": "keras.optimizers.schedules",)"
        R"( "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,)"
        R"( "decay_steps": 10, "decay_rate": 0.5, "staircase": false, "name": "decay"},)"
        R"( "registered_name": null}}})");
    CHECK(scheduled->learning_rate_setting().at(10) == Approx(0.05));

    // AdamW's weight decay defaults to Keras's 0.004 when the config leaves it out.
    const auto adamw = from_text(R"({"class_name": "AdamW", "config": {"learning_rate": 0.01}})");
    CHECK(adamw->common_options().weight_decay == 0.004);
}

TEST_CASE("legacy optimizer configs load where the update rule is the same", "[optimizer_config]") {
    // tf.keras 2.3's Adam (the float32 variables' values, and time-based decay 0).
    const std::string path =
        MINIDL_TEST_DATA_DIR "/keras_configs/training_config_tf2_3_legacy_adam.json";
    const Json training = read_json_file(path);
    const auto adam = optimizer_from_config(JsonNode(training, path).at("optimizer_config"));
    CHECK(typeid(*adam) == typeid(optim::Adam));
    CHECK(static_cast<float>(static_cast<const optim::Adam&>(*adam).options().beta_1) == 0.9f);

    // "lr" is the rate's old name; a non-zero decay is lr / (1 + decay * iterations).
    const auto decayed =
        from_text(R"({"class_name": "SGD", "config": {"lr": 0.5, "decay": 0.1, "momentum": 0.0,)"
                  R"( "nesterov": false}})");
    REQUIRE(decayed->learning_rate_setting().schedule());
    CHECK(decayed->learning_rate_setting().schedule()->class_name() == "InverseTimeDecay");
    CHECK(decayed->learning_rate_setting().at(0) == 0.5);
    CHECK(decayed->learning_rate_setting().at(10) == Approx(0.25));

    // A legacy RMSprop with momentum has the same rule; without momentum it does not.
    CHECK_NOTHROW(from_text(R"({"class_name": "RMSprop", "config": {"learning_rate": 0.001,)"
                            R"( "decay": 0.0, "rho": 0.9, "momentum": 0.5, "epsilon": 1e-07,)"
                            R"( "centered": false}})"));
    CHECK_THAT(error_of(R"({"class_name": "RMSprop", "config": {"learning_rate": 0.001,)"
                        R"( "decay": 0.0, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07,)"
                        R"( "centered": false}})"),
               Contains("opt.json: /config: a legacy RMSprop without momentum"));
    CHECK_THAT(error_of(R"({"class_name": "Adagrad", "config": {"is_legacy_optimizer": true}})"),
               Contains("opt.json: /config: a legacy Adagrad"));
    CHECK_THAT(error_of(R"({"class_name": "Nadam", "config": {"decay": 0.0}})"),
               Contains("opt.json: /config: a legacy Nadam"));
}

TEST_CASE("optimizer config errors name the JSON Pointer", "[optimizer_config]") {
    CHECK_THAT(error_of(R"({"class_name": "Adam", "config": {"learning_rate": 0.1, "foo": 1}})"),
               Contains("opt.json: /config/foo: unknown key \"foo\" in Adam config"));
    CHECK_THAT(error_of(R"({"class_name": "Ftrl", "config": {}})"),
               Contains("opt.json: /class_name: unknown optimizer 'Ftrl' (known: SGD, Adam"));
    CHECK_THAT(error_of(R"("lion")"), Contains("opt.json: /: unknown optimizer 'lion'"));
    CHECK_THAT(error_of(R"({"class_name": "Adam", "config": {"use_ema": true}})"),
               Contains("opt.json: /config/use_ema: Adam: use_ema is not supported"));
    CHECK_THAT(error_of(R"({"class_name": "Adam", "config": {"beta_1": "high"}})"),
               Contains("opt.json: /config/beta_1: expected a number"));
    CHECK_THAT(error_of(R"({"class_name": "Adam", "config": {"beta_1": 1.5}})"),
               Contains("opt.json: /config: Adam: beta_1 must be in [0, 1), got 1.5"));
    CHECK_THAT(error_of(R"({"class_name": "SGD", "config": {"clipnorm": 1, "clipvalue": 1}})"),
               Contains("opt.json: /config: SGD:"));
    CHECK_THAT(error_of(R"({"class_name": "AdamW", "config": {"weight_decay": null}})"),
               Contains("opt.json: /config: AdamW"));
    CHECK_THAT(error_of(R"({"class_name": "SGD", "config": {"lr": 0.1, "learning_rate": 0.1}})"),
               Contains("opt.json: /config/lr: SGD: both 'lr' and 'learning_rate' are given"));
    CHECK_THAT(error_of(R"({"class_name": "SGD", "config": {"learning_rate":)"
                        R"( {"class_name": "CosineDecayRestarts", "config": {}}}})"),
               Contains("opt.json: /config/learning_rate/class_name: unknown learning-rate "
                        "schedule 'CosineDecayRestarts'"));
    CHECK_THAT(error_of(R"({"class_name": "SGD", "config": {"learning_rate":)"
                        R"( {"class_name": "ExponentialDecay", "config":)"
                        R"( {"initial_learning_rate": 0.1, "decay_rate": 0.5}}}})"),
               Contains("opt.json: /config/learning_rate/config: ExponentialDecay config needs "
                        "'decay_steps'"));
    CHECK_THAT(
        error_of(R"({"class_name": "SGD", "config": {"learning_rate":)"
                 R"( {"class_name": "ExponentialDecay", "config":)"
                 R"( {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5}}}})"),
        Contains("opt.json: /config/learning_rate/config: ExponentialDecay: decay_steps "
                 "must be >= 1"));
    CHECK_THAT(
        error_of(R"({"class_name": "SGD", "config": {"decay": 0.1, "learning_rate":)"
                 R"( {"class_name": "ExponentialDecay", "config":)"
                 R"( {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}}}})"),
        Contains("opt.json: /config/decay: SGD: decay with a learning-rate schedule"));
    CHECK_THAT(error_of(R"({"class_name": "SGD", "config": {}, "foo": 1})"),
               Contains("opt.json: /foo: unknown key \"foo\" in optimizer"));
    CHECK_THAT(error_of(R"(3)"), Contains("opt.json: /: optimizer must be a name or"));
}

TEST_CASE("optimizers and schedules minidl cannot write are a ValueError", "[optimizer_config]") {
    struct MySGD : optim::SGD {};
    CHECK_THROWS_WITH(optimizer_config(MySGD()),
                      Contains("optimizer_config: the optimizer class SGD has no config"));

    struct Halving : optim::LearningRateSchedule {
        double operator()(int64_t step) const override { return 1.0 / double(1 + step); }
        std::string class_name() const override { return "Halving"; }
    };
    CHECK_THROWS_WITH(optimizer_config(optim::SGD({.learning_rate = Halving()})),
                      Contains("the learning-rate schedule Halving has no config"));
}

TEST_CASE("a rate changed by set_learning_rate is written", "[optimizer_config]") {
    optim::Adam adam({.learning_rate = 0.01});
    adam.set_learning_rate(0.005);
    CHECK(optimizer_config(adam)["config"]["learning_rate"] == 0.005);
}
