// Model::summary: tf.keras 2.13's print_summary for sequential-like models (layer_utils.py),
// column for column, so that a Keras user reads the same table.
#include <cstdio>
#include <iostream>

#include "minidl/core/error.hpp"
#include "minidl/layers/model.hpp"

namespace minidl {
namespace {

constexpr int kLineLength = 65;
// Keras's positions [0.45, 0.85, 1.0] of a 65-column line.
constexpr int kPositions[3] = {29, 55, 65};

std::string python_tuple(const std::vector<int64_t>& sizes) {
    std::string text = "(";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (i > 0) text += ", ";
        text += sizes[i] < 0 ? "None" : std::to_string(sizes[i]);
    }
    return text + (sizes.size() == 1 ? ",)" : ")");
}

// Keras's print_row: each field is cut to its column (lines continue below), breaking after
// "),", "},", "]," or "'," when one occurs in the part that fits.
void print_row(std::ostream& out, std::vector<std::string> fields) {
    const int columns = static_cast<int>(fields.size());
    auto any_left = [&] {
        for (const std::string& field : fields) {
            if (!field.empty()) return true;
        }
        return false;
    };
    while (any_left()) {
        std::string line;
        for (int col = 0; col < columns; ++col) {
            const int start = col > 0 ? kPositions[col - 1] : 0;
            const bool last = col == columns - 1;
            const int space = last ? 0 : 2;
            int cutoff = kPositions[col] - start - space - (last ? 0 : 1);
            std::string fit = fields[col].substr(0, static_cast<std::size_t>(cutoff));
            std::size_t best = std::string::npos;
            for (const char* marker : {"),", "},", "],", "',"}) {
                const std::size_t at = fit.find(marker);
                if (at != std::string::npos) best = std::min(best, at + 2);
            }
            if (best != std::string::npos) {
                cutoff = static_cast<int>(best);
                fit = fit.substr(0, best);
            }
            if (col == 0) line += " ";
            line += fit + std::string(static_cast<std::size_t>(space), ' ');
            fields[col] = fields[col].size() > static_cast<std::size_t>(cutoff)
                              ? fields[col].substr(static_cast<std::size_t>(cutoff))
                              : std::string();
            if (static_cast<int>(line.size()) < kPositions[col])
                line += std::string(static_cast<std::size_t>(kPositions[col]) - line.size(), ' ');
        }
        out << line << '\n';
    }
}

int64_t count_values(const std::vector<Parameter>& weights) {
    int64_t count = 0;
    for (const Parameter& weight : weights) count += weight.numel();
    return count;
}

// Keras's readable_memory_size of float32 weights.
std::string readable_memory_size(int64_t count) {
    double size = static_cast<double>(count) * 4.0;
    const char* units[] = {"Byte", "KB", "MB", "GB", "TB", "PB"};
    for (const char* unit : units) {
        if (size / 1024.0 < 1.0 || unit == units[5]) {
            char text[64];
            std::snprintf(text, sizeof text, "%.2f %s", size, unit);
            return text;
        }
        size /= 1024.0;
    }
    return {};
}

}  // namespace

void Model::summary() const { summary(std::cout); }

void Model::summary(std::ostream& out) const {
    if (!built()) {
        throw ValueError(name() +
                         ": this model has not yet been built. Build the model first by calling "
                         "build() or by calling the model on a batch of data.");
    }
    const std::vector<std::shared_ptr<Layer>> model_layers = layers();
    const std::vector<std::optional<std::vector<int64_t>>> shapes = layer_output_shapes();
    out << "Model: \"" << name() << "\"\n" << std::string(kLineLength, '_') << '\n';
    print_row(out, {"Layer (type)", "Output Shape", "Param #"});
    out << std::string(kLineLength, '=') << '\n';
    for (std::size_t i = 0; i < model_layers.size(); ++i) {
        const Layer& layer = *model_layers[i];
        const std::string shape = shapes[i] ? python_tuple(*shapes[i]) : "multiple";
        const bool unused = !layer.built() && !dynamic_cast<const Model*>(&layer);
        print_row(out, {layer.name() + " (" + layer.class_name() + ")", shape,
                        unused ? "0 (unused)" : std::to_string(layer.count_params())});
        out << std::string(kLineLength, ' ') << '\n';
    }
    out << std::string(kLineLength, '=') << '\n';
    const int64_t trainable = count_values(trainable_weights());
    const int64_t frozen = count_values(non_trainable_weights());
    out << "Total params: " << trainable + frozen << " ("
        << readable_memory_size(trainable + frozen) << ")\n"
        << "Trainable params: " << trainable << " (" << readable_memory_size(trainable) << ")\n"
        << "Non-trainable params: " << frozen << " (" << readable_memory_size(frozen) << ")\n"
        << std::string(kLineLength, '_') << '\n';
}

}  // namespace minidl
