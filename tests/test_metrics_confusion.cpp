// Precision, Recall and AUC (train/metrics_confusion.cpp) against Keras's documented examples,
// counts computed by hand, and tests/data/metric_fixtures.json (Keras's AUC formulas in float64,
// counted per threshold directly; written by scripts/gen_metric_fixtures.py).

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "minidl/core/error.hpp"
#include "minidl/train/metrics.hpp"

using namespace minidl;
using metrics::AUCCurve;
using metrics::AUCSummationMethod;

namespace {

Approx close(double expected) { return Approx(expected).epsilon(1e-7).margin(1e-12); }

// y_true and y_pred of Keras's Precision and Recall examples.
const Tensor kLabels = tensor({0, 1, 1, 1});
const Tensor kPredictions = tensor({1, 0, 1, 1});

// Three samples of three classes, for class_id and top_k.
const Tensor kOneHot = tensor({0, 0, 1, 0, 1, 0, 1, 0, 0}, {3, 3});
const Tensor kScores = tensor({0.1f, 0.2f, 0.7f, 0.2f, 0.1f, 0.6f, 0.3f, 0.3f, 0.4f}, {3, 3});

}  // namespace

TEST_CASE("Precision is tp / (tp + fp) at the threshold", "[metrics]") {
    metrics::Precision precision;
    CHECK(precision.name() == "precision");
    CHECK(precision.result() == 0.0);
    precision.update_state(kLabels, kPredictions);  // tp 2, fp 1
    CHECK(precision.result() == close(2.0 / 3.0));
    precision.reset_state();
    precision.update_state(kLabels, kPredictions, tensor({0, 0, 1, 0}));
    CHECK(precision.result() == close(1.0));
    CHECK(precision.counts().true_positives == 1.0);
    CHECK(precision.counts().false_positives == 0.0);

    SECTION("accumulates over batches, weights per element") {
        metrics::Precision accumulated;
        accumulated.update_state(kLabels, kPredictions);
        accumulated.update_state(tensor({0, 1}, {1, 2}), tensor({0.9f, 0.8f}, {1, 2}),
                                 tensor({3, 1}, {1, 2}));  // fp 3, tp 1
        CHECK(accumulated.result() == close(3.0 / 7.0));
    }
    SECTION("no positive prediction gives 0") {
        metrics::Precision none;
        none.update_state(tensor({1, 1, 0}), tensor({0.1f, 0.5f, 0.2f}));
        CHECK(none.result() == 0.0);
        CHECK(none.counts().false_negatives == 2.0);
    }
    SECTION("the comparison is strict and in float32") {
        metrics::Precision at(metrics::PrecisionOptions{.thresholds = 0.3});
        // 0.3f equals float(0.3): not above it (it would be above the double 0.3).
        at.update_state(tensor({0, 1}), tensor({0.3f, 0.31f}));
        CHECK(at.result() == close(1.0));
        CHECK(at.counts().false_positives == 0.0);
    }
}

TEST_CASE("Recall is tp / (tp + fn) at the threshold", "[metrics]") {
    metrics::Recall recall;
    CHECK(recall.name() == "recall");
    CHECK(recall.result() == 0.0);
    recall.update_state(kLabels, kPredictions);  // tp 2, fn 1
    CHECK(recall.result() == close(2.0 / 3.0));
    recall.reset_state();
    recall.update_state(kLabels, kPredictions, tensor({0, 0, 1, 0}));
    CHECK(recall.result() == close(1.0));
    recall.update_state(tensor({1, 1}, {2, 1}), tensor({0.5f, 0.6f}, {2, 1}), tensor({2, 1}));
    CHECK(recall.result() == close(2.0 / 4.0));  // tp 1 + 1, fn 2
    recall.reset_state();
    recall.update_state(tensor({0, 0}), tensor({0.9f, 0.1f}));  // no positive label
    CHECK(recall.result() == 0.0);
}

