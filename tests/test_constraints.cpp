// Constraints (layers/constraints.cpp): hand-computed projections for the axes the layers use
// (depthwise, pointwise and bias weights), shape checks, Keras names and tf.keras 2.x JSON.

#include <catch2/catch.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/layers/constraints.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::constraints::Constraint;
namespace con = minidl::constraints;

namespace {

/// Values equal to `expected` up to the 1e-7 that Keras adds to each norm.
void check_values(const Tensor& actual, const Shape& shape, const std::vector<float>& expected) {
    REQUIRE(actual.shape() == shape);
    const std::vector<float> values = actual.to_vector();
    REQUIRE(values.size() == expected.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        INFO("element " << i);
        CHECK(values[i] == Approx(expected[i]).margin(1e-6).epsilon(1e-6));
    }
}

// A depthwise kernel (k, C, M) = (3, 2, 2); element [j, c, m] is at j * 4 + c * 2 + m. The taps of
// the four (c, m) columns are (3, 4, 0) of norm 5, (1, 2, 2) of norm 3, zeros, and (0.6, 0, 0.8)
// of norm 1.
Tensor depthwise_kernel() {
    return tensor({3.0f, 1.0f, 0.0f, 0.6f,  //
                   4.0f, 2.0f, 0.0f, 0.0f,  //
                   0.0f, 2.0f, 0.0f, 0.8f},
                  {3, 2, 2});
}

// A pointwise kernel (1, C * M, F) = (1, 4, 3); the fan-ins of the three filters are
// (1, 2, 2, 4) of norm 5, (0.5, -0.5, 0.5, -0.5) of norm 1 and (0, 3, 0, -4) of norm 5.
Tensor pointwise_kernel() {
    return tensor({1.0f, 0.5f, 0.0f,   //
                   2.0f, -0.5f, 3.0f,  //
                   2.0f, 0.5f, 0.0f,   //
                   4.0f, -0.5f, -4.0f},
                  {1, 4, 3});
}

std::string dump(const Constraint& constraint) { return constraint.to_json().dump(); }

Constraint parse(const std::string& text) {
    return Constraint::from_json(Json::parse(text), "depthwise_constraint");
}

/// A rank-4 (n, n, 1, kernels) kernel whose kernel k holds 100 k + 10 row + column.
Tensor radial_input(int64_t n, int64_t kernels) {
    Tensor w = zeros({n, n, 1, kernels});
    for (int64_t r = 0; r < n; ++r) {
        for (int64_t c = 0; c < n; ++c) {
            for (int64_t k = 0; k < kernels; ++k) {
                w.at({r, c, 0, k}) = static_cast<float>(100 * k + 10 * r + c);
            }
        }
    }
    return w;
}

/// Kernel k of a rank-4 (n, n, 1, kernels) tensor, row by row.
std::vector<float> radial_kernel(const Tensor& w, int64_t k) {
    std::vector<float> values;
    for (int64_t r = 0; r < w.size(0); ++r) {
        for (int64_t c = 0; c < w.size(1); ++c) values.push_back(w.at({r, c, 0, k}));
    }
    return values;
}

}  // namespace

TEST_CASE("MaxNorm on a depthwise kernel, axis 0: per (c, m) over the k taps", "[constraints]") {
    // Scales min(n, 2) / n: 2/5 for column 0, 2/3 for column 1, 1 for column 3.
    const std::vector<float> expected = {1.2f, 2.0f / 3, 0.0f, 0.6f,  //
                                         1.6f, 4.0f / 3, 0.0f, 0.0f,  //
                                         0.0f, 4.0f / 3, 0.0f, 0.8f};
    check_values(con::MaxNorm()(depthwise_kernel()), {3, 2, 2}, expected);
    check_values(con::MaxNorm(2.0, {-3})(depthwise_kernel()), {3, 2, 2}, expected);
    check_values(Constraint("max_norm")(depthwise_kernel()), {3, 2, 2}, expected);

    SECTION("norms inside the bound stay (up to epsilon)") {
        const Tensor w = depthwise_kernel();
        check_values(con::MaxNorm(5.0)(w), {3, 2, 2}, w.to_vector());
    }
}

