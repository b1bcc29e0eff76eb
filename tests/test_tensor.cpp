// Tensor: element access, copies versus views (shared storage), detach/clone, the autograd
// fields a user touches directly, and the PyTorch-like printing.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

Tensor matrix_2x3() { return tensor({1, 2, 3, 4, 5, 6}, {2, 3}); }

}  // namespace

TEST_CASE("a default Tensor is undefined and its accessors throw ValueError") {
    const Tensor t;
    CHECK_FALSE(t.defined());
    CHECK_THROWS_AS(t.shape(), ValueError);
    CHECK_THROWS_AS(t.data(), ValueError);
    CHECK_THROWS_AS(t.numel(), ValueError);
    CHECK_THROWS_WITH(t.requires_grad(), Catch::Contains("undefined"));
    CHECK(t.to_string() == "tensor(undefined)");
}

TEST_CASE("shape, rank, size and numel describe the tensor") {
    const Tensor t = zeros({2, 3, 4});
    CHECK(t.defined());
    CHECK(t.shape() == Shape{2, 3, 4});
    CHECK(t.rank() == 3);
    CHECK(t.size(1) == 3);
    CHECK(t.size(-1) == 4);
    CHECK(t.numel() == 24);
    CHECK_THROWS_AS(t.size(3), IndexError);
    CHECK(scalar(1.0f).rank() == 0);
    CHECK(scalar(1.0f).numel() == 1);
}

TEST_CASE("empty() allocates the shape's element count") {
    const Tensor t = empty({3, 5});
    CHECK(t.shape() == Shape{3, 5});
    CHECK(t.impl()->storage->count() == 15);
    CHECK(t.is_leaf());
    CHECK_FALSE(t.requires_grad());
    CHECK(empty({0}).numel() == 0);
}

TEST_CASE("at() reads and writes by row-major index, with negative indices") {
    const Tensor t = matrix_2x3();
    CHECK(t.at({0, 0}) == 1.0f);
    CHECK(t.at({0, 2}) == 3.0f);
    CHECK(t.at({1, 0}) == 4.0f);
    CHECK(t.at({-1, -1}) == 6.0f);
    CHECK(t.at({-2, 1}) == 2.0f);
    t.at({1, 1}) = 50.0f;
    CHECK(t.to_vector() == std::vector<float>{1, 2, 3, 4, 50, 6});
    CHECK(scalar(7.0f).at({}) == 7.0f);
}

TEST_CASE("at() is bounds-checked and needs one index per axis") {
    const Tensor t = matrix_2x3();
    CHECK_THROWS_AS(t.at({2, 0}), IndexError);
    CHECK_THROWS_AS(t.at({0, 3}), IndexError);
    CHECK_THROWS_AS(t.at({-3, 0}), IndexError);
    CHECK_THROWS_WITH(t.at({0, 3}), "at: index 3 is out of range for axis 1 of shape [2, 3]");
    CHECK_THROWS_AS(t.at({0}), IndexError);
    CHECK_THROWS_WITH(t.at({0, 0, 0}), "at: 3 indices for shape [2, 3]");
}

TEST_CASE("item() returns the only value and rejects other sizes") {
    CHECK(scalar(2.5f).item() == 2.5f);
    CHECK(tensor({4.0f}).item() == 4.0f);
    CHECK(tensor({4.0f}, {1, 1, 1}).item() == 4.0f);
    CHECK_THROWS_AS(tensor({1, 2}).item(), ValueError);
    CHECK_THROWS_WITH(tensor({1, 2}).item(),
                      Catch::Contains("2 elements") && Catch::Contains("[2]"));
    CHECK_THROWS_AS(zeros({0}).item(), ValueError);
}

TEST_CASE("copying a Tensor copies the handle, not the values") {
    const Tensor a = matrix_2x3();
    const Tensor b = a;  // NOLINT(performance-unnecessary-copy-initialization): the point
    CHECK(b.is_same(a));
    b.data()[0] = -1.0f;
    CHECK(a.at({0, 0}) == -1.0f);
    CHECK_FALSE(a.is_same(matrix_2x3()));
}

