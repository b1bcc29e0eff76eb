// Shape ops that copy values: transpose, permute, slice, concat, stack, pad, one_hot.
#include <catch2/catch.hpp>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

using Values = std::vector<float>;

// 0, 1, 2, ... in `shape`, so every element says where it came from.
Tensor iota(const Shape& shape) { return reshape(arange(shape.numel()), shape); }

using testing::seeded_randn;

}  // namespace

TEST_CASE("transpose swaps two axes") {
    const Tensor x = iota({2, 3});
    const Tensor y = transpose(x, 0, 1);
    CHECK(y.shape() == Shape{3, 2});
    CHECK(y.to_vector() == Values{0, 3, 1, 4, 2, 5});
    CHECK(transpose(x, -1, -2).to_vector() == y.to_vector());
    CHECK(transpose(x, 1, 1).to_vector() == x.to_vector());

    const Tensor z = transpose(iota({2, 3, 4}), 0, -1);
    CHECK(z.shape() == Shape{4, 3, 2});
    CHECK(z.at({3, 1, 0}) == 7.0f);   // x[0, 1, 3]
    CHECK(z.at({2, 2, 1}) == 22.0f);  // x[1, 2, 2]
}

TEST_CASE("transpose gradients") {
    auto f = [](const std::vector<Tensor>& in) { return transpose(in[0], 0, -1); };
    CHECK_GRADIENTS(f, {seeded_randn({2, 3, 4}, 1)});
    auto g = [](const std::vector<Tensor>& in) { return transpose(in[0], -2, -1); };
    CHECK_GRADIENTS(g, {seeded_randn({3, 5}, 2)});
}

TEST_CASE("permute reorders axes like numpy.transpose") {
    const Tensor x = iota({2, 3, 4});
    const Tensor y = permute(x, {2, 0, 1});
    CHECK(y.shape() == Shape{4, 2, 3});
    for (int64_t i = 0; i < 2; ++i) {
        for (int64_t j = 0; j < 3; ++j) {
            for (int64_t k = 0; k < 4; ++k) CHECK(y.at({k, i, j}) == x.at({i, j, k}));
        }
    }
    CHECK(permute(x, {-1, 0, -2}).to_vector() == y.to_vector());
    CHECK(permute(x, {0, 1, 2}).to_vector() == x.to_vector());
    CHECK(permute(scalar(5.0f), {}).item() == 5.0f);
}

TEST_CASE("permute gradients, including a 4-D reordering") {
    auto f = [](const std::vector<Tensor>& in) { return permute(in[0], {2, 0, 1}); };
    CHECK_GRADIENTS(f, {seeded_randn({2, 3, 4}, 3)});
    auto g = [](const std::vector<Tensor>& in) { return permute(in[0], {1, 3, 0, -2}); };
    CHECK_GRADIENTS(g, {seeded_randn({2, 3, 2, 3}, 4)});
}

TEST_CASE("permute and transpose reject bad axes") {
    const Tensor x = zeros({2, 3, 4});
    CHECK_THROWS_AS(permute(x, {0, 1}), ValueError);
    CHECK_THROWS_AS(permute(x, {0, 1, 1}), ValueError);
    CHECK_THROWS_AS(permute(x, {0, 1, 3}), ValueError);
    CHECK_THROWS_WITH(permute(x, {0, -4, 1}), Catch::Contains("permute") &&
                                                  Catch::Contains("[0, -4, 1]") &&
                                                  Catch::Contains("[2, 3, 4]"));
    CHECK_THROWS_AS(transpose(x, 0, 3), IndexError);
    CHECK_THROWS_WITH(transpose(x, -4, 0), Catch::Contains("transpose"));
}

TEST_CASE("a large transpose (several parallel chunks) matches element access") {
    const Tensor x = seeded_randn({300, 200}, 5);
    const Tensor y = transpose(x, 0, 1);
    bool all_equal = true;
    for (int64_t i = 0; i < 300; ++i) {
        for (int64_t j = 0; j < 200; ++j) all_equal = all_equal && y.at({j, i}) == x.at({i, j});
    }
    CHECK(all_equal);
}

TEST_CASE("transposes of the two inner axes (copied in tiles) match element access") {
    // Sizes that are not multiples of the tile, a batch axis, and a permute that also moves an
    // outer axis; the transposed plane is the [C, L] <-> [L, C] swap of a 1-D conv layer.
    const Tensor x = seeded_randn({3, 37, 70}, 6);
    const Tensor y = transpose(x, 1, 2);
    const Tensor z = permute(x, {2, 0, 1});
    bool all_equal = true;
    for (int64_t b = 0; b < 3; ++b) {
        for (int64_t c = 0; c < 37; ++c) {
            for (int64_t l = 0; l < 70; ++l) {
                all_equal = all_equal && y.at({b, l, c}) == x.at({b, c, l}) &&
                            z.at({l, b, c}) == x.at({b, c, l});
            }
        }
    }
    CHECK(all_equal);
}

