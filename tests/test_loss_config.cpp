// Loss configs (serialization/loss_config.cpp): tf.keras 2.x's get_config layout, round trips of
// every loss, Keras names, and errors that name the JSON Pointer.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "keras_config_support.hpp"

#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/json_node.hpp"

using namespace minidl;
using namespace minidl::serialization;
using Catch::Contains;

namespace {

std::unique_ptr<losses::Loss> from_text(const std::string& text) {
    const Json json = parse_json(text, "loss.json");
    return loss_from_config(JsonNode(json, "loss.json"));
}

/// The IOError message reading `text` gives.
std::string error_of(const std::string& text) {
    return minidl::testing::io_error_of([&] { from_text(text); });
}

std::vector<std::shared_ptr<losses::Loss>> every_loss() {
    using namespace losses;
    return {
        std::make_shared<MeanSquaredError>(MeanSquaredErrorOptions{.reduction = Reduction::Sum}),
        std::make_shared<MeanAbsoluteError>(MeanAbsoluteErrorOptions{.name = "l1"}),
        std::make_shared<MeanAbsolutePercentageError>(
            MeanAbsolutePercentageErrorOptions{.reduction = Reduction::None}),
        std::make_shared<Huber>(HuberOptions{.delta = 0.25, .name = "smooth"}),
        std::make_shared<LogCosh>(),
        std::make_shared<BinaryCrossentropy>(BinaryCrossentropyOptions{
            .from_logits = true, .label_smoothing = 0.1, .axis = -1, .reduction = Reduction::Sum}),
        std::make_shared<CategoricalCrossentropy>(
            CategoricalCrossentropyOptions{.label_smoothing = 0.2, .axis = 1}),
        std::make_shared<SparseCategoricalCrossentropy>(
            SparseCategoricalCrossentropyOptions{.from_logits = true}),
        std::make_shared<KLDivergence>(KLDivergenceOptions{.name = "kl"}),
    };
}

}  // namespace

TEST_CASE("loss configs are tf.keras 2.x's", "[loss_config]") {
    CHECK(dump_json(loss_config(losses::MeanSquaredError())) ==
          R"({"class_name":"MeanSquaredError","config":{"reduction":"auto",)"
          R"("name":"mean_squared_error"}})");
    CHECK(dump_json(loss_config(losses::Huber({.delta = 2.0}))) ==
          R"({"class_name":"Huber","config":{"reduction":"auto","name":"huber_loss",)"
          R"("delta":2.0}})");
    CHECK(dump_json(loss_config(
              losses::CategoricalCrossentropy({.reduction = losses::Reduction::Sum}))) ==
          R"({"class_name":"CategoricalCrossentropy","config":{"reduction":"sum",)"
          R"("name":"categorical_crossentropy","from_logits":false,"label_smoothing":0.0,)"
          R"("axis":-1}})");

    // As a tf.keras 2.13 model's training_config holds it; read and written back unchanged.
    const std::string keras =
        R"({"class_name":"SparseCategoricalCrossentropy","config":{"reduction":"auto",)"
        R"("name":"sparse_categorical_crossentropy","from_logits":true,"ignore_class":null}})";
    const auto loss = from_text(keras);
    REQUIRE(typeid(*loss) == typeid(losses::SparseCategoricalCrossentropy));
    CHECK(static_cast<const losses::SparseCategoricalCrossentropy&>(*loss).options().from_logits);
    CHECK(dump_json(loss_config(*loss)) == keras);
}

TEST_CASE("every loss round-trips and computes the same values", "[loss_config]") {
    const Tensor probabilities = tensor({0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f}, {2, 3});
    const Tensor one_hot = tensor({0.f, 1.f, 0.f, 1.f, 0.f, 0.f}, {2, 3});
    const Tensor labels = tensor({1.f, 0.f}, {2});
    for (const auto& original : every_loss()) {
        INFO(original->class_name());
        const Json first = loss_config(*original);
        const auto copy = from_text(dump_json(first));
        CHECK(typeid(*copy) == typeid(*original));
        CHECK(loss_config(*copy) == first);
        CHECK(copy->name() == original->name());
        CHECK(copy->reduction() == original->reduction());
        const bool sparse = original->class_name() == "SparseCategoricalCrossentropy";
        const Tensor target = sparse ? labels : one_hot;
        CHECK((*copy)(target, probabilities).to_vector() ==
              (*original)(target, probabilities).to_vector());
    }
}

