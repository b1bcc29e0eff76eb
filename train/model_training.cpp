// Model's training API: compile, fit, evaluate, predict and the *_on_batch steps, as
// keras.Model's train_step/test_step loops (docs/training.md).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/generator.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/train/batching.hpp"
#include "minidl/train/callback_list.hpp"
#include "minidl/train/metrics.hpp"
#include "minidl/train/progress_logger.hpp"

namespace minidl {

struct Model::Compiled {
    struct NamedMetric {
        std::string name;
        std::shared_ptr<metrics::PredictionMetric> metric;
    };
    std::shared_ptr<optim::Optimizer> optimizer;
    std::shared_ptr<losses::Loss> loss;
    std::vector<MetricArg> requested;
    std::vector<NamedMetric> metrics;  // resolved from `requested` at the first batch
    bool metrics_resolved = false;
    metrics::Mean loss_tracker{"loss"};
    std::size_t optimizer_weights = 0;  // how many of weights() the optimizer was given
};

namespace {

// Keras's compile("accuracy"): the accuracy that fits the shapes of the targets and outputs
// (compile_utils.MetricsContainer._get_metric_object).
std::shared_ptr<metrics::PredictionMetric> accuracy_for(const std::string& name,
                                                        const Tensor& y_true,
                                                        const Tensor& y_pred) {
    const int64_t pred_last = y_pred.rank() > 0 ? y_pred.shape().back() : 1;
    const int64_t true_last = y_true.rank() > 0 ? y_true.shape().back() : 1;
    const bool binary = pred_last == 1;
    const bool sparse = y_true.rank() < y_pred.rank() || (true_last == 1 && pred_last > 1);
    if (binary)
        return std::make_shared<metrics::BinaryAccuracy>(
            metrics::BinaryAccuracyOptions{.name = name});
    if (sparse) {
        return std::make_shared<metrics::SparseCategoricalAccuracy>(
            metrics::SparseCategoricalAccuracyOptions{.name = name});
    }
    return std::make_shared<metrics::CategoricalAccuracy>(
        metrics::CategoricalAccuracyOptions{.name = name});
}

/// The logs' key of compile's metric `name`: Keras logs a metric named by its function or alias
/// ("mae", "mean_absolute_error") under that string, and one named by its class
/// ("MeanAbsoluteError") under the metric object's own name ("mean_absolute_error").
std::string metric_key(const std::string& name, const metrics::PredictionMetric& metric) {
    const bool class_name =
        std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::isupper(c); });
    return class_name ? metric.name() : name;
}

}  // namespace

void Model::compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics) {
    if (!optimizer.get()) throw ValueError(name() + ": compile needs an optimizer");
    if (!loss.get()) throw ValueError(name() + ": compile needs a loss");
    auto compiled = std::make_shared<Compiled>();
    compiled->optimizer = optimizer.get();
    compiled->loss = loss.get();
    compiled->requested = std::move(metrics);
    compiled_ = std::move(compiled);
}

Model::Compiled& Model::compilation() const {
    if (!compiled_) throw ValueError(name() + ": the model is not compiled: call compile() first");
    return *compiled_;
}

optim::Optimizer& Model::optimizer() const { return *compilation().optimizer; }

const losses::Loss& Model::loss() const { return *compilation().loss; }

const std::vector<MetricArg>& Model::compiled_metric_args() const {
    return compilation().requested;
}

void Model::give_new_weights_to_optimizer() {
    Compiled& c = compilation();
    const std::vector<Parameter> all = weights();
    if (all.size() == c.optimizer_weights) return;
    const std::vector<Parameter>& known = c.optimizer->parameters();
    std::vector<Parameter> fresh;
    for (const Parameter& weight : all) {
        const bool present = std::any_of(known.begin(), known.end(), [&](const Parameter& p) {
            return p.impl() == weight.impl();
        });
        if (!present) fresh.push_back(weight);
    }
    c.optimizer->add_parameters(fresh);
    c.optimizer_weights = all.size();
}

std::vector<std::string> Model::metrics_names() const {
    std::vector<std::string> names{"loss"};
    for (const auto& metric : compilation().metrics) names.push_back(metric.name);
    return names;
}

