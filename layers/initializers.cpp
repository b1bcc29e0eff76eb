#include "minidl/layers/initializers.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "minidl/core/error.hpp"

namespace minidl::initializers {
namespace {

// ---------------------------------------------------------------------------------------------
// Sampling. Values are computed in double precision and rounded to float once, when stored.
// ---------------------------------------------------------------------------------------------

/// scipy.stats.truncnorm.std(a=-2, b=2): the standard deviation left after cutting a standard
/// normal at two standard deviations; VarianceScaling divides by it so that the truncated
/// values keep the variance it promises.
constexpr double kTruncatedNormalStd = 0.87962566103423978;

enum class Sampling { kUniform, kNormal, kTruncatedNormal };

/// A standard normal value, redrawn until it lies within two standard deviations (TensorFlow's
/// truncated_normal).
double truncated_standard_normal(Generator& gen) {
    double z = gen.normal();
    while (std::abs(z) > 2.0) z = gen.normal();
    return z;
}

/// Fills `weight` from one distribution: uniform in [a, b), or normal with mean a and standard
/// deviation b (optionally truncated at two standard deviations).
void fill_random(const Tensor& weight, Sampling sampling, double a, double b, Generator& gen) {
    float* data = weight.data();
    const int64_t n = weight.numel();
    for (int64_t i = 0; i < n; ++i) {
        double value = 0.0;
        switch (sampling) {
            case Sampling::kUniform:
                value = a + (b - a) * gen.uniform_double();
                break;
            case Sampling::kNormal:
                value = a + b * gen.normal();
                break;
            case Sampling::kTruncatedNormal:
                value = a + b * truncated_standard_normal(gen);
                break;
        }
        data[i] = static_cast<float>(value);
    }
}

Json seed_json(std::optional<uint64_t> seed) { return seed ? Json(*seed) : Json(nullptr); }

// ---------------------------------------------------------------------------------------------
// The initializer implementations.
// ---------------------------------------------------------------------------------------------

/// Zeros, Ones and Constant: every element gets `value`.
class ConstantImpl final : public Initializer::Impl {
  public:
    ConstantImpl(std::string class_name, double value, Json config)
        : class_name_(std::move(class_name)), value_(value), config_(std::move(config)) {}

    void fill(const Tensor& weight, Generator&) const override {
        std::fill_n(weight.data(), weight.numel(), static_cast<float>(value_));
    }
    std::string class_name() const override { return class_name_; }
    Json config() const override { return config_; }

  private:
    std::string class_name_;
    double value_;
    Json config_;
};

/// RandomNormal, RandomUniform and TruncatedNormal: a fixed distribution with two parameters.
class FixedDistributionImpl final : public Initializer::Impl {
  public:
    struct Parameter {
        const char* key;
        double value;
    };

    FixedDistributionImpl(std::string class_name, Sampling sampling, Parameter first,
                          Parameter second, std::optional<uint64_t> seed)
        : class_name_(std::move(class_name)),
          sampling_(sampling),
          first_(first),
          second_(second),
          seed_(seed) {}

    void fill(const Tensor& weight, Generator& gen) const override {
        fill_random(weight, sampling_, first_.value, second_.value, gen);
    }
    std::optional<uint64_t> seed() const override { return seed_; }
    std::string class_name() const override { return class_name_; }
    Json config() const override {
        Json config = Json::object();
        config[first_.key] = first_.value;
        config[second_.key] = second_.value;
        config["seed"] = seed_json(seed_);
        return config;
    }

  private:
    std::string class_name_;
    Sampling sampling_;
    Parameter first_;
    Parameter second_;
    std::optional<uint64_t> seed_;
};

/// The variance Keras's VarianceScaling aims for: scale / max(1, n), n being the chosen fan.
double target_variance(const VarianceScalingOptions& options, const Shape& shape) {
    const Fans fans = compute_fans(shape);
    double n = (fans.fan_in + fans.fan_out) / 2.0;
    if (options.mode == "fan_in") n = fans.fan_in;
    if (options.mode == "fan_out") n = fans.fan_out;
    return options.scale / std::max(1.0, n);
}

/// VarianceScaling and its presets (GlorotUniform...), which differ only in class name and in
/// writing just their seed in the config, as Keras's subclasses do.
class VarianceScalingImpl final : public Initializer::Impl {
  public:
    VarianceScalingImpl(VarianceScalingOptions options, std::string class_name, bool is_preset)
        : options_(std::move(options)), class_name_(std::move(class_name)), is_preset_(is_preset) {}

