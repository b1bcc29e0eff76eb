// Each callback driven through its hooks with crafted logs on a tiny model, against Keras 2.13's
// rules and texts.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <sstream>

#include <minidl/minidl.hpp>
#include "minidl/layers/dense.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/serialization/checkpoint.hpp"
#include "minidl/serialization/weights.hpp"
#include "minidl/train/callbacks.hpp"

#include "test_support.hpp"

using namespace minidl;
using namespace minidl::callbacks;
using minidl::testing::TemporaryFolder;
namespace fs = std::filesystem;

namespace {

struct Tiny : Model {
    Tiny() : Model("tiny") { (*this)(zeros({1, 2})); }
    std::shared_ptr<layers::Dense> dense = track(layers::Dense({.units = 1}));
    Tensor call(const Tensor& x, bool training) override { return (*dense)(x, training); }
};

/// Gives every kernel entry `value` (the bias stays 0), to tell epochs' weights apart.
void set_kernel(Model& model, float value) { model.set_weights({full({2, 1}, value), zeros({1})}); }
float kernel(const Model& model) { return model.get_weights().front().to_vector().front(); }

/// Redirects `stream` into a string while alive.
class Capture {
  public:
    explicit Capture(std::ostream& stream) : stream_(stream), saved_(stream.rdbuf(text_.rdbuf())) {}
    ~Capture() { stream_.rdbuf(saved_); }
    std::string text() const { return text_.str(); }

  private:
    std::ostream& stream_;
    std::ostringstream text_;
    std::streambuf* saved_;
};

/// A model and a callback attached to it, with fit's hook sequence for one epoch.
template <class C>
struct Harness {
    Tiny model;
    C callback;

    explicit Harness(C c) : callback(std::move(c)) {
        callback.set_model(model);
        Logs none;
        callback.on_train_begin(none);
    }
    /// Runs epoch `epoch` (kernel set to `kernel_value`) ending with `logs`; returns the logs
    /// as the callback left them.
    Logs epoch(int64_t epoch, float kernel_value, Logs logs) {
        Logs none;
        callback.on_epoch_begin(epoch, none);
        set_kernel(model, kernel_value);
        callback.on_epoch_end(epoch, logs);
        return logs;
    }
    void end() {
        Logs none;
        callback.on_train_end(none);
    }
};

Logs val_loss(double value) { return {{"loss", 1.0}, {"val_loss", value}}; }

}  // namespace

TEST_CASE("EarlyStopping stops after `patience` epochs without improvement") {
    Harness h(EarlyStopping({.patience = 2}));
    const double values[] = {1.0, 0.9, 0.95, 0.92};
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
        h.epoch(epoch, 1.0f, val_loss(values[epoch]));
        CHECK_FALSE(h.model.stop_training);
    }
    h.epoch(3, 1.0f, val_loss(values[3]));
    CHECK(h.model.stop_training);
    CHECK(h.callback.stopped_epoch() == 3);
    CHECK(h.callback.best() == 0.9);
    CHECK(h.callback.best_epoch() == 1);
}

TEST_CASE("EarlyStopping: min_delta, auto mode, and stopping only after the first epoch") {
    // In min mode an improvement must go below best - |min_delta|.
    Harness delta(EarlyStopping({.min_delta = -0.1, .patience = 1}));
    delta.epoch(0, 1.0f, val_loss(1.0));
    delta.epoch(1, 1.0f, val_loss(0.95));
    CHECK(delta.model.stop_training);
    CHECK(delta.callback.best() == 1.0);

    // patience 0 never stops at epoch 0.
    Harness first(EarlyStopping({.monitor = "loss"}));
    first.epoch(0, 1.0f, {{"loss", std::nan("")}});
    CHECK_FALSE(first.model.stop_training);

    for (const char* monitor : {"val_accuracy", "val_acc", "auc"}) {
        Harness up(EarlyStopping({.monitor = monitor, .patience = 1}));
        up.epoch(0, 1.0f, {{monitor, 0.5}});
        up.epoch(1, 1.0f, {{monitor, 0.6}});
        CHECK_FALSE(up.model.stop_training);
        CHECK(up.callback.best() == 0.6);
    }
    Harness forced(EarlyStopping({.monitor = "val_accuracy", .patience = 1, .mode = "min"}));
    forced.epoch(0, 1.0f, {{"val_accuracy", 0.5}});
    forced.epoch(1, 1.0f, {{"val_accuracy", 0.6}});
    CHECK(forced.model.stop_training);
}

