// Broadcasting arithmetic, scalar variants, comparisons and where: forward values (by hand and
// against a naive broadcasting reference), gradients in every broadcasting direction, and the
// shape errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;
using ScalarFn = std::function<float(float, float)>;

/// A broadcasting binary op, its scalar definition, and the input ranges on which its
/// gradient is smooth (div needs b away from 0, pow needs a > 0).
struct BinaryOp {
    const char* name;
    BinaryFn op;
    ScalarFn reference;
    float a_low = -2.0f, a_high = 2.0f;
    float b_low = -2.0f, b_high = 2.0f;
};

const std::vector<BinaryOp>& differentiable_binary_ops() {
    static const std::vector<BinaryOp> ops{
        {"add", [](auto& a, auto& b) { return add(a, b); }, [](float x, float y) { return x + y; }},
        {"sub", [](auto& a, auto& b) { return sub(a, b); }, [](float x, float y) { return x - y; }},
        {"mul", [](auto& a, auto& b) { return mul(a, b); }, [](float x, float y) { return x * y; }},
        {"div", [](auto& a, auto& b) { return div(a, b); }, [](float x, float y) { return x / y; },
         -2.0f, 2.0f, 0.5f, 2.0f},
        {"maximum", [](auto& a, auto& b) { return maximum(a, b); },
         [](float x, float y) { return std::max(x, y); }},
        {"minimum", [](auto& a, auto& b) { return minimum(a, b); },
         [](float x, float y) { return std::min(x, y); }},
        {"pow", [](auto& a, auto& b) { return pow(a, b); },
         [](float x, float y) { return std::pow(x, y); }, 0.5f, 2.0f, -1.5f, 1.5f},
    };
    return ops;
}

const std::vector<BinaryOp>& comparison_ops() {
    static const std::vector<BinaryOp> ops{
        {"greater", [](auto& a, auto& b) { return greater(a, b); },
         [](float x, float y) { return x > y ? 1.0f : 0.0f; }},
        {"greater_equal", [](auto& a, auto& b) { return greater_equal(a, b); },
         [](float x, float y) { return x >= y ? 1.0f : 0.0f; }},
        {"less", [](auto& a, auto& b) { return less(a, b); },
         [](float x, float y) { return x < y ? 1.0f : 0.0f; }},
        {"less_equal", [](auto& a, auto& b) { return less_equal(a, b); },
         [](float x, float y) { return x <= y ? 1.0f : 0.0f; }},
        {"equal", [](auto& a, auto& b) { return equal(a, b); },
         [](float x, float y) { return x == y ? 1.0f : 0.0f; }},
    };
    return ops;
}

struct ShapePair {
    Shape a, b;
};

/// Same shapes, and broadcasting in every direction: trailing, leading, both at once, scalars.
const std::vector<ShapePair>& broadcast_cases() {
    static const std::vector<ShapePair> cases{
        {{2, 3}, {2, 3}}, {{2, 3}, {3}},       {{3}, {2, 3}}, {{3, 1}, {1, 4}},
        {{1, 4}, {3, 1}}, {{}, {2, 3}},        {{2, 3}, {}},  {{}, {}},
        {{2, 3}, {2, 1}}, {{2, 1, 3}, {4, 1}}, {{1}, {2, 2}}, {{2, 1, 1}, {1, 3, 2}},
    };
    return cases;
}

/// out[i] = f(a[i'], b[i'']) computed the slow, obvious way: decompose each output index and
/// map it into each operand (index 0 along its size-1 or missing axes).
std::vector<float> reference_broadcast(const Tensor& a, const Tensor& b, const ScalarFn& f) {
    const Shape out = broadcast_shapes(a.shape(), b.shape(), "reference");
    const auto operand_offset = [&](const Shape& s, const std::vector<int64_t>& index) {
        int64_t offset = 0;
        for (int axis = 0; axis < s.rank(); ++axis) {
            const int64_t i = index[out.rank() - s.rank() + axis];
            offset = offset * s[axis] + (s[axis] == 1 ? 0 : i);
        }
        return offset;
    };
    std::vector<float> result;
    std::vector<int64_t> index(out.rank(), 0);
    for (int64_t flat = 0; flat < out.numel(); ++flat) {
        int64_t rest = flat;
        for (int axis = out.rank() - 1; axis >= 0; --axis) {
            index[axis] = rest % out[axis];
            rest /= out[axis];
        }
        result.push_back(f(a.data()[operand_offset(a.shape(), index)],
                           b.data()[operand_offset(b.shape(), index)]));
    }
    return result;
}

