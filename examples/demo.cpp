// minidl demo: two causal, dilated SeparableConv1D layers learn to tell sine, square and sawtooth
// waves apart, with a hand-written training loop.
//
// The loop is the one Keras's fit() runs, written out: forward, loss plus the layers' penalties,
// backward, an Adam step (which adds the L2 penalties' gradient and applies the MaxNorm
// constraints), and metrics that accumulate over the epoch. Run it with `make demo`.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <vector>

#include <minidl/minidl.hpp>

namespace {

using namespace minidl;

constexpr uint64_t kSeed = 42;
constexpr int64_t kSteps = 64;  // samples per sequence
constexpr int64_t kClasses = 3;
constexpr int64_t kTrainSamples = 768;
constexpr int64_t kValidationSamples = 256;
constexpr int64_t kBatchSize = 32;
constexpr int kEpochs = 12;
constexpr double kPi = std::numbers::pi;

/// Sequences [n, kSteps, 1] and their class labels [n].
struct Dataset {
    Tensor x;
    Tensor y;
};

/// One period of wave `kind` at phase p in [0, 1): sine, square or sawtooth.
float wave(int64_t kind, double p) {
    if (kind == 0) return static_cast<float>(std::sin(2.0 * kPi * p));
    if (kind == 1) return p < 0.5 ? 1.0f : -1.0f;
    return static_cast<float>(2.0 * p - 1.0);
}

/// Waves of random frequency (2-6 periods), phase and amplitude, plus Gaussian noise.
Dataset make_waves(int64_t n, Generator& gen) {
    Dataset data{empty({n, kSteps, 1}), empty({n})};
    for (int64_t i = 0; i < n; ++i) {
        const int64_t kind = i % kClasses;
        const double periods = 2.0 + 4.0 * gen.uniform_double();
        const double phase = gen.uniform_double();
        const double amplitude = 0.5 + gen.uniform_double();
        for (int64_t t = 0; t < kSteps; ++t) {
            const double p = std::fmod(phase + periods * double(t) / kSteps, 1.0);
            data.x.data()[i * kSteps + t] =
                static_cast<float>(amplitude * wave(kind, p) + 0.2 * gen.normal());
        }
        data.y.data()[i] = static_cast<float>(kind);
    }
    return data;
}

/// Rows [begin, end) of a dataset.
Dataset batch(const Dataset& data, int64_t begin, int64_t end) {
    return {slice(data.x, 0, begin, end), slice(data.y, 0, begin, end)};
}

/// SeparableConv1D x2 -> mean over time -> dense logits.
struct Classifier {
    layers::SeparableConv1D conv1{{.filters = 16,
                                   .kernel_size = 5,
                                   .padding = "causal",
                                   .depth_multiplier = 2,
                                   .activation = "relu",
                                   .depthwise_regularizer = regularizers::L2(1e-4),
                                   .pointwise_regularizer = regularizers::L2(1e-4),
                                   .pointwise_constraint = constraints::MaxNorm(3.0)}};
    layers::SeparableConv1D conv2{{.filters = 16,
                                   .kernel_size = 5,
                                   .padding = "causal",
                                   .dilation_rate = 2,
                                   .activation = "relu",
                                   .pointwise_regularizer = regularizers::L2(1e-4),
                                   .pointwise_constraint = constraints::MaxNorm(3.0)}};
    Parameter dense_kernel{"dense/kernel", initializers::GlorotUniform()({16, kClasses})};
    Parameter dense_bias{"dense/bias", zeros({kClasses})};