TEST_CASE("slice follows Python's rules for bounds") {
    const Tensor x = arange(10);
    CHECK(slice(x, 0, 2, 8, 3).to_vector() == Values{2, 5});
    CHECK(slice(x, 0, 2, 9, 3).to_vector() == Values{2, 5, 8});
    CHECK(slice(x, 0, -3, 100).to_vector() == Values{7, 8, 9});
    CHECK(slice(x, 0, -100, 2).to_vector() == Values{0, 1});
    CHECK(slice(x, 0, 1, -7).to_vector() == Values{1, 2});
    CHECK(slice(x, -1, 0, 10, 4).to_vector() == Values{0, 4, 8});
    const Tensor empty_slice = slice(x, 0, 5, 2);
    CHECK(empty_slice.shape() == Shape{0});
    CHECK(slice(x, 0, 20, 30).shape() == Shape{0});
}

TEST_CASE("slice along an inner axis of a 3-D tensor") {
    const Tensor x = iota({2, 5, 3});
    const Tensor y = slice(x, 1, 1, 5, 2);  // rows 1 and 3
    CHECK(y.shape() == Shape{2, 2, 3});
    CHECK(y.to_vector() == Values{3, 4, 5, 9, 10, 11, 18, 19, 20, 24, 25, 26});
    const Tensor last = slice(x, -1, -1, 3);
    CHECK(last.shape() == Shape{2, 5, 1});
    CHECK(last.at({1, 4, 0}) == 29.0f);
}

TEST_CASE("slice gradients scatter into zeros") {
    Tensor x = seeded_randn({3, 7}, 6).requires_grad_();
    slice(x, 1, 1, 6, 2).backward(ones({3, 3}));
    CHECK(x.grad().to_vector() ==
          Values{0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0});

    auto stepped = [](const std::vector<Tensor>& in) { return slice(in[0], 1, 1, 6, 2); };
    CHECK_GRADIENTS(stepped, {seeded_randn({3, 7}, 7)});
    auto negative = [](const std::vector<Tensor>& in) { return slice(in[0], -3, -2, 100); };
    CHECK_GRADIENTS(negative, {seeded_randn({4, 2, 3}, 8)});
    auto empty_result = [](const std::vector<Tensor>& in) { return slice(in[0], 0, 3, 1) + 1.0f; };
    CHECK_GRADIENTS(empty_result, {seeded_randn({4, 2}, 9)});
}

TEST_CASE("slice rejects a step below 1 and a bad axis") {
    const Tensor x = zeros({4});
    CHECK_THROWS_AS(slice(x, 0, 0, 4, 0), ValueError);
    CHECK_THROWS_WITH(slice(x, 0, 0, 4, -1), Catch::Contains("slice") && Catch::Contains("-1"));
    CHECK_THROWS_AS(slice(x, 1, 0, 4), IndexError);
}

TEST_CASE("concat joins three tensors of different sizes along an axis") {
    const Tensor a = iota({2, 1, 2});
    const Tensor b = iota({2, 2, 2}) + 10.0f;
    const Tensor c = iota({2, 3, 2}) + 20.0f;
    const Tensor y = concat({a, b, c}, 1);
    CHECK(y.shape() == Shape{2, 6, 2});
    CHECK(y.to_vector() == Values{0, 1, 10, 11, 12, 13, 20, 21, 22, 23, 24, 25,
                                  2, 3, 14, 15, 16, 17, 26, 27, 28, 29, 30, 31});
    CHECK(concat({a, b, c}, -2).to_vector() == y.to_vector());
    const Tensor rows = concat({iota({1, 2}), iota({2, 2})}, 0);
    CHECK(rows.to_vector() == Values{0, 1, 0, 1, 2, 3});
    CHECK(concat({a}, 0).to_vector() == a.to_vector());
}

TEST_CASE("concat gradients are slices of the output gradient") {
    auto middle = [](const std::vector<Tensor>& in) { return concat(in, 1); };
    CHECK_GRADIENTS(middle, {seeded_randn({2, 1, 3}, 10), seeded_randn({2, 2, 3}, 11),
                             seeded_randn({2, 3, 3}, 12)});
    auto last = [](const std::vector<Tensor>& in) { return concat(in, -1); };
    CHECK_GRADIENTS(last,
                    {seeded_randn({2, 3}, 13), seeded_randn({2, 1}, 14), seeded_randn({2, 4}, 15)});
    auto first = [](const std::vector<Tensor>& in) { return concat({in[0], in[1], in[0]}, 0); };
    CHECK_GRADIENTS(first, {seeded_randn({1, 3}, 16), seeded_randn({2, 3}, 17)});
}

TEST_CASE("concat errors name the shapes and the axis") {
    CHECK_THROWS_AS(concat({}, 0), ValueError);
    CHECK_THROWS_WITH(concat({zeros({2, 3}), zeros({3, 3})}, 1),
                      Catch::Contains("concat") && Catch::Contains("[2, 3]") &&
                          Catch::Contains("[3, 3]") && Catch::Contains("axis 1"));
    CHECK_THROWS_AS(concat({zeros({2, 3}), zeros({2, 3, 1})}, 0), ShapeError);
    CHECK_THROWS_AS(concat({zeros({2, 3}), zeros({2, 3})}, 2), IndexError);
}