TEST_CASE("losses by Keras name and other Keras forms", "[loss_config]") {
    CHECK(typeid(*from_text(R"("mse")")) == typeid(losses::MeanSquaredError));
    CHECK(typeid(*from_text(R"("sparse_categorical_crossentropy")")) ==
          typeid(losses::SparseCategoricalCrossentropy));
    CHECK(typeid(*from_text(R"({"class_name": "Huber"})")) == typeid(losses::Huber));
    // "sum_over_batch_size" is "auto"; a null name is the class's default; tf.keras 2.13's
    // v3 saving adds the function's name ("fn") and the object's "module".
    const auto loss = from_text(
        R"({"module": "keras.losses", "class_name": "MeanAbsoluteError", "config":)"
        R"( {"reduction": "sum_over_batch_size", "name": null, "fn": "mean_absolute_error"},)"
        R"( "registered_name": null})");
    CHECK(loss->name() == "mean_absolute_error");
    CHECK(loss->reduction() == losses::Reduction::SumOverBatchSize);
}

TEST_CASE("loss config errors name the JSON Pointer", "[loss_config]") {
    CHECK_THAT(error_of(R"({"class_name": "MeanSquaredError", "config": {"reduction": "mean"}})"),
               Contains("loss.json: /config/reduction: unknown reduction 'mean'"));
    CHECK_THAT(error_of(R"({"class_name": "SparseCategoricalCrossentropy", "config":)"
                        R"( {"ignore_class": 255}})"),
               Contains("loss.json: /config/ignore_class: SparseCategoricalCrossentropy config: "
                        "'ignore_class' must be null"));
    CHECK_THAT(error_of(R"({"class_name": "Huber", "config": {"delta": 1, "gamma": 2}})"),
               Contains("loss.json: /config/gamma: unknown key \"gamma\" in Huber config"));
    CHECK_THAT(error_of(R"({"class_name": "Huber", "config": {"delta": -1}})"),
               Contains("loss.json: /config: Huber"));
    CHECK_THAT(
        error_of(R"({"class_name": "BinaryCrossentropy", "config": {"label_smoothing": 2}})"),
        Contains("loss.json: /config: BinaryCrossentropy: label_smoothing"));
    CHECK_THAT(error_of(R"({"class_name": "BinaryCrossentropy", "config": {"from_logits": 1}})"),
               Contains("loss.json: /config/from_logits: expected true or false"));
    CHECK_THAT(error_of(R"({"class_name": "MeanSquaredError", "config": {"fn": "mae"}})"),
               Contains("loss.json: /config/fn: 'fn' must be \"mean_squared_error\""));
    CHECK_THAT(error_of(R"({"class_name": "Hinge", "config": {}})"),
               Contains("loss.json: /class_name: unknown loss class 'Hinge' (known: "));
    CHECK_THAT(error_of(R"("hinge")"), Contains("loss.json: /: losses::get: unknown loss 'hinge'"));
    CHECK_THAT(error_of(R"(["mse", "mae"])"),
               Contains("loss.json: /: a loss per output (a list) is not supported"));
}

TEST_CASE("a loss class minidl cannot write is a ValueError", "[loss_config]") {
    struct Twice : losses::Loss {
        Twice() : Loss(losses::Reduction::Sum, "twice") {}
        Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
            return losses::mean_squared_error(y_true, y_pred) * scalar(2.f);
        }
        std::string class_name() const override { return "Twice"; }
        std::unique_ptr<losses::Loss> clone() const override {
            return std::make_unique<Twice>(*this);
        }
    };
    CHECK_THROWS_WITH(loss_config(Twice()),
                      Contains("loss_config: the loss class Twice has no config"));
}
