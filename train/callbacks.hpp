// The callbacks of tf.keras 2.x (keras.callbacks) for Model::fit: EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback. Options
// structs follow Keras's argument order and defaults. docs/callbacks.md.
//
// A monitored value missing from the logs prints Keras's warning to std::cerr and skips the
// epoch; `verbose` messages go to std::cout with Keras's text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "minidl/core/tensor.hpp"
#include "minidl/train/callback.hpp"
#include "minidl/train/logs.hpp"

namespace minidl::callbacks {

struct EarlyStoppingOptions {
    std::string monitor = "val_loss";
    /// Improvements of at most |min_delta| do not count.
    double min_delta = 0.0;
    /// Epochs without improvement before stopping.
    int64_t patience = 0;
    int verbose = 0;
    /// "min", "max", or "auto": max when monitor ends with "acc", "accuracy" or "auc".
    std::string mode = "auto";
    /// Training stops unless the monitor beats this value within `patience` epochs.
    std::optional<double> baseline = std::nullopt;
    /// Sets the weights of the best epoch back at the end of training (stopped early or not).
    bool restore_best_weights = false;
    /// Epochs before monitoring starts (warm-up).
    int64_t start_from_epoch = 0;
};

/// Sets model().stop_training when the monitored value stopped improving (keras 2.13 rules).
class EarlyStopping : public Callback {
  public:
    /// Throws ValueError for an unknown mode or a negative patience/start_from_epoch.
    explicit EarlyStopping(EarlyStoppingOptions options = {});

    void on_train_begin(Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;
    void on_train_end(Logs& logs) override;

    /// The epoch at which training was stopped; 0 when it was not (Keras's convention).
    int64_t stopped_epoch() const { return stopped_epoch_; }
    /// The epoch of the best value so far and that value (±inf before any).
    int64_t best_epoch() const { return best_epoch_; }
    double best() const { return best_; }
    /// Epochs since the last improvement.
    int64_t wait() const { return wait_; }
    const EarlyStoppingOptions& options() const { return options_; }

  private:
    bool is_improvement(double value, double reference) const;

    EarlyStoppingOptions options_;
    bool maximize_;
    double min_delta_;  // signed in the direction of improvement, as Keras
    int64_t wait_ = 0;
    int64_t stopped_epoch_ = 0;
    int64_t best_epoch_ = 0;
    double best_;
    std::optional<std::vector<Tensor>> best_weights_;
};

/// Keras's save_freq: "epoch", or a number of batches.
using SaveFrequency = std::variant<std::string, int64_t>;

struct ModelCheckpointOptions {
    /// Where to save; Python format fields take the epoch (1-based), the batch (1-based, with
    /// an integer save_freq) and any logged value: "ckpt/{epoch:02d}-{val_loss:.2f}".
    std::string filepath = {};
    std::string monitor = "val_loss";
    int verbose = 0;
    /// Saves only when the monitored value improves on the best so far.
    bool save_best_only = false;
    bool save_weights_only = false;
    /// "min", "max", or "auto": max when monitor contains "acc" or starts with "fmeasure".
    std::string mode = "auto";
    SaveFrequency save_freq = std::string("epoch");
    /// The value to beat before the first save (save_best_only).
    std::optional<double> initial_value_threshold = std::nullopt;
};

/// Saves the model after each epoch (or every save_freq batches), creating missing folders:
/// its weights (serialization::save_weights) with save_weights_only, else a checkpoint
/// (serialization::save_checkpoint: weights, optimizer state, epochs completed, generator and
/// the model's History) from which load_checkpoint resumes training exactly. Files are written
/// atomically (docs/saving.md).
class ModelCheckpoint : public Callback {
  public:
    /// Throws ValueError for an empty filepath, an unknown mode or save_freq other than "epoch"
    /// or a positive count.
    explicit ModelCheckpoint(ModelCheckpointOptions options);

