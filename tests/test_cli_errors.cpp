// The `minidl` program on bad input: every bad-CSV case is exit code 1 with the file, line and
// column on stderr and nothing written; a bad command line is exit code 2.
#include <catch2/catch.hpp>

#include "cli_test_support.hpp"

using namespace minidl;
using minidl::testing::run_minidl;
using minidl::testing::TemporaryFolder;
using minidl::testing::write_text;

namespace {

const std::string kDense = testing::keras_sequential({
    R"({"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "in"}})",
    R"({"class_name": "Dense", "config": {"name": "out", "units": 1}})",
});

struct BadData {
    const char* what;
    std::string csv;
    std::vector<std::string> options;
    std::string message;
};

}  // namespace

TEST_CASE("minidl train refuses bad CSV files, naming the place, and writes nothing") {
    const std::vector<BadData> cases = {
        {"a ragged row", "a,b,y\n1,2,3\n4,5\n6,7,8\n", {}, "data.csv:3: 2 cells, expected 3"},
        {"a cell that is not a number", "a,b,y\n1,2,3\n4,x5,6\n", {}, "data.csv:3:2: 'x5'"},
        {"an empty file", "", {}, "data.csv: empty"},
        {"a header only", "a,b,y\n", {}, "data.csv: empty"},
        {"an unknown label column", "a,b,y\n1,2,3\n", {"--label", "z"}, "unknown column 'z'"},
        {"an unterminated quote", "a,b,y\n1,\"2,3\n", {}, "data.csv:2"},
        {"too few rows for the window",
         "a,b\n1,2\n3,4\n5,6\n",
         {"--window", "3", "--horizon", "2", "--target", "b"},
         "3 rows are too few for --window 3 --horizon 2"},
        {"an unknown target",
         "a,b\n1,2\n3,4\n5,6\n",
         {"--window", "1", "--target", "c"},
         "unknown column 'c'"},
    };
    for (const BadData& bad : cases) {
        DYNAMIC_SECTION(bad.what) {
            const TemporaryFolder folder("minidl_cli_bad_csv");
            write_text(folder.path / "arch.json", kDense);
            write_text(folder.path / "data.csv", bad.csv);
            std::vector<std::string> args = {"train",    "--model",   "arch.json",  "--data",
                                             "data.csv", "--out",     "model.json", "--history",
                                             "h.csv",    "--verbose", "0"};
            args.insert(args.end(), bad.options.begin(), bad.options.end());
            const testing::ProgramRun run = run_minidl(folder.path, args);
            CHECK(run.exit_code == 1);
            CHECK_THAT(run.err, Catch::StartsWith("minidl: ") && Catch::Contains(bad.message));
            CHECK_FALSE(std::filesystem::exists(folder.path / "model.json"));
            CHECK_FALSE(std::filesystem::exists(folder.path / "h.csv"));
        }
    }
}

TEST_CASE("minidl evaluate and predict refuse data that does not fit the trained model") {
    const TemporaryFolder folder("minidl_cli_mismatch");
    write_text(folder.path / "arch.json", kDense);
    write_text(folder.path / "train.csv", "a,b,y\n1,2,3\n2,3,5\n3,5,8\n");
    REQUIRE(run_minidl(folder.path, {"train", "--model", "arch.json", "--data", "train.csv",
                                     "--out", "model.json", "--verbose", "0"})
                .exit_code == 0);
    write_text(folder.path / "wide.csv", "a,b,c,y\n1,2,3,4\n");
    const testing::ProgramRun wide = run_minidl(
        folder.path, {"predict", "--model", "model.json", "--data", "wide.csv", "--out", "p.csv"});
    CHECK(wide.exit_code == 1);
    CHECK_THAT(wide.err, Catch::Contains("wide.csv"));
    CHECK_FALSE(std::filesystem::exists(folder.path / "p.csv"));

    write_text(folder.path / "broken.json", "{\"format\": \"minidl.model\", \"version\": 1,");
    const testing::ProgramRun broken =
        run_minidl(folder.path, {"evaluate", "--model", "broken.json", "--data", "train.csv"});
    CHECK(broken.exit_code == 1);
    CHECK_THAT(broken.err, Catch::Contains("broken.json") && Catch::Contains("truncated"));
}

TEST_CASE("a command line that does not make sense is a usage error, exit code 2") {
    const TemporaryFolder folder("minidl_cli_usage");
    write_text(folder.path / "arch.json", kDense);
    write_text(folder.path / "train.csv", "a,b,y\n1,2,3\n");
    const std::vector<std::string> base = {"train", "--model", "arch.json", "--data", "train.csv"};
    const auto with = [&base](std::vector<std::string> extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {with({}), "--out is required"},
        {with({"--out", "m.json", "--epochs", "0"}), "--epochs"},
        {with({"--out", "m.json", "--bogus"}), "--bogus"},
        {with({"--out", "m.json", "--verbose", "3"}), "--verbose"},
        {with({"--out", "m.json", "--window", "2", "--label", "y"}), "--label"},
        {with({"--out", "m.json", "--target", "y"}), "--window"},
        {with({"--out", "m.json", "--shape", "2"}), "--shape"},
        {with({"--out", "m.json", "--validation-split", "0.2", "--validation-data", "v.csv"}),
         "excludes"},
        {{}, "A subcommand is required"},
        {{"fly"}, "fly"},
    };
    for (const auto& [args, message] : cases) {
        const testing::ProgramRun run = run_minidl(folder.path, args);
        INFO(run.err);
        CHECK(run.exit_code == 2);
        CHECK_THAT(run.err, Catch::Contains(message));
    }
    CHECK_FALSE(std::filesystem::exists(folder.path / "m.json"));
}

TEST_CASE("minidl --help lists the commands and exits with 0") {
    const TemporaryFolder folder("minidl_cli_help");
    const testing::ProgramRun help = run_minidl(folder.path, {"--help"});
    CHECK(help.exit_code == 0);
    for (const char* command : {"train", "evaluate", "predict", "summary", "plot"})
        CHECK_THAT(help.out, Catch::Contains(command));
    const testing::ProgramRun train_help = run_minidl(folder.path, {"train", "--help"});
    CHECK(train_help.exit_code == 0);
    CHECK_THAT(train_help.out, Catch::Contains("--early-stopping") && Catch::Contains("--window"));
}
