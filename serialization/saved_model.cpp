#include "minidl/serialization/saved_model.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/generator.hpp"
#include "minidl/layers/sequential.hpp"
#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/model_sections.hpp"

namespace minidl::serialization {
namespace {

constexpr const char* kModelFormat = "minidl.model";
constexpr const char* kCheckpointFormat = "minidl.checkpoint";
constexpr int kVersion = 1;
// The self-test batch of a model that declares its input: this many samples, with this length
// for axes declared as None.
constexpr int64_t kSelfTestSamples = 2;
constexpr int64_t kSelfTestFreeLength = 8;
constexpr uint64_t kSelfTestSeed = 20261202;

std::optional<std::vector<int64_t>> declared_input_shape(const Model& model) {
    if (const auto* sequential = dynamic_cast<const Sequential*>(&model)) {
        if (auto shape = sequential->input_shape()) return shape;
        if (const auto& built = sequential->built_input_shape()) return built->to_vector();
    }
    return model.batch_input_shape();
}

/// The batch a saved model's self-test runs: the user's, else uniform values in [0, 1) (valid
/// indices for an Embedding too) from a private generator, so saving draws nothing from the
/// default one.
Tensor self_test_input(const Model& model, const SaveModelOptions& options) {
    if (options.self_test_input.defined()) return options.self_test_input;
    std::optional<std::vector<int64_t>> dims = declared_input_shape(model);
    if (!dims || dims->empty()) {
        throw ValueError(model.name() +
                         ": save_model: the model declares no input shape; give "
                         "SaveModelOptions::self_test_input or set self_test = false");
    }
    (*dims)[0] = kSelfTestSamples;
    for (int64_t& size : *dims) {
        if (size < 0) size = kSelfTestFreeLength;
    }
    Generator generator(kSelfTestSeed);
    return rand(Shape(*dims), generator);
}

/// Runs `model` on the self-test's input and throws IOError at the first output that differs
/// from the saved one beyond atol + rtol * |saved| (non-finite outputs must match exactly).
void check_self_test(const JsonNode& self_test, const Tensor& input, Model& model,
                     const LoadModelOptions& options) {
    const Tensor expected = tensor_from_json(self_test.at("output"), true);
    Tensor actual;
    try {
        actual = model.predict_on_batch(input);
    } catch (const Error& error) {
        self_test.at("input").fail(std::string("the loaded model cannot run the self-test: ") +
                                   error.what());
    }
    if (!(actual.shape() == expected.shape())) {
        self_test.at("output").fail("the loaded model's output has shape " +
                                    actual.shape().to_string() + ", the saved one " +
                                    expected.shape().to_string());
    }
    const std::vector<float> got = actual.to_vector();
    const std::vector<float> want = expected.to_vector();
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double difference = std::fabs(static_cast<double>(got[i]) - want[i]);
        const bool same_non_finite =
            !std::isfinite(want[i]) &&
            (got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])));
        if (!same_non_finite && !(difference <= options.atol + options.rtol * std::fabs(want[i]))) {
            self_test.at("output").fail("the loaded model disagrees with the saved one: output " +
                                        std::to_string(i) + " is " + format_number(got[i]) +
                                        ", saved " + format_number(want[i]) + " (tolerance atol " +
                                        format_number(options.atol) + ", rtol " +
                                        format_number(options.rtol) + ")");
        }
    }
}

}  // namespace

void save_model(Model& model, const std::filesystem::path& path, const SaveModelOptions& options) {
    Json root = {{"format", kModelFormat}, {"version", kVersion}};
    detail::write_model_sections(root, model, options.encoding, true, options.include_optimizer);
    if (options.self_test) {
        const Tensor input = self_test_input(model, options);
        const Tensor output = model.predict_on_batch(input);
        root["self_test"] = {
            {"input", tensor_to_json("input", input,
                                     {.encoding = options.encoding, .allow_non_finite = true})},
            {"output", tensor_to_json("output", output,
                                      {.encoding = options.encoding, .allow_non_finite = true})}};
    }
    if (!options.metadata.is_null()) {
        if (!options.metadata.is_object())
            throw ValueError(model.name() + ": save_model: metadata must be a JSON object");
        root["metadata"] = options.metadata;
    }
    write_json_file(path, root);
}

std::unique_ptr<Model> load_model(const std::filesystem::path& path,
                                  const LoadModelOptions& options) {
    const Json document = read_json_file(path);
    return load_model(JsonNode(document, path.string()), options);
}

std::unique_ptr<Model> load_model(const JsonNode& root, const LoadModelOptions& options) {
    const bool checkpoint = root.find("format") && root.at("format").value() == kCheckpointFormat;
    check_format(root, checkpoint ? kCheckpointFormat : kModelFormat, kVersion);
    if (!checkpoint) {
        root.reject_unknown_keys({"format", "version", "model_config", "weights", "compile_config",
                                  "self_test", "metadata"});
    }
    const std::optional<JsonNode> self_test = root.find("self_test");
    Tensor test_input;
    std::optional<Shape> input_shape;
    if (self_test) {
        test_input = tensor_from_json(self_test->at("input"), true);
        input_shape = test_input.shape();
    }
    std::unique_ptr<Model> model = detail::read_model_sections(root, input_shape);
    if (options.compile) {
        if (const std::optional<JsonNode> compile = root.find("compile_config")) {
            compile_from_config(*model, *compile);
        }
    }
    if (self_test && options.run_self_test)
        check_self_test(*self_test, test_input, *model, options);
    return model;
}

Json read_model_metadata(const std::filesystem::path& path) {
    const Json document = read_json_file(path);
    return model_metadata(JsonNode(document, path.string()));
}

Json model_metadata(const JsonNode& root) {
    check_format(root, kModelFormat, kVersion);
    const std::optional<JsonNode> metadata = root.find("metadata");
    if (!metadata) return nullptr;
    if (!metadata->value().is_object()) metadata->fail("metadata must be an object");
    return metadata->value();
}

}  // namespace minidl::serialization
