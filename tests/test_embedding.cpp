// The embedding op (core/embedding.cpp) and the Embedding layer (layers/embedding.cpp):
// hand-computed lookups and scatter-added gradients, a finite-difference check, thread-count
// independence, Keras's config and every error.

#include <catch2/catch.hpp>

#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/embedding.hpp"
#include "test_support.hpp"

using namespace minidl;

TEST_CASE("embedding picks rows of the table") {
    const Tensor table = testing::ramp({4, 3}, 0.0f, 1.0f);  // row r is 3r, 3r+1, 3r+2
    const Tensor y = embedding(table, tensor({2, 0, 2, 3}, {2, 2}));
    REQUIRE(y.shape() == Shape({2, 2, 3}));
    CHECK(y.to_vector() == std::vector<float>{6, 7, 8, 0, 1, 2, 6, 7, 8, 9, 10, 11});
    CHECK(embedding(table, tensor({1})).shape() == Shape({1, 3}));
    CHECK(embedding(table, scalar(3)).to_vector() == std::vector<float>{9, 10, 11});
}

TEST_CASE("embedding's gradient adds every pick of a row") {
    Tensor table = zeros({3, 2}).requires_grad_();
    const Tensor y = embedding(table, tensor({1, 1, 0, 1}, {4}));
    y.backward(tensor({1, 2, 10, 20, 100, 200, 1000, 2000}, {4, 2}));
    CHECK(table.grad().to_vector() == std::vector<float>{100, 200, 1011, 2022, 0, 0});
    CHECK(y.grad_fn_name() == "embedding");
}

TEST_CASE("embedding's gradient passes a finite-difference check") {
    const Tensor indices = tensor({0, 2, 2, 1, 4, 0, 2, 3}, {2, 4});
    CHECK_GRADIENTS([](const std::vector<Tensor>& v) { return embedding(v[0], v[1]); },
                    {testing::seeded_randn({5, 3}, 1), indices}, {}, {1});
}

TEST_CASE("embedding gives the same bits on 1 and 2 threads") {
    // Many picks of a few rows, wide enough for several chunks of picks.
    Generator gen(3);
    const Tensor indices = tensor(std::vector<float>(40000, 0.0f), {200, 200});
    float* index = indices.data();
    for (int64_t i = 0; i < indices.numel(); ++i) index[i] = static_cast<float>(gen.next_u64() % 7);
    const Tensor table = testing::seeded_randn({7, 16}, 4);
    const Tensor cotangent = testing::seeded_randn({200, 200, 16}, 5);
    auto run = [&](int threads) {
        testing::ThreadCount count(threads);
        Tensor weights = table.detach().clone().requires_grad_();
        const Tensor y = embedding(weights, indices);
        y.backward(cotangent);
        return std::vector<std::vector<float>>{y.to_vector(), weights.grad().to_vector()};
    };
    CHECK(run(1) == run(2));
}

TEST_CASE("embedding rejects bad indices and tables") {
    using Catch::Contains;
    const Tensor table = zeros({4, 2});
    CHECK_THROWS_WITH(embedding(table, tensor({0, 4})),
                      Contains("embedding: index 4 at position 1 is not an integer in [0, 4)"));
    CHECK_THROWS_AS(embedding(table, tensor({-1})), IndexError);
    CHECK_THROWS_WITH(embedding(table, tensor({1.5f})), Contains("index 1.5 at position 0"));
    CHECK_THROWS_AS(embedding(table, tensor({NAN})), IndexError);
    CHECK_THROWS_WITH(embedding(zeros({4}), tensor({0})),
                      Contains("embedding: weights must have rank 2 [rows, dim], got [4]"));
}

TEST_CASE("Embedding maps (batch, length) indices to (batch, length, output_dim)") {
    layers::Embedding layer({.input_dim = 5, .output_dim = 3, .name = "emb"});
    const Tensor y = layer(tensor({0, 4, 1, 1, 2, 3}, {2, 3}));
    CHECK(y.shape() == Shape({2, 3, 3}));
    REQUIRE(layer.weights().size() == 1);
    CHECK(layer.embeddings().name() == "emb/embeddings");
    CHECK(layer.embeddings().shape() == Shape({5, 3}));
    // Keras's "uniform": RandomUniform(-0.05, 0.05).
    for (float v : layer.embeddings().to_vector()) {
        CHECK(v >= -0.05f);
        CHECK(v < 0.05f);
    }
    const std::vector<float> table = layer.embeddings().to_vector();
    const std::vector<float> out = y.to_vector();
    CHECK(std::vector<float>(out.begin() + 3, out.begin() + 6) ==
          std::vector<float>(table.begin() + 12, table.begin() + 15));
    CHECK(layer.compute_output_shape({7, 9}) == Shape({7, 9, 3}));
    testing::check_weight_gradients(layer, tensor({0, 4, 1, 1, 2, 3}, {2, 3}));
}

