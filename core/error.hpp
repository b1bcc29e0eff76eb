// Exceptions thrown by minidl. Every error is a minidl::Error, so a caller can catch one type;
// the subclasses say what kind of input was wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace minidl {

/// Base of every exception minidl throws. The message names the op, layer, argument or file.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Tensors of incompatible shapes, e.g. `matmul: cannot multiply [3,4] by [5,2]`.
class ShapeError : public Error {
  public:
    using Error::Error;
};

/// An argument with a bad value (negative size, unknown name, out-of-range option).
class ValueError : public Error {
  public:
    using Error::Error;
};

/// An index or axis outside a tensor's bounds.
class IndexError : public Error {
  public:
    using Error::Error;
};

/// A misuse of autograd, e.g. backward through a graph that was already freed.
class AutogradError : public Error {
  public:
    using Error::Error;
};

/// A file that cannot be read or written, or whose contents are malformed.
class IOError : public Error {
  public:
    using Error::Error;
};

/// `value` as a short text for error messages ("0.5", "-1", "1e+30").
std::string format_number(double value);

}  // namespace minidl
