#include "minidl/train/progress_logger.hpp"

#include <iostream>

#include "minidl/core/error.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl {
namespace {

void require_non_negative(int64_t value, const char* argument) {
    if (value < 0) {
        throw ValueError(std::string("ProgressLogger: '") + argument + "' must be >= 0, got " +
                         std::to_string(value));
    }
}

}  // namespace

ProgressLogger::ProgressLogger(ProgressLoggerOptions options)
    : options_(std::move(options)), out_(options_.output ? options_.output : &std::cout) {
    if (options_.verbose < 0 || options_.verbose > 2) {
        throw ValueError("ProgressLogger: 'verbose' must be 0, 1 or 2, got " +
                         std::to_string(options_.verbose));
    }
    require_non_negative(options_.epochs, "epochs");
    require_non_negative(options_.steps, "steps");
    interactive_ = options_.interactive.value_or(is_terminal(*out_));
}

void ProgressLogger::on_train_begin(Logs& logs) {
    (void)logs;
    in_fit_ = true;
}

void ProgressLogger::on_train_end(Logs& logs) {
    (void)logs;
    in_fit_ = false;
}

void ProgressLogger::on_epoch_begin(int64_t epoch, Logs& logs) {
    (void)logs;
    start_bar();
    if (options_.verbose > 0 && options_.epochs > 1) {
        *out_ << "Epoch " << epoch + 1 << '/' << options_.epochs << '\n' << std::flush;
    }
}

void ProgressLogger::on_epoch_end(int64_t epoch, Logs& logs) {
    (void)epoch;
    finish_bar(logs);
}

void ProgressLogger::on_train_batch_end(int64_t batch, Logs& logs) { update_bar(batch, logs); }

void ProgressLogger::on_test_begin(Logs& logs) {
    (void)logs;
    if (!in_fit_) start_bar();
}

void ProgressLogger::on_test_end(Logs& logs) {
    if (!in_fit_) finish_bar(logs);
}

void ProgressLogger::on_test_batch_end(int64_t batch, Logs& logs) {
    if (!in_fit_) update_bar(batch, logs);
}

void ProgressLogger::on_predict_begin(Logs& logs) {
    (void)logs;
    start_bar();
}

void ProgressLogger::on_predict_end(Logs& logs) { finish_bar(logs); }

void ProgressLogger::on_predict_batch_end(int64_t batch, Logs& logs) {
    (void)logs;  // the batch's outputs are not shown
    update_bar(batch, {});
}

void ProgressLogger::start_bar() {
    seen_ = 0;
    if (options_.verbose == 0) return;
    ProgbarOptions bar;
    if (options_.steps > 0) bar.target = options_.steps;
    bar.verbose = options_.verbose;
    progbar_ = std::make_unique<Progbar>(std::move(bar), *out_, interactive_, options_.clock);
}

void ProgressLogger::update_bar(int64_t batch, const Logs& logs) {
    seen_ = batch + 1;
    // Keras redraws at batches for verbose 1 only; verbose 2 waits for the final line.
    if (!progbar_ || options_.verbose != 1) return;
    // Batch logs already hold the epoch's running values: show them as given.
    progbar_->add_stateful_metrics(train_text::names(logs));
    progbar_->update(seen_, logs, false);
}

void ProgressLogger::finish_bar(const Logs& logs) {
    if (!progbar_) return;
    progbar_->update(options_.steps > 0 ? options_.steps : seen_, logs, true);
    progbar_.reset();
}

}  // namespace minidl
