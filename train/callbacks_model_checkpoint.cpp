#include <filesystem>

#include "minidl/core/error.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/serialization/checkpoint.hpp"
#include "minidl/serialization/weights.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/callbacks_internal.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks {
namespace {

/// ModelCheckpoint's "auto": Keras's older rule, any name containing "acc" or an F-measure.
bool improves_upward(const std::string& monitor) {
    return monitor.find("acc") != std::string::npos || monitor.rfind("fmeasure", 0) == 0;
}

/// The batch count of an integer save_freq; none for "epoch".
std::optional<int64_t> batches_per_save(const SaveFrequency& frequency) {
    if (const auto* batches = std::get_if<int64_t>(&frequency)) {
        if (*batches < 1) {
            throw ValueError(
                "ModelCheckpoint: 'save_freq' must be \"epoch\" or a positive "
                "number of batches, got " +
                std::to_string(*batches));
        }
        return *batches;
    }
    const auto& name = std::get<std::string>(frequency);
    if (name != "epoch") {
        throw ValueError("ModelCheckpoint: Unrecognized save_freq: " + name +
                         ". Expected save_freq are 'epoch' or integer");
    }
    return std::nullopt;
}

std::string five_decimals(double value) { return train_text::printf_string("%.5f", value); }

}  // namespace

ModelCheckpoint::ModelCheckpoint(ModelCheckpointOptions options)
    : options_(std::move(options)),
      batches_per_save_(batches_per_save(options_.save_freq)),
      maximize_(
          detail::maximizes("ModelCheckpoint", options_.mode, improves_upward(options_.monitor))),
      best_(options_.initial_value_threshold.value_or(detail::worst_value(maximize_))) {
    if (options_.filepath.empty()) throw ValueError("ModelCheckpoint: 'filepath' is empty");
}

void ModelCheckpoint::on_epoch_begin(int64_t epoch, Logs& logs) {
    (void)logs;
    current_epoch_ = epoch;
}

void ModelCheckpoint::on_train_batch_end(int64_t batch, Logs& logs) {
    if (should_save_on_batch(batch)) save(current_epoch_, batch, logs);
}

void ModelCheckpoint::on_epoch_end(int64_t epoch, Logs& logs) {
    if (!batches_per_save_) save(epoch, std::nullopt, logs);
}

bool ModelCheckpoint::should_save_on_batch(int64_t batch) {
    if (!batches_per_save_) return false;
    // A batch index not above the last one seen starts a new epoch.
    batches_since_save_ += batch <= last_batch_seen_ ? batch + 1 : batch - last_batch_seen_;
    last_batch_seen_ = batch;
    if (batches_since_save_ < *batches_per_save_) return false;
    batches_since_save_ = 0;
    return true;
}

void ModelCheckpoint::save(int64_t epoch, std::optional<int64_t> batch, const Logs& logs) {
    // A save at the end of epoch `epoch` follows epoch + 1 complete epochs; one within it, epoch.
    const int64_t epochs_completed = batch ? epoch : epoch + 1;
    const std::string filepath = format_checkpoint_path(options_.filepath, epoch, batch, logs);
    const std::string epoch_text = "\nEpoch " + std::to_string(epoch + 1) + ": ";
    if (!options_.save_best_only) {
        if (options_.verbose > 0) detail::print_message(epoch_text + "saving model to " + filepath);
        save_to(filepath, epochs_completed);
        return;
    }
    const std::optional<double> current = logs.get(options_.monitor);
    if (!current) {
        detail::warn("Can save best model only with " + options_.monitor + " available, skipping.");
        return;
    }
    const bool improved = maximize_ ? *current > best_ : *current < best_;
    if (!improved) {
        if (options_.verbose > 0) {
            detail::print_message(epoch_text + options_.monitor + " did not improve from " +
                                  five_decimals(best_));
        }
        return;
    }
    if (options_.verbose > 0) {
        detail::print_message(epoch_text + options_.monitor + " improved from " +
                              five_decimals(best_) + " to " + five_decimals(*current) +
                              ", saving model to " + filepath);
    }
    best_ = *current;
    save_to(filepath, epochs_completed);
}

void ModelCheckpoint::save_to(const std::string& filepath, int64_t epochs_completed) {
    const std::filesystem::path path(filepath);
    // As Keras, a missing folder in the path is created.
    std::error_code error;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
        throw IOError("ModelCheckpoint: cannot create the folder of '" + filepath +
                      "': " + error.message());
    }
    if (options_.save_weights_only) {
        serialization::save_weights(model(), path);
    } else {
        serialization::save_checkpoint(model(), path, {epochs_completed, model().history()});
    }
    last_filepath_ = filepath;
    ++saves_;
}

}  // namespace minidl::callbacks
