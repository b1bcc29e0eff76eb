// What Model::compile accepts for the optimizer, the loss and each metric: an object, a shared
// object, or a Keras name ("adam", "mse", "accuracy"), as keras.Model.compile does.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "minidl/optim/optimizer.hpp"
#include "minidl/train/losses.hpp"
#include "minidl/train/metric.hpp"

namespace minidl {

/// An optimizer: a Keras name (optim::get), an optimizer by value (moved in) or shared.
class OptimizerArg {
  public:
    OptimizerArg(const char* name);         // NOLINT(google-explicit-constructor)
    OptimizerArg(const std::string& name);  // NOLINT(google-explicit-constructor)
    OptimizerArg(std::shared_ptr<optim::Optimizer> optimizer)  // NOLINT
        : optimizer_(std::move(optimizer)) {}
    template <class O>
    requires std::derived_from<std::remove_cvref_t<O>, optim::Optimizer> OptimizerArg(
        O&& optimizer)  // NOLINT(google-explicit-constructor)
        : optimizer_(std::make_shared<std::remove_cvref_t<O>>(std::move(optimizer))) {}

    const std::shared_ptr<optim::Optimizer>& get() const { return optimizer_; }

  private:
    std::shared_ptr<optim::Optimizer> optimizer_;
};

/// A loss: a Keras name (losses::get), a loss object (copied) or shared.
class LossArg {
  public:
    LossArg(const char* name);         // NOLINT(google-explicit-constructor)
    LossArg(const std::string& name);  // NOLINT(google-explicit-constructor)
    LossArg(const losses::Loss& loss) : loss_(loss.clone()) {}               // NOLINT
    LossArg(std::shared_ptr<losses::Loss> loss) : loss_(std::move(loss)) {}  // NOLINT

    const std::shared_ptr<losses::Loss>& get() const { return loss_; }

  private:
    std::shared_ptr<losses::Loss> loss_;
};

/// A metric: a Keras name (metrics::get; "accuracy"/"acc" is resolved by compile from the
/// shapes of the first batch, as Keras does), a metric object (copied) or shared.
class MetricArg {
  public:
    MetricArg(const char* name) : name_(name) {}                  // NOLINT
    MetricArg(std::string name) : name_(std::move(name)) {}       // NOLINT
    MetricArg(const metrics::PredictionMetric& metric);           // NOLINT
    MetricArg(std::shared_ptr<metrics::PredictionMetric> metric)  // NOLINT
        : metric_(std::move(metric)) {}

    /// The name given, empty for an object.
    const std::string& name() const { return name_; }
    /// The object given, null for a name.
    const std::shared_ptr<metrics::PredictionMetric>& metric() const { return metric_; }

  private:
    std::string name_;
    std::shared_ptr<metrics::PredictionMetric> metric_;
};

}  // namespace minidl
