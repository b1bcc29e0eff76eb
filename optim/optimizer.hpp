// Optimizer: the base of every optimizer, constructed LibTorch-style over a list of Parameters
// and stepping with Keras's rules (KERAS_SEMANTICS.md §9, docs/optim.md).
//
// step() runs, each once and in this order, over the parameters that are trainable and have a
// gradient or a regularizer:
//   1. adds each parameter's regularizer gradient to its gradient (the penalty's only gradient:
//      see regularization_loss() in core/parameter.hpp);
//   2. clips (clipnorm per tensor, global_clipnorm, or clipvalue);
//   3. applies weight decay, w -= lr * weight_decay * w, when weight_decay is set;
//   4. applies the update rule of the concrete optimizer;
//   5. applies each parameter's constraint to the new value;
// then counts the step. The users' gradients are read, never written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "minidl/core/parameter.hpp"
#include "minidl/core/tensor.hpp"
#include "minidl/optim/schedules.hpp"

namespace minidl::optim {

/// What resumes an optimizer exactly: its step count, its constant learning rate (which callbacks
/// such as ReduceLROnPlateau change) and its named state tensors: "<slot>/<parameter name>" for
/// per-parameter slots (e.g. "m/dense/kernel") and optimizer-wide values such as Nadam's
/// "u_product".
struct OptimizerState {
    std::string optimizer;  ///< the class name, e.g. "Adam"; load_state() requires its own
    int64_t iterations = 0;
    double learning_rate = 0.0;  ///< ignored when the optimizer's rate is a schedule
    std::vector<std::pair<std::string, Tensor>> tensors;
};

/// The arguments every Keras optimizer takes besides its own (each options struct repeats them,
/// so that designated initializers reach them): weight decay and at most one of the clipping
/// modes. An empty optional is Keras's None.
struct CommonOptions {
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;

    /// Takes the common fields of any optimizer's options struct.
    template <class Options>
    static CommonOptions of(const Options& options) {
        return {options.weight_decay, options.clipnorm, options.clipvalue, options.global_clipnorm};
    }
};

class Optimizer {
  public:
    virtual ~Optimizer() = default;
    Optimizer(Optimizer&&) = default;
    Optimizer& operator=(Optimizer&&) = default;

    /// One update of every trainable parameter that has a gradient or a regularizer (see the
    /// order above). Throws ValueError, changing nothing, when there is no such parameter (as
    /// Keras does: typically backward() was not called).
    void step();
    /// Drops every parameter's gradient.
    void zero_grad();

    const std::vector<Parameter>& parameters() const { return parameters_; }
    /// Adds parameters and creates their slots (compile() uses this once a model is built).
    /// Throws ValueError for a parameter already present or a name used twice.
    void add_parameters(const std::vector<Parameter>& parameters);

    /// Updates applied so far (Keras's `iterations`).
    int64_t iterations() const { return iterations_; }
    /// The rate the next step uses: the schedule at iterations(), or the constant.
    double learning_rate() const { return learning_rate_.at(iterations_); }
    /// Replaces a constant rate. Throws ValueError when a schedule drives the rate (as Keras does)
    /// or for a negative or non-finite value.
    void set_learning_rate(double value);
    /// The learning rate as given: a constant or a schedule.
    const LearningRate& learning_rate_setting() const { return learning_rate_; }
    const CommonOptions& common_options() const { return common_; }
    /// Keras's class name, e.g. "Adam".
    const std::string& name() const { return name_; }

    /// A copy of the state (values copied, not shared).
    OptimizerState state() const;
    /// Restores a state() of an optimizer of the same class over parameters of the same names
    /// and shapes. Checks every entry first (ValueError/ShapeError naming it) and changes nothing
    /// on failure.
    void load_state(const OptimizerState& state);

  protected:
    /// What the update rule of one step sees.
    struct StepContext {
        float learning_rate;  ///< the rate for this step, as float32 (as Keras casts it)
        int64_t t;            ///< iterations() + 1, Keras's `local_step`
    };
    /// One parameter's values, its effective gradient (after steps 1-3) and its slots, as
    /// contiguous arrays of `size` floats; slots in slot_names() order.
    struct UpdateView {
        float* value;
        const float* grad;
        std::span<float* const> slots;
        int64_t size;
    };

    /// `name` is Keras's class name; checks the learning rate and common options, throwing
    /// ValueError naming the argument (negative learning rate, clipnorm <= 0, two clipping
    /// modes). A concrete optimizer's constructor then defines its slots and adds its parameters.
    Optimizer(std::string name, LearningRate learning_rate, CommonOptions common);

    /// Registers a per-parameter slot ("m", "v", ...) starting at `initial_value`; only before
    /// the first parameter is added.
    void define_slot(std::string name, float initial_value = 0.0f);
    /// Registers an optimizer-wide scalar kept in the state (Nadam's "u_product"); returns its
    /// position for global().
    std::size_t define_global(std::string name, float initial_value);
    float& global(std::size_t index);

    /// Called once per step before any update (e.g. Nadam advances u_product here).
    virtual void prepare_step(const StepContext& context) { (void)context; }
    /// The update rule on a block of one parameter. The base calls it on fixed blocks, possibly
    /// in parallel, so it must be elementwise.
    virtual void update(const UpdateView& view, const StepContext& context) const = 0;

  private:
    struct SlotSpec {
        std::string name;
        float initial_value;
    };
    struct Global {
        std::string name;
        float value;
    };
    struct ParameterState {
        std::vector<Tensor> slots;
        Tensor effective_grad;  ///< scratch for steps 1-3, reused every step
    };

    void add_parameter(const Parameter& parameter);
    /// Fills effective_grad for each parameter to update; returns their indices.
    std::vector<std::size_t> gather_gradients();
    void clip(const std::vector<std::size_t>& updated);

    std::string name_;
    std::vector<Parameter> parameters_;
    std::vector<ParameterState> states_;
    std::vector<SlotSpec> slot_specs_;
    std::vector<Global> globals_;
    LearningRate learning_rate_;
    CommonOptions common_;
    int64_t iterations_ = 0;
};

}  // namespace minidl::optim
