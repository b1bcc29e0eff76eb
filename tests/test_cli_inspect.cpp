// `minidl summary` and `minidl plot` end to end: Keras's summary table of an architecture and of
// a trained model, and the SVG curves of a history file.
#include <catch2/catch.hpp>

#include "cli_test_support.hpp"

using namespace minidl;
using minidl::testing::run_minidl;
using minidl::testing::TemporaryFolder;
using minidl::testing::write_text;

namespace {

const std::string kArchitecture = testing::keras_sequential({
    R"({"class_name": "InputLayer", "config": {"batch_input_shape": [null, 16, 2], "name": "in"}})",
    R"({"class_name": "SeparableConv1D", "config": {"name": "sep", "filters": 4, "kernel_size": [3]}})",
    R"({"class_name": "GlobalAveragePooling1D", "config": {"name": "pool"}})",
    R"({"class_name": "Dense", "config": {"name": "out", "units": 2}})",
});

int count(const std::string& text, const std::string& part) {
    int found = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++found;
    return found;
}

}  // namespace

TEST_CASE("minidl summary prints Keras's table for an architecture") {
    const TemporaryFolder folder("minidl_cli_summary");
    write_text(folder.path / "arch.json", kArchitecture);
    const testing::ProgramRun run = run_minidl(folder.path, {"summary", "arch.json"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    // sep: 3*2 depthwise + 2*4 pointwise + 4 bias = 18; out: 4*2 + 2 = 10.
    CHECK_THAT(run.out, Catch::Contains("Model: \"sequential\"") &&
                            Catch::Contains("sep (SeparableConv1D)") &&
                            Catch::Contains("(None, 14, 4)") &&
                            Catch::Contains("Total params: 28"));

    write_text(folder.path / "no_shape.json",
               testing::keras_sequential(
                   {R"({"class_name": "Dense", "config": {"name": "d", "units": 2}})"}));
    const testing::ProgramRun unbuilt = run_minidl(folder.path, {"summary", "no_shape.json"});
    CHECK(unbuilt.exit_code == 1);
    CHECK_THAT(unbuilt.err, Catch::Contains("no_shape.json") && Catch::Contains("input shape"));
}

TEST_CASE("minidl plot draws a history's curves, train and validation") {
    const TemporaryFolder folder("minidl_cli_plot");
    write_text(folder.path / "history.csv",
               "epoch,accuracy,loss,lr,val_accuracy,val_loss\n"
               "0,0.5,1.2,0.001,0.45,1.3\n1,0.7,0.8,0.001,0.6,0.9\n2,0.8,0.5,0.001,0.7,0.7\n");
    const testing::ProgramRun run =
        run_minidl(folder.path, {"plot", "history.csv", "--out", "curves.svg"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const std::string svg = testing::read_file(folder.path / "curves.svg");
    CHECK_THAT(svg, Catch::StartsWith("<?xml") || Catch::StartsWith("<svg"));
    CHECK(count(svg, "<polyline") == 4);  // loss, val_loss, accuracy, val_accuracy
    CHECK_THAT(svg, Catch::Contains(">epoch<") && Catch::Contains(">loss<") &&
                        Catch::Contains(">accuracy<"));

    write_text(folder.path / "bad.csv", "epoch,loss\n0,1.0\n1,abc\n");
    const testing::ProgramRun bad = run_minidl(folder.path, {"plot", "bad.csv", "--out", "b.svg"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains("bad.csv:3:2"));
    CHECK_FALSE(std::filesystem::exists(folder.path / "b.svg"));
}