TEST_CASE("EarlyStopping with a baseline keeps counting until the baseline is beaten") {
    // Keras 2.13: an improving epoch never stops training, but the wait is only reset by a value
    // that also beats the baseline.
    Harness h(EarlyStopping({.patience = 2, .baseline = 0.5}));
    h.epoch(0, 1.0f, val_loss(0.9));
    h.epoch(1, 1.0f, val_loss(0.8));
    CHECK_FALSE(h.model.stop_training);
    h.epoch(2, 1.0f, val_loss(0.85));
    CHECK(h.model.stop_training);

    Harness no_baseline(EarlyStopping({.patience = 2}));
    for (int64_t epoch = 0; epoch < 3; ++epoch)
        no_baseline.epoch(epoch, 1.0f, val_loss(epoch == 2 ? 0.85 : 0.9 - 0.1 * epoch));
    CHECK_FALSE(no_baseline.model.stop_training);
}

TEST_CASE("EarlyStopping restores the best weights at the end of training, stopped or not") {
    Harness stopped(EarlyStopping({.patience = 2, .verbose = 1, .restore_best_weights = true}));
    stopped.epoch(0, 1.0f, val_loss(1.0));
    stopped.epoch(1, 2.0f, val_loss(0.5));
    stopped.epoch(2, 3.0f, val_loss(0.7));
    stopped.epoch(3, 4.0f, val_loss(0.8));
    CHECK(stopped.model.stop_training);
    CHECK(kernel(stopped.model) == 4.0f);  // only at on_train_end
    {
        Capture out(std::cout);
        stopped.end();
        CHECK(out.text() ==
              "Epoch 4: early stopping\nRestoring model weights from the end of the best "
              "epoch: 2.\n");
    }
    CHECK(kernel(stopped.model) == 2.0f);

    Harness finished(EarlyStopping({.patience = 10, .restore_best_weights = true}));
    finished.epoch(0, 1.0f, val_loss(1.0));
    finished.epoch(1, 2.0f, val_loss(0.5));
    finished.epoch(2, 3.0f, val_loss(0.7));
    finished.end();
    CHECK_FALSE(finished.model.stop_training);
    CHECK(finished.callback.stopped_epoch() == 0);
    CHECK(kernel(finished.model) == 2.0f);

    // Nothing ever improves (NaN): the first monitored epoch's weights come back.
    Harness never(EarlyStopping({.patience = 10, .restore_best_weights = true}));
    never.epoch(0, 5.0f, val_loss(std::nan("")));
    never.epoch(1, 6.0f, val_loss(std::nan("")));
    never.end();
    CHECK(kernel(never.model) == 5.0f);
}

TEST_CASE("EarlyStopping ignores the epochs before start_from_epoch") {
    Harness h(EarlyStopping({.patience = 1, .restore_best_weights = true, .start_from_epoch = 2}));
    h.epoch(0, 1.0f, val_loss(0.1));
    h.epoch(1, 2.0f, val_loss(0.2));
    h.epoch(2, 3.0f, val_loss(0.5));
    CHECK_FALSE(h.model.stop_training);
    CHECK(h.callback.best() == 0.5);
    h.epoch(3, 4.0f, val_loss(0.6));
    CHECK(h.model.stop_training);
    h.end();
    CHECK(kernel(h.model) == 3.0f);
}

TEST_CASE("EarlyStopping counts the first monitored epoch as the best when nothing improves") {
    Harness h(EarlyStopping(
        {.patience = 1, .verbose = 1, .restore_best_weights = true, .start_from_epoch = 2}));
    for (int64_t epoch = 0; epoch < 4; ++epoch)
        h.epoch(epoch, static_cast<float>(epoch + 1), val_loss(std::nan("")));
    CHECK(h.model.stop_training);
    CHECK(h.callback.best_epoch() == 2);
    std::string printed;
    {
        Capture out(std::cout);
        h.end();
        printed = out.text();
    }
    CHECK(printed ==
          "Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 3.\n");
    CHECK(kernel(h.model) == 3.0f);
}

