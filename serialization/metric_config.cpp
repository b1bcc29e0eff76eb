// compile()'s metrics as tf.keras 2.x configures them (keras/metrics: Metric.get_config gives
// "name" and "dtype", each metric appends its options). docs/formats.md, "Compile config".
#include <functional>
#include <map>

#include "minidl/serialization/compile_config_internal.hpp"
#include "minidl/train/metrics.hpp"

namespace minidl::serialization::detail {

namespace {

Json optional_json(const auto& value) { return value ? Json(*value) : Json(nullptr); }

const char* curve_name(metrics::AUCCurve curve) {
    return curve == metrics::AUCCurve::PR ? "PR" : "ROC";
}

const char* summation_name(metrics::AUCSummationMethod method) {
    switch (method) {
        case metrics::AUCSummationMethod::Minoring:
            return "minoring";
        case metrics::AUCSummationMethod::Majoring:
            return "majoring";
        case metrics::AUCSummationMethod::Interpolation:
            break;
    }
    return "interpolation";
}

// Precision's and Recall's options: Keras's single threshold, top_k and class_id.
template <class Options>
void read_threshold_options(ObjectReader& reader, Options& options) {
    if (const std::optional<JsonNode> thresholds = reader.find("thresholds")) {
        if (thresholds->value().is_array())
            thresholds->fail("a list of thresholds is not supported (one threshold or null)");
        options.thresholds = thresholds->as_number();
    }
    options.top_k = reader.optional_integer("top_k");
    options.class_id = reader.optional_integer("class_id");
}

void read_auc_options(ObjectReader& reader, metrics::AUCOptions& options) {
    options.num_thresholds = reader.integer("num_thresholds", options.num_thresholds);
    if (const std::optional<JsonNode> curve = reader.find("curve")) {
        const std::string name = lowercase(curve->as_string());
        if (name == "roc") {
            options.curve = metrics::AUCCurve::ROC;
        } else if (name == "pr") {
            options.curve = metrics::AUCCurve::PR;
        } else {
            curve->fail("unknown AUC curve '" + curve->as_string() + "' (expected ROC or PR)");
        }
    }
    if (const std::optional<JsonNode> method = reader.find("summation_method")) {
        const std::string name = lowercase(method->as_string());
        if (name == "interpolation") {
            options.summation_method = metrics::AUCSummationMethod::Interpolation;
        } else if (name == "minoring") {
            options.summation_method = metrics::AUCSummationMethod::Minoring;
        } else if (name == "majoring") {
            options.summation_method = metrics::AUCSummationMethod::Majoring;
        } else {
            method->fail("unknown AUC summation_method '" + method->as_string() +
                         "' (expected interpolation, minoring or majoring)");
        }
    }
    if (reader.boolean("multi_label", false))
        reader.require("multi_label").fail("multi_label AUC is not supported");
    reader.require_null("num_labels", "minidl's AUC has no multi-label mode");
    reader.require_null("label_weights", "minidl's AUC has no label weights");
    reader.require_null("thresholds", "minidl's AUC takes num_thresholds only");
    options.from_logits = reader.boolean("from_logits", options.from_logits);
}

// Reads the config of metric class M: "name" (null: the class's default), "dtype" (float32),
// then `read_own` reads the options; checks that no key is left.
template <class M, class Options, class ReadOwn>
std::shared_ptr<metrics::PredictionMetric> read_metric(ObjectReader& reader, ReadOwn&& read_own) {
    Options options;
    options.name = reader.string("name", options.name);
    if (const std::optional<JsonNode> dtype = reader.find("dtype");
        dtype && dtype->as_string() != "float32")
        dtype->fail("minidl's metrics are float32, got dtype \"" + dtype->as_string() + "\"");
    read_own(options);
    reader.finish();
    return rethrow_at(reader.node(), [&] { return std::make_shared<M>(options); });
}

using Reader = std::function<std::shared_ptr<metrics::PredictionMetric>(ObjectReader&)>;

template <class M, class Options>
Reader plain() {
    return [](ObjectReader& reader) { return read_metric<M, Options>(reader, [](Options&) {}); };
}

const std::map<std::string, Reader>& metric_readers() {
    using namespace metrics;
    static const std::map<std::string, Reader> readers = {
        {"Accuracy", plain<Accuracy, AccuracyOptions>()},
        {"BinaryAccuracy",
         [](ObjectReader& reader) {
             return read_metric<BinaryAccuracy, BinaryAccuracyOptions>(
                 reader, [&](BinaryAccuracyOptions& options) {
                     options.threshold = reader.number("threshold", options.threshold);
                 });
         }},
        {"CategoricalAccuracy", plain<CategoricalAccuracy, CategoricalAccuracyOptions>()},
        {"SparseCategoricalAccuracy",
         plain<SparseCategoricalAccuracy, SparseCategoricalAccuracyOptions>()},
        {"TopKCategoricalAccuracy",
         [](ObjectReader& reader) {
             return read_metric<TopKCategoricalAccuracy, TopKCategoricalAccuracyOptions>(
                 reader, [&](TopKCategoricalAccuracyOptions& options) {
                     options.k = reader.integer("k", options.k);
                 });
         }},
        {"MeanSquaredError", plain<MeanSquaredError, MeanSquaredErrorOptions>()},
        {"MeanAbsoluteError", plain<MeanAbsoluteError, MeanAbsoluteErrorOptions>()},
        {"RootMeanSquaredError", plain<RootMeanSquaredError, RootMeanSquaredErrorOptions>()},
        {"Precision",
         [](ObjectReader& reader) {
             return read_metric<Precision, PrecisionOptions>(
                 reader,
                 [&](PrecisionOptions& options) { read_threshold_options(reader, options); });
         }},
        {"Recall",
         [](ObjectReader& reader) {
             return read_metric<Recall, RecallOptions>(
                 reader, [&](RecallOptions& options) { read_threshold_options(reader, options); });
         }},
        {"AUC",
         [](ObjectReader& reader) {
             return read_metric<AUC, AUCOptions>(
                 reader, [&](AUCOptions& options) { read_auc_options(reader, options); });
         }},
    };
    return readers;
}

std::string known_metric_classes() {
    std::string known;
    for (const auto& [name, reader] : metric_readers()) known += (known.empty() ? "" : ", ") + name;
    return known;
}

// The options after "name" and "dtype", in Keras's get_config order; nothing for a metric class
// minidl cannot write.
std::optional<Json> metric_options(const metrics::PredictionMetric& metric) {
    using namespace metrics;
    Json config = Json::object();
    config["name"] = metric.name();
    config["dtype"] = "float32";
    if (const auto* m = exactly<BinaryAccuracy>(metric)) {
        config["threshold"] = m->options().threshold;
    } else if (const auto* m = exactly<TopKCategoricalAccuracy>(metric)) {
        config["k"] = m->options().k;
    } else if (const auto* m = exactly<Precision>(metric)) {
        config["thresholds"] = optional_json(m->options().thresholds);
        config["top_k"] = optional_json(m->options().top_k);
        config["class_id"] = optional_json(m->options().class_id);
    } else if (const auto* m = exactly<Recall>(metric)) {
        config["thresholds"] = optional_json(m->options().thresholds);
        config["top_k"] = optional_json(m->options().top_k);
        config["class_id"] = optional_json(m->options().class_id);
    } else if (const auto* m = exactly<AUC>(metric)) {
        config["num_thresholds"] = m->options().num_thresholds;
        config["curve"] = curve_name(m->options().curve);
        config["summation_method"] = summation_name(m->options().summation_method);
        config["multi_label"] = false;
        config["num_labels"] = nullptr;
        config["label_weights"] = nullptr;
        config["from_logits"] = m->options().from_logits;
    } else if (!exactly<Accuracy>(metric) && !exactly<CategoricalAccuracy>(metric) &&
               !exactly<SparseCategoricalAccuracy>(metric) && !exactly<MeanSquaredError>(metric) &&
               !exactly<MeanAbsoluteError>(metric) && !exactly<RootMeanSquaredError>(metric)) {
        return std::nullopt;
    }
    return config;
}

}  // namespace

Json metric_config(const MetricArg& metric) {
    if (!metric.metric()) return metric.name();
    std::optional<Json> config = metric_options(*metric.metric());
    if (!config) {
        throw ValueError("compile_config: the metric class " + metric.metric()->class_name() +
                         " has no config (minidl writes metric names, and metric objects of the "
                         "classes " +
                         known_metric_classes() + ")");
    }
    return keras_object(metric.metric()->class_name(), std::move(*config));
}

MetricArg metric_from_config(const JsonNode& node) {
    if (node.value().is_string()) {
        // A name as compile() takes it. "accuracy" is resolved from the first batch's shapes;
        // any other name must be one metrics::get knows.
        const std::string name = node.as_string();
        const std::string lower = lowercase(name);  // as compile() recognizes it
        if (lower != "accuracy" && lower != "acc")
            (void)rethrow_at(node, [&] { return metrics::get(name); });
        return MetricArg(name);
    }
    const KerasReference reference = read_reference(node, "metric");
    std::string class_name = reference.class_name;
    std::optional<JsonNode> config = reference.config;
    if (!config) {
        // An object without a config: the class's defaults.
        return MetricArg(
            rethrow_at(reference.class_name_node, [&] { return metrics::get(class_name); }));
    }
    const bool wrapper = class_name == "MeanMetricWrapper";
    if (wrapper) {
        // tf.keras 2.x writes compile()'s resolved metrics so: the function by name ("fn"),
        // e.g. "accuracy" as sparse_categorical_accuracy. It is the class of that function.
        const std::optional<JsonNode> fn = config->find("fn");
        if (!fn) config->fail("MeanMetricWrapper config needs 'fn'");
        const std::shared_ptr<metrics::PredictionMetric> function =
            rethrow_at(*fn, [&] { return metrics::get(fn->as_string()); });
        if (!dynamic_cast<const metrics::MeanMetricWrapper*>(function.get()))
            fn->fail("'" + fn->as_string() + "' is not a mean metric function");
        class_name = function->class_name();
    }
    const auto reader_entry = metric_readers().find(class_name);
    if (reader_entry == metric_readers().end()) {
        reference.class_name_node.fail("unknown metric class '" + class_name + "' (known: " +
                                       known_metric_classes() + ", MeanMetricWrapper)");
    }
    ObjectReader reader(*config, reference.class_name + " config");
    if (wrapper) reader.ignore("fn");
    return MetricArg(reader_entry->second(reader));
}

}  // namespace minidl::serialization::detail
