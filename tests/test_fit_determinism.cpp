// fit's determinism with the stochastic and stateful layers: shuffling, Dropout and
// GaussianNoise draws, BatchNormalization's moving statistics and the optimizer's state all
// depend on the seed only, not on the thread count (docs/training.md, Determinism).

#include <catch2/catch.hpp>
#include <vector>

#include <minidl/minidl.hpp>

#include "test_support.hpp"

using namespace minidl;

namespace {

struct Outcome {
    History history;
    std::vector<std::vector<float>> weights;
};

Outcome train(int threads, uint64_t seed) {
    testing::ThreadCount thread_count(threads);
    reset_layer_names();
    manual_seed(seed);
    const Tensor x = randn({96, 32, 3});
    const Tensor y = greater(mean(x, {1, 2}), scalar(0.0f));
    Sequential model(
        {layers::InputLayer({.input_shape = {32, 3}}), layers::GaussianNoise({.stddev = 0.1}),
         layers::SeparableConv1D({.filters = 8,
                                  .kernel_size = 3,
                                  .padding = "causal",
                                  .dilation_rate = 2,
                                  .depthwise_regularizer = regularizers::L2(1e-3),
                                  .pointwise_constraint = constraints::MaxNorm(2.0)}),
         layers::BatchNormalization(), layers::Activation("relu"), layers::Dropout({.rate = 0.3}),
         layers::GlobalAveragePooling1D(), layers::Dense({.units = 2})});
    model.compile(optim::Adam({.learning_rate = 0.01}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}), {"accuracy"});
    Outcome outcome{
        model.fit(x, y, {.epochs = 3, .batch_size = 16, .validation_split = 0.25, .verbose = 0}),
        {}};
    for (const Tensor& weight : model.get_weights()) outcome.weights.push_back(weight.to_vector());
    return outcome;
}

}  // namespace

TEST_CASE("the same seed gives the same History and weights on 1 and 2 threads", "[fit][threads]") {
    const Outcome one = train(1, 5);
    const Outcome two = train(2, 5);
    CHECK(one.history == two.history);
    CHECK(one.weights == two.weights);
    // The moving statistics are part of the weights and were updated by training.
    REQUIRE(one.weights.size() == 9);  // 7 trainable, then moving_mean and moving_variance
    CHECK(one.weights[7] != std::vector<float>(8, 0.0f));
}

TEST_CASE("another seed gives another History", "[fit]") {
    CHECK_FALSE(train(2, 5).history == train(2, 6).history);
}