    void fill(const Tensor& weight, Generator& gen) const override {
        const double variance = target_variance(options_, weight.shape());
        if (options_.distribution == "uniform") {
            const double limit = std::sqrt(3.0 * variance);
            fill_random(weight, Sampling::kUniform, -limit, limit, gen);
        } else if (options_.distribution == "untruncated_normal") {
            fill_random(weight, Sampling::kNormal, 0.0, std::sqrt(variance), gen);
        } else {
            const double stddev = std::sqrt(variance) / kTruncatedNormalStd;
            fill_random(weight, Sampling::kTruncatedNormal, 0.0, stddev, gen);
        }
    }
    std::optional<uint64_t> seed() const override { return options_.seed; }
    std::string class_name() const override { return class_name_; }
    Json config() const override {
        Json config = Json::object();
        if (!is_preset_) {
            config["scale"] = options_.scale;
            config["mode"] = options_.mode;
            config["distribution"] = options_.distribution;
        }
        config["seed"] = seed_json(options_.seed);
        return config;
    }

  private:
    VarianceScalingOptions options_;
    std::string class_name_;
    bool is_preset_;
};

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The Q of a thin QR decomposition of a tall (rows >= cols) matrix, each column's sign flipped
/// so that R's diagonal is positive; this makes Q uniformly distributed (Haar measure).
Matrix sign_corrected_q(const Matrix& tall) {
    const Eigen::HouseholderQR<Matrix> qr(tall);
    Matrix q = qr.householderQ() * Matrix::Identity(tall.rows(), tall.cols());
    const auto diagonal = qr.matrixQR().diagonal();
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        if (diagonal(j) < 0) q.col(j) *= -1.0;
    }
    return q;
}

class OrthogonalImpl final : public Initializer::Impl {
  public:
    OrthogonalImpl(double gain, std::optional<uint64_t> seed) : gain_(gain), seed_(seed) {}

    void fill(const Tensor& weight, Generator& gen) const override {
        const Shape& shape = weight.shape();
        if (shape.rank() < 2) {
            throw ValueError("Orthogonal initializer: the weight must have rank >= 2, got shape " +
                             shape.to_string());
        }
        const int64_t cols = shape.back();
        int64_t rows = 1;
        for (int axis = 0; axis + 1 < shape.rank(); ++axis) rows *= shape[axis];
        // Keras draws the tall orientation and transposes the result for a wide weight.
        Matrix tall(std::max(rows, cols), std::min(rows, cols));
        for (Eigen::Index i = 0; i < tall.size(); ++i) tall.data()[i] = gen.normal();
        Matrix q = sign_corrected_q(tall) * gain_;
        if (rows < cols) q.transposeInPlace();
        std::transform(q.data(), q.data() + q.size(), weight.data(),
                       [](double value) { return static_cast<float>(value); });
    }
    std::optional<uint64_t> seed() const override { return seed_; }
    std::string class_name() const override { return "Orthogonal"; }
    Json config() const override { return {{"gain", gain_}, {"seed", seed_json(seed_)}}; }

  private:
    double gain_;
    std::optional<uint64_t> seed_;
};

class IdentityImpl final : public Initializer::Impl {
  public:
    explicit IdentityImpl(double gain) : gain_(gain) {}

    void fill(const Tensor& weight, Generator&) const override {
        const Shape& shape = weight.shape();
        if (shape.rank() != 2) {
            throw ValueError("Identity initializer: the weight must have rank 2, got shape " +
                             shape.to_string());
        }
        float* data = weight.data();
        std::fill_n(data, weight.numel(), 0.0f);
        for (int64_t i = 0; i < std::min(shape[0], shape[1]); ++i) {
            data[i * shape[1] + i] = static_cast<float>(gain_);
        }
    }
    std::string class_name() const override { return "Identity"; }
    Json config() const override { return {{"gain", gain_}}; }