TEST_CASE("MaxNorm on a pointwise kernel", "[constraints]") {
    SECTION("axis 0 has size 1: clamps each |w| to max_value") {
        check_values(con::MaxNorm()(pointwise_kernel()), {1, 4, 3},
                     {1.0f, 0.5f, 0.0f, 2.0f, -0.5f, 2.0f, 2.0f, 0.5f, 0.0f, 2.0f, -0.5f, -2.0f});
    }
    SECTION("axis [0, 1]: per filter over its fan-in") {
        const float s = 0.4f;  // 2 / 5 for filters 0 and 2; filter 1 has norm 1
        check_values(
            con::MaxNorm(2.0, {0, 1})(pointwise_kernel()), {1, 4, 3},
            {1 * s, 0.5f, 0.0f, 2 * s, -0.5f, 3 * s, 2 * s, 0.5f, 0.0f, 4 * s, -0.5f, -4 * s});
    }
}

TEST_CASE("MaxNorm on a bias, axis 0: the whole vector", "[constraints]") {
    check_values(con::MaxNorm()(tensor({3.0f, 0.0f, -4.0f, 0.0f})), {4}, {1.2f, 0.0f, -1.6f, 0.0f});
    check_values(con::MaxNorm(0.0)(tensor({3.0f, -4.0f})), {2}, {0.0f, 0.0f});
    // An empty axis list is Keras's axis=None: the norm of every element.
    check_values(con::MaxNorm(2.0, {})(tensor({3.0f, 0.0f, 0.0f, 4.0f}, {2, 2})), {2, 2},
                 {1.2f, 0.0f, 0.0f, 1.6f});
}

TEST_CASE("MinMaxNorm: rate * clip(n, min, max) + (1 - rate) * n", "[constraints]") {
    const Tensor bias = tensor({3.0f, 0.0f, 4.0f, 0.0f});  // norm 5
    // rate 0.5, [1, 2]: desired 0.5 * 2 + 0.5 * 5 = 3.5.
    check_values(con::MinMaxNorm(1.0, 2.0, 0.5)(bias), {4}, {2.1f, 0.0f, 2.8f, 0.0f});
    // A norm of 0.5 below min 1: desired 0.5 * 1 + 0.5 * 0.5 = 0.75, so scale 1.5.
    const Tensor small = tensor({0.3f, -0.4f});
    check_values(con::MinMaxNorm(1.0, 2.0, 0.5)(small), {2}, {0.45f, -0.6f});
    check_values(con::MinMaxNorm(1.0, 2.0)(small), {2}, {0.6f, -0.8f});
    check_values(con::MinMaxNorm(1.0, 2.0, 0.0)(small), {2}, {0.3f, -0.4f});
    // Defaults [0, 1], rate 1, axis 0, per depthwise column: unit norm where the norm is above 1.
    check_values(
        con::MinMaxNorm()(depthwise_kernel()), {3, 2, 2},
        {0.6f, 1.0f / 3, 0.0f, 0.6f, 0.8f, 2.0f / 3, 0.0f, 0.0f, 0.0f, 2.0f / 3, 0.0f, 0.8f});
    // Inside [1, 2] nothing moves.
    check_values(con::MinMaxNorm(1.0, 2.0, 0.5)(tensor({0.6f, 0.8f})), {2}, {0.6f, 0.8f});
}

TEST_CASE("UnitNorm: w / (eps + n)", "[constraints]") {
    check_values(
        con::UnitNorm()(depthwise_kernel()), {3, 2, 2},
        {0.6f, 1.0f / 3, 0.0f, 0.6f, 0.8f, 2.0f / 3, 0.0f, 0.0f, 0.0f, 2.0f / 3, 0.0f, 0.8f});
    check_values(con::UnitNorm({0, 1})(pointwise_kernel()), {1, 4, 3},
                 {0.2f, 0.5f, 0.0f, 0.4f, -0.5f, 0.6f, 0.4f, 0.5f, 0.0f, 0.8f, -0.5f, -0.8f});
    // A zero vector stays zero instead of dividing by zero.
    check_values(con::UnitNorm()(zeros({3})), {3}, {0.0f, 0.0f, 0.0f});
}

