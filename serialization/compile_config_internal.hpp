// What the compile-config readers and writers share (serialization/compile_config.hpp): a reader
// of one JSON object that names the JSON Pointer of every bad value, Keras's object references,
// and the schedule and metric configs. Internal to serialization/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/optim/schedules.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/train/compile_args.hpp"
#include "minidl/train/metric.hpp"

namespace minidl::serialization::detail {

/// `object` as the concrete class T when it is exactly a T (not a subclass: AdamW derives from
/// Adam but has its own config), else null.
template <class T, class Base>
const T* exactly(const Base& object) {
    return typeid(object) == typeid(T) ? static_cast<const T*>(&object) : nullptr;
}

/// Reads one JSON object key by key: each getter marks its key as read and fails (IOError at the
/// value's JSON Pointer) on a value of the wrong type; finish() fails naming the first key no
/// getter read, listing those that were. `what` names the object in messages ("Adam config").
class ObjectReader {
  public:
    /// Fails unless `node` is an object.
    ObjectReader(const JsonNode& node, std::string what);

    const JsonNode& node() const { return node_; }
    const std::string& what() const { return what_; }

    /// The member `key` (marking it read), or nothing when absent or null.
    std::optional<JsonNode> find(std::string_view key);
    /// As find(), failing at the object when `key` is absent or null.
    JsonNode require(std::string_view key);

    double number(std::string_view key, double default_value);
    double required_number(std::string_view key);
    /// Null or absent gives `default_value`.
    std::optional<double> optional_number(std::string_view key,
                                          std::optional<double> default_value = std::nullopt);
    int64_t integer(std::string_view key, int64_t default_value);
    int64_t required_integer(std::string_view key);
    std::optional<int64_t> optional_integer(std::string_view key);
    bool boolean(std::string_view key, bool default_value);
    std::string string(std::string_view key, const std::string& default_value);
    /// Fails at the value of `key` unless it is absent or null (Keras options minidl lacks).
    void require_null(std::string_view key, const std::string& why);
    /// Accepts `key` with any value, unused.
    void ignore(std::string_view key);

    /// Fails at the first key that no getter read: 'unknown key "k" in <what> (expected one of:
    /// ...)".
    void finish() const;

  private:
    JsonNode node_;
    std::string what_;
    std::vector<std::string> read_;
};

/// A Keras object reference: a name ("adam", "mse"), or {"class_name", "config"} with tf.keras
/// 2.13's optional "module" and "registered_name".
struct KerasReference {
    std::string class_name;
    std::optional<JsonNode> config;  ///< nothing for a plain name, or a null or absent config
    JsonNode class_name_node;        ///< where class_name was read, for errors
};
/// Fails at `node` unless it is a string or such an object (with no other key). `what` names the
/// object in messages ("optimizer").
KerasReference read_reference(const JsonNode& node, const std::string& what);

/// Runs `make`; a ValueError it throws (a constructor rejecting an option) becomes an IOError at
/// `node`.
template <class Make>
auto rethrow_at(const JsonNode& node, Make&& make) -> decltype(make()) {
    try {
        return make();
    } catch (const ValueError& error) {
        node.fail(error.what());
    }
}

/// Keras's {"class_name": "ExponentialDecay", "config": {...}} of a built-in schedule. Throws
/// ValueError for a schedule class minidl cannot write.
Json schedule_config(const optim::LearningRateSchedule& schedule);
/// A built-in schedule from schedule_config()'s form (tf.keras 2.13's "module" and
/// "registered_name" accepted).
std::shared_ptr<const optim::LearningRateSchedule> schedule_from_config(const JsonNode& node);

/// A compile() metric as written in "metrics": the name as given ("accuracy"), or a metric object
/// as {"class_name", "config": {"name", "dtype": "float32", options...}}. Throws ValueError for a
/// metric class that has no config (a user's own).
Json metric_config(const MetricArg& metric);
/// A compile() metric from metric_config()'s form, or tf.keras 2.x's resolved
/// {"class_name": "MeanMetricWrapper", "config": {"name", "dtype", "fn"}}. A name is checked
/// (metrics::get) but kept as a name, so compile resolves it as it resolves names.
MetricArg metric_from_config(const JsonNode& node);

}  // namespace minidl::serialization::detail