TEST_CASE("to_vector copies the values out") {
    const Tensor t = matrix_2x3();
    std::vector<float> v = t.to_vector();
    CHECK(v == std::vector<float>{1, 2, 3, 4, 5, 6});
    v[0] = 100.0f;
    CHECK(t.at({0, 0}) == 1.0f);
    CHECK(zeros({0, 3}).to_vector().empty());
}

TEST_CASE("clone copies the values into fresh storage") {
    const Tensor a = matrix_2x3();
    const Tensor c = a.clone();
    CHECK(c.shape() == a.shape());
    CHECK(c.to_vector() == a.to_vector());
    CHECK(c.data() != a.data());
    c.data()[0] = 9.0f;
    CHECK(a.at({0, 0}) == 1.0f);
    CHECK(c.is_leaf());  // nothing required a gradient, so nothing was recorded
}

TEST_CASE("clone is differentiable") {
    Tensor x = tensor({1, 2, 3}).requires_grad_();
    const Tensor c = x.clone();
    CHECK(c.grad_fn_name() == "clone");
    sum(c * c).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{2, 4, 6});
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return in[0].clone() * in[0]; },
                    {randn({2, 3})});
}

TEST_CASE("detach shares the values but not the graph") {
    Tensor x = tensor({1, 2}).requires_grad_();
    const Tensor y = x * 2.0f;
    const Tensor d = y.detach();
    CHECK(d.data() == y.data());
    CHECK(d.is_leaf());
    CHECK_FALSE(d.requires_grad());
    CHECK(d.grad_fn_name().empty());
    d.data()[0] = 42.0f;  // writes through the shared storage
    CHECK(y.at({0}) == 42.0f);
    // A detached leaf may be marked again, independently of the original.
    Tensor leaf = x.detach().requires_grad_();
    CHECK(leaf.requires_grad());
    CHECK_FALSE(leaf.is_same(x));
}

TEST_CASE("Tensor::reshape is a view that shares storage both ways") {
    const Tensor a = matrix_2x3();
    const Tensor r = a.reshape({3, 2});
    CHECK(r.shape() == Shape{3, 2});
    CHECK(r.data() == a.data());
    CHECK(r.impl()->storage == a.impl()->storage);
    r.at({2, 1}) = -6.0f;
    CHECK(a.at({1, 2}) == -6.0f);
    a.at({0, 1}) = -2.0f;
    CHECK(r.at({0, 1}) == -2.0f);
    CHECK(a.reshape(Shape{6}).to_vector() == a.to_vector());
    CHECK(a.reshape({-1}).shape() == Shape{6});
}

TEST_CASE("Tensor::sum and Tensor::mean reduce every element") {
    const Tensor t = matrix_2x3();
    CHECK(t.sum().item() == 21.0f);
    CHECK(t.sum().rank() == 0);
    CHECK(t.mean().item() == 3.5f);
}

TEST_CASE("requires_grad_ marks leaves only") {
    Tensor x = tensor({1, 2});
    CHECK_FALSE(x.requires_grad());
    CHECK(&x.requires_grad_() == &x);  // returns the handle for chaining
    CHECK(x.requires_grad());
    x.requires_grad_(false);
    CHECK_FALSE(x.requires_grad());
    x.requires_grad_();
    Tensor y = exp(x);
    CHECK_FALSE(y.is_leaf());
    CHECK(y.grad_fn_name() == "exp");
    CHECK_THROWS_AS(y.requires_grad_(), AutogradError);
}

