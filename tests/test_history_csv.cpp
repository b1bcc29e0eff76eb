// History CSV files (tools/history_csv.cpp): write_history_csv -> read_history_csv gives the
// values back bit for bit (NaN and infinities too), files of Keras's and minidl's CSVLogger
// read, and every malformed file an IOError pointing at it.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "keras_config_support.hpp"
#include "minidl/core/error.hpp"
#include "minidl/tools/history_csv.hpp"
#include "minidl/train/callbacks.hpp"
#include "test_support.hpp"

using namespace minidl;
namespace fs = std::filesystem;
using testing::io_error_of;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_value = std::numeric_limits<double>::infinity();

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary);
    file << text;
}

/// Whether `a` and `b` hold the same doubles bit for bit (NaN equal to NaN).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) && std::isnan(b[i])) continue;
        if (std::memcmp(&a[i], &b[i], sizeof(double)) != 0) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("write_history_csv then read_history_csv gives the history back exactly") {
    const testing::TemporaryFolder folder("minidl_history_csv_");
    const fs::path file = folder.path / "history.csv";
    // Keras's History order, with metrics that sort the same, so the order survives the file.
    const History history({3, 4, 5}, {{"loss", {static_cast<double>(0.1f), 1e-5, nan_value}},
                                      {"accuracy", {0.25, 1.0 / 3.0, 1.5e16}},
                                      {"val_loss", {inf_value, -inf_value, -0.0}},
                                      {"val_accuracy", {nan_value, 0.5, 123456.789}},
                                      {"lr", {0.001, 0.001, 1e-4}}});
    tools::write_history_csv(file, history);

    const std::string text = testing::read_file(file);
    CHECK(text.rfind("epoch,accuracy,loss,lr,val_accuracy,val_loss\n", 0) == 0);
    CHECK(text.find("\n3,0.25,0.10000000149011612,0.001,nan,inf\n") != std::string::npos);
    CHECK(text.find("\n5,1.5e+16,nan,0.0001,123456.789,-0.0\n") != std::string::npos);

    const History back = tools::read_history_csv(file);
    CHECK(back.epoch() == history.epoch());
    REQUIRE(back.keys() == history.keys());
    for (const std::string& name : history.keys()) {
        INFO(name);
        CHECK(same_bits(back[name], history[name]));
    }
}

