// View ops: reshape (with -1), flatten, squeeze and unsqueeze. Each result must share the
// input's storage, have the right shape, pass the gradient back in the input's shape, and
// reject bad sizes and axes with a message naming the op.
#include <catch2/catch.hpp>
#include <functional>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

Tensor matrix_2x3() { return tensor({1, 2, 3, 4, 5, 6}, {2, 3}); }

/// A view shares the values: same first element, and a write through it is seen by the base.
void check_is_view_of(const Tensor& view, const Tensor& base) {
    CHECK(view.impl()->storage == base.impl()->storage);
    CHECK(view.data() == base.data());
    CHECK(view.to_vector() == base.to_vector());
    const float saved = base.data()[0];
    view.data()[0] = -123.0f;
    CHECK(base.data()[0] == -123.0f);
    view.data()[0] = saved;
}

struct ViewCase {
    const char* description;
    Shape input;
    std::function<Tensor(const Tensor&)> op;
    Shape expected;
};

const std::vector<ViewCase>& view_cases() {
    static const std::vector<ViewCase> cases{
        {"reshape [2, 3] -> [3, 2]",
         {2, 3},
         [](auto& x) {
             return reshape(x, Shape{3, 2});
         },
         {3, 2}},
        {"reshape to [-1]", {2, 3}, [](auto& x) { return reshape(x, {-1}); }, {6}},
        {"reshape to [3, -1]",
         {2, 3},
         [](auto& x) {
             return reshape(x, {3, -1});
         },
         {3, 2}},
        {"reshape to [-1, 2, 1]",
         {2, 3},
         [](auto& x) {
             return reshape(x, {-1, 2, 1});
         },
         {3, 2, 1}},
        {"reshape scalar to [1, 1]",
         {},
         [](auto& x) {
             return reshape(x, {1, 1});
         },
         {1, 1}},
        {"reshape [1] to scalar", {1}, [](auto& x) { return reshape(x, Shape{}); }, {}},
        {"reshape [0, 3] to [3, -1]",
         {0, 3},
         [](auto& x) {
             return reshape(x, {3, -1});
         },
         {3, 0}},
        {"flatten [2, 3, 4]", {2, 3, 4}, [](auto& x) { return flatten(x); }, {24}},
        {"flatten scalar", {}, [](auto& x) { return flatten(x); }, {1}},
        {"unsqueeze 0", {2, 3}, [](auto& x) { return unsqueeze(x, 0); }, {1, 2, 3}},
        {"unsqueeze 1", {2, 3}, [](auto& x) { return unsqueeze(x, 1); }, {2, 1, 3}},
        {"unsqueeze 2 (append)", {2, 3}, [](auto& x) { return unsqueeze(x, 2); }, {2, 3, 1}},
        {"unsqueeze -1 (append)", {2, 3}, [](auto& x) { return unsqueeze(x, -1); }, {2, 3, 1}},
        {"unsqueeze -2", {2, 3}, [](auto& x) { return unsqueeze(x, -2); }, {2, 1, 3}},
        {"unsqueeze -3 (prepend)", {2, 3}, [](auto& x) { return unsqueeze(x, -3); }, {1, 2, 3}},
        {"unsqueeze scalar", {}, [](auto& x) { return unsqueeze(x, 0); }, {1}},
        {"squeeze 0", {1, 2, 3}, [](auto& x) { return squeeze(x, 0); }, {2, 3}},
        {"squeeze 1", {2, 1, 3}, [](auto& x) { return squeeze(x, 1); }, {2, 3}},
        {"squeeze -1", {2, 3, 1}, [](auto& x) { return squeeze(x, -1); }, {2, 3}},
        {"squeeze -3", {1, 2, 3}, [](auto& x) { return squeeze(x, -3); }, {2, 3}},
        {"squeeze [1] to scalar", {1}, [](auto& x) { return squeeze(x, 0); }, {}},
    };
    return cases;
}

}  // namespace

TEST_CASE("view ops produce the expected shapes and share the input's storage") {
    Generator gen(1);
    for (const ViewCase& c : view_cases()) {
        INFO(c.description);
        const Tensor x = randn(c.input, gen);
        const Tensor y = c.op(x);
        CHECK(y.shape() == c.expected);
        check_is_view_of(y, x);
    }
}

TEST_CASE("view ops have correct gradients, in the input's shape") {
    Generator gen(2);
    for (const ViewCase& c : view_cases()) {
        INFO(c.description);
        const auto f = [&c](const std::vector<Tensor>& in) { return c.op(in[0]) * 2.0f; };
        CHECK_GRADIENTS(f, {randn(c.input, gen)});
        Tensor x = randn(c.input, gen).requires_grad_();
        sum(c.op(x)).backward();
        CHECK(x.grad().shape() == c.input);
    }
}