TEST_CASE("NonNeg zeroes negative weights", "[constraints]") {
    check_values(con::NonNeg()(tensor({-1.0f, 0.0f, 2.0f, -0.5f, 3.0f, -7.0f}, {2, 3})), {2, 3},
                 {0.0f, 0.0f, 2.0f, 0.0f, 3.0f, 0.0f});
    CHECK_NOTHROW(con::NonNeg().check_shape({7}, "bias"));
}

TEST_CASE("RadialConstraint rebuilds each kernel from its diagonal as Keras 2 does",
          "[constraints]") {
    const Constraint radial = con::RadialConstraint();
    SECTION("4 x 4: the central 2 x 2 takes w[1, 1], the border w[3, 3]") {
        const Tensor result = radial(radial_input(4, 2));
        REQUIRE(result.shape() == Shape({4, 4, 1, 2}));
        for (int64_t k = 0; k < 2; ++k) {
            const float a = 100.0f * k + 11, b = 100.0f * k + 33;
            CHECK(radial_kernel(result, k) ==
                  std::vector<float>{b, b, b, b, b, a, a, b, b, a, a, b, b, b, b, b});
        }
    }
    SECTION("3 x 3: the centre takes w[0, 0], the border w[1, 1]") {
        CHECK(radial_kernel(radial(radial_input(3, 1)), 0) ==
              std::vector<float>{11, 11, 11, 11, 0, 11, 11, 11, 11});
    }
    SECTION("5 x 5: rings take w[3, 3], w[2, 2], and the centre w[1, 1]") {
        CHECK(radial_kernel(radial(radial_input(5, 1)), 0) ==
              std::vector<float>{33, 33, 33, 33, 33,  //
                                 33, 22, 22, 22, 33,  //
                                 33, 22, 11, 22, 33,  //
                                 33, 22, 22, 22, 33,  //
                                 33, 33, 33, 33, 33});
    }
    SECTION("2 x 2: every tap takes w[0, 0]") {
        CHECK(radial_kernel(radial(radial_input(2, 1)), 0) == std::vector<float>{0, 0, 0, 0});
    }
    SECTION("only rank-4 square kernels") {
        CHECK_NOTHROW(radial.check_shape({3, 3, 2, 4}, "kernel"));
        CHECK_THROWS_AS(radial.check_shape({3, 2, 2}, "depthwise_kernel"), ValueError);
        CHECK_THROWS_WITH(radial.check_shape({3, 2, 2}, "depthwise_kernel"),
                          Catch::Contains("depthwise_kernel") && Catch::Contains("[3, 2, 2]"));
        CHECK_THROWS_WITH(radial.check_shape({4}, "bias"), Catch::Contains("'bias'"));
        CHECK_THROWS_AS(radial.check_shape({3, 4, 1, 1}, "kernel"), ValueError);
        CHECK_THROWS_AS(radial(depthwise_kernel()), ValueError);
    }
}

TEST_CASE("constraint shape checks name the weight and the axis", "[constraints]") {
    CHECK_NOTHROW(con::MaxNorm(2.0, {0, 1}).check_shape({1, 4, 3}, "pointwise_kernel"));
    CHECK_NOTHROW(con::MaxNorm(2.0, {-1}).check_shape({4}, "bias"));
    CHECK_THROWS_AS(con::MaxNorm(2.0, {3}).check_shape({3, 2, 2}, "depthwise_kernel"), ValueError);
    CHECK_THROWS_WITH(con::MaxNorm(2.0, {3}).check_shape({3, 2, 2}, "depthwise_kernel"),
                      Catch::Contains("'depthwise_kernel'") && Catch::Contains("axis 3"));
    CHECK_THROWS_WITH(con::UnitNorm({1}).check_shape({4}, "bias"),
                      Catch::Contains("'bias'") && Catch::Contains("axis 1"));
    CHECK_THROWS_WITH(con::MinMaxNorm(0, 1, 1, {-4}).check_shape({1, 4, 3}, "pointwise_kernel"),
                      Catch::Contains("'pointwise_kernel'") && Catch::Contains("axis -4"));
    CHECK_THROWS_WITH(con::MaxNorm(2.0, {0, -3}).check_shape({1, 4, 3}, "pointwise_kernel"),
                      Catch::Contains("repeated"));
    CHECK_THROWS_AS(con::MaxNorm(2.0, {1})(tensor({1.0f, 2.0f})), ValueError);
    CHECK_NOTHROW(Constraint().check_shape({3}, "bias"));
}