TEST_CASE("stack joins equal shapes along a new axis") {
    const Tensor a = iota({2, 2});
    const Tensor b = iota({2, 2}) + 10.0f;
    const Tensor c = iota({2, 2}) + 20.0f;
    const Tensor first = stack({a, b, c}, 0);
    CHECK(first.shape() == Shape{3, 2, 2});
    CHECK(first.to_vector() == Values{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
    const Tensor middle = stack({a, b, c}, 1);
    CHECK(middle.shape() == Shape{2, 3, 2});
    CHECK(middle.to_vector() == Values{0, 1, 10, 11, 20, 21, 2, 3, 12, 13, 22, 23});
    const Tensor last = stack({a, b, c}, -1);
    CHECK(last.shape() == Shape{2, 2, 3});
    CHECK(last.to_vector() == Values{0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23});
    CHECK(stack({a, b}, 2).shape() == Shape{2, 2, 2});
    CHECK(stack({a, b}, 0).grad_fn_name().empty());
}

TEST_CASE("stack gradients") {
    Tensor a = seeded_randn({2, 3}, 18).requires_grad_();
    CHECK(stack({a, a}, 0).grad_fn_name() == "stack");
    for (int64_t axis : {0, 1, 2, -1, -3}) {
        auto f = [axis](const std::vector<Tensor>& in) { return stack(in, axis); };
        CHECK_GRADIENTS(
            f, {seeded_randn({2, 3}, 19), seeded_randn({2, 3}, 20), seeded_randn({2, 3}, 21)});
    }
}

TEST_CASE("stack errors") {
    CHECK_THROWS_AS(stack({}, 0), ValueError);
    CHECK_THROWS_WITH(stack({zeros({2, 3}), zeros({3, 2})}, 0), Catch::Contains("stack") &&
                                                                    Catch::Contains("[2, 3]") &&
                                                                    Catch::Contains("[3, 2]"));
    CHECK_THROWS_AS(stack({zeros({2, 3}), zeros({2, 3})}, 3), IndexError);
    CHECK_THROWS_AS(stack({zeros({2, 3}), zeros({2, 3})}, -4), IndexError);
}

TEST_CASE("pad adds constant values before and after along one axis") {
    const Tensor x = iota({2, 2}) + 1.0f;
    const Tensor y = pad(x, 1, 2, 1, 9.0f);
    CHECK(y.shape() == Shape{2, 5});
    CHECK(y.to_vector() == Values{9, 9, 1, 2, 9, 9, 9, 3, 4, 9});
    CHECK(pad(x, 0, 1, 0).to_vector() == Values{0, 0, 1, 2, 3, 4});
    CHECK(pad(x, -2, 0, 2).to_vector() == Values{1, 2, 3, 4, 0, 0, 0, 0});
    CHECK(pad(x, 1, 0, 0).to_vector() == x.to_vector());
}

TEST_CASE("pad gradients are slices of the output gradient") {
    auto both = [](const std::vector<Tensor>& in) { return pad(in[0], 1, 2, 3, 0.5f); };
    CHECK_GRADIENTS(both, {seeded_randn({2, 3, 2}, 22)});
    auto before = [](const std::vector<Tensor>& in) { return pad(in[0], -1, 3, 0); };
    CHECK_GRADIENTS(before, {seeded_randn({2, 3}, 23)});
    auto after = [](const std::vector<Tensor>& in) { return pad(in[0], 0, 0, 2); };
    CHECK_GRADIENTS(after, {seeded_randn({2, 3}, 24)});
}

TEST_CASE("pad errors") {
    CHECK_THROWS_WITH(pad(zeros({2}), 0, -1, 0), Catch::Contains("pad") && Catch::Contains("-1"));
    CHECK_THROWS_AS(pad(zeros({2}), 0, 0, -2), ValueError);
    CHECK_THROWS_AS(pad(zeros({2}), 1, 1, 1), IndexError);
}

TEST_CASE("one_hot encodes integral indices of any shape") {
    const Tensor y = one_hot(tensor({0, 2, 1, 0}, {2, 2}), 3);
    CHECK(y.shape() == Shape{2, 2, 3});
    CHECK(y.to_vector() == Values{1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0});
    CHECK(one_hot(scalar(1.0f), 2).to_vector() == Values{0, 1});
    Tensor indices = tensor({1.0f}).requires_grad_();
    CHECK_FALSE(one_hot(indices, 2).requires_grad());
}

TEST_CASE("one_hot rejects indices that are not integers in range, naming the value") {
    CHECK_THROWS_AS(one_hot(tensor({0, 3}), 3), ValueError);
    CHECK_THROWS_WITH(one_hot(tensor({0, 3}), 3), Catch::Contains("one_hot") &&
                                                      Catch::Contains("3") &&
                                                      Catch::Contains("[0, 3)"));
    CHECK_THROWS_WITH(one_hot(tensor({1.5f}), 3), Catch::Contains("1.5"));
    CHECK_THROWS_WITH(one_hot(tensor({-1.0f}), 3), Catch::Contains("-1"));
    CHECK_THROWS_AS(one_hot(tensor({0}), 0), ValueError);
}
