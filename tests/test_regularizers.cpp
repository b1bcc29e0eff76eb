// Regularizers (layers/regularizers.cpp): penalties against hand-computed values, their
// gradients, Keras names, and tf.keras 2.x JSON (float32 factors, both object formats).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "gradcheck.hpp"
#include "minidl/layers/regularizers.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::regularizers::Regularizer;
namespace reg = minidl::regularizers;

namespace {

// sum|x| = 6.5 and sum x^2 = 14.25, both exact in float32.
Tensor sample() { return tensor({1.0f, -2.0f, 3.0f, -0.5f}, {2, 2}); }

float penalty_of(const Regularizer& regularizer, const Tensor& x = sample()) {
    const Tensor penalty = regularizer(x);
    REQUIRE(penalty.rank() == 0);
    return penalty.item();
}

std::string dump(const Regularizer& regularizer) { return regularizer.to_json().dump(); }

Regularizer parse(const std::string& text) {
    return Regularizer::from_json(Json::parse(text), "kernel_regularizer");
}

/// The penalty applied to a fixed random tensor, for CHECK_GRADIENTS.
testing::Function penalty_function(const Regularizer& regularizer) {
    return [regularizer](const std::vector<Tensor>& inputs) { return regularizer(inputs[0]); };
}

}  // namespace

TEST_CASE("regularizer penalties match Keras's formulas", "[regularizers]") {
    // Powers of two keep the products exact.
    CHECK(penalty_of(reg::L1(0.5)) == 3.25f);
    CHECK(penalty_of(reg::L2(0.25)) == 3.5625f);  // no 1/2 factor
    CHECK(penalty_of(reg::L1L2(0.5, 0.25)) == 3.25f + 3.5625f);
    CHECK(penalty_of(reg::L1L2(0.5, 0.0)) == 3.25f);
    CHECK(penalty_of(reg::L1L2(0.0, 0.25)) == 3.5625f);
    CHECK(penalty_of(reg::L1L2()) == 0.0f);
    // The factor is the float32 of the argument.
    CHECK(penalty_of(reg::L1()) == Approx(0.065).epsilon(1e-6));
    CHECK(penalty_of(reg::L2()) == Approx(0.1425).epsilon(1e-6));
    CHECK(penalty_of(reg::L1(0.1)) == 6.5f * 0.1f);
}

TEST_CASE("regularizers built from Keras names", "[regularizers]") {
    CHECK(penalty_of(Regularizer("l1")) == penalty_of(reg::L1(0.01)));
    CHECK(penalty_of(Regularizer("L1")) == penalty_of(reg::L1(0.01)));
    CHECK(penalty_of(Regularizer("l2")) == penalty_of(reg::L2(0.01)));
    CHECK(penalty_of(Regularizer(std::string("L2"))) == penalty_of(reg::L2(0.01)));
    // The function l1_l2 has factors 0.01; the class L1L2 defaults to 0.
    CHECK(penalty_of(Regularizer("l1_l2")) == penalty_of(reg::L1L2(0.01, 0.01)));
    CHECK(penalty_of(Regularizer("l1_l2")) == Approx(0.065 + 0.1425).epsilon(1e-6));
    CHECK(penalty_of(Regularizer("L1_L2")) == penalty_of(reg::L1L2(0.01, 0.01)));
    CHECK(penalty_of(Regularizer("L1L2")) == 0.0f);
    CHECK(
        dump(Regularizer("l1_l2")) ==
        R"({"class_name":"L1L2","config":{"l1":0.009999999776482582,"l2":0.009999999776482582}})");
    CHECK(dump(Regularizer("L1L2")) == R"({"class_name":"L1L2","config":{"l1":0.0,"l2":0.0}})");

    CHECK_THROWS_AS(Regularizer("l3"), ValueError);
    CHECK_THROWS_WITH(Regularizer("l3"), Catch::Contains("'l3'"));
    CHECK_THROWS_WITH(Regularizer("orthogonal_regularizer"),
                      Catch::Contains("orthogonal_regularizer"));
}

TEST_CASE("regularizer gradients", "[regularizers]") {
    // Values away from 0, where |x| has no derivative.
    const Tensor x = tensor({0.7f, -1.3f, 2.1f, -0.4f, 0.9f, -2.2f}, {2, 3});
    CHECK_GRADIENTS(penalty_function(reg::L1(0.3)), {x});
    CHECK_GRADIENTS(penalty_function(reg::L2(0.3)), {x});
    CHECK_GRADIENTS(penalty_function(reg::L1L2(0.2, 0.7)), {x});
    CHECK_GRADIENTS(penalty_function(Regularizer("l1_l2")), {testing::seeded_randn({4, 5}, 7)});

    SECTION("hand-computed: l1 sign(x) + 2 l2 x, and 0 for |x| at 0") {
        const Tensor w = tensor({1.0f, -2.0f, 0.0f}).requires_grad_();
        reg::L1L2(0.5, 0.25)(w).backward();
        const std::vector<float> expected = {0.5f + 0.5f, -0.5f - 1.0f, 0.0f};
        CHECK(w.grad().to_vector() == expected);
    }
}

