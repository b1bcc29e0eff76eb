// ProgressLogger driven through its hooks as fit/evaluate/predict call them, against the text
// tf.keras 2.13's ProgbarLogger writes with the same fake clock.
#include <catch2/catch.hpp>
#include <sstream>

#include <minidl/minidl.hpp>
#include "minidl/train/progress_logger.hpp"

using namespace minidl;

namespace {

struct LoggerFixture {
    std::ostringstream out;
    double now = 0.0;

    ProgressLogger make(int verbose, int64_t epochs, int64_t steps, bool interactive) {
        return ProgressLogger({.verbose = verbose,
                               .epochs = epochs,
                               .steps = steps,
                               .output = &out,
                               .interactive = interactive,
                               .clock = [this] { return now; }});
    }

    /// A logger as fit makes it, 3 steps an epoch, after on_train_begin.
    ProgressLogger start_fit(int verbose, int64_t epochs, bool interactive) {
        ProgressLogger logger = make(verbose, epochs, 3, interactive);
        Logs none;
        logger.on_train_begin(none);
        return logger;
    }
};

/// One epoch of 3 batches with a silent validation pass, as fit runs it.
void run_epoch(LoggerFixture& f, ProgressLogger& logger, int64_t epoch) {
    f.now = 0.0;
    Logs none;
    logger.on_epoch_begin(epoch, none);
    const double times[] = {0.1, 0.2, 0.3};
    const double losses[] = {0.9, 0.8, 0.7};
    const double accuracies[] = {0.5, 0.6, 0.7};
    for (int64_t batch = 0; batch < 3; ++batch) {
        f.now = times[batch];
        Logs logs{{"loss", losses[batch]}, {"accuracy", accuracies[batch]}};
        logger.on_train_batch_begin(batch, none);
        logger.on_train_batch_end(batch, logs);
    }
    logger.on_test_begin(none);
    Logs validation{{"loss", 0.75}};
    logger.on_test_batch_end(0, validation);
    logger.on_test_end(validation);
    f.now = 0.35;
    Logs epoch_logs{{"loss", 0.7}, {"accuracy", 0.7}, {"val_loss", 0.75}, {"val_accuracy", 0.65}};
    logger.on_epoch_end(epoch, epoch_logs);
}

const char* final_values =
    " - loss: 0.7000 - accuracy: 0.7000 - val_loss: 0.7500 - val_accuracy: 0.6500";

}  // namespace

TEST_CASE("ProgressLogger verbose 1 on a terminal: epoch header, in-place bar") {
    LoggerFixture f;
    ProgressLogger logger = f.start_fit(1, 2, true);
    run_epoch(f, logger, 0);
    CHECK(f.out.str() ==
          std::string("Epoch 1/2\n") +
              "\r1/3 [=========>....................] - ETA: 0s - loss: 0.9000 - accuracy: "
              "0.5000" +
              "\r2/3 [===================>..........] - ETA: 0s - loss: 0.8000 - accuracy: "
              "0.6000" +
              "\r3/3 [==============================] - ETA: 0s - loss: 0.7000 - accuracy: "
              "0.7000" +
              "\r3/3 [==============================] - 0s 125ms/step" + final_values + "\n");
    f.out.str("");
    run_epoch(f, logger, 1);
    CHECK_THAT(f.out.str(), Catch::StartsWith("Epoch 2/2\n\r1/3 ["));
}

TEST_CASE("ProgressLogger verbose 1 off a terminal writes one line per epoch") {
    LoggerFixture f;
    ProgressLogger logger = f.start_fit(1, 2, false);
    run_epoch(f, logger, 0);
    CHECK(f.out.str() == std::string("Epoch 1/2\n3/3 [==============================] - 0s "
                                     "125ms/step") +
                             final_values + "\n");
}

TEST_CASE("ProgressLogger verbose 2 writes Keras's epoch line") {
    LoggerFixture f;
    ProgressLogger logger = f.start_fit(2, 10, true);
    run_epoch(f, logger, 2);
    CHECK(f.out.str() ==
          std::string("Epoch 3/10\n3/3 - 0s") + final_values + " - 350ms/epoch - 117ms/step\n");
}

TEST_CASE("ProgressLogger prints no epoch header for a single epoch, nothing at verbose 0") {
    LoggerFixture f;
    ProgressLogger single = f.start_fit(2, 1, false);
    run_epoch(f, single, 0);
    CHECK_THAT(f.out.str(), Catch::StartsWith("3/3 - 0s - loss: 0.7000"));

    LoggerFixture quiet;
    ProgressLogger silent = quiet.start_fit(0, 2, true);
    run_epoch(quiet, silent, 0);
    CHECK(quiet.out.str().empty());
}

TEST_CASE("ProgressLogger shows one bar for evaluate and for predict") {
    LoggerFixture f;
    ProgressLogger evaluate = f.make(1, 1, 2, false);
    Logs none;
    evaluate.on_test_begin(none);
    f.now = 0.01;
    Logs first{{"loss", 0.5}};
    evaluate.on_test_batch_end(0, first);
    f.now = 0.02;
    Logs second{{"loss", 0.4}};
    evaluate.on_test_batch_end(1, second);
    Logs result{{"loss", 0.4}, {"accuracy", 0.8}};
    evaluate.on_test_end(result);
    CHECK(f.out.str() ==
          "2/2 [==============================] - 0s 10ms/step - loss: 0.4000 - accuracy: "
          "0.8000\n");

    LoggerFixture g;
    ProgressLogger predict = g.make(2, 1, 2, false);
    predict.on_predict_begin(none);
    Logs outputs{{"output", 3.0}};
    predict.on_predict_batch_end(0, outputs);
    predict.on_predict_batch_end(1, outputs);
    g.now = 0.5;
    predict.on_predict_end(none);
    CHECK(g.out.str() == "2/2 - 0s - 500ms/epoch - 250ms/step\n");
}

TEST_CASE("ProgressLogger checks its options") {
    CHECK_THROWS_WITH(ProgressLogger({.verbose = 3}), Catch::Contains("'verbose'"));
    CHECK_THROWS_WITH(ProgressLogger({.steps = -1}), Catch::Contains("'steps'"));
}
