// Dropout, SpatialDropout1D (layers/dropout.cpp) and GaussianNoise (layers/gaussian_noise.cpp):
// identity at inference, the statistics and scaling of the training masks and noise, seeds,
// thread-count independence, gradients, configs and every error.

#include <catch2/catch.hpp>
#include <cmath>

#include "layer_test_support.hpp"
#include "minidl/layers/dropout.hpp"
#include "minidl/layers/gaussian_noise.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

double fraction_nonzero(const Tensor& t) {
    int64_t count = 0;
    for (float v : t.to_vector()) count += v != 0.0f;
    return static_cast<double>(count) / static_cast<double>(t.numel());
}

std::vector<std::string> keys_of(const Json& config) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    return keys;
}

}  // namespace

TEST_CASE("Dropout is the identity at inference") {
    layers::Dropout layer({.rate = 0.5});
    const Tensor x = testing::seeded_randn({4, 5, 6}, 1);
    CHECK(layer(x).to_vector() == x.to_vector());
    CHECK(layer(x, false).to_vector() == x.to_vector());
    CHECK(layers::Dropout({.rate = 0.0})(x, true).to_vector() == x.to_vector());
    CHECK(layer.weights().empty());
    CHECK(layer.compute_output_shape({3, 2}) == Shape({3, 2}));
}

TEST_CASE("Dropout drops a fraction rate and scales the rest by 1 / (1 - rate)") {
    for (double rate : {0.1, 0.5, 0.8}) {
        INFO("rate " << rate);
        layers::Dropout layer({.rate = rate, .seed = 7});
        const Tensor x = full({200, 500}, 2.0f);
        const Tensor y = layer(x, true);
        // 100,000 draws: the kept fraction's standard error is below 0.0016.
        CHECK(fraction_nonzero(y) == Approx(1.0 - rate).margin(0.01));
        const auto kept = static_cast<float>(2.0 / (1.0 - rate));
        for (float v : y.to_vector()) {
            if (v != 0.0f) REQUIRE(v == kept);
        }
    }
}

TEST_CASE("Dropout's gradient is its mask") {
    layers::Dropout layer({.rate = 0.3, .seed = 3});
    Tensor x = ones({50, 40}).requires_grad_();
    const Tensor y = layer(x, true);
    sum(y).backward();
    CHECK(x.grad().to_vector() == y.to_vector());
}

TEST_CASE("Dropout's seed fixes its sequence of masks") {
    const Tensor x = ones({30, 30});
    layers::Dropout a({.rate = 0.5, .seed = 42});
    layers::Dropout b({.rate = 0.5, .seed = 42});
    layers::Dropout c({.rate = 0.5, .seed = 43});
    const std::vector<float> first = a(x, true).to_vector();
    CHECK(first == b(x, true).to_vector());
    CHECK(first != c(x, true).to_vector());
    const std::vector<float> second = a(x, true).to_vector();
    CHECK(second != first);  // a new mask each call
    CHECK(second == b(x, true).to_vector());
}

TEST_CASE("Unseeded dropout draws from the default generator, the same on 1 and 2 threads") {
    const Tensor x = ones({300, 300});
    auto mask = [&](int threads) {
        testing::ThreadCount count(threads);
        manual_seed(123);
        layers::Dropout layer({.rate = 0.4});
        return layer(x, true).to_vector();
    };
    CHECK(mask(1) == mask(2));
    manual_seed(124);
    CHECK(layers::Dropout({.rate = 0.4})(x, true).to_vector() != mask(1));
}

TEST_CASE("Dropout's noise_shape shares the mask along size-1 axes") {
    layers::Dropout layer({.rate = 0.5, .noise_shape = std::vector<int64_t>{-1, 1, 6}, .seed = 1});
    const Tensor y = layer(ones({8, 20, 6}), true);
    for (int64_t b = 0; b < 8; ++b) {
        for (int64_t c = 0; c < 6; ++c) {
            const float first = y.at({b, 0, c});
            for (int64_t t = 1; t < 20; ++t) REQUIRE(y.at({b, t, c}) == first);
        }
    }
    CHECK(fraction_nonzero(y) > 0.2);
    CHECK(fraction_nonzero(y) < 0.8);
}

TEST_CASE("Dropout rejects bad rates and noise shapes") {
    using Catch::Contains;
    CHECK_THROWS_WITH(layers::Dropout({.rate = 1.0, .name = "d"}),
                      Contains("d: 'rate' must be in [0, 1), got 1"));
    CHECK_THROWS_AS(layers::Dropout({.rate = -0.1}), ValueError);
    CHECK_THROWS_AS(layers::Dropout({.rate = NAN}), ValueError);
    CHECK_THROWS_WITH(
        layers::Dropout({.rate = 0.5, .noise_shape = std::vector<int64_t>{0, 3}, .name = "d"}),
        Contains("d: 'noise_shape' sizes must be -1 (None) or >= 1, got [0, 3]"));
    layers::Dropout layer({.rate = 0.5, .noise_shape = std::vector<int64_t>{-1, 3}, .name = "d"});
    CHECK_THROWS_WITH(layer(ones({2, 4}), true),
                      Contains("d: noise_shape [-1, 3] does not broadcast to the input's shape "
                               "[2, 4]"));
    CHECK_THROWS_AS(layer(ones({2, 3, 1})), ShapeError);
    CHECK_THROWS_AS(layer.compute_output_shape({2, 4}), ShapeError);
    CHECK(layer(ones({2, 3}), true).shape() == Shape({2, 3}));
}

