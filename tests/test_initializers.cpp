// Initializers against Keras's formulas (keras/initializers/initializers.py), written out here
// independently: fans, limits and standard deviations, exact values for the deterministic
// ones, orthogonality, seeding, and the JSON configs tf.keras writes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include <minidl/layers/initializers.hpp>
#include <minidl/minidl.hpp>

using namespace minidl;
using namespace minidl::initializers;

namespace {

// The kernel shapes of the layers in issue 4: SeparableConv1D(k=5, C=8, M=2, F=32) and a
// Conv1D(64 -> 64, k=9).
const Shape kDepthwise{5, 8, 2};
const Shape kPointwise{1, 16, 32};
const Shape kConv1D{9, 64, 64};

/// scipy.stats.truncnorm.std(a=-2, b=2): what truncation leaves of a unit standard deviation.
constexpr double kTruncatedStd = 0.87962566103423978;

struct Sample {
    double mean = 0;
    double variance = 0;
    double max_abs = 0;
    double min = 0;
    double max = 0;
    int64_t n = 0;
};

/// Calls `init` until at least `min_values` values are drawn (the kernels are small), each call
/// continuing the same generator, and summarises all of them.
Sample draw(const Initializer& init, const Shape& shape, int64_t min_values = 200000) {
    Generator gen(2024);
    std::vector<double> values;
    REQUIRE(init(shape, gen).shape() == shape);
    while (static_cast<int64_t>(values.size()) < min_values) {
        for (float v : init(shape, gen).to_vector()) values.push_back(v);
    }
    Sample s;
    s.n = static_cast<int64_t>(values.size());
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    for (double v : values) {
        s.mean += v;
        s.max_abs = std::max(s.max_abs, std::abs(v));
    }
    s.mean /= static_cast<double>(s.n);
    for (double v : values) s.variance += (v - s.mean) * (v - s.mean);
    s.variance /= static_cast<double>(s.n - 1);
    return s;
}

/// Uniform on [-limit, limit]: every value inside, the extremes reached, mean 0 and variance
/// limit^2/3 within five standard errors (Var(s^2) = (mu4 - sigma^4)/n = 4 limit^4 / (45 n)).
void check_uniform(const Sample& s, double limit) {
    INFO("limit " << limit << ", n " << s.n);
    CHECK(s.max_abs <= limit * (1 + 1e-6));
    CHECK(s.max_abs > limit * (1 - 1e-3));
    const double n = static_cast<double>(s.n);
    CHECK(std::abs(s.mean) < 5 * limit / std::sqrt(3 * n));
    const double variance_error = std::sqrt(4 * std::pow(limit, 4) / (45 * n));
    CHECK(std::abs(s.variance - limit * limit / 3) < 5 * variance_error);
}

/// A normal with standard deviation `sigma` cut at 2 sigma: nothing beyond, values near the cut,
/// and the standard deviation truncation leaves, sigma * 0.8796.
void check_truncated(const Sample& s, double mean, double sigma) {
    INFO("mean " << mean << ", sigma " << sigma << ", n " << s.n);
    CHECK(s.max - mean <= 2 * sigma * (1 + 1e-6));
    CHECK(mean - s.min <= 2 * sigma * (1 + 1e-6));
    CHECK(s.max - mean > 1.95 * sigma);
    CHECK(mean - s.min > 1.95 * sigma);
    const double n = static_cast<double>(s.n);
    const double std_after = sigma * kTruncatedStd;
    CHECK(std::abs(s.mean - mean) < 5 * std_after / std::sqrt(n));
    CHECK(std::sqrt(s.variance) == Approx(std_after).epsilon(5 / std::sqrt(2 * n)));
}

/// An untruncated normal: the right mean and standard deviation, and values beyond 2 sigma.
void check_normal(const Sample& s, double mean, double sigma) {
    INFO("mean " << mean << ", sigma " << sigma << ", n " << s.n);
    const double n = static_cast<double>(s.n);
    CHECK(std::abs(s.mean - mean) < 5 * sigma / std::sqrt(n));
    CHECK(std::sqrt(s.variance) == Approx(sigma).epsilon(5 / std::sqrt(2 * n)));
    CHECK(s.max - mean > 3 * sigma);
    CHECK(mean - s.min > 3 * sigma);
}

void check_values(const Tensor& t, const std::vector<float>& expected) {
    CHECK(t.to_vector() == expected);
}

std::string dump(const Initializer& init) { return init.to_json().dump(); }

Initializer round_trip(const Initializer& init) {
    return Initializer::from_json(init.to_json(), "kernel_initializer");
}

}  // namespace

