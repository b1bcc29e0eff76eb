// The autograd engine: accumulation, graph freeing, no-grad mode, deep graphs, and proof that
// the gradient check catches a wrong gradient.
#include <catch2/catch.hpp>

#include "gradcheck.hpp"

using namespace minidl;

TEST_CASE("backward accumulates into leaves through a shared subexpression") {
    Tensor x = tensor({1.0f, 2.0f, 3.0f}).requires_grad_();
    Tensor y = x * x;                 // used twice below
    Tensor loss = sum(y + y * 3.0f);  // d/dx = 4 * 2x
    loss.backward();
    CHECK(x.grad().to_vector() == std::vector<float>{8.0f, 16.0f, 24.0f});
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
    Tensor x = tensor({2.0f}).requires_grad_();
    sum(x * 3.0f).backward();
    sum(x * 3.0f).backward();
    CHECK(x.grad().item() == 6.0f);
    x.zero_grad();
    CHECK_FALSE(x.grad().defined());
    sum(x * 5.0f).backward();
    CHECK(x.grad().item() == 5.0f);
}

TEST_CASE("two leaves fed by one gradient do not share gradient storage") {
    Tensor a = tensor({1.0f, 1.0f}).requires_grad_();
    Tensor b = tensor({1.0f, 1.0f}).requires_grad_();
    (a + b).backward(tensor({1.0f, 2.0f}));
    a.grad().data()[0] = 100.0f;  // an optimizer may modify a gradient in place
    CHECK(b.grad().to_vector() == std::vector<float>{1.0f, 2.0f});
}

TEST_CASE("backward frees the graph; a second backward is an error unless retained") {
    Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
    Tensor loss = sum(x * x);
    loss.backward(Tensor(), /*retain_graph=*/true);
    loss.backward();
    CHECK(x.grad().to_vector() == std::vector<float>{4.0f, 8.0f});
    CHECK_THROWS_AS(loss.backward(), AutogradError);
}

TEST_CASE("backward needs a one-element tensor or an explicit gradient") {
    Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
    Tensor y = x * 2.0f;
    CHECK_THROWS_AS(y.backward(), AutogradError);
    CHECK_THROWS_AS(y.backward(ones({3})), ShapeError);
    y.backward(tensor({1.0f, 10.0f}));
    CHECK(x.grad().to_vector() == std::vector<float>{2.0f, 20.0f});
    CHECK_THROWS_AS(tensor({1.0f}).backward(), AutogradError);
}

TEST_CASE("NoGradGuard stops recording and restores the mode") {
    Tensor x = tensor({1.0f}).requires_grad_();
    {
        NoGradGuard guard;
        CHECK_FALSE(grad_enabled());
        Tensor y = x * 2.0f;
        CHECK_FALSE(y.requires_grad());
        CHECK(y.is_leaf());
    }
    CHECK(grad_enabled());
    CHECK((x * 2.0f).requires_grad());
}

TEST_CASE("AutoGradMode re-enables recording inside a NoGradGuard, and nests") {
    Tensor x = tensor({1.0f}).requires_grad_();
    NoGradGuard off;
    {
        AutoGradMode on(true);
        CHECK(grad_enabled());
        CHECK((x * 2.0f).requires_grad());
        {
            AutoGradMode off_again(false);
            CHECK_FALSE((x * 2.0f).requires_grad());
        }
        CHECK(grad_enabled());
    }
    CHECK_FALSE(grad_enabled());
}

TEST_CASE("detach cuts the graph and shares values") {
    Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
    Tensor y = x * 3.0f;
    Tensor d = y.detach();
    CHECK_FALSE(d.requires_grad());
    CHECK(d.data() == y.data());
    Tensor loss = sum(y * d);  // d is a constant: dloss/dx = 3 * d
    loss.backward();
    CHECK(x.grad().to_vector() == std::vector<float>{9.0f, 18.0f});
}

TEST_CASE("requires_grad_ on a computed tensor is an error naming the op") {
    Tensor x = tensor({1.0f}).requires_grad_();
    Tensor y = x * 2.0f;
    CHECK(y.grad_fn_name() == "mul");
    CHECK_THROWS_WITH(y.requires_grad_(), Catch::Contains("mul"));
}

TEST_CASE("a 10,000-op chain back-propagates without recursion") {
    Tensor x = tensor({1.0f}).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 10000; ++i) y = y * 1.0001f;
    y.backward();
    CHECK(x.grad().item() == Approx(std::pow(1.0001, 10000)).epsilon(1e-3));
}

TEST_CASE("the graph is released after backward") {
    Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
    std::weak_ptr<TensorImpl> intermediate;
    Tensor loss;
    {
        Tensor h = exp(x);
        intermediate = h.impl_ptr();
        loss = sum(h * 2.0f);
    }
    CHECK_FALSE(intermediate.expired());  // held by loss's graph
    loss.backward();
    CHECK(intermediate.expired());
}

TEST_CASE("gradcheck fails a deliberately wrong gradient") {
    // f(x) = x^3 with a backward that forgets the factor 3.
    auto wrong_cube = [](const std::vector<Tensor>& in) {
        const Tensor& x = in[0];
        Tensor y = x.detach() * x.detach() * x.detach();
        return record(y, "wrong_cube", {x}, [](const GradContext& c) {
            const Tensor& x = c.inputs[0];
            c.add(0, c.grad * x * x);
        });
    };
    const Tensor x = tensor({0.5f, -1.0f, 1.5f});
    const auto result = testing::gradcheck(wrong_cube, {x});
    CHECK_FALSE(result.ok);

    auto right_cube = [](const std::vector<Tensor>& in) { return in[0] * in[0] * in[0]; };
    CHECK_GRADIENTS(right_cube, {x});
}

TEST_CASE("gradcheck passes broadcasting arithmetic") {
    auto f = [](const std::vector<Tensor>& in) {
        return (in[0] * in[1] + in[1]) / (in[0] * in[0] + 1.0f);
    };
    CHECK_GRADIENTS(f, {randn({2, 3}), randn({3})});
}
