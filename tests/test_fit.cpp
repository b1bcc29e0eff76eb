// Model's training API (train/model_training.cpp): compile, fit, evaluate, predict and the
// single-batch calls, against hand-computed losses and manual training steps.

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "layer_test_support.hpp"
#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/sequential.hpp"
#include "minidl/train/callbacks.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

// y = x W + b on [N, in]: a dense layer of the test's own, so that this file tests the loop only.
class Affine : public Layer {
  public:
    Affine(int64_t units, regularizers::Regularizer regularizer = {})
        : Layer("affine", "", true), units_(units), regularizer_(std::move(regularizer)) {}
    Shape compute_output_shape(const Shape& input_shape) const override {
        return {input_shape[0], units_};
    }
    std::string class_name() const override { return "Affine"; }

  protected:
    Tensor call(const Tensor& x, bool /*training*/) override { return matmul(x, kernel_) + bias_; }
    void create_weights(const Shape& input_shape) override {
        kernel_ = add_weight("kernel", {input_shape[1], units_}, "glorot_uniform", regularizer_);
        bias_ = add_weight("bias", {units_}, "zeros");
    }

  private:
    int64_t units_;
    regularizers::Regularizer regularizer_;
    Parameter kernel_, bias_;
};

struct Problem {
    Tensor x, y;
};

// Three classes separated along the features; labels as floats.
Problem classification(int64_t n, uint64_t seed) {
    Generator gen(seed);
    std::vector<float> features, labels;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t label = i % 3;
        for (int64_t f = 0; f < 4; ++f)
            features.push_back(static_cast<float>((f == label ? 2.0 : 0.0) + 0.5 * gen.normal()));
        labels.push_back(static_cast<float>(label));
    }
    return {tensor(features, {n, 4}), tensor(labels, {n})};
}

Sequential affine_model(int64_t units = 3, regularizers::Regularizer regularizer = {}) {
    return Sequential({Affine(units, std::move(regularizer))});
}

std::vector<float> all_weights(const Layer& model) {
    std::vector<float> values;
    for (const Tensor& w : model.get_weights()) {
        const std::vector<float> v = w.to_vector();
        values.insert(values.end(), v.begin(), v.end());
    }
    return values;
}

}  // namespace

TEST_CASE("fit trains and returns Keras's History", "[fit]") {
    manual_seed(1);
    const Problem data = classification(90, 7);
    Sequential model = affine_model();
    model.compile(optim::Adam({.learning_rate = 0.05}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}), {"accuracy"});
    const History history = model.fit(
        data.x, data.y, {.epochs = 5, .batch_size = 16, .validation_split = 0.2, .verbose = 0});
    CHECK(history.epoch() == std::vector<int64_t>{0, 1, 2, 3, 4});
    CHECK(history.keys() ==
          std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy", "lr"});
    CHECK(history["loss"].back() < history["loss"].front());
    CHECK(history["accuracy"].back() > 0.9);
    CHECK(history["lr"].front() == Approx(0.05));
    CHECK(model.metrics_names() == std::vector<std::string>{"loss", "accuracy"});
}

TEST_CASE("model.history() holds the epochs behind the weights, the current one for callbacks",
          "[fit]") {
    manual_seed(1);
    const Problem data = classification(30, 7);
    Sequential model = affine_model();
    model.compile(optim::SGD({.learning_rate = 0.1}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}));
    std::vector<std::vector<int64_t>> seen;
    callbacks::LambdaCallback probe({.on_epoch_end = [&](int64_t, Logs& logs) {
        seen.push_back(model.history().epoch());
        logs.set("extra", 1.0);  // what a callback logs reaches the History too
    }});
    const FitOptions options{.epochs = 3, .verbose = 0, .callbacks = {probe}};
    const History first = model.fit(data.x, data.y, options);
    CHECK(seen == std::vector<std::vector<int64_t>>{{0}, {0, 1}, {0, 1, 2}});
    CHECK(model.history().epoch() == first.epoch());
    CHECK(model.history()["extra"] == std::vector<double>{1.0, 1.0, 1.0});
    CHECK(model.history()["loss"] == first["loss"]);

    // Resuming at epoch 2 replaces epoch 2 and keeps 0 and 1; fit returns only what it ran.
    FitOptions resume = options;
    resume.epochs = 4;
    resume.initial_epoch = 2;
    const History second = model.fit(data.x, data.y, resume);
    CHECK(second.epoch() == std::vector<int64_t>{2, 3});
    CHECK(model.history().epoch() == std::vector<int64_t>{0, 1, 2, 3});
    CHECK(model.history()["loss"][1] == first["loss"][1]);
    CHECK(model.history()["loss"][2] == second["loss"][0]);

    // A fit from epoch 0 starts a new history.
    model.fit(data.x, data.y, options);
    CHECK(model.history().epoch() == std::vector<int64_t>{0, 1, 2});
}