TEST_CASE("compute_fans follows Keras's _compute_fans") {
    const auto fans = [](const Shape& shape) {
        const Fans f = compute_fans(shape);
        return std::vector<double>{f.fan_in, f.fan_out};
    };
    // Depthwise: in = k*C, out = k*M; pointwise: in = C*M, out = F; Conv1D: in = out = k*C.
    CHECK(fans(kDepthwise) == std::vector<double>{40, 10});
    CHECK(fans(kPointwise) == std::vector<double>{16, 32});
    CHECK(fans(kConv1D) == std::vector<double>{576, 576});
    CHECK(fans(Shape{}) == std::vector<double>{1, 1});
    CHECK(fans(Shape{7}) == std::vector<double>{7, 7});
    CHECK(fans(Shape{3, 5}) == std::vector<double>{3, 5});
    CHECK(fans(Shape{2, 3, 4, 5}) == std::vector<double>{24, 30});
}

TEST_CASE("the uniform presets use Keras's limits on the conv kernel shapes") {
    for (const Shape& shape : {kDepthwise, kPointwise, kConv1D}) {
        const Fans f = compute_fans(shape);
        INFO("shape " << shape.to_string());
        check_uniform(draw(GlorotUniform(), shape), std::sqrt(6.0 / (f.fan_in + f.fan_out)));
        check_uniform(draw(HeUniform(), shape), std::sqrt(6.0 / f.fan_in));
        check_uniform(draw(LecunUniform(), shape), std::sqrt(3.0 / f.fan_in));
    }
    // The default kernel limits of SeparableConv1D(k=5, C=8, M=2, F=32).
    check_uniform(draw(Initializer(), kDepthwise), std::sqrt(6.0 / (5 * (8 + 2))));
    check_uniform(draw(Initializer(), kPointwise), std::sqrt(6.0 / (8 * 2 + 32)));
}

TEST_CASE("the normal presets are truncated normals with Keras's standard deviations") {
    for (const Shape& shape : {kDepthwise, kPointwise, kConv1D}) {
        const Fans f = compute_fans(shape);
        INFO("shape " << shape.to_string());
        // Keras's stddev is that of the result; before truncation it is divided by 0.8796.
        const auto sigma = [](double variance) { return std::sqrt(variance) / kTruncatedStd; };
        check_truncated(draw(GlorotNormal(), shape), 0, sigma(2.0 / (f.fan_in + f.fan_out)));
        check_truncated(draw(HeNormal(), shape), 0, sigma(2.0 / f.fan_in));
        check_truncated(draw(LecunNormal(), shape), 0, sigma(1.0 / f.fan_in));
    }
}

TEST_CASE("VarianceScaling: every mode with every distribution") {
    const double scale = 1.7;
    const Fans f = compute_fans(kDepthwise);
    const std::vector<std::pair<std::string, double>> modes = {
        {"fan_in", f.fan_in}, {"fan_out", f.fan_out}, {"fan_avg", (f.fan_in + f.fan_out) / 2}};
    for (const auto& [mode, n] : modes) {
        const double variance = scale / n;
        INFO("mode " << mode);
        const auto sample = [&](const std::string& distribution) {
            return draw(VarianceScaling({scale, mode, distribution, std::nullopt}), kDepthwise);
        };
        check_uniform(sample("uniform"), std::sqrt(3 * variance));
        check_normal(sample("untruncated_normal"), 0, std::sqrt(variance));
        check_truncated(sample("truncated_normal"), 0, std::sqrt(variance) / kTruncatedStd);
        // Keras 2 keeps "normal" as the old spelling of truncated_normal.
        check_truncated(sample("normal"), 0, std::sqrt(variance) / kTruncatedStd);
    }
}

