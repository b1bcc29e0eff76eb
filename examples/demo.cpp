// minidl demo: a two-layer perceptron (1 -> 32 tanh -> 1) learns a noisy sine wave.
//
// Written directly with tensors and autograd: the model is four parameter tensors, the forward
// pass is a few ops, loss.backward() computes the gradients and a hand-written Adam updates the
// parameters in place. Run it with `make demo` (or ./build/examples/demo after a build).
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numbers>
#include <utility>
#include <vector>

#include <minidl/minidl.hpp>

namespace {

using minidl::Tensor;

constexpr uint64_t kSeed = 42;
constexpr int64_t kTrainPoints = 256;
constexpr int64_t kTestPoints = 201;
constexpr int64_t kHiddenUnits = 32;
constexpr float kNoiseStd = 0.1f;
constexpr int kEpochs = 20;
constexpr int kStepsPerEpoch = 100;  // full-batch steps, so an "epoch" here is 100 updates
constexpr float kLearningRate = 0.003f;
constexpr float kPi = std::numbers::pi_v<float>;

/// Inputs of shape [n, 1] and targets of the same shape.
struct Dataset {
    Tensor x;
    Tensor y;
};

/// f applied to every value, in a fresh tensor; only for making data, so not differentiable.
Tensor map_values(const Tensor& t, const std::function<float(float)>& f) {
    Tensor out = minidl::empty(t.shape());
    const float* in = t.data();
    float* result = out.data();
    for (int64_t i = 0; i < t.numel(); ++i) result[i] = f(in[i]);
    return out;
}

Tensor sine(const Tensor& x) {
    return map_values(x, [](float v) { return std::sin(v); });
}

/// y = sin(x) + N(0, noise_std^2) at n points drawn uniformly from [-pi, pi].
Dataset make_noisy_sine(int64_t n, float noise_std) {
    Tensor x = minidl::uniform({n, 1}, -kPi, kPi);
    Tensor noise = minidl::normal({n, 1}, 0.0f, noise_std);
    return {x, sine(x) + noise};
}

/// y = sin(x) without noise on n evenly spaced points covering [-pi, pi].
Dataset make_sine_grid(int64_t n) {
    const float step = 2.0f * kPi / static_cast<float>(n - 1);
    Tensor x = minidl::reshape(minidl::arange(0.0f, static_cast<float>(n)) * step - kPi, {n, 1});
    return {x, sine(x)};
}

/// Keras's default kernel initializer: uniform in +-sqrt(6 / (fan_in + fan_out)).
Tensor glorot_uniform(int64_t fan_in, int64_t fan_out) {
    const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
    return minidl::uniform({fan_in, fan_out}, -limit, limit).requires_grad_();
}

/// The perceptron: dense(1 -> hidden, tanh), then dense(hidden -> 1).
struct Mlp {
    Tensor w1, b1, w2, b2;

    explicit Mlp(int64_t hidden)
        : w1(glorot_uniform(1, hidden)),
          b1(minidl::zeros({hidden}).requires_grad_()),
          w2(glorot_uniform(hidden, 1)),
          b2(minidl::zeros({1}).requires_grad_()) {}

    /// x: [n, 1] -> [n, 1]. The biases broadcast over the rows.
    Tensor operator()(const Tensor& x) const {
        const Tensor hidden = minidl::tanh(minidl::matmul(x, w1) + b1);
        return minidl::matmul(hidden, w2) + b2;
    }

    std::vector<Tensor> parameters() const { return {w1, b1, w2, b2}; }
};

Tensor mean_squared_error(const Tensor& prediction, const Tensor& target) {
    return minidl::mean(minidl::square(prediction - target));
}

/// Adam (Kingma & Ba) with Keras's defaults apart from the learning rate.
class Adam {
  public:
    Adam(std::vector<Tensor> parameters, float learning_rate)
        : parameters_(std::move(parameters)), learning_rate_(learning_rate) {
        for (const Tensor& p : parameters_) {
            first_moments_.push_back(minidl::zeros_like(p));
            second_moments_.push_back(minidl::zeros_like(p));
        }
    }

