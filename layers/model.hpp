// Model: a Layer made of layers, with Keras's training API (compile, fit, evaluate, predict).
// Subclass it and write call() to compose layers freely (residual adds, concatenation), or use
// Sequential (layers/sequential.hpp) for a plain stack. docs/models.md, docs/training.md.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/layers/layer.hpp"
#include "minidl/optim/optimizer.hpp"
#include "minidl/train/compile_args.hpp"
#include "minidl/train/fit_options.hpp"
#include "minidl/train/history.hpp"
#include "minidl/train/logs.hpp"

namespace minidl {

/// A subclass registers its layers with track() in its constructor and composes them in call():
///
///     struct Net : Model {
///         Net() : Model("net") {}
///         std::shared_ptr<layers::Dense> dense = track(layers::Dense({.units = 4}));
///         Tensor call(const Tensor& x, bool training) override { return (*dense)(x, training); }
///     };
///
/// Weights are created by the first call (or build()) and named under the model
/// ("net/dense/kernel"). A Model is a Layer, so models nest.
class Model : public Layer {
  public:
    /// `name` empty = a unique default ("model", "model_1", ...).
    explicit Model(std::string name = {});

    std::string class_name() const override { return "Model"; }
    /// A subclassed model has no config of its own (Keras raises NotImplementedError): throws
    /// ValueError. Override it, with a factory registered by layers::register_layer that reads
    /// it back, to save the model's architecture as JSON (serialization/model_config.hpp).
    Json config() const override;
    /// Runs the model on zeros of `input_shape` without recording a graph.
    Shape compute_output_shape(const Shape& input_shape) const override;

    /// The layers tracked directly, in order, without an InputLayer (Keras's model.layers).
    std::vector<std::shared_ptr<Layer>> layers() const;
    /// The tracked layer named `name`; ValueError listing the names when there is none.
    std::shared_ptr<Layer> get_layer(const std::string& name) const;

    /// Prints Keras's summary table: name (type), output shape, param count per layer, then
    /// the total, trainable and non-trainable counts. Throws ValueError when not built.
    void summary(std::ostream& out) const;
    void summary() const;

    /// Sets the optimizer, the loss and the metrics for fit/evaluate/train_on_batch; Keras
    /// names or objects: compile("adam", "sparse_categorical_crossentropy", {"accuracy"}).
    /// The optimizer receives the model's weights when they exist (at the first batch).
    void compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics = {});
    bool compiled() const { return compiled_ != nullptr; }
    /// The compiled optimizer and loss; ValueError when not compiled.
    optim::Optimizer& optimizer() const;
    const losses::Loss& loss() const;
    /// The metrics exactly as compile() received them (names or objects, in order), for
    /// saving the compile arguments (serialization/compile_config.hpp); ValueError when not
    /// compiled.
    const std::vector<MetricArg>& compiled_metric_args() const;

    /// Trains for options.epochs epochs over mini-batches of (x, y); returns the per-epoch
    /// logs: loss (with the regularization penalties, as Keras), the metrics, their val_
    /// counterparts and the learning rate ("lr").
    History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
    /// Loss and metrics over (x, y) in batches, without training.
    Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
    /// The outputs for x in batches (training=false, no graph), concatenated along the batch.
    Tensor predict(const Tensor& x, const PredictOptions& options = {});
    /// One optimizer step on one batch; the batch's loss and metrics (metrics reset first).
    Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
    /// The loss and metrics of one batch, without training.
    Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
    /// The output for one batch (training=false, no graph).
    Tensor predict_on_batch(const Tensor& x);

    /// Keras's train_step: forward with training=true, loss + the model's losses(), backward,
    /// optimizer step; updates the loss tracker and metrics and returns their running values.
    /// Override it for a custom update rule (fit and train_on_batch call it).
    virtual Logs train_step(const Tensor& x, const Tensor& y, const Tensor& sample_weight);
    /// Keras's test_step: the same without backward and step (training=false, no graph).
    virtual Logs test_step(const Tensor& x, const Tensor& y, const Tensor& sample_weight);
    /// Resets the loss tracker and every compiled metric.
    void reset_metrics();
    /// "loss" then the metrics' names, once the metrics are known (after the first batch).
    std::vector<std::string> metrics_names() const;

    /// Set by a callback to end fit after the current batch (Keras's model.stop_training).
    bool stop_training = false;

    /// The epochs that led to the current weights (Keras's model.history): fit records each
    /// epoch here before its callbacks' on_epoch_end, so a checkpoint written there holds it.
    /// A fit from initial_epoch 0 starts it afresh; one from initial_epoch n keeps the epochs
    /// before n (restored by serialization::load_checkpoint, or from an earlier fit).
    const History& history() const { return history_; }
    void set_history(History history) { history_ = std::move(history); }

    /// Gives the compiled optimizer the model's weights it does not have yet (fit does this at
    /// its first batch), so that its state can be restored before training resumes.
    void give_new_weights_to_optimizer();

  protected:
    /// For subclasses with their own default-name prefix (Sequential: "sequential").
    Model(std::string_view prefix, std::string name);

    /// The output shape of each of layers() for summary(), batch axis first; none where it is
    /// not known from the structure alone (Keras prints "multiple").
    virtual std::vector<std::optional<std::vector<int64_t>>> layer_output_shapes() const;

    /// Sublayers build on the first call.
    void create_weights(const Shape& input_shape) override { (void)input_shape; }

  private:
    struct Compiled;
    Compiled& compilation() const;
    /// The running loss and metric values.
    Logs current_logs() const;
    /// Adds a batch to the loss tracker and the metrics (resolved from compile()'s names at the
    /// first batch, when the shapes are known).
    void update_metrics(const Tensor& y, const Tensor& y_pred, const Tensor& total,
                        int64_t batch_size);
    /// Loss and metrics over (x, y) in batches, with the test hooks of `callbacks`.
    Logs run_test(const Tensor& x, const Tensor& y, const Tensor& sample_weight, int64_t batch_size,
                  const std::vector<Callback*>& callbacks);

    std::shared_ptr<Compiled> compiled_;
    History history_;
};

}  // namespace minidl
