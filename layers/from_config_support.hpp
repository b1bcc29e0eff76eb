// The end every layer's from_config shares: the config's base keys go into the options, no
// unknown key may remain, and the config's batch_input_shape is kept.
#pragma once

#include <memory>

#include "minidl/layers/config.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// Gives `options` the config's name and trainable (`base`), rejects any key `reader` has not
/// taken, then constructs an `L` from the options (its constructor checks them) with the
/// config's batch_input_shape, if any.
template <class L, class Options>
std::unique_ptr<L> finish_from_config(ConfigReader& reader, const LayerBaseArguments& base,
                                      Options options) {
    options.name = base.name;
    options.trainable = base.trainable;
    reader.finish();
    auto layer = std::make_unique<L>(options);
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
