// ProgressLogger: Keras's ProgbarLogger, the callback through which fit, evaluate and predict
// show a Progbar (train/progbar.hpp). docs/progress.md.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>

#include "minidl/train/callback.hpp"
#include "minidl/train/progbar.hpp"

namespace minidl {

struct ProgressLoggerOptions {
    /// 0 silent, 1 a bar per epoch (redrawn at each batch on a terminal, else its final line
    /// only), 2 one line per epoch.
    int verbose = 1;
    /// fit's epochs, for "Epoch 3/10" (printed only when epochs > 1, as Keras).
    int64_t epochs = 1;
    /// Batches per epoch (or in the evaluate/predict pass); 0 = unknown.
    int64_t steps = 0;
    /// Where the bar goes; null = std::cout.
    std::ostream* output = nullptr;
    /// Redraw in place; nullopt = is_terminal(output).
    std::optional<bool> interactive = std::nullopt;
    /// The Progbar's clock; empty = steady clock.
    ProgbarClock clock = {};
};

/// One bar per training epoch (the batch logs while it runs, the epoch logs with the val_ values
/// at its end, without "lr"), one for evaluate (on_test_*) and one for predict (on_predict_*).
/// The validation pass inside fit is silent, as in Keras.
class ProgressLogger : public Callback {
  public:
    /// Throws ValueError for verbose outside 0..2 or negative epochs/steps.
    explicit ProgressLogger(ProgressLoggerOptions options = {});

    void on_train_begin(Logs& logs) override;
    void on_train_end(Logs& logs) override;
    void on_epoch_begin(int64_t epoch, Logs& logs) override;
    void on_epoch_end(int64_t epoch, Logs& logs) override;
    void on_train_batch_end(int64_t batch, Logs& logs) override;
    void on_test_begin(Logs& logs) override;
    void on_test_end(Logs& logs) override;
    void on_test_batch_end(int64_t batch, Logs& logs) override;
    void on_predict_begin(Logs& logs) override;
    void on_predict_end(Logs& logs) override;
    void on_predict_batch_end(int64_t batch, Logs& logs) override;

  private:
    void start_bar();
    void update_bar(int64_t batch, const Logs& logs);
    void finish_bar(const Logs& logs);

    ProgressLoggerOptions options_;
    std::ostream* out_;
    bool interactive_;
    std::unique_ptr<Progbar> progbar_;
    int64_t seen_ = 0;
    bool in_fit_ = false;
};

}  // namespace minidl
