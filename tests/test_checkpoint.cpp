// Checkpoints: a run interrupted after half its epochs and resumed in a new process from the
// checkpoint ModelCheckpoint wrote ends with the same bits as the uninterrupted run; a bad
// checkpoint changes nothing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>
#include "minidl/serialization/checkpoint.hpp"

#include "child_process.hpp"
#include "test_support.hpp"

using namespace minidl;
namespace fs = std::filesystem;
using minidl::testing::TemporaryFolder;

namespace {

constexpr int64_t kEpochs = 6;
// The hidden test case a child process runs, and where it writes its checkpoint.
constexpr const char* kChildTest = "[.first_half_child]";
constexpr const char* kPathVariable = "MINIDL_TEST_CHECKPOINT_PATH";

/// Waves of two kinds; drawn from a private generator, the same in every process.
struct Data {
    Tensor x, y;
};
Data make_data() {
    Generator generator(11);
    Tensor x = randn({96, 32, 2}, generator);
    Tensor y = greater(mean(x, {1, 2}), scalar(0.f));
    return {x, y};
}

/// A model that draws from the default generator while training (Dropout, GaussianNoise,
/// shuffling), with a learning-rate schedule and a constraint, compiled with metrics.
std::unique_ptr<Sequential> make_model() {
    reset_layer_names();
    manual_seed(3);
    auto model = std::make_unique<Sequential>(
        std::vector<LayerRef>{
            layers::InputLayer({.input_shape = {32, 2}}),
            layers::SeparableConv1D({.filters = 6,
                                     .kernel_size = 3,
                                     .padding = "causal",
                                     .activation = "relu",
                                     .depthwise_regularizer = regularizers::L2(1e-3),
                                     .pointwise_constraint = constraints::MaxNorm(2.0)}),
            layers::GaussianNoise({.stddev = 0.1}),
            layers::Dropout({.rate = 0.2}),
            layers::GlobalAveragePooling1D(),
            layers::Dense({.units = 2}),
        },
        "resumed");
    model->compile(
        optim::Adam({.learning_rate =
                         std::make_shared<optim::ExponentialDecay>(optim::ExponentialDecayOptions{
                             .initial_learning_rate = 0.02, .decay_steps = 5, .decay_rate = 0.9})}),
        losses::SparseCategoricalCrossentropy({.from_logits = true}), {"accuracy"});
    return model;
}

FitOptions fit_options(int64_t epochs, int64_t initial_epoch, std::vector<CallbackRef> callbacks) {
    return {.epochs = epochs,
            .batch_size = 16,
            .validation_split = 0.25,
            .verbose = 0,
            .callbacks = std::move(callbacks),
            .initial_epoch = initial_epoch};
}

std::vector<uint32_t> bits(const Model& model) {
    std::vector<uint32_t> result;
    for (const Tensor& weight : model.get_weights()) {
        for (const float value : weight.to_vector()) {
            uint32_t word;
            std::memcpy(&word, &value, sizeof word);
            result.push_back(word);
        }
    }
    return result;
}

}  // namespace

TEST_CASE("first half of the interrupted run (run by the resume test in a child process)",
          kChildTest) {
    const char* path = std::getenv(kPathVariable);
    REQUIRE(path != nullptr);
    const Data data = make_data();
    auto model = make_model();
    model->fit(data.x, data.y,
               fit_options(kEpochs / 2, 0, {callbacks::ModelCheckpoint({.filepath = path})}));
}

