// Parameter (core/parameter.cpp): handle semantics, the trainable flag, and the regularizer and
// constraint rules an optimizer applies.

#include <catch2/catch.hpp>
#include <vector>

#include <minidl/minidl.hpp>

#include "test_support.hpp"

using namespace minidl;

namespace {

Tensor sample() { return tensor({1.0f, -2.0f, 3.0f, -4.0f}, {2, 2}); }

// 0.5 * sum w^2, written with core ops so it is differentiable.
Tensor half_sum_of_squares(const Tensor& w) { return sum(square(w)) * 0.5f; }

}  // namespace

TEST_CASE("Parameter copies are handles to one weight", "[parameter]") {
    const Parameter weight("dense/kernel", sample());
    const Parameter copy = weight;
    CHECK(copy.is_same(weight));

    copy.data()[0] = 7.0f;
    CHECK(weight.data()[0] == 7.0f);

    copy.set_name("renamed/kernel");
    CHECK(weight.name() == "renamed/kernel");

    copy.set_trainable(false);
    CHECK_FALSE(weight.trainable());
    CHECK_FALSE(weight.requires_grad());
}

TEST_CASE("Parameter construction", "[parameter]") {
    const Parameter trainable("w", sample());
    CHECK(trainable.trainable());
    CHECK(trainable.requires_grad());
    CHECK(trainable.is_leaf());
    CHECK(trainable.name() == "w");
    CHECK_FALSE(trainable.regularizer());
    CHECK_FALSE(trainable.constraint());

    const Parameter frozen("w", sample(), {}, {}, false);
    CHECK_FALSE(frozen.trainable());
    CHECK_FALSE(frozen.requires_grad());

    CHECK_THROWS_AS(Parameter("w", Tensor()), ValueError);
    CHECK_THROWS_WITH(Parameter("w", Tensor()), Catch::Contains("'w'"));

    Tensor leaf = sample();
    leaf.requires_grad_(true);
    const Tensor not_a_leaf = leaf * 2.0f;
    CHECK_THROWS_AS(Parameter("scaled", not_a_leaf), AutogradError);
    CHECK_THROWS_WITH(Parameter("scaled", not_a_leaf), Catch::Contains("'scaled'"));
}

TEST_CASE("Parameter::set_trainable toggles requires_grad and drops the gradient", "[parameter]") {
    const Parameter weight("w", sample());
    sum(weight * 3.0f).backward();
    REQUIRE(weight.grad().defined());

    weight.set_trainable(false);
    CHECK_FALSE(weight.trainable());
    CHECK_FALSE(weight.requires_grad());
    CHECK_FALSE(weight.grad().defined());
    // A frozen weight is not part of a new graph.
    CHECK_FALSE((weight * 2.0f).requires_grad());

    weight.set_trainable(true);
    CHECK(weight.trainable());
    CHECK(weight.requires_grad());
    CHECK((weight * 2.0f).requires_grad());
}

TEST_CASE("Parameter::penalty evaluates the regularizer on the current value", "[parameter]") {
    const Parameter plain("w", sample());
    CHECK_FALSE(plain.penalty().defined());

    const Parameter weight("w", sample(), half_sum_of_squares);
    CHECK(weight.penalty().item() == 15.0f);  // 0.5 * (1 + 4 + 9 + 16)

    weight.data()[3] = 0.0f;
    CHECK(weight.penalty().item() == 7.0f);

    // Differentiable in the weight: d(0.5 sum w^2)/dw = w.
    weight.penalty().backward();
    CHECK(weight.grad().to_vector() == std::vector<float>{1.0f, -2.0f, 3.0f, 0.0f});
}

TEST_CASE("Parameter::apply_constraint replaces the value without recording a graph",
          "[parameter]") {
    bool grad_was_enabled = true;
    const Parameter weight("w", sample(), {}, [&](const Tensor& w) {
        grad_was_enabled = grad_enabled() && w.requires_grad();
        return clamp(w, -2.5f, 2.5f);
    });
    weight.apply_constraint();
    CHECK(weight.to_vector() == std::vector<float>{1.0f, -2.0f, 2.5f, -2.5f});
    CHECK_FALSE(grad_was_enabled);
    CHECK(weight.is_leaf());
    CHECK(weight.requires_grad());
    CHECK(weight.grad_fn_name().empty());

    // Without a constraint nothing changes.
    const Parameter plain("w", sample());
    plain.apply_constraint();
    CHECK(plain.to_vector() == sample().to_vector());
}

TEST_CASE("Parameter::assign copies values in place and checks the shape", "[parameter]") {
    const Parameter weight("layer/kernel", sample());
    const float* storage = weight.data();
    weight.assign(tensor({5.0f, 6.0f, 7.0f, 8.0f}, {2, 2}));
    CHECK(weight.to_vector() == std::vector<float>{5.0f, 6.0f, 7.0f, 8.0f});
    CHECK(weight.data() == storage);
    CHECK(weight.requires_grad());

    const Tensor wrong = tensor({1.0f, 2.0f, 3.0f, 4.0f}, {4});
    CHECK_THROWS_AS(weight.assign(wrong), ShapeError);
    CHECK_THROWS_WITH(weight.assign(wrong), Catch::Contains("layer/kernel") &&
                                                Catch::Contains("[4]") &&
                                                Catch::Contains("[2, 2]"));
    CHECK(weight.to_vector() == std::vector<float>{5.0f, 6.0f, 7.0f, 8.0f});
}

TEST_CASE("an undefined Parameter is nameless and rule-free", "[parameter]") {
    const Parameter none;
    CHECK_FALSE(none.defined());
    CHECK(none.name().empty());
    CHECK_FALSE(none.regularizer());
    CHECK_FALSE(none.constraint());
    CHECK_FALSE(none.penalty().defined());
    none.apply_constraint();  // nothing to do
    CHECK_THROWS_AS(none.set_name("x"), ValueError);

    const Parameter weight("layer/bias", sample());
    CHECK_THROWS_AS(weight.assign(Tensor()), ValueError);
    CHECK_THROWS_WITH(weight.assign(Tensor()), Catch::Contains("layer/bias"));
}