TEST_CASE("constraint arguments are validated", "[constraints]") {
    CHECK_THROWS_AS(con::MaxNorm(-1.0), ValueError);
    CHECK_THROWS_WITH(con::MaxNorm(-1.0), Catch::Contains("max_value") && Catch::Contains("-1"));
    CHECK_THROWS_WITH(con::MinMaxNorm(-0.5, 1.0), Catch::Contains("min_value"));
    CHECK_THROWS_WITH(con::MinMaxNorm(2.0, 1.0), Catch::Contains("max_value"));
    CHECK_THROWS_WITH(con::MinMaxNorm(0.0, 1.0, 1.5), Catch::Contains("rate"));
    CHECK_THROWS_WITH(con::MinMaxNorm(0.0, 1.0, -0.1), Catch::Contains("rate"));
    CHECK_NOTHROW(con::MinMaxNorm(1.0, 1.0, 0.0));

    CHECK_THROWS_AS(Constraint()(depthwise_kernel()), ValueError);
    CHECK_THROWS_WITH(Constraint()(depthwise_kernel()), Catch::Contains("empty constraint"));
}

TEST_CASE("constraints built from Keras names", "[constraints]") {
    for (const char* name : {"max_norm", "MaxNorm", "maxnorm", "MAX_NORM"}) {
        CHECK(dump(Constraint(name)) == dump(con::MaxNorm()));
    }
    for (const char* name : {"non_neg", "NonNeg", "nonneg"}) {
        CHECK(dump(Constraint(name)) == dump(con::NonNeg()));
    }
    for (const char* name : {"unit_norm", "UnitNorm", "unitnorm"}) {
        CHECK(dump(Constraint(name)) == dump(con::UnitNorm()));
    }
    CHECK(dump(Constraint("min_max_norm")) == dump(con::MinMaxNorm()));
    CHECK(dump(Constraint(std::string("radial_constraint"))) == dump(con::RadialConstraint()));
    CHECK_THROWS_AS(Constraint("max_nrm"), ValueError);
    CHECK_THROWS_WITH(Constraint("max_nrm"),
                      Catch::Contains("'max_nrm'") && Catch::Contains("max_norm"));
}

TEST_CASE("constraint configs are Keras's get_config", "[constraints]") {
    CHECK(dump(con::MaxNorm()) == R"({"class_name":"MaxNorm","config":{"max_value":2,"axis":0}})");
    CHECK(dump(con::MaxNorm(2.5, {0, 1})) ==
          R"({"class_name":"MaxNorm","config":{"max_value":2.5,"axis":[0,1]}})");
    CHECK(dump(con::MaxNorm(3.0, {})) ==
          R"({"class_name":"MaxNorm","config":{"max_value":3,"axis":null}})");
    CHECK(
        dump(con::MinMaxNorm()) ==
        R"({"class_name":"MinMaxNorm","config":{"min_value":0.0,"max_value":1.0,"rate":1.0,"axis":0}})");
    CHECK(
        dump(con::MinMaxNorm(0.5, 2.0, 0.25, {-1})) ==
        R"({"class_name":"MinMaxNorm","config":{"min_value":0.5,"max_value":2.0,"rate":0.25,"axis":-1}})");
    CHECK(dump(con::UnitNorm()) == R"({"class_name":"UnitNorm","config":{"axis":0}})");
    CHECK(dump(con::UnitNorm({0, 1})) == R"({"class_name":"UnitNorm","config":{"axis":[0,1]}})");
    CHECK(dump(con::NonNeg()) == R"({"class_name":"NonNeg","config":{}})");
    CHECK(dump(con::RadialConstraint()) == R"({"class_name":"RadialConstraint","config":{}})");
    CHECK(Constraint().to_json().is_null());
    CHECK(Constraint(nullptr).to_json().is_null());
}

