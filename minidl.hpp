// minidl: a small deep-learning framework for 1D models. Include this one header.
#pragma once

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/generator.hpp"
#include "minidl/core/memory.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/core/shape.hpp"
#include "minidl/core/tensor.hpp"
