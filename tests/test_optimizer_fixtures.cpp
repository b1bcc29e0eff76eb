// The eight optimizers against PyTorch float64 trajectories of tf.keras >= 2.11's formulas
// (tests/data/optim_fixtures.json, written by scripts/gen_optim_fixtures.py): 10 steps of
// loss = mean((X W + b - Y)^2) with an L1L2 regularizer and a MaxNorm constraint on W and NonNeg
// on b, for every optimizer and option combination, clipping, weight decay and a schedule. The
// data loss is computed here without the penalty: step() adds the regularizer's gradient.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fixture_support.hpp"
#include "minidl/layers/constraints.hpp"
#include "minidl/layers/regularizers.hpp"
#include "minidl/optim/adadelta.hpp"
#include "minidl/optim/adagrad.hpp"
#include "minidl/optim/adam.hpp"
#include "minidl/optim/adamax.hpp"
#include "minidl/optim/nadam.hpp"
#include "minidl/optim/rmsprop.hpp"
#include "minidl/optim/sgd.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

constexpr double kTolerance = 1e-5;

FixtureJson load_fixture_file() {
    const std::string path = std::string(MINIDL_TEST_DATA_DIR) + "/optim_fixtures.json";
    std::ifstream stream(path);
    if (!stream) throw std::runtime_error("cannot open " + path);
    return FixtureJson::parse(stream);
}

optim::LearningRate learning_rate_of(const FixtureJson& setting) {
    if (!setting.is_object()) return setting.get<double>();
    REQUIRE(setting.at("class_name") == "ExponentialDecay");
    const FixtureJson& config = setting.at("config");
    return optim::ExponentialDecay(
        {config.at("initial_learning_rate").get<double>(), config.at("decay_steps").get<int64_t>(),
         config.at("decay_rate").get<double>(), config.at("staircase").get<bool>()});
}

template <class T>
void read(const FixtureJson& options, const char* key, T& field) {
    if (options.contains(key)) field = options.at(key).get<T>();
}
void read(const FixtureJson& options, const char* key, std::optional<double>& field) {
    if (options.contains(key)) field = options.at(key).get<double>();
}

/// The options struct with the case's options over the struct's defaults (the fixture stores
/// only what differs from Keras's defaults, so the defaults are tested too).
template <class Options>
Options read_options(const FixtureJson& json) {
    Options options;
    if (json.contains("learning_rate"))
        options.learning_rate = learning_rate_of(json.at("learning_rate"));
    if constexpr (requires { options.momentum; }) read(json, "momentum", options.momentum);
    if constexpr (requires { options.nesterov; }) read(json, "nesterov", options.nesterov);
    if constexpr (requires { options.beta_1; }) read(json, "beta_1", options.beta_1);
    if constexpr (requires { options.beta_2; }) read(json, "beta_2", options.beta_2);
    if constexpr (requires { options.epsilon; }) read(json, "epsilon", options.epsilon);
    if constexpr (requires { options.amsgrad; }) read(json, "amsgrad", options.amsgrad);
    if constexpr (requires { options.rho; }) read(json, "rho", options.rho);
    if constexpr (requires { options.centered; }) read(json, "centered", options.centered);
    if constexpr (requires { options.initial_accumulator_value; }) {
        read(json, "initial_accumulator_value", options.initial_accumulator_value);
    }
    read(json, "weight_decay", options.weight_decay);
    read(json, "clipnorm", options.clipnorm);
    read(json, "clipvalue", options.clipvalue);
    read(json, "global_clipnorm", options.global_clipnorm);
    return options;
}

template <class Optimizer, class Options>
std::unique_ptr<optim::Optimizer> make(const FixtureJson& options,
                                       const std::vector<Parameter>& parameters) {
    return std::make_unique<Optimizer>(parameters, read_options<Options>(options));
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& kind,
                                                 const FixtureJson& options,
                                                 const std::vector<Parameter>& parameters) {
    if (kind == "SGD") return make<optim::SGD, optim::SGDOptions>(options, parameters);
    if (kind == "Adam") return make<optim::Adam, optim::AdamOptions>(options, parameters);
    if (kind == "AdamW") return make<optim::AdamW, optim::AdamWOptions>(options, parameters);
    if (kind == "RMSprop") return make<optim::RMSprop, optim::RMSpropOptions>(options, parameters);
    if (kind == "Adagrad") return make<optim::Adagrad, optim::AdagradOptions>(options, parameters);
    if (kind == "Adadelta") {
        return make<optim::Adadelta, optim::AdadeltaOptions>(options, parameters);
    }
    if (kind == "Adamax") return make<optim::Adamax, optim::AdamaxOptions>(options, parameters);
    if (kind == "Nadam") return make<optim::Nadam, optim::NadamOptions>(options, parameters);
    FAIL("unknown optimizer " << kind);
    return nullptr;
}

