// The metric bases (train/metrics.cpp): Mean's weighted accumulation and sample-weight
// broadcasting, the update/result/reset cycle, clone(), and get()'s names.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/core/error.hpp"
#include "minidl/train/metrics.hpp"

using namespace minidl;

namespace {

Approx exactly(double expected) { return Approx(expected).epsilon(1e-12).margin(1e-15); }

}  // namespace

TEST_CASE("Mean is 0 before any update, then the mean of every value seen", "[metrics]") {
    metrics::Mean mean;
    CHECK(mean.name() == "mean");
    CHECK(mean.result() == 0.0);
    mean.update_state(tensor({1, 2, 3}));
    CHECK(mean.result() == exactly(2.0));
    mean.update_state(scalar(5));  // a scalar, as the training loop passes the loss
    CHECK(mean.result() == exactly(11.0 / 4.0));
    CHECK(mean.total() == exactly(11.0));
    CHECK(mean.count() == exactly(4.0));
    mean.reset_state();
    CHECK(mean.result() == 0.0);
    mean.update_state(tensor({7}));
    CHECK(mean.result() == exactly(7.0));
}

TEST_CASE("Mean weighs samples and elements, counting the broadcast weights", "[metrics]") {
    const Tensor values = tensor({1, 2, 3, 4}, {2, 2});
    SECTION("per sample [N]: each weight covers its row") {
        metrics::Mean mean;
        mean.update_state(values, tensor({1, 0}));
        CHECK(mean.result() == exactly(1.5));  // (1 + 2) / 2
        CHECK(mean.count() == exactly(2.0));
    }
    SECTION("per sample [N, 1]") {
        metrics::Mean mean;
        mean.update_state(values, tensor({1, 3}, {2, 1}));
        CHECK(mean.result() == exactly((3.0 + 3 * 7.0) / 8.0));
    }
    SECTION("per element") {
        metrics::Mean mean;
        mean.update_state(values, tensor({1, 2, 0, 1}, {2, 2}));
        CHECK(mean.result() == exactly((1.0 + 4.0 + 0.0 + 4.0) / 4.0));
    }
    SECTION("a scalar weight") {
        metrics::Mean mean;
        mean.update_state(values, scalar(2));
        CHECK(mean.result() == exactly(2.5));
        CHECK(mean.count() == exactly(8.0));
    }
    SECTION("values [N] with weights [N, 1]") {
        metrics::Mean mean;
        mean.update_state(tensor({1, 5}), tensor({3, 1}, {2, 1}));
        CHECK(mean.result() == exactly(8.0 / 4.0));
    }
    SECTION("zero total weight gives 0, not NaN") {
        metrics::Mean mean;
        mean.update_state(values, tensor({0, 0}));
        CHECK(mean.result() == 0.0);
    }
}

TEST_CASE("Mean accumulates in double", "[metrics]") {
    metrics::Mean mean;
    // 2^24 + 1 is not a float32: a float accumulator would lose every added 1.
    mean.update_state(tensor({16777216.0f}));
    for (int i = 0; i < 4; ++i) mean.update_state(tensor({1.0f}));
    CHECK(mean.total() == 16777220.0);
}

TEST_CASE("Mean rejects empty batches and weights that do not fit", "[metrics]") {
    metrics::Mean mean("loss");
    CHECK_THROWS_AS(mean.update_state(zeros({0, 3})), ValueError);
    CHECK_THROWS_WITH(mean.update_state(zeros({0, 3})), Catch::Contains("loss: empty batch"));
    CHECK_THROWS_AS(mean.update_state(ones({2, 2}), ones({3})), ShapeError);
    CHECK_THROWS_WITH(mean.update_state(ones({2, 2}), ones({3})), Catch::Contains("loss") &&
                                                                      Catch::Contains("[3]") &&
                                                                      Catch::Contains("[2, 2]"));
    CHECK_THROWS_AS(mean.update_state(ones({2}), ones({2, 2})), ShapeError);
    CHECK(mean.result() == 0.0);  // a failed update leaves the state as it was
}

TEST_CASE("Metrics take tensors that require grad and leave recording on", "[metrics]") {
    const Tensor y_pred = tensor({0.5f, 1.5f}).requires_grad_();
    metrics::MeanSquaredError mse;
    mse.update_state(tensor({0, 0}), y_pred);
    CHECK(grad_enabled());
    CHECK(mse.result() == exactly(1.25));
    metrics::Mean mean;
    mean.update_state(mul(y_pred, 2.0f));
    CHECK(mean.result() == exactly(2.0));
}

