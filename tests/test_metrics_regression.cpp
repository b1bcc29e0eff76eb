// Regression metrics (train/metrics_regression.cpp) against Keras's documented examples and
// values computed by hand.

#include <catch2/catch.hpp>
#include <cmath>

#include <minidl/minidl.hpp>

#include "minidl/core/error.hpp"
#include "minidl/train/metrics.hpp"

using namespace minidl;

namespace {

Approx close(double expected) { return Approx(expected).epsilon(1e-7).margin(1e-12); }

const Tensor kTrue = tensor({0, 1, 0, 0}, {2, 2});
const Tensor kPred = tensor({1, 1, 0, 0}, {2, 2});

}  // namespace

TEST_CASE("MeanSquaredError: mean over the last axis, then the weighted mean", "[metrics]") {
    metrics::MeanSquaredError mse;
    CHECK(mse.name() == "mean_squared_error");
    CHECK(mse.result() == 0.0);
    mse.update_state(kTrue, kPred);  // Keras's example: per sample [0.5, 0]
    CHECK(mse.result() == close(0.25));
    mse.update_state(tensor({1, 1}, {1, 2}), tensor({3, 1}, {1, 2}));  // one sample: (4 + 0) / 2
    CHECK(mse.result() == close((0.5 + 0.0 + 2.0) / 3.0));
    mse.reset_state();
    mse.update_state(kTrue, kPred, tensor({1, 0}));
    CHECK(mse.result() == close(0.5));
}

TEST_CASE("MeanSquaredError reads rank-1 values as one per sample", "[metrics]") {
    metrics::MeanSquaredError mse;
    mse.update_state(tensor({1, 2}), tensor({1, 4}), tensor({3, 1}));  // per sample [0, 4]
    CHECK(mse.result() == close(4.0 / 4.0));
    metrics::MeanSquaredError column;  // y_true [N] against y_pred [N, 1]
    column.update_state(tensor({1, 2}), tensor({2, 2}, {2, 1}));
    CHECK(column.result() == close(0.5));
}

TEST_CASE("MeanAbsoluteError: mean |error| over the last axis, then the weighted mean",
          "[metrics]") {
    metrics::MeanAbsoluteError mae;
    CHECK(mae.name() == "mean_absolute_error");
    mae.update_state(kTrue, kPred);
    CHECK(mae.result() == close(0.25));
    mae.reset_state();
    mae.update_state(kTrue, kPred, tensor({1, 0}));
    CHECK(mae.result() == close(0.5));
    mae.update_state(tensor({0, 0}, {1, 2}), tensor({-3, 1}, {1, 2}), tensor({2}));
    CHECK(mae.result() == close((0.5 * 1 + 2.0 * 2) / 3.0));
}

TEST_CASE("RootMeanSquaredError: sqrt of the weighted mean of squared errors", "[metrics]") {
    metrics::RootMeanSquaredError rmse;
    CHECK(rmse.name() == "root_mean_squared_error");
    CHECK(rmse.result() == 0.0);
    rmse.update_state(kTrue, kPred);
    CHECK(rmse.result() == close(0.5));
    rmse.reset_state();
    rmse.update_state(kTrue, kPred, tensor({1, 0}));
    CHECK(rmse.result() == close(std::sqrt(0.5)));
    // Per-sample weights broadcast over the elements: squared errors [[1, 0], [0, 0]] with
    // weights [[1, 1], [3, 3]] give 1 / 8; a second batch adds 9 * 2 over a count of 2.
    metrics::RootMeanSquaredError weighted;
    weighted.update_state(kTrue, kPred, tensor({1, 3}));
    CHECK(weighted.result() == close(std::sqrt(1.0 / 8.0)));
    weighted.update_state(tensor({0}, {1, 1}), tensor({3}, {1, 1}), tensor({2}));
    CHECK(weighted.result() == close(std::sqrt(19.0 / 10.0)));
}

TEST_CASE("Regression metrics name themselves and both shapes on a mismatch", "[metrics]") {
    metrics::MeanSquaredError mse({.name = "val_mse"});
    CHECK_THROWS_AS(mse.update_state(zeros({2, 3}), zeros({2, 2})), ShapeError);
    CHECK_THROWS_WITH(
        mse.update_state(zeros({2, 3}), zeros({2, 2})),
        Catch::Contains("val_mse") && Catch::Contains("[2, 3]") && Catch::Contains("[2, 2]"));
    metrics::RootMeanSquaredError rmse;
    CHECK_THROWS_WITH(rmse.update_state(zeros({4}), zeros({2, 2})),
                      Catch::Contains("root_mean_squared_error") && Catch::Contains("[4]"));
    metrics::MeanAbsoluteError mae;
    CHECK_THROWS_AS(mae.update_state(zeros({2, 2}), zeros({2, 2}), ones({3})), ShapeError);
}