TEST_CASE("Precision and Recall with class_id count one class", "[metrics]") {
    // Class 2: (label 1, 0.7) tp, (0, 0.6) fp, (0, 0.4) tn. Class 0: (0, 0.1), (0, 0.2) tn,
    // (1, 0.3) fn.
    metrics::Precision precision2({.class_id = 2});
    metrics::Recall recall2({.class_id = 2});
    precision2.update_state(kOneHot, kScores);
    recall2.update_state(kOneHot, kScores);
    CHECK(precision2.result() == close(0.5));
    CHECK(recall2.result() == close(1.0));
    metrics::Precision precision0({.class_id = 0});
    metrics::Recall recall0({.class_id = 0});
    precision0.update_state(kOneHot, kScores);
    recall0.update_state(kOneHot, kScores, tensor({1, 1, 4}));
    CHECK(precision0.result() == 0.0);
    CHECK(recall0.result() == 0.0);
    CHECK(recall0.counts().false_negatives == 4.0);
    metrics::Recall too_far({.class_id = 3});
    CHECK_THROWS_WITH(too_far.update_state(kOneHot, kScores),
                      Catch::Contains("class_id 3") && Catch::Contains("[3, 3]"));
}

TEST_CASE("Precision and Recall with top_k keep the k highest, the lower index on ties",
          "[metrics]") {
    // Keras's examples: all four scores tie; the top 2 are indices 0 and 1.
    metrics::Precision top2({.top_k = 2});
    top2.update_state(tensor({0, 0, 1, 1}), tensor({1, 1, 1, 1}));
    CHECK(top2.result() == 0.0);
    metrics::Precision top4({.top_k = 4});
    top4.update_state(tensor({0, 0, 1, 1}), tensor({1, 1, 1, 1}));
    CHECK(top4.result() == close(0.5));

    // Without thresholds every prediction in the top k is positive, however low.
    metrics::Recall top1({.top_k = 1});
    top1.update_state(kOneHot, kScores);  // kept: 0.7 (label 1), 0.6 (0), 0.4 (0)
    CHECK(top1.result() == close(1.0 / 3.0));
    metrics::Precision top1_precision({.top_k = 1});
    top1_precision.update_state(kOneHot, kScores);
    CHECK(top1_precision.result() == close(1.0 / 3.0));

    // With a threshold too: row 2's top 1 (0.4) is below 0.5; row 3 ties 0.6 / 0.6 and keeps
    // index 0 (label 0), so its positive label at index 1 is missed.
    metrics::Recall thresholded({.thresholds = 0.5, .top_k = 1});
    thresholded.update_state(tensor({0, 0, 1, 0, 1, 0}, {2, 3}),
                             tensor({0.1f, 0.2f, 0.7f, 0.6f, 0.6f, 0.1f}, {2, 3}));
    CHECK(thresholded.result() == close(0.5));
    metrics::Precision with_class({.top_k = 1, .class_id = 1});
    with_class.update_state(tensor({0, 0, 1, 0, 1, 0}, {2, 3}),
                            tensor({0.1f, 0.2f, 0.7f, 0.6f, 0.6f, 0.1f}, {2, 3}));
    CHECK(with_class.result() == 0.0);
    CHECK(with_class.counts().false_negatives == 1.0);

    metrics::Precision too_many({.top_k = 4});
    CHECK_THROWS_WITH(too_many.update_state(kOneHot, kScores),
                      Catch::Contains("top_k 4") && Catch::Contains("3 classes"));
}

