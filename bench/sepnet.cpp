// bench_sepnet: the SepNet training step, timed as ../shared/bench/torch_sepnet.py times its
// PyTorch peer, so that `make bench` can print the two side by side (scripts/bench_table.py).
//
// SepNet = 3 x SeparableConv1D(filters C, kernel k, padding same, relu, dilations 1, 2, 4,
// L2(1e-4) on both kernels, MaxNorm(3) on the pointwise kernel over each filter's incoming
// weights) -> GlobalAveragePooling1D -> Dense(10) logits -> sparse softmax cross-entropy.
// A training step: zero the gradients, forward, loss + the layers' penalties, backward, one
// Adam step (which adds the penalties' gradient, then applies the MaxNorm constraints).
// Timing: two untimed calls, then the median of `reps` calls (50 tiny, 20 medium, 5 large).
//
//   bench_sepnet [threads=2] [config...] [--data-format=channels_last|channels_first|both]
//                [--no-check] [--profile-steps=N]
//
// Prints one JSON line per (config, data format) with torch_sepnet.py's fields (impl, config,
// threads, train_step_ms, forward_ms, peak_rss_mb) plus data_format; the allocator's requests
// to the system per steady-state step (memory_stats(): allocations that were not cache hits);
// and whether 3 training steps on 1 and on 2 threads give the same bits (loss, gradients and
// weights). peak_rss_mb is ru_maxrss of the whole process, read before that check: run one
// config and format per process to compare with PyTorch (as `make bench` does).
// --profile-steps=N runs 2 warm-up steps and N more, untimed, for callgrind or heaptrack
// (scripts/bench_heaptrack.sh).
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <minidl/minidl.hpp>

namespace {

using namespace minidl;

constexpr int64_t kClasses = 10;
constexpr uint64_t kSeed = 0;
constexpr int kCheckSteps = 3;

/// One size of torch_sepnet.py's CONFIGS, and its number of timed repetitions.
struct SizeConfig {
    std::string_view name;
    int64_t batch;
    int64_t length;
    int64_t in_channels;
    int64_t channels;
    int64_t kernel_size;
    int reps;
};

constexpr SizeConfig kConfigs[] = {
    {"tiny", 32, 128, 8, 16, 5, 50},
    {"medium", 32, 1024, 64, 64, 9, 20},
    {"large", 64, 4096, 128, 128, 9, 5},
};

const SizeConfig* find_config(std::string_view name) {
    for (const SizeConfig& config : kConfigs) {
        if (config.name == name) return &config;
    }
    return nullptr;
}

/// The SepNet of torch_sepnet.py in Keras terms (Keras's default initializers).
class SepNet {
  public:
    SepNet(const SizeConfig& config, DataFormat data_format)
        : pool_({.data_format = data_format}), head_({.units = kClasses}) {
        for (int i = 0; i < 3; ++i) {
            convs_.emplace_back(layers::SeparableConv1DOptions{
                .filters = config.channels,
                .kernel_size = config.kernel_size,
                .padding = Padding::Same,
                .data_format = data_format,
                .dilation_rate = int64_t{1} << i,
                .activation = "relu",
                .depthwise_regularizer = regularizers::L2(1e-4),
                .pointwise_regularizer = regularizers::L2(1e-4),
                .pointwise_constraint = constraints::MaxNorm(3.0, {0, 1})});
        }
    }

    /// Logits [B, 10] of x [B, L, Cin] (channels_last) or [B, Cin, L].
    Tensor operator()(const Tensor& x) {
        Tensor h = x;
        for (layers::SeparableConv1D& conv : convs_) h = conv(h, true);
        return head_(pool_(h));
    }

    std::vector<Parameter> parameters() const {
        std::vector<Parameter> all;
        for (const layers::SeparableConv1D& conv : convs_) {
            for (const Parameter& p : conv.trainable_weights()) all.push_back(p);
        }
        for (const Parameter& p : head_.trainable_weights()) all.push_back(p);
        return all;
    }

