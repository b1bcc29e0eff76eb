// Accuracy metrics (train/metrics_accuracy.cpp) against Keras's documented examples and values
// computed by hand: ties, top-k ties, thresholds, sample weights and the argument checks.

#include <catch2/catch.hpp>
#include <limits>

#include <minidl/minidl.hpp>

#include "minidl/core/error.hpp"
#include "minidl/train/metrics.hpp"

using namespace minidl;

namespace {

Approx close(double expected) { return Approx(expected).epsilon(1e-7).margin(1e-12); }

// Keras's example for the categorical accuracies: sample 0's target is class 2, sample 1's is 1.
const Tensor kOneHot = tensor({0, 0, 1, 0, 1, 0}, {2, 3});
const Tensor kScores = tensor({0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0.0f}, {2, 3});

}  // namespace

TEST_CASE("Accuracy compares every element exactly", "[metrics]") {
    metrics::Accuracy accuracy;
    CHECK(accuracy.name() == "accuracy");
    CHECK(accuracy.result() == 0.0);
    accuracy.update_state(tensor({1, 2, 3, 4}, {4, 1}), tensor({0, 2, 3, 4}, {4, 1}));
    CHECK(accuracy.result() == close(0.75));
    accuracy.reset_state();
    accuracy.update_state(tensor({1, 2, 3, 4}, {4, 1}), tensor({0, 2, 3, 4}, {4, 1}),
                          tensor({1, 1, 0, 0}));
    CHECK(accuracy.result() == close(0.5));
    // No reduction over the last axis: 3 of the 4 elements match, with y_true [N] vs [N, 1].
    accuracy.reset_state();
    accuracy.update_state(tensor({1, 0, 1, 1}, {2, 2}), tensor({1, 0, 0, 1}, {2, 2}));
    accuracy.update_state(tensor({5, 6}), tensor({5, 7}, {2, 1}));
    CHECK(accuracy.result() == close(4.0 / 6.0));
    CHECK_THROWS_AS(accuracy.update_state(zeros({3}), zeros({2})), ShapeError);
}

TEST_CASE("BinaryAccuracy thresholds strictly and averages the last axis", "[metrics]") {
    metrics::BinaryAccuracy accuracy;
    CHECK(accuracy.name() == "binary_accuracy");
    const Tensor labels = tensor({1, 1, 0, 0}, {4, 1});
    const Tensor probabilities = tensor({0.98f, 1.0f, 0.0f, 0.6f}, {4, 1});
    accuracy.update_state(labels, probabilities);
    CHECK(accuracy.result() == close(0.75));
    accuracy.reset_state();
    accuracy.update_state(labels, probabilities, tensor({1, 0, 0, 1}));
    CHECK(accuracy.result() == close(0.5));

    SECTION("0.5 is not above the threshold 0.5") {
        metrics::BinaryAccuracy at_threshold;
        at_threshold.update_state(tensor({1, 0}), tensor({0.5f, 0.5f}));
        CHECK(at_threshold.result() == close(0.5));
    }
    SECTION("per sample: the mean over the last axis, weighted") {
        const Tensor y_true = tensor({1, 0, 1, 1}, {2, 2});
        const Tensor y_pred = tensor({0.7f, 0.2f, 0.4f, 0.9f}, {2, 2});
        metrics::BinaryAccuracy weighted;
        weighted.update_state(y_true, y_pred, tensor({1, 3}));  // per sample [1, 0.5]
        CHECK(weighted.result() == close((1.0 + 1.5) / 4.0));
        metrics::BinaryAccuracy low({.threshold = 0.3});
        low.update_state(y_true, y_pred);
        CHECK(low.result() == close(1.0));
    }
    SECTION("rank-1 inputs: one value per sample") {
        metrics::BinaryAccuracy flat;
        flat.update_state(tensor({1, 0, 1}), tensor({0.9f, 0.2f, 0.3f}), tensor({1, 1, 4}));
        CHECK(flat.result() == close(2.0 / 6.0));
    }
    SECTION("soft labels never match") {
        metrics::BinaryAccuracy soft;
        soft.update_state(tensor({0.9f, 0.1f}), tensor({0.9f, 0.1f}));
        CHECK(soft.result() == 0.0);
    }
    CHECK_THROWS_AS(metrics::BinaryAccuracy({.threshold = 1.5}), ValueError);
    CHECK_THROWS_WITH(metrics::BinaryAccuracy({.threshold = -0.1}),
                      Catch::Contains("threshold") && Catch::Contains("-0.1"));
}

TEST_CASE("CategoricalAccuracy compares argmaxes, the first maximum on ties", "[metrics]") {
    metrics::CategoricalAccuracy accuracy;
    CHECK(accuracy.name() == "categorical_accuracy");
    accuracy.update_state(kOneHot, kScores);
    CHECK(accuracy.result() == close(0.5));
    accuracy.reset_state();
    accuracy.update_state(kOneHot, kScores, tensor({0.7f, 0.3f}));
    CHECK(accuracy.result() == close(0.3));

    metrics::CategoricalAccuracy ties;
    const Tensor tied = tensor({0.4f, 0.4f, 0.2f, 0.4f, 0.4f, 0.2f}, {2, 3});
    ties.update_state(tensor({1, 0, 0, 0, 1, 0}, {2, 3}), tied);  // class 0 wins both ties
    CHECK(ties.result() == close(0.5));
    ties.update_state(tensor({1, 0, 0}, {1, 3}), tensor({0.1f, 0.2f, 0.3f}, {1, 3}));
    CHECK(ties.result() == close(1.0 / 3.0));

    SECTION("sequences: one value per position") {
        metrics::CategoricalAccuracy per_step;
        per_step.update_state(tensor({1, 0, 0, 1, 1, 0, 1, 0}, {2, 2, 2}),
                              tensor({0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f, 0.6f, 0.4f}, {2, 2, 2}),
                              tensor({1, 2}));
        CHECK(per_step.result() == close((1.0 + 0.0 + 0.0 + 2.0) / 6.0));
    }
    CHECK_THROWS_AS(accuracy.update_state(zeros({2, 2}), zeros({2, 3})), ShapeError);
    CHECK_THROWS_WITH(accuracy.update_state(zeros({3}), zeros({3})),
                      Catch::Contains("class axis") && Catch::Contains("[3]"));
}

