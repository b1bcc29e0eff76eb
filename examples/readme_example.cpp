// The README's example: a SeparableConv1D learns to copy a teacher layer (autograd + plain SGD).
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
    for (int step = 0; step <= 300; ++step) {
        Tensor loss = mean(square(student(x) - y));  // builds the layer on the first call
        loss.backward();
        NoGradGuard no_grad;
        for (const Parameter& w : student.trainable_weights()) {  // plain SGD
            w.assign(w - 0.5f * w.grad());
            w.zero_grad();
        }
        if (step % 100 == 0) std::cout << "step " << step << "  loss " << loss.item() << '\n';
    }
    std::cout << student.config().dump().substr(0, 96) << "...\n";
}
