// A compiled model's optimizer, loss and metrics as tf.keras 2.x's "training_config"
// (keras/saving/legacy/saving_utils.py model_metadata). docs/formats.md, "Compile config".
#include "minidl/serialization/compile_config.hpp"

#include "minidl/serialization/compile_config_internal.hpp"

namespace minidl::serialization {

namespace {

// "metrics": a list of names and metric objects. tf.keras 2.x nests the list once per output
// ([[...]] for a model of one output), which is read as the inner list.
std::vector<MetricArg> read_metrics(const JsonNode& node) {
    if (!node.value().is_array()) {
        node.fail(
            "metrics must be a list (metrics per named output are not supported: minidl "
            "models have one output)");
    }
    if (node.size() == 1 && node.at(std::size_t{0}).value().is_array())
        return read_metrics(node.at(std::size_t{0}));
    std::vector<MetricArg> metrics;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const JsonNode metric = node.at(i);
        if (metric.value().is_array())
            metric.fail(
                "a list of metrics per output is not supported: minidl models have one "
                "output");
        metrics.push_back(detail::metric_from_config(metric));
    }
    return metrics;
}

}  // namespace

Json compile_config(const Model& model) {
    if (!model.compiled())
        throw ValueError(model.name() + ": compile_config: the model is not compiled");
    Json metrics = Json::array();
    for (const MetricArg& metric : model.compiled_metric_args())
        metrics.push_back(detail::metric_config(metric));
    Json config = Json::object();
    config["loss"] = loss_config(model.loss());
    config["metrics"] = std::move(metrics);
    config["weighted_metrics"] = nullptr;
    config["loss_weights"] = nullptr;
    config["optimizer_config"] = optimizer_config(model.optimizer());
    return config;
}

void compile_from_config(Model& model, const JsonNode& node) {
    detail::ObjectReader reader(node, "compile config");
    std::unique_ptr<losses::Loss> loss = loss_from_config(reader.require("loss"));
    std::vector<MetricArg> metrics;
    if (const std::optional<JsonNode> list = reader.find("metrics")) metrics = read_metrics(*list);
    if (const std::optional<JsonNode> weighted = reader.find("weighted_metrics")) {
        if (!weighted->value().is_array() || weighted->size() != 0)
            weighted->fail(
                "weighted_metrics are not supported (minidl's metrics ignore sample "
                "weights)");
    }
    reader.require_null("loss_weights", "minidl models have one output and one loss");
    // tf.keras <= 2.4 wrote this key (null unless temporal sample weights were asked for).
    reader.require_null("sample_weight_mode", "minidl's sample weights need no mode");
    std::unique_ptr<optim::Optimizer> optimizer =
        optimizer_from_config(reader.require("optimizer_config"));
    reader.finish();
    // Everything is read and checked: compiling cannot fail now.
    model.compile(std::shared_ptr<optim::Optimizer>(std::move(optimizer)),
                  std::shared_ptr<losses::Loss>(std::move(loss)), std::move(metrics));
}

}  // namespace minidl::serialization
