// The flagship example (`make demo`): a model of causal, dilated SeparableConv1D layers learns to
// tell four kinds of waves apart (sine, square, sawtooth, chirp), trained with Keras's
// compile / fit / evaluate, a progress bar and early stopping; then saved to a JSON model file
// and reloaded, and the reloaded model scored again.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <minidl/minidl.hpp>

#include "example_data.hpp"

using namespace minidl;

namespace {

constexpr int64_t kSteps = 128;
constexpr int64_t kTrainSamples = 2400;  // 20% of them validate during training
constexpr int64_t kTestSamples = 800;
constexpr double kNoise = 0.3;
constexpr double kTarget = 0.95;

// A causal, dilated SeparableConv1D block with Keras's regularizer and constraint arguments.
layers::SeparableConv1D block(int64_t filters, int64_t dilation) {
    return layers::SeparableConv1D({.filters = filters,
                                    .kernel_size = 5,
                                    .padding = "causal",
                                    .dilation_rate = dilation,
                                    .depth_multiplier = 2,
                                    .activation = "relu",
                                    .depthwise_regularizer = regularizers::L2(1e-4),
                                    .pointwise_regularizer = regularizers::L2(1e-4),
                                    .pointwise_constraint = constraints::MaxNorm(3.0)});
}

}  // namespace

int main() {
    manual_seed(42);
    Generator data_generator(2026);
    const examples::Dataset train =
        examples::make_waveforms(kTrainSamples, kSteps, kNoise, data_generator);
    const examples::Dataset test =
        examples::make_waveforms(kTestSamples, kSteps, kNoise, data_generator);
    std::printf(
        "minidl demo: classify %lld waves of %lld steps (sine, square, sawtooth, chirp; "
        "noise %.1f)\n\n",
        static_cast<long long>(kTrainSamples), static_cast<long long>(kSteps), kNoise);

    Sequential model({layers::InputLayer({.input_shape = {kSteps, 1}}), block(16, 1), block(32, 2),
                      layers::MaxPooling1D({.pool_size = 2}), block(32, 4),
                      layers::GlobalAveragePooling1D(), layers::Dense({.units = 4})},
                     "sepnet");
    model.summary();
    model.compile(optim::Adam({.learning_rate = 3e-3}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}), {"accuracy"});

    const auto start = std::chrono::steady_clock::now();
    const History history =
        model.fit(train.x, train.y,
                  {.epochs = 20,
                   .batch_size = 32,
                   .validation_split = 0.2,
                   .callbacks = {callbacks::EarlyStopping(
                       {.monitor = "val_accuracy", .patience = 3, .restore_best_weights = true})}});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const Logs scores = model.evaluate(test.x, test.y, {.verbose = 0});
    const double accuracy = scores.at("accuracy");
    std::printf("\ntrained %zu epochs in %.1f s; best val_accuracy %.4f\n", history.epoch().size(),
                seconds,
                *std::max_element(history["val_accuracy"].begin(), history["val_accuracy"].end()));
    std::printf("test on %lld new waves: loss %.4f - accuracy %.4f (target %.2f)\n",
                static_cast<long long>(kTestSamples), scores.at("loss"), accuracy, kTarget);

    const std::filesystem::path saved = std::filesystem::temp_directory_path() / "sepnet_demo.json";
    serialization::save_model(model, saved);
    const auto reloaded = serialization::load_model(saved);
    const double reloaded_accuracy =
        reloaded->evaluate(test.x, test.y, {.verbose = 0}).at("accuracy");
    std::printf("saved to %s (%.0f kB) and reloaded: accuracy %.4f (%s)\n", saved.c_str(),
                static_cast<double>(std::filesystem::file_size(saved)) / 1000.0, reloaded_accuracy,
                reloaded_accuracy == accuracy ? "identical" : "DIFFERENT");
    return accuracy >= kTarget && reloaded_accuracy == accuracy ? 0 : 1;
}
