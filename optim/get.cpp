#include "minidl/optim/get.hpp"

#include <algorithm>
#include <cctype>

#include "minidl/core/error.hpp"
#include "minidl/optim/adadelta.hpp"
#include "minidl/optim/adagrad.hpp"
#include "minidl/optim/adam.hpp"
#include "minidl/optim/adamax.hpp"
#include "minidl/optim/nadam.hpp"
#include "minidl/optim/rmsprop.hpp"
#include "minidl/optim/sgd.hpp"

namespace minidl::optim {
namespace {

template <class Concrete>
std::unique_ptr<Optimizer> make() {
    return std::make_unique<Concrete>();
}

struct Entry {
    const char* name;
    std::unique_ptr<Optimizer> (*make)();
};

constexpr Entry kOptimizers[] = {{"sgd", make<SGD>},         {"adam", make<Adam>},
                                 {"adamw", make<AdamW>},     {"rmsprop", make<RMSprop>},
                                 {"adagrad", make<Adagrad>}, {"adadelta", make<Adadelta>},
                                 {"adamax", make<Adamax>},   {"nadam", make<Nadam>}};

}  // namespace

std::unique_ptr<Optimizer> get(const std::string& name) {
    std::string wanted = name;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string names;
    for (const Entry& entry : kOptimizers) {
        if (wanted == entry.name) return entry.make();
        names += (names.empty() ? "" : ", ") + std::string(entry.name);
    }
    throw ValueError("optim::get: unknown optimizer '" + name + "' (known: " + names + ")");
}

}  // namespace minidl::optim
