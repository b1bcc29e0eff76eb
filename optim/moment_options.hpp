// The options Adamax and Nadam share: the same Keras arguments with the same defaults.
#pragma once

#include <optional>

#include "minidl/optim/schedules.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults of Adamax and Nadam, then the four every optimizer takes.
struct MomentOptions {
    LearningRate learning_rate = 0.001;
    double beta_1 = 0.9;    ///< in [0, 1)
    double beta_2 = 0.999;  ///< in [0, 1)
    double epsilon = 1e-7;  ///< >= 0
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

}  // namespace minidl::optim
