// The eight concrete optimizers (optim/sgd.hpp ... optim/nadam.hpp): Keras's defaults and class
// names, the checks of their own options, their slots and state, and the parts of each rule a
// hand computation pins down (momentum and Nesterov, AMSGrad's maximum, centering, Nadam's
// u_product). Whole trajectories against PyTorch references are in test_optimizer_fixtures.cpp.

#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/optim/adadelta.hpp"
#include "minidl/optim/adagrad.hpp"
#include "minidl/optim/adam.hpp"
#include "minidl/optim/adamax.hpp"
#include "minidl/optim/get.hpp"
#include "minidl/optim/nadam.hpp"
#include "minidl/optim/rmsprop.hpp"
#include "minidl/optim/sgd.hpp"

using namespace minidl;
using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {

Parameter make_parameter(const std::vector<float>& values, const std::string& name = "w") {
    return Parameter(name, tensor(values));
}

void set_gradient(const Parameter& p, const std::vector<float>& values) {
    p.set_grad(tensor(values, p.shape()));
}

/// One step of `optimizer` with `gradient` on its only parameter; returns the new values.
std::vector<float> step_with(optim::Optimizer& optimizer, const std::vector<float>& gradient) {
    const Parameter& p = optimizer.parameters().at(0);
    set_gradient(p, gradient);
    optimizer.step();
    return p.to_vector();
}

Strings state_names(const optim::Optimizer& optimizer) {
    Strings names;
    for (const auto& [name, value] : optimizer.state().tensors) names.push_back(name);
    return names;
}

Tensor state_tensor(const optim::Optimizer& optimizer, const std::string& name) {
    for (const auto& [entry, value] : optimizer.state().tensors) {
        if (entry == name) return value;
    }
    FAIL("no state tensor " << name);
    return Tensor();
}

}  // namespace

TEST_CASE("options default to Keras's values", "[optimizers]") {
    const optim::SGDOptions sgd;
    CHECK(sgd.learning_rate.at(0) == 0.01);
    CHECK(sgd.momentum == 0.0);
    CHECK_FALSE(sgd.nesterov);

    const optim::AdamOptions adam;
    CHECK(adam.learning_rate.at(0) == 0.001);
    CHECK((adam.beta_1 == 0.9 && adam.beta_2 == 0.999 && adam.epsilon == 1e-7));
    CHECK_FALSE(adam.amsgrad);
    CHECK_FALSE((adam.weight_decay || adam.clipnorm || adam.clipvalue || adam.global_clipnorm));

    const optim::AdamWOptions adamw;
    CHECK(adamw.learning_rate.at(0) == 0.001);
    CHECK((adamw.beta_1 == 0.9 && adamw.beta_2 == 0.999 && adamw.epsilon == 1e-7));
    CHECK(adamw.weight_decay == 0.004);

    const optim::RMSpropOptions rmsprop;
    CHECK(rmsprop.learning_rate.at(0) == 0.001);
    CHECK((rmsprop.rho == 0.9 && rmsprop.momentum == 0.0 && rmsprop.epsilon == 1e-7));
    CHECK_FALSE(rmsprop.centered);

    const optim::AdagradOptions adagrad;
    CHECK(adagrad.learning_rate.at(0) == 0.001);
    CHECK((adagrad.initial_accumulator_value == 0.1 && adagrad.epsilon == 1e-7));

    const optim::AdadeltaOptions adadelta;
    CHECK(adadelta.learning_rate.at(0) == 0.001);
    CHECK((adadelta.rho == 0.95 && adadelta.epsilon == 1e-7));

    const optim::AdamaxOptions adamax;
    CHECK(adamax.learning_rate.at(0) == 0.001);
    CHECK((adamax.beta_1 == 0.9 && adamax.beta_2 == 0.999 && adamax.epsilon == 1e-7));

    const optim::NadamOptions nadam;
    CHECK(nadam.learning_rate.at(0) == 0.001);
    CHECK((nadam.beta_1 == 0.9 && nadam.beta_2 == 0.999 && nadam.epsilon == 1e-7));
}

