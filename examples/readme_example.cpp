// The README's example: a SeparableConv1D learns to copy a teacher layer (autograd + Adam).
#include <iostream>
#include <minidl/minidl.hpp>
using namespace minidl;

int main() {
    manual_seed(0);
    const layers::SeparableConv1DOptions options{.filters = 4,
                                                 .kernel_size = 3,
                                                 .padding = "causal",
                                                 .depth_multiplier = 2,
                                                 .activation = "tanh"};
    layers::SeparableConv1D teacher(options), student(options);
    Tensor x = randn({32, 50, 3});   // (batch, steps, channels)
    Tensor y = teacher(x).detach();  // what the student should learn to output
    student.build(x.shape());        // creates the weights the optimizer updates
    optim::Adam opt(student.trainable_weights(), {.learning_rate = 0.01});
    losses::MeanSquaredError mse;
    for (int step = 0; step <= 300; ++step) {
        Tensor loss = mse(y, student(x));
        loss.backward();
        opt.step();
        opt.zero_grad();
        if (step % 100 == 0) std::cout << "step " << step << "  loss " << loss.item() << '\n';
    }
    std::cout << student.config().dump().substr(0, 96) << "...\n";
}