TEST_CASE("Precision and Recall check their options and inputs", "[metrics]") {
    CHECK_THROWS_AS(metrics::Precision({.thresholds = 1.2}), ValueError);
    CHECK_THROWS_WITH(metrics::Recall({.thresholds = -0.5}), Catch::Contains("recall") &&
                                                                 Catch::Contains("thresholds") &&
                                                                 Catch::Contains("-0.5"));
    CHECK_THROWS_WITH(metrics::Precision({.top_k = 0}), Catch::Contains("top_k"));
    CHECK_THROWS_WITH(metrics::Recall({.class_id = -1}), Catch::Contains("class_id"));
    metrics::Precision precision;
    CHECK_THROWS_AS(precision.update_state(tensor({1, 0}), tensor({1.5f, 0.0f})), ValueError);
    CHECK_THROWS_WITH(precision.update_state(tensor({1, 0}), tensor({-0.5f, 0.0f})),
                      Catch::Contains("predictions must be in [0, 1]"));
    CHECK_THROWS_AS(precision.update_state(tensor({1, 0, 1}), tensor({1, 0})), ShapeError);
    CHECK_THROWS_WITH(
        precision.update_state(tensor({1, 0, 1}), tensor({1, 0})),
        Catch::Contains("precision") && Catch::Contains("[3]") && Catch::Contains("[2]"));
    CHECK(precision.result() == 0.0);
}

TEST_CASE("AUC's thresholds and counts follow Keras", "[metrics]") {
    metrics::AUC auc({.num_thresholds = 3});
    CHECK(auc.name() == "auc");
    CHECK(auc.result() == 0.0);
    CHECK(auc.thresholds() == std::vector<double>{-1e-7, 0.5, 1.0 + 1e-7});
    // Keras's example: tp [2, 1, 0], fp [2, 0, 0], fn [0, 1, 2], tn [0, 2, 2].
    auc.update_state(tensor({0, 0, 1, 1}), tensor({0, 0.5f, 0.3f, 0.9f}));
    CHECK(auc.true_positives() == std::vector<double>{2, 1, 0});
    CHECK(auc.false_positives() == std::vector<double>{2, 0, 0});
    CHECK(auc.false_negatives() == std::vector<double>{0, 1, 2});
    CHECK(auc.true_negatives() == std::vector<double>{0, 2, 2});
    CHECK(auc.result() == close(0.75));
    auc.reset_state();
    CHECK(auc.result() == 0.0);
    auc.update_state(tensor({0, 0, 1, 1}), tensor({0, 0.5f, 0.3f, 0.9f}), tensor({1, 0, 0, 1}));
    CHECK(auc.result() == close(1.0));

    metrics::AUC five({.num_thresholds = 5});
    CHECK(five.thresholds() == std::vector<double>{-1e-7, 0.25, 0.5, 0.75, 1.0 + 1e-7});
    CHECK(metrics::AUC().thresholds().size() == 200);
    CHECK(metrics::AUC().thresholds()[1] == 1.0 / 199.0);
}

TEST_CASE("AUC's curves and summation methods on Keras's example", "[metrics]") {
    // recall [1, 0.5, 0], fp rate [1, 0, 0], precision [0.5, 1, 0] at the three thresholds.
    const auto area = [](AUCCurve curve, AUCSummationMethod method) {
        metrics::AUC auc({.num_thresholds = 3, .curve = curve, .summation_method = method});
        auc.update_state(tensor({0, 0, 1, 1}), tensor({0, 0.5f, 0.3f, 0.9f}));
        return auc.result();
    };
    CHECK(area(AUCCurve::ROC, AUCSummationMethod::Minoring) == close(0.5));
    CHECK(area(AUCCurve::ROC, AUCSummationMethod::Majoring) == close(1.0));
    CHECK(area(AUCCurve::PR, AUCSummationMethod::Minoring) == close(0.5 * 0.5));
    CHECK(area(AUCCurve::PR, AUCSummationMethod::Majoring) == close(0.5 * 1 + 0.5 * 1));
    // interpolate_pr_auc, interval by interval: slope = dtp / dp, intercept = tp_B - slope p_B,
    // area = slope (dtp + intercept log(p_A / p_B)) / (tp_B + fn_B).
    const double first = (1.0 / 3.0) * (1.0 + (2.0 / 3.0) * std::log(4.0)) / 2.0;
    const double second = 1.0 * (1.0 + 0.0) / 2.0;  // p_B = 0: the log ratio is log 1
    CHECK(area(AUCCurve::PR, AUCSummationMethod::Interpolation) == close(first + second));
}

