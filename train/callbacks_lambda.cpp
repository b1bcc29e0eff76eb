#include "minidl/train/callbacks.hpp"

namespace minidl::callbacks {
namespace {

template <class Function, class... Arguments>
void call_if_set(const Function& function, Arguments&&... arguments) {
    if (function) function(std::forward<Arguments>(arguments)...);
}

}  // namespace

void LambdaCallback::on_epoch_begin(int64_t epoch, Logs& logs) {
    call_if_set(options_.on_epoch_begin, epoch, logs);
}

void LambdaCallback::on_epoch_end(int64_t epoch, Logs& logs) {
    call_if_set(options_.on_epoch_end, epoch, logs);
}

void LambdaCallback::on_train_batch_begin(int64_t batch, Logs& logs) {
    call_if_set(options_.on_batch_begin, batch, logs);
}

void LambdaCallback::on_train_batch_end(int64_t batch, Logs& logs) {
    call_if_set(options_.on_batch_end, batch, logs);
}

void LambdaCallback::on_train_begin(Logs& logs) { call_if_set(options_.on_train_begin, logs); }

void LambdaCallback::on_train_end(Logs& logs) { call_if_set(options_.on_train_end, logs); }

}  // namespace minidl::callbacks
