// Downstream smoke test: include the umbrella header of an installed minidl and do one op.
// run_consumer_test.cmake expects the output "6".
#include <iostream>
#include <minidl/minidl.hpp>

int main() {
    minidl::Tensor t = minidl::ones({2, 3});
    std::cout << t.sum().item() << '\n';
    return 0;
}