    /// The weight penalties as constants (the optimizer's step applies their gradient).
    std::vector<Tensor> penalties() const {
        std::vector<Tensor> all;
        for (const layers::SeparableConv1D& conv : convs_) {
            for (const Tensor& p : conv.losses()) all.push_back(p);
        }
        return all;
    }

  private:
    std::vector<layers::SeparableConv1D> convs_;
    layers::GlobalAveragePooling1D pool_;
    layers::Dense head_;
};

/// A built model, its optimizer and one batch of data, from the fixed seed.
struct Trainer {
    SepNet model;
    Tensor x;
    Tensor y;
    optim::Adam optimizer;
    losses::SparseCategoricalCrossentropy loss_fn{{.from_logits = true}};

    Trainer(const SizeConfig& config, DataFormat data_format)
        : model(seeded_model(config, data_format)),
          x(randn(conv1d_shape(config.batch, config.length, config.in_channels, data_format))),
          y(labels(config.batch)),
          optimizer(built_parameters(), {.learning_rate = 1e-3}) {}

    /// zero_grad, forward, loss + penalties, backward, Adam step with the constraints.
    Tensor step() {
        optimizer.zero_grad();
        Tensor loss = loss_fn(y, model(x));
        for (const Tensor& penalty : model.penalties()) loss = loss + penalty;
        loss.backward();
        optimizer.step();
        return loss;
    }

    Tensor forward() {
        const NoGradGuard no_grad;
        return model(x);
    }

  private:
    /// Seeds first, so that every Trainer of a config starts from the same weights and data.
    static SepNet seeded_model(const SizeConfig& config, DataFormat data_format) {
        manual_seed(kSeed);
        reset_layer_names();
        return SepNet(config, data_format);
    }

    static Tensor labels(int64_t batch) {
        Tensor y = empty({batch});
        Generator& gen = default_generator();
        for (int64_t i = 0; i < batch; ++i) {
            y.data()[i] = static_cast<float>(static_cast<int64_t>(gen.uniform_float() * kClasses));
        }
        return y;
    }

