// `minidl train`, `evaluate` and `predict` end to end, running the built program on CSV files
// written here: a waveform classifier that must reach 90% test accuracy, a forecaster that must
// beat persistence, and a run resumed from its checkpoint that must equal the uninterrupted one.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "minidl/tools/csv_table.hpp"
#include "minidl/tools/dataset.hpp"

using namespace minidl;
using minidl::testing::run_minidl;
using minidl::testing::TemporaryFolder;
using minidl::testing::write_text;

namespace {

/// The architectures of docs/cli.md's worked examples. The forecaster has no InputLayer: its
/// first layer declares the input shape, which --normalize moves onto the Normalization layer it
/// puts in front.
const std::filesystem::path kClassifier =
    std::filesystem::path(MINIDL_SOURCE_DIR) / "examples/cli/waveform_classifier.json";
const std::filesystem::path kForecaster =
    std::filesystem::path(MINIDL_SOURCE_DIR) / "examples/cli/load_forecaster.json";

/// The value of `name` in a line such as "loss: 0.1234 - accuracy: 0.9500" of `text`.
double logged(const std::string& text, const std::string& name) {
    std::size_t at = text.find(name + ": ");
    while (at != std::string::npos && at != 0 && text[at - 1] != ' ' && text[at - 1] != '\n')
        at = text.find(name + ": ", at + 1);
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + name.size() + 2));
}

nlohmann::json read_json(const std::filesystem::path& path) {
    return nlohmann::json::parse(testing::read_file(path));
}

}  // namespace

TEST_CASE("minidl train learns to classify waveforms from a CSV with string labels") {
    const TemporaryFolder folder("minidl_cli_classify");
    std::filesystem::copy_file(kClassifier, folder.path / "arch.json");
    write_text(folder.path / "train.csv", examples::waveform_csv(300, 32, 1));
    write_text(folder.path / "test.csv", examples::waveform_csv(90, 32, 2));

    const testing::ProgramRun train = run_minidl(
        folder.path, {"train",     "--model",         "arch.json",   "--data",
                      "train.csv", "--out",           "model.json",  "--shape",
                      "32,1",      "--epochs",        "15",          "--batch-size",
                      "16",        "--learning-rate", "0.02",        "--validation-split",
                      "0.2",       "--seed",          "3",           "--verbose",
                      "2",         "--history",       "history.csv", "--plot",
                      "curves.svg"});
    INFO(train.out << train.err);
    REQUIRE(train.exit_code == 0);
    CHECK_THAT(train.out, Catch::Contains("Epoch 15/15") && Catch::Contains("val_accuracy: "));
    CHECK(std::filesystem::exists(folder.path / "history.csv"));
    CHECK(std::filesystem::exists(folder.path / "curves.svg"));
    const nlohmann::json data = read_json(folder.path / "model.json")["metadata"]["data"];
    CHECK(data["classes"] == nlohmann::json({"saw", "sine", "square"}));
    CHECK(data["target_name"] == "shape");

    const testing::ProgramRun evaluate = run_minidl(
        folder.path, {"evaluate", "--model", "model.json", "--data", "test.csv", "--verbose", "0"});
    INFO(evaluate.out << evaluate.err);
    REQUIRE(evaluate.exit_code == 0);
    CHECK(logged(evaluate.out, "accuracy") >= 0.9);

    // predict takes the file with or without its label column and writes the label texts.
    const testing::ProgramRun predict =
        run_minidl(folder.path, {"predict", "--model", "model.json", "--data", "test.csv", "--out",
                                 "pred.csv", "--verbose", "0"});
    INFO(predict.err);
    REQUIRE(predict.exit_code == 0);
    const tools::CsvTable predictions = tools::read_csv(folder.path / "pred.csv");
    const tools::CsvTable truth = tools::read_csv(folder.path / "test.csv");
    CHECK(predictions.header ==
          std::vector<std::string>{"shape", "prob_saw", "prob_sine", "prob_square"});
    REQUIRE(predictions.rows.size() == truth.rows.size());
    int correct = 0;
    for (std::size_t i = 0; i < truth.rows.size(); ++i)
        correct += predictions.rows[i][0] == truth.rows[i].back() ? 1 : 0;
    CHECK(correct >= 81);

    // Training a trained model further reads the data as the first run did (no --shape).
    const testing::ProgramRun again =
        run_minidl(folder.path, {"train", "--model", "model.json", "--data", "train.csv", "--out",
                                 "tuned.json", "--epochs", "1", "--verbose", "0"});
    INFO(again.err);
    CHECK(again.exit_code == 0);
}