TEST_CASE("EarlyStopping warns about a missing monitor and resets on train begin") {
    Harness h(EarlyStopping({.patience = 0}));
    {
        Capture err(std::cerr);
        h.epoch(0, 1.0f, {{"loss", 0.5}, {"accuracy", 0.75}});
        h.epoch(1, 1.0f, {{"loss", 0.5}, {"accuracy", 0.75}});
        CHECK_THAT(err.text(),
                   Catch::Contains("Early stopping conditioned on metric `val_loss` which is not "
                                   "available. Available metrics are: loss,accuracy"));
    }
    CHECK_FALSE(h.model.stop_training);
    h.epoch(2, 1.0f, val_loss(0.5));
    h.epoch(3, 1.0f, val_loss(0.6));
    CHECK(h.callback.stopped_epoch() == 3);
    Logs none;
    h.callback.on_train_begin(none);
    CHECK(h.callback.stopped_epoch() == 0);
    CHECK(h.callback.best() == std::numeric_limits<double>::infinity());
}

TEST_CASE("EarlyStopping checks its options") {
    CHECK_THROWS_WITH(EarlyStopping({.mode = "lowest"}),
                      Catch::Contains("EarlyStopping") && Catch::Contains("'mode'"));
    CHECK_THROWS_WITH(EarlyStopping({.patience = -1}), Catch::Contains("'patience'"));
    CHECK_THROWS_AS(EarlyStopping({.start_from_epoch = -1}), ValueError);
}

TEST_CASE("ModelCheckpoint saves every epoch under Keras's formatted path") {
    const TemporaryFolder folder("minidl_model_checkpoint");
    const std::string pattern = (folder.path / "ckpt/{epoch:02d}-{val_loss:.2f}.weights").string();
    reset_layer_names();  // the reloaded copy's weights get the same names
    Harness h(ModelCheckpoint({.filepath = pattern, .save_weights_only = true}));
    h.epoch(0, 1.0f, val_loss(1.0));
    h.epoch(1, 2.0f, val_loss(1.5));
    h.epoch(2, 3.0f, val_loss(0.4999));
    CHECK(h.callback.saves() == 3);
    CHECK(h.callback.last_filepath() == (folder.path / "ckpt/03-0.50.weights").string());
    CHECK(fs::exists(folder.path / "ckpt/01-1.00.weights"));
    CHECK(fs::exists(folder.path / "ckpt/02-1.50.weights"));
    reset_layer_names();
    Tiny reloaded;
    serialization::load_weights(reloaded, h.callback.last_filepath());
    CHECK(kernel(reloaded) == 3.0f);
}

TEST_CASE("ModelCheckpoint writes checkpoints with the epochs completed") {
    const TemporaryFolder folder("minidl_model_checkpoint");
    reset_layer_names();
    Harness h(ModelCheckpoint({.filepath = (folder.path / "ckpt.json").string()}));
    h.epoch(0, 1.0f, val_loss(1.0));
    h.epoch(1, 2.0f, val_loss(0.5));
    reset_layer_names();
    Tiny reloaded;
    const serialization::TrainingProgress progress =
        serialization::load_checkpoint(reloaded, folder.path / "ckpt.json");
    CHECK(progress.epoch == 2);
    CHECK(kernel(reloaded) == 2.0f);
}

