#include "minidl/layers/regularizers.hpp"

#include <cmath>
#include <optional>
#include <sstream>
#include <utility>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::regularizers {
namespace {

/// What a Keras name or class stands for: the class it builds, the factors its config carries
/// and their defaults.
struct Kind {
    const char* class_name;
    bool has_l1;
    bool has_l2;
    double default_l1;
    double default_l2;
};

constexpr Kind kL1{"L1", true, false, 0.01, 0.0};
constexpr Kind kL2{"L2", false, true, 0.0, 0.01};
constexpr Kind kL1L2{"L1L2", true, true, 0.0, 0.0};
// Keras's function l1_l2() builds an L1L2 with other defaults than the class's.
constexpr Kind kL1L2Function{"L1L2", true, true, 0.01, 0.01};

/// The factor as tf.keras 2 keeps it (float32), after rejecting what cannot be a penalty.
float checked_factor(double value, const Kind& kind, const char* argument) {
    const std::string context = std::string(kind.class_name) + " regularizer: " + argument + ": ";
    if (value < 0) throw ValueError(context + "must be >= 0, got " + format_number(value));
    // The float32 check also catches finite doubles beyond float range.
    if (!std::isfinite(static_cast<float>(value))) {
        throw ValueError(context + "must be a finite float32, got " + format_number(value));
    }
    return static_cast<float>(value);
}

class Penalty final : public Regularizer::Impl {
  public:
    Penalty(const Kind& kind, double l1, double l2)
        : kind_(kind),
          l1_(kind.has_l1 ? checked_factor(l1, kind, "l1") : 0.0f),
          l2_(kind.has_l2 ? checked_factor(l2, kind, "l2") : 0.0f) {}

    Tensor penalty(const Tensor& x) const override {
        // Keras skips a zero factor's term; with none left the penalty is a constant 0.
        std::optional<Tensor> total;
        const auto add_term = [&total](const Tensor& term) {
            total = total ? add(*total, term) : term;
        };
        if (l1_ != 0.0f) add_term(mul(sum(abs(x)), l1_));
        if (l2_ != 0.0f) add_term(mul(sum(square(x)), l2_));
        return total ? *total : scalar(0.0f);
    }

    std::string class_name() const override { return kind_.class_name; }

    Json config() const override {
        Json config = Json::object();
        if (kind_.has_l1) config["l1"] = static_cast<double>(l1_);
        if (kind_.has_l2) config["l2"] = static_cast<double>(l2_);
        return config;
    }

  private:
    Kind kind_;
    float l1_;
    float l2_;
};

Regularizer make(const Kind& kind, double l1, double l2) {
    return Regularizer(std::make_shared<const Penalty>(kind, l1, l2));
}

/// Keras names are matched case-insensitively, but the underscore tells the function l1_l2
/// (factors 0.01) from the class L1L2 (factors 0), as Keras's deserialize() does.
const Kind& find_kind(const std::string& name) {
    if (lowercase(name) == "l1_l2") return kL1L2Function;
    const std::string canonical = canonical_name(name);
    for (const Kind* kind : {&kL1, &kL2, &kL1L2}) {
        if (canonical == canonical_name(kind->class_name)) return *kind;
    }
    throw ValueError("regularizer: unknown regularizer '" + name +
                     "' (known: l1, l2, l1_l2, L1, L2, L1L2)");
}

Regularizer from_config(const Kind& kind, const Json& config) {
    ConfigReader reader(config, std::string(kind.class_name) + " regularizer config");
    double l1 = kind.default_l1;
    double l2 = kind.default_l2;
    if (kind.has_l1) l1 = reader.get_number("l1", l1);
    if (kind.has_l2) l2 = reader.get_number("l2", l2);
    // L1 and L2 still take their factor as "l", the keyword of Keras 2.0's l1()/l2().
    if (kind.has_l1 != kind.has_l2) {
        double& factor = kind.has_l1 ? l1 : l2;
        factor = reader.get_number("l", factor);
    }
    reader.finish();
    return make(kind, l1, l2);
}

}  // namespace

Regularizer::Regularizer(const char* name) : Regularizer(std::string(name)) {}

Regularizer::Regularizer(const std::string& name)
    : Regularizer(from_config(find_kind(name), Json::object())) {}

Tensor Regularizer::operator()(const Tensor& x) const {
    if (!impl_) throw ValueError("regularizer: cannot compute a penalty with an empty regularizer");
    return impl_->penalty(x);
}

Json Regularizer::to_json() const {
    if (!impl_) return nullptr;
    return keras_object(impl_->class_name(), impl_->config());
}

Regularizer Regularizer::from_json(const Json& reference, const std::string& key) {
    if (reference.is_null()) return {};
    const KerasObject object = parse_keras_object(reference, key);
    try {
        return from_config(find_kind(object.class_name), object.config);
    } catch (const ValueError& error) {
        throw ValueError("'" + key + "': " + error.what());
    }
}

Regularizer L1(double l1) { return make(kL1, l1, 0.0); }

Regularizer L2(double l2) { return make(kL2, 0.0, l2); }

Regularizer L1L2(double l1, double l2) { return make(kL1L2, l1, l2); }

}  // namespace minidl::regularizers