/// Runs `check(op, a, b)` for every broadcast case with inputs drawn from the op's ranges.
template <class Check>
void for_each_broadcast_case(const std::vector<BinaryOp>& ops, const Check& check) {
    Generator gen(1234);
    for (const BinaryOp& op : ops) {
        for (const ShapePair& shapes : broadcast_cases()) {
            INFO(op.name << ": " << shapes.a << " with " << shapes.b);
            const Tensor a = uniform(shapes.a, op.a_low, op.a_high, gen);
            const Tensor b = uniform(shapes.b, op.b_low, op.b_high, gen);
            check(op, a, b);
        }
    }
}

Tensor x123() { return tensor({1, 2, 4}); }

/// A copy of `t` with every value rounded to the nearest integer.
Tensor rounded(const Tensor& t) {
    std::vector<float> values = t.to_vector();
    for (float& v : values) v = std::round(v);
    return tensor(values, t.shape());
}

}  // namespace

// ---- tensor-tensor ops ----

TEST_CASE("binary ops broadcast [3, 1] with [1, 4] to an outer table") {
    const Tensor col = tensor({1, 2, 3}, {3, 1});
    const Tensor row = tensor({10, 20, 30, 40}, {1, 4});
    const Tensor s = col + row;
    CHECK(s.shape() == Shape{3, 4});
    CHECK(s.to_vector() == std::vector<float>{11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43});
    CHECK((row - col).to_vector() ==
          std::vector<float>{9, 19, 29, 39, 8, 18, 28, 38, 7, 17, 27, 37});
    CHECK((col * row).to_vector() ==
          std::vector<float>{10, 20, 30, 40, 20, 40, 60, 80, 30, 60, 90, 120});
}

TEST_CASE("binary ops broadcast rows, columns and scalars, hand-computed") {
    const Tensor m = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
    CHECK((m - tensor({1, 2, 3})).to_vector() == std::vector<float>{0, 0, 0, 3, 3, 3});
    CHECK((tensor({1, 2, 3}) - m).to_vector() == std::vector<float>{0, 0, 0, -3, -3, -3});
    CHECK((m / tensor({1, 2}, {2, 1})).to_vector() == std::vector<float>{1, 2, 3, 2, 2.5f, 3});
    CHECK((scalar(2.0f) * m).to_vector() == std::vector<float>{2, 4, 6, 8, 10, 12});
    CHECK((m / scalar(2.0f)).to_vector() == std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3});
    CHECK(maximum(m, scalar(3.5f)).to_vector() == std::vector<float>{3.5f, 3.5f, 3.5f, 4, 5, 6});
    CHECK(minimum(tensor({2, 5}, {2, 1}), m).to_vector() == std::vector<float>{1, 2, 2, 4, 5, 5});
    CHECK(pow(tensor({2, 3}), tensor({3, 2})).to_vector() == std::vector<float>{8, 9});
    CHECK(pow(tensor({4, 9}), scalar(0.5f)).to_vector() == std::vector<float>{2, 3});
    const Tensor rank0 = scalar(3.0f) + scalar(4.0f);
    CHECK(rank0.rank() == 0);
    CHECK(rank0.item() == 7.0f);
}

TEST_CASE("binary ops match a naive broadcasting reference in every direction") {
    for_each_broadcast_case(differentiable_binary_ops(), [](const BinaryOp& op, const Tensor& a,
                                                            const Tensor& b) {
        const Tensor out = op.op(a, b);
        CHECK(out.shape() == broadcast_shapes(a.shape(), b.shape(), op.name));
        CHECK_THAT(out.to_vector(),
                   Catch::Matchers::Approx(reference_broadcast(a, b, op.reference)).epsilon(1e-6));
    });
}

