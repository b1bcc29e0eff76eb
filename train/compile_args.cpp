#include "minidl/train/compile_args.hpp"

#include "minidl/core/error.hpp"
#include "minidl/optim/get.hpp"

namespace minidl {

OptimizerArg::OptimizerArg(const char* name) : OptimizerArg(std::string(name)) {}
OptimizerArg::OptimizerArg(const std::string& name) : optimizer_(optim::get(name)) {}

LossArg::LossArg(const char* name) : LossArg(std::string(name)) {}
LossArg::LossArg(const std::string& name) : loss_(losses::get(name)) {}

MetricArg::MetricArg(const metrics::PredictionMetric& metric) {
    std::unique_ptr<metrics::Metric> copy = metric.clone();
    // clone() keeps the dynamic type, so the copy is a PredictionMetric too.
    metric_.reset(static_cast<metrics::PredictionMetric*>(copy.release()));
}

}  // namespace minidl