TEST_CASE("minidl train forecasts a series better than persistence") {
    const TemporaryFolder folder("minidl_cli_forecast");
    std::filesystem::copy_file(kForecaster, folder.path / "arch.json");
    write_text(folder.path / "series.csv", examples::series_csv(600, 4));
    const std::vector<std::string> window = {"--window", "24",       "--horizon",
                                             "3",        "--target", "load"};

    std::vector<std::string> train_args = {
        "train",      "--model",     "arch.json",       "--data", "series.csv",         "--out",
        "model.json", "--normalize", "--epochs",        "40",     "--validation-split", "0.25",
        "--seed",     "11",          "--learning-rate", "0.01",   "--verbose",          "0"};
    train_args.insert(train_args.end(), window.begin(), window.end());
    const testing::ProgramRun train = run_minidl(folder.path, train_args);
    INFO(train.out << train.err);
    REQUIRE(train.exit_code == 0);

    // The series' last 25% was held out (not shuffled in): evaluate on it alone.
    const tools::CsvTable series = tools::read_csv(folder.path / "series.csv");
    std::string tail = "phase,load\n";
    for (std::size_t row = 450; row < series.rows.size(); ++row)
        tail += series.rows[row][0] + "," + series.rows[row][1] + "\n";
    write_text(folder.path / "tail.csv", tail);
    const tools::SeriesLayout layout{.window = 24, .horizon = 3, .target = "load"};
    const double persistence =
        tools::persistence_mae(tools::read_csv(folder.path / "tail.csv"), layout);

    std::vector<std::string> evaluate_args = {"evaluate", "--model",   "model.json", "--data",
                                              "tail.csv", "--verbose", "0"};
    const testing::ProgramRun evaluate = run_minidl(folder.path, evaluate_args);
    INFO(evaluate.out << evaluate.err);
    REQUIRE(evaluate.exit_code == 0);
    const double mae = logged(evaluate.out, "mae");
    INFO("model MAE " << mae << ", persistence MAE " << persistence);
    CHECK(mae < 0.5 * persistence);
    // evaluate prints the persistence baseline for a series, to 4 decimals.
    CHECK(logged(evaluate.out, "persistence_mae") == Approx(persistence).margin(6e-5));

    const testing::ProgramRun predict =
        run_minidl(folder.path, {"predict", "--model", "model.json", "--data", "tail.csv", "--out",
                                 "pred.csv", "--verbose", "0"});
    REQUIRE(predict.exit_code == 0);
    const tools::CsvTable predictions = tools::read_csv(folder.path / "pred.csv");
    CHECK(predictions.header == std::vector<std::string>{"load"});
    CHECK(predictions.rows.size() == 150 - 24 + 1);
}

TEST_CASE("minidl train --resume continues exactly as the uninterrupted run") {
    const TemporaryFolder folder("minidl_cli_resume");
    std::filesystem::copy_file(kClassifier, folder.path / "arch.json");
    write_text(folder.path / "train.csv", examples::waveform_csv(96, 32, 5));
    const std::vector<std::string> common = {
        "--model", "arch.json",    "--data", "train.csv",          "--shape", "32,1",      "--seed",
        "7",       "--batch-size", "16",     "--validation-split", "0.25",    "--verbose", "0"};
    const auto train = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"train"};
        args.insert(args.end(), common.begin(), common.end());
        args.insert(args.end(), extra.begin(), extra.end());
        const testing::ProgramRun run = run_minidl(folder.path, args);
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
    };
    // Output folders that do not exist yet are made before training.
    train({"--epochs", "4", "--out", "runs/whole.json", "--history", "runs/whole.csv"});
    train({"--epochs", "2", "--out", "half.json", "--checkpoint", "ckpt.json"});
    train({"--epochs", "4", "--out", "resumed.json", "--resume", "ckpt.json", "--history",
           "resumed.csv"});

    const nlohmann::json whole = read_json(folder.path / "runs/whole.json");
    const nlohmann::json resumed = read_json(folder.path / "resumed.json");
    CHECK(resumed["weights"] == whole["weights"]);
    CHECK(testing::read_file(folder.path / "resumed.csv") ==
          testing::read_file(folder.path / "runs/whole.csv"));
    CHECK(read_json(folder.path / "half.json")["weights"] != whole["weights"]);
}
