// ParameterList: what an optimizer's constructor takes its parameters as.
#pragma once

#include <initializer_list>
#include <utility>
#include <vector>

#include "minidl/core/parameter.hpp"

namespace minidl::optim {

/// The parameters an optimizer is constructed over: a std::vector<Parameter> (e.g. a model's
/// trainable_weights()) or a braced list `{w, b}`. Its own type rather than std::vector because
/// GCC 12 lets a one-field designated list such as `{.learning_rate = 1e-2}` reach vector's size
/// constructor, which made `Adam({.learning_rate = 1e-2})` ambiguous.
class ParameterList {
  public:
    ParameterList() = default;
    ParameterList(std::vector<Parameter> parameters) : parameters_(std::move(parameters)) {}
    ParameterList(std::initializer_list<Parameter> parameters) : parameters_(parameters) {}

    const std::vector<Parameter>& list() const { return parameters_; }

  private:
    std::vector<Parameter> parameters_;
};

}  // namespace minidl::optim