void Model::reset_metrics() {
    Compiled& c = compilation();
    c.loss_tracker.reset_state();
    for (const auto& metric : c.metrics) metric.metric->reset_state();
}

Logs Model::current_logs() const {
    const Compiled& c = compilation();
    Logs logs;
    logs.set("loss", c.loss_tracker.result());
    for (const auto& metric : c.metrics) logs.set(metric.name, metric.metric->result());
    return logs;
}

namespace {

// The objective Keras minimises and reports: the loss plus every penalty in model.losses.
Tensor total_loss(const losses::Loss& loss, const Layer& model, const Tensor& y,
                  const Tensor& y_pred, const Tensor& sample_weight) {
    Tensor total = loss(y, y_pred, sample_weight);
    for (const Tensor& penalty : model.losses()) total = total + penalty;
    return total;
}

}  // namespace

void Model::update_metrics(const Tensor& y, const Tensor& y_pred, const Tensor& total,
                           int64_t batch_size) {
    Compiled& c = compilation();
    NoGradGuard no_grad;
    if (!c.metrics_resolved) {
        for (const MetricArg& arg : c.requested) {
            if (arg.metric()) {
                c.metrics.push_back({arg.metric()->name(), arg.metric()});
            } else if (lowercase(arg.name()) == "accuracy" || lowercase(arg.name()) == "acc") {
                c.metrics.push_back({arg.name(), accuracy_for(arg.name(), y, y_pred)});
            } else {
                std::shared_ptr<metrics::PredictionMetric> metric = metrics::get(arg.name());
                c.metrics.push_back({metric_key(arg.name(), *metric), std::move(metric)});
            }
        }
        c.metrics_resolved = true;
    }
    // Keras weighs each batch's loss by its size; metrics ignore sample weights (those are for
    // weighted_metrics).
    c.loss_tracker.update_state(total.detach(), full({}, static_cast<float>(batch_size)));
    const Tensor prediction = y_pred.detach();
    for (const auto& metric : c.metrics) metric.metric->update_state(y, prediction);
}

Logs Model::train_step(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
    Compiled& c = compilation();
    const Tensor y_pred = (*this)(x, true);
    give_new_weights_to_optimizer();
    const Tensor total = total_loss(*c.loss, *this, y, y_pred, sample_weight);
    c.optimizer->zero_grad();
    total.backward();
    c.optimizer->step();
    update_metrics(y, y_pred, total, x.size(0));
    return current_logs();
}

Logs Model::test_step(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
    Compiled& c = compilation();
    NoGradGuard no_grad;
    const Tensor y_pred = (*this)(x, false);
    update_metrics(y, y_pred, total_loss(*c.loss, *this, y, y_pred, sample_weight), x.size(0));
    return current_logs();
}

namespace {

// x, y and sample_weight of one batch have the same number of samples.
void check_batch(const std::string& where, const Tensor& x, const Tensor& y,
                 const Tensor& sample_weight) {
    const int64_t samples = detail::sample_count(x, where + "x");
    if (samples == 0) throw ValueError(where + "x has no samples");
    if (!y.defined()) throw ValueError(where + "y is undefined");
    detail::require_samples(y, samples, where + "y", "x");
    detail::require_samples(sample_weight, samples, where + "sample_weight", "x");
}

}  // namespace

Logs Model::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
    check_batch(name() + ": train_on_batch: ", x, y, sample_weight);
    reset_metrics();
    return train_step(x, y, sample_weight);
}

Logs Model::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
    check_batch(name() + ": test_on_batch: ", x, y, sample_weight);
    reset_metrics();
    return test_step(x, y, sample_weight);
}

Tensor Model::predict_on_batch(const Tensor& x) {
    NoGradGuard no_grad;
    return (*this)(x, false);
}

