// Losses: PyTorch float64 references of Keras's formulas (tests/data/loss_fixtures.json, written
// by scripts/gen_loss_fixtures.py), hand-computed reductions and edge cases, gradient checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/losses.hpp"
#include "test_support.hpp"

using namespace minidl;
using namespace minidl::losses;
using minidl::testing::FixtureJson;

namespace {

// Keras's float32 clipping bounds, as the tests' reference values use them.
const double kEps = static_cast<double>(1e-7f);
const double kOneMinusEps = static_cast<double>(1.0f - 1e-7f);

Reduction reduction_named(const std::string& name) {
    if (name == "sum") return Reduction::Sum;
    if (name == "none") return Reduction::None;
    REQUIRE(name == "sum_over_batch_size");
    return Reduction::SumOverBatchSize;
}

/// The loss a fixture case describes: its class with the case's options.
std::unique_ptr<Loss> loss_from_fixture(const std::string& class_name, const FixtureJson& o) {
    const Reduction reduction = reduction_named(o.at("reduction").get<std::string>());
    if (class_name == "Huber") {
        return std::make_unique<Huber>(
            HuberOptions{.delta = o.at("delta").get<double>(), .reduction = reduction});
    }
    if (class_name == "BinaryCrossentropy") {
        return std::make_unique<BinaryCrossentropy>(
            BinaryCrossentropyOptions{.from_logits = o.at("from_logits").get<bool>(),
                                      .label_smoothing = o.at("label_smoothing").get<double>(),
                                      .axis = o.at("axis").get<int64_t>(),
                                      .reduction = reduction});
    }
    if (class_name == "CategoricalCrossentropy") {
        return std::make_unique<CategoricalCrossentropy>(
            CategoricalCrossentropyOptions{.from_logits = o.at("from_logits").get<bool>(),
                                           .label_smoothing = o.at("label_smoothing").get<double>(),
                                           .axis = o.at("axis").get<int64_t>(),
                                           .reduction = reduction});
    }
    if (class_name == "SparseCategoricalCrossentropy") {
        return std::make_unique<SparseCategoricalCrossentropy>(SparseCategoricalCrossentropyOptions{
            .from_logits = o.at("from_logits").get<bool>(), .reduction = reduction});
    }
    if (class_name == "MeanSquaredError")
        return std::make_unique<MeanSquaredError>(MeanSquaredErrorOptions{.reduction = reduction});
    if (class_name == "MeanAbsoluteError")
        return std::make_unique<MeanAbsoluteError>(
            MeanAbsoluteErrorOptions{.reduction = reduction});
    if (class_name == "MeanAbsolutePercentageError") {
        return std::make_unique<MeanAbsolutePercentageError>(
            MeanAbsolutePercentageErrorOptions{.reduction = reduction});
    }
    if (class_name == "LogCosh") {
        return std::make_unique<LogCosh>(LogCoshOptions{.reduction = reduction});
    }
    REQUIRE(class_name == "KLDivergence");
    return std::make_unique<KLDivergence>(KLDivergenceOptions{.reduction = reduction});
}

float value_of(const Loss& loss, const Tensor& y_true, const Tensor& y_pred) {
    return loss(y_true, y_pred).item();
}

/// The gradient of loss(y_true, y_pred) by y_pred.
Tensor gradient_of(const Loss& loss, const Tensor& y_true, const Tensor& y_pred_values) {
    Tensor y_pred = y_pred_values.detach().clone().requires_grad_();
    loss(y_true, y_pred).backward();
    return y_pred.grad();
}

bool all_finite(const Tensor& t) {
    for (float v : t.to_vector()) {
        if (!std::isfinite(v)) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("losses match the PyTorch float64 references of Keras's formulas", "[losses]") {
    const FixtureJson cases = minidl::testing::load_fixture_cases("loss_fixtures.json");
    REQUIRE(cases.size() >= 300);
    minidl::testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        const std::string name = fixture.at("name").get<std::string>();
        INFO("case " << name);
        const auto loss =
            loss_from_fixture(fixture.at("class_name").get<std::string>(), fixture.at("options"));
        const Tensor y_true = minidl::testing::fixture_tensor(fixture.at("y_true"));
        Tensor y_pred = minidl::testing::fixture_tensor(fixture.at("y_pred")).requires_grad_();
        const Tensor weights = fixture.contains("sample_weight")
                                   ? minidl::testing::fixture_tensor(fixture.at("sample_weight"))
                                   : Tensor();
        const Tensor output = (*loss)(y_true, y_pred, weights);
        minidl::testing::check_fixture_quantity("output", output, fixture.at("output"), name, worst,
                                                2e-6);
        output.backward(minidl::testing::fixture_tensor(fixture.at("cotangent")));
        minidl::testing::check_fixture_quantity("d y_pred", y_pred.grad(),
                                                fixture.at("grad_y_pred"), name, worst, 2e-6);
    }
    std::cout << worst.summary("losses vs float64 references") << "\n";
}

TEST_CASE("reductions and sample weights follow Keras's compute_weighted_loss", "[losses]") {
    // Per-sample MSE of these rows: 0.5 and 0.5.
    const Tensor y_true = tensor({0, 1, 0, 0}, {2, 2});
    const Tensor y_pred = tensor({1, 1, 1, 0}, {2, 2});
    CHECK(value_of(MeanSquaredError(), y_true, y_pred) == Approx(0.5));
    CHECK(value_of(MeanSquaredError({.reduction = Reduction::Sum}), y_true, y_pred) == Approx(1.0));
    CHECK(MeanSquaredError({.reduction = Reduction::None})(y_true, y_pred).to_vector() ==
          std::vector<float>{0.5f, 0.5f});

    SECTION("sum_over_batch_size divides the weighted sum by N, not by the sum of the weights") {
        const Tensor weights = tensor({1, 3});
        CHECK(MeanSquaredError()(y_true, y_pred, weights).item() == Approx((0.5 + 1.5) / 2));
        CHECK(MeanSquaredError()(y_true, y_pred, tensor({1, 3}, {2, 1})).item() == Approx(1.0));
        CHECK(MeanSquaredError()(y_true, y_pred, scalar(2.0f)).item() == Approx(1.0));
    }
    SECTION("sequence outputs count N * L per-sample values; [N] weights cover every step") {
        // [N=2, L=3, C=1]: per-step losses are the squared errors 0, 1, 4, 9, 16, 25.
        const Tensor target = zeros({2, 3, 1});
        const Tensor prediction = tensor({0, 1, 2, 3, 4, 5}, {2, 3, 1});
        CHECK(value_of(MeanSquaredError(), target, prediction) == Approx(55.0 / 6));
        CHECK(MeanSquaredError()(target, prediction, tensor({1, 0})).item() == Approx(5.0 / 6));
        const Tensor per_step = tensor({1, 0, 0, 0, 0, 2}, {2, 3});
        CHECK(MeanSquaredError()(target, prediction, per_step).item() == Approx(50.0 / 6));
    }
    SECTION("a y_true without the trailing 1 of y_pred is reshaped, as Keras squeezes it") {
        CHECK(MeanSquaredError({.reduction = Reduction::None})(tensor({1, 2}), zeros({2, 1}))
                  .to_vector() == std::vector<float>{1.0f, 4.0f});
    }
}

TEST_CASE("losses at hand-computed points", "[losses]") {
    CHECK(value_of(MeanAbsoluteError(), tensor({1, -2}, {1, 2}), tensor({2, 0}, {1, 2})) ==
          Approx(1.5));
    // |(y - p) / max(|y|, eps)|: 50% and, for y = 0, 0.5 / 1e-7.
    CHECK(value_of(MeanAbsolutePercentageError(), tensor({2, 0}, {1, 2}),
                   tensor({1, 0.5f}, {1, 2})) == Approx(100 * (0.5 + 0.5 / kEps) / 2));
    // e = 0.5 and 3: 0.125 and 2 * 3 - 2 = 4 for delta = 2; 1.5 - 0.5 for delta = 1.
    CHECK(value_of(Huber({.delta = 2.0}), zeros({1, 2}), tensor({0.5f, 3}, {1, 2})) ==
          Approx((0.125 + 4.0) / 2));
    CHECK(value_of(Huber(), zeros({1, 2}), tensor({0.5f, -3}, {1, 2})) ==
          Approx((0.125 + 2.5) / 2));
    CHECK(value_of(LogCosh(), zeros({1, 2}), tensor({0.5f, -30}, {1, 2})) ==
          Approx((std::log(std::cosh(0.5)) + 30 - std::log(2.0)) / 2));
    CHECK(value_of(KLDivergence(), tensor({0.25f, 0.75f}, {1, 2}), tensor({0.5f, 0.5f}, {1, 2})) ==
          Approx(0.25 * std::log(0.5) + 0.75 * std::log(1.5)));
}

TEST_CASE("crossentropies from probabilities of exactly 0 and 1 are Keras's clipped values",
          "[losses]") {
    const Tensor certain_wrong = tensor({0, 1, 0}, {1, 3});
    const Tensor first_class = tensor({1, 0, 0}, {1, 3});
    CHECK(value_of(CategoricalCrossentropy(), first_class, certain_wrong) ==
          Approx(-std::log(kEps)));
    CHECK(value_of(CategoricalCrossentropy(), certain_wrong, certain_wrong) ==
          Approx(-std::log(kOneMinusEps)).margin(1e-6));
    CHECK(value_of(SparseCategoricalCrossentropy(), tensor({0}), certain_wrong) ==
          Approx(-std::log(kEps / (kOneMinusEps + 2 * kEps))));
    // BCE of p = 0 against y = 1 is -log(eps + eps); of p = 1 against y = 0, -log(1 - (1 - eps)
    // + eps) with 1 - eps rounded to float32.
    CHECK(value_of(BinaryCrossentropy(), tensor({1, 0}, {1, 2}), tensor({0, 1}, {1, 2})) ==
          Approx((-std::log(2 * kEps) - std::log(1 - kOneMinusEps + kEps)) / 2));
    CHECK(value_of(KLDivergence(), first_class, certain_wrong) == Approx(-std::log(kEps)));
    for (const Tensor& gradient :
         {gradient_of(CategoricalCrossentropy(), first_class, certain_wrong),
          gradient_of(BinaryCrossentropy(), first_class, certain_wrong),
          gradient_of(SparseCategoricalCrossentropy(), tensor({0}), certain_wrong)}) {
        // Every probability is outside [eps, 1 - eps], so the clip passes no gradient.
        CHECK(gradient.to_vector() == std::vector<float>{0, 0, 0});
    }
}

TEST_CASE("crossentropy of all-equal logits is log K", "[losses]") {
    const Tensor logits = full({2, 4}, 3.5f);
    const Tensor one_hot_rows = tensor({0, 1, 0, 0, 0, 0, 0, 1}, {2, 4});
    const float log4 = std::log(4.0f);
    CHECK(value_of(CategoricalCrossentropy({.from_logits = true}), one_hot_rows, logits) == log4);
    CHECK(value_of(SparseCategoricalCrossentropy({.from_logits = true}), tensor({1, 3}), logits) ==
          log4);
    CHECK(value_of(CategoricalCrossentropy(), one_hot_rows, full({2, 4}, 0.25f)) == log4);
    CHECK(value_of(BinaryCrossentropy({.from_logits = true}), tensor({0, 1}, {1, 2}),
                   zeros({1, 2})) == Approx(std::log(2.0)));
}

TEST_CASE("crossentropies from logits of +-100 are finite and exact", "[losses]") {
    const Tensor logits = tensor({100, -100, 0}, {1, 3});
    const Tensor second_class = tensor({0, 1, 0}, {1, 3});
    CHECK(value_of(CategoricalCrossentropy({.from_logits = true}), second_class, logits) ==
          Approx(200.0));
    CHECK(value_of(SparseCategoricalCrossentropy({.from_logits = true}), tensor({1}), logits) ==
          Approx(200.0));
    CHECK(value_of(SparseCategoricalCrossentropy({.from_logits = true}), tensor({0}), logits) ==
          Approx(0.0).margin(1e-6));
    // BCE per element: 100 (z = 100, y = 0), 100 (z = -100, y = 1), log 2 (z = 0).
    CHECK(value_of(BinaryCrossentropy({.from_logits = true}), tensor({0, 1, 1}, {1, 3}), logits) ==
          Approx((200 + std::log(2.0)) / 3));
    CHECK(value_of(BinaryCrossentropy({.from_logits = true}), tensor({1, 0, 0}, {1, 3}),
                   tensor({100, -100, -30}, {1, 3})) == Approx(std::log1p(std::exp(-30.0)) / 3));
    const Tensor cce_gradient =
        gradient_of(CategoricalCrossentropy({.from_logits = true}), second_class, logits);
    CHECK(all_finite(cce_gradient));
    CHECK(cce_gradient.at({0, 0}) == Approx(1.0));  // softmax - y
    CHECK(cce_gradient.at({0, 1}) == Approx(-1.0));
    const Tensor bce_gradient =
        gradient_of(BinaryCrossentropy({.from_logits = true}), tensor({0, 1, 1}, {1, 3}), logits);
    CHECK(all_finite(bce_gradient));
    CHECK(bce_gradient.at({0, 0}) == Approx(1.0 / 3));  // (sigmoid(z) - y) / 3
    CHECK(bce_gradient.at({0, 1}) == Approx(-1.0 / 3));
    CHECK(value_of(LogCosh(), zeros({1, 1}), full({1, 1}, 100.0f)) == Approx(100 - std::log(2.0)));
}

TEST_CASE("label smoothing moves the targets toward uniform", "[losses]") {
    // CCE, K = 4, ls = 0.2: targets 0.85 / 0.05; with uniform probabilities the loss stays log 4.
    const Tensor y = tensor({1, 0, 0, 0}, {1, 4});
    const Tensor p = tensor({0.4f, 0.3f, 0.2f, 0.1f}, {1, 4});
    const double smoothed = -(0.85 * std::log(0.4) + 0.05 * std::log(0.3 * 0.2 * 0.1));
    CHECK(value_of(CategoricalCrossentropy({.label_smoothing = 0.2}), y, p) == Approx(smoothed));
    // BCE, ls = 0.2: y = 1 becomes 0.9.
    const double bce = -(0.9 * std::log(0.7 + kEps) + 0.1 * std::log(0.3 + kEps));
    CHECK(value_of(BinaryCrossentropy({.label_smoothing = 0.2}), tensor({1}, {1, 1}),
                   tensor({0.7f}, {1, 1})) == Approx(bce));
}

TEST_CASE("losses reject bad inputs with messages naming them", "[losses]") {
    SECTION("empty batch") {
        CHECK_THROWS_WITH(MeanSquaredError()(zeros({0, 3}), zeros({0, 3})),
                          Catch::Contains("mean_squared_error: empty batch"));
        CHECK_THROWS_AS(SparseCategoricalCrossentropy()(zeros({0}), zeros({0, 3})), ValueError);
    }
    SECTION("y_true and y_pred shapes") {
        CHECK_THROWS_AS(MeanSquaredError()(zeros({2, 3}), zeros({2, 4})), ShapeError);
        CHECK_THROWS_WITH(CategoricalCrossentropy()(zeros({2, 3}), zeros({2, 4})),
                          Catch::Contains("categorical_crossentropy") &&
                              Catch::Contains("[2, 3]") && Catch::Contains("[2, 4]"));
        CHECK_THROWS_WITH(huber(zeros({3}), zeros({2, 3})),
                          Catch::Contains("huber: y_true shape [3]"));
        CHECK_THROWS_WITH(
            SparseCategoricalCrossentropy()(zeros({3}), full({2, 4}, 0.25f)),
            Catch::Contains("sparse_categorical_crossentropy") && Catch::Contains("[3]"));
        CHECK_THROWS_AS(sparse_categorical_crossentropy(zeros({2, 4}), zeros({2, 4})), ShapeError);
        CHECK_THROWS_AS(mean_squared_error(scalar(1), scalar(1)), ShapeError);
    }
    SECTION("sample weights") {
        CHECK_THROWS_WITH(MeanSquaredError()(zeros({2, 3}), zeros({2, 3}), ones({3})),
                          Catch::Contains("sample_weight shape [3]") && Catch::Contains("[2]"));
        CHECK_THROWS_AS(MeanSquaredError()(zeros({2, 4, 3}), zeros({2, 4, 3}), ones({2, 3})),
                        ShapeError);
        CHECK_THROWS_AS(MeanSquaredError()(zeros({2, 3}), zeros({2, 3}), ones({2, 2})), ShapeError);
    }
    SECTION("labels") {
        const Tensor p = full({2, 4}, 0.25f);
        CHECK_THROWS_WITH(SparseCategoricalCrossentropy()(tensor({1, 4}), p),
                          Catch::Contains("label 4") && Catch::Contains("[0, 4)"));
        CHECK_THROWS_WITH(SparseCategoricalCrossentropy()(tensor({1.5f, 0}), p),
                          Catch::Contains("label 1.5"));
        CHECK_THROWS_AS(SparseCategoricalCrossentropy()(tensor({-1, 0}), p), ValueError);
    }
    SECTION("options") {
        CHECK_THROWS_WITH(CategoricalCrossentropy({.label_smoothing = -0.1}),
                          Catch::Contains("label_smoothing") && Catch::Contains("-0.1"));
        CHECK_THROWS_AS(BinaryCrossentropy({.label_smoothing = 1.5}), ValueError);
        CHECK_THROWS_AS(binary_crossentropy(zeros({1, 1}), zeros({1, 1}), false, 2.0), ValueError);
        CHECK_THROWS_WITH(Huber({.delta = 0.0}), Catch::Contains("delta") && Catch::Contains("0"));
        CHECK_THROWS_AS(Huber({.delta = -1.0}), ValueError);
        CHECK_THROWS_AS(huber(zeros({1, 1}), zeros({1, 1}), std::nan("")), ValueError);
    }
}

TEST_CASE("get() knows Keras's names, aliases and class names in any case", "[losses]") {
    const std::vector<std::pair<std::string, std::string>> names = {
        {"mse", "MeanSquaredError"},
        {"mean_squared_error", "MeanSquaredError"},
        {"MeanSquaredError", "MeanSquaredError"},
        {"MAE", "MeanAbsoluteError"},
        {"mean_absolute_error", "MeanAbsoluteError"},
        {"mape", "MeanAbsolutePercentageError"},
        {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
        {"huber", "Huber"},
        {"huber_loss", "Huber"},
        {"log_cosh", "LogCosh"},
        {"logcosh", "LogCosh"},
        {"binary_crossentropy", "BinaryCrossentropy"},
        {"categorical_crossentropy", "CategoricalCrossentropy"},
        {"Sparse_Categorical_Crossentropy", "SparseCategoricalCrossentropy"},
        {"kld", "KLDivergence"},
        {"kl_divergence", "KLDivergence"},
        {"kullback_leibler_divergence", "KLDivergence"},
    };
    for (const auto& [name, class_name] : names) {
        INFO(name);
        CHECK(get(name)->class_name() == class_name);
    }
    CHECK(get("huber")->name() == "huber_loss");
    CHECK(get("logcosh")->name() == "log_cosh");
    CHECK(get("kld")->name() == "kl_divergence");
    CHECK_THROWS_WITH(get("hinge"), Catch::Contains("unknown loss 'hinge'"));
    CHECK_THROWS_AS(get(""), ValueError);
}

TEST_CASE("a loss keeps its options, name and reduction, also when cloned", "[losses]") {
    const CategoricalCrossentropy loss(
        {.from_logits = true, .label_smoothing = 0.1, .reduction = Reduction::Sum, .name = "cce"});
    const std::unique_ptr<Loss> copy = loss.clone();
    CHECK(copy->name() == "cce");
    CHECK(copy->reduction() == Reduction::Sum);
    const auto& options = dynamic_cast<const CategoricalCrossentropy&>(*copy).options();
    CHECK(options.from_logits);
    CHECK(options.label_smoothing == 0.1);
    CHECK(options.axis == -1);
    CHECK(Huber().options().delta == 1.0);
    CHECK(Huber().name() == "huber_loss");
    CHECK(MeanSquaredError().reduction() == Reduction::SumOverBatchSize);
}

TEST_CASE("loss gradients match central differences", "[losses][gradcheck]") {
    const Tensor regression_true = minidl::testing::seeded_randn({3, 4}, 1);
    const Tensor regression_pred = minidl::testing::seeded_randn({3, 4}, 2);
    const Tensor probabilities = softmax(minidl::testing::seeded_randn({3, 4}, 3));
    const Tensor soft_targets = softmax(minidl::testing::seeded_randn({3, 4}, 4));
    const Tensor logits = minidl::testing::seeded_randn({3, 4}, 5);
    const Tensor labels = tensor({2, 0, 3});
    const Tensor binary_targets = tensor({1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}, {3, 4});
    const Tensor weights = tensor({0.5f, 1.0f, 2.0f});

    struct Case {
        std::shared_ptr<Loss> loss;
        Tensor y_true;
        Tensor y_pred;
    };
    const std::vector<Case> cases = {
        {std::make_shared<MeanSquaredError>(), regression_true, regression_pred},
        {std::make_shared<MeanAbsoluteError>(), regression_true, regression_pred},
        {std::make_shared<MeanAbsolutePercentageError>(), regression_true, regression_pred},
        {std::make_shared<Huber>(HuberOptions{.delta = 0.7}), regression_true, regression_pred},
        {std::make_shared<LogCosh>(), regression_true, regression_pred},
        {std::make_shared<BinaryCrossentropy>(), binary_targets, probabilities},
        {std::make_shared<BinaryCrossentropy>(
             BinaryCrossentropyOptions{.from_logits = true, .label_smoothing = 0.1}),
         binary_targets, logits},
        {std::make_shared<CategoricalCrossentropy>(), soft_targets, probabilities},
        {std::make_shared<CategoricalCrossentropy>(
             CategoricalCrossentropyOptions{.from_logits = true, .label_smoothing = 0.2}),
         soft_targets, logits},
        {std::make_shared<SparseCategoricalCrossentropy>(), labels, probabilities},
        {std::make_shared<SparseCategoricalCrossentropy>(
             SparseCategoricalCrossentropyOptions{.from_logits = true}),
         labels, logits},
        {std::make_shared<KLDivergence>(), soft_targets, probabilities},
    };
    for (const Case& c : cases) {
        INFO(c.loss->class_name());
        const auto f = [&](const std::vector<Tensor>& in) {
            return (*c.loss)(in[0], in[1], in[2]);
        };
        CHECK_GRADIENTS(f, {c.y_true, c.y_pred, weights}, {}, {0});
    }
}