TEST_CASE("the reported loss includes the regularization penalties", "[fit]") {
    manual_seed(2);
    const Problem data = classification(12, 3);
    Sequential model = affine_model(3, regularizers::L2(0.25));
    // A zero learning rate keeps the weights, so the epoch's loss is one closed form.
    model.compile(optim::SGD({.learning_rate = 0.0}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}));
    const History history =
        model.fit(data.x, data.y, {.epochs = 1, .batch_size = 12, .verbose = 0});
    const Tensor logits = model.predict(data.x, {.verbose = 0});
    const double data_loss =
        losses::SparseCategoricalCrossentropy({.from_logits = true})(data.y, logits).item();
    const double penalty = regularization_loss(model).item();
    REQUIRE(penalty > 0.1);
    CHECK(history["loss"][0] == Approx(data_loss + penalty).epsilon(1e-5));
    CHECK(model.evaluate(data.x, data.y, {.verbose = 0}).at("loss") ==
          Approx(data_loss + penalty).epsilon(1e-5));
}

TEST_CASE("the epoch loss is the batch-size weighted mean of the batch losses", "[fit]") {
    manual_seed(3);
    const Problem data = classification(10, 4);
    Sequential model = affine_model();
    model.compile(optim::SGD({.learning_rate = 0.0}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}));
    std::vector<double> batch_losses;
    callbacks::LambdaCallback record(
        {.on_batch_end = [&](int64_t, Logs& logs) { batch_losses.push_back(logs.at("loss")); }});
    const History history = model.fit(
        data.x, data.y,
        {.epochs = 1, .batch_size = 4, .shuffle = false, .verbose = 0, .callbacks = {record}});
    REQUIRE(batch_losses.size() == 3);  // 4 + 4 + 2 samples
    const losses::SparseCategoricalCrossentropy loss({.from_logits = true});
    const Tensor logits = model.predict(data.x, {.verbose = 0});
    double expected = 0.0;
    for (int64_t begin : {0, 4, 8}) {
        const int64_t end = std::min<int64_t>(begin + 4, 10);
        expected +=
            (end - begin) * loss(slice(data.y, 0, begin, end), slice(logits, 0, begin, end)).item();
    }
    CHECK(history["loss"][0] == Approx(expected / 10.0).epsilon(1e-5));
    CHECK(batch_losses.back() == Approx(history["loss"][0]));
}

TEST_CASE("validation_split holds out the last samples", "[fit]") {
    manual_seed(4);
    const Problem data = classification(20, 5);
    Sequential model = affine_model();
    model.compile(optim::SGD({.learning_rate = 0.0}), "mse");
    const Tensor y = one_hot(data.y, 3);
    const History history =
        model.fit(data.x, y, {.epochs = 1, .validation_split = 0.25, .verbose = 0});
    const Logs tail = model.evaluate(slice(data.x, 0, 15, 20), slice(y, 0, 15, 20), {.verbose = 0});
    CHECK(history["val_loss"][0] == Approx(tail.at("loss")).epsilon(1e-6));
}