TEST_CASE("a run resumed from a checkpoint in a new process equals the uninterrupted run") {
    const Data data = make_data();
    auto uninterrupted = make_model();
    uninterrupted->fit(data.x, data.y, fit_options(kEpochs, 0, {}));

    const TemporaryFolder folder("minidl_checkpoint_resume");
    const fs::path checkpoint = folder.path / "ckpt.json";
    const int status = minidl::testing::wait_for(
        minidl::testing::start_hidden_test(kChildTest, kPathVariable, checkpoint.string()));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    auto resumed = make_model();
    manual_seed(12345);  // the checkpoint, not this, decides what training draws next
    const serialization::TrainingProgress progress =
        serialization::load_checkpoint(*resumed, checkpoint);
    CHECK(progress.epoch == kEpochs / 2);
    CHECK(progress.history.epoch() == std::vector<int64_t>{0, 1, 2});
    resumed->fit(data.x, data.y, fit_options(kEpochs, progress.epoch, {}));

    CHECK(bits(*resumed) == bits(*uninterrupted));
    CHECK(resumed->optimizer().iterations() == uninterrupted->optimizer().iterations());
    const History& expected = uninterrupted->history();
    const History& got = resumed->history();
    CHECK(got.epoch() == expected.epoch());
    REQUIRE(got.keys() == expected.keys());
    for (const std::string& key : expected.keys()) {
        INFO(key);
        CHECK(got[key] == expected[key]);
    }
    CHECK(got.keys() ==
          std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy", "lr"});
}

TEST_CASE("a checkpoint records the optimizer, the generator and the history") {
    const Data data = make_data();
    auto model = make_model();
    model->fit(data.x, data.y, fit_options(2, 0, {}));
    const TemporaryFolder folder("minidl_checkpoint");
    const fs::path path = folder.path / "ckpt.json";
    serialization::save_checkpoint(*model, path, {2, model->history()});
    const optim::OptimizerState state = model->optimizer().state();
    const GeneratorState generator = default_generator().state();

    auto other = make_model();
    other->build({1, 32, 2});
    manual_seed(99);
    serialization::load_checkpoint(*other, path);
    const optim::OptimizerState restored = other->optimizer().state();
    CHECK(restored.iterations == state.iterations);
    REQUIRE(restored.tensors.size() == state.tensors.size());
    for (std::size_t i = 0; i < state.tensors.size(); ++i) {
        CHECK(restored.tensors[i].first == state.tensors[i].first);
        CHECK(restored.tensors[i].second.to_vector() == state.tensors[i].second.to_vector());
    }
    CHECK(default_generator().state() == generator);
    CHECK(bits(*other) == bits(*model));
}

TEST_CASE("a checkpoint that does not fit the model changes nothing") {
    const Data data = make_data();
    auto model = make_model();
    model->fit(data.x, data.y, fit_options(1, 0, {}));
    const TemporaryFolder folder("minidl_checkpoint_bad");
    const fs::path path = folder.path / "ckpt.json";
    serialization::save_checkpoint(*model, path, {1, model->history()});
    const Json saved = serialization::read_json_file(path);

    auto target = make_model();
    target->fit(data.x, data.y, fit_options(1, 0, {}));
    const std::vector<uint32_t> weights_before = bits(*target);
    const int64_t iterations_before = target->optimizer().iterations();
    const GeneratorState generator_before = default_generator().state();

    const auto corrupt = [&](const std::string& pointer, const Json& value) {
        Json changed = saved;
        changed[Json::json_pointer(pointer)] = value;
        serialization::write_json_file(path, changed);
    };
    SECTION("another optimizer class") {
        corrupt("/optimizer_state/class_name", "SGD");
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path),
                          Catch::Contains("/optimizer_state/class_name"));
    }
    SECTION("a slot of another shape") {
        corrupt("/optimizer_state/slots/0/shape", Json::array({1, 1, 1}));
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path),
                          Catch::Contains("/optimizer_state/slots/0"));
    }
    SECTION("a negative epoch") {
        corrupt("/epoch", -1);
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path), Catch::Contains("/epoch"));
    }
    SECTION("a bad generator word") {
        corrupt("/generator/words/0", "xyz");
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path),
                          Catch::Contains("/generator/words/0"));
    }
    SECTION("a history series of the wrong length") {
        corrupt("/history/series/loss", Json::array({1.0, 2.0}));
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path),
                          Catch::Contains("/history/series/loss"));
    }
    SECTION("an unknown key") {
        corrupt("/optimiser_state", Json::object());
        CHECK_THROWS_WITH(serialization::load_checkpoint(*target, path),
                          Catch::Contains("optimiser_state"));
    }
    CHECK(bits(*target) == weights_before);
    CHECK(target->optimizer().iterations() == iterations_before);
    CHECK(default_generator().state() == generator_before);
}
