// The weights file: each weight by its stable name with shape, dtype and data (docs/formats.md).
// Values round-trip bit for bit, in either encoding.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "minidl/core/parameter.hpp"
#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/layer.hpp"
#include "minidl/serialization/json_node.hpp"

namespace minidl::serialization {

/// How the values of each weight are written. Readers accept both, whatever was chosen.
enum class Encoding {
    Numbers,  ///< a JSON array of numbers, each the shortest text that reads back to the float
    Base64,   ///< a string: base64 of the little-endian float32 bytes (compact, for large models)
};

struct SaveWeightsOptions {
    Encoding encoding = Encoding::Numbers;
    /// NaN and infinities are a ValueError unless allowed; then Numbers writes them as the
    /// strings "NaN", "Infinity", "-Infinity".
    bool allow_non_finite = false;
};

/// How a file's weights are matched with the model's.
enum class WeightMatch {
    ByName,   ///< by full name; every model weight must be in the file and vice versa
    ByOrder,  ///< by position in weights() order (Keras's topological loading); names ignored
};

struct LoadWeightsOptions {
    WeightMatch match = WeightMatch::ByName;
    bool allow_non_finite = false;
};

/// The "weights" array of the weights format: {"name", "shape", "dtype", "encoding"?, "data"}
/// per weight, in the given order. Throws ValueError naming the weight for a non-finite value
/// that is not allowed.
Json weights_to_json(const std::vector<Parameter>& weights, const SaveWeightsOptions& options = {});
/// Reads a "weights" array and checks it against `targets` (count, names or order, shape,
/// dtype, data length and values) without changing anything; returns the values in `targets`
/// order. Throws IOError naming node's source and the JSON Pointer of the first problem.
std::vector<Tensor> weights_from_json(const JsonNode& weights,
                                      const std::vector<Parameter>& targets,
                                      const LoadWeightsOptions& options = {});

/// One entry of a "weights" array for any named tensor (optimizer slots and self-test batches
/// use the same form as weights): {"name", "shape", "dtype", ["encoding",] "data"}.
Json tensor_to_json(const std::string& name, const Tensor& value,
                    const SaveWeightsOptions& options = {});
/// Reads one entry written by tensor_to_json, of whatever shape it declares (checked against
/// its data before anything is allocated). Throws IOError naming the entry's JSON Pointer.
Tensor tensor_from_json(const JsonNode& entry, bool allow_non_finite = false);

/// Writes {"format": "minidl.weights", "version": 1, "weights": [...]} atomically.
void save_weights(const Layer& model, const std::filesystem::path& path,
                  const SaveWeightsOptions& options = {});
/// Reads a weights file into `model` (which must be built). Everything is checked before any
/// weight is written, so on any error the model is exactly as it was.
void load_weights(Layer& model, const std::filesystem::path& path,
                  const LoadWeightsOptions& options = {});

/// Checks a document's "format" and "version" members: IOError naming the file for another
/// format, a missing tag, or a version newer than `supported_version`.
void check_format(const JsonNode& root, const std::string& format, int supported_version);

}  // namespace minidl::serialization
