// save_model / load_model: the flagship model round-trips with identical predictions in both
// encodings, reloads compiled, and a file whose weights no longer give the saved outputs fails
// its self-test.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>
#include "minidl/serialization/checkpoint.hpp"
#include "minidl/serialization/saved_model.hpp"

#include "test_support.hpp"

using namespace minidl;
namespace fs = std::filesystem;
using minidl::testing::TemporaryFolder;

namespace {

/// The flagship layers with most of their arguments set, trained for a few steps.
std::unique_ptr<Sequential> trained_model() {
    reset_layer_names();
    manual_seed(5);
    auto model = std::make_unique<Sequential>(std::vector<LayerRef>{
        layers::InputLayer({.input_shape = {40, 3}}),
        layers::SeparableConv1D({.filters = 8,
                                 .kernel_size = 5,
                                 .padding = "causal",
                                 .dilation_rate = 2,
                                 .depth_multiplier = 2,
                                 .activation = "relu",
                                 .depthwise_regularizer = regularizers::L2(1e-4),
                                 .pointwise_constraint = constraints::MaxNorm(3.0)}),
        layers::MaxPooling1D({.pool_size = 2}),
        layers::SeparableConv1D({.filters = 4, .kernel_size = 3, .padding = "same"}),
        layers::GlobalAveragePooling1D(),
        layers::Dense({.units = 3, .activation = "softmax"}),
    });
    model->compile(optim::RMSprop({.learning_rate = 0.01, .momentum = 0.5}),
                   "sparse_categorical_crossentropy", {"accuracy"});
    Generator generator(1);
    const Tensor x = randn({24, 40, 3}, generator);
    const Tensor y = argmax(randn({24, 3}, generator), -1);
    model->fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
    return model;
}

std::vector<float> values(const Tensor& tensor) { return tensor.to_vector(); }

}  // namespace

TEST_CASE("a saved model reloads with identical predictions, compiled") {
    auto model = trained_model();
    const TemporaryFolder folder("minidl_saved_model");
    const Tensor x = randn({5, 40, 3});
    const serialization::Encoding encoding =
        GENERATE(serialization::Encoding::Numbers, serialization::Encoding::Base64);
    const fs::path path = folder.path / "model.json";
    serialization::save_model(*model, path, {.encoding = encoding});

    const GeneratorState generator = default_generator().state();
    auto loaded = serialization::load_model(path);
    CHECK(default_generator().state() == generator);  // loading draws nothing
    CHECK(values(loaded->predict(x, {.verbose = 0})) == values(model->predict(x, {.verbose = 0})));
    CHECK(loaded->name() == model->name());
    REQUIRE(loaded->compiled());
    CHECK(loaded->optimizer().name() == "RMSprop");
    CHECK(loaded->loss().class_name() == "SparseCategoricalCrossentropy");
    CHECK(loaded->count_params() == model->count_params());
    for (std::size_t i = 0; i < model->weights().size(); ++i) {
        CHECK(loaded->weights()[i].name() == model->weights()[i].name());
    }
}

TEST_CASE("load_model runs the file's self-test") {
    auto model = trained_model();
    const TemporaryFolder folder("minidl_saved_model_self_test");
    const fs::path path = folder.path / "model.json";
    serialization::save_model(*model, path);
    Json document = serialization::read_json_file(path);
    REQUIRE(document.contains("self_test"));
    CHECK(document["self_test"]["input"]["shape"] == Json::array({2, 40, 3}));

    // A pointwise kernel value changed: the weights still fit, but the outputs differ.
    Json& data = document["weights"][1]["data"];
    data[0] = data[0].get<double>() + 0.5;
    serialization::write_json_file(path, document);
    CHECK_THROWS_WITH(serialization::load_model(path),
                      Catch::Contains("/self_test/output") && Catch::Contains("disagrees"));
    auto unchecked = serialization::load_model(path, {.run_self_test = false});
    CHECK(unchecked->built());
}

TEST_CASE("a model built by its first call saves a self-test in that shape") {
    reset_layer_names();
    Sequential model({layers::Dense({.units = 2})});
    model(ones({3, 5}));
    const TemporaryFolder folder("minidl_saved_model_built");
    const fs::path path = folder.path / "model.json";
    serialization::save_model(model, path);
    CHECK(serialization::read_json_file(path)["self_test"]["input"]["shape"] ==
          Json::array({2, 5}));
    const Tensor x = randn({4, 5});
    CHECK(values(serialization::load_model(path)->predict_on_batch(x)) ==
          values(model.predict_on_batch(x)));
}

TEST_CASE("save_model asks for what it needs") {
    SECTION("a model that is not built") {
        Sequential model({layers::Dense({.units = 2})});
        CHECK_THROWS_WITH(serialization::save_model(model, "unused.json"),
                          Catch::Contains("not built"));
    }
    SECTION("a model without a config") {
        struct Custom : Model {
            Custom() : Model("custom") { (*this)(zeros({1, 2})); }
            std::shared_ptr<layers::Dense> dense = track(layers::Dense({.units = 1}));
            Tensor call(const Tensor& x, bool training) override { return (*dense)(x, training); }
        };
        Custom model;
        CHECK_THROWS_AS(serialization::save_model(model, "unused.json"), ValueError);
    }
    CHECK_FALSE(fs::exists("unused.json"));
}

TEST_CASE("load_model reads the model in a checkpoint") {
    auto model = trained_model();
    const TemporaryFolder folder("minidl_saved_model_checkpoint");
    const fs::path path = folder.path / "ckpt.json";
    serialization::save_checkpoint(*model, path, {2, model->history()});
    auto loaded = serialization::load_model(path);
    const Tensor x = randn({3, 40, 3});
    CHECK(values(loaded->predict(x, {.verbose = 0})) == values(model->predict(x, {.verbose = 0})));
}

TEST_CASE("a saved model keeps the application's metadata") {
    auto model = trained_model();
    const TemporaryFolder folder("minidl_saved_model_metadata");
    const fs::path with = folder.path / "with.json";
    const fs::path without = folder.path / "without.json";
    const Json metadata = {{"classes", {"cat", "dog", "eel"}}, {"label", "species"}};
    serialization::save_model(*model, with, {.metadata = metadata});
    serialization::save_model(*model, without);
    CHECK(serialization::read_model_metadata(with) == metadata);
    CHECK(serialization::read_model_metadata(without).is_null());
    CHECK(serialization::load_model(with)->count_params() == model->count_params());

    CHECK_THROWS_AS(serialization::save_model(*model, folder.path / "bad.json",
                                              {.metadata = Json::array({1, 2})}),
                    ValueError);
    CHECK_FALSE(fs::exists(folder.path / "bad.json"));
}