TEST_CASE("ModelCheckpoint with save_best_only keeps the best epoch's weights") {
    const TemporaryFolder folder("minidl_model_checkpoint");
    const std::string path = (folder.path / "m.weights").string();
    reset_layer_names();
    Harness h(ModelCheckpoint(
        {.filepath = path, .verbose = 1, .save_best_only = true, .save_weights_only = true}));
    {
        Capture out(std::cout);
        h.epoch(0, 1.0f, val_loss(1.0));
        h.epoch(1, 2.0f, val_loss(0.5));
        h.epoch(2, 3.0f, val_loss(0.7));
        CHECK(out.text() ==
              "\nEpoch 1: val_loss improved from inf to 1.00000, saving model to " + path +
                  "\n\nEpoch 2: val_loss improved from 1.00000 to 0.50000, saving model to " +
                  path + "\n\nEpoch 3: val_loss did not improve from 0.50000\n");
    }
    CHECK(h.callback.saves() == 2);
    CHECK(h.callback.best() == 0.5);
    reset_layer_names();
    Tiny reloaded;
    serialization::load_weights(reloaded, path);
    CHECK(kernel(reloaded) == 2.0f);

    Harness threshold(ModelCheckpoint({.filepath = (folder.path / "t").string(),
                                       .save_best_only = true,
                                       .initial_value_threshold = 0.8}));
    threshold.epoch(0, 1.0f, val_loss(0.9));
    CHECK(threshold.callback.saves() == 0);
    threshold.epoch(1, 2.0f, val_loss(0.7));
    CHECK(threshold.callback.saves() == 1);

    // "auto" maximizes names containing "acc" (and F-measures).
    Harness accuracy(ModelCheckpoint({.filepath = (folder.path / "a").string(),
                                      .monitor = "val_acc_top",
                                      .save_best_only = true}));
    accuracy.epoch(0, 1.0f, {{"val_acc_top", 0.5}});
    accuracy.epoch(1, 2.0f, {{"val_acc_top", 0.4}});
    accuracy.epoch(2, 3.0f, {{"val_acc_top", 0.6}});
    CHECK(accuracy.callback.saves() == 2);
    CHECK(accuracy.callback.best() == 0.6);
}

TEST_CASE("ModelCheckpoint warns when the monitored value is missing") {
    Harness h(ModelCheckpoint({.filepath = "m", .save_best_only = true}));
    Capture err(std::cerr);
    h.epoch(0, 1.0f, {{"loss", 0.5}});
    CHECK_THAT(err.text(),
               Catch::Contains("Can save best model only with val_loss available, skipping."));
    CHECK(h.callback.saves() == 0);
}

TEST_CASE("ModelCheckpoint with an integer save_freq saves every n batches across epochs") {
    const TemporaryFolder folder("minidl_model_checkpoint");
    Harness h(ModelCheckpoint({.filepath = (folder.path / "{epoch}-{batch}").string(),
                               .save_weights_only = true,
                               .save_freq = 2}));
    std::vector<std::string> paths;
    Logs none;
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
        h.callback.on_epoch_begin(epoch, none);
        for (int64_t batch = 0; batch < 3; ++batch) {
            const int64_t before = h.callback.saves();
            Logs logs{{"loss", 0.5}};
            h.callback.on_train_batch_end(batch, logs);
            if (h.callback.saves() > before) {
                paths.push_back(fs::path(h.callback.last_filepath()).filename().string());
            }
        }
        Logs epoch_logs = val_loss(0.5);
        h.callback.on_epoch_end(epoch, epoch_logs);
    }
    CHECK(paths == std::vector<std::string>{"1-2", "2-1", "2-3"});
}

TEST_CASE("ModelCheckpoint checks its options") {
    CHECK_THROWS_WITH(ModelCheckpoint({}), Catch::Contains("'filepath'"));
    CHECK_THROWS_WITH(ModelCheckpoint({.filepath = "m", .save_freq = "batch"}),
                      Catch::Contains("Unrecognized save_freq: batch"));
    CHECK_THROWS_AS(ModelCheckpoint({.filepath = "m", .save_freq = 0}), ValueError);
    CHECK_THROWS_AS(ModelCheckpoint({.filepath = "m", .mode = "up"}), ValueError);
}