namespace {

int64_t steps_for(int64_t samples, int64_t batch_size) {
    return (samples + batch_size - 1) / batch_size;
}

void require_positive_batch(int64_t batch_size, const std::string& where) {
    if (batch_size < 1) {
        throw ValueError(where + "batch_size must be a positive integer, got " +
                         std::to_string(batch_size));
    }
}

std::vector<int64_t> range_rows(int64_t begin, int64_t end) {
    std::vector<int64_t> rows;
    for (int64_t i = begin; i < end; ++i) rows.push_back(i);
    return rows;
}

// The training and validation parts of fit's data: validation_data, else the last
// validation_split of the samples, taken before any shuffling as Keras does.
struct FitData {
    Tensor x, y, sample_weight;
    ValidationData validation;
};

FitData split_fit_data(const Tensor& x, const Tensor& y, const Tensor& weights,
                       const FitOptions& options, const std::string& where) {
    const int64_t samples = x.size(0);
    if (options.validation_data.x.defined()) {
        const ValidationData& val = options.validation_data;
        const int64_t val_samples = detail::sample_count(val.x, where + "validation_data.x");
        if (!val.y.defined()) throw ValueError(where + "validation_data.y is undefined");
        detail::require_samples(val.y, val_samples, where + "validation_data.y",
                                "validation_data.x");
        detail::require_samples(val.sample_weight, val_samples,
                                where + "validation_data.sample_weight", "validation_data.x");
        return {x, y, weights, val};
    }
    if (options.validation_split == 0.0) return {x, y, weights, {}};
    const auto split_at = static_cast<int64_t>(
        std::floor(static_cast<double>(samples) * (1.0 - options.validation_split)));
    if (split_at == 0 || split_at == samples) {
        throw ValueError(where + "validation_split=" + format_number(options.validation_split) +
                         " of " + std::to_string(samples) +
                         " samples leaves no training or no validation sample");
    }
    const std::vector<int64_t> train = range_rows(0, split_at);
    const std::vector<int64_t> held_out = range_rows(split_at, samples);
    // Class weights only weigh training samples: validation keeps the given sample weights.
    return {detail::take_rows(x, train),
            detail::take_rows(y, train),
            detail::take_rows(weights, train),
            {detail::take_rows(x, held_out), detail::take_rows(y, held_out),
             detail::take_rows(options.sample_weight, held_out)}};
}

void check_fit_options(const FitOptions& options, const std::string& where) {
    require_positive_batch(options.batch_size, where);
    if (options.epochs < 0)
        throw ValueError(where + "epochs must be >= 0, got " + std::to_string(options.epochs));
    if (options.initial_epoch < 0) {
        throw ValueError(where + "initial_epoch must be >= 0, got " +
                         std::to_string(options.initial_epoch));
    }
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError(where + "validation_split must be in [0, 1), got " +
                         format_number(options.validation_split));
    }
}

}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
    compilation();
    const std::string where = name() + ": fit: ";
    check_fit_options(options, where);
    check_batch(where, x, y, options.sample_weight);
    const Tensor weights = detail::combine_weights(
        options.sample_weight, detail::class_sample_weights(y, options.class_weight));
    const FitData data = split_fit_data(x, y, weights, options, where);

    const int64_t train_samples = data.x.size(0);
    const int64_t steps = steps_for(train_samples, options.batch_size);
    ProgressLogger progress({.verbose = options.verbose,
                             .epochs = options.epochs,
                             .steps = steps,
                             .output = options.output});
    const detail::CallbackList callbacks(options.verbose > 0 ? &progress : nullptr,
                                         options.callbacks, *this);
    stop_training = false;
    history_.truncate_from(options.initial_epoch);
    History history;
    Logs train_logs;
    callbacks.run(&Callback::on_train_begin, train_logs);
    for (int64_t epoch = options.initial_epoch; epoch < options.epochs; ++epoch) {
        reset_metrics();
        Logs epoch_logs;
        callbacks.run(&Callback::on_epoch_begin, epoch, epoch_logs);
        const std::vector<int64_t> order =
            detail::sample_order(train_samples, options.shuffle, default_generator());
        for (int64_t step = 0; step < steps; ++step) {
            const std::vector<int64_t> rows =
                detail::batch_rows(order, step * options.batch_size,
                                   std::min(train_samples, (step + 1) * options.batch_size));
            Logs batch_logs;
            callbacks.run(&Callback::on_train_batch_begin, step, batch_logs);
            batch_logs =
                train_step(detail::take_rows(data.x, rows), detail::take_rows(data.y, rows),
                           detail::take_rows(data.sample_weight, rows));
            callbacks.run(&Callback::on_train_batch_end, step, batch_logs);
            if (stop_training) break;
        }
        epoch_logs = current_logs();
        if (data.validation.x.defined()) {
            const Logs val_logs =
                run_test(data.validation.x, data.validation.y, data.validation.sample_weight,
                         options.batch_size, callbacks.user_callbacks());
            for (const auto& [key, value] : val_logs) epoch_logs.set("val_" + key, value);
        }
        // The epoch's rate, before a callback such as ReduceLROnPlateau changes it. Keras's
        // callbacks see "lr" only when a callback logs it; the History always has it.
        const double learning_rate = optimizer().learning_rate();
        const auto with_rate = [learning_rate](Logs logs) {
            if (!logs.contains("lr")) logs.set("lr", learning_rate);
            return logs;
        };
        history_.record(epoch, with_rate(epoch_logs));
        callbacks.run(&Callback::on_epoch_end, epoch, epoch_logs);
        train_logs = epoch_logs;
        history_.record(epoch, with_rate(epoch_logs));
        history.record(epoch, with_rate(epoch_logs));
        if (stop_training) break;
    }
    callbacks.run(&Callback::on_train_end, train_logs);
    return history;
}

