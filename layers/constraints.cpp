#include "minidl/layers/constraints.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"

namespace minidl::constraints {
namespace {

/// tf.keras 2's backend.epsilon(), which keeps a zero norm from dividing by zero.
constexpr float kEpsilon = 1e-7f;

std::string describe_weight(const std::string& constraint, const std::string& weight,
                            const Shape& shape) {
    return constraint + " constraint on '" + weight + "' of shape " + shape.to_string();
}

/// L2 norms over `axes` (all axes when empty, Keras's axis=None), kept as size-1 axes.
Tensor norms(const Tensor& w, const Axes& axes) {
    return sqrt(sum(square(w), axes, /*keepdims=*/true));
}

/// The shared part of the constraints that rescale by a norm: the axes and their checks.
class NormConstraint : public Constraint::Impl {
  public:
    explicit NormConstraint(Axes axes) : axes_(std::move(axes)) {}

    Tensor apply(const Tensor& w) const final {
        check_shape(w.shape(), "the weight");
        return rescale(w, norms(w, axes_));
    }

    void check_shape(const Shape& shape, const std::string& weight) const final {
        std::vector<int64_t> seen;
        for (const int64_t axis : axes_) {
            const int64_t rank = shape.rank();
            if (axis < -rank || axis >= rank) {
                throw ValueError(describe_weight(class_name(), weight, shape) + ": axis " +
                                 std::to_string(axis) + " is out of range for rank " +
                                 std::to_string(rank));
            }
            const int64_t normalized = axis < 0 ? axis + rank : axis;
            if (std::find(seen.begin(), seen.end(), normalized) != seen.end()) {
                throw ValueError(describe_weight(class_name(), weight, shape) + ": axis " +
                                 std::to_string(axis) + " is repeated");
            }
            seen.push_back(normalized);
        }
    }

  protected:
    /// `w` moved to its constrained norm, given its norms `n`.
    virtual Tensor rescale(const Tensor& w, const Tensor& n) const = 0;

    /// Keras writes an int axis as an int and a list as a list (None for all axes).
    Json axis_json() const {
        if (axes_.empty()) return nullptr;
        if (axes_.size() == 1) return axes_[0];
        return Json(axes_);
    }

  private:
    Axes axes_;
};

class MaxNormImpl final : public NormConstraint {
  public:
    MaxNormImpl(double max_value, Axes axes) : NormConstraint(std::move(axes)), max_(max_value) {
        if (!(max_value >= 0)) {
            throw ValueError("MaxNorm constraint: max_value must be >= 0, got " +
                             format_number(max_value));
        }
    }

    std::string class_name() const override { return "MaxNorm"; }

    Json config() const override {
        Json config = Json::object();
        config["max_value"] = whole_as_int(max_);
        config["axis"] = axis_json();
        return config;
    }

  private:
    Tensor rescale(const Tensor& w, const Tensor& n) const override {
        const Tensor desired = clamp(n, 0.0f, static_cast<float>(max_));
        return w * (desired / (n + kEpsilon));
    }

    double max_;
};

class MinMaxNormImpl final : public NormConstraint {
  public:
    MinMaxNormImpl(double min_value, double max_value, double rate, Axes axes)
        : NormConstraint(std::move(axes)), min_(min_value), max_(max_value), rate_(rate) {
        const std::string context = "MinMaxNorm constraint: ";
        if (!(min_value >= 0)) {
            throw ValueError(context + "min_value must be >= 0, got " + format_number(min_value));
        }
        if (!(max_value >= min_value)) {
            throw ValueError(context + "max_value must be >= min_value (" +
                             format_number(min_value) + "), got " + format_number(max_value));
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw ValueError(context + "rate must be in [0, 1], got " + format_number(rate));
        }
    }

    std::string class_name() const override { return "MinMaxNorm"; }

    Json config() const override {
        // Keras's defaults are floats (0.0, 1.0, 1.0), so these stay floats.
        Json config = Json::object();
        config["min_value"] = min_;
        config["max_value"] = max_;
        config["rate"] = rate_;
        config["axis"] = axis_json();
        return config;
    }

