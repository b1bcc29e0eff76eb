// A subclassed Model trained by a hand-written loop: what fit() automates, written out with
// autograd. The model is a small residual network: SeparableConv1D blocks whose output is added
// to their input (layers::Add), then pooling and a Dense head.
#include <cstdio>
#include <memory>

#include <minidl/minidl.hpp>

#include "example_data.hpp"

using namespace minidl;

namespace {

constexpr int64_t kSteps = 96;
constexpr int64_t kBatchSize = 32;
constexpr int kEpochs = 12;

class ResidualNet : public Model {
  public:
    ResidualNet() : Model("residual_net") {}

    Tensor call(const Tensor& x, bool training) override {
        Tensor h = (*stem_)(x, training);
        h = (*add_)({h, (*block1_)(h, training)});
        h = (*add_)({h, (*block2_)(h, training)});
        return (*head_)((*pool_)(h, training), training);
    }

  private:
    static layers::SeparableConv1D block(int64_t dilation) {
        return layers::SeparableConv1D({.filters = 16,
                                        .kernel_size = 3,
                                        .padding = "causal",
                                        .dilation_rate = dilation,
                                        .activation = "relu",
                                        .pointwise_regularizer = regularizers::L2(1e-4)});
    }

    std::shared_ptr<layers::SeparableConv1D> stem_ = track(layers::SeparableConv1D(
        {.filters = 16, .kernel_size = 5, .padding = "causal", .activation = "relu"}));
    std::shared_ptr<layers::SeparableConv1D> block1_ = track(block(2));
    std::shared_ptr<layers::SeparableConv1D> block2_ = track(block(4));
    std::shared_ptr<layers::Add> add_ = track(layers::Add());
    std::shared_ptr<layers::GlobalAveragePooling1D> pool_ = track(layers::GlobalAveragePooling1D());
    std::shared_ptr<layers::Dense> head_ = track(layers::Dense({.units = 4}));
};

}  // namespace

int main() {
    manual_seed(7);
    Generator data_generator(11);
    const examples::Dataset train = examples::make_waveforms(1200, kSteps, 0.2, data_generator);
    const examples::Dataset val = examples::make_waveforms(400, kSteps, 0.2, data_generator);

    ResidualNet model;
    model(slice(train.x, 0, 0, 1));  // builds the layers, so that the optimizer sees the weights
    optim::Adam optimizer(model.trainable_weights(), {.learning_rate = 5e-3});
    const losses::SparseCategoricalCrossentropy loss_fn({.from_logits = true});
    metrics::Mean epoch_loss("loss");
    metrics::SparseCategoricalAccuracy train_accuracy({.name = "accuracy"});
    metrics::SparseCategoricalAccuracy val_accuracy({.name = "val_accuracy"});
    std::printf("%s: %lld parameters\n", model.name().c_str(),
                static_cast<long long>(model.count_params()));

    const int64_t samples = train.x.size(0);
    for (int epoch = 1; epoch <= kEpochs; ++epoch) {
        epoch_loss.reset_state();
        train_accuracy.reset_state();
        for (int64_t begin = 0; begin < samples; begin += kBatchSize) {
            const int64_t end = std::min(begin + kBatchSize, samples);
            const Tensor x = slice(train.x, 0, begin, end);
            const Tensor y = slice(train.y, 0, begin, end);
            const Tensor logits = model(x, /*training=*/true);
            // Keras's objective: the loss plus the layers' penalties (model.losses()).
            Tensor loss = loss_fn(y, logits);
            for (const Tensor& penalty : model.losses()) loss = loss + penalty;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();  // adds the L2 gradients, updates, applies constraints
            epoch_loss.update_state(loss.detach(), full({}, static_cast<float>(end - begin)));
            train_accuracy.update_state(y, logits.detach());
        }
        val_accuracy.reset_state();
        val_accuracy.update_state(val.y, model.predict(val.x, {.verbose = 0}));
        std::printf("epoch %d/%d - loss: %.4f - accuracy: %.4f - val_accuracy: %.4f\n", epoch,
                    kEpochs, epoch_loss.result(), train_accuracy.result(), val_accuracy.result());
    }
    return 0;
}