TEST_CASE("Dropout writes tf.keras's config and reads it back") {
    layers::Dropout layer(
        {.rate = 0.25, .noise_shape = std::vector<int64_t>{-1, 1, 4}, .seed = 9, .name = "drop"});
    const Json config = layer.config();
    CHECK(keys_of(config) ==
          std::vector<std::string>{"name", "trainable", "dtype", "rate", "noise_shape", "seed"});
    CHECK(config["rate"] == 0.25);
    CHECK(config["noise_shape"] == Json::parse("[null, 1, 4]"));
    CHECK(config["seed"] == 9);
    CHECK(layers::from_config(layer.to_json())->config() == config);
    const Json plain = layers::Dropout({.rate = 0.5}).config();
    CHECK(plain["noise_shape"].is_null());
    CHECK(plain["seed"].is_null());
    CHECK(layers::Dropout::from_config(plain)->config() == plain);

    Json bad = config;
    bad.erase("rate");
    CHECK_THROWS_WITH(layers::Dropout::from_config(bad), Catch::Contains("'rate' is required"));
    bad = config;
    bad["seed"] = -2;
    CHECK_THROWS_WITH(layers::Dropout::from_config(bad), Catch::Contains("'seed'"));
    bad = config;
    bad["noise_shape"] = 3;
    CHECK_THROWS_WITH(layers::Dropout::from_config(bad), Catch::Contains("'noise_shape'"));
}

TEST_CASE("SpatialDropout1D drops whole channels") {
    layers::SpatialDropout1D layer({.rate = 0.5, .seed = 5, .name = "sd"});
    const Tensor x = testing::ramp({16, 10, 8});
    const Tensor y = layer(x, true);
    int64_t dropped = 0;
    for (int64_t b = 0; b < 16; ++b) {
        for (int64_t c = 0; c < 8; ++c) {
            const bool kept = y.at({b, 0, c}) != 0.0f;
            dropped += !kept;
            for (int64_t t = 0; t < 10; ++t)
                REQUIRE(y.at({b, t, c}) == (kept ? x.at({b, t, c}) * 2.0f : 0.0f));
        }
    }
    CHECK(dropped > 30);
    CHECK(dropped < 98);
    CHECK(layer(x).to_vector() == x.to_vector());
    CHECK_THROWS_WITH(layer(ones({4, 5})),
                      Catch::Contains("sd: expected an input of rank 3 (batch, steps, channels), "
                                      "got shape [4, 5]"));
    CHECK_THROWS_AS(layers::SpatialDropout1D({.rate = 2.0}), ValueError);
}

TEST_CASE("SpatialDropout1D writes tf.keras's config and reads it back") {
    layers::SpatialDropout1D layer({.rate = 0.3, .seed = 2, .name = "sd"});
    const Json config = layer.config();
    CHECK(keys_of(config) ==
          std::vector<std::string>{"name", "trainable", "dtype", "rate", "noise_shape", "seed"});
    CHECK(config["noise_shape"].is_null());
    const auto again = layers::from_config(layer.to_json());
    CHECK(again->class_name() == "SpatialDropout1D");
    CHECK(again->config() == config);
    Json bad = config;
    bad["noise_shape"] = Json::parse("[null, 1, 3]");
    CHECK_THROWS_WITH(layers::SpatialDropout1D::from_config(bad),
                      Catch::Contains("'noise_shape' must be null"));
}

TEST_CASE("GaussianNoise adds N(0, stddev) noise in training only") {
    layers::GaussianNoise layer({.stddev = 0.5, .seed = 11});
    const Tensor x = full({100, 1000}, 3.0f);
    CHECK(layer(x).to_vector() == x.to_vector());
    const std::vector<float> y = layer(x, true).to_vector();
    double total = 0.0, squares = 0.0;
    for (float v : y) {
        total += v - 3.0;
        squares += (v - 3.0) * (v - 3.0);
    }
    const double n = static_cast<double>(y.size());
    CHECK(total / n == Approx(0.0).margin(0.005));
    CHECK(std::sqrt(squares / n) == Approx(0.5).epsilon(0.01));

    layers::GaussianNoise twin({.stddev = 0.5, .seed = 11});
    twin(x, true);
    CHECK(layer(x, true).to_vector() == twin(x, true).to_vector());

    Tensor input = ones({3, 4}).requires_grad_();
    sum(layer(input, true)).backward();
    CHECK(input.grad().to_vector() == std::vector<float>(12, 1.0f));
}

TEST_CASE("GaussianNoise is the same on 1 and 2 threads, validates and round-trips its config") {
    auto noise = [](int threads) {
        testing::ThreadCount count(threads);
        manual_seed(5);
        return layers::GaussianNoise({.stddev = 1.0})(zeros({300, 300}), true).to_vector();
    };
    CHECK(noise(1) == noise(2));

    CHECK_THROWS_WITH(layers::GaussianNoise({.stddev = -1.0, .name = "g"}),
                      Catch::Contains("g: 'stddev' must be a finite number >= 0, got -1"));
    CHECK_THROWS_AS(layers::GaussianNoise({.stddev = INFINITY}), ValueError);

    layers::GaussianNoise layer({.stddev = 0.1, .seed = 4, .name = "g"});
    const Json config = layer.config();
    CHECK(keys_of(config) ==
          std::vector<std::string>{"name", "trainable", "dtype", "stddev", "seed"});
    CHECK(config["stddev"] == 0.1);
    CHECK(layers::from_config(layer.to_json())->config() == config);
    Json bad = config;
    bad.erase("stddev");
    CHECK_THROWS_WITH(layers::GaussianNoise::from_config(bad),
                      Catch::Contains("'stddev' is required"));
}