TEST_CASE("optimizers carry Keras's class names and their options", "[optimizers]") {
    CHECK(optim::SGD().name() == "SGD");
    CHECK(optim::Adam().name() == "Adam");
    CHECK(optim::AdamW().name() == "AdamW");
    CHECK(optim::RMSprop().name() == "RMSprop");
    CHECK(optim::Adagrad().name() == "Adagrad");
    CHECK(optim::Adadelta().name() == "Adadelta");
    CHECK(optim::Adamax().name() == "Adamax");
    CHECK(optim::Nadam().name() == "Nadam");

    const optim::Adam adam({.learning_rate = 1e-2, .amsgrad = true, .clipnorm = 2.0});
    CHECK(adam.learning_rate() == 1e-2);
    CHECK(adam.options().amsgrad);
    CHECK(adam.common_options().clipnorm == 2.0);
    const optim::AdamW adamw({.learning_rate = 1e-2});
    CHECK(adamw.common_options().weight_decay == 0.004);
    CHECK(adamw.options().weight_decay == 0.004);
}

TEST_CASE("bad options are rejected naming the optimizer, the argument and the value",
          "[optimizers]") {
    CHECK_THROWS_WITH(optim::Adam({.beta_1 = 1.5}),
                      Contains("Adam: beta_1 must be in [0, 1), got 1.5"));
    CHECK_THROWS_WITH(optim::Adam({.beta_2 = 1.0}), Contains("Adam: beta_2 must be in [0, 1)"));
    CHECK_THROWS_WITH(optim::Adam({.epsilon = -1e-7}), Contains("Adam: epsilon must be"));
    CHECK_THROWS_WITH(optim::Adam({.learning_rate = -0.1}),
                      Contains("Adam") && Contains("learning_rate"));
    CHECK_THROWS_WITH(optim::AdamW({.beta_1 = -0.1}), Contains("AdamW: beta_1"));
    CHECK_THROWS_WITH(optim::AdamW({.weight_decay = std::nullopt}),
                      Contains("AdamW: weight_decay is required"));
    CHECK_THROWS_WITH(optim::SGD({.momentum = 1.5}),
                      Contains("SGD: momentum must be in [0, 1], got 1.5"));
    CHECK_THROWS_WITH(optim::SGD({.momentum = -0.5}), Contains("SGD: momentum"));
    CHECK_THROWS_WITH(optim::RMSprop({.rho = 2.0}), Contains("RMSprop: rho must be in [0, 1]"));
    CHECK_THROWS_WITH(optim::RMSprop({.momentum = -0.1}), Contains("RMSprop: momentum"));
    CHECK_THROWS_WITH(optim::RMSprop({.epsilon = NAN}), Contains("RMSprop: epsilon"));
    CHECK_THROWS_WITH(optim::Adagrad({.initial_accumulator_value = -1.0}),
                      Contains("Adagrad: initial_accumulator_value must be a finite number >= 0, "
                               "got -1"));
    CHECK_THROWS_WITH(optim::Adagrad({.epsilon = INFINITY}), Contains("Adagrad: epsilon"));
    CHECK_THROWS_WITH(optim::Adadelta({.rho = NAN}), Contains("Adadelta: rho"));
    CHECK_THROWS_WITH(optim::Adamax({.beta_1 = 1.0}), Contains("Adamax: beta_1"));
    CHECK_THROWS_WITH(optim::Nadam({.beta_2 = -1.0}), Contains("Nadam: beta_2"));
    CHECK_THROWS_WITH(optim::Nadam({.clipnorm = 1.0, .global_clipnorm = 1.0}),
                      Contains("at most one"));
    CHECK_THROWS_AS(optim::SGD({.momentum = 2.0}), ValueError);
    // The edges of the ranges are allowed.
    CHECK_NOTHROW(optim::SGD({.momentum = 1.0}));
    CHECK_NOTHROW(optim::Adam({.beta_1 = 0.0, .epsilon = 0.0}));
    CHECK_NOTHROW(optim::RMSprop({.rho = 1.0, .momentum = 1.0}));
    CHECK_NOTHROW(optim::Adagrad({.initial_accumulator_value = 0.0}));
}

