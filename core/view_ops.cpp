// Ops that only change how the values are seen: the result shares the input's storage.
#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {
namespace {

Tensor view(const Tensor& a, const Shape& shape, const char* name) {
    if (shape.numel() != a.numel()) {
        throw ShapeError(std::string(name) + ": cannot view " + a.shape().to_string() + " (" +
                         std::to_string(a.numel()) + " elements) as " + shape.to_string());
    }
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = a.impl()->storage;
    impl->offset = a.impl()->offset;
    impl->shape = shape;
    return record(Tensor(std::move(impl)), name, {a},
                  [](const GradContext& c) { c.add(0, reshape(c.grad, c.inputs[0].shape())); });
}

}  // namespace

Tensor reshape(const Tensor& a, const Shape& shape) { return view(a, shape, "reshape"); }

Tensor reshape(const Tensor& a, std::initializer_list<int64_t> sizes) {
    Shape shape;
    int inferred_axis = -1;
    int64_t known = 1;
    for (int64_t size : sizes) {
        if (size == -1 && inferred_axis < 0) {
            inferred_axis = shape.rank();
            shape.push_back(1);
            continue;
        }
        if (size < 0) {
            throw ValueError("reshape: size " + std::to_string(size) +
                             " is invalid (only one -1 is allowed)");
        }
        shape.push_back(size);
        known *= size;
    }
    if (inferred_axis >= 0) {
        if (known == 0 || a.numel() % known != 0) {
            throw ShapeError("reshape: cannot view " + a.shape().to_string() +
                             " with a -1 size and the other sizes' product " +
                             std::to_string(known));
        }
        shape[inferred_axis] = a.numel() / known;
    }
    return view(a, shape, "reshape");
}

Tensor flatten(const Tensor& a) { return view(a, Shape{a.numel()}, "flatten"); }

Tensor unsqueeze(const Tensor& a, int64_t axis) {
    const Shape& in = a.shape();
    const int64_t position = axis < 0 ? axis + in.rank() + 1 : axis;
    if (position < 0 || position > in.rank()) {
        throw IndexError("unsqueeze: axis " + std::to_string(axis) + " is out of range for shape " +
                         in.to_string());
    }
    if (in.rank() == Shape::kMaxRank) {
        throw ValueError("unsqueeze: shape " + in.to_string() + " already has the maximum rank " +
                         std::to_string(Shape::kMaxRank));
    }
    Shape out;
    for (int i = 0; i < in.rank(); ++i) {
        if (i == position) out.push_back(1);
        out.push_back(in[i]);
    }
    if (position == in.rank()) out.push_back(1);
    return view(a, out, "unsqueeze");
}

Tensor squeeze(const Tensor& a, int64_t axis) {
    const Shape& in = a.shape();
    const int position = in.normalize_axis(axis, "squeeze");
    if (in[position] != 1) {
        throw ShapeError("squeeze: axis " + std::to_string(axis) + " of shape " + in.to_string() +
                         " has size " + std::to_string(in[position]) + ", not 1");
    }
    Shape out;
    for (int i = 0; i < in.rank(); ++i) {
        if (i != position) out.push_back(in[i]);
    }
    return view(a, out, "squeeze");
}

}  // namespace minidl