  private:
    double gain_;
};

// ---------------------------------------------------------------------------------------------
// Validation and reading configs.
// ---------------------------------------------------------------------------------------------

/// Keras checks `mode` exactly; minidl also accepts other letter cases.
std::string checked_mode(const std::string& mode) {
    const std::string lowered = lowercase(mode);
    if (lowered != "fan_in" && lowered != "fan_out" && lowered != "fan_avg") {
        throw ValueError("VarianceScaling: 'mode' must be fan_in, fan_out or fan_avg, got '" +
                         mode + "'");
    }
    return lowered;
}

/// Lower-cased, with Keras's old "normal" meaning truncated_normal.
std::string checked_distribution(const std::string& distribution) {
    const std::string lowered = lowercase(distribution);
    if (lowered == "normal") return "truncated_normal";
    if (lowered != "uniform" && lowered != "truncated_normal" && lowered != "untruncated_normal") {
        throw ValueError(
            "VarianceScaling: 'distribution' must be truncated_normal, untruncated_normal, "
            "normal or uniform, got '" +
            distribution + "'");
    }
    return lowered;
}

std::optional<uint64_t> read_seed(ConfigReader& reader) {
    const Json* seed = reader.take("seed");
    if (seed == nullptr) return std::nullopt;
    if (seed->is_number_unsigned()) return seed->get<uint64_t>();
    if (seed->is_number_integer() && seed->get<int64_t>() >= 0) {
        return static_cast<uint64_t>(seed->get<int64_t>());
    }
    reader.fail("seed", "must be a non-negative integer or null, got " + seed->dump());
}

using SeededPreset = Initializer (*)(std::optional<uint64_t>);
using ConfigParser = std::function<Initializer(ConfigReader&)>;

/// Reads the config of a class whose only argument is its seed.
ConfigParser seed_only(SeededPreset preset) {
    return [preset](ConfigReader& reader) { return preset(read_seed(reader)); };
}

using DistributionFactory = Initializer (*)(double, double, std::optional<uint64_t>);

/// Reads the config of RandomNormal, RandomUniform or TruncatedNormal.
ConfigParser two_parameters(DistributionFactory factory, FixedDistributionImpl::Parameter first,
                            FixedDistributionImpl::Parameter second) {
    return [=](ConfigReader& reader) {
        const double a = reader.get_number(first.key, first.value);
        const double b = reader.get_number(second.key, second.value);
        return factory(a, b, read_seed(reader));
    };
}

/// A Constant whose config shows `written` as its value.
Initializer constant_writing(double value, Json written) {
    Json config = Json::object();
    config["value"] = std::move(written);
    return Initializer(std::make_shared<ConstantImpl>("Constant", value, std::move(config)));
}

Initializer parse_constant(ConfigReader& reader) {
    const Json* value = reader.take("value");
    if (value == nullptr) return Constant();
    if (!value->is_number()) reader.fail("value", "must be a number, got " + value->dump());
    // Keep the number as written (1 or 1.0) so that the config round-trips exactly.
    return constant_writing(value->get<double>(), *value);
}

Initializer parse_variance_scaling(ConfigReader& reader) {
    VarianceScalingOptions options;
    options.scale = reader.get_number("scale", options.scale);
    options.mode = reader.get_string("mode", options.mode);
    options.distribution = reader.get_string("distribution", options.distribution);
    options.seed = read_seed(reader);
    return VarianceScaling(options);
}

Initializer parse_orthogonal(ConfigReader& reader) {
    const double gain = reader.get_number("gain", 1.0);
    return Orthogonal(gain, read_seed(reader));
}

Initializer parse_identity(ConfigReader& reader) {
    return Identity(reader.get_number("gain", 1.0));
}

/// A Keras initializer class: its class name, its function name, and how to read its config.
struct InitializerClass {
    std::string_view class_name;
    std::string_view function_name;
    ConfigParser parse;
};

const std::vector<InitializerClass>& initializer_classes() {
    static const std::vector<InitializerClass> classes = {
        {"Zeros", "zeros", [](ConfigReader&) { return Zeros(); }},
        {"Ones", "ones", [](ConfigReader&) { return Ones(); }},
        {"Constant", "constant", parse_constant},
        {"RandomNormal", "random_normal",
         two_parameters(RandomNormal, {"mean", 0.0}, {"stddev", 0.05})},
        {"RandomUniform", "random_uniform",
         two_parameters(RandomUniform, {"minval", -0.05}, {"maxval", 0.05})},
        {"TruncatedNormal", "truncated_normal",
         two_parameters(TruncatedNormal, {"mean", 0.0}, {"stddev", 0.05})},
        {"VarianceScaling", "variance_scaling", parse_variance_scaling},
        {"GlorotUniform", "glorot_uniform", seed_only(GlorotUniform)},
        {"GlorotNormal", "glorot_normal", seed_only(GlorotNormal)},
        {"HeUniform", "he_uniform", seed_only(HeUniform)},
        {"HeNormal", "he_normal", seed_only(HeNormal)},
        {"LecunUniform", "lecun_uniform", seed_only(LecunUniform)},
        {"LecunNormal", "lecun_normal", seed_only(LecunNormal)},
        {"Orthogonal", "orthogonal", parse_orthogonal},
        {"Identity", "identity", parse_identity},
    };
    return classes;
}

/// Keras's extra names (keras/initializers/__init__.py): alias -> class name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kAliases = {{
    {"normal", "RandomNormal"},
    {"uniform", "RandomUniform"},
    {"one", "Ones"},
    {"zero", "Zeros"},
}};

