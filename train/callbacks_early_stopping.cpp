#include <cmath>

#include "minidl/layers/model.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/callbacks_internal.hpp"

namespace minidl::callbacks {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// EarlyStopping's "auto": accuracies and AUCs grow, everything else shrinks.
bool improves_upward(const std::string& monitor) {
    return ends_with(monitor, "acc") || ends_with(monitor, "accuracy") || ends_with(monitor, "auc");
}

}  // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)),
      maximize_(
          detail::maximizes("EarlyStopping", options_.mode, improves_upward(options_.monitor))),
      min_delta_(maximize_ ? std::fabs(options_.min_delta) : -std::fabs(options_.min_delta)),
      best_(detail::worst_value(maximize_)) {
    detail::require_non_negative("EarlyStopping", "patience",
                                 static_cast<double>(options_.patience));
    detail::require_non_negative("EarlyStopping", "start_from_epoch",
                                 static_cast<double>(options_.start_from_epoch));
}

void EarlyStopping::on_train_begin(Logs& logs) {
    (void)logs;
    wait_ = 0;
    stopped_epoch_ = 0;
    best_ = detail::worst_value(maximize_);
    best_weights_.reset();
    best_epoch_ = 0;
}

bool EarlyStopping::is_improvement(double value, double reference) const {
    return maximize_ ? value - min_delta_ > reference : value - min_delta_ < reference;
}

void EarlyStopping::on_epoch_end(int64_t epoch, Logs& logs) {
    const std::optional<double> current = logs.get(options_.monitor);
    if (!current) {
        detail::warn(
            "Early stopping conditioned on metric `" + options_.monitor +
            "` which is not available. Available metrics are: " + detail::available_metrics(logs));
    }
    if (!current || epoch < options_.start_from_epoch) return;
    // Keras keeps the first monitored epoch (and its weights) in case nothing ever improves.
    if (options_.restore_best_weights && !best_weights_) {
        best_weights_ = model().get_weights();
        best_epoch_ = epoch;
    }

    ++wait_;
    if (is_improvement(*current, best_)) {
        best_ = *current;
        best_epoch_ = epoch;
        if (options_.restore_best_weights) best_weights_ = model().get_weights();
        // The wait restarts only when the value beats both the best and the baseline.
        if (!options_.baseline || is_improvement(*current, *options_.baseline)) wait_ = 0;
        return;
    }
    if (wait_ >= options_.patience && epoch > 0) {
        stopped_epoch_ = epoch;
        model().stop_training = true;
    }
}

void EarlyStopping::on_train_end(Logs& logs) {
    (void)logs;
    if (stopped_epoch_ > 0 && options_.verbose > 0) {
        detail::print_message("Epoch " + std::to_string(stopped_epoch_ + 1) + ": early stopping");
    }
    if (options_.restore_best_weights && best_weights_) {
        if (options_.verbose > 0) {
            detail::print_message("Restoring model weights from the end of the best epoch: " +
                                  std::to_string(best_epoch_ + 1) + ".");
        }
        model().set_weights(*best_weights_);
    }
}

}  // namespace minidl::callbacks
