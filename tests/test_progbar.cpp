// Progbar against Keras's exact text (tf.keras 2.13's Progbar run with the same fake clock).
#include <catch2/catch.hpp>
#include <sstream>

#include <minidl/minidl.hpp>
#include "minidl/train/progbar.hpp"

using namespace minidl;

namespace {

/// A Progbar writing to a string, with a clock the test sets.
struct BarFixture {
    std::ostringstream out;
    double now = 0.0;

    Progbar make(ProgbarOptions options, bool interactive) {
        return Progbar(std::move(options), out, interactive, [this] { return now; });
    }
    /// Updates at time `time` and returns what the update wrote.
    std::string update_at(Progbar& bar, double time, int64_t current, const Logs& values,
                          std::optional<bool> finalize = std::nullopt) {
        now = time;
        out.str("");
        bar.update(current, values, finalize);
        return out.str();
    }
};

const std::vector<std::string> loss_and_accuracy = {"loss", "accuracy"};

}  // namespace

TEST_CASE("Progbar verbose 1 on a terminal redraws in place, pads, throttles and finalizes") {
    BarFixture f;
    Progbar bar = f.make({.target = 50, .stateful_metrics = loss_and_accuracy}, true);
    CHECK(f.update_at(bar, 0.25, 1, {{"loss", 0.9}, {"accuracy", 0.5}}) ==
          "\r 1/50 [..............................] - ETA: 12s - loss: 0.9000 - accuracy: "
          "0.5000");
    // The step time leaves the first step out: (2.45 - 0.25) / 11 = 0.2 s; 38 left = 7.6 s.
    // The line is one character shorter, so one space blanks the previous one's end.
    CHECK(f.update_at(bar, 2.45, 12, {{"loss", 0.4312}, {"accuracy", 0.8125}}) ==
          "\r12/50 [======>.......................] - ETA: 7s - loss: 0.4312 - accuracy: "
          "0.8125 ");
    CHECK(f.update_at(bar, 2.47, 13, {{"loss", 0.43}, {"accuracy", 0.82}}).empty());  // < 0.05 s
    CHECK(f.update_at(bar, 9.25, 49, {{"loss", 0.31}, {"accuracy", 0.9}}) ==
          "\r49/50 [============================>.] - ETA: 0s - loss: 0.3100 - accuracy: 0.9000");
    CHECK(f.update_at(bar, 10.25, 50, {{"loss", 0.3}, {"accuracy", 0.9}, {"val_loss", 0.35}}) ==
          "\r50/50 [==============================] - 10s 204ms/step - loss: 0.3000 - accuracy: "
          "0.9000 - val_loss: 0.3500\n");
}

TEST_CASE("Progbar verbose 1 off a terminal writes only the final line") {
    BarFixture f;
    Progbar bar = f.make({.target = 50, .stateful_metrics = loss_and_accuracy}, false);
    CHECK(f.update_at(bar, 0.25, 1, {{"loss", 0.9}, {"accuracy", 0.5}}).empty());
    CHECK(f.update_at(bar, 2.45, 12, {{"loss", 0.4312}, {"accuracy", 0.8125}}).empty());
    CHECK(f.update_at(bar, 9.25, 49, {{"loss", 0.31}, {"accuracy", 0.9}}).empty());
    CHECK(f.update_at(bar, 10.25, 50, {{"loss", 0.3}, {"accuracy", 0.9}, {"val_loss", 0.35}}) ==
          "50/50 [==============================] - 10s 204ms/step - loss: 0.3000 - accuracy: "
          "0.9000 - val_loss: 0.3500\n");
}

TEST_CASE("Progbar verbose 2 writes one line with the epoch and step times") {
    BarFixture f;
    Progbar bar = f.make({.target = 50, .verbose = 2, .stateful_metrics = loss_and_accuracy}, true);
    CHECK(f.update_at(bar, 0.25, 1, {{"loss", 0.9}, {"accuracy", 0.5}}).empty());
    CHECK(f.update_at(bar, 9.25, 49, {{"loss", 0.31}, {"accuracy", 0.9}}).empty());
    CHECK(f.update_at(bar, 10.25, 50, {{"loss", 0.3}, {"accuracy", 0.9}, {"val_loss", 0.35}}) ==
          "50/50 - 10s - loss: 0.3000 - accuracy: 0.9000 - val_loss: 0.3500 - 10s/epoch - "
          "205ms/step\n");
}