std::string known_names() {
    std::string known;
    for (const auto& kind : initializer_classes()) {
        known += known.empty() ? "" : ", ";
        known += kind.function_name;
    }
    for (const auto& [alias, target] : kAliases) known += ", " + std::string(alias);
    return known + " (or the class names, e.g. GlorotUniform)";
}

/// The class `name` refers to: a class or function name in any letter case, one of Keras's
/// aliases, or a "...V2" compatibility name ("GlorotUniformV2", "glorot_uniformV2").
const InitializerClass& find_class(const std::string& name) {
    std::string wanted = canonical_name(name);
    for (const auto& [alias, target] : kAliases) {
        if (wanted == alias) wanted = canonical_name(target);
    }
    for (const auto& kind : initializer_classes()) {
        const std::string canonical = canonical_name(kind.class_name);
        if (wanted == canonical || wanted == canonical + "v2") return kind;
    }
    throw ValueError("unknown initializer '" + name + "'; known: " + known_names());
}

/// Builds `kind` from `config`; every error names `key` and the class.
Initializer build(const InitializerClass& kind, const Json& config, const std::string& key) {
    ConfigReader reader(config, "initializer '" + key + "' (" + std::string(kind.class_name) + ")");
    reader.ignore("dtype");  // Keras's Initializer.from_config drops it too
    try {
        Initializer initializer = kind.parse(reader);
        reader.finish();
        return initializer;
    } catch (const ValueError& error) {
        const std::string message = error.what();
        if (message.starts_with(reader.context())) throw;
        throw ValueError(reader.context() + ": " + message);
    }
}

Initializer preset(const char* class_name, double scale, const char* mode, const char* distribution,
                   std::optional<uint64_t> seed) {
    VarianceScalingOptions options{scale, mode, distribution, seed};
    return Initializer(std::make_shared<VarianceScalingImpl>(std::move(options), class_name,
                                                             /*is_preset=*/true));
}

}  // namespace

Fans compute_fans(const Shape& shape) {
    const int rank = shape.rank();
    if (rank == 0) return {1, 1};
    if (rank == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
    double receptive_field = 1;
    for (int axis = 0; axis < rank - 2; ++axis) receptive_field *= static_cast<double>(shape[axis]);
    return {static_cast<double>(shape[rank - 2]) * receptive_field,
            static_cast<double>(shape[rank - 1]) * receptive_field};
}

Initializer::Initializer() : Initializer(GlorotUniform()) {}

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}

Initializer::Initializer(const std::string& name)
    : Initializer(build(find_class(name), Json::object(), name)) {}

Initializer::Initializer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {
    if (!impl_) throw ValueError("Initializer: the implementation is null");
}