TEST_CASE("format_checkpoint_path follows Python's str.format") {
    const Logs logs{{"loss", 0.25}, {"two", 2.0}, {"neg", -1.5}, {"big", 1e16}, {"small", 1.5e-5}};
    CHECK(format_checkpoint_path("{epoch:02d}-{loss:.2f}", 2, std::nullopt, logs) == "03-0.25");
    CHECK(format_checkpoint_path("{loss:.3e}|{loss:>8.2f}|{loss:+.1%}|{{x}}|{loss}|{epoch:03}", 4,
                                 std::nullopt, logs) == "2.500e-01|    0.25|+25.0%|{x}|0.25|005");
    CHECK(format_checkpoint_path("{loss:.3}|{two:.3}|{loss:<7.2f}|{loss:^9.1f}|{neg:08.3f}", 0,
                                 std::nullopt, logs) == "0.25|2.0|0.25   |   0.2   |-001.500");
    CHECK(format_checkpoint_path("{big}|{small}|{two}", 0, std::nullopt, logs) ==
          "1e+16|1.5e-05|2.0");
    CHECK(format_checkpoint_path("{batch:04d}", 0, 6, logs) == "0007");
    CHECK_THROWS_WITH(format_checkpoint_path("{oops}.h5", 0, std::nullopt, logs),
                      Catch::Contains("Failed to format this callback filepath: \"{oops}.h5\". "
                                      "Reason: 'oops'"));
    CHECK_THROWS_WITH(format_checkpoint_path("{loss:d}", 0, std::nullopt, logs),
                      Catch::Contains("Unknown format code 'd'"));
    CHECK_THROWS_AS(format_checkpoint_path("{loss!r}", 0, std::nullopt, logs), ValueError);
    CHECK_THROWS_AS(format_checkpoint_path("{loss:,}", 0, std::nullopt, logs), ValueError);
    CHECK_THROWS_AS(format_checkpoint_path("a}b", 0, std::nullopt, logs), ValueError);
}

TEST_CASE("ReduceLROnPlateau reduces after patience, honours cooldown and min_lr") {
    Harness h(ReduceLROnPlateau(
        {.factor = 0.5, .patience = 2, .verbose = 1, .cooldown = 2, .min_lr = 0.03}));
    h.model.compile(optim::SGD({.learning_rate = 0.1}), "mse");
    const Capture quiet(std::cout);
    auto rate = [&] { return h.model.optimizer().learning_rate(); };
    CHECK(h.epoch(0, 1.0f, val_loss(1.0)).at("lr") == 0.1);
    h.epoch(1, 1.0f, val_loss(1.0));
    CHECK(rate() == 0.1);
    {
        Capture out(std::cout);
        const Logs logs = h.epoch(2, 1.0f, val_loss(1.0));
        CHECK(logs.at("lr") == 0.1);  // the epoch's rate, logged before the reduction
        CHECK(out.text() == "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05.\n");
    }
    CHECK(rate() == 0.05);
    CHECK(h.callback.cooldown_counter() == 2);
    h.epoch(3, 1.0f, val_loss(1.0));  // cooldown
    h.epoch(4, 1.0f, val_loss(1.0));  // cooldown ends, wait 1
    CHECK(rate() == 0.05);
    h.epoch(5, 1.0f, val_loss(1.0));
    CHECK(rate() == 0.03);  // max(0.025, min_lr)
    for (int64_t epoch = 6; epoch < 12; ++epoch) h.epoch(epoch, 1.0f, val_loss(1.0));
    CHECK(rate() == 0.03);
}

TEST_CASE("ReduceLROnPlateau: min_delta, auto mode and a missing monitor") {
    Harness h(ReduceLROnPlateau({.monitor = "val_accuracy", .patience = 1, .min_delta = 0.01}));
    h.model.compile(optim::SGD({.learning_rate = 0.1}), "mse");
    h.epoch(0, 1.0f, {{"val_accuracy", 0.5}});
    h.epoch(1, 1.0f, {{"val_accuracy", 0.6}});
    CHECK(h.model.optimizer().learning_rate() == 0.1);
    h.epoch(2, 1.0f, {{"val_accuracy", 0.605}});  // not above 0.6 + 0.01
    CHECK(h.model.optimizer().learning_rate() == Approx(0.01).epsilon(1e-12));

    Harness missing(ReduceLROnPlateau({.patience = 0}));
    missing.model.compile(optim::SGD({.learning_rate = 0.1}), "mse");
    Capture err(std::cerr);
    const Logs logs = missing.epoch(0, 1.0f, {{"loss", 0.5}});
    CHECK(logs.at("lr") == 0.1);
    CHECK_THAT(err.text(), Catch::Contains("Learning rate reduction is conditioned on metric "
                                           "`val_loss` which is not available. Available "
                                           "metrics are: loss,lr"));
}

