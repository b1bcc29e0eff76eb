// Optimizers by Keras name, for compile("adam") and saved compile configs.
#pragma once

#include <memory>
#include <string>

#include "minidl/optim/optimizer.hpp"

namespace minidl::optim {

/// A new optimizer with Keras's defaults and no parameters (add_parameters() gives them), from a
/// Keras name, case-insensitive: "sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta",
/// "adamax", "nadam" (the class names, as tf.keras.optimizers.get accepts them). Throws ValueError
/// naming an unknown one and listing the known ones.
std::unique_ptr<Optimizer> get(const std::string& name);

}  // namespace minidl::optim
