#include "minidl/serialization/weights.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "minidl/core/error.hpp"
#include "minidl/core/shape.hpp"
#include "minidl/serialization/base64.hpp"
#include "minidl/serialization/float_text.hpp"

namespace minidl::serialization {
namespace {

constexpr const char* kFormat = "minidl.weights";
constexpr int kVersion = 1;
constexpr const char* kDtype = "float32";

uint32_t byte_swap(uint32_t value) {
    return (value >> 24) | ((value >> 8) & 0xFF00u) | ((value << 8) & 0xFF0000u) | (value << 24);
}

/// Reverses the bytes of each float on a big-endian machine (the file is little-endian).
void to_or_from_little_endian(float* values, std::size_t count) {
    if constexpr (std::endian::native == std::endian::big) {
        for (std::size_t i = 0; i < count; ++i) {
            uint32_t bits = 0;
            std::memcpy(&bits, values + i, sizeof bits);
            bits = byte_swap(bits);
            std::memcpy(values + i, &bits, sizeof bits);
        }
    } else {
        (void)values;
        (void)count;
        (void)&byte_swap;
    }
}

std::string shape_text(const std::vector<int64_t>& sizes) {
    std::string text = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(sizes[i]);
    }
    return text + "]";
}

const char* non_finite_name(float value) {
    return std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

/// The index of the first NaN or infinity among `values`, or `count`.
std::size_t first_non_finite(const float* values, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (!std::isfinite(values[i])) return i;
    }
    return count;
}

void require_built(const Layer& model, const char* function) {
    if (!model.built()) {
        throw ValueError(std::string(function) + ": the model '" + model.name() +
                         "' is not built, so it has no weights yet; build it first "
                         "(model.build(input_shape), an InputLayer, or call it on a batch)");
    }
}

/// The sizes of a "shape" member: an array of non-negative integers.
std::vector<int64_t> read_shape(const JsonNode& node) {
    const std::size_t rank = node.size();
    if (rank > static_cast<std::size_t>(Shape::kMaxRank)) {
        node.fail("a shape of rank " + std::to_string(rank) + " (minidl tensors have at most " +
                  std::to_string(Shape::kMaxRank) + " axes)");
    }
    std::vector<int64_t> sizes;
    sizes.reserve(rank);
    for (std::size_t axis = 0; axis < rank; ++axis) {
        const JsonNode size = node.at(axis);
        const int64_t value = size.as_int();
        if (value < 0) {
            size.fail("expected a non-negative integer, got " + std::to_string(value));
        }
        sizes.push_back(value);
    }
    return sizes;
}

/// The number of values of a shape read from a file; fails (before anything is allocated) when
/// it exceeds what any file minidl reads can hold.
std::size_t value_count(const JsonNode& shape_node, const std::vector<int64_t>& sizes) {
    constexpr int64_t kMaxValues = int64_t{1} << 40;
    int64_t count = 1;
    for (const int64_t size : sizes) {
        if (size != 0 && count > kMaxValues / size) {
            shape_node.fail("the shape " + shape_text(sizes) + " declares more than 2^40 values");
        }
        count *= size;
    }
    return static_cast<std::size_t>(count);
}

/// Reads an entry's "data" in `encoding` as a tensor of `sizes`, checking its length (before
/// allocating) and every value.
Tensor read_data(const JsonNode& data, Encoding encoding, const std::vector<int64_t>& sizes,
                 std::size_t count, bool allow_non_finite) {
    const std::string shape = shape_text(sizes);
    Tensor out;
    if (encoding == Encoding::Numbers) {
        data.require_array();
        const auto& values = data.value().get_ref<const Json::array_t&>();
        if (values.size() != count) {
            data.fail("expected " + std::to_string(count) + " values for shape " + shape +
                      ", got " + std::to_string(values.size()));
        }
        out = empty(Shape(sizes));
        float* destination = out.data();
        std::string problem;
        for (std::size_t i = 0; i < count; ++i) {
            const std::optional<float> value =
                float_from_json(values[i], allow_non_finite, problem);
            if (!value) data.at(i).fail(problem);
            destination[i] = *value;
        }
        return out;
    }
    if (!data.value().is_string()) {
        data.fail("expected a base64 string (the entry's encoding is \"base64\"), got " +
                  std::string(data.value().is_array() ? "an array" : "another type"));
    }
    const auto& text = data.value().get_ref<const std::string&>();
    const std::size_t bytes = count * sizeof(float);
    std::size_t decoded = 0;
    try {
        decoded = base64_decoded_size(text);
    } catch (const ValueError& error) {
        data.fail(error.what());
    }
    if (decoded != bytes) {
        data.fail("expected " + std::to_string(bytes) + " bytes (" + std::to_string(count) +
                  " float32 values for shape " + shape + "), the base64 text holds " +
                  std::to_string(decoded));
    }
    out = empty(Shape(sizes));
    try {
        base64_decode_into(text, std::as_writable_bytes(std::span<float>(out.data(), count)));
    } catch (const ValueError& error) {
        data.fail(error.what());
    }
    to_or_from_little_endian(out.data(), count);
    if (!allow_non_finite) {
        const std::size_t bad = first_non_finite(out.data(), count);
        if (bad < count) {
            data.fail("value " + std::to_string(bad) + " is " + non_finite_name(out.data()[bad]) +
                      ", which is not allowed (load with allow_non_finite = true to accept NaN "
                      "and infinities)");
        }
    }
    return out;
}

/// Reads one {"name", "shape", "dtype", "encoding"?, "data"} entry. `check_shape` sees the shape
/// node and sizes before the data is read, so that a shape the caller does not expect is reported
/// as such, before anything is allocated.
template <class CheckShape>
Tensor read_entry(const JsonNode& entry, bool allow_non_finite, const CheckShape& check_shape) {
    const JsonNode shape_node = entry.at("shape");
    const std::vector<int64_t> sizes = read_shape(shape_node);
    check_shape(shape_node, sizes);
    const std::size_t count = value_count(shape_node, sizes);

    const JsonNode dtype = entry.at("dtype");
    const std::string dtype_name = dtype.as_string();
    if (dtype_name != kDtype) {
        dtype.fail("dtype \"" + dtype_name +
                   "\" is not supported (minidl weights are \"float32\")");
    }

    Encoding encoding = Encoding::Numbers;
    if (const std::optional<JsonNode> encoding_node = entry.find("encoding")) {
        const std::string encoding_name = encoding_node->as_string();
        if (encoding_name == "base64") {
            encoding = Encoding::Base64;
        } else if (encoding_name != "numbers") {
            encoding_node->fail("unknown encoding \"" + encoding_name +
                                "\" (expected \"numbers\" or \"base64\")");
        }
    }
    return read_data(entry.at("data"), encoding, sizes, count, allow_non_finite);
}

std::string list_names(const std::vector<Parameter>& targets) {
    constexpr std::size_t kShown = 8;
    std::string names;
    for (std::size_t i = 0; i < targets.size() && i < kShown; ++i) {
        names += (i > 0 ? ", '" : "'") + targets[i].name() + "'";
    }
    if (targets.size() > kShown) names += ", ... (" + std::to_string(targets.size()) + " in all)";
    return names.empty() ? "none" : names;
}

}  // namespace

