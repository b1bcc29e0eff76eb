// Losses as tf.keras 2.x configures them (keras/losses.py: Loss.get_config gives "reduction" and
// "name", LossFunctionWrapper appends the function's options). docs/formats.md, "Compile config".

#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/compile_config_internal.hpp"

namespace minidl::serialization {

namespace {

using detail::exactly;
using detail::ObjectReader;

// Keras's default reduction is "auto", which compile() and fit() run as "sum_over_batch_size";
// minidl writes its SumOverBatchSize as "auto", so a default loss's config is Keras's.
const char* reduction_name(losses::Reduction reduction) {
    switch (reduction) {
        case losses::Reduction::Sum:
            return "sum";
        case losses::Reduction::None:
            return "none";
        case losses::Reduction::SumOverBatchSize:
            break;
    }
    return "auto";
}

losses::Reduction read_reduction(ObjectReader& reader) {
    const std::optional<JsonNode> node = reader.find("reduction");
    if (!node) return losses::Reduction::SumOverBatchSize;
    const std::string name = node->as_string();
    if (name == "auto" || name == "sum_over_batch_size") return losses::Reduction::SumOverBatchSize;
    if (name == "sum") return losses::Reduction::Sum;
    if (name == "none") return losses::Reduction::None;
    node->fail("unknown reduction '" + name +
               "' (expected \"auto\", \"sum_over_batch_size\", \"sum\" or \"none\")");
}

// Reads "reduction", "name" (null: the class's default) and the "fn" that Keras's v3 saving
// adds, which must name the class's own function; then `read_own` reads the loss's options.
template <class L, class Options, class ReadOwn>
std::unique_ptr<losses::Loss> read_loss(ObjectReader& reader, const std::string& function,
                                        ReadOwn&& read_own) {
    Options options;
    options.reduction = read_reduction(reader);
    options.name = reader.string("name", options.name);
    if (const std::optional<JsonNode> fn = reader.find("fn"); fn && fn->as_string() != function)
        fn->fail("'fn' must be \"" + function + "\" for this loss, got \"" + fn->as_string() +
                 "\"");
    read_own(options);
    reader.finish();
    return detail::rethrow_at(reader.node(), [&] { return std::make_unique<L>(options); });
}

struct NoOptions {
    template <class Options>
    void operator()(Options&) const {}
};

// from_logits, label_smoothing and axis of the binary and categorical crossentropies.
struct CrossentropyOptions {
    ObjectReader& reader;
    template <class Options>
    void operator()(Options& options) const {
        options.from_logits = reader.boolean("from_logits", options.from_logits);
        options.label_smoothing = reader.number("label_smoothing", options.label_smoothing);
        options.axis = reader.integer("axis", options.axis);
    }
};

constexpr const char* kLosses =
    "MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, Huber, LogCosh, "
    "BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence";

std::unique_ptr<losses::Loss> read_loss_class(const std::string& class_name, ObjectReader& reader) {
    using namespace losses;
    if (class_name == "MeanSquaredError")
        return read_loss<MeanSquaredError, MeanSquaredErrorOptions>(reader, "mean_squared_error",
                                                                    NoOptions{});
    if (class_name == "MeanAbsoluteError")
        return read_loss<MeanAbsoluteError, MeanAbsoluteErrorOptions>(reader, "mean_absolute_error",
                                                                      NoOptions{});
    if (class_name == "MeanAbsolutePercentageError")
        return read_loss<MeanAbsolutePercentageError, MeanAbsolutePercentageErrorOptions>(
            reader, "mean_absolute_percentage_error", NoOptions{});
    if (class_name == "Huber") {
        return read_loss<Huber, HuberOptions>(reader, "huber", [&](HuberOptions& options) {
            options.delta = reader.number("delta", options.delta);
        });
    }
    if (class_name == "LogCosh")
        return read_loss<LogCosh, LogCoshOptions>(reader, "log_cosh", NoOptions{});
    if (class_name == "BinaryCrossentropy")
        return read_loss<BinaryCrossentropy, BinaryCrossentropyOptions>(
            reader, "binary_crossentropy", CrossentropyOptions{reader});
    if (class_name == "CategoricalCrossentropy")
        return read_loss<CategoricalCrossentropy, CategoricalCrossentropyOptions>(
            reader, "categorical_crossentropy", CrossentropyOptions{reader});
    if (class_name == "SparseCategoricalCrossentropy") {
        return read_loss<SparseCategoricalCrossentropy, SparseCategoricalCrossentropyOptions>(
            reader, "sparse_categorical_crossentropy",
            [&](SparseCategoricalCrossentropyOptions& options) {
                options.from_logits = reader.boolean("from_logits", options.from_logits);
                reader.require_null("ignore_class", "minidl's loss has no ignored class");
            });
    }
    if (class_name == "KLDivergence")
        return read_loss<KLDivergence, KLDivergenceOptions>(reader, "kl_divergence", NoOptions{});
    return nullptr;
}

}  // namespace

Json loss_config(const losses::Loss& loss) {
    using namespace losses;
    Json config = Json::object();
    config["reduction"] = reduction_name(loss.reduction());
    config["name"] = loss.name();
    if (const auto* l = exactly<Huber>(loss)) {
        config["delta"] = l->options().delta;
    } else if (const auto* l = exactly<BinaryCrossentropy>(loss)) {
        config["from_logits"] = l->options().from_logits;
        config["label_smoothing"] = l->options().label_smoothing;
        config["axis"] = l->options().axis;
    } else if (const auto* l = exactly<CategoricalCrossentropy>(loss)) {
        config["from_logits"] = l->options().from_logits;
        config["label_smoothing"] = l->options().label_smoothing;
        config["axis"] = l->options().axis;
    } else if (const auto* l = exactly<SparseCategoricalCrossentropy>(loss)) {
        config["from_logits"] = l->options().from_logits;
        config["ignore_class"] = nullptr;
    } else if (!exactly<MeanSquaredError>(loss) && !exactly<MeanAbsoluteError>(loss) &&
               !exactly<MeanAbsolutePercentageError>(loss) && !exactly<LogCosh>(loss) &&
               !exactly<KLDivergence>(loss)) {
        throw ValueError("loss_config: the loss class " + loss.class_name() +
                         " has no config (minidl writes " + kLosses + ")");
    }
    return keras_object(loss.class_name(), std::move(config));
}

std::unique_ptr<losses::Loss> loss_from_config(const JsonNode& node) {
    if (node.value().is_string()) {
        // A name as compile() takes it ("mse", "sparse_categorical_crossentropy").
        return detail::rethrow_at(node, [&] { return losses::get(node.as_string()); });
    }
    if (node.value().is_array())
        node.fail("a loss per output (a list) is not supported: minidl models have one output");
    const detail::KerasReference reference = detail::read_reference(node, "loss");
    // An object without a config: the class's defaults (losses::get also takes class names).
    if (!reference.config) {
        return detail::rethrow_at(reference.class_name_node,
                                  [&] { return losses::get(reference.class_name); });
    }
    ObjectReader reader(*reference.config, reference.class_name + " config");
    std::unique_ptr<losses::Loss> loss = read_loss_class(reference.class_name, reader);
    if (!loss) {
        reference.class_name_node.fail("unknown loss class '" + reference.class_name +
                                       "' (known: " + kLosses + ")");
    }
    return loss;
}

}  // namespace minidl::serialization
