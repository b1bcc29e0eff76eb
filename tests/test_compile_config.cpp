// Compile configs (serialization/compile_config.cpp, metric_config.cpp): tf.keras 2.x's
// training_config layout, a model compiled from it trains exactly as the original, every metric
// config, Keras's forms, and errors that name the JSON Pointer and leave the model as it was.

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/json_node.hpp"

using namespace minidl;
using namespace minidl::serialization;
using Catch::Contains;

namespace {

Sequential classifier() {
    return Sequential({layers::InputLayer({.input_shape = {4}}),
                       layers::Dense({.units = 5, .activation = "relu"}),
                       layers::Dense({.units = 3})});
}

/// Three classes separated along the features, labels as floats.
struct Problem {
    Tensor x, y;
};
Problem problem() {
    Generator gen(7);
    std::vector<float> features, labels;
    for (int64_t i = 0; i < 30; ++i) {
        for (int64_t f = 0; f < 4; ++f)
            features.push_back(static_cast<float>((f == i % 3 ? 1.5 : 0.0) + 0.5 * gen.normal()));
        labels.push_back(static_cast<float>(i % 3));
    }
    return {tensor(features, {30, 4}), tensor(labels, {30})};
}

void compile_from_text(Model& model, const std::string& text) {
    const Json json = parse_json(text, "model.json");
    compile_from_config(model, JsonNode(json, "model.json"));
}

std::string error_of(Model& model, const std::string& text) {
    try {
        compile_from_text(model, text);
    } catch (const IOError& error) {
        return error.what();
    }
    FAIL("no IOError for " << text);
    return "";
}

/// A training_config whose "metrics" is `metrics`.
std::string with_metrics(const std::string& metrics) {
    return R"({"loss": "mse", "metrics": )" + metrics +
           R"(, "optimizer_config": {"class_name": "SGD", "config": {}}})";
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("compile_config is tf.keras 2.x's training_config", "[compile_config]") {
    Sequential model = classifier();
    model.compile("sgd", "mse", {"mae"});
    CHECK(dump_json(compile_config(model)) ==
          R"({"loss":{"class_name":"MeanSquaredError","config":{"reduction":"auto",)"
          R"("name":"mean_squared_error"}},"metrics":["mae"],"weighted_metrics":null,)"
          R"("loss_weights":null,"optimizer_config":{"class_name":"SGD","config":{"name":"SGD",)"
          R"("weight_decay":null,"clipnorm":null,"global_clipnorm":null,"clipvalue":null,)"
          R"("use_ema":false,"ema_momentum":0.99,"ema_overwrite_frequency":null,)"
          R"("jit_compile":false,"is_legacy_optimizer":false,"learning_rate":0.01,)"
          R"("momentum":0.0,"nesterov":false}}})");

    Sequential uncompiled = classifier();
    CHECK_THROWS_AS(compile_config(uncompiled), ValueError);
    CHECK_THROWS_WITH(compile_config(uncompiled), Contains("is not compiled"));
}

TEST_CASE("a model compiled from its compile config trains exactly as the original",
          "[compile_config]") {
    manual_seed(3);
    Sequential original = classifier();
    Sequential copy = classifier();
    for (std::size_t i = 0; i < original.weights().size(); ++i)
        copy.weights()[i].assign(original.weights()[i]);

    original.compile(
        optim::Adam({.learning_rate = optim::ExponentialDecay(
                         {.initial_learning_rate = 0.05, .decay_steps = 2, .decay_rate = 0.9}),
                     .amsgrad = true,
                     .clipnorm = 1.0}),
        losses::SparseCategoricalCrossentropy({.from_logits = true}),
        {"accuracy", metrics::SparseCategoricalAccuracy({.name = "acc2"}),
         "sparse_categorical_accuracy"});
    const Json written = compile_config(original);
    CHECK(written["metrics"] ==
          parse_json(R"(["accuracy", {"class_name": "SparseCategoricalAccuracy", "config":)"
                     R"( {"name": "acc2", "dtype": "float32"}}, "sparse_categorical_accuracy"])",
                     "expected"));

    const Json read = parse_json(dump_json(written, 2), "model.json");
    compile_from_config(copy, JsonNode(read, "model.json"));
    REQUIRE(copy.compiled());
    CHECK(compile_config(copy) == written);

    const Problem data = problem();
    const FitOptions options{.epochs = 3, .batch_size = 8, .shuffle = false, .verbose = 0};
    const History a = original.fit(data.x, data.y, options);
    const History b = copy.fit(data.x, data.y, options);
    CHECK(a == b);
    CHECK(b.keys() == std::vector<std::string>{"loss", "accuracy", "acc2",
                                               "sparse_categorical_accuracy", "lr"});
    for (std::size_t i = 0; i < original.weights().size(); ++i)
        CHECK(same_bits(original.weights()[i].to_vector(), copy.weights()[i].to_vector()));
}

TEST_CASE("the training_config tf.keras 2.13 writes compiles the model", "[compile_config]") {
    // Copied from a model tf.keras 2.13 saved as h5: compile("adam",
    // SparseCategoricalCrossentropy(from_logits=True), ["accuracy"]), the metric resolved.
    const std::string path = MINIDL_TEST_DATA_DIR "/keras_configs/training_config_tf2_13.json";
    const Json keras = read_json_file(path);
    Sequential model = classifier();
    compile_from_config(model, JsonNode(keras, path));
    REQUIRE(model.compiled());
    CHECK(model.optimizer().name() == "Adam");
    CHECK(static_cast<float>(model.optimizer().learning_rate()) == 0.001f);
    CHECK(model.loss().class_name() == "SparseCategoricalCrossentropy");
    REQUIRE(model.compiled_metric_args().size() == 1);
    const auto& metric = model.compiled_metric_args()[0].metric();
    REQUIRE(metric);
    CHECK(metric->class_name() == "SparseCategoricalAccuracy");
    CHECK(metric->name() == "accuracy");

    const Problem data = problem();
    const History history = model.fit(data.x, data.y, {.epochs = 1, .verbose = 0});
    CHECK(history.keys() == std::vector<std::string>{"loss", "accuracy", "lr"});

    // Written back: Keras's layout, the metric as the object it became.
    const Json written = compile_config(model);
    CHECK(written["loss"] == keras["loss"]);
    CHECK(written["optimizer_config"]["config"] == keras["optimizer_config"]["config"]);
    CHECK(written["metrics"] ==
          parse_json(R"([{"class_name": "SparseCategoricalAccuracy", "config":)"
                     R"( {"name": "accuracy", "dtype": "float32"}}])",
                     "expected"));
}

TEST_CASE("the training_config tf.keras 2.3 wrote compiles the model", "[compile_config]") {
    const std::string path =
        MINIDL_TEST_DATA_DIR "/keras_configs/training_config_tf2_3_legacy_adam.json";
    const Json keras = read_json_file(path);
    Sequential model = classifier();
    compile_from_config(model, JsonNode(keras, path));
    CHECK(model.optimizer().name() == "Adam");
    CHECK(model.loss().class_name() == "BinaryCrossentropy");
    REQUIRE(model.compiled_metric_args().size() == 1);
    CHECK(model.compiled_metric_args()[0].name() == "accuracy");
}

TEST_CASE("every metric's config round-trips", "[compile_config]") {
    using namespace metrics;
    const std::vector<MetricArg> given = {
        "accuracy",
        "mae",
        Accuracy({.name = "exact"}),
        BinaryAccuracy({.threshold = 0.3}),
        CategoricalAccuracy(),
        SparseCategoricalAccuracy(),
        TopKCategoricalAccuracy({.k = 2, .name = "top2"}),
        MeanSquaredError(),
        MeanAbsoluteError(),
        RootMeanSquaredError(),
        Precision({.thresholds = 0.4, .top_k = 2, .class_id = 1}),
        Recall({.name = "r"}),
        AUC({.num_thresholds = 50,
             .curve = AUCCurve::PR,
             .summation_method = AUCSummationMethod::Majoring,
             .from_logits = true}),
    };
    Sequential model = classifier();
    model.compile("sgd", "mse", given);
    const Json written = compile_config(model);
    CHECK(dump_json(written["metrics"][10]) ==
          R"({"class_name":"Precision","config":{"name":"precision","dtype":"float32",)"
          R"("thresholds":0.4,"top_k":2,"class_id":1}})");
    CHECK(dump_json(written["metrics"][12]) ==
          R"({"class_name":"AUC","config":{"name":"auc","dtype":"float32","num_thresholds":50,)"
          R"("curve":"PR","summation_method":"majoring","multi_label":false,"num_labels":null,)"
          R"("label_weights":null,"from_logits":true}})");

    Sequential copy = classifier();
    compile_from_config(copy, JsonNode(written, "model.json"));
    CHECK(compile_config(copy) == written);
    const auto& args = copy.compiled_metric_args();
    REQUIRE(args.size() == given.size());
    for (std::size_t i = 0; i < given.size(); ++i) {
        INFO(i);
        CHECK(args[i].name() == given[i].name());
        CHECK(bool(args[i].metric()) == bool(given[i].metric()));
        if (given[i].metric()) {
            CHECK(args[i].metric()->class_name() == given[i].metric()->class_name());
            CHECK(args[i].metric()->name() == given[i].metric()->name());
        }
    }
    const auto& precision = dynamic_cast<const Precision&>(*args[10].metric()).options();
    CHECK((precision.thresholds == 0.4 && precision.top_k == 2 && precision.class_id == 1));
    const auto& auc = dynamic_cast<const AUC&>(*args[12].metric()).options();
    CHECK((auc.num_thresholds == 50 && auc.curve == AUCCurve::PR &&
           auc.summation_method == AUCSummationMethod::Majoring && auc.from_logits));
}

TEST_CASE("metrics in Keras's other forms", "[compile_config]") {
    Sequential model = classifier();
    // tf.keras 2.x's resolved metric: the function by name, with the function's options.
    compile_from_text(model, with_metrics(R"([[{"class_name": "MeanMetricWrapper", "config":)"
                                          R"( {"name": "acc", "dtype": "float32",)"
                                          R"( "fn": "binary_accuracy", "threshold": 0.7}},)"
                                          R"( {"class_name": "AUC"}, "Precision"]])"));
    const auto& args = model.compiled_metric_args();
    REQUIRE(args.size() == 3);
    const auto& binary = dynamic_cast<const metrics::BinaryAccuracy&>(*args[0].metric());
    CHECK(binary.name() == "acc");
    CHECK(binary.options().threshold == 0.7);
    CHECK(args[1].metric()->class_name() == "AUC");
    CHECK(args[2].name() == "Precision");

    compile_from_text(model, with_metrics("null"));
    CHECK(model.compiled_metric_args().empty());
}

TEST_CASE("a metric class minidl cannot write is a ValueError", "[compile_config]") {
    struct Zero : metrics::MeanMetricWrapper {
        Zero() : MeanMetricWrapper("zero") {}
        std::string class_name() const override { return "Zero"; }
        std::unique_ptr<metrics::Metric> clone() const override { return std::make_unique<Zero>(); }
        Tensor values(const Tensor& y_true, const Tensor&) const override {
            return zeros({y_true.size(0)});
        }
    };
    Sequential model = classifier();
    model.compile("sgd", "mse", {Zero()});
    CHECK_THROWS_WITH(compile_config(model),
                      Contains("compile_config: the metric class Zero has no config"));
}

TEST_CASE("compile config errors name the JSON Pointer and change nothing", "[compile_config]") {
    Sequential model = classifier();
    model.compile("rmsprop", "mae", {"mse"});
    const Json before = compile_config(model);
    const auto unchanged = [&] { CHECK(compile_config(model) == before); };

    CHECK_THAT(error_of(model, with_metrics(R"(["accuracy", "f1"])")),
               Contains("model.json: /metrics/1: metrics::get: unknown metric 'f1'"));
    unchanged();
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "AUC", "config":)"
                                            R"( {"multi_label": true}}])")),
               Contains("model.json: /metrics/0/config/multi_label: multi_label AUC is not "
                        "supported"));
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "Precision", "config":)"
                                            R"( {"thresholds": [0.3, 0.6]}}])")),
               Contains("model.json: /metrics/0/config/thresholds: a list of thresholds is not "
                        "supported"));
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "Recall", "config":)"
                                            R"( {"dtype": "float64"}}])")),
               Contains("model.json: /metrics/0/config/dtype: minidl's metrics are float32"));
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "BinaryAccuracy", "config":)"
                                            R"( {"threshold": 0.5, "foo": 1}}])")),
               Contains("model.json: /metrics/0/config/foo: unknown key \"foo\" in "
                        "BinaryAccuracy config"));
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "F1Score", "config": {}}])")),
               Contains("model.json: /metrics/0/class_name: unknown metric class 'F1Score'"));
    CHECK_THAT(error_of(model, with_metrics(R"([{"class_name": "MeanMetricWrapper", "config":)"
                                            R"( {"name": "p", "fn": "precision"}}])")),
               Contains("model.json: /metrics/0/config/fn: 'precision' is not a mean metric "
                        "function"));
    CHECK_THAT(error_of(model, with_metrics(R"({"dense": ["accuracy"]})")),
               Contains("model.json: /metrics: metrics must be a list"));
    CHECK_THAT(error_of(model, with_metrics(R"([["accuracy"], ["mae"]])")),
               Contains("model.json: /metrics/0: a list of metrics per output is not supported"));
    CHECK_THAT(error_of(model, R"({"loss": "mse", "weighted_metrics": ["mae"],)"
                               R"( "optimizer_config": "sgd"})"),
               Contains("model.json: /weighted_metrics: weighted_metrics are not supported"));
    CHECK_THAT(error_of(model, R"({"loss": "mse", "loss_weights": [1.0],)"
                               R"( "optimizer_config": "sgd"})"),
               Contains("model.json: /loss_weights: compile config: 'loss_weights' must be null"));
    CHECK_THAT(
        error_of(model, R"({"loss": "mse", "optimizer_config": "sgd", "run_eagerly": true})"),
        Contains("model.json: /run_eagerly: unknown key \"run_eagerly\" in compile config"));
    CHECK_THAT(error_of(model, R"({"loss": "mse"})"),
               Contains("model.json: /: compile config needs 'optimizer_config'"));
    CHECK_THAT(error_of(model, R"({"loss": null, "optimizer_config": "sgd"})"),
               Contains("model.json: /: compile config needs 'loss'"));
    CHECK_THAT(error_of(model, R"({"loss": "mse", "optimizer_config": {"class_name": "Adam",)"
                               R"( "config": {"epsilon": -1}}})"),
               Contains("model.json: /optimizer_config/config: Adam: epsilon"));
    unchanged();

    Sequential uncompiled = classifier();
    CHECK_THAT(error_of(uncompiled, R"({"loss": "mse", "optimizer_config": "nope"})"),
               Contains("model.json: /optimizer_config: unknown optimizer 'nope'"));
    CHECK_FALSE(uncompiled.compiled());
}