TEST_CASE("set_grad and zero_grad manage a leaf's gradient") {
    const Tensor x = tensor({1, 2});
    CHECK_FALSE(x.grad().defined());
    x.set_grad(tensor({3, 4}));
    CHECK(x.grad().to_vector() == std::vector<float>{3, 4});
    CHECK_THROWS_AS(x.set_grad(tensor({1, 2, 3})), ShapeError);
    CHECK_THROWS_WITH(x.set_grad(tensor({1, 2, 3})),
                      Catch::Contains("[3]") && Catch::Contains("[2]"));
    x.zero_grad();
    CHECK_FALSE(x.grad().defined());
    x.set_grad(Tensor());  // an undefined gradient clears it too
    CHECK_FALSE(x.grad().defined());
}

// ---- printing ----

TEST_CASE("integer-valued tensors print as '1.' padded to one width") {
    CHECK(tensor({1, 2, 3}).to_string() == "tensor([1., 2., 3.], shape=[3])");
    CHECK(tensor({1, 10}).to_string() == "tensor([ 1., 10.], shape=[2])");
    CHECK(tensor({-1, 10}).to_string() == "tensor([-1., 10.], shape=[2])");
    CHECK(scalar(3.0f).to_string() == "tensor(3., shape=[])");
}

TEST_CASE("fractional tensors print with four decimals, rows on their own lines") {
    CHECK(tensor({1.5f, 2, 3, 4}, {2, 2}).to_string() ==
          "tensor([[1.5000, 2.0000],\n"
          "        [3.0000, 4.0000]], shape=[2, 2])");
    CHECK(tensor({0.25f, -0.5f}).to_string() == "tensor([ 0.2500, -0.5000], shape=[2])");
}

TEST_CASE("three-dimensional tensors separate blocks with a blank line") {
    CHECK(arange(8).reshape({2, 2, 2}).to_string() ==
          "tensor([[[0., 1.],\n"
          "         [2., 3.]],\n"
          "\n"
          "        [[4., 5.],\n"
          "         [6., 7.]]], shape=[2, 2, 2])");
}

TEST_CASE("values of very different magnitudes print in scientific notation") {
    CHECK(tensor({1e-5f, 1.0f}).to_string() == "tensor([1.0000e-05, 1.0000e+00], shape=[2])");
    CHECK(tensor({1.5e9f}).to_string() == "tensor([1.5000e+09], shape=[1])");
}

TEST_CASE("non-finite values print as nan and inf") {
    const std::string s = tensor({NAN, INFINITY, -INFINITY, 1.5f}).to_string();
    CHECK_THAT(s, Catch::Contains("nan") && Catch::Contains(" inf") && Catch::Contains("-inf") &&
                      Catch::Contains("1.5000"));
}

TEST_CASE("empty tensors print as []") {
    CHECK(zeros({0}).to_string() == "tensor([], shape=[0])");
    CHECK(zeros({2, 0}).to_string() == "tensor([], shape=[2, 0])");
}

TEST_CASE("printing shows requires_grad on leaves and grad_fn on computed tensors") {
    Tensor x = tensor({1, 2}).requires_grad_();
    CHECK(x.to_string() == "tensor([1., 2.], shape=[2], requires_grad=true)");
    CHECK((x * 2.0f).to_string() == "tensor([2., 4.], shape=[2], grad_fn=<mul>)");
    CHECK(sum(x).to_string() == "tensor(3., shape=[], grad_fn=<sum>)");
    NoGradGuard no_grad;
    CHECK((x * 2.0f).to_string() == "tensor([2., 4.], shape=[2])");
}

TEST_CASE("large tensors are summarized with their first and last three entries") {
    CHECK(arange(2000).to_string() ==
          "tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.], shape=[2000])");
    const std::string matrix = arange(2000).reshape({40, 50}).to_string();
    CHECK_THAT(matrix, Catch::Contains("...") && Catch::Contains("shape=[40, 50]"));
    CHECK(matrix.size() < 600);
    // At the threshold nothing is cut.
    CHECK_THAT(arange(1000).to_string(), !Catch::Contains("..."));
}

TEST_CASE("operator<< prints the same text as to_string") {
    const Tensor t = tensor({0.5f, 1.25f});
    std::ostringstream os;
    os << t;
    CHECK(os.str() == t.to_string());
}
