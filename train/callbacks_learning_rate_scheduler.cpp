#include "minidl/core/error.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/callbacks_internal.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks {

LearningRateScheduler::LearningRateScheduler(LearningRateSchedulerOptions options)
    : options_(std::move(options)) {
    if (!options_.schedule) throw ValueError("LearningRateScheduler: 'schedule' is empty");
}

void LearningRateScheduler::on_epoch_begin(int64_t epoch, Logs& logs) {
    (void)logs;
    optim::Optimizer& optimizer = model().optimizer();
    const double rate = options_.schedule(epoch, optimizer.learning_rate());
    optimizer.set_learning_rate(rate);
    if (options_.verbose > 0) {
        detail::print_message("\nEpoch " + std::to_string(epoch + 1) +
                              ": LearningRateScheduler setting learning rate to " +
                              train_text::python_float_repr(rate) + ".");
    }
}

void LearningRateScheduler::on_epoch_end(int64_t epoch, Logs& logs) {
    (void)epoch;
    logs.set("lr", model().optimizer().learning_rate());
}

}  // namespace minidl::callbacks
