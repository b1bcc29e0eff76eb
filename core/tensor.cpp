#include "minidl/core/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {

Tensor empty(const Shape& shape) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(shape.numel());
    impl->shape = shape;
    return Tensor(std::move(impl));
}

const TensorImpl& Tensor::checked() const {
    if (!impl_) throw ValueError("Tensor: the tensor is undefined");
    return *impl_;
}

const Shape& Tensor::shape() const { return checked().shape; }

float* Tensor::data() const {
    const TensorImpl& impl = checked();
    return impl.storage->data() + impl.offset;
}

float Tensor::item() const {
    if (numel() != 1) {
        throw ValueError("item: the tensor has " + std::to_string(numel()) +
                         " elements, not one (shape " + shape().to_string() + ")");
    }
    return data()[0];
}

float& Tensor::at(std::initializer_list<int64_t> index) const {
    const Shape& s = shape();
    if (static_cast<int>(index.size()) != s.rank()) {
        throw IndexError("at: " + std::to_string(index.size()) + " indices for shape " +
                         s.to_string());
    }
    const auto strides = s.strides();
    int64_t offset = 0;
    int axis = 0;
    for (int64_t i : index) {
        const int64_t normalized = i < 0 ? i + s[axis] : i;
        if (normalized < 0 || normalized >= s[axis]) {
            throw IndexError("at: index " + std::to_string(i) + " is out of range for axis " +
                             std::to_string(axis) + " of shape " + s.to_string());
        }
        offset += normalized * strides[axis];
        ++axis;
    }
    return data()[offset];
}

std::vector<float> Tensor::to_vector() const { return {data(), data() + numel()}; }

bool Tensor::requires_grad() const { return checked().requires_grad; }

Tensor& Tensor::requires_grad_(bool enabled) {
    if (!is_leaf()) {
        throw AutogradError("requires_grad_: only leaves can be marked; '" + grad_fn_name() +
                            "' computed this tensor (use detach() for a new leaf)");
    }
    impl_->requires_grad = enabled;
    return *this;
}

bool Tensor::is_leaf() const { return checked().node == nullptr; }

Tensor Tensor::grad() const { return Tensor(checked().grad); }

void Tensor::set_grad(const Tensor& grad) const {
    if (grad.defined() && grad.shape() != shape()) {
        throw ShapeError("set_grad: gradient shape " + grad.shape().to_string() +
                         " differs from the tensor's " + shape().to_string());
    }
    checked();
    impl_->grad = grad.impl_ptr();
}

void Tensor::zero_grad() const {
    checked();
    impl_->grad.reset();
}

std::string Tensor::grad_fn_name() const {
    const TensorImpl& impl = checked();
    return impl.node ? impl.node->name : "";
}

Tensor Tensor::detach() const {
    const TensorImpl& impl = checked();
    auto view = std::make_shared<TensorImpl>();
    view->storage = impl.storage;
    view->offset = impl.offset;
    view->shape = impl.shape;
    return Tensor(std::move(view));
}

Tensor Tensor::clone() const {
    Tensor copy = empty(shape());
    std::copy_n(data(), numel(), copy.data());
    return record(copy, "clone", {*this}, [](const GradContext& c) { c.add(0, c.grad); });
}

Tensor Tensor::reshape(const Shape& shape) const { return minidl::reshape(*this, shape); }
Tensor Tensor::reshape(std::initializer_list<int64_t> sizes) const {
    return minidl::reshape(*this, sizes);
}
Tensor Tensor::sum() const { return minidl::sum(*this); }
Tensor Tensor::mean() const { return minidl::mean(*this); }

namespace {

// PyTorch's choice of number format: integers print as "3.", moderate ranges with four
// decimals, wide ranges in scientific notation; all entries padded to one width.
struct NumberFormat {
    enum class Style { Integer, Fixed, Scientific } style = Style::Fixed;
    int width = 0;

    std::string format(float v) const {
        char buf[64];
        if (!std::isfinite(v)) {
            std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        } else if (style == Style::Integer) {
            std::snprintf(buf, sizeof buf, "%.0f.", static_cast<double>(v));
        } else if (style == Style::Fixed) {
            std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(v));
        } else {
            std::snprintf(buf, sizeof buf, "%.4e", static_cast<double>(v));
        }
        return buf;
    }

    static NumberFormat choose(const float* values, int64_t n) {
        NumberFormat f;
        bool all_integer = true;
        double max_abs = 0.0;
        double min_abs = INFINITY;
        for (int64_t i = 0; i < n; ++i) {
            const double v = values[i];
            if (!std::isfinite(v)) continue;
            all_integer = all_integer && v == std::nearbyint(v);
            max_abs = std::max(max_abs, std::abs(v));
            if (v != 0.0) min_abs = std::min(min_abs, std::abs(v));
        }
        if (all_integer && max_abs < 1e8) {
            f.style = Style::Integer;
        } else if (max_abs >= 1e8 || (min_abs < 1e-4) || (max_abs / min_abs > 1000.0)) {
            f.style = Style::Scientific;
        }
        for (int64_t i = 0; i < n; ++i) {
            f.width = std::max(f.width, static_cast<int>(f.format(values[i]).size()));
        }
        return f;
    }
};

constexpr int64_t kSummarizeAbove = 1000;  // PyTorch's default print threshold
constexpr int64_t kEdgeItems = 3;

void print_axis(std::string& out, const float* data, const Shape& shape,
                const std::array<int64_t, Shape::kMaxRank>& strides, int axis, int indent,
                bool summarize, const NumberFormat& fmt) {
    out += '[';
    const int64_t n = shape[axis];
    const bool cut = summarize && n > 2 * kEdgeItems;
    for (int64_t i = 0; i < n; ++i) {
        if (cut && i == kEdgeItems) {
            out += axis == shape.rank() - 1 ? "..., " : "...,\n" + std::string(indent + 1, ' ');
            i = n - kEdgeItems;
        }
        if (axis == shape.rank() - 1) {
            std::string s = fmt.format(data[i]);
            out += std::string(fmt.width - s.size(), ' ') + s;
        } else {
            print_axis(out, data + i * strides[axis], shape, strides, axis + 1, indent + 1,
                       summarize, fmt);
        }
        if (i + 1 < n) {
            out += ',';
            if (axis == shape.rank() - 1) {
                out += ' ';
            } else {
                out += std::string(static_cast<std::size_t>(shape.rank() - 1 - axis), '\n');
                out += std::string(indent + 1, ' ');
            }
        }
    }
    out += ']';
}

}  // namespace

std::string Tensor::to_string() const {
    if (!defined()) return "tensor(undefined)";
    const Shape& s = shape();
    const NumberFormat fmt = NumberFormat::choose(data(), numel());
    std::string out = "tensor(";
    if (s.rank() == 0) {
        out += fmt.format(data()[0]);
    } else if (numel() == 0) {
        out += "[]";
    } else {
        print_axis(out, data(), s, s.strides(), 0, static_cast<int>(out.size()),
                   numel() > kSummarizeAbove, fmt);
    }
    out += ", shape=" + s.to_string();
    if (!is_leaf()) {
        out += ", grad_fn=<" + grad_fn_name() + ">";
    } else if (requires_grad()) {
        out += ", requires_grad=true";
    }
    return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.to_string(); }

}  // namespace minidl
