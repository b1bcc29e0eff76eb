#include "minidl/serialization/model_sections.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/generator.hpp"
#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/model_config.hpp"

namespace minidl::serialization::detail {

void write_model_sections(Json& root, const Model& model, Encoding encoding, bool require_config,
                          bool include_compile) {
    if (!model.built()) {
        throw ValueError(model.name() +
                         ": cannot save a model that is not built: call it on a batch, or "
                         "build() it, first");
    }
    try {
        root["model_config"] = model_config(model);
    } catch (const ValueError&) {
        if (require_config) throw;
    }
    root["weights"] = weights_to_json(model.weights(), {.encoding = encoding});
    if (include_compile && model.compiled()) root["compile_config"] = compile_config(model);
}

namespace {

/// Puts the default generator back as it was when the scope began.
class KeepGeneratorState {
  public:
    KeepGeneratorState() : state_(default_generator().state()) {}
    ~KeepGeneratorState() { default_generator().set_state(state_); }
    KeepGeneratorState(const KeepGeneratorState&) = delete;
    KeepGeneratorState& operator=(const KeepGeneratorState&) = delete;

  private:
    GeneratorState state_;
};

}  // namespace

std::unique_ptr<Model> read_model_sections(const JsonNode& root,
                                           const std::optional<Shape>& input_shape) {
    const JsonNode config = root.at("model_config");
    std::unique_ptr<Model> model;
    {
        // Building draws initial values from the default generator; loading must not move it.
        const KeepGeneratorState keep;
        try {
            model = model_from_config(config);
            if (!model->built() && input_shape) model->build(*input_shape);
        } catch (const IOError&) {
            throw;
        } catch (const Error& error) {
            config.fail(error.what());
        }
    }
    if (!model->built()) {
        config.fail("the config declares no input shape, so the weights cannot be created");
    }
    model->set_weights(weights_from_json(root.at("weights"), model->weights()));
    return model;
}

}  // namespace minidl::serialization::detail