TEST_CASE("slots exist only where the options need them, under Keras's names", "[optimizers]") {
    const Parameter w = make_parameter({1.0f, 2.0f});
    CHECK(state_names(optim::SGD({w})).empty());
    CHECK(state_names(optim::SGD({w}, {.nesterov = true})).empty());
    CHECK(state_names(optim::SGD({w}, {.momentum = 0.9})) == Strings{"momentum/w"});
    CHECK(state_names(optim::Adam({w})) == Strings{"m/w", "v/w"});
    CHECK(state_names(optim::Adam({w}, {.amsgrad = true})) == Strings{"m/w", "v/w", "vhat/w"});
    CHECK(state_names(optim::AdamW({w})) == Strings{"m/w", "v/w"});
    CHECK(state_names(optim::RMSprop({w})) == Strings{"velocity/w"});
    CHECK(state_names(optim::RMSprop({w}, {.momentum = 0.5})) ==
          Strings{"velocity/w", "momentum/w"});
    CHECK(state_names(optim::RMSprop({w}, {.centered = true})) ==
          Strings{"velocity/w", "average_gradient/w"});
    CHECK(state_names(optim::RMSprop({w}, {.momentum = 0.5, .centered = true})) ==
          Strings{"velocity/w", "momentum/w", "average_gradient/w"});
    CHECK(state_names(optim::Adagrad({w})) == Strings{"accumulator/w"});
    CHECK(state_names(optim::Adadelta({w})) ==
          Strings{"accumulated_grad/w", "accumulated_delta_var/w"});
    CHECK(state_names(optim::Adamax({w})) == Strings{"m/w", "u/w"});
    CHECK(state_names(optim::Nadam({w})) == Strings{"u_product", "m/w", "v/w"});

    // Adagrad's accumulator starts at initial_accumulator_value, the others at 0.
    CHECK(state_tensor(optim::Adagrad({w}), "accumulator/w").to_vector() ==
          std::vector<float>{0.1f, 0.1f});
    CHECK(state_tensor(optim::Adam({w}), "v/w").to_vector() == std::vector<float>{0.0f, 0.0f});
    CHECK(state_tensor(optim::Nadam({w}), "u_product").item() == 1.0f);
}

TEST_CASE("an optimizer made without parameters gets its slots when they are added",
          "[optimizers]") {
    optim::Adam adam({.learning_rate = 0.1, .amsgrad = true});
    CHECK(state_names(adam).empty());
    adam.add_parameters({make_parameter({1.0f}, "dense/kernel")});
    CHECK(state_names(adam) == Strings{"m/dense/kernel", "v/dense/kernel", "vhat/dense/kernel"});
    // Adam's first step moves each weight by about lr, whatever the gradient's size.
    CHECK(step_with(adam, {250.0f})[0] == Approx(0.9f).epsilon(1e-5));
}