TEST_CASE("class_weight and sample_weight weigh the loss", "[fit]") {
    manual_seed(5);
    const Problem data = classification(9, 6);
    Sequential model = affine_model();
    const losses::SparseCategoricalCrossentropy loss({.from_logits = true});
    model.compile(optim::SGD({.learning_rate = 0.0}), loss);
    const Tensor sample_weight = tensor({1, 2, 1, 1, 2, 1, 1, 2, 1}, {9});
    const History history = model.fit(data.x, data.y,
                                      {.epochs = 1,
                                       .batch_size = 9,
                                       .verbose = 0,
                                       .class_weight = {{0, 1.0}, {1, 3.0}, {2, 0.5}},
                                       .sample_weight = sample_weight});
    std::vector<float> combined;
    const std::vector<float> labels = data.y.to_vector();
    const std::vector<float> given = sample_weight.to_vector();
    const double class_weights[] = {1.0, 3.0, 0.5};
    for (std::size_t i = 0; i < labels.size(); ++i)
        combined.push_back(static_cast<float>(given[i] * class_weights[int(labels[i])]));
    const Tensor logits = model.predict(data.x, {.verbose = 0});
    CHECK(history["loss"][0] ==
          Approx(loss(data.y, logits, tensor(combined, {9})).item()).epsilon(1e-5));
    CHECK_THROWS_WITH(model.fit(data.x, data.y, {.verbose = 0, .class_weight = {{0, 1.0}}}),
                      Catch::Contains("class_weight has no weight for class 1"));
    // Keras requires the keys 0 .. n-1, even when every label present has a weight.
    CHECK_THROWS_WITH(
        model.fit(data.x, data.y,
                  {.verbose = 0, .class_weight = {{0, 1.0}, {1, 3.0}, {2, 0.5}, {4, 2.0}}}),
        Catch::Contains("Expected `class_weight` to be a dict with keys from 0 to one less than "
                        "the number of classes, found {0: 1.0, 1: 3.0, 2: 0.5, 4: 2.0}"));
    CHECK_THROWS_WITH(
        model.fit(data.x, data.y,
                  {.verbose = 0, .class_weight = {{-1, 1.0}, {0, 1.0}, {1, 1.0}, {2, 1.0}}}),
        Catch::Contains("found {-1: 1.0, 0: 1.0, 1: 1.0, 2: 1.0}"));
}

TEST_CASE("train_on_batch is one manual training step", "[fit]") {
    const Problem data = classification(8, 8);
    // Weights are created by the first call: seed right before it.
    Sequential fitted = affine_model(3, regularizers::L2(0.01));
    Sequential manual = affine_model(3, regularizers::L2(0.01));
    const losses::SparseCategoricalCrossentropy loss({.from_logits = true});
    fitted.compile(optim::Adam({.learning_rate = 0.1}), loss);
    manual_seed(9);
    fitted(data.x);
    manual_seed(9);
    manual(data.x);
    REQUIRE(all_weights(fitted) == all_weights(manual));
    optim::Adam adam(manual.weights(), {.learning_rate = 0.1});
    for (int step = 0; step < 3; ++step) {
        const Logs logs = fitted.train_on_batch(data.x, data.y);
        const Tensor y_pred = manual(data.x, true);
        Tensor total = loss(data.y, y_pred);
        for (const Tensor& penalty : manual.losses()) total = total + penalty;
        adam.zero_grad();
        total.backward();
        adam.step();
        CHECK(logs.at("loss") == Approx(total.item()).epsilon(1e-6));
    }
    CHECK(all_weights(fitted) == all_weights(manual));
}

TEST_CASE("the same seed gives the same History on 1 and 2 threads", "[fit][threads]") {
    const Problem data = classification(60, 10);
    auto run = [&](int threads) {
        testing::ThreadCount thread_count(threads);
        reset_layer_names();
        manual_seed(42);
        Sequential model = affine_model();
        model.compile("adam", losses::SparseCategoricalCrossentropy({.from_logits = true}),
                      {"accuracy"});
        return model.fit(data.x, data.y,
                         {.epochs = 3, .batch_size = 8, .validation_split = 0.2, .verbose = 0});
    };
    const History one = run(1);
    const History two = run(2);
    CHECK(one == two);
    CHECK(run(2) == two);
}

