// CallbackList: runs one hook on every callback in order (keras.callbacks.CallbackList).
// Internal to the training loops.
#pragma once

#include <cstdint>
#include <vector>

#include "minidl/train/callback.hpp"

namespace minidl::detail {

class CallbackList {
  public:
    /// `callbacks`, then `progress` (may be null): Keras appends its ProgbarLogger after the
    /// user's callbacks, so their epoch-end messages print before the epoch's final bar.
    CallbackList(Callback* progress, const std::vector<CallbackRef>& callbacks, Model& model) {
        for (const CallbackRef& callback : callbacks) {
            callback->set_model(model);
            all_.push_back(callback.get().get());
            user_.push_back(callback.get().get());
        }
        if (progress != nullptr) {
            progress->set_model(model);
            all_.push_back(progress);
        }
    }

    /// Calls `hook` with `args` on every callback, in order.
    template <class Hook, class... Args>
    void run(Hook hook, Args&&... args) const {
        for (Callback* callback : all_) (callback->*hook)(args...);
    }
    /// The callbacks without the progress logger (fit's validation runs their test hooks).
    const std::vector<Callback*>& user_callbacks() const { return user_; }
    const std::vector<Callback*>& all() const { return all_; }

  private:
    std::vector<Callback*> all_;
    std::vector<Callback*> user_;
};

}  // namespace minidl::detail
