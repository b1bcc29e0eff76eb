#include <cmath>

#include "minidl/layers/model.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/callbacks_internal.hpp"

namespace minidl::callbacks {

void TerminateOnNaN::on_train_batch_end(int64_t batch, Logs& logs) {
    const std::optional<double> loss = logs.get("loss");
    if (!loss || std::isfinite(*loss)) return;
    detail::print_message("Batch " + std::to_string(batch) +
                          ": Invalid loss, terminating training");
    model().stop_training = true;
}

}  // namespace minidl::callbacks