TEST_CASE("VarianceScaling divides by max(1, fan)") {
    // A [1, 1] kernel has fans of 1, so the variance is the scale itself.
    check_uniform(draw(VarianceScaling({3.0, "fan_in", "uniform"}), Shape{1, 1}), 3.0);
    // Rank 0 counts as fans (1, 1).
    check_uniform(draw(VarianceScaling({0.5, "fan_out", "uniform"}), Shape{}), std::sqrt(1.5));
}

TEST_CASE("uniform values are lo + (hi - lo) * u in double precision, stored as float") {
    Generator gen(3);
    const Tensor w = GlorotUniform()(kDepthwise, gen);
    Generator replay(3);
    const double limit = std::sqrt(6.0 / 50.0);
    for (float value : w.to_vector()) {
        CHECK(value == static_cast<float>(-limit + 2 * limit * replay.uniform_double()));
    }
}

TEST_CASE("RandomNormal, RandomUniform and TruncatedNormal use their arguments") {
    check_normal(draw(RandomNormal(), kConv1D), 0.0, 0.05);
    check_normal(draw(RandomNormal(1.5, 0.3), kConv1D), 1.5, 0.3);

    const Sample u = draw(RandomUniform(-0.2, 0.7), kConv1D);
    // The bounds as floats: values next to them round onto them.
    CHECK(u.min >= -0.2f);
    CHECK(u.max <= 0.7f);
    CHECK(u.min < -0.2 + 1e-3);
    CHECK(u.max > 0.7 - 1e-3);
    check_uniform(draw(RandomUniform(), kConv1D), 0.05);

    // TruncatedNormal cuts at 2 stddev without rescaling: the spread shrinks to 0.8796 stddev.
    check_truncated(draw(TruncatedNormal(2.0, 0.5), kConv1D), 2.0, 0.5);
    check_truncated(draw(TruncatedNormal(), kConv1D), 0.0, 0.05);
}

TEST_CASE("Zeros, Ones and Constant fill every element") {
    check_values(Zeros()({2, 3}), std::vector<float>(6, 0.0f));
    check_values(Ones()({4}), std::vector<float>(4, 1.0f));
    check_values(Constant(-0.25)({3, 1}), std::vector<float>(3, -0.25f));
    check_values(Constant()({2}), std::vector<float>(2, 0.0f));
    check_values(Initializer("zeros")(kDepthwise), std::vector<float>(80, 0.0f));
    check_values(Initializer("ones")({}), std::vector<float>{1.0f});
}

TEST_CASE("Identity puts the gain on the diagonal of rank-2 weights") {
    check_values(Identity()({2, 2}), {1, 0, 0, 1});
    check_values(Identity(0.5)({2, 3}), {0.5f, 0, 0, 0, 0.5f, 0});
    check_values(Identity(2)({3, 2}), {2, 0, 0, 2, 0, 0});
    CHECK_THROWS_AS(Identity()({2, 2, 2}), ValueError);
    CHECK_THROWS_WITH(Identity()({4}), Catch::Contains("Identity") && Catch::Contains("[4]"));
}

namespace {

/// Rows(a) . Rows(b)^T for row-major (rows, cols) values.
std::vector<double> gram(const std::vector<float>& w, int64_t rows, int64_t cols, bool of_rows) {
    const int64_t n = of_rows ? rows : cols;
    std::vector<double> g(n * n, 0.0);
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            for (int64_t k = 0; k < (of_rows ? cols : rows); ++k) {
                const int64_t a = of_rows ? i * cols + k : k * cols + i;
                const int64_t b = of_rows ? j * cols + k : k * cols + j;
                g[i * n + j] += static_cast<double>(w[a]) * w[b];
            }
        }
    }
    return g;
}

