#include <algorithm>

#include "minidl/core/error.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/callbacks_internal.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options)
    : options_(std::move(options)),
      // ReduceLROnPlateau's "auto": max for any name containing "acc".
      maximize_(detail::maximizes("ReduceLROnPlateau", options_.mode,
                                  options_.monitor.find("acc") != std::string::npos)),
      best_(detail::worst_value(maximize_)) {
    if (!(options_.factor < 1.0)) {
        throw ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Got " +
                         train_text::python_float_repr(options_.factor));
    }
    detail::require_non_negative("ReduceLROnPlateau", "patience",
                                 static_cast<double>(options_.patience));
    detail::require_non_negative("ReduceLROnPlateau", "cooldown",
                                 static_cast<double>(options_.cooldown));
    detail::require_non_negative("ReduceLROnPlateau", "min_lr", options_.min_lr);
}

void ReduceLROnPlateau::reset() {
    best_ = detail::worst_value(maximize_);
    cooldown_counter_ = 0;
    wait_ = 0;
}

void ReduceLROnPlateau::on_train_begin(Logs& logs) {
    (void)logs;
    reset();
}

bool ReduceLROnPlateau::is_better(double value) const {
    return maximize_ ? value > best_ + options_.min_delta : value < best_ - options_.min_delta;
}

void ReduceLROnPlateau::on_epoch_end(int64_t epoch, Logs& logs) {
    // The rate the epoch trained with, logged before any reduction (as Keras).
    logs.set("lr", model().optimizer().learning_rate());
    const std::optional<double> current = logs.get(options_.monitor);
    if (!current) {
        detail::warn(
            "Learning rate reduction is conditioned on metric `" + options_.monitor +
            "` which is not available. Available metrics are: " + detail::available_metrics(logs));
        return;
    }
    if (cooldown_counter_ > 0) {
        --cooldown_counter_;
        wait_ = 0;
    }
    if (is_better(*current)) {
        best_ = *current;
        wait_ = 0;
    } else if (cooldown_counter_ == 0 && ++wait_ >= options_.patience) {
        reduce_learning_rate(epoch);
    }
}

void ReduceLROnPlateau::reduce_learning_rate(int64_t epoch) {
    optim::Optimizer& optimizer = model().optimizer();
    const double old_rate = optimizer.learning_rate();
    if (!(old_rate > options_.min_lr)) return;
    const double new_rate = std::max(old_rate * options_.factor, options_.min_lr);
    optimizer.set_learning_rate(new_rate);
    if (options_.verbose > 0) {
        detail::print_message("\nEpoch " + std::to_string(epoch + 1) +
                              ": ReduceLROnPlateau reducing learning rate to " +
                              train_text::python_float_repr(new_rate) + ".");
    }
    cooldown_counter_ = options_.cooldown;
    wait_ = 0;
}

}  // namespace minidl::callbacks