  private:
    Tensor rescale(const Tensor& w, const Tensor& n) const override {
        const Tensor clipped = clamp(n, static_cast<float>(min_), static_cast<float>(max_));
        const Tensor desired =
            clipped * static_cast<float>(rate_) + n * static_cast<float>(1.0 - rate_);
        return w * (desired / (n + kEpsilon));
    }

    double min_;
    double max_;
    double rate_;
};

class UnitNormImpl final : public NormConstraint {
  public:
    explicit UnitNormImpl(Axes axes) : NormConstraint(std::move(axes)) {}

    std::string class_name() const override { return "UnitNorm"; }

    Json config() const override {
        Json config = Json::object();
        config["axis"] = axis_json();
        return config;
    }

  private:
    Tensor rescale(const Tensor& w, const Tensor& n) const override { return w / (n + kEpsilon); }
};

/// A constraint with no arguments, so Keras's config is {}.
class ArgumentFreeConstraint : public Constraint::Impl {
  public:
    Json config() const final { return Json::object(); }
};

class NonNegImpl final : public ArgumentFreeConstraint {
  public:
    Tensor apply(const Tensor& w) const override { return w * greater_equal(w, scalar(0.0f)); }
    void check_shape(const Shape&, const std::string&) const override {}
    std::string class_name() const override { return "NonNeg"; }
};

/// Keras 2's RadialConstraint on (n, n, channels, kernels) kernels. It rebuilds each n x n
/// kernel ring by ring from diagonal entries, exactly as Keras's while loop does: the innermost
/// ring (the centre, or the central 2 x 2) takes w[s-1, s-1] and ring d (d steps in from the
/// border) takes w[2s-1-d, 2s-1-d], with s = n / 2 rounded down.
class RadialConstraintImpl final : public ArgumentFreeConstraint {
  public:
    Tensor apply(const Tensor& w) const override {
        check_shape(w.shape(), "the weight");
        const int64_t n = w.size(0);
        std::vector<Tensor> diagonal;  // diagonal[i] = w[i:i+1, i:i+1, :, :]
        for (int64_t i = 0; i < n; ++i) {
            diagonal.push_back(slice(slice(w, 0, i, i + 1), 1, i, i + 1));
        }
        std::vector<Tensor> rows;
        for (int64_t r = 0; r < n; ++r) {
            std::vector<Tensor> row;
            for (int64_t c = 0; c < n; ++c) row.push_back(diagonal[source_index(n, r, c)]);
            rows.push_back(concat(row, 1));
        }
        return concat(rows, 0);
    }

    void check_shape(const Shape& shape, const std::string& weight) const override {
        // Keras's reshapes fail for other shapes: it needs square kernels of at least 2 x 2.
        if (shape.rank() != 4 || shape[0] != shape[1] || shape[0] < 2) {
            throw ValueError(describe_weight(class_name(), weight, shape) +
                             ": needs a rank-4 (n, n, channels, kernels) kernel with n >= 2");
        }
    }

    std::string class_name() const override { return "RadialConstraint"; }

