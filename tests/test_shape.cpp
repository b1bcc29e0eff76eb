// Shape: sizes, element counts, axes (negative ones too), strides, printing and NumPy
// broadcasting, with the errors each of them raises.
#include <catch2/catch.hpp>
#include <sstream>

#include <minidl/minidl.hpp>

using namespace minidl;

TEST_CASE("a default Shape is a scalar with one element") {
    const Shape s;
    CHECK(s.rank() == 0);
    CHECK(s.numel() == 1);
    CHECK(s.back() == 1);
    CHECK(s.to_string() == "[]");
    CHECK(s.to_vector().empty());
    CHECK(s.begin() == s.end());
}

TEST_CASE("Shape reports rank, sizes and element count") {
    const Shape s{2, 3, 4};
    CHECK(s.rank() == 3);
    CHECK(s.numel() == 24);
    CHECK(s[0] == 2);
    CHECK(s[2] == 4);
    CHECK(s.back() == 4);
    CHECK(s.to_vector() == std::vector<int64_t>{2, 3, 4});
    CHECK(Shape{5, 0, 3}.numel() == 0);
}

TEST_CASE("Shape can be built from a vector or a span and grown with push_back") {
    const std::vector<int64_t> sizes{7, 1, 2};
    CHECK(Shape(sizes) == Shape{7, 1, 2});
    CHECK(Shape(std::span<const int64_t>(sizes)) == Shape{7, 1, 2});
    Shape s;
    s.push_back(3);
    s.push_back(5);
    CHECK(s == Shape{3, 5});
    s[1] = 6;
    CHECK(s == Shape{3, 6});
}

TEST_CASE("size() accepts negative axes and rejects out-of-range ones") {
    const Shape s{2, 3, 4};
    CHECK(s.size(0) == 2);
    CHECK(s.size(-1) == 4);
    CHECK(s.size(-3) == 2);
    CHECK_THROWS_AS(s.size(3), IndexError);
    CHECK_THROWS_AS(s.size(-4), IndexError);
    CHECK_THROWS_WITH(s.size(3), Catch::Contains("axis 3") && Catch::Contains("[2, 3, 4]"));
    CHECK_THROWS_AS(Shape{}.size(0), IndexError);
}

TEST_CASE("normalize_axis maps negative axes and names the calling op in its error") {
    const Shape s{2, 3};
    CHECK(s.normalize_axis(-1, "op") == 1);
    CHECK(s.normalize_axis(-2, "op") == 0);
    CHECK(s.normalize_axis(1, "op") == 1);
    CHECK_THROWS_WITH(s.normalize_axis(2, "my_op"),
                      "my_op: axis 2 is out of range for shape [2, 3]");
    CHECK_THROWS_WITH(s.normalize_axis(-3, "my_op"),
                      "my_op: axis -3 is out of range for shape [2, 3]");
}

TEST_CASE("Shape rejects negative sizes and ranks above kMaxRank") {
    CHECK_THROWS_AS((Shape{2, -1}), ValueError);
    CHECK_THROWS_WITH((Shape{2, -1}), Catch::Contains("negative size -1"));
    const std::vector<int64_t> at_max(Shape::kMaxRank, 1);
    CHECK(Shape(at_max).rank() == Shape::kMaxRank);
    const std::vector<int64_t> too_many(Shape::kMaxRank + 1, 1);
    CHECK_THROWS_AS(Shape(too_many), ValueError);
    CHECK_THROWS_WITH(Shape(too_many), Catch::Contains("rank"));
}

TEST_CASE("strides are row-major in elements") {
    const auto strides = Shape{2, 3, 4}.strides();
    CHECK(strides[0] == 12);
    CHECK(strides[1] == 4);
    CHECK(strides[2] == 1);
    CHECK(Shape{5}.strides()[0] == 1);
}

TEST_CASE("Shapes compare by rank and sizes, and print as [a, b]") {
    CHECK(Shape{2, 3} == Shape{2, 3});
    CHECK_FALSE(Shape{2, 3} == Shape{3, 2});
    CHECK_FALSE(Shape{1, 3} == Shape{3});
    CHECK_FALSE(Shape{} == Shape{1});
    CHECK(Shape{3, 4}.to_string() == "[3, 4]");
    std::ostringstream os;
    os << Shape{1, 2, 3};
    CHECK(os.str() == "[1, 2, 3]");
}

TEST_CASE("broadcast_shapes follows NumPy's rules") {
    struct Case {
        Shape a, b, expected;
    };
    const std::vector<Case> cases{
        {{2, 3}, {2, 3}, {2, 3}},
        {{2, 3}, {3}, {2, 3}},
        {{3}, {2, 3}, {2, 3}},
        {{3, 1}, {1, 4}, {3, 4}},
        {{1, 4}, {3, 1}, {3, 4}},
        {{}, {2, 3}, {2, 3}},
        {{2, 3}, {}, {2, 3}},
        {{}, {}, {}},
        {{2, 1, 3}, {4, 1}, {2, 4, 3}},
        {{1}, {5, 2}, {5, 2}},
        {{0}, {1}, {0}},
        {{4, 0}, {1, 1}, {4, 0}},
        {{8, 1, 6, 1}, {7, 1, 5}, {8, 7, 6, 5}},
    };
    for (const Case& c : cases) {
        INFO(c.a << " with " << c.b);
        CHECK(broadcast_shapes(c.a, c.b, "test") == c.expected);
    }
}

TEST_CASE("broadcast_shapes names the op and both shapes when they are incompatible") {
    CHECK_THROWS_AS(broadcast_shapes({2, 3}, {4}, "add"), ShapeError);
    CHECK_THROWS_WITH(broadcast_shapes({2, 3}, {4}, "add"),
                      "add: cannot broadcast [2, 3] with [4]");
    CHECK_THROWS_WITH(broadcast_shapes({0}, {2}, "mul"), "mul: cannot broadcast [0] with [2]");
    CHECK_THROWS_AS(broadcast_shapes({2, 3, 4}, {3, 1, 4}, "sub"), ShapeError);
}
