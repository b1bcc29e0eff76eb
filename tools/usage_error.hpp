// The one error of the `minidl` program's own: a command line that does not make sense.
#pragma once

#include "minidl/core/error.hpp"

namespace minidl::tools {

/// Flags that conflict or are missing (--shape with --window, --target without it): the
/// program prints it with the usage hint and exits with code 2, as for CLI11's parse errors;
/// bad data and files are other minidl::Errors, exit code 1.
class UsageError : public Error {
  public:
    using Error::Error;
};

}  // namespace minidl::tools
