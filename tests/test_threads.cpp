// Thread-count independence: every computation below must give bit-identical results on 1, 2
// and 3 OpenMP threads. The inputs are large enough that each op splits its work into several
// chunks, so a reduction that combined chunks in a thread-dependent order, or a kernel whose
// partition followed the thread count, would show up as differing bits.
//
// To cover another op, add one entry to `computations()`.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <string>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

/// The inputs, drawn once from a fixed seed and shared by every computation.
struct Inputs {
    Tensor vector;     ///< [1 << 20]
    Tensor matrix;     ///< [4096, 300]
    Tensor row;        ///< [300], broadcast along the matrix's rows
    Tensor column;     ///< [4096, 1], broadcast along the matrix's columns
    Tensor lhs, rhs;   ///< [512, 256] and [256, 300], for matmul
    Tensor weighting;  ///< [512, 300], makes a matmul's loss depend on every output differently
};

const Inputs& inputs() {
    static const Inputs in = [] {
        Generator gen(20240601);
        Inputs made;
        made.vector = uniform({int64_t{1} << 20}, -1.0f, 1.0f, gen);
        made.matrix = randn({4096, 300}, gen) * 0.5f;
        made.row = randn({300}, gen) * 0.5f;
        made.column = uniform({4096, 1}, 0.5f, 1.5f, gen);
        made.lhs = randn({512, 256}, gen);
        made.rhs = randn({256, 300}, gen) * 0.1f;
        made.weighting = randn({512, 300}, gen);
        return made;
    }();
    return in;
}

/// A fresh leaf with the values of `t`, so each run builds its own graph and gradients.
Tensor variable(const Tensor& t) { return t.detach().clone().requires_grad_(); }

/// Forward values plus, for leaves that require a gradient, those gradients after backward.
std::vector<Tensor> with_gradients(const Tensor& loss, const std::vector<Tensor>& leaves) {
    loss.backward();
    std::vector<Tensor> outputs{loss};
    for (const Tensor& leaf : leaves) outputs.push_back(leaf.grad());
    return outputs;
}

struct Computation {
    const char* name;
    std::function<std::vector<Tensor>()> run;
};

const std::vector<Computation>& computations() {
    static const std::vector<Computation> table{
        {"sum over all", [] { return std::vector<Tensor>{sum(inputs().vector)}; }},
        {"sum over axis 0", [] { return std::vector<Tensor>{sum(inputs().matrix, {0})}; }},
        {"sum over axis 1", [] { return std::vector<Tensor>{sum(inputs().matrix, {1})}; }},
        {"sum over axes 0 and 2 of a 3-D view",
         [] {
             return std::vector<Tensor>{sum(inputs().matrix.reshape({64, 64, 300}), {0, 2})};
         }},
        {"mean",
         [] {
             return std::vector<Tensor>{mean(inputs().vector), mean(inputs().matrix),
                                        mean(inputs().matrix, {0}, true)};
         }},
        {"broadcasting add and mul",
         [] {
             const Inputs& in = inputs();
             return std::vector<Tensor>{in.matrix + in.row, in.matrix * in.column,
                                        in.column - in.row};
         }},
        {"exp/log chain",
         [] {
             const Tensor& v = inputs().vector;
             return std::vector<Tensor>{log(exp(v * 2.0f) + 1.0f), sqrt(exp(v) + square(v))};
         }},
        {"sum_to and broadcast_to",
         [] {
             const Inputs& in = inputs();
             return std::vector<Tensor>{sum_to(in.matrix, {300}), sum_to(in.matrix, {4096, 1}),
                                        broadcast_to(in.row, {4096, 300})};
         }},
        {"forward and backward of sum(exp(x * w) + x / (1 + x^2))",
         [] {
             Tensor x = variable(inputs().matrix);
             Tensor w = variable(inputs().row);
             return with_gradients(sum(exp(x * w) + x / (1.0f + x * x)), {x, w});
         }},
        {"matmul [512, 256] x [256, 300]",
         [] { return std::vector<Tensor>{matmul(inputs().lhs, inputs().rhs)}; }},
        {"forward and backward of matmul",
         [] {
             Tensor a = variable(inputs().lhs);
             Tensor b = variable(inputs().rhs);
             return with_gradients(sum(matmul(a, b) * inputs().weighting), {a, b});
         }},
        {"softmax over each axis",
         [] {
             const Tensor& m = inputs().matrix;
             return std::vector<Tensor>{softmax(m, -1), softmax(m, 0), log_softmax(m, 1)};
         }},
        {"forward and backward of softmax",
         [] {
             Tensor x = variable(inputs().matrix);
             return with_gradients(sum(softmax(x, -1) * inputs().matrix), {x});
         }},
    };
    return table;
}

using testing::ThreadCount;

struct Result {
    std::vector<Shape> shapes;
    std::vector<std::vector<float>> values;
};

Result run_on_threads(const Computation& computation, int threads) {
    const ThreadCount count(threads);
    Result result;
    for (const Tensor& t : computation.run()) {
        REQUIRE(t.defined());
        result.shapes.push_back(t.shape());
        result.values.push_back(t.to_vector());
    }
    return result;
}

/// Whether two float arrays hold the same bits (so -0 differs from 0, and NaNs compare).
bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// Where two equally long arrays first differ in their bits, for the failure message.
std::string first_difference(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
            return "element " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " +
                   std::to_string(b[i]);
        }
    }
    return "sizes " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
}

}  // namespace

TEST_CASE("omp_set_num_threads controls how many threads a parallel region gets") {
    for (const int threads : {1, 2, 3}) {
        const ThreadCount count(threads);
        int team_size = 0;
#pragma omp parallel
        {
#pragma omp single
            team_size = omp_get_num_threads();
        }
        CHECK(team_size == threads);
    }
}

TEST_CASE("results are bit-identical on 1, 2 and 3 threads") {
    for (const Computation& computation : computations()) {
        const Result reference = run_on_threads(computation, 1);
        for (const int threads : {2, 3}) {
            const Result result = run_on_threads(computation, threads);
            REQUIRE(result.values.size() == reference.values.size());
            for (std::size_t i = 0; i < result.values.size(); ++i) {
                INFO(computation.name << ", output " << i << ", " << threads << " threads vs 1: "
                                      << first_difference(result.values[i], reference.values[i]));
                CHECK(result.shapes[i] == reference.shapes[i]);
                CHECK(bit_identical(result.values[i], reference.values[i]));
            }
        }
    }
}

TEST_CASE("repeating a computation on the same thread count gives the same bits") {
    // Guards the test above against computations that are simply non-deterministic; the
    // backward passes, which accumulate gradients, are the likeliest to be.
    for (const Computation& computation : computations()) {
        if (std::string(computation.name).find("backward") == std::string::npos) continue;
        const Result first = run_on_threads(computation, 2);
        const Result second = run_on_threads(computation, 2);
        for (std::size_t i = 0; i < first.values.size(); ++i) {
            INFO(computation.name << ", output " << i);
            CHECK(bit_identical(first.values[i], second.values[i]));
        }
    }
}