/// The fixture's problem as minidl Parameters with their regularizer and constraints.
struct Problem {
    Tensor x;
    Tensor y;
    Parameter w;
    Parameter b;

    explicit Problem(const FixtureJson& problem)
        : x(testing::fixture_tensor(problem.at("X"))),
          y(testing::fixture_tensor(problem.at("Y"))),
          w("dense/kernel", testing::fixture_tensor(problem.at("W")),
            regularizers::L1L2(problem.at("l1").get<double>(), problem.at("l2").get<double>()),
            constraints::MaxNorm(problem.at("max_norm").get<double>(), {0})),
          b("dense/bias", testing::fixture_tensor(problem.at("b")), {}, constraints::NonNeg()) {}

    /// The data loss only: the regularizer's gradient is the optimizer's to add.
    Tensor loss() const { return mean(square(matmul(x, w) + b - y)); }
};

/// Runs `optimizer` with `options` from the problem's start for as many steps as the trajectory
/// has; returns each step's relative error (the worse of W and b).
std::vector<double> trajectory_errors(const FixtureJson& problem_json, const std::string& optimizer,
                                      const FixtureJson& options, const FixtureJson& trajectory) {
    Problem problem(problem_json);
    const auto instance = make_optimizer(optimizer, options, {problem.w, problem.b});
    std::vector<double> errors;
    for (const FixtureJson& expected : trajectory) {
        instance->zero_grad();
        problem.loss().backward();
        instance->step();
        errors.push_back(std::max(testing::relative_error(problem.w, expected.at("W")),
                                  testing::relative_error(problem.b, expected.at("b"))));
    }
    CHECK(instance->iterations() == static_cast<int64_t>(errors.size()));
    return errors;
}

}  // namespace

TEST_CASE("every optimizer follows Keras's trajectory (PyTorch float64 references)") {
    const FixtureJson document = load_fixture_file();
    const FixtureJson& cases = document.at("cases");
    REQUIRE(cases.size() >= 27);
    testing::WorstErrors worst_by_optimizer;
    for (const FixtureJson& fixture : cases) {
        const std::string name = fixture.at("name").get<std::string>();
        const std::string optimizer = fixture.at("optimizer").get<std::string>();
        INFO("case " << name << " " << fixture.at("options").dump());
        const std::vector<double> errors = trajectory_errors(
            document.at("problem"), optimizer, fixture.at("options"), fixture.at("trajectory"));
        double worst = 0.0;
        for (std::size_t step = 0; step < errors.size(); ++step) {
            INFO("step " << step + 1);
            CHECK(errors[step] <= kTolerance);
            worst = std::isnan(errors[step]) ? errors[step] : std::max(worst, errors[step]);
        }
        worst_by_optimizer.record(optimizer, worst, name);
        std::cout << "optimizer case " << std::left << std::setw(28) << name
                  << " worst relative error " << std::scientific << std::setprecision(2) << worst
                  << std::defaultfloat << "\n";
    }
    std::cout << worst_by_optimizer.summary("optimizer trajectories (" +
                                            std::to_string(cases.size()) + " cases, 10 steps)")
              << "\n";
}

TEST_CASE("the trajectory comparison notices a 0.1% change of the learning rate") {
    const FixtureJson document = load_fixture_file();
    const FixtureJson& adam = document.at("cases").at(8);
    REQUIRE(adam.at("name") == "adam");
    FixtureJson options = adam.at("options");
    options["learning_rate"] = options.at("learning_rate").get<double>() * 1.001;
    const std::vector<double> errors =
        trajectory_errors(document.at("problem"), "Adam", options, adam.at("trajectory"));
    CHECK(errors.back() > kTolerance);
}