/// Checks that the smaller side of the flattened weight is orthonormal, times gain^2.
void check_orthogonal(const Shape& shape, double gain) {
    INFO("shape " << shape.to_string() << ", gain " << gain);
    const Tensor w = Orthogonal(gain)(shape);
    REQUIRE(w.shape() == shape);
    const int64_t cols = shape.back();
    const int64_t rows = shape.numel() / cols;
    const bool wide = rows < cols;
    const std::vector<double> g = gram(w.to_vector(), rows, cols, wide);
    const int64_t n = wide ? rows : cols;
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            CHECK(g[i * n + j] == Approx(i == j ? gain * gain : 0.0).margin(1e-5 * gain * gain));
        }
    }
}

/// Gram-Schmidt on the columns of a tall matrix: the unique Q whose R has a positive diagonal,
/// which is what Keras's Q * sign(diag R) is.
std::vector<double> gram_schmidt(std::vector<double> a, int64_t rows, int64_t cols) {
    for (int64_t j = 0; j < cols; ++j) {
        for (int64_t p = 0; p < j; ++p) {
            double dot = 0;
            for (int64_t i = 0; i < rows; ++i) dot += a[i * cols + p] * a[i * cols + j];
            for (int64_t i = 0; i < rows; ++i) a[i * cols + j] -= dot * a[i * cols + p];
        }
        double norm = 0;
        for (int64_t i = 0; i < rows; ++i) norm += a[i * cols + j] * a[i * cols + j];
        for (int64_t i = 0; i < rows; ++i) a[i * cols + j] /= std::sqrt(norm);
    }
    return a;
}

}  // namespace

TEST_CASE("Orthogonal gives orthonormal columns (tall) or rows (wide), times the gain") {
    check_orthogonal({6, 3}, 1.0);
    check_orthogonal({3, 6}, 1.0);
    check_orthogonal({5, 5}, 2.5);
    check_orthogonal({2, 3, 4}, 0.5);   // flattened to (6, 4)
    check_orthogonal({1, 4, 12}, 1.0);  // flattened to (4, 12): wide
    check_orthogonal(kPointwise, 1.0);
    CHECK_THROWS_AS(Orthogonal()({5}), ValueError);
    CHECK_THROWS_WITH(Orthogonal()({}), Catch::Contains("rank >= 2") && Catch::Contains("[]"));
}

TEST_CASE("Orthogonal is Q * sign(diag R) of a normal matrix drawn tall, transposed when wide") {
    const int64_t tall_rows = 5, tall_cols = 3;
    const double gain = 2.0;
    Generator draws(11);
    std::vector<double> a(tall_rows * tall_cols);
    for (double& value : a) value = draws.normal();
    const std::vector<double> q = gram_schmidt(a, tall_rows, tall_cols);

    Generator gen_tall(11);
    const std::vector<float> tall = Orthogonal(gain)({tall_rows, tall_cols}, gen_tall).to_vector();
    Generator gen_wide(11);
    const std::vector<float> wide = Orthogonal(gain)({tall_cols, tall_rows}, gen_wide).to_vector();
    for (int64_t i = 0; i < tall_rows; ++i) {
        for (int64_t j = 0; j < tall_cols; ++j) {
            const double expected = gain * q[i * tall_cols + j];
            CHECK(tall[i * tall_cols + j] == Approx(expected).margin(1e-5));
            CHECK(wide[j * tall_rows + i] == Approx(expected).margin(1e-5));
        }
    }
}