TEST_CASE("broadcasting is correct when the rows span several parallel chunks") {
    Generator gen(5);
    const Tensor a = randn({70000, 3}, gen);
    const Tensor b = randn({3}, gen);
    const Tensor c = randn({70000, 1}, gen);
    CHECK((a * b).to_vector() == reference_broadcast(a, b, std::multiplies<float>()));
    CHECK((a + c).to_vector() == reference_broadcast(a, c, std::plus<float>()));
    CHECK((c - b).to_vector() == reference_broadcast(c, b, std::minus<float>()));
}

TEST_CASE("binary ops have correct gradients in every broadcasting direction") {
    for_each_broadcast_case(
        differentiable_binary_ops(), [](const BinaryOp& op, const Tensor& a, const Tensor& b) {
            const auto f = [&op](const std::vector<Tensor>& in) { return op.op(in[0], in[1]); };
            CHECK_GRADIENTS(f, {a, b});
        });
}

TEST_CASE("binary ops record their names") {
    Tensor a = tensor({1, 2}).requires_grad_();
    const Tensor b = tensor({3, 4});
    for (const BinaryOp& op : differentiable_binary_ops()) {
        CHECK(op.op(a, b).grad_fn_name() == op.name);
    }
}

TEST_CASE("a gradient reaches only the operands that require one") {
    Tensor x = tensor({1, 2, 3}, {1, 3}).requires_grad_();
    const Tensor c = tensor({1, 2}, {2, 1});
    sum(x * c).backward();
    CHECK(x.grad().shape() == Shape{1, 3});
    CHECK(x.grad().to_vector() == std::vector<float>{3, 3, 3});
    CHECK_FALSE(c.grad().defined());
}

TEST_CASE("using the same tensor for both operands adds both gradients") {
    CHECK_GRADIENTS(
        [](const std::vector<Tensor>& in) { return in[0] * in[0] - in[0] / (in[0] + 5.0f); },
        {tensor({0.5f, -1.0f, 2.0f})});
    Tensor x = tensor({3.0f}).requires_grad_();
    sum(x + x).backward();
    CHECK(x.grad().item() == 2.0f);
}

TEST_CASE("maximum and minimum send the gradient of a tie to the first operand") {
    Tensor a = tensor({1, 2, 5}).requires_grad_();
    Tensor b = tensor({1, 3, 4}).requires_grad_();
    sum(maximum(a, b)).backward();
    CHECK(a.grad().to_vector() == std::vector<float>{1, 0, 1});
    CHECK(b.grad().to_vector() == std::vector<float>{0, 1, 0});
    a.zero_grad();
    b.zero_grad();
    sum(minimum(a, b)).backward();
    CHECK(a.grad().to_vector() == std::vector<float>{1, 1, 0});
    CHECK(b.grad().to_vector() == std::vector<float>{0, 0, 1});
}

TEST_CASE("broadcasting errors name the op and both shapes") {
    const Tensor a = zeros({2, 3});
    const Tensor b = zeros({4});
    for (const auto* ops : {&differentiable_binary_ops(), &comparison_ops()}) {
        for (const BinaryOp& op : *ops) {
            INFO(op.name);
            CHECK_THROWS_AS(op.op(a, b), ShapeError);
            CHECK_THROWS_WITH(op.op(a, b),
                              std::string(op.name) + ": cannot broadcast [2, 3] with [4]");
        }
    }
}

TEST_CASE("broadcasting with a size-0 axis gives an empty result") {
    const Tensor out = ones({3, 1}) + ones({0});
    CHECK(out.shape() == Shape{3, 0});
    CHECK(out.numel() == 0);
    CHECK((ones({0, 1}) * ones({1, 4})).shape() == Shape{0, 4});
    Tensor a = ones({0, 1}).requires_grad_();
    Tensor b = ones({1, 4}).requires_grad_();
    sum(a * b).backward();
    CHECK(a.grad().shape() == Shape{0, 1});
    CHECK(b.grad().to_vector() == std::vector<float>(4, 0.0f));
}