TEST_CASE("Progbar averages values not declared stateful, weighted by steps") {
    BarFixture f;
    Progbar bar = f.make({.target = 4}, true);
    CHECK(f.update_at(bar, 0.1, 2, {{"loss", 1.0}}) ==
          "\r2/4 [==============>...............] - ETA: 0s - loss: 1.0000");
    // (1.0 * 2 + 0.5 * 2) / 4
    CHECK(f.update_at(bar, 0.2, 4, {{"loss", 0.5}}) ==
          "\r4/4 [==============================] - 0s 50ms/step - loss: 0.7500\n");
    f.out.str("");
    bar.add_stateful_metrics({"loss"});
    bar.update(4, {{"loss", 0.25}});
    CHECK_THAT(f.out.str(), Catch::EndsWith("- loss: 0.2500\n"));
}

TEST_CASE("Progbar formats small values, long ETAs and the verbose 2 sign rule as Keras") {
    BarFixture f;
    const std::vector<std::string> names = {"a", "b", "c"};
    Progbar bar = f.make({.target = 3, .width = 6, .stateful_metrics = names}, true);
    CHECK(f.update_at(bar, 100, 1, {{"a", 1e-4}, {"b", -0.0005}, {"c", 12.5}}) ==
          "\r1/3 [=>....] - ETA: 3:20 - a: 1.0000e-04 - b: -5.0000e-04 - c: 12.5000");
    CHECK(f.update_at(bar, 3000, 2, {{"a", 1e-4}, {"b", -0.5}, {"c", 12.5}}) ==
          "\r2/3 [===>..] - ETA: 48:20 - a: 1.0000e-04 - b: -0.5000 - c: 12.5000   ");

    BarFixture hours;
    Progbar slow = hours.make({.target = 2, .stateful_metrics = {"loss"}}, true);
    hours.update_at(slow, 0.0, 1, {{"loss", 0.5}});
    CHECK(hours.update_at(slow, 3700.0, 1, {{"loss", 0.5}}, false) ==
          "\r1/2 [==============>...............] - ETA: 1:01:40 - loss: 0.5000");

    // Keras's verbose 2 compares the signed value with 1e-3, so negatives use %.4e.
    BarFixture two;
    Progbar line =
        two.make({.target = 3, .width = 6, .verbose = 2, .stateful_metrics = {"b"}}, true);
    CHECK(two.update_at(line, 0.003, 3, {{"b", -0.5}}) ==
          "3/3 - 0s - b: -5.0000e-01 - 3ms/epoch - 1ms/step\n");
}

TEST_CASE("Progbar with an unknown target counts steps") {
    BarFixture f;
    Progbar bar = f.make({.stateful_metrics = {"loss"}}, true);
    CHECK(f.update_at(bar, 1.0, 7, {{"loss", 0.25}}) ==
          "\r      7/Unknown - 1s 143ms/step - loss: 0.2500");
    CHECK(f.update_at(bar, 1.0005, 7, {{"loss", 0.25}}, true) ==
          "\r      7/Unknown - 1s 143ms/step - loss: 0.2500\n");
}

TEST_CASE("Progbar shows seconds and microseconds per step, and a custom unit") {
    BarFixture f;
    Progbar bar = f.make({.target = 1000, .width = 10}, false);
    CHECK(f.update_at(bar, 2.5, 1000, {}) == "1000/1000 [==========] - 2s 2ms/step\n");

    BarFixture slow;
    Progbar samples = slow.make({.target = 2, .width = 4, .unit_name = "sample"}, false);
    CHECK(slow.update_at(samples, 5.0, 2, {}) == "2/2 [====] - 5s 2s/sample\n");

    BarFixture fast;
    Progbar quick = fast.make({.target = 4, .width = 4}, false);
    CHECK(fast.update_at(quick, 0.0002, 4, {}) == "4/4 [====] - 0s 50us/step\n");
}

TEST_CASE("Progbar verbose 0 writes nothing; add() advances from the last step") {
    BarFixture f;
    Progbar silent = f.make({.target = 2, .verbose = 0}, true);
    silent.update(1, {{"loss", 1.0}});
    silent.update(2, {{"loss", 1.0}});
    CHECK(f.out.str().empty());

    Progbar bar = f.make({.target = 4, .width = 4}, false);
    f.now = 1.0;
    bar.add(2);
    bar.add(2);
    CHECK(f.out.str() == "4/4 [====] - 1s 250ms/step\n");
}

TEST_CASE("Progbar checks its options") {
    std::ostringstream out;
    CHECK_THROWS_WITH(Progbar({.target = 0}, out, false), Catch::Contains("'target'"));
    CHECK_THROWS_WITH(Progbar({.target = 3, .width = 0}, out, false), Catch::Contains("'width'"));
    CHECK_THROWS_AS(Progbar({.target = 3, .verbose = 3}, out, false), ValueError);
    CHECK_THROWS_AS(Progbar({.target = 3, .interval = -1}, out, false), ValueError);
}

TEST_CASE("is_terminal is false for streams other than the standard ones") {
    std::ostringstream out;
    CHECK_FALSE(is_terminal(out));
}