TEST_CASE("SparseCategoricalAccuracy compares labels to the argmax", "[metrics]") {
    metrics::SparseCategoricalAccuracy accuracy;
    CHECK(accuracy.name() == "sparse_categorical_accuracy");
    const Tensor scores = tensor({0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0.0f}, {2, 3});
    accuracy.update_state(tensor({2, 1}, {2, 1}), scores);  // Keras's example
    CHECK(accuracy.result() == close(0.5));
    accuracy.reset_state();
    accuracy.update_state(tensor({2, 1}), scores, tensor({0.7f, 0.3f}));
    CHECK(accuracy.result() == close(0.3));
    accuracy.update_state(tensor({0}), tensor({0.5f, 0.5f, 0.0f}, {1, 3}));  // tie: class 0
    accuracy.update_state(tensor({1}), tensor({0.5f, 0.5f, 0.0f}, {1, 3}));
    CHECK(accuracy.result() == close(1.3 / 3.0));

    SECTION("labels must be integers in [0, C)") {
        metrics::SparseCategoricalAccuracy strict;
        CHECK_THROWS_AS(strict.update_state(tensor({1.5f, 0}), scores), ValueError);
        CHECK_THROWS_WITH(strict.update_state(tensor({3, 0}), scores),
                          Catch::Contains("label 3") && Catch::Contains("[0, 3)"));
        CHECK_THROWS_AS(strict.update_state(tensor({-1, 0}), scores), ValueError);
        CHECK(strict.result() == 0.0);
    }
    CHECK_THROWS_AS(accuracy.update_state(tensor({1, 2, 0}), scores), ShapeError);
    CHECK_THROWS_WITH(accuracy.update_state(tensor({1, 2, 0}), scores),
                      Catch::Contains("sparse_categorical_accuracy") && Catch::Contains("[3]") &&
                          Catch::Contains("[2, 3]"));
}

TEST_CASE("TopKCategoricalAccuracy counts ties at the boundary as in", "[metrics]") {
    metrics::TopKCategoricalAccuracy top1({.k = 1});
    CHECK(top1.name() == "top_k_categorical_accuracy");
    top1.update_state(kOneHot, kScores);  // Keras's example
    CHECK(top1.result() == close(0.5));
    top1.reset_state();
    top1.update_state(kOneHot, kScores, tensor({0.7f, 0.3f}));
    CHECK(top1.result() == close(0.3));

    metrics::TopKCategoricalAccuracy top2({.k = 2});
    top2.update_state(kOneHot, kScores);
    CHECK(top2.result() == close(1.0));

    SECTION("ties") {
        // Target 0 scores 0.3 with one class above: out of the top 1, in the top 2.
        const Tensor scores = tensor({0.3f, 0.3f, 0.4f}, {1, 3});
        const Tensor target0 = tensor({1, 0, 0}, {1, 3});
        metrics::TopKCategoricalAccuracy k1({.k = 1});
        k1.update_state(target0, scores);
        CHECK(k1.result() == 0.0);
        metrics::TopKCategoricalAccuracy k2({.k = 2});
        k2.update_state(target0, scores);
        CHECK(k2.result() == 1.0);
        // Target 2 ties with class 1 for second place: both count as in the top 2.
        metrics::TopKCategoricalAccuracy straddle({.k = 2});
        straddle.update_state(tensor({0, 0, 1}, {1, 3}), tensor({0.4f, 0.3f, 0.3f}, {1, 3}));
        CHECK(straddle.result() == 1.0);
    }
    SECTION("the default k is 5; k above the class count keeps every class") {
        metrics::TopKCategoricalAccuracy top5;
        CHECK(top5.options().k == 5);
        top5.update_state(kOneHot, tensor({1, 0, 0, 0, 1, 0}, {2, 3}));
        CHECK(top5.result() == 1.0);
    }
    SECTION("a non-finite score makes the row a miss, as tf.math.in_top_k") {
        metrics::TopKCategoricalAccuracy k2({.k = 2});
        k2.update_state(tensor({1, 0, 0}, {1, 3}),
                        tensor({0.9f, std::numeric_limits<float>::quiet_NaN(), 0.0f}, {1, 3}));
        CHECK(k2.result() == 0.0);
    }
    CHECK_THROWS_AS(metrics::TopKCategoricalAccuracy({.k = 0}), ValueError);
    CHECK_THROWS_WITH(metrics::TopKCategoricalAccuracy({.k = -2}),
                      Catch::Contains("k must be >= 1") && Catch::Contains("-2"));
}
