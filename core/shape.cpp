#include "minidl/core/shape.hpp"

#include <ostream>

#include "minidl/core/error.hpp"

namespace minidl {

Shape::Shape(std::initializer_list<int64_t> sizes)
    : Shape(std::span<const int64_t>(sizes.begin(), sizes.size())) {}

Shape::Shape(std::span<const int64_t> sizes) {
    for (int64_t size : sizes) push_back(size);
}

void Shape::push_back(int64_t size) {
    if (rank_ == kMaxRank) {
        throw ValueError("Shape: rank above the maximum of " + std::to_string(kMaxRank));
    }
    if (size < 0) {
        throw ValueError("Shape: negative size " + std::to_string(size));
    }
    sizes_[rank_++] = size;
}

int64_t Shape::numel() const noexcept {
    int64_t n = 1;
    for (int i = 0; i < rank_; ++i) n *= sizes_[i];
    return n;
}

int Shape::normalize_axis(int64_t axis, const char* op) const {
    const int64_t normalized = axis < 0 ? axis + rank_ : axis;
    if (normalized < 0 || normalized >= rank_) {
        throw IndexError(std::string(op) + ": axis " + std::to_string(axis) +
                         " is out of range for shape " + to_string());
    }
    return static_cast<int>(normalized);
}

int64_t Shape::size(int64_t axis) const { return sizes_[normalize_axis(axis, "Shape::size")]; }

std::array<int64_t, Shape::kMaxRank> Shape::strides() const noexcept {
    std::array<int64_t, kMaxRank> strides{};
    int64_t stride = 1;
    for (int i = rank_ - 1; i >= 0; --i) {
        strides[i] = stride;
        stride *= sizes_[i];
    }
    return strides;
}

std::string Shape::to_string() const {
    std::string s = "[";
    for (int i = 0; i < rank_; ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(sizes_[i]);
    }
    return s + "]";
}

bool operator==(const Shape& a, const Shape& b) noexcept {
    if (a.rank_ != b.rank_) return false;
    for (int i = 0; i < a.rank_; ++i) {
        if (a.sizes_[i] != b.sizes_[i]) return false;
    }
    return true;
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.to_string(); }

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
    const int rank = std::max(a.rank(), b.rank());
    Shape out;
    for (int i = 0; i < rank; ++i) {
        // Align from the right: missing leading axes count as size 1.
        const int ia = i - (rank - a.rank());
        const int ib = i - (rank - b.rank());
        const int64_t sa = ia >= 0 ? a[ia] : 1;
        const int64_t sb = ib >= 0 ? b[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            throw ShapeError(std::string(op) + ": cannot broadcast " + a.to_string() + " with " +
                             b.to_string());
        }
        out.push_back(sa == 1 ? sb : sa);
    }
    return out;
}

}  // namespace minidl