Json tensor_to_json(const std::string& name, const Tensor& value,
                    const SaveWeightsOptions& options) {
    const auto count = static_cast<std::size_t>(value.numel());
    const float* values = value.data();
    if (!options.allow_non_finite) {
        const std::size_t bad = first_non_finite(values, count);
        if (bad < count) {
            throw ValueError("'" + name + "' has " + non_finite_name(values[bad]) + " at index " +
                             std::to_string(bad) +
                             " (set allow_non_finite = true to save it anyway)");
        }
    }
    Json entry = Json::object();
    entry["name"] = name;
    entry["shape"] = value.shape().to_vector();
    entry["dtype"] = kDtype;
    if (options.encoding == Encoding::Base64) {
        entry["encoding"] = "base64";
        if constexpr (std::endian::native == std::endian::little) {
            entry["data"] = base64_encode(std::as_bytes(std::span<const float>(values, count)));
        } else {
            std::vector<float> little(values, values + count);
            to_or_from_little_endian(little.data(), count);
            entry["data"] = base64_encode(std::as_bytes(std::span<const float>(little)));
        }
    } else {
        Json data = Json::array();
        auto& elements = data.get_ref<Json::array_t&>();
        elements.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            elements.push_back(float_to_json(values[i], options.allow_non_finite));
        }
        entry["data"] = std::move(data);
    }
    return entry;
}

Tensor tensor_from_json(const JsonNode& entry, bool allow_non_finite) {
    entry.require_object();
    entry.reject_unknown_keys({"name", "shape", "dtype", "encoding", "data"});
    entry.at("name").as_string();
    return read_entry(entry, allow_non_finite, [](const JsonNode&, const std::vector<int64_t>&) {});
}

Json weights_to_json(const std::vector<Parameter>& weights, const SaveWeightsOptions& options) {
    Json entries = Json::array();
    std::unordered_set<std::string> names;
    for (const Parameter& weight : weights) {
        if (!names.insert(weight.name()).second) {
            throw ValueError("weights_to_json: two weights are named '" + weight.name() +
                             "'; names must be unique to be loaded by name (rename a layer)");
        }
        try {
            entries.push_back(tensor_to_json(weight.name(), weight, options));
        } catch (const ValueError& error) {
            throw ValueError(std::string("weights_to_json: weight ") + error.what());
        }
    }
    return entries;
}