TEST_CASE("accuracy is resolved from the shapes, as Keras's compile", "[fit]") {
    const Problem data = classification(6, 11);
    Sequential sparse = affine_model();
    sparse.compile("sgd", losses::SparseCategoricalCrossentropy({.from_logits = true}), {"acc"});
    const Logs sparse_logs = sparse.test_on_batch(data.x, data.y);
    const Tensor logits = sparse.predict_on_batch(data.x);
    metrics::SparseCategoricalAccuracy reference;
    reference.update_state(data.y, logits);
    CHECK(sparse_logs.at("acc") == reference.result());

    Sequential binary = affine_model(1);
    binary.compile("sgd", "binary_crossentropy", {"accuracy"});
    const Tensor targets = tensor({1, 0, 1, 0, 1, 0}, {6, 1});
    const Logs binary_logs = binary.test_on_batch(data.x, targets);
    metrics::BinaryAccuracy binary_reference;
    binary_reference.update_state(targets, binary.predict_on_batch(data.x));
    CHECK(binary_logs.at("accuracy") == binary_reference.result());
}

TEST_CASE("compile's metric names become the logs' keys as in Keras", "[fit]") {
    const Problem data = classification(6, 12);
    Sequential model = affine_model();
    // A function or alias keeps the given string; a class name gives the metric's own name.
    model.compile("sgd", "mse",
                  {"mae", "mean_squared_error", "MeanAbsoluteError", "RootMeanSquaredError"});
    const Logs logs = model.test_on_batch(data.x, one_hot(data.y, 3));
    CHECK(model.metrics_names() == std::vector<std::string>{"loss", "mae", "mean_squared_error",
                                                            "mean_absolute_error",
                                                            "root_mean_squared_error"});
    CHECK(logs.at("mean_absolute_error") == logs.at("mae"));
}

TEST_CASE("a callback can stop training; predict concatenates batches", "[fit]") {
    manual_seed(12);
    const Problem data = classification(30, 12);
    Sequential model = affine_model();
    model.compile("adam", losses::SparseCategoricalCrossentropy({.from_logits = true}));
    int batches = 0;
    callbacks::LambdaCallback stopper({.on_batch_end = [&](int64_t batch, Logs&) {
        ++batches;
        if (batch == 1) model.stop_training = true;
    }});
    const History history = model.fit(
        data.x, data.y, {.epochs = 4, .batch_size = 8, .verbose = 0, .callbacks = {stopper}});
    CHECK(batches == 2);
    CHECK(history.epoch().size() == 1);
    const Tensor all = model.predict(data.x, {.batch_size = 7, .verbose = 0});
    NoGradGuard no_grad;
    testing::check_close(all, model(data.x));
}

TEST_CASE("fit prints one line per epoch with verbose=2", "[fit]") {
    manual_seed(13);
    const Problem data = classification(16, 13);
    Sequential model = affine_model();
    model.compile("adam", losses::SparseCategoricalCrossentropy({.from_logits = true}),
                  {"accuracy"});
    std::ostringstream out;
    model.fit(data.x, data.y, {.epochs = 2, .batch_size = 8, .verbose = 2, .output = &out});
    const std::string text = out.str();
    CHECK_THAT(text, Catch::Contains("Epoch 1/2\n") && Catch::Contains("Epoch 2/2\n") &&
                         Catch::Contains("2/2 - ") && Catch::Contains(" - loss: ") &&
                         Catch::Contains(" - accuracy: "));
    CHECK_THAT(text, !Catch::Contains("lr:"));
}

TEST_CASE("bad fit arguments are clear errors", "[fit]") {
    const Problem data = classification(10, 14);
    Sequential model = affine_model();
    CHECK_THROWS_WITH(model.fit(data.x, data.y), Catch::Contains("not compiled"));
    model.compile("sgd", "mse");
    CHECK_THROWS_WITH(model.fit(data.x, slice(data.y, 0, 0, 9), {.verbose = 0}),
                      Catch::Contains("same number of samples"));
    CHECK_THROWS_WITH(model.fit(data.x, data.y, {.batch_size = 0, .verbose = 0}),
                      Catch::Contains("batch_size must be a positive integer"));
    CHECK_THROWS_WITH(model.fit(data.x, data.y, {.validation_split = 1.0, .verbose = 0}),
                      Catch::Contains("validation_split must be in [0, 1)"));
    CHECK_THROWS_WITH(model.fit(data.x, data.y, {.validation_split = 0.95, .verbose = 0}),
                      Catch::Contains("leaves no training or no validation sample"));
    CHECK_THROWS_WITH(
        model.fit(data.x, data.y, {.validation_data = {data.x, Tensor()}, .verbose = 0}),
        Catch::Contains("validation_data.y is undefined"));
}