TEST_CASE("regularizer configs are tf.keras 2's, with float32 factors", "[regularizers]") {
    CHECK(dump(reg::L2()) == R"({"class_name":"L2","config":{"l2":0.009999999776482582}})");
    CHECK(dump(reg::L1()) == R"({"class_name":"L1","config":{"l1":0.009999999776482582}})");
    CHECK(dump(reg::L2(0.5)) == R"({"class_name":"L2","config":{"l2":0.5}})");
    CHECK(dump(reg::L1L2(0.0, 0.01)) ==
          R"({"class_name":"L1L2","config":{"l1":0.0,"l2":0.009999999776482582}})");
    CHECK(dump(reg::L1(0.1)) == R"({"class_name":"L1","config":{"l1":0.10000000149011612}})");
    CHECK(Regularizer().to_json().is_null());
    CHECK(Regularizer(nullptr).to_json().is_null());
}

TEST_CASE("regularizers read from JSON", "[regularizers]") {
    SECTION("null is no regularizer") {
        const Regularizer none = Regularizer::from_json(nullptr, "kernel_regularizer");
        CHECK_FALSE(static_cast<bool>(none));
        CHECK(none.to_json().is_null());
    }
    SECTION("names") {
        CHECK(dump(Regularizer::from_json("l2", "k")) == dump(reg::L2()));
        CHECK(dump(Regularizer::from_json("l1_l2", "k")) == dump(reg::L1L2(0.01, 0.01)));
    }
    SECTION("tf.keras <= 2.12 objects") {
        const Regularizer l2 = parse(R"({"class_name": "L2", "config": {"l2": 0.5}})");
        CHECK(penalty_of(l2) == 0.5f * 14.25f);
        CHECK(dump(parse(R"({"class_name": "L1", "config": {}})")) == dump(reg::L1()));
        CHECK(dump(parse(R"({"class_name": "L1L2", "config": {"l2": 0.25}})")) ==
              R"({"class_name":"L1L2","config":{"l1":0.0,"l2":0.25}})");
        // The config tf.keras 2.x writes for regularizers.l2() before L2 had its own class.
        const Regularizer legacy =
            parse(R"({"class_name": "L1L2", "config": {"l1": 0, "l2": 0.01}})");
        CHECK(penalty_of(legacy) == penalty_of(reg::L2()));
        // Keras 2.0's keyword "l" for L1 and L2.
        CHECK(dump(parse(R"({"class_name": "L1", "config": {"l": 0.5}})")) == dump(reg::L1(0.5)));
        CHECK(dump(parse(R"({"class_name": "l2", "config": {"l": 0.25}})")) == dump(reg::L2(0.25)));
    }
    SECTION("tf.keras >= 2.13 objects with module and registered_name") {
        const Regularizer l1l2 = parse(
            R"({"module": "keras.regularizers", "class_name": "L1L2",
                "config": {"l1": 0.5, "l2": 0.25}, "registered_name": null})");
        CHECK(penalty_of(l1l2) == 3.25f + 3.5625f);
    }
    SECTION("round trips") {
        for (const Regularizer& original :
             {reg::L1(), reg::L2(0.3), reg::L1L2(), reg::L1L2(0.1, 0.02), Regularizer("l1_l2")}) {
            const Json json = original.to_json();
            const Regularizer copy = Regularizer::from_json(json, "bias_regularizer");
            CHECK(copy.to_json() == json);
            CHECK(penalty_of(copy) == penalty_of(original));
        }
    }
}

TEST_CASE("regularizer errors name the argument or key", "[regularizers]") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(reg::L2(-1), ValueError);
    CHECK_THROWS_WITH(reg::L2(-1), Catch::Contains("l2: must be >= 0, got -1"));
    CHECK_THROWS_WITH(reg::L1(-0.5), Catch::Contains("l1: must be >= 0, got -0.5"));
    CHECK_THROWS_WITH(reg::L1L2(0.0, inf), Catch::Contains("l2:") && Catch::Contains("inf"));
    CHECK_THROWS_WITH(reg::L1L2(std::nan(""), 0.0), Catch::Contains("l1:"));
    CHECK_THROWS_WITH(reg::L1(1e40), Catch::Contains("l1:"));

    CHECK_THROWS_AS(Regularizer()(sample()), ValueError);
    CHECK_THROWS_WITH(Regularizer()(sample()), Catch::Contains("empty regularizer"));

    CHECK_THROWS_AS(parse(R"({"class_name": "L2", "config": {"l1": 0.5}})"), ValueError);
    CHECK_THROWS_WITH(parse(R"({"class_name": "L2", "config": {"l1": 0.5}})"),
                      Catch::Contains("kernel_regularizer") && Catch::Contains("'l1'"));
    CHECK_THROWS_WITH(parse(R"({"class_name": "L2", "config": {"l2": "big"}})"),
                      Catch::Contains("kernel_regularizer") && Catch::Contains("'l2'"));
    CHECK_THROWS_WITH(parse(R"({"class_name": "L2", "config": {"l2": -1}})"),
                      Catch::Contains("kernel_regularizer") && Catch::Contains("l2: must be >= 0"));
    CHECK_THROWS_WITH(parse(R"({"class_name": "Orthogonal", "config": {}})"),
                      Catch::Contains("kernel_regularizer") && Catch::Contains("'Orthogonal'"));
    CHECK_THROWS_WITH(parse(R"("l3")"), Catch::Contains("'l3'"));
    CHECK_THROWS_AS(parse("3"), ValueError);
    CHECK_THROWS_WITH(parse(R"({"class_name": "L2", "config": 5})"),
                      Catch::Contains("kernel_regularizer"));
}