TEST_CASE("seeded initializers repeat their values; unseeded ones draw from the generator") {
    const Shape shape = kDepthwise;
    SECTION("the same seed gives the same values, another seed others") {
        for (const auto& make : {GlorotUniform, GlorotNormal, HeUniform, HeNormal}) {
            CHECK(make(42)(shape).to_vector() == make(42)(shape).to_vector());
            CHECK(make(42)(shape).to_vector() != make(43)(shape).to_vector());
        }
        CHECK(RandomNormal(0, 1, 5)(shape).to_vector() == RandomNormal(0, 1, 5)(shape).to_vector());
        CHECK(Orthogonal(1, 5)({4, 4}).to_vector() == Orthogonal(1, 5)({4, 4}).to_vector());
    }
    SECTION("a seeded initializer called twice repeats itself and leaves `gen` alone") {
        const Initializer init = HeNormal(7);
        Generator gen(1);
        const GeneratorState before = gen.state();
        const std::vector<float> first = init(shape, gen).to_vector();
        CHECK(gen.state() == before);
        CHECK(init(shape, gen).to_vector() == first);
        CHECK(init(shape).to_vector() == first);
        // The seed is the generator's: the same values as Generator(7) passed to an unseeded one.
        Generator seven(7);
        CHECK(HeNormal()(shape, seven).to_vector() == first);
    }
    SECTION("unseeded initializers draw from the default generator") {
        const Initializer init = GlorotUniform();
        manual_seed(1);
        const std::vector<float> first = init(shape).to_vector();
        const std::vector<float> second = init(shape).to_vector();
        CHECK(first != second);
        manual_seed(1);
        CHECK(init(shape).to_vector() == first);
        Generator gen(1);
        CHECK(init(shape, gen).to_vector() == first);
    }
}

TEST_CASE("an initializer returns a fresh leaf tensor each call") {
    const Initializer init = Ones();
    const Tensor a = init({3});
    const Tensor b = init({3});
    CHECK(a.is_leaf());
    CHECK_FALSE(a.requires_grad());
    CHECK(a.data() != b.data());
    CHECK(init({0, 4}).numel() == 0);
}

TEST_CASE("config and to_json write Keras's class names and keys in Keras's order") {
    CHECK(dump(GlorotUniform()) == R"({"class_name":"GlorotUniform","config":{"seed":null}})");
    CHECK(dump(Initializer()) == R"({"class_name":"GlorotUniform","config":{"seed":null}})");
    CHECK(dump(HeNormal(7)) == R"({"class_name":"HeNormal","config":{"seed":7}})");
    CHECK(dump(LecunUniform()) == R"({"class_name":"LecunUniform","config":{"seed":null}})");
    CHECK(dump(Zeros()) == R"({"class_name":"Zeros","config":{}})");
    CHECK(dump(Initializer("ones")) == R"({"class_name":"Ones","config":{}})");
    CHECK(dump(Constant()) == R"({"class_name":"Constant","config":{"value":0}})");
    CHECK(dump(Constant(0.5)) == R"({"class_name":"Constant","config":{"value":0.5}})");
    CHECK(dump(RandomNormal()) ==
          R"({"class_name":"RandomNormal","config":{"mean":0.0,"stddev":0.05,"seed":null}})");
    CHECK(dump(RandomUniform(-1, 1, 3)) ==
          R"({"class_name":"RandomUniform","config":{"minval":-1.0,"maxval":1.0,"seed":3}})");
    CHECK(dump(TruncatedNormal(0.1, 0.2)) ==
          R"({"class_name":"TruncatedNormal","config":{"mean":0.1,"stddev":0.2,"seed":null}})");
    CHECK(dump(VarianceScaling()) ==
          R"({"class_name":"VarianceScaling","config":{"scale":1.0,"mode":"fan_in",)"
          R"("distribution":"truncated_normal","seed":null}})");
    CHECK(VarianceScaling({2.0, "FAN_OUT", "Normal", 5}).config().dump() ==
          R"({"scale":2.0,"mode":"fan_out","distribution":"truncated_normal","seed":5})");
    CHECK(dump(Orthogonal()) == R"({"class_name":"Orthogonal","config":{"gain":1.0,"seed":null}})");
    CHECK(dump(Identity(2)) == R"({"class_name":"Identity","config":{"gain":2.0}})");
    CHECK(GlorotNormal().class_name() == "GlorotNormal");
    CHECK(HeUniform().class_name() == "HeUniform");
    CHECK(LecunNormal().class_name() == "LecunNormal");
}