TEST_CASE("ReduceLROnPlateau checks its options") {
    CHECK_THROWS_WITH(ReduceLROnPlateau({.factor = 1.0}),
                      Catch::Contains("does not support a factor >= 1.0. Got 1.0"));
    CHECK_THROWS_AS(ReduceLROnPlateau({.patience = -1}), ValueError);
    CHECK_THROWS_AS(ReduceLROnPlateau({.cooldown = -1}), ValueError);
    CHECK_THROWS_AS(ReduceLROnPlateau({.min_lr = -1e-3}), ValueError);
}

TEST_CASE("LearningRateScheduler sets the rate at epoch begin and logs it at epoch end") {
    Harness h(LearningRateScheduler(
        {.schedule = [](int64_t epoch, double rate) { return epoch >= 1 ? rate * 0.5 : rate; },
         .verbose = 1}));
    h.model.compile(optim::SGD({.learning_rate = 0.1}), "mse");
    Capture out(std::cout);
    CHECK(h.epoch(0, 1.0f, val_loss(1.0)).at("lr") == 0.1);
    CHECK(h.epoch(1, 1.0f, val_loss(1.0)).at("lr") == 0.05);
    CHECK(h.epoch(2, 1.0f, val_loss(1.0)).at("lr") == 0.025);
    CHECK_THAT(
        out.text(),
        Catch::Contains("\nEpoch 3: LearningRateScheduler setting learning rate to 0.025.\n"));
    CHECK_THROWS_WITH(LearningRateScheduler({}), Catch::Contains("'schedule'"));
}

TEST_CASE("CSVLogger writes Keras's header and one row per epoch") {
    const testing::TemporaryFolder folder("minidl_csv_");
    const fs::path file = folder.path / "log.csv";
    Harness h(CSVLogger({.filename = file}));
    CHECK(testing::read_file(file).empty());
    h.epoch(0, 1.0f,
            {{"loss", 0.5},
             {"accuracy", 0.25},
             {"val_loss", 0.75},
             {"val_accuracy", 0.125},
             {"lr", 0.01}});
    CHECK(testing::read_file(file) ==
          "epoch,accuracy,loss,lr,val_accuracy,val_loss\r\n0,0.25,0.5,0.01,0.125,0.75\r\n");
    h.epoch(1, 1.0f, {{"loss", static_cast<double>(0.1f)}, {"accuracy", 1.0}});
    CHECK(testing::read_file(file) ==
          "epoch,accuracy,loss,lr,val_accuracy,val_loss\r\n"
          "0,0.25,0.5,0.01,0.125,0.75\r\n1,1.0,0.10000000149011612,NA,NA,NA\r\n");
    h.end();

    // A second fit overwrites the file, header included.
    Logs none;
    h.callback.on_train_begin(none);
    h.epoch(0, 1.0f, {{"loss", 2.0}});
    CHECK(testing::read_file(file) ==
          "epoch,accuracy,loss,lr,val_accuracy,val_loss\r\n0,NA,2.0,NA,NA,NA\r\n");
}

TEST_CASE("CSVLogger adds val_ columns when none is logged, appends, quotes and separates") {
    const testing::TemporaryFolder folder("minidl_csv_");
    const fs::path file = folder.path / "log.csv";
    {
        Harness h(CSVLogger({.filename = file, .separator = ";"}));
        h.epoch(0, 1.0f, {{"loss", 0.5}, {"a;b", 1e-5}});
        h.end();
    }
    const std::string first = "epoch;\"a;b\";loss;\"val_a;b\";val_loss\r\n0;1e-05;0.5;NA;NA\r\n";
    CHECK(testing::read_file(file) == first);
    {
        Harness h(CSVLogger({.filename = file, .separator = ";", .append = true}));
        h.epoch(1, 1.0f, {{"loss", 0.25}, {"a;b", 2.0}});
        h.end();
    }
    CHECK(testing::read_file(file) == first + "1;2.0;0.25;NA;NA\r\n");

    const fs::path fresh = folder.path / "fresh.csv";
    Harness appended(CSVLogger({.filename = fresh, .append = true}));
    appended.epoch(0, 1.0f, {{"val_loss", 0.5}});
    CHECK(testing::read_file(fresh) == "epoch,val_loss\r\n0,0.5\r\n");
}

