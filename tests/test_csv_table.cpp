// CSV tables of the `minidl` program (tools/csv_table.cpp): RFC 4180 parsing (quotes, CRLF, BOM,
// blank lines), header detection, numbers, columns by name or index, every error with its line
// and column, and write_csv read back by read_csv.

#include <catch2/catch.hpp>
#include <filesystem>

#include "minidl/core/error.hpp"
#include "minidl/tools/csv_table.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::tools::CsvTable;
using minidl::tools::parse_csv;
using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("parse_csv reads a header, the rows and each row's line") {
    const CsvTable table = parse_csv("a,b,label\n1,2.5,cat\n-3, 4e2 ,dog\n", "t.csv");
    CHECK(table.source == "t.csv");
    CHECK(table.header == std::vector<std::string>{"a", "b", "label"});
    CHECK(table.rows == Rows{{"1", "2.5", "cat"}, {"-3", "4e2", "dog"}});
    CHECK(table.line_numbers == std::vector<int64_t>{2, 3});
    CHECK(table.columns() == 3);
    CHECK(table.number(1, 1) == 400.0);
    CHECK(table.column_name(2) == "label");
    CHECK(table.where(1, 2) == "t.csv:3:3");
}

TEST_CASE("parse_csv reads quoted cells with commas, doubled quotes and line ends") {
    const CsvTable table = parse_csv(
        "x,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,  \"padded\"  \n5,\"\"\n",
        "q.csv");
    REQUIRE(table.rows.size() == 5);
    CHECK(table.rows[0][1] == "a, b");
    CHECK(table.rows[1][1] == "say \"hi\"");
    CHECK(table.rows[2][1] == "two\nlines");
    CHECK(table.rows[3][1] == "padded");
    CHECK(table.rows[4][1].empty());
    // The quoted line end counts: the row after it starts on line 6.
    CHECK(table.line_numbers == std::vector<int64_t>{2, 3, 4, 6, 7});
}

TEST_CASE("parse_csv accepts CRLF, a byte-order mark, blank lines and no final line end") {
    const CsvTable table = parse_csv("\xEF\xBB\xBFh1,h2\r\n\r\n1,2\r\n   \r\n3,4", "w.csv");
    CHECK(table.header == std::vector<std::string>{"h1", "h2"});
    CHECK(table.rows == Rows{{"1", "2"}, {"3", "4"}});
    CHECK(table.line_numbers == std::vector<int64_t>{3, 5});
    const CsvTable old_mac = parse_csv("1,2\r3,4\r", "mac.csv");
    CHECK(old_mac.rows == Rows{{"1", "2"}, {"3", "4"}});
    CHECK(old_mac.line_numbers == std::vector<int64_t>{1, 2});
}

TEST_CASE("parse_csv tells a header from a data row") {
    SECTION("a name above a number is a header") {
        const CsvTable table = parse_csv("x,1\n2,y\n", "h.csv");
        CHECK(table.header == std::vector<std::string>{"x", "1"});
        CHECK(table.rows == Rows{{"2", "y"}});
    }
    SECTION("numbers and string labels without a header are all data") {
        const CsvTable table = parse_csv("1,2,cat\n3,4,dog\n", "d.csv");
        CHECK(table.header.empty());
        CHECK(table.rows.size() == 2);
        CHECK(table.line_numbers.front() == 1);
        CHECK(table.column_name(2) == "2");
    }
    SECTION("a single row with a number is data") {
        const CsvTable table = parse_csv("label,1\n", "one.csv");
        CHECK(table.header.empty());
        CHECK(table.rows == Rows{{"label", "1"}});
    }
    SECTION("a single row of names is a header without data") {
        REQUIRE_THROWS_AS(parse_csv("a,b\n", "names.csv"), IOError);
        REQUIRE_THROWS_WITH(parse_csv("a,b\n", "names.csv"),
                            Catch::Contains("names.csv: empty: no data rows") &&
                                Catch::Contains("header in line 1"));
    }
    SECTION("columns of text only cannot show a header: the first row is data") {
        CHECK(parse_csv("name,label\nfoo,cat\n", "text.csv").rows.size() == 2);
    }
}

TEST_CASE("parse_csv names the line and column of every malformed input") {
    REQUIRE_THROWS_WITH(parse_csv("", "e.csv"), "e.csv: empty: no data rows");
    REQUIRE_THROWS_WITH(parse_csv("\xEF\xBB\xBF\r\n  \n", "e.csv"), "e.csv: empty: no data rows");
    REQUIRE_THROWS_AS(parse_csv("a,b,c\n1,2,3\n4,5\n", "r.csv"), IOError);
    REQUIRE_THROWS_WITH(parse_csv("a,b,c\n1,2,3\n\n4,5\n", "r.csv"),
                        "r.csv:4: 2 cells, expected 3 as in line 1");
    REQUIRE_THROWS_WITH(parse_csv("\n1\n1,2\n", "r.csv"),
                        "r.csv:3: 2 cells, expected 1 as in line 2");
    REQUIRE_THROWS_WITH(parse_csv("a,b\n1,\"open\n2,3\n", "u.csv"),
                        Catch::StartsWith("u.csv:2:2: unterminated quoted cell"));
    REQUIRE_THROWS_WITH(parse_csv("a,b\n1,x\"y\n", "s.csv"),
                        Catch::StartsWith("s.csv:2:2: quote inside an unquoted cell"));
    REQUIRE_THROWS_WITH(parse_csv("a,b\n\"1\nx\"y,2\n", "s.csv"),
                        Catch::StartsWith("s.csv:3:1: text after the closing quote"));
    REQUIRE_THROWS_WITH(parse_csv("a,,c\n1,2,3\n", "n.csv"),
                        "n.csv:1:2: empty column name in the header");
    REQUIRE_THROWS_WITH(parse_csv("\na,b,a\n1,2,3\n", "n.csv"),
                        "n.csv:2:3: column name 'a' repeats column 1");
}