    Tensor operator()(const Tensor& x) {
        const Tensor features = mean(conv2(conv1(x)), {1});  // [batch, 16]
        return matmul(features, dense_kernel) + dense_bias;
    }
    std::vector<Parameter> parameters() const {
        std::vector<Parameter> all = conv1.trainable_weights();
        for (const Parameter& p : conv2.trainable_weights()) all.push_back(p);
        all.push_back(dense_kernel);
        all.push_back(dense_bias);
        return all;
    }
    std::vector<Tensor> penalties() const {
        std::vector<Tensor> all = conv1.losses();
        for (const Tensor& p : conv2.losses()) all.push_back(p);
        return all;
    }
};

struct EpochMetrics {
    metrics::Mean loss{"loss"};
    metrics::SparseCategoricalAccuracy accuracy;
    void reset() {
        loss.reset_state();
        accuracy.reset_state();
    }
};

void train_epoch(Classifier& model, optim::Adam& optimizer, const Dataset& data,
                 const losses::Loss& loss_fn, EpochMetrics& metrics) {
    metrics.reset();
    for (int64_t begin = 0; begin < data.y.numel(); begin += kBatchSize) {
        const Dataset b = batch(data, begin, std::min(begin + kBatchSize, data.y.numel()));
        const Tensor logits = model(b.x);
        Tensor loss = loss_fn(b.y, logits);
        // Keras's objective: the weight penalties are constants here (the step applies their
        // gradient), so adding them changes the reported loss, not the gradient.
        for (const Tensor& penalty : model.penalties()) loss = loss + penalty;
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        // Weighted by the batch size, as Keras weighs each batch's loss in the epoch's mean.
        metrics.loss.update_state(loss.detach(), scalar(static_cast<float>(b.y.numel())));
        metrics.accuracy.update_state(b.y, logits.detach());
    }
}

void evaluate(Classifier& model, const Dataset& data, const losses::Loss& loss_fn,
              EpochMetrics& metrics) {
    NoGradGuard no_grad;
    metrics.reset();
    const Tensor logits = model(data.x);
    metrics.loss.update_state(loss_fn(data.y, logits) + regularization_loss(model.parameters()));
    metrics.accuracy.update_state(data.y, logits);
}

void run() {
    manual_seed(kSeed);
    Generator data_gen(kSeed);
    const Dataset train = make_waves(kTrainSamples, data_gen);
    const Dataset validation = make_waves(kValidationSamples, data_gen);

    Classifier model;
    model(batch(train, 0, 1).x);  // builds the layers, so their weights exist
    optim::Adam optimizer(model.parameters(), {.learning_rate = 3e-3});
    const losses::SparseCategoricalCrossentropy loss_fn({.from_logits = true});

    int64_t parameter_count = 0;
    for (const Parameter& p : model.parameters()) parameter_count += p.numel();
    std::printf("minidl %s demo: classify sine / square / sawtooth waves (%lld steps, noise 0.2)\n",
                MINIDL_VERSION, static_cast<long long>(kSteps));
    std::printf(
        "model: 2 x SeparableConv1D (causal, dilation 1 and 2, L2, MaxNorm) + dense, "
        "%lld parameters; Adam lr 3e-3, batch %lld\n\n",
        static_cast<long long>(parameter_count), static_cast<long long>(kBatchSize));

    EpochMetrics train_metrics, validation_metrics;
    for (int epoch = 1; epoch <= kEpochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        train_epoch(model, optimizer, train, loss_fn, train_metrics);
        evaluate(model, validation, loss_fn, validation_metrics);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
        std::printf(
            "epoch %d/%d - %lld ms - loss: %.4f - accuracy: %.4f - val_loss: %.4f - "
            "val_accuracy: %.4f\n",
            epoch, kEpochs, static_cast<long long>(ms), train_metrics.loss.result(),
            train_metrics.accuracy.result(), validation_metrics.loss.result(),
            validation_metrics.accuracy.result());
    }
    std::printf("\nfinal validation accuracy: %.4f on %lld waves\n",
                validation_metrics.accuracy.result(), static_cast<long long>(kValidationSamples));
}

}  // namespace

int main() {
    try {
        run();
    } catch (const minidl::Error& e) {
        std::fprintf(stderr, "demo: %s\n", e.what());
        return 1;
    }
    return 0;
}