    void on_epoch_begin(int64_t epoch, Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;
    void on_train_batch_end(int64_t batch, Logs& logs) override;

    /// The best monitored value so far (±inf or initial_value_threshold before any).
    double best() const { return best_; }
    /// The formatted path of the latest save; empty before.
    const std::string& last_filepath() const { return last_filepath_; }
    /// How many saves happened.
    int64_t saves() const { return saves_; }
    const ModelCheckpointOptions& options() const { return options_; }

  private:
    bool should_save_on_batch(int64_t batch);
    void save(int64_t epoch, std::optional<int64_t> batch, const Logs& logs);
    void save_to(const std::string& filepath, int64_t epochs_completed);

    ModelCheckpointOptions options_;
    std::optional<int64_t> batches_per_save_;  // none = per epoch
    bool maximize_;
    double best_;
    int64_t current_epoch_ = 0;
    int64_t last_batch_seen_ = -1;
    int64_t batches_since_save_ = 0;
    std::string last_filepath_;
    int64_t saves_ = 0;
};

/// Keras's checkpoint path: `filepath` with its Python format fields filled from `logs`,
/// "epoch" = epoch + 1 and, when `batch` is given and the logs have no "batch", "batch" =
/// batch + 1. Supports the format spec [[fill]align][sign][0][width][.precision][type] with
/// types d, e, E, f, F, g, G, % and none. Throws ValueError for a field the logs lack (Keras's
/// "Failed to format this callback filepath" text) or a spec outside that set.
std::string format_checkpoint_path(const std::string& filepath, int64_t epoch,
                                   std::optional<int64_t> batch, const Logs& logs);

struct ReduceLROnPlateauOptions {
    std::string monitor = "val_loss";
    /// new_lr = lr * factor; must be < 1.
    double factor = 0.1;
    int64_t patience = 10;
    int verbose = 0;
    /// "min", "max", or "auto": max when monitor contains "acc".
    std::string mode = "auto";
    /// An improvement must exceed this.
    double min_delta = 1e-4;
    /// Epochs to wait after a reduction before counting again.
    int64_t cooldown = 0;
    /// The rate never goes below this.
    double min_lr = 0.0;
};

/// Multiplies the optimizer's learning rate by `factor` after `patience` epochs without
/// improvement; logs the epoch's rate as "lr".
class ReduceLROnPlateau : public Callback {
  public:
    /// Throws ValueError for factor >= 1 (Keras's text), an unknown mode, or a negative
    /// patience, cooldown or min_lr.
    explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});

    void on_train_begin(Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;

    double best() const { return best_; }
    int64_t wait() const { return wait_; }
    int64_t cooldown_counter() const { return cooldown_counter_; }
    const ReduceLROnPlateauOptions& options() const { return options_; }

  private:
    void reset();
    bool is_better(double value) const;
    void reduce_learning_rate(int64_t epoch);

    ReduceLROnPlateauOptions options_;
    bool maximize_;
    double best_;
    int64_t wait_ = 0;
    int64_t cooldown_counter_ = 0;
};

/// schedule(epoch, current learning rate) -> the epoch's learning rate.
using EpochSchedule = std::function<double(int64_t epoch, double learning_rate)>;

struct LearningRateSchedulerOptions {
    EpochSchedule schedule = {};
    int verbose = 0;
};

/// Sets the optimizer's learning rate from `schedule` at each epoch's start; logs it as "lr".
class LearningRateScheduler : public Callback {
  public:
    /// Throws ValueError without a schedule.
    explicit LearningRateScheduler(LearningRateSchedulerOptions options);

    void on_epoch_begin(int64_t epoch, Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;

  private:
    LearningRateSchedulerOptions options_;
};

struct CSVLoggerOptions {
    std::filesystem::path filename = {};
    /// One character.
    std::string separator = ",";
    /// Appends to an existing file (its header kept) instead of overwriting it.
    bool append = false;
};

/// Writes one CSV row per epoch: the header "epoch" then the logged names sorted (plus their
/// val_ names, "NA" when missing, if no name starts with "val_", as Keras), values as Python's
/// str(), rows ended by "\r\n" (Python's csv). The file is rewritten atomically at each epoch
/// (serialization/atomic_file.hpp), so it is never seen half written.
class CSVLogger : public Callback {
  public:
    /// Throws ValueError for an empty filename or a separator that is not one character.
    explicit CSVLogger(CSVLoggerOptions options);

    /// Truncates the file (or, with append, reads it); IOError when it cannot.
    void on_train_begin(Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;
    void on_train_end(Logs& logs) override;

  private:
    std::string csv_row(const std::vector<std::string>& fields) const;

    CSVLoggerOptions options_;
    std::string content_;
    std::optional<std::vector<std::string>> keys_;
    bool header_needed_ = true;
    bool header_written_ = false;
};

/// Sets model().stop_training when a batch's "loss" is NaN or infinite.
class TerminateOnNaN : public Callback {
  public:
    void on_train_batch_end(int64_t batch, Logs& logs) override;
};

/// Keras's LambdaCallback arguments; an empty function does nothing.
struct LambdaCallbackOptions {
    std::function<void(int64_t epoch, Logs& logs)> on_epoch_begin = {};
    std::function<void(int64_t epoch, Logs& logs)> on_epoch_end = {};
    std::function<void(int64_t batch, Logs& logs)> on_batch_begin = {};
    std::function<void(int64_t batch, Logs& logs)> on_batch_end = {};
    std::function<void(Logs& logs)> on_train_begin = {};
    std::function<void(Logs& logs)> on_train_end = {};
};

/// A callback made of functions; on_batch_* run at the training batches.
class LambdaCallback : public Callback {
  public:
    explicit LambdaCallback(LambdaCallbackOptions options) : options_(std::move(options)) {}

    void on_epoch_begin(int64_t epoch, Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;
    void on_train_batch_begin(int64_t batch, Logs& logs) override;
    void on_train_batch_end(int64_t batch, Logs& logs) override;
    void on_train_begin(Logs& logs) override;
    void on_train_end(Logs& logs) override;

  private:
    LambdaCallbackOptions options_;
};

}  // namespace minidl::callbacks