TEST_CASE("Embedding's penalties and errors name the layer") {
    using Catch::Contains;
    layers::Embedding layer({.input_dim = 3,
                             .output_dim = 2,
                             .embeddings_initializer = "ones",
                             .embeddings_regularizer = regularizers::L2(0.5),
                             .activity_regularizer = regularizers::L1(1.0),
                             .name = "words"});
    layer(tensor({0, 2}, {2, 1}));
    const std::vector<Tensor> losses = layer.losses();
    REQUIRE(losses.size() == 2);
    CHECK(losses[0].item() == Approx(0.5 * 6));
    CHECK(losses[1].item() == Approx(4.0 / 2));  // sum |y| / batch size
    CHECK_THROWS_WITH(layer(tensor({3}, {1, 1})),
                      Contains("words: input index 3 at position 0 is not an integer in [0, 3) "
                               "(input_dim=3)"));
    CHECK_THROWS_AS(layer(tensor({0.5f}, {1, 1})), IndexError);

    CHECK_THROWS_WITH(layers::Embedding({.input_dim = 0, .output_dim = 2, .name = "e"}),
                      Contains("e: 'input_dim' must be a positive integer, got 0"));
    CHECK_THROWS_WITH(layers::Embedding({.input_dim = 2, .output_dim = -1, .name = "e"}),
                      Contains("e: 'output_dim' must be a positive integer, got -1"));
    CHECK_THROWS_WITH(
        layers::Embedding({.input_dim = 2, .output_dim = 2, .mask_zero = true, .name = "e"}),
        Contains("e: 'mask_zero' = true is not supported"));
    CHECK_THROWS_AS(layers::Embedding({.input_dim = 2, .output_dim = 2, .input_length = 0}),
                    ValueError);

    layers::Embedding fixed({.input_dim = 4, .output_dim = 2, .input_length = 5, .name = "fixed"});
    CHECK_THROWS_WITH(fixed(zeros({2, 4})),
                      Contains("fixed: expected inputs of shape (batch, input_length=5), got "
                               "shape [2, 4]"));
    CHECK_FALSE(fixed.built());
    CHECK(fixed(zeros({2, 5})).shape() == Shape({2, 5, 2}));
}

TEST_CASE("Embedding writes tf.keras's config and reads it back") {
    layers::Embedding layer({.input_dim = 10, .output_dim = 4, .input_length = 6, .name = "emb"});
    const Json config = layer.config();
    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"name", "trainable", "batch_input_shape", "dtype",
                                           "input_dim", "output_dim", "embeddings_initializer",
                                           "embeddings_regularizer", "activity_regularizer",
                                           "embeddings_constraint", "mask_zero", "input_length"});
    CHECK(config["batch_input_shape"] == Json::parse("[null, 6]"));
    CHECK(config["embeddings_initializer"] == Json::parse(R"({"class_name": "RandomUniform",
                          "config": {"minval": -0.05, "maxval": 0.05, "seed": null}})"));
    CHECK(config["input_length"] == 6);
    CHECK(layers::Embedding({.input_dim = 1, .output_dim = 1}).config()["batch_input_shape"] ==
          Json::parse("[null, null]"));
    CHECK(layers::Embedding({.input_dim = 1, .output_dim = 1}).config()["input_length"].is_null());

    const auto again = layers::from_config(layer.to_json());
    CHECK(again->config() == config);
    Json sparse = config;
    sparse["sparse"] = false;
    CHECK(layers::Embedding::from_config(sparse)->config() == config);
    sparse["sparse"] = true;
    CHECK_THROWS_WITH(layers::Embedding::from_config(sparse), Catch::Contains("'sparse'"));
    Json missing = config;
    missing.erase("input_dim");
    CHECK_THROWS_WITH(layers::Embedding::from_config(missing),
                      Catch::Contains("'input_dim' is required"));
}