TEST_CASE("read_history_csv reads a file of Keras's CSVLogger in Keras's History order") {
    const testing::TemporaryFolder folder("minidl_history_csv_");
    const fs::path file = folder.path / "keras.csv";
    write_text(file,
               "epoch,accuracy,loss,val_accuracy,val_loss\r\n"
               "0,0.5,0.6931471824645996,0.4000000059604645,0.7\r\n"
               "1,0.75,0.5,0.6000000238418579,0.55\r\n");
    const History history = tools::read_history_csv(file);
    CHECK(history.epoch() == std::vector<int64_t>{0, 1});
    CHECK(history.keys() ==
          std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"});
    CHECK(history["loss"] == std::vector<double>{0.6931471824645996, 0.5});
    CHECK(history["accuracy"] == std::vector<double>{0.5, 0.75});
    CHECK(history["val_accuracy"] == std::vector<double>{0.4000000059604645, 0.6000000238418579});
    CHECK(history["val_loss"] == std::vector<double>{0.7, 0.55});
}

TEST_CASE("read_history_csv reads minidl's CSVLogger, whose missing values are NA") {
    const testing::TemporaryFolder folder("minidl_history_csv_");
    const fs::path file = folder.path / "log.csv";
    callbacks::CSVLogger logger({.filename = file});
    Logs none;
    logger.on_train_begin(none);
    // No validation: CSVLogger adds val_ columns holding NA.
    Logs first{{"loss", 0.5}, {"mae", 0.25}};
    logger.on_epoch_end(0, first);
    Logs second{{"loss", 0.375}};
    logger.on_epoch_end(1, second);

    const History history = tools::read_history_csv(file);
    CHECK(history.epoch() == std::vector<int64_t>{0, 1});
    CHECK(history.keys() == std::vector<std::string>{"loss", "mae", "val_loss", "val_mae"});
    CHECK(history["loss"] == std::vector<double>{0.5, 0.375});
    CHECK(history["mae"][0] == 0.25);
    CHECK(std::isnan(history["mae"][1]));
    for (const char* name : {"val_loss", "val_mae"}) {
        INFO(name);
        CHECK(std::isnan(history[name][0]));
        CHECK(std::isnan(history[name][1]));
    }
}

TEST_CASE("read_history_csv reads empty cells and any spelling of nan as NaN") {
    const testing::TemporaryFolder folder("minidl_history_csv_");
    const fs::path file = folder.path / "gaps.csv";
    write_text(file, "epoch,loss,lr\n0,,1\n1,NaN,1\n2,nan,1\n3,0.5,-inf\n");
    const History history = tools::read_history_csv(file);
    const std::vector<double>& loss = history["loss"];
    REQUIRE(loss.size() == 4);
    CHECK(std::isnan(loss[0]));
    CHECK(std::isnan(loss[1]));
    CHECK(std::isnan(loss[2]));
    CHECK(loss[3] == 0.5);
    CHECK(history["lr"] == std::vector<double>{1, 1, 1, -inf_value});
}

TEST_CASE("read_history_csv refuses malformed files, naming file, line and column") {
    const testing::TemporaryFolder folder("minidl_history_csv_");
    const fs::path file = folder.path / "bad.csv";
    const std::string name = file.string();
    const auto error_for = [&](const std::string& text) {
        write_text(file, text);
        return io_error_of([&] { tools::read_history_csv(file); });
    };
    using Catch::Contains;

    SECTION("no epoch column") {
        const std::string message = error_for("step,loss\n0,0.5\n");
        CHECK_THAT(message, Contains(name + ":1:1: no \"epoch\" column"));
        CHECK_THAT(message, Contains("columns: step, loss"));
    }
    SECTION("a header but no rows") {
        CHECK_THAT(error_for("epoch,loss,val_loss\n"), Contains(name) && Contains("no data rows"));
    }
    // Each file and what its error says after the file's name: the line, the column, the problem.
    struct Malformed {
        const char* what;
        const char* text;
        const char* error;
    };
    const Malformed malformed[] = {
        {"no header at all", "0,0.5\n1,0.25\n",
         ":1:1: no \"epoch\" column: the first line is not a header"},
        {"a value that is not a number", "epoch,loss\n0,0.5\n1,abc\n",
         ":3:2: 'abc' is not a number"},
        {"an epoch that is not a number", "epoch,loss\r\n0,0.5\r\n\r\nlast,0.25\r\n",
         ":4:1: 'last' is not a number"},
        {"an epoch that is not whole", "loss,epoch\n0.5,0\n0.25,1.5\n",
         ":3:2: epoch '1.5' is not a whole number"},
        {"an empty epoch", "epoch,loss\n0,0.5\n,0.25\n", ":3:1:"},
        {"an empty file", "", ""},
        {"a ragged row", "epoch,loss\n0,0.5,1\n", ":2"},
    };
    for (const Malformed& file_case : malformed) {
        DYNAMIC_SECTION(file_case.what) {
            CHECK_THAT(error_for(file_case.text), Contains(name + file_case.error));
        }
    }
    SECTION("no file") {
        const fs::path missing = folder.path / "missing.csv";
        CHECK_THAT(io_error_of([&] { tools::read_history_csv(missing); }),
                   Contains(missing.string()));
    }
}

TEST_CASE("write_history_csv names the file it cannot write") {
    const History history({0}, {{"loss", {1.0}}});
    const fs::path file = "/nonexistent_minidl_folder/history.csv";
    CHECK_THAT(io_error_of([&] { tools::write_history_csv(file, history); }),
               Catch::Contains(file.string()));
}
