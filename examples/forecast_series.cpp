// One-step forecasting of a seasonal series with a causal SeparableConv1D model: windows of the
// last 48 points predict the next one. The model must beat the naive persistence forecast (the
// next value equals the last one), which is hard to beat on a smooth series. As is common for
// such series, the model learns the change from the last value, and forecasts last + change.
#include <cmath>
#include <cstdio>
#include <vector>

#include <minidl/minidl.hpp>

#include "example_data.hpp"

using namespace minidl;

namespace {

constexpr int64_t kPoints = 4000;
constexpr int64_t kWindow = 48;
constexpr double kTestFraction = 0.2;

struct Windows {
    Tensor x;  // [n, kWindow, 1], normalized
    Tensor y;  // [n, 1]: the next value minus the window's last, normalized
};

// Every window of the normalized series[begin, end) with the change to the value after it.
Windows make_windows(const std::vector<float>& series, int64_t begin, int64_t end, double mean,
                     double stddev) {
    std::vector<float> x, y;
    for (int64_t t = begin + kWindow; t < end; ++t) {
        for (int64_t k = t - kWindow; k < t; ++k)
            x.push_back(static_cast<float>((series[k] - mean) / stddev));
        y.push_back(static_cast<float>((series[t] - series[t - 1]) / stddev));
    }
    const auto n = static_cast<int64_t>(y.size());
    return {tensor(x, {n, kWindow, 1}), tensor(y, {n, 1})};
}

layers::SeparableConv1D causal(int64_t dilation) {
    return layers::SeparableConv1D({.filters = 16,
                                    .kernel_size = 3,
                                    .padding = "causal",
                                    .dilation_rate = dilation,
                                    .activation = "relu",
                                    .pointwise_regularizer = regularizers::L2(1e-5)});
}

}  // namespace

int main() {
    manual_seed(3);
    Generator generator(5);
    const std::vector<float> series = examples::seasonal_series(kPoints, generator);
    const auto split = static_cast<int64_t>(kPoints * (1.0 - kTestFraction));
    double mean = 0.0, square = 0.0;
    for (int64_t t = 0; t < split; ++t) {
        mean += series[t];
        square += double(series[t]) * series[t];
    }
    mean /= split;
    const double stddev = std::sqrt(square / split - mean * mean);
    // The test windows start where training ends: the model never sees the future.
    const Windows train = make_windows(series, 0, split, mean, stddev);
    const Windows test = make_windows(series, split - kWindow, kPoints, mean, stddev);

    Sequential model({layers::InputLayer({.input_shape = {kWindow, 1}}), causal(1), causal(2),
                      causal(4), causal(8),
                      // The last step has seen the whole receptive field: keep only it.
                      layers::Cropping1D({.cropping = {kWindow - 1, 0}}), layers::Flatten(),
                      layers::Dense({.units = 1})},
                     "forecaster");
    model.summary();
    model.compile(optim::Adam({.learning_rate = 2e-3}), "mse", {"mae"});
    model.fit(train.x, train.y,
              {.epochs = 15, .batch_size = 64, .validation_split = 0.1, .verbose = 2});

    // In normalized units the persistence forecast predicts a change of 0.
    const std::vector<float> predicted_change = model.predict(test.x, {.verbose = 0}).to_vector();
    const std::vector<float> actual_change = test.y.to_vector();
    double model_error = 0.0, persistence_error = 0.0;
    for (std::size_t i = 0; i < actual_change.size(); ++i) {
        model_error += std::abs(predicted_change[i] - actual_change[i]);
        persistence_error += std::abs(actual_change[i]);
    }
    // Back to the series' units.
    model_error *= stddev / static_cast<double>(actual_change.size());
    persistence_error *= stddev / static_cast<double>(actual_change.size());
    std::printf("\ntest MAE on the last %zu points: model %.4f, persistence %.4f (%.1f%% lower)\n",
                actual_change.size(), model_error, persistence_error,
                100.0 * (1.0 - model_error / persistence_error));
    return model_error < persistence_error ? 0 : 1;
}