std::vector<Tensor> weights_from_json(const JsonNode& weights,
                                      const std::vector<Parameter>& targets,
                                      const LoadWeightsOptions& options) {
    weights.require_array();
    const std::size_t count = weights.size();
    if (options.match == WeightMatch::ByOrder && count != targets.size()) {
        weights.fail("the file has " + std::to_string(count) + " weights, the model " +
                     std::to_string(targets.size()) +
                     " (loading by order needs the same weights in the same order)");
    }
    std::unordered_map<std::string, std::size_t> by_name;
    if (options.match == WeightMatch::ByName) {
        for (std::size_t t = 0; t < targets.size(); ++t) {
            if (!by_name.emplace(targets[t].name(), t).second) {
                throw ValueError("weights_from_json: the model has two weights named '" +
                                 targets[t].name() + "'; load by order instead");
            }
        }
    }
    std::vector<Tensor> values(targets.size());
    std::vector<std::size_t> found_at(targets.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
        const JsonNode entry = weights.at(i);
        entry.require_object();
        entry.reject_unknown_keys({"name", "shape", "dtype", "encoding", "data"});
        const JsonNode name_node = entry.at("name");
        const std::string name = name_node.as_string();
        std::size_t t = i;
        if (options.match == WeightMatch::ByName) {
            const auto match = by_name.find(name);
            if (match == by_name.end()) {
                name_node.fail("the model has no weight named '" + name +
                               "' (its weights: " + list_names(targets) + ")");
            }
            t = match->second;
            if (found_at[t] != count) {
                name_node.fail("the weight '" + name + "' appears twice (also at " +
                               weights.pointer() + "/" + std::to_string(found_at[t]) + ")");
            }
        }
        found_at[t] = i;
        const Parameter& target = targets[t];

        const std::vector<int64_t> expected = target.shape().to_vector();
        values[t] =
            read_entry(entry, options.allow_non_finite,
                       [&](const JsonNode& shape_node, const std::vector<int64_t>& sizes) {
                           if (sizes != expected) {
                               shape_node.fail("expected " + shape_text(expected) + " (" +
                                               target.name() + "), found " + shape_text(sizes));
                           }
                       });
    }
    for (std::size_t t = 0; t < targets.size(); ++t) {
        if (found_at[t] == count) {
            weights.fail("the model's weight '" + targets[t].name() + "' (shape " +
                         shape_text(targets[t].shape().to_vector()) +
                         ") is missing (the file has " + std::to_string(count) +
                         " weights, the model " + std::to_string(targets.size()) + ")");
        }
    }
    return values;
}

void check_format(const JsonNode& root, const std::string& format, int supported_version) {
    root.require_object();
    const std::optional<JsonNode> tag = root.find("format");
    if (!tag) {
        root.fail("missing key \"format\": not a " + format +
                  " file (it starts with {\"format\": \"" + format +
                  "\", \"version\": " + std::to_string(supported_version) + ", ...})");
    }
    const std::string name = tag->as_string();
    if (name != format) {
        tag->fail("this is a \"" + name + "\" file, not \"" + format + "\"");
    }
    const std::optional<JsonNode> version_node = root.find("version");
    if (!version_node) root.fail("missing key \"version\"");
    const int64_t version = version_node->as_int();
    if (version < 1) {
        version_node->fail("expected a positive integer version, got " + std::to_string(version));
    }
    if (version > supported_version) {
        version_node->fail("version " + std::to_string(version) + " of " + format +
                           " is newer than this minidl (" MINIDL_VERSION ") reads (up to " +
                           std::to_string(supported_version) + "); update minidl to load it");
    }
}

void save_weights(const Layer& model, const std::filesystem::path& path,
                  const SaveWeightsOptions& options) {
    require_built(model, "save_weights");
    Json document = Json::object();
    document["format"] = kFormat;
    document["version"] = kVersion;
    document["weights"] = weights_to_json(model.weights(), options);
    write_json_file(path, document, 1);
}

void load_weights(Layer& model, const std::filesystem::path& path,
                  const LoadWeightsOptions& options) {
    require_built(model, "load_weights");
    const std::vector<Parameter> targets = model.weights();
    const Json document = read_json_file(path);
    const JsonNode root(document, path.string());
    check_format(root, kFormat, kVersion);
    root.reject_unknown_keys({"format", "version", "weights"});
    const std::vector<Tensor> values = weights_from_json(root.at("weights"), targets, options);
    // Every check passed: nothing below can fail (same shapes, memory already allocated).
    for (std::size_t t = 0; t < targets.size(); ++t) targets[t].assign(values[t]);
}

}  // namespace minidl::serialization
