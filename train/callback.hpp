// Callback: Keras's hooks into fit, evaluate and predict (keras.callbacks.Callback). The
// concrete callbacks are in train/callbacks.hpp.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "minidl/train/logs.hpp"

namespace minidl {

class Model;

/// Override the hooks you need; every default does nothing. Epoch and batch indices are 0-based
/// as in Keras. Batch logs hold the running values of the epoch so far (loss, metrics); epoch
/// logs add the val_ values and "lr". A hook may add entries to `logs` (later callbacks and
/// the History see them) or set model().stop_training.
class Callback {
  public:
    virtual ~Callback() = default;

    /// Called by fit/evaluate/predict before any hook.
    void set_model(Model& model) { model_ = &model; }
    /// The model being trained; throws ValueError before set_model.
    Model& model() const;

    virtual void on_train_begin(Logs& logs) { (void)logs; }
    virtual void on_train_end(Logs& logs) { (void)logs; }
    virtual void on_epoch_begin(int64_t epoch, Logs& logs) { (void)epoch, (void)logs; }
    virtual void on_epoch_end(int64_t epoch, Logs& logs) { (void)epoch, (void)logs; }
    virtual void on_train_batch_begin(int64_t batch, Logs& logs) { (void)batch, (void)logs; }
    virtual void on_train_batch_end(int64_t batch, Logs& logs) { (void)batch, (void)logs; }
    virtual void on_test_begin(Logs& logs) { (void)logs; }
    virtual void on_test_end(Logs& logs) { (void)logs; }
    virtual void on_test_batch_begin(int64_t batch, Logs& logs) { (void)batch, (void)logs; }
    virtual void on_test_batch_end(int64_t batch, Logs& logs) { (void)batch, (void)logs; }
    virtual void on_predict_begin(Logs& logs) { (void)logs; }
    virtual void on_predict_end(Logs& logs) { (void)logs; }
    virtual void on_predict_batch_begin(int64_t batch, Logs& logs) { (void)batch, (void)logs; }
    virtual void on_predict_batch_end(int64_t batch, Logs& logs) { (void)batch, (void)logs; }

  private:
    Model* model_ = nullptr;
};

/// An entry of a callbacks list: a callback given by value (the list keeps it) or by
/// shared_ptr (the caller keeps access to its state, e.g. EarlyStopping's stopped_epoch).
class CallbackRef {
  public:
    template <class C>
    requires std::derived_from<C, Callback> CallbackRef(
        std::shared_ptr<C> callback)  // NOLINT(google-explicit-constructor)
        : callback_(std::move(callback)) {}
    template <class C>
    requires std::derived_from<std::remove_cvref_t<C>, Callback> CallbackRef(
        C&& callback)  // NOLINT(google-explicit-constructor)
        : callback_(std::make_shared<std::remove_cvref_t<C>>(std::forward<C>(callback))) {}

    Callback& operator*() const { return *callback_; }
    Callback* operator->() const { return callback_.get(); }
    const std::shared_ptr<Callback>& get() const { return callback_; }

  private:
    std::shared_ptr<Callback> callback_;
};

}  // namespace minidl