TEST_CASE("view ops record their names") {
    Tensor x = zeros({2, 1}).requires_grad_();
    CHECK(reshape(x, {1, 2}).grad_fn_name() == "reshape");
    CHECK(x.reshape({2}).grad_fn_name() == "reshape");
    CHECK(flatten(x).grad_fn_name() == "flatten");
    CHECK(unsqueeze(x, 0).grad_fn_name() == "unsqueeze");
    CHECK(squeeze(x, 1).grad_fn_name() == "squeeze");
}

TEST_CASE("views of views keep sharing storage and keep row-major order") {
    const Tensor x = arange(12);
    const Tensor y = unsqueeze(reshape(x, {3, 4}), 0);
    CHECK(y.shape() == Shape{1, 3, 4});
    CHECK(y.at({0, 2, 1}) == 9.0f);
    y.at({0, 1, 3}) = 100.0f;
    CHECK(x.at({7}) == 100.0f);
    CHECK(flatten(squeeze(y, 0)).to_vector() == x.to_vector());
}

TEST_CASE("a chain of views passes the gradient through to the base") {
    Tensor x = arange(6).requires_grad_();
    const Tensor y = squeeze(unsqueeze(reshape(x, {2, 3}), 1), 1);
    sum(y * tensor({1, 2, 3})).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
}

TEST_CASE("reshape rejects a different element count") {
    const Tensor m = matrix_2x3();
    CHECK_THROWS_AS(reshape(m, Shape{4}), ShapeError);
    CHECK_THROWS_WITH(reshape(m, Shape{4}), "reshape: cannot view [2, 3] (6 elements) as [4]");
    CHECK_THROWS_WITH(reshape(m, {5, 2}), "reshape: cannot view [2, 3] (6 elements) as [5, 2]");
    CHECK_THROWS_AS(m.reshape({7}), ShapeError);
}

TEST_CASE("reshape with -1 needs a size that divides the element count") {
    const Tensor m = matrix_2x3();
    CHECK_THROWS_AS(reshape(m, {4, -1}), ShapeError);
    CHECK_THROWS_WITH(reshape(m, {4, -1}), Catch::Contains("reshape") && Catch::Contains("[2, 3]"));
    CHECK_THROWS_AS(reshape(m, {0, -1}), ShapeError);
}

TEST_CASE("reshape allows one -1 and no other negative size") {
    const Tensor m = matrix_2x3();
    CHECK_THROWS_AS(reshape(m, {-1, -1}), ValueError);
    CHECK_THROWS_WITH(reshape(m, {-1, -1}), Catch::Contains("only one -1"));
    CHECK_THROWS_AS(reshape(m, {-2, 3}), ValueError);
    CHECK_THROWS_WITH(reshape(m, {-2, 3}), Catch::Contains("size -2"));
}

TEST_CASE("squeeze rejects axes that are out of range or not of size 1") {
    const Tensor t = zeros({2, 1, 3});
    CHECK_THROWS_AS(squeeze(t, 0), ShapeError);
    CHECK_THROWS_WITH(squeeze(t, 0), "squeeze: axis 0 of shape [2, 1, 3] has size 2, not 1");
    CHECK_THROWS_WITH(squeeze(t, -1), "squeeze: axis -1 of shape [2, 1, 3] has size 3, not 1");
    CHECK_THROWS_AS(squeeze(t, 3), IndexError);
    CHECK_THROWS_WITH(squeeze(t, -4), "squeeze: axis -4 is out of range for shape [2, 1, 3]");
    CHECK_THROWS_AS(squeeze(scalar(1.0f), 0), IndexError);
}

TEST_CASE("unsqueeze accepts axes from -(rank + 1) to rank and rejects others") {
    const Tensor t = zeros({2, 3});
    CHECK_THROWS_AS(unsqueeze(t, 3), IndexError);
    CHECK_THROWS_WITH(unsqueeze(t, 3), "unsqueeze: axis 3 is out of range for shape [2, 3]");
    CHECK_THROWS_AS(unsqueeze(t, -4), IndexError);
    CHECK_THROWS_WITH(unsqueeze(t, -4), "unsqueeze: axis -4 is out of range for shape [2, 3]");
    CHECK_THROWS_AS(unsqueeze(scalar(1.0f), 1), IndexError);
    CHECK(unsqueeze(scalar(1.0f), -1).shape() == Shape{1});
}

TEST_CASE("unsqueeze cannot exceed the maximum rank") {
    const Tensor t = zeros(Shape(std::vector<int64_t>(Shape::kMaxRank, 1)));
    CHECK_THROWS_AS(unsqueeze(t, 0), ValueError);
    CHECK_THROWS_WITH(unsqueeze(t, 0), Catch::Contains("unsqueeze"));
}