TEST_CASE("CSVLogger checks its options and reports unwritable files") {
    CHECK_THROWS_WITH(CSVLogger({}), Catch::Contains("'filename'"));
    CHECK_THROWS_WITH(CSVLogger({.filename = "x.csv", .separator = ",,"}),
                      Catch::Contains("'separator'"));
    CSVLogger logger({.filename = "/nonexistent_minidl_folder/log.csv"});
    Logs none;
    CHECK_THROWS_AS(logger.on_train_begin(none), IOError);
}

TEST_CASE("TerminateOnNaN stops training on a NaN or infinite batch loss") {
    Tiny model;
    for (double loss : {std::nan(""), std::numeric_limits<double>::infinity()}) {
        TerminateOnNaN callback;
        callback.set_model(model);
        model.stop_training = false;
        Logs fine{{"loss", 0.5}};
        callback.on_train_batch_end(0, fine);
        Logs no_loss{{"accuracy", std::nan("")}};
        callback.on_train_batch_end(1, no_loss);
        CHECK_FALSE(model.stop_training);
        Capture out(std::cout);
        Logs bad{{"loss", loss}};
        callback.on_train_batch_end(3, bad);
        CHECK(model.stop_training);
        CHECK(out.text() == "Batch 3: Invalid loss, terminating training\n");
    }
}

TEST_CASE("LambdaCallback calls the functions it was given, with Keras's names") {
    std::vector<std::string> calls;
    LambdaCallback callback({
        .on_epoch_begin = [&](int64_t epoch,
                              Logs&) { calls.push_back("epoch+" + std::to_string(epoch)); },
        .on_epoch_end =
            [&](int64_t epoch, Logs& logs) {
                calls.push_back("epoch-" + std::to_string(epoch));
                logs.set("seen", 1.0);
            },
        .on_batch_end = [&](int64_t batch,
                            Logs&) { calls.push_back("batch-" + std::to_string(batch)); },
        .on_train_end = [&](Logs&) { calls.push_back("end"); },
    });
    Logs logs;
    callback.on_train_begin(logs);
    callback.on_epoch_begin(0, logs);
    callback.on_train_batch_begin(0, logs);
    callback.on_train_batch_end(0, logs);
    callback.on_epoch_end(0, logs);
    callback.on_train_end(logs);
    CHECK(calls == std::vector<std::string>{"epoch+0", "batch-0", "epoch-0", "end"});
    CHECK(logs.at("seen") == 1.0);
}

TEST_CASE("Callbacks in fit: EarlyStopping ends training and restores the best weights") {
    manual_seed(7);
    Tiny model;
    model.compile(optim::SGD({.learning_rate = 0.1}), "mse");
    const Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
    const Tensor y = tensor({1, 2, 3, 4}, {4, 1});
    auto stopper = std::make_shared<EarlyStopping>(
        EarlyStoppingOptions{.monitor = "loss", .patience = 0, .restore_best_weights = true});
    int64_t epochs_run = 0;
    // The loss goes up from epoch 1 on: each epoch's end moves the weights away.
    LambdaCallback worsen({.on_epoch_begin = [&](int64_t epoch, Logs&) {
        ++epochs_run;
        if (epoch > 0) set_kernel(model, 10.0f * static_cast<float>(epoch));
    }});
    const History history = model.fit(
        x, y, {.epochs = 10, .batch_size = 4, .verbose = 0, .callbacks = {worsen, stopper}});
    CHECK(epochs_run == 2);
    CHECK(stopper->stopped_epoch() == 1);
    CHECK(history.epoch() == std::vector<int64_t>{0, 1});
    CHECK(history["loss"][1] > history["loss"][0]);
    CHECK(kernel(model) < 5.0f);  // epoch 0's weights, not the 10s of epoch 1
}