TEST_CASE("from_json round-trips every initializer") {
    const std::vector<Initializer> all = {
        Zeros(),
        Ones(),
        Constant(),
        Constant(0.25),
        RandomNormal(0.5, 2, 9),
        RandomUniform(),
        TruncatedNormal(1, 3),
        VarianceScaling({0.3, "fan_avg", "untruncated_normal", 12}),
        VarianceScaling({2, "fan_out", "uniform"}),
        GlorotUniform(),
        GlorotNormal(1),
        HeUniform(2),
        HeNormal(),
        LecunUniform(),
        LecunNormal(4),
        Orthogonal(1.5, 8),
        Identity(0.5),
    };
    for (const Initializer& init : all) {
        INFO(dump(init));
        const Initializer back = round_trip(init);
        CHECK(dump(back) == dump(init));
        // The values follow the config: a seeded one reproduces itself exactly.
        if (init.config().contains("seed") && !init.config()["seed"].is_null()) {
            const Shape shape{4, 4};
            CHECK(back(shape).to_vector() == init(shape).to_vector());
        }
    }
    CHECK(dump(round_trip(Constant(1.0))) == R"({"class_name":"Constant","config":{"value":1}})");
    const Json float_value = Json::parse(R"({"class_name":"Constant","config":{"value":1.0}})");
    CHECK(Initializer::from_json(float_value, "k").to_json() == float_value);
}

TEST_CASE("from_json reads names in either spelling and tf.keras 2.13's object form") {
    const auto class_of = [](const Json& reference) {
        return Initializer::from_json(reference, "kernel_initializer").class_name();
    };
    CHECK(class_of("glorot_uniform") == "GlorotUniform");
    CHECK(class_of("GlorotUniform") == "GlorotUniform");
    CHECK(class_of("GLOROT_UNIFORM") == "GlorotUniform");
    CHECK(class_of("he_normal") == "HeNormal");
    CHECK(class_of("HeNormal") == "HeNormal");
    CHECK(class_of("truncated_normal") == "TruncatedNormal");
    CHECK(class_of("variance_scaling") == "VarianceScaling");
    CHECK(class_of("random_normal") == "RandomNormal");
    CHECK(class_of("identity") == "Identity");
    CHECK(class_of("Orthogonal") == "Orthogonal");
    // Keras's compatibility aliases.
    CHECK(class_of("normal") == "RandomNormal");
    CHECK(class_of("uniform") == "RandomUniform");
    CHECK(class_of("one") == "Ones");
    CHECK(class_of("zero") == "Zeros");
    CHECK(class_of("GlorotUniformV2") == "GlorotUniform");
    CHECK(class_of("he_normalV2") == "HeNormal");
    // Keras's layers fall back to glorot_uniform for a None initializer.
    CHECK(class_of(nullptr) == "GlorotUniform");

    const Json k213 = Json::parse(R"({"module": "keras.initializers",
        "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "FAN_AVG", "distribution": "uniform", "seed": 3},
        "registered_name": null})");
    const Initializer init = Initializer::from_json(k213, "depthwise_initializer");
    CHECK(init.config().dump() ==
          R"({"scale":2.0,"mode":"fan_avg","distribution":"uniform","seed":3})");
    CHECK(init(kDepthwise).to_vector() ==
          VarianceScaling({2.0, "fan_avg", "uniform", 3})(kDepthwise).to_vector());

    const Json old_form = Json::parse(R"({"class_name": "HeUniform", "config": {"seed": null}})");
    CHECK(Initializer::from_json(old_form, "k").to_json() == old_form);
    // Keras's Initializer.from_config drops "dtype"; a missing config means the defaults.
    CHECK(dump(Initializer::from_json(
              Json::parse(R"({"class_name": "Zeros", "config": {"dtype": "float32"}})"), "k")) ==
          dump(Zeros()));
    CHECK(dump(Initializer::from_json(Json::parse(R"({"class_name": "Orthogonal"})"), "k")) ==
          dump(Orthogonal()));
}