// ---- scalar variants ----

TEST_CASE("scalar variants compute on either side of the operator") {
    struct Case {
        const char* expression;
        std::function<Tensor(const Tensor&)> op;
        std::vector<float> expected;  // for x = [1, 2, 4]
        const char* grad_fn;
    };
    const std::vector<Case> cases{
        {"x + 2", [](auto& x) { return x + 2.0f; }, {3, 4, 6}, "add"},
        {"2 + x", [](auto& x) { return 2.0f + x; }, {3, 4, 6}, "add"},
        {"x - 2", [](auto& x) { return x - 2.0f; }, {-1, 0, 2}, "sub"},
        {"2 - x", [](auto& x) { return 2.0f - x; }, {1, 0, -2}, "sub"},
        {"x * 3", [](auto& x) { return x * 3.0f; }, {3, 6, 12}, "mul"},
        {"3 * x", [](auto& x) { return 3.0f * x; }, {3, 6, 12}, "mul"},
        {"x / 2", [](auto& x) { return x / 2.0f; }, {0.5f, 1, 2}, "div"},
        {"2 / x", [](auto& x) { return 2.0f / x; }, {2, 1, 0.5f}, "div"},
        {"-x", [](auto& x) { return -x; }, {-1, -2, -4}, "neg"},
        {"neg(x)", [](auto& x) { return neg(x); }, {-1, -2, -4}, "neg"},
        {"pow(x, 2)", [](auto& x) { return pow(x, 2.0f); }, {1, 4, 16}, "pow"},
        {"pow(x, 0.5)", [](auto& x) { return pow(x, 0.5f); }, {1, std::sqrt(2.0f), 2}, "pow"},
        {"pow(x, -1)", [](auto& x) { return pow(x, -1.0f); }, {1, 0.5f, 0.25f}, "pow"},
    };
    Generator gen(99);
    for (const Case& c : cases) {
        INFO(c.expression);
        Tensor x = x123().requires_grad_();
        const Tensor y = c.op(x);
        CHECK(y.shape() == x.shape());
        CHECK_THAT(y.to_vector(), Catch::Matchers::Approx(c.expected).epsilon(1e-6));
        CHECK(y.grad_fn_name() == c.grad_fn);
        const auto f = [&c](const std::vector<Tensor>& in) { return c.op(in[0]); };
        CHECK_GRADIENTS(f, {uniform({2, 3}, 0.5f, 2.0f, gen)});
        CHECK_GRADIENTS(f, {scalar(1.5f)});
    }
}

TEST_CASE("pow(x, 0) has a zero gradient, also at x = 0") {
    // Regression: the general derivative g * 0 * x^(-1) is 0 * inf = NaN at x = 0, although
    // x^0 is the constant 1 (PyTorch gives 0).
    Tensor x = tensor({0.0f, 2.0f}).requires_grad_();
    const Tensor y = pow(x, 0.0f);
    CHECK(y.to_vector() == std::vector<float>{1, 1});
    sum(y).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{0, 0});
}

// ---- comparisons and where ----

TEST_CASE("comparisons give 0/1 values, hand-computed") {
    const Tensor a = tensor({1, 2, 3});
    const Tensor b = scalar(2.0f);
    CHECK(greater(a, b).to_vector() == std::vector<float>{0, 0, 1});
    CHECK(greater_equal(a, b).to_vector() == std::vector<float>{0, 1, 1});
    CHECK(less(a, b).to_vector() == std::vector<float>{1, 0, 0});
    CHECK(less_equal(a, b).to_vector() == std::vector<float>{1, 1, 0});
    CHECK(equal(a, b).to_vector() == std::vector<float>{0, 1, 0});
    CHECK(greater(tensor({1, 2, 3}, {3, 1}), tensor({2, 2}, {1, 2})).to_vector() ==
          std::vector<float>{0, 0, 0, 0, 1, 1});
    CHECK(equal(tensor({NAN}), tensor({NAN})).item() == 0.0f);
}

