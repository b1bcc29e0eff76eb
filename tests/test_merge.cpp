// Merge layers Add and Concatenate (layers/merge.cpp): PyTorch float64 references
// (tests/data/basic_layer_fixtures.json), Keras's broadcasting of Add, gradients, tf.keras 2.x's
// configs, and every invalid call, argument and shape.

#include <catch2/catch.hpp>
#include <iostream>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/merge.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using Catch::Contains;
using layers::Add;
using layers::Concatenate;
using minidl::testing::FixtureJson;

namespace {

/// Runs `layer` on the case's inputs and checks the output and every input's gradient.
void check_merge_against_fixture(layers::MergeLayer& layer, const FixtureJson& fixture,
                                 testing::WorstErrors& worst) {
    const std::string case_name = fixture.at("name");
    INFO("case " << case_name << " " << fixture.at("config").dump());
    std::vector<Tensor> inputs;
    for (const FixtureJson& input : fixture.at("inputs"))
        inputs.push_back(testing::fixture_tensor(input).requires_grad_());
    const Tensor y = layer(inputs);
    testing::check_fixture_quantity("output", y, fixture.at("output"), case_name, worst, 1e-5);
    REQUIRE(y.shape() == testing::fixture_shape(fixture.at("cotangent")));
    y.backward(testing::fixture_tensor(fixture.at("cotangent")));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::string key = "input_" + std::to_string(i);
        testing::check_fixture_quantity("d " + key, inputs[i].grad(),
                                        fixture.at("gradients").at(key), case_name, worst, 1e-5);
    }
}

/// Checks every input's gradient of `layer` on inputs of `shapes` by central differences.
void check_input_gradients(layers::MergeLayer& layer, const std::vector<Shape>& shapes) {
    std::vector<Tensor> inputs;
    for (std::size_t i = 0; i < shapes.size(); ++i)
        inputs.push_back(testing::seeded_randn(shapes[i], 20 + i));
    CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return layer(in); }, inputs);
}

}  // namespace

TEST_CASE("Add and Concatenate match PyTorch float64 references", "[merge]") {
    const FixtureJson cases = testing::load_fixture_cases("basic_layer_fixtures.json");
    testing::WorstErrors worst;
    std::map<std::string, int> checked;
    for (const FixtureJson& fixture : cases) {
        const std::string class_name = fixture.at("class_name");
        if (class_name == "Add") {
            Add add;
            check_merge_against_fixture(add, fixture, worst);
        } else if (class_name == "Concatenate") {
            Concatenate concatenate(fixture.at("config").at("axis").get<int64_t>());
            check_merge_against_fixture(concatenate, fixture, worst);
        } else {
            continue;
        }
        ++checked[class_name];
    }
    CHECK(checked["Add"] == 8);
    CHECK(checked["Concatenate"] == 6);
    std::cout << worst.summary("Add/Concatenate") << "\n";
}

// ---- Add ----

TEST_CASE("Add sums a braced list of tensors", "[merge]") {
    Add add;
    const Tensor a = tensor({1, 2, 3, 4}, {2, 2});
    const Tensor b = tensor({10, 20, 30, 40}, {2, 2});
    testing::check_close(add({a, b}), tensor({11, 22, 33, 44}, {2, 2}));
    testing::check_close(add({a, b, a}), tensor({12, 24, 36, 48}, {2, 2}));
    CHECK(add.built());
    CHECK(add.weights().empty());
    CHECK(add(std::vector<Tensor>{a}).to_vector() == a.to_vector());
    // A braced single tensor is the single-tensor call, which a merge layer rejects.
    CHECK_THROWS_AS(add({a}), ValueError);
}

TEST_CASE("Add broadcasts like Keras's _Merge: batch equal, the rest aligned right", "[merge]") {
    Add add;
    CHECK(add.compute_output_shape({{2, 1, 3}, {2, 4, 3}}) == Shape{2, 4, 3});
    CHECK(add.compute_output_shape({{2, 3}, {2, 4, 3}}) == Shape{2, 4, 3});
    CHECK(add.compute_output_shape({{2, 4, 1}, {2, 1, 5}, {2, 5}}) == Shape{2, 4, 5});
    CHECK(add.compute_output_shape({{3}, {3, 2}}) == Shape{3, 2});
    // A lower-rank input gets its size-1 axes after the batch axis: [2, 3] acts as [2, 1, 3].
    const Tensor row = tensor({1, 2, 3, 10, 20, 30}, {2, 3});
    const Tensor y = add({row, zeros({2, 2, 3})});
    CHECK(y.shape() == Shape{2, 2, 3});
    CHECK(y.to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3, 10, 20, 30, 10, 20, 30});
}

TEST_CASE("Add passes gradients to every input, through broadcasting", "[merge]") {
    Add add;
    check_input_gradients(add, {{2, 3}, {2, 3}, {2, 3}});
    Add broadcasting;
    check_input_gradients(broadcasting, {{2, 1, 3}, {2, 4, 3}, {2, 3}});
}

// ---- Concatenate ----

TEST_CASE("Concatenate joins along its axis", "[merge]") {
    Concatenate last;
    const Tensor a = tensor({1, 2, 3, 4}, {2, 2});
    const Tensor b = tensor({5, 6}, {2, 1});
    const Tensor y = last({a, b});
    CHECK(y.shape() == Shape{2, 3});
    CHECK(y.to_vector() == std::vector<float>{1, 2, 5, 3, 4, 6});
    CHECK(Concatenate({.axis = 1}).compute_output_shape({{2, 3, 4}, {2, 5, 4}, {2, 1, 4}}) ==
          Shape{2, 9, 4});
    CHECK(Concatenate(-2).compute_output_shape({{2, 3, 4}, {2, 5, 4}}) == Shape{2, 8, 4});
    CHECK(Concatenate(0).compute_output_shape({{1, 3}, {2, 3}}) == Shape{3, 3});
}