TEST_CASE("CsvTable::number accepts signs and exponents and refuses other text") {
    const CsvTable table =
        parse_csv("a,b,c,d,e,f\n+1.5,-2e-3,.5,nan,abc,\n7,inf,-Infinity,1e999,+-1,+\n", "n.csv");
    CHECK(table.number(0, 0) == 1.5);
    CHECK(table.number(0, 1) == -2e-3);
    CHECK(table.number(0, 2) == 0.5);
    CHECK(table.number(1, 0) == 7.0);
    REQUIRE_THROWS_AS(table.number(0, 4), IOError);
    REQUIRE_THROWS_WITH(table.number(0, 4), "n.csv:2:5: 'abc' is not a number");
    REQUIRE_THROWS_WITH(table.number(0, 3),
                        "n.csv:2:4: 'nan' is not a number (NaN and infinity are not accepted)");
    REQUIRE_THROWS_WITH(table.number(1, 1), Catch::StartsWith("n.csv:3:2: 'inf' is not a number"));
    REQUIRE_THROWS_WITH(table.number(1, 2), Catch::Contains("infinity are not accepted"));
    REQUIRE_THROWS_WITH(table.number(1, 3), Catch::Contains("'1e999' is not a number (out of"));
    REQUIRE_THROWS_WITH(table.number(0, 5), "n.csv:2:6: '' is not a number (the cell is empty)");
    REQUIRE_THROWS_WITH(table.number(1, 4), "n.csv:3:5: '+-1' is not a number");
    REQUIRE_THROWS_WITH(table.number(1, 5), "n.csv:3:6: '+' is not a number");
    REQUIRE_THROWS_AS(table.number(2, 0), IndexError);
    REQUIRE_THROWS_AS(table.number(0, 6), IndexError);
    CHECK(table.is_numeric(0));
    CHECK_FALSE(table.is_numeric(1));
}

TEST_CASE("CsvTable::column_index finds a column by name, index or negative index") {
    const CsvTable named = parse_csv("a,b,3\n1,2,3\n", "c.csv");
    CHECK(named.column_index("b") == 1);
    CHECK(named.column_index("0") == 0);
    CHECK(named.column_index("-1") == 2);
    CHECK(named.column_index("-3") == 0);
    CHECK(named.column_index("3") == 2);  // the header name, not an index out of range
    REQUIRE_THROWS_AS(named.column_index("z"), ValueError);
    REQUIRE_THROWS_WITH(named.column_index("z"), "c.csv: unknown column 'z' (columns: a, b, 3)");
    REQUIRE_THROWS_WITH(named.column_index("-4"), Catch::Contains("unknown column '-4'"));
    REQUIRE_THROWS_WITH(named.column_index(""), Catch::Contains("unknown column ''"));

    const CsvTable bare = parse_csv("1,2\n3,4\n", "bare.csv");
    CHECK(bare.column_index("1") == 1);
    REQUIRE_THROWS_WITH(bare.column_index("2"), "bare.csv: unknown column '2' (columns: 0, 1)");
}

TEST_CASE("write_csv quotes what needs it, and read_csv reads the same table back") {
    const testing::TemporaryFolder folder("minidl_csv_");
    const std::filesystem::path path = folder.path / "out.csv";
    const std::vector<std::string> header = {"id", "text, quoted", "value"};
    const Rows rows = {{"1", "say \"hi\"", "0.5"},
                       {"2", "two\r\nlines", "-1"},
                       {"3", " padded ", "1e3"},
                       {"4", "", "7"}};
    tools::write_csv(path, header, rows);
    CHECK(testing::read_file(path).starts_with("id,\"text, quoted\",value\n1,\"say \"\"hi\"\"\""));
    const CsvTable table = tools::read_csv(path);
    CHECK(table.source == path.string());
    CHECK(table.header == header);
    CHECK(table.rows == rows);
    CHECK(table.line_numbers == std::vector<int64_t>{2, 3, 5, 6});

    // One empty cell in a row of one would be a blank line: it is quoted.
    tools::write_csv(path, {}, {{"1"}, {""}, {"2"}});
    CHECK(tools::read_csv(path).rows == Rows{{"1"}, {""}, {"2"}});

    REQUIRE_THROWS_AS(tools::write_csv(path, header, {{"1", "2"}}), ValueError);
    REQUIRE_THROWS_WITH(tools::write_csv(path, header, {{"1", "2"}}),
                        Catch::Contains("row 1 has 2 cells, expected 3"));
    CHECK(tools::read_csv(path).rows.size() == 3);  // the failed write left the file alone
}

TEST_CASE("read_csv names a file it cannot read") {
    const testing::TemporaryFolder folder("minidl_csv_");
    const std::filesystem::path missing = folder.path / "missing.csv";
    REQUIRE_THROWS_AS(tools::read_csv(missing), IOError);
    REQUIRE_THROWS_WITH(tools::read_csv(missing), Catch::Contains(missing.string()));
    REQUIRE_THROWS_WITH(tools::read_csv(folder.path), Catch::Contains("it is a directory"));
}