TEST_CASE("comparisons match the reference in every broadcasting direction") {
    for_each_broadcast_case(
        comparison_ops(), [](const BinaryOp& op, const Tensor& a, const Tensor& b) {
            CHECK(op.op(a, b).to_vector() == reference_broadcast(a, b, op.reference));
            // Rounded values tie often, which exercises equal and the *_equal variants.
            const Tensor ia = rounded(a);
            const Tensor ib = rounded(b);
            CHECK(op.op(ia, ib).to_vector() == reference_broadcast(ia, ib, op.reference));
        });
}

TEST_CASE("comparisons are not differentiable") {
    Tensor x = tensor({1, 2}).requires_grad_();
    const Tensor g = greater(x, scalar(1.5f));
    CHECK_FALSE(g.requires_grad());
    CHECK(g.is_leaf());
}

TEST_CASE("where picks from a or b by the mask, broadcasting all three") {
    const Tensor mask = tensor({1, 0, 1}, {3, 1});
    const Tensor a = tensor({1, 2, 3, 4}, {1, 4});
    const Tensor b = scalar(-1.0f);
    const Tensor w = where(mask, a, b);
    CHECK(w.shape() == Shape{3, 4});
    CHECK(w.to_vector() == std::vector<float>{1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4});
    // Any non-zero mask value selects a, including negatives and NaN.
    CHECK(where(tensor({0.5f, -1.0f, 0.0f, NAN}), scalar(1.0f), scalar(0.0f)).to_vector() ==
          std::vector<float>{1, 1, 0, 1});
    // The mask alone may set the result's shape.
    CHECK(where(tensor({1, 0}, {2, 1}), scalar(7.0f), tensor({8, 9})).to_vector() ==
          std::vector<float>{7, 7, 8, 9});
}

TEST_CASE("where's gradient goes to the selected operand, summed over broadcast axes") {
    struct Case {
        Shape mask, a, b;
    };
    const std::vector<Case> cases{
        {{2, 3}, {2, 3}, {2, 3}}, {{3, 1}, {1, 4}, {}}, {{2, 3}, {3}, {2, 1}},
        {{}, {2, 2}, {2, 2}},     {{4}, {}, {}},        {{2, 1, 3}, {1, 2, 1}, {3}},
    };
    Generator gen(8);
    for (const Case& c : cases) {
        INFO("mask " << c.mask << ", a " << c.a << ", b " << c.b);
        const Tensor mask = greater(rand(c.mask, gen), scalar(0.5f));
        const auto f = [](const std::vector<Tensor>& in) { return where(in[0], in[1], in[2]); };
        CHECK_GRADIENTS(f, {mask, randn(c.a, gen), randn(c.b, gen)}, {}, {0});
    }
    Tensor a = tensor({1, 2}).requires_grad_();
    Tensor b = scalar(0.0f).requires_grad_();
    sum(where(tensor({1, 0, 0}, {3, 1}), a, b)).backward();
    CHECK(a.grad().to_vector() == std::vector<float>{1, 1});
    CHECK(b.grad().item() == 4.0f);
}

TEST_CASE("where rejects shapes that do not broadcast") {
    CHECK_THROWS_AS(where(zeros({2}), zeros({3}), zeros({3})), ShapeError);
    CHECK_THROWS_WITH(where(zeros({2}), zeros({3}), zeros({3})),
                      "where: cannot broadcast [2] with [3]");
    CHECK_THROWS_WITH(where(zeros({3}), zeros({2, 3}), zeros({4})),
                      "where: cannot broadcast [2, 3] with [4]");
}

TEST_CASE("maximum and minimum propagate NaN from either operand") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const Tensor with_nan = tensor({nan, 1.0f});
    const Tensor plain = tensor({1.0f, nan});
    for (const Tensor& result : {maximum(with_nan, plain), maximum(plain, with_nan),
                                 minimum(with_nan, plain), minimum(plain, with_nan)}) {
        CHECK(std::isnan(result.data()[0]));
        CHECK(std::isnan(result.data()[1]));
    }
}
