#include <catch2/catch.hpp>
#include <cmath>

#include <minidl/minidl.hpp>
#include "minidl/train/history.hpp"
#include "minidl/train/logs.hpp"

using namespace minidl;

TEST_CASE("Logs keep insertion order and overwrite in place") {
    Logs logs{{"loss", 0.5}, {"accuracy", 0.75}};
    logs.set("val_loss", 0.625);
    logs.set("loss", 0.25);
    std::vector<std::string> names;
    for (const auto& [name, value] : logs) names.push_back(name);
    CHECK(names == std::vector<std::string>{"loss", "accuracy", "val_loss"});
    CHECK(logs.at("loss") == 0.25);
    CHECK(logs.size() == 3);
    CHECK_FALSE(logs.get("lr").has_value());
}

TEST_CASE("Logs::at names the missing entry and the ones present") {
    const Logs logs{{"loss", 0.5}, {"accuracy", 0.75}};
    CHECK_THROWS_AS(logs.at("val_loss"), ValueError);
    CHECK_THROWS_WITH(logs.at("val_loss"),
                      Catch::Contains("'val_loss'") && Catch::Contains("loss, accuracy"));
    CHECK_THROWS_WITH(Logs{}.at("loss"), Catch::Contains("(none)"));
}

TEST_CASE("History records one value per epoch for every name, NaN where missing") {
    History history;
    history.record(2, {{"loss", 1.0}, {"lr", 0.01}});
    history.record(3, {{"loss", 0.5}, {"val_loss", 0.75}, {"lr", 0.01}});
    history.record(4, {{"loss", 0.25}});

    CHECK(history.epoch() == std::vector<int64_t>{2, 3, 4});
    CHECK(history.keys() == std::vector<std::string>{"loss", "lr", "val_loss"});
    CHECK(history["loss"] == std::vector<double>{1.0, 0.5, 0.25});
    const auto& val_loss = history["val_loss"];
    REQUIRE(val_loss.size() == 3);
    CHECK(std::isnan(val_loss[0]));
    CHECK(val_loss[1] == 0.75);
    CHECK(std::isnan(val_loss[2]));
    CHECK(std::isnan(history["lr"][2]));
    CHECK(history.contains("lr"));
    CHECK_FALSE(history.contains("accuracy"));
}

TEST_CASE("History::operator[] names the missing series and the ones present") {
    History history;
    history.record(0, {{"loss", 1.0}, {"accuracy", 0.5}});
    CHECK_THROWS_AS(history["val_accuracy"], ValueError);
    CHECK_THROWS_WITH(history["val_accuracy"],
                      Catch::Contains("'val_accuracy'") && Catch::Contains("loss, accuracy"));
}

TEST_CASE("History: recording the last epoch again replaces it; truncate_from and extend") {
    History history;
    history.record(0, {{"loss", 1.0}});
    history.record(1, {{"loss", 0.5}});
    history.record(1, {{"loss", 0.4}, {"lr", 0.1}});
    CHECK(history.epoch() == std::vector<int64_t>{0, 1});
    CHECK(history["loss"] == std::vector<double>{1.0, 0.4});
    CHECK(std::isnan(history["lr"][0]));
    CHECK(history["lr"][1] == 0.1);

    History later;
    later.record(2, {{"accuracy", 0.75}, {"loss", 0.25}});
    history.extend(later);
    CHECK(history.epoch() == std::vector<int64_t>{0, 1, 2});
    CHECK(history.keys() == std::vector<std::string>{"loss", "lr", "accuracy"});
    CHECK(history["loss"] == std::vector<double>{1.0, 0.4, 0.25});
    CHECK(std::isnan(history["lr"][2]));
    CHECK(std::isnan(history["accuracy"][0]));
    CHECK(history["accuracy"][2] == 0.75);

    history.truncate_from(1);
    CHECK(history.epoch() == std::vector<int64_t>{0});
    CHECK(history["loss"] == std::vector<double>{1.0});
}

TEST_CASE("History from series checks one value per epoch and unique names") {
    const History history({0, 1}, {{"loss", {1.0, 0.5}}, {"lr", {0.1, 0.1}}});
    CHECK(history.keys() == std::vector<std::string>{"loss", "lr"});
    CHECK(history.series().size() == 2);
    CHECK_THROWS_WITH(History({0, 1}, {{"loss", {1.0}}}),
                      Catch::Contains("'loss' has 1 values for 2 epochs"));
    CHECK_THROWS_WITH(History({0}, {{"loss", {1.0}}, {"loss", {2.0}}}),
                      Catch::Contains("'loss' repeats"));
}

TEST_CASE("Callback::model() before set_model is a ValueError") {
    struct Probe : Callback {};
    Probe probe;
    CHECK_THROWS_WITH(probe.model(), Catch::Contains("set_model"));
}