  private:
    static int64_t source_index(int64_t n, int64_t r, int64_t c) {
        const int64_t depth = std::min({r, c, n - 1 - r, n - 1 - c});
        const int64_t half = n / 2;
        if (depth == (n - 1) / 2) return half - 1;
        return 2 * half - 1 - depth;
    }
};

/// The axis argument: an int, a list of ints, or null (all axes).
Axes read_axes(ConfigReader& reader) {
    const Json* value = reader.take_present("axis");
    if (value == nullptr) return Axes{0};
    if (value->is_null()) return Axes{};
    if (value->is_number_integer()) return {value->get<int64_t>()};
    if (!value->is_array() || value->empty()) {
        reader.fail("axis",
                    "must be an integer or a non-empty list of integers, got " + value->dump());
    }
    Axes axes;
    for (const Json& axis : *value) {
        if (!axis.is_number_integer()) {
            reader.fail("axis", "must hold integers only, got " + value->dump());
        }
        axes.push_back(axis.get<int64_t>());
    }
    return axes;
}

struct NamedConstraint {
    const char* class_name;
    const char* function_name;
    Constraint (*from_config)(ConfigReader& reader);
};

// Keras's classes with their function aliases (max_norm...); the legacy aliases maxnorm, nonneg
// and unitnorm are the same names once canonical.
const std::array<NamedConstraint, 5> kConstraints = {{
    {"MaxNorm", "max_norm",
     [](ConfigReader& reader) {
         const double max_value = reader.get_number("max_value", 2.0);
         return MaxNorm(max_value, read_axes(reader));
     }},
    {"MinMaxNorm", "min_max_norm",
     [](ConfigReader& reader) {
         const double min_value = reader.get_number("min_value", 0.0);
         const double max_value = reader.get_number("max_value", 1.0);
         const double rate = reader.get_number("rate", 1.0);
         return MinMaxNorm(min_value, max_value, rate, read_axes(reader));
     }},
    {"NonNeg", "non_neg", [](ConfigReader&) { return NonNeg(); }},
    {"UnitNorm", "unit_norm", [](ConfigReader& reader) { return UnitNorm(read_axes(reader)); }},
    {"RadialConstraint", "radial_constraint", [](ConfigReader&) { return RadialConstraint(); }},
}};

const NamedConstraint& find_constraint(const std::string& name) {
    const std::string canonical = canonical_name(name);
    for (const auto& constraint : kConstraints) {
        if (canonical == canonical_name(constraint.class_name)) return constraint;
    }
    std::string known;
    for (const auto& constraint : kConstraints) {
        known += known.empty() ? "" : ", ";
        known += constraint.function_name;
    }
    throw ValueError("constraint: unknown constraint '" + name + "' (known: " + known + ")");
}

Constraint from_config(const NamedConstraint& named, const Json& config) {
    ConfigReader reader(config, std::string(named.class_name) + " constraint config");
    Constraint constraint = named.from_config(reader);
    reader.finish();
    return constraint;
}

}  // namespace

Constraint::Constraint(const char* name) : Constraint(std::string(name)) {}

Constraint::Constraint(const std::string& name)
    : Constraint(from_config(find_constraint(name), Json::object())) {}

Tensor Constraint::operator()(const Tensor& w) const {
    if (!impl_) throw ValueError("constraint: cannot apply an empty constraint");
    return impl_->apply(w);
}

void Constraint::check_shape(const Shape& shape, const std::string& weight) const {
    if (impl_) impl_->check_shape(shape, weight);
}

Json Constraint::to_json() const {
    if (!impl_) return nullptr;
    return keras_object(impl_->class_name(), impl_->config());
}

Constraint Constraint::from_json(const Json& reference, const std::string& key) {
    if (reference.is_null()) return {};
    const KerasObject object = parse_keras_object(reference, key);
    try {
        return from_config(find_constraint(object.class_name), object.config);
    } catch (const ValueError& error) {
        throw ValueError("'" + key + "': " + error.what());
    }
}

Constraint MaxNorm(double max_value, Axes axis) {
    return Constraint(std::make_shared<const MaxNormImpl>(max_value, std::move(axis)));
}

Constraint MinMaxNorm(double min_value, double max_value, double rate, Axes axis) {
    return Constraint(
        std::make_shared<const MinMaxNormImpl>(min_value, max_value, rate, std::move(axis)));
}

Constraint NonNeg() { return Constraint(std::make_shared<const NonNegImpl>()); }

Constraint UnitNorm(Axes axis) {
    return Constraint(std::make_shared<const UnitNormImpl>(std::move(axis)));
}

Constraint RadialConstraint() { return Constraint(std::make_shared<const RadialConstraintImpl>()); }

}  // namespace minidl::constraints
