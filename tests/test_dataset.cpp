// Datasets of the `minidl` program (tools/dataset.cpp): tables of one sample per row (labels by
// name or index, string labels as classes, --shape, predict input), time-series windows checked
// element by element and the persistence forecast's error.

#include <catch2/catch.hpp>

#include "minidl/core/error.hpp"
#include "minidl/tools/dataset.hpp"

using namespace minidl;
using minidl::tools::CsvTable;
using minidl::tools::Dataset;
using minidl::tools::parse_csv;
using minidl::tools::SeriesLayout;
using minidl::tools::TableLayout;
using Floats = std::vector<float>;

namespace {

const CsvTable& numeric_table() {
    static const CsvTable table = parse_csv("a,b,c,y\n1,2,3,10\n4,5,6,20\n7,8,9,30\n", "n.csv");
    return table;
}

/// Rows t = 0..5 of a series: a = 10 t, b = 100 + t, y = t * t.
const CsvTable& series_table() {
    static const CsvTable table =
        parse_csv("a,b,y\n0,100,0\n10,101,1\n20,102,4\n30,103,9\n40,104,16\n50,105,25\n", "s.csv");
    return table;
}

}  // namespace

TEST_CASE("table_dataset takes the last column as the label by default") {
    TableLayout layout;
    const Dataset data = tools::table_dataset(numeric_table(), layout, true);
    CHECK(data.x.shape() == Shape({3, 3}));
    CHECK(data.x.to_vector() == Floats{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(data.y.shape() == Shape({3, 1}));
    CHECK(data.y.to_vector() == Floats{10, 20, 30});
    CHECK(layout.classes.empty());
}

TEST_CASE("table_dataset finds the label by name, index and negative index") {
    for (const char* label : {"b", "1", "-3"}) {
        INFO("label " << label);
        TableLayout layout{.label = label};
        const Dataset data = tools::table_dataset(numeric_table(), layout, true);
        CHECK(data.x.to_vector() == Floats{1, 3, 10, 4, 6, 20, 7, 9, 30});
        CHECK(data.y.to_vector() == Floats{2, 5, 8});
    }
    TableLayout unknown{.label = "z"};
    REQUIRE_THROWS_AS(tools::table_dataset(numeric_table(), unknown, true), ValueError);
    REQUIRE_THROWS_WITH(tools::table_dataset(numeric_table(), unknown, true),
                        Catch::Contains("n.csv: unknown column 'z'"));
}

TEST_CASE("table_dataset maps string labels to sorted classes and keeps them") {
    const CsvTable table = parse_csv("x,kind\n1,dog\n2,cat\n3,dog\n4,emu\n", "k.csv");
    TableLayout layout;
    const Dataset data = tools::table_dataset(table, layout, true);
    CHECK(layout.classes == std::vector<std::string>{"cat", "dog", "emu"});
    CHECK(data.y.to_vector() == Floats{1, 0, 1, 2});
    CHECK(data.x.to_vector() == Floats{1, 2, 3, 4});

    // Numbers among the labels are classes too once one label is not a number.
    const CsvTable mixed = parse_csv("1,10\n2,x\n3,9\n", "m.csv");
    TableLayout mixed_layout;
    CHECK(tools::table_dataset(mixed, mixed_layout, true).y.to_vector() == Floats{0, 2, 1});
    CHECK(mixed_layout.classes == std::vector<std::string>{"10", "9", "x"});
}

TEST_CASE("table_dataset maps labels by the classes of training, and names an unseen one") {
    TableLayout layout{.classes = {"ant", "cat", "dog"}};
    const CsvTable known = parse_csv("x,kind\n1,dog\n2,ant\n", "e.csv");
    const Dataset data = tools::table_dataset(known, layout, true, 1);
    CHECK(data.y.to_vector() == Floats{2, 0});
    CHECK(layout.classes.size() == 3);

    const CsvTable unseen = parse_csv("x,kind\n1,dog\n\n2,emu\n", "e.csv");
    REQUIRE_THROWS_AS(tools::table_dataset(unseen, layout, true, 1), IOError);
    REQUIRE_THROWS_WITH(tools::table_dataset(unseen, layout, true, 1),
                        "e.csv:4:2: label 'emu' is not one of the classes the model was trained "
                        "with (ant, cat, dog)");

    // Trained on numeric labels: a string label is an error, not a new class.
    TableLayout numeric;
    REQUIRE_THROWS_WITH(tools::table_dataset(unseen, numeric, true, 1),
                        "e.csv:2:2: 'dog' is not a number");
    CHECK(numeric.classes.empty());
}

TEST_CASE("table_dataset names a feature cell that is not a float32 number") {
    TableLayout layout;
    REQUIRE_THROWS_AS(tools::table_dataset(parse_csv("a,y\n1,0\nx,1\n", "f.csv"), layout, true),
                      IOError);
    REQUIRE_THROWS_WITH(tools::table_dataset(parse_csv("a,y\n1,0\nx,1\n", "f.csv"), layout, true),
                        "f.csv:3:1: 'x' is not a number");
    REQUIRE_THROWS_WITH(tools::table_dataset(parse_csv("a,y\n1,0\nnan,1\n", "f.csv"), layout, true),
                        Catch::StartsWith("f.csv:3:1: 'nan' is not a number (NaN"));
    REQUIRE_THROWS_WITH(tools::table_dataset(parse_csv("a,y\n1e39,0\n", "f.csv"), layout, true),
                        "f.csv:2:1: '1e39' is too large for float32");
    REQUIRE_THROWS_WITH(tools::table_dataset(parse_csv("y\n1\n", "f.csv"), layout, true),
                        "f.csv: no feature columns: the only column, 'y', is the label");
}

TEST_CASE("table_dataset lays features out as steps and channels with --shape") {
    const CsvTable table = parse_csv("0,1,2,3,4,5,9\n10,11,12,13,14,15,8\n", "sh.csv");
    TableLayout layout{.shape = std::pair<int64_t, int64_t>{3, 2}};
    const Dataset data = tools::table_dataset(table, layout, true);
    REQUIRE(data.x.shape() == Shape({2, 3, 2}));
    CHECK(data.x.at({0, 1, 0}) == 2.0f);  // step 1, channel 0: feature 1 * 2 + 0
    CHECK(data.x.at({1, 2, 1}) == 15.0f);
    CHECK(data.y.to_vector() == Floats{9, 8});

    TableLayout wrong{.shape = std::pair<int64_t, int64_t>{4, 2}};
    REQUIRE_THROWS_AS(tools::table_dataset(table, wrong, true), ValueError);
    REQUIRE_THROWS_WITH(tools::table_dataset(table, wrong, true),
                        "--shape 4,2: the product must equal the 6 feature columns of the table");
    TableLayout empty_steps{.shape = std::pair<int64_t, int64_t>{0, 6}};
    REQUIRE_THROWS_WITH(tools::table_dataset(table, empty_steps, true),
                        "--shape 0,6: the sizes must be at least 1");
}

TEST_CASE("table_dataset for predict: the label may be absent, and is dropped when present") {
    TableLayout layout{.label = "y"};
    const CsvTable without = parse_csv("a,b,c\n1,2,3\n", "p.csv");
    const Dataset bare = tools::table_dataset(without, layout, false, 3);
    CHECK(bare.x.to_vector() == Floats{1, 2, 3});
    CHECK_FALSE(bare.y.defined());

    const Dataset labelled = tools::table_dataset(numeric_table(), layout, false, 3);
    CHECK(labelled.x.to_vector() == Floats{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK_FALSE(labelled.y.defined());

    REQUIRE_THROWS_AS(tools::table_dataset(numeric_table(), layout, true, 2), IOError);
    REQUIRE_THROWS_WITH(tools::table_dataset(numeric_table(), layout, true, 2),
                        "n.csv: 3 feature columns besides the label 'y', but the model was "
                        "trained with 2");
    // Evaluate needs the label column.
    REQUIRE_THROWS_WITH(tools::table_dataset(without, layout, true, 3),
                        Catch::Contains("unknown column 'y'"));
}

TEST_CASE("series_dataset cuts windows of the feature rows and targets after them") {
    const SeriesLayout layout{.window = 2, .horizon = 1, .target = "y", .features = {}};
    const Dataset data = tools::series_dataset(series_table(), layout, true);
    REQUIRE(data.x.shape() == Shape({4, 2, 3}));
    REQUIRE(data.y.shape() == Shape({4, 1}));
    for (int64_t i = 0; i < 4; ++i) {
        for (int64_t step = 0; step < 2; ++step) {
            const auto t = static_cast<float>(i + step);
            INFO("sample " << i << ", step " << step);
            CHECK(data.x.at({i, step, 0}) == 10.0f * t);
            CHECK(data.x.at({i, step, 1}) == 100.0f + t);
            CHECK(data.x.at({i, step, 2}) == t * t);
        }
        const auto target = static_cast<float>(i + 2);
        CHECK(data.y.at({i, 0}) == target * target);
    }
}

TEST_CASE("series_dataset takes the chosen features in order, a horizon, and predict windows") {
    const SeriesLayout layout{.window = 3, .horizon = 2, .target = "-1", .features = {"b", "0"}};
    const Dataset data = tools::series_dataset(series_table(), layout, true);
    REQUIRE(data.x.shape() == Shape({2, 3, 2}));
    CHECK(data.x.to_vector() ==
          Floats{100, 0, 101, 10, 102, 20, /* sample 1 */ 101, 10, 102, 20, 103, 30});
    CHECK(data.y.to_vector() == Floats{16, 25});  // rows 4 and 5

    const Dataset predict = tools::series_dataset(series_table(), layout, false);
    CHECK(predict.x.shape() == Shape({4, 3, 2}));
    CHECK(predict.x.at({3, 2, 0}) == 105.0f);
    CHECK_FALSE(predict.y.defined());
}

TEST_CASE("series_dataset refuses too few rows and malformed options") {
    const CsvTable table = parse_csv("v\n0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", "ten.csv");  // 10 rows
    const SeriesLayout long_window{.window = 8, .horizon = 4, .target = "v", .features = {}};
    REQUIRE_THROWS_AS(tools::series_dataset(table, long_window, true), IOError);
    REQUIRE_THROWS_WITH(tools::series_dataset(table, long_window, true),
                        "ten.csv: 10 rows are too few for --window 8 --horizon 4 (need at least "
                        "12)");
    CHECK(tools::series_dataset(table, long_window, false).x.size(0) == 3);
    const SeriesLayout too_long{.window = 11, .horizon = 1, .target = "", .features = {}};
    REQUIRE_THROWS_WITH(tools::series_dataset(table, too_long, false),
                        "ten.csv: 10 rows are too few for --window 11 (need at least 11)");
    const SeriesLayout exact{.window = 9, .horizon = 1, .target = "", .features = {}};
    CHECK(tools::series_dataset(table, exact, true).y.to_vector() == Floats{9});

    REQUIRE_THROWS_WITH(tools::series_dataset(table, {.window = 0}, true),
                        "--window must be at least 1, got 0");
    REQUIRE_THROWS_WITH(tools::series_dataset(table, {.window = 2, .horizon = 0}, true),
                        "--horizon must be at least 1, got 0");
    const SeriesLayout twice{.window = 2, .horizon = 1, .target = "y", .features = {"a", "-3"}};
    REQUIRE_THROWS_AS(tools::series_dataset(series_table(), twice, true), ValueError);
    REQUIRE_THROWS_WITH(tools::series_dataset(series_table(), twice, true),
                        "s.csv: --features names column 'a' twice");
    const SeriesLayout text_cell{.window = 1, .horizon = 1, .target = "", .features = {}};
    REQUIRE_THROWS_WITH(tools::series_dataset(parse_csv("v\n1\nx\n", "x.csv"), text_cell, true),
                        "x.csv:3:1: 'x' is not a number");
}

TEST_CASE("persistence_mae is the mean error of repeating the window's last target") {
    // Windows of 2, horizon 2: pairs (row 1, row 3), (2, 4), (3, 5) of y = t * t.
    const SeriesLayout layout{.window = 2, .horizon = 2, .target = "y", .features = {}};
    CHECK(tools::persistence_mae(series_table(), layout) == Approx((8.0 + 12.0 + 16.0) / 3.0));
    const SeriesLayout too_long{.window = 5, .horizon = 2, .target = "y", .features = {}};
    REQUIRE_THROWS_WITH(tools::persistence_mae(series_table(), too_long),
                        Catch::Contains("6 rows are too few"));
}