TEST_CASE("constraints read from JSON", "[constraints]") {
    SECTION("null is no constraint") {
        CHECK_FALSE(static_cast<bool>(Constraint::from_json(nullptr, "bias_constraint")));
    }
    SECTION("names and both object formats") {
        CHECK(dump(Constraint::from_json("max_norm", "k")) == dump(con::MaxNorm()));
        CHECK(dump(parse(
                  R"({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1]}})")) ==
              dump(con::MaxNorm(3.0, {0, 1})));
        CHECK(dump(parse(R"({"module": "keras.constraints", "class_name": "MaxNorm",
                             "config": {"max_value": 2, "axis": 0}, "registered_name": null})")) ==
              dump(con::MaxNorm()));
        CHECK(
            dump(parse(R"({"class_name": "MinMaxNorm", "config": {"rate": 0.5, "axis": [1]}})")) ==
            dump(con::MinMaxNorm(0.0, 1.0, 0.5, {1})));
        CHECK(dump(parse(R"({"class_name": "UnitNorm", "config": {"axis": null}})")) ==
              dump(con::UnitNorm({})));
        CHECK(dump(parse(R"({"class_name": "UnitNorm", "config": {}})")) == dump(con::UnitNorm()));
        CHECK(dump(parse(R"({"class_name": "NonNeg", "config": {}})")) == dump(con::NonNeg()));
    }
    SECTION("round trips keep the values") {
        for (const Constraint& original :
             {con::MaxNorm(), con::MaxNorm(1.5, {0, 1}), con::MinMaxNorm(0.5, 2.0, 0.25, {-1}),
              con::UnitNorm({0, 1}), con::NonNeg(), con::RadialConstraint(), con::UnitNorm({})}) {
            const Json json = original.to_json();
            const Constraint copy = Constraint::from_json(json, "pointwise_constraint");
            CHECK(copy.to_json().dump() == json.dump());
        }
        const Constraint copy = Constraint::from_json(con::MaxNorm(2.0, {0, 1}).to_json(), "k");
        check_values(copy(pointwise_kernel()), {1, 4, 3},
                     con::MaxNorm(2.0, {0, 1})(pointwise_kernel()).to_vector());
    }
    SECTION("errors name the key and the argument") {
        CHECK_THROWS_AS(parse(R"({"class_name": "MaxNorm", "config": {"m": 2}})"), ValueError);
        CHECK_THROWS_WITH(parse(R"({"class_name": "MaxNorm", "config": {"m": 2}})"),
                          Catch::Contains("depthwise_constraint") && Catch::Contains("'m'"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "MaxNorm", "config": {"axis": "0"}})"),
                          Catch::Contains("depthwise_constraint") && Catch::Contains("'axis'"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "MaxNorm", "config": {"axis": [0, 1.5]}})"),
                          Catch::Contains("'axis'"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "MaxNorm", "config": {"max_value": -2}})"),
                          Catch::Contains("depthwise_constraint") && Catch::Contains("max_value"));
        CHECK_THROWS_WITH(
            parse(R"({"class_name": "MinMaxNorm", "config": {"min_value": 2, "max_value": 1}})"),
            Catch::Contains("max_value"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "MinMaxNorm", "config": {"rate": 2}})"),
                          Catch::Contains("rate"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "NonNeg", "config": {"axis": 0}})"),
                          Catch::Contains("'axis'"));
        CHECK_THROWS_WITH(parse(R"({"class_name": "Clip", "config": {}})"),
                          Catch::Contains("depthwise_constraint") && Catch::Contains("'Clip'"));
        CHECK_THROWS_AS(parse("[1]"), ValueError);
    }
}