TEST_CASE("AUC is 1 on a perfectly separable set", "[metrics]") {
    const Tensor labels = tensor({0, 1, 0, 1, 1, 0}, {3, 2});
    const Tensor scores = tensor({0.1f, 0.8f, 0.2f, 0.9f, 0.7f, 0.3f}, {3, 2});
    for (const AUCCurve curve : {AUCCurve::ROC, AUCCurve::PR}) {
        metrics::AUC auc({.curve = curve});
        auc.update_state(labels, scores);
        CHECK(auc.result() == close(1.0));
    }
    metrics::AUC from_logits({.from_logits = true});
    from_logits.update_state(labels, tensor({-3, 2, -1, 4, 1, -2}, {3, 2}));
    CHECK(from_logits.result() == close(1.0));
    // Reversed scores: every positive below every negative.
    metrics::AUC reversed;
    reversed.update_state(labels, sub(1.0f, scores));
    CHECK(reversed.result() == close(0.0));
}

TEST_CASE("AUC matches Keras's formulas on the fixtures", "[metrics]") {
    const auto cases = testing::load_fixture_cases("metric_fixtures.json");
    const std::vector<std::pair<std::string, std::pair<AUCCurve, AUCSummationMethod>>> methods = {
        {"ROC/interpolation", {AUCCurve::ROC, AUCSummationMethod::Interpolation}},
        {"ROC/minoring", {AUCCurve::ROC, AUCSummationMethod::Minoring}},
        {"ROC/majoring", {AUCCurve::ROC, AUCSummationMethod::Majoring}},
        {"PR/interpolation", {AUCCurve::PR, AUCSummationMethod::Interpolation}},
        {"PR/minoring", {AUCCurve::PR, AUCSummationMethod::Minoring}},
        {"PR/majoring", {AUCCurve::PR, AUCSummationMethod::Majoring}},
    };
    for (const auto& fixture : cases) {
        for (const auto& [key, method] : methods) {
            const int64_t n = fixture.at("num_thresholds").get<int64_t>();
            INFO("num_thresholds " << n << ", " << key);
            metrics::AUC auc({.num_thresholds = n,
                              .curve = method.first,
                              .summation_method = method.second,
                              .from_logits = fixture.at("from_logits").get<bool>()});
            for (const auto& batch : fixture.at("batches")) {
                auc.update_state(testing::fixture_tensor(batch.at("y_true")),
                                 testing::fixture_tensor(batch.at("y_pred")),
                                 testing::fixture_tensor(batch.at("sample_weight")));
            }
            const auto expected_tp = fixture.at("true_positives").get<std::vector<double>>();
            for (size_t j = 0; j < expected_tp.size(); ++j) {
                CHECK(auc.true_positives()[j] == Approx(expected_tp[j]).epsilon(1e-6));
            }
            CHECK(auc.result() ==
                  Approx(fixture.at("results").at(key).get<double>()).epsilon(1e-6));
        }
    }
}

TEST_CASE("AUC checks its options and predictions", "[metrics]") {
    CHECK_THROWS_AS(metrics::AUC({.num_thresholds = 1}), ValueError);
    CHECK_THROWS_WITH(metrics::AUC({.num_thresholds = 1}),
                      Catch::Contains("num_thresholds") && Catch::Contains("1"));
    metrics::AUC auc;
    CHECK_THROWS_WITH(auc.update_state(tensor({1, 0}), tensor({2.0f, 0.5f})),
                      Catch::Contains("auc") && Catch::Contains("predictions must be in [0, 1]"));
    CHECK_THROWS_AS(auc.update_state(tensor({1, 0}), tensor({0.5f, 0.5f}), ones({3})), ShapeError);
    CHECK_THROWS_AS(auc.update_state(zeros({2, 2}), zeros({2, 3})), ShapeError);
    CHECK(auc.result() == 0.0);
}
