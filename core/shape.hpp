// Shape: the sizes of a tensor's axes, stored inline (no heap allocation) because every op
// creates several.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace minidl {

/// The sizes of a tensor's axes, outermost first. Rank 0 is a scalar (one element).
class Shape {
  public:
    /// Largest rank a tensor may have.
    static constexpr int kMaxRank = 8;

    Shape() = default;
    /// Throws ValueError for a negative size or a rank above kMaxRank.
    Shape(std::initializer_list<int64_t> sizes);
    explicit Shape(std::span<const int64_t> sizes);
    explicit Shape(const std::vector<int64_t>& sizes) : Shape(std::span<const int64_t>(sizes)) {}

    int rank() const noexcept { return rank_; }
    /// Number of elements: the product of the sizes (1 for a scalar).
    int64_t numel() const noexcept;
    /// Size of `axis`; negative axes count from the end. Throws IndexError when out of range.
    int64_t size(int64_t axis) const;
    int64_t operator[](int i) const noexcept { return sizes_[i]; }
    int64_t& operator[](int i) noexcept { return sizes_[i]; }
    /// The last size, or 1 for a scalar.
    int64_t back() const noexcept { return rank_ == 0 ? 1 : sizes_[rank_ - 1]; }

    const int64_t* begin() const noexcept { return sizes_.data(); }
    const int64_t* end() const noexcept { return sizes_.data() + rank_; }
    std::vector<int64_t> to_vector() const { return {begin(), end()}; }

    /// Row-major strides in elements.
    std::array<int64_t, kMaxRank> strides() const noexcept;

    /// Turns a possibly negative axis into 0..rank-1; `op` names the caller in the error.
    int normalize_axis(int64_t axis, const char* op) const;

    void push_back(int64_t size);

    /// `[3, 4]`, the form used in every error message.
    std::string to_string() const;

    friend bool operator==(const Shape& a, const Shape& b) noexcept;

  private:
    std::array<int64_t, kMaxRank> sizes_{};
    int rank_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);

/// The shape two operands broadcast to under NumPy's rules; `op` names the caller in the error.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace minidl
