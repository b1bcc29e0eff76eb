// The options of Model::fit, evaluate and predict: keras.Model's arguments, with its defaults.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <vector>

#include "minidl/core/tensor.hpp"
#include "minidl/train/callback.hpp"

namespace minidl {

/// Keras's validation_data tuple (x_val, y_val[, val_sample_weight]); `x` undefined = none.
struct ValidationData {
    Tensor x = {};
    Tensor y = {};
    Tensor sample_weight = {};
};

/// Keras's verbose: 0 silent; 1 a progress bar updated in place on a terminal (on a pipe or a
/// file, one line per epoch as 2); 2 one line per epoch.
struct FitOptions {
    int64_t epochs = 1;
    int64_t batch_size = 32;
    /// The last fraction of x and y (taken before shuffling, as Keras) held out for validation;
    /// in [0, 1). Ignored when validation_data is given.
    double validation_split = 0.0;
    ValidationData validation_data = {};
    /// Reshuffles the training samples every epoch, with the default generator (manual_seed).
    bool shuffle = true;
    int verbose = 1;
    std::vector<CallbackRef> callbacks = {};
    /// Class index -> weight, multiplied into each sample's weight (y holds class indices, or
    /// one-hot rows whose argmax is the class).
    std::map<int64_t, double> class_weight = {};
    /// One weight per sample ([N]), or per sample and step ([N, L]).
    Tensor sample_weight = {};
    /// The epoch to start at (epochs counts from 0, so it runs initial_epoch .. epochs-1).
    int64_t initial_epoch = 0;
    /// Where progress is printed; null = std::cout.
    std::ostream* output = nullptr;
};

struct EvaluateOptions {
    int64_t batch_size = 32;
    int verbose = 1;
    Tensor sample_weight = {};
    std::vector<CallbackRef> callbacks = {};
    std::ostream* output = nullptr;
};

struct PredictOptions {
    int64_t batch_size = 32;
    int verbose = 1;
    std::vector<CallbackRef> callbacks = {};
    std::ostream* output = nullptr;
};

}  // namespace minidl