    /// Runs the model once (building its layers) and returns its parameters.
    std::vector<Parameter> built_parameters() {
        forward();
        return model.parameters();
    }
};

double now_ms() {
    using Clock = std::chrono::steady_clock;
    return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

/// Blocks the caching allocator has taken from the system so far (requests it could not serve
/// from its cache).
std::size_t system_allocations() {
    const MemoryStats stats = memory_stats();
    return stats.allocations - stats.cache_hits;
}

/// A median time and the blocks the caching allocator took from the system meanwhile.
struct Timing {
    double median_ms;
    std::size_t system_allocations;  ///< during the timed calls (not the warm-up)
};

/// torch_sepnet.py's median_ms: two untimed calls, then the median of `reps` timed ones.
Timing median_ms(const std::function<void()>& fn, int reps) {
    fn();
    fn();
    const std::size_t allocations_before = system_allocations();
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
        const double start = now_ms();
        fn();
        times.push_back(now_ms() - start);
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], system_allocations() - allocations_before};
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void append_bits(const Tensor& t, std::vector<uint32_t>& bits) {
    for (int64_t i = 0; i < t.numel(); ++i) bits.push_back(std::bit_cast<uint32_t>(t.data()[i]));
}

/// The bits of the loss, gradients and weights after kCheckSteps steps on `threads` threads.
std::vector<uint32_t> bits_after_steps(const SizeConfig& config, DataFormat data_format,
                                       int threads) {
    omp_set_num_threads(threads);
    Trainer trainer(config, data_format);
    Tensor loss;
    for (int i = 0; i < kCheckSteps; ++i) loss = trainer.step();
    std::vector<uint32_t> bits;
    append_bits(loss, bits);
    for (const Parameter& p : trainer.model.parameters()) {
        append_bits(p.grad(), bits);
        append_bits(p, bits);
    }
    return bits;
}

bool same_bits_on_1_and_2_threads(const SizeConfig& config, DataFormat data_format, int threads) {
    const bool same =
        bits_after_steps(config, data_format, 1) == bits_after_steps(config, data_format, 2);
    omp_set_num_threads(threads);
    return same;
}

struct Options {
    int threads = 2;
    std::vector<const SizeConfig*> configs;
    std::vector<DataFormat> data_formats{DataFormat::ChannelsLast, DataFormat::ChannelsFirst};
    bool check = true;
    int profile_steps = 0;
};

const char* format_name(DataFormat f) {
    return f == DataFormat::ChannelsLast ? "channels_last" : "channels_first";
}

void measure(const SizeConfig& config, DataFormat data_format, const Options& options) {
    Trainer trainer(config, data_format);
    const Timing train = median_ms([&] { trainer.step(); }, config.reps);
    const Timing forward = median_ms([&] { trainer.forward(); }, config.reps);
    const double rss = peak_rss_mb();
    // printf rather than Json::dump, whose doubles print 17 digits.
    std::printf(
        "{\"impl\": \"minidl-%s\", \"config\": \"%s\", \"threads\": %d, "
        "\"train_step_ms\": %.3f, \"forward_ms\": %.3f, \"peak_rss_mb\": %.1f, "
        "\"data_format\": \"%s\", \"system_allocations_in_timed_steps\": %zu, "
        "\"bytes_cached_mb\": %.1f",
        MINIDL_VERSION, std::string(config.name).c_str(), options.threads, train.median_ms,
        forward.median_ms, rss, format_name(data_format), train.system_allocations,
        static_cast<double>(memory_stats().bytes_cached) / 1048576.0);
    if (options.check) {
        std::printf(
            ", \"same_bits_1_and_2_threads\": %s",
            same_bits_on_1_and_2_threads(config, data_format, options.threads) ? "true" : "false");
    }
    std::printf("}\n");
    std::fflush(stdout);
}

/// 2 warm-up steps and `steps` more, untimed; prints the allocator's counters.
void profile(const SizeConfig& config, DataFormat data_format, int steps) {
    Trainer trainer(config, data_format);
    trainer.step();
    trainer.step();
    const std::size_t before = system_allocations();
    for (int i = 0; i < steps; ++i) trainer.step();
    std::printf(
        "{\"config\": \"%s\", \"data_format\": \"%s\", \"profile_steps\": %d, "
        "\"system_allocations\": %zu}\n",
        std::string(config.name).c_str(), format_name(data_format), steps,
        system_allocations() - before);
}

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "bench_sepnet: " << message
              << "\nusage: bench_sepnet [threads] [tiny|medium|large...] "
                 "[--data-format=channels_last|channels_first|both] [--no-check] "
                 "[--profile-steps=N]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--no-check") {
            options.check = false;
        } else if (arg.starts_with("--profile-steps=")) {
            options.profile_steps = std::atoi(argv[i] + std::strlen("--profile-steps="));
        } else if (arg.starts_with("--data-format=")) {
            const std::string_view value = arg.substr(std::strlen("--data-format="));
            if (value == "channels_last") {
                options.data_formats = {DataFormat::ChannelsLast};
            } else if (value == "channels_first") {
                options.data_formats = {DataFormat::ChannelsFirst};
            } else if (value != "both") {
                usage_error("unknown data format '" + std::string(value) + "'");
            }
        } else if (const SizeConfig* config = find_config(arg)) {
            options.configs.push_back(config);
        } else if (i == 1 && std::atoi(argv[i]) > 0) {
            options.threads = std::atoi(argv[i]);
        } else {
            usage_error("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (options.configs.empty()) {
        for (const SizeConfig& config : kConfigs) options.configs.push_back(&config);
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    omp_set_num_threads(options.threads);
    try {
        for (const SizeConfig* config : options.configs) {
            for (DataFormat data_format : options.data_formats) {
                if (options.profile_steps > 0) {
                    profile(*config, data_format, options.profile_steps);
                } else {
                    measure(*config, data_format, options);
                }
            }
        }
    } catch (const minidl::Error& e) {
        std::cerr << "bench_sepnet: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