Logs Model::run_test(const Tensor& x, const Tensor& y, const Tensor& sample_weight,
                     int64_t batch_size, const std::vector<Callback*>& callbacks) {
    const int64_t samples = x.size(0);
    reset_metrics();
    Logs logs;
    for (Callback* callback : callbacks) callback->on_test_begin(logs);
    for (int64_t step = 0; step < steps_for(samples, batch_size); ++step) {
        const std::vector<int64_t> rows =
            range_rows(step * batch_size, std::min(samples, (step + 1) * batch_size));
        Logs batch_logs;
        for (Callback* callback : callbacks) callback->on_test_batch_begin(step, batch_logs);
        batch_logs = test_step(detail::take_rows(x, rows), detail::take_rows(y, rows),
                               detail::take_rows(sample_weight, rows));
        for (Callback* callback : callbacks) callback->on_test_batch_end(step, batch_logs);
    }
    logs = current_logs();
    for (Callback* callback : callbacks) callback->on_test_end(logs);
    return logs;
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
    compilation();
    const std::string where = name() + ": evaluate: ";
    require_positive_batch(options.batch_size, where);
    check_batch(where, x, y, options.sample_weight);
    const int64_t samples = x.size(0);
    ProgressLogger progress({.verbose = options.verbose,
                             .epochs = 1,
                             .steps = steps_for(samples, options.batch_size),
                             .output = options.output});
    const detail::CallbackList callbacks(options.verbose > 0 ? &progress : nullptr,
                                         options.callbacks, *this);
    return run_test(x, y, options.sample_weight, options.batch_size, callbacks.all());
}

Tensor Model::predict(const Tensor& x, const PredictOptions& options) {
    const std::string where = name() + ": predict: ";
    require_positive_batch(options.batch_size, where);
    const int64_t samples = detail::sample_count(x, where + "x");
    const int64_t steps = steps_for(samples, options.batch_size);
    ProgressLogger progress(
        {.verbose = options.verbose, .epochs = 1, .steps = steps, .output = options.output});
    const detail::CallbackList callbacks(options.verbose > 0 ? &progress : nullptr,
                                         options.callbacks, *this);
    NoGradGuard no_grad;
    std::vector<Tensor> outputs;
    Logs logs;
    callbacks.run(&Callback::on_predict_begin, logs);
    for (int64_t step = 0; step < steps; ++step) {
        Logs batch_logs;
        callbacks.run(&Callback::on_predict_batch_begin, step, batch_logs);
        outputs.push_back((*this)(
            detail::take_rows(x, range_rows(step * options.batch_size,
                                            std::min(samples, (step + 1) * options.batch_size))),
            false));
        callbacks.run(&Callback::on_predict_batch_end, step, batch_logs);
    }
    callbacks.run(&Callback::on_predict_end, logs);
    return outputs.size() == 1 ? outputs.front() : concat(outputs, 0);
}

}  // namespace minidl
