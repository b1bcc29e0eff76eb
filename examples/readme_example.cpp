// The README's example: a Sequential SeparableConv1D model trained with compile / fit.
#include <iostream>
#include <minidl/minidl.hpp>
using namespace minidl;

int main() {
    manual_seed(0);
    Tensor x = randn({512, 64, 1});                    // 512 sequences of 64 steps, 1 channel
    Tensor y = greater(mean(x, {1, 2}), scalar(0.f));  // class 1 when the mean is positive
    Sequential model({
        layers::InputLayer({.input_shape = {64, 1}}),
        layers::SeparableConv1D({.filters = 8,
                                 .kernel_size = 5,
                                 .padding = "causal",
                                 .activation = "relu",
                                 .depthwise_regularizer = regularizers::L2(1e-4),
                                 .pointwise_constraint = constraints::MaxNorm(3.0)}),
        layers::GlobalAveragePooling1D(),
        layers::Dense({.units = 2}),
    });
    model.compile(optim::Adam({.learning_rate = 0.01}),
                  losses::SparseCategoricalCrossentropy({.from_logits = true}), {"accuracy"});
    History history = model.fit(x, y, {.epochs = 8, .validation_split = 0.2, .verbose = 0});
    std::cout << "val_accuracy: " << history["val_accuracy"].back() << '\n';
}