TEST_CASE("SGD: plain, momentum and Nesterov steps by hand", "[optimizers]") {
    optim::SGD plain({make_parameter({1.0f})}, {.learning_rate = 0.1});
    CHECK(step_with(plain, {0.5f})[0] == Approx(0.95f));

    // m = 0.9 m - 0.1 g: -0.05, then -0.095.
    optim::SGD momentum({make_parameter({1.0f})}, {.learning_rate = 0.1, .momentum = 0.9});
    CHECK(step_with(momentum, {0.5f})[0] == Approx(0.95f));
    CHECK(step_with(momentum, {0.5f})[0] == Approx(0.855f));
    CHECK(state_tensor(momentum, "momentum/w").item() == Approx(-0.095f));

    // Nesterov: w += 0.9 m - 0.1 g with the new m.
    optim::SGD nesterov({make_parameter({1.0f})},
                        {.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
    CHECK(step_with(nesterov, {0.5f})[0] == Approx(1.0f - 0.045f - 0.05f));
    CHECK(step_with(nesterov, {0.5f})[0] == Approx(0.905f - 0.0855f - 0.05f));
}

TEST_CASE(
    "Adam: epsilon outside the square root, bias correction in the step size, AMSGrad's "
    "maximum",
    "[optimizers]") {
    // Step 1 with g = 2, epsilon 0.1: m = 0.2, v = 0.004, alpha = lr sqrt(0.001) / 0.1.
    optim::Adam adam({make_parameter({0.0f})}, {.learning_rate = 0.1, .epsilon = 0.1});
    const double alpha = 0.1 * std::sqrt(1.0 - 0.999) / (1.0 - 0.9);
    CHECK(step_with(adam, {2.0f})[0] == Approx(-alpha * 0.2 / (std::sqrt(0.004) + 0.1)));

    // A large gradient, then small ones: v decays, vhat keeps its maximum and the steps shrink.
    optim::Adam plain({make_parameter({0.0f})}, {.learning_rate = 0.1});
    optim::Adam ams({make_parameter({0.0f})}, {.learning_rate = 0.1, .amsgrad = true});
    for (const float g : {10.0f, 0.1f, 0.1f}) {
        step_with(plain, {g});
        step_with(ams, {g});
    }
    const float v = state_tensor(ams, "v/w").item();
    const float v_hat = state_tensor(ams, "vhat/w").item();
    CHECK(v_hat == Approx(0.001 * 100.0));  // v after the first step
    CHECK(v < v_hat);
    CHECK(state_tensor(plain, "v/w").item() == Approx(v));
    // Same m, larger denominator: AMSGrad has moved less.
    CHECK(ams.parameters()[0].item() > plain.parameters()[0].item());
}

TEST_CASE("AdamW is Adam with weight_decay 0.004", "[optimizers]") {
    optim::AdamW adamw({make_parameter({1.0f, -2.0f})}, {.learning_rate = 0.1});
    optim::Adam adam({make_parameter({1.0f, -2.0f})},
                     {.learning_rate = 0.1, .weight_decay = 0.004});
    optim::Adam undecayed({make_parameter({1.0f, -2.0f})}, {.learning_rate = 0.1});
    for (int i = 0; i < 3; ++i) {
        CHECK(step_with(adamw, {0.5f, 0.25f}) == step_with(adam, {0.5f, 0.25f}));
        step_with(undecayed, {0.5f, 0.25f});
    }
    CHECK(adamw.parameters()[0].to_vector() != undecayed.parameters()[0].to_vector());
}

TEST_CASE("RMSprop: epsilon inside the square root, centering, momentum", "[optimizers]") {
    // g = 2, rho 0.9: v = 0.4, a = 0.2.
    optim::RMSprop plain({make_parameter({0.0f})}, {.learning_rate = 0.1, .epsilon = 0.05});
    CHECK(step_with(plain, {2.0f})[0] == Approx(-0.2 / std::sqrt(0.4 + 0.05)));
    optim::RMSprop centered({make_parameter({0.0f})},
                            {.learning_rate = 0.1, .epsilon = 0.0, .centered = true});
    CHECK(step_with(centered, {2.0f})[0] == Approx(-0.2 / std::sqrt(0.4 - 0.04)));
    CHECK(state_tensor(centered, "average_gradient/w").item() == Approx(0.2f));

    // Momentum accumulates the increments: mom = 0.5 * inc1 + inc2.
    optim::RMSprop momentum({make_parameter({0.0f})},
                            {.learning_rate = 0.1, .momentum = 0.5, .epsilon = 0.0});
    const double increment_1 = 0.2 / std::sqrt(0.4);
    const double increment_2 = 0.2 / std::sqrt(0.9 * 0.4 + 0.4);
    CHECK(step_with(momentum, {2.0f})[0] == Approx(-increment_1));
    CHECK(step_with(momentum, {2.0f})[0] ==
          Approx(-increment_1 - (0.5 * increment_1 + increment_2)));
}

TEST_CASE("Adagrad, Adadelta and Adamax: one step by hand", "[optimizers]") {
    optim::Adagrad adagrad({make_parameter({0.0f})}, {.learning_rate = 0.1});
    CHECK(step_with(adagrad, {1.0f})[0] == Approx(-0.1 / std::sqrt(1.1 + 1e-7)));
    CHECK(state_tensor(adagrad, "accumulator/w").item() == Approx(1.1f));

    // Eg = 0.05, delta = -sqrt(eps) / sqrt(0.05 + eps), Ed = 0.05 delta^2.
    optim::Adadelta adadelta({make_parameter({0.0f})}, {.learning_rate = 1.0});
    const double delta = -std::sqrt(1e-7) / std::sqrt(0.05 + 1e-7);
    CHECK(step_with(adadelta, {1.0f})[0] == Approx(delta));
    CHECK(state_tensor(adadelta, "accumulated_delta_var/w").item() == Approx(0.05 * delta * delta));

    // m = -0.2, u = |g| = 2: w -= 0.1 * -0.2 / (0.1 * 2).
    optim::Adamax adamax({make_parameter({0.0f})}, {.learning_rate = 0.1});
    CHECK(step_with(adamax, {-2.0f})[0] == Approx(0.1));
    // u = max(0.999 * 2, 0.5) keeps the earlier size.
    step_with(adamax, {0.5f});
    CHECK(state_tensor(adamax, "u/w").item() == Approx(1.998f));
}

TEST_CASE("Nadam advances u_product once per step and resumes it from the state", "[optimizers]") {
    const auto mu = [](int t) { return 0.9 * (1.0 - 0.5 * std::pow(0.96, t)); };
    optim::Nadam nadam({make_parameter({1.0f, 2.0f}, "a"), make_parameter({3.0f}, "b")},
                       {.learning_rate = 0.1});
    for (const Parameter& p : nadam.parameters()) set_gradient(p, std::vector<float>(p.numel(), 1));
    nadam.step();
    CHECK(state_tensor(nadam, "u_product").item() == Approx(mu(1)));
    // Step 1 by hand with g = 1: m = 0.1, v = 0.001, so vhat = v / (1 - 0.999) = 1.
    const double m_hat = mu(2) * 0.1 / (1.0 - mu(1) * mu(2)) + (1.0 - mu(1)) / (1.0 - mu(1));
    CHECK(nadam.parameters()[1].item() == Approx(3.0 - 0.1 * m_hat / (1.0 + 1e-7)));
    nadam.step();
    CHECK(state_tensor(nadam, "u_product").item() == Approx(mu(1) * mu(2)));

    // A copy resumed from the state continues exactly as the original.
    std::vector<Parameter> copies;
    for (const Parameter& p : nadam.parameters()) {
        copies.emplace_back(p.name(), tensor(p.to_vector(), p.shape()));
    }
    optim::Nadam resumed(copies, {.learning_rate = 0.1});
    resumed.load_state(nadam.state());
    for (optim::Optimizer* optimizer :
         {static_cast<optim::Optimizer*>(&nadam), static_cast<optim::Optimizer*>(&resumed)}) {
        for (const Parameter& p : optimizer->parameters()) {
            set_gradient(p, std::vector<float>(p.numel(), -0.5f));
        }
        optimizer->step();
    }
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(resumed.parameters()[i].to_vector() == nadam.parameters()[i].to_vector());
    }
    CHECK(state_tensor(resumed, "u_product").item() == state_tensor(nadam, "u_product").item());
}

TEST_CASE("Nadam subtracts the float32 betas from 1, as Keras does", "[optimizers]") {
    // Keras's float32 arithmetic emulated with numpy (lr 0.1, w = 1, g = 0.3 at every step); with
    // (1 - beta) in double the first step lands 6e-6 (about 50 ulps) lower than Keras.
    optim::Nadam nadam({make_parameter({1.0f})}, {.learning_rate = 0.1});
    CHECK(step_with(nadam, {0.3f})[0] == Approx(0.8937212f).epsilon(2e-7));
    CHECK(step_with(nadam, {0.3f})[0] == Approx(0.81636244f).epsilon(2e-7));
}

TEST_CASE("optim::get makes an optimizer from its Keras name", "[optimizers]") {
    for (const char* name :
         {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"}) {
        CHECK(optim::get(name)->name() == name);
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        CHECK(optim::get(lower)->name() == name);
    }
    const auto adam = optim::get("adam");
    CHECK(adam->learning_rate() == Approx(0.001));
    CHECK(adam->parameters().empty());
    CHECK_THROWS_AS(optim::get("adamm"), ValueError);
    CHECK_THROWS_WITH(optim::get("adamm"), Contains("'adamm'") && Contains("rmsprop"));
}