    /// Updates every parameter in place from its gradient, then drops the gradients.
    void step() {
        minidl::NoGradGuard no_grad;  // the update itself must not be recorded
        ++steps_;
        const float bias_correction1 = 1.0f - std::pow(kBeta1, static_cast<float>(steps_));
        const float bias_correction2 = 1.0f - std::pow(kBeta2, static_cast<float>(steps_));
        const float step_size = learning_rate_ * std::sqrt(bias_correction2) / bias_correction1;
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            const Tensor& p = parameters_[i];
            if (!p.grad().defined()) continue;  // no gradient reached it this step
            auto value = as_array(p);
            auto m = as_array(first_moments_[i]);
            auto v = as_array(second_moments_[i]);
            const auto g = as_array(p.grad());
            m = kBeta1 * m + (1.0f - kBeta1) * g;
            v = kBeta2 * v + (1.0f - kBeta2) * g.square();
            value -= step_size * m / (v.sqrt() + kEpsilon);
            p.zero_grad();
        }
    }

  private:
    static constexpr float kBeta1 = 0.9f;
    static constexpr float kBeta2 = 0.999f;
    static constexpr float kEpsilon = 1e-7f;

    static Eigen::Map<Eigen::ArrayXf> as_array(const Tensor& t) {
        return {t.data(), static_cast<Eigen::Index>(t.numel())};
    }

    std::vector<Tensor> parameters_;
    std::vector<Tensor> first_moments_;
    std::vector<Tensor> second_moments_;
    float learning_rate_;
    int64_t steps_ = 0;
};

/// One full-batch training step; returns the loss before the update.
float train_step(const Mlp& model, Adam& optimizer, const Dataset& data) {
    const Tensor loss = mean_squared_error(model(data.x), data.y);
    loss.backward();
    optimizer.step();
    return loss.item();
}

float evaluate(const Mlp& model, const Dataset& data) {
    minidl::NoGradGuard no_grad;
    return mean_squared_error(model(data.x), data.y).item();
}

void print_header(const Mlp& model) {
    int64_t parameter_count = 0;
    for (const Tensor& p : model.parameters()) parameter_count += p.numel();
    std::printf("minidl %s demo: fit y = sin(x) + noise (std %.2f) on %lld points in [-pi, pi]\n",
                MINIDL_VERSION, static_cast<double>(kNoiseStd),
                static_cast<long long>(kTrainPoints));
    std::printf(
        "model: 1 -> %lld tanh -> 1 (%lld parameters), Adam lr %.3g, full batch, "
        "%d steps per epoch\n\n",
        static_cast<long long>(kHiddenUnits), static_cast<long long>(parameter_count),
        static_cast<double>(kLearningRate), kStepsPerEpoch);
}

void train(const Mlp& model, const Dataset& data) {
    Adam optimizer(model.parameters(), kLearningRate);
    for (int epoch = 1; epoch <= kEpochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        double loss_sum = 0.0;
        for (int step = 0; step < kStepsPerEpoch; ++step) {
            loss_sum += train_step(model, optimizer, data);
        }
        const auto elapsed = std::chrono::steady_clock::now() - start;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
        // As in Keras, the loss shown is the mean over the epoch's steps.
        std::printf("epoch %d/%d - loss: %.4f - %lld ms\n", epoch, kEpochs,
                    loss_sum / kStepsPerEpoch, static_cast<long long>(ms));
    }
}

void run() {
    minidl::manual_seed(kSeed);
    const Dataset train_data = make_noisy_sine(kTrainPoints, kNoiseStd);
    const Dataset test_data = make_sine_grid(kTestPoints);
    const Mlp model(kHiddenUnits);

    print_header(model);
    train(model, train_data);

    std::printf("\nfinal train MSE (noisy targets):     %.5f\n",
                static_cast<double>(evaluate(model, train_data)));
    std::printf("test MSE on a %lld-point sin(x) grid: %.5f\n", static_cast<long long>(kTestPoints),
                static_cast<double>(evaluate(model, test_data)));
    std::printf("noise floor (noise variance):        %.5f\n",
                static_cast<double>(kNoiseStd * kNoiseStd));
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