TEST_CASE("Concatenate passes gradients to every input", "[merge]") {
    Concatenate concatenate(1);
    check_input_gradients(concatenate, {{2, 1, 3}, {2, 4, 3}, {2, 2, 3}});
}

// ---- both ----

TEST_CASE("merge configs have tf.keras 2.x's keys and round-trip", "[merge]") {
    reset_layer_names();
    Add add;
    CHECK(add.name() == "add");
    CHECK(Add().name() == "add_1");
    const Json add_config =
        Json::parse(R"({"name": "add", "trainable": true, "dtype": "float32"})");
    CHECK(add.config() == add_config);
    CHECK(Add::from_config(add_config)->config() == add_config);
    CHECK(layers::from_config(add.to_json())->config() == add_config);

    Concatenate concatenate({.axis = 1, .name = "joined"});
    const Json concatenate_config =
        Json::parse(R"({"name": "joined", "trainable": true, "dtype": "float32", "axis": 1})");
    CHECK(concatenate.config() == concatenate_config);
    CHECK(Concatenate::from_config(concatenate_config)->config() == concatenate_config);
    CHECK(layers::from_config(concatenate.to_json())->config() == concatenate_config);
    CHECK(Concatenate().name() == "concatenate");

    const std::unique_ptr<Layer> keras = layers::from_config(Json::parse(
        R"({"module": "keras.layers", "class_name": "Concatenate", "config": {
            "name": "concatenate_3", "trainable": true, "dtype": "float32", "axis": -1},
            "registered_name": null, "build_config": {"input_shape": [[null, 3], [null, 4]]}})"));
    CHECK(keras->config()["axis"] == -1);
    CHECK(Concatenate::from_config(Json::parse("{}"))->options().axis == -1);
}

TEST_CASE("merge layers reject single tensors, empty lists and bad configs", "[merge]") {
    Add add({.name = "sum"});
    CHECK_THROWS_AS(add(ones({2, 3})), ValueError);
    CHECK_THROWS_WITH(add(ones({2, 3})),
                      Contains("sum: a merge layer should be called on a list of inputs, got a "
                               "single tensor of shape [2, 3]"));
    CHECK_THROWS_AS(add.compute_output_shape(Shape{2, 3}), ValueError);
    CHECK_FALSE(add.built());
    CHECK_THROWS_WITH(add(std::vector<Tensor>{}),
                      Contains("sum: a merge layer should be called on a list of at least 1 "
                               "input, got 0 inputs"));
    CHECK_THROWS_WITH(add({ones({2}), Tensor()}), Contains("sum: input 1 is an undefined tensor"));
    CHECK_FALSE(add.built());
    add({ones({2, 3}), ones({2, 3})});
    CHECK(add.built());
    CHECK_THROWS_AS(add(ones({2, 3})), ValueError);

    Concatenate concatenate({.name = "cat"});
    CHECK_THROWS_AS(concatenate(ones({2, 3})), ValueError);

    CHECK_THROWS_WITH(Add::from_config(Json::parse(R"({"axis": 1})")),
                      Contains("Add config: unknown key 'axis'"));
    CHECK_THROWS_WITH(Concatenate::from_config(Json::parse(R"({"axis": "last"})")),
                      Contains("Concatenate config: 'axis' must be an integer"));
}

TEST_CASE("merge layers reject shapes they cannot merge, naming every shape", "[merge]") {
    Add add({.name = "sum"});
    CHECK_THROWS_AS(add({ones({2, 3}), ones({2, 4})}), ShapeError);
    CHECK_THROWS_WITH(add({ones({2, 3}), ones({2, 3}), ones({2, 4})}),
                      Contains("sum: inputs have incompatible shapes, got shapes [2, 3], [2, 3], "
                               "[2, 4]"));
    CHECK_THROWS_WITH(add.compute_output_shape({{2, 3}, {3, 3}}),
                      Contains("sum: cannot merge tensors with different batch sizes"));
    // The batch axis does not broadcast, even from 1.
    CHECK_THROWS_AS(add({ones({1, 3}), ones({2, 3})}), ShapeError);
    CHECK_THROWS_AS(add({ones({2, 4}), ones({2, 4, 3})}), ShapeError);
    CHECK_THROWS_AS(add({tensor({1}, {}), ones({1})}), ShapeError);
    CHECK_FALSE(add.built());

    Concatenate concatenate({.axis = 1, .name = "cat"});
    CHECK_THROWS_AS(concatenate({ones({2, 3, 4}), ones({2, 3, 5})}), ShapeError);
    CHECK_THROWS_WITH(concatenate({ones({2, 3, 4}), ones({2, 1, 4}), ones({3, 2, 4})}),
                      Contains("cat: a Concatenate layer requires inputs with matching shapes "
                               "except for the concatenation axis (axis=1), got shapes "
                               "[2, 3, 4], [2, 1, 4], [3, 2, 4]"));
    CHECK_THROWS_AS(concatenate({ones({2, 3}), ones({2, 3, 1})}), ShapeError);
    CHECK_THROWS_AS(concatenate({ones({2}), ones({2})}), IndexError);
    CHECK_THROWS_WITH(
        Concatenate({.axis = -3, .name = "cat"}).compute_output_shape(std::vector<Shape>{{2, 3}}),
        Contains("cat: axis -3 is out of range for inputs of rank 2"));
    CHECK_FALSE(concatenate.built());
}