Tensor Initializer::operator()(const Shape& shape, Generator& gen) const {
    Tensor weight = empty(shape);
    if (const auto seed = impl_->seed()) {
        // A fresh generator per call: a seeded initializer gives the same values every time.
        Generator own(*seed);
        impl_->fill(weight, own);
    } else {
        impl_->fill(weight, gen);
    }
    return weight;
}

Json Initializer::to_json() const { return keras_object(class_name(), config()); }

Initializer Initializer::from_json(const Json& reference, const std::string& key) {
    // Keras's add_weight falls back to glorot_uniform when a layer's initializer is None.
    if (reference.is_null()) return Initializer();
    const KerasObject object = parse_keras_object(reference, key);
    const InitializerClass* kind = nullptr;
    try {
        kind = &find_class(object.class_name);
    } catch (const ValueError& error) {
        throw ValueError("'" + key + "': " + error.what());
    }
    return build(*kind, object.config, key);
}

Initializer Zeros() {
    return Initializer(std::make_shared<ConstantImpl>("Zeros", 0.0, Json::object()));
}

Initializer Ones() {
    return Initializer(std::make_shared<ConstantImpl>("Ones", 1.0, Json::object()));
}

Initializer Constant(double value) {
    // Keras's default is the integer 0, and it writes integers as such: keep whole values whole.
    return constant_writing(value, whole_as_int(value));
}

Initializer RandomNormal(double mean, double stddev, std::optional<uint64_t> seed) {
    return Initializer(std::make_shared<FixedDistributionImpl>(
        "RandomNormal", Sampling::kNormal, FixedDistributionImpl::Parameter{"mean", mean},
        FixedDistributionImpl::Parameter{"stddev", stddev}, seed));
}

Initializer RandomUniform(double minval, double maxval, std::optional<uint64_t> seed) {
    return Initializer(std::make_shared<FixedDistributionImpl>(
        "RandomUniform", Sampling::kUniform, FixedDistributionImpl::Parameter{"minval", minval},
        FixedDistributionImpl::Parameter{"maxval", maxval}, seed));
}

Initializer TruncatedNormal(double mean, double stddev, std::optional<uint64_t> seed) {
    return Initializer(std::make_shared<FixedDistributionImpl>(
        "TruncatedNormal", Sampling::kTruncatedNormal,
        FixedDistributionImpl::Parameter{"mean", mean},
        FixedDistributionImpl::Parameter{"stddev", stddev}, seed));
}

Initializer VarianceScaling(const VarianceScalingOptions& options) {
    if (!(options.scale > 0.0)) {
        throw ValueError("VarianceScaling: 'scale' must be positive, got " +
                         Json(options.scale).dump());
    }
    VarianceScalingOptions checked = options;
    checked.mode = checked_mode(options.mode);
    checked.distribution = checked_distribution(options.distribution);
    return Initializer(std::make_shared<VarianceScalingImpl>(std::move(checked), "VarianceScaling",
                                                             /*is_preset=*/false));
}

Initializer GlorotUniform(std::optional<uint64_t> seed) {
    return preset("GlorotUniform", 1.0, "fan_avg", "uniform", seed);
}

Initializer GlorotNormal(std::optional<uint64_t> seed) {
    return preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal", seed);
}

Initializer HeUniform(std::optional<uint64_t> seed) {
    return preset("HeUniform", 2.0, "fan_in", "uniform", seed);
}

Initializer HeNormal(std::optional<uint64_t> seed) {
    return preset("HeNormal", 2.0, "fan_in", "truncated_normal", seed);
}

Initializer LecunUniform(std::optional<uint64_t> seed) {
    return preset("LecunUniform", 1.0, "fan_in", "uniform", seed);
}

Initializer LecunNormal(std::optional<uint64_t> seed) {
    return preset("LecunNormal", 1.0, "fan_in", "truncated_normal", seed);
}

Initializer Orthogonal(double gain, std::optional<uint64_t> seed) {
    return Initializer(std::make_shared<OrthogonalImpl>(gain, seed));
}

Initializer Identity(double gain) { return Initializer(std::make_shared<IdentityImpl>(gain)); }

}  // namespace minidl::initializers