TEST_CASE("bad names, keys and values are errors naming the culprit") {
    CHECK_THROWS_AS(Initializer("foo"), ValueError);
    CHECK_THROWS_WITH(Initializer("foo"), Catch::Contains("unknown initializer 'foo'") &&
                                              Catch::Contains("glorot_uniform") &&
                                              Catch::Contains("he_normal"));
    CHECK_THROWS_WITH(
        Initializer::from_json(Json::parse(R"({"class_name": "Xavier"})"), "pointwise_initializer"),
        Catch::Contains("'pointwise_initializer'") &&
            Catch::Contains("unknown initializer 'Xavier'"));
    CHECK_THROWS_WITH(Initializer::from_json(42, "bias_initializer"),
                      Catch::Contains("'bias_initializer'"));

    const auto read = [](const std::string& text) {
        return Initializer::from_json(Json::parse(text), "depthwise_initializer");
    };
    // The presets take only a seed.
    CHECK_THROWS_AS(read(R"({"class_name": "GlorotUniform", "config": {"scale": 2}})"), ValueError);
    CHECK_THROWS_WITH(read(R"({"class_name": "GlorotUniform", "config": {"seed": 1, "scale": 2}})"),
                      Catch::Contains("initializer 'depthwise_initializer' (GlorotUniform)") &&
                          Catch::Contains("'scale'"));
    CHECK_THROWS_WITH(read(R"({"class_name": "RandomNormal", "config": {"stdev": 1}})"),
                      Catch::Contains("'stdev'"));
    CHECK_THROWS_WITH(read(R"({"class_name": "RandomNormal", "config": {"stddev": "big"}})"),
                      Catch::Contains("'stddev'") && Catch::Contains("big"));
    CHECK_THROWS_WITH(read(R"({"class_name": "HeNormal", "config": {"seed": -1}})"),
                      Catch::Contains("'seed'") && Catch::Contains("-1"));
    CHECK_THROWS_WITH(read(R"({"class_name": "HeNormal", "config": {"seed": 1.5}})"),
                      Catch::Contains("'seed'"));
    CHECK_THROWS_WITH(read(R"({"class_name": "Constant", "config": {"value": [1, 2]}})"),
                      Catch::Contains("'value'"));

    // VarianceScaling's own checks, from JSON and from C++.
    CHECK_THROWS_WITH(read(R"({"class_name": "VarianceScaling", "config": {"mode": "fan_sum"}})"),
                      Catch::Contains("(VarianceScaling)") && Catch::Contains("'mode'") &&
                          Catch::Contains("fan_sum"));
    CHECK_THROWS_WITH(
        read(R"({"class_name": "VarianceScaling", "config": {"distribution": "cauchy"}})"),
        Catch::Contains("'distribution'") && Catch::Contains("cauchy"));
    CHECK_THROWS_WITH(read(R"({"class_name": "VarianceScaling", "config": {"scale": 0}})"),
                      Catch::Contains("depthwise_initializer") && Catch::Contains("'scale'"));
    CHECK_THROWS_AS(VarianceScaling({-1.0}), ValueError);
    CHECK_THROWS_WITH(VarianceScaling({0.0}), Catch::Contains("'scale'"));
    CHECK_THROWS_WITH(VarianceScaling({1.0, "fan"}), Catch::Contains("'mode'"));
    CHECK_THROWS_WITH(VarianceScaling({1.0, "fan_in", "gamma"}), Catch::Contains("'distribution'"));
}