TEST_CASE("clone() keeps the configuration and name with a fresh state", "[metrics]") {
    metrics::BinaryAccuracy accuracy({.threshold = 0.8, .name = "strict"});
    accuracy.update_state(tensor({1, 1}), tensor({0.9f, 0.7f}));
    CHECK(accuracy.result() == exactly(0.5));
    const std::unique_ptr<metrics::Metric> copy = accuracy.clone();
    CHECK(copy->name() == "strict");
    CHECK(copy->class_name() == "BinaryAccuracy");
    CHECK(copy->result() == 0.0);
    auto& binary = dynamic_cast<metrics::BinaryAccuracy&>(*copy);
    CHECK(binary.options().threshold == 0.8);
    binary.update_state(tensor({1}), tensor({0.75f}));
    CHECK(binary.result() == 0.0);
    CHECK(accuracy.result() == exactly(0.5));

    metrics::Mean mean("loss");
    mean.update_state(scalar(3));
    const std::unique_ptr<metrics::Metric> mean_copy = mean.clone();
    CHECK(mean_copy->name() == "loss");
    CHECK(mean_copy->result() == 0.0);
}

TEST_CASE("get() knows Keras's names, aliases and class names in any case", "[metrics]") {
    const std::vector<std::pair<std::string, std::string>> names = {
        {"accuracy", "Accuracy"},
        {"acc", "Accuracy"},
        {"ACC", "Accuracy"},
        {"binary_accuracy", "BinaryAccuracy"},
        {"categorical_accuracy", "CategoricalAccuracy"},
        {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
        {"SparseCategoricalAccuracy", "SparseCategoricalAccuracy"},
        {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
        {"mse", "MeanSquaredError"},
        {"mean_squared_error", "MeanSquaredError"},
        {"rmse", "RootMeanSquaredError"},
        {"root_mean_squared_error", "RootMeanSquaredError"},
        {"mae", "MeanAbsoluteError"},
        {"Mean_Absolute_Error", "MeanAbsoluteError"},
        {"precision", "Precision"},
        {"recall", "Recall"},
        {"auc", "AUC"},
        {"AUC", "AUC"},
    };
    for (const auto& [name, class_name] : names) {
        INFO(name);
        const std::unique_ptr<metrics::PredictionMetric> metric = metrics::get(name);
        CHECK(metric->class_name() == class_name);
    }
    CHECK(metrics::get("acc")->name() == "accuracy");
    CHECK(metrics::get("mse")->name() == "mean_squared_error");
    CHECK(metrics::get("top_k_categorical_accuracy")->name() == "top_k_categorical_accuracy");
    CHECK_THROWS_AS(metrics::get("accuracyy"), ValueError);
    CHECK_THROWS_WITH(metrics::get("accuracyy"), Catch::Contains("'accuracyy'"));
}

TEST_CASE("Prediction metrics reject empty batches and rank-0 predictions", "[metrics]") {
    for (const char* name : {"accuracy", "mse", "precision", "auc", "categorical_accuracy"}) {
        INFO(name);
        const std::unique_ptr<metrics::PredictionMetric> metric = metrics::get(name);
        CHECK_THROWS_AS(metric->update_state(zeros({0, 2}), zeros({0, 2})), ValueError);
        CHECK_THROWS_WITH(metric->update_state(zeros({0, 2}), zeros({0, 2})),
                          Catch::Contains("empty batch"));
        CHECK_THROWS_AS(metric->update_state(scalar(1), scalar(1)), ShapeError);
    }
}

TEST_CASE("The example of docs/metrics.md", "[metrics]") {
    metrics::SparseCategoricalAccuracy accuracy;
    const Tensor scores = tensor({0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0.0f}, {2, 3});
    CHECK(accuracy.result() == 0.0);
    accuracy.update_state(tensor({2, 1}), scores);
    CHECK(accuracy.result() == exactly(0.5));
    accuracy.update_state(tensor({0}), tensor({0.7f, 0.2f, 0.1f}, {1, 3}), tensor({2}));
    CHECK(accuracy.result() == exactly(0.75));
    accuracy.reset_state();
    CHECK(accuracy.result() == 0.0);
    const metrics::AUC auc({.num_thresholds = 100, .curve = metrics::AUCCurve::PR});
    CHECK(auc.options().curve == metrics::AUCCurve::PR);
}
