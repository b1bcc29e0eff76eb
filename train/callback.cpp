#include "minidl/train/callback.hpp"

#include "minidl/core/error.hpp"

namespace minidl {

Model& Callback::model() const {
    if (model_ == nullptr) {
        throw ValueError(
            "Callback::model(): no model set yet (fit, evaluate and predict call set_model() "
            "before the first hook)");
    }
    return *model_;
}

}  // namespace minidl
