#pragma once
/// @ingroup nn
/// The optimiser base class. An optimiser updates its parameters in place from
/// their accumulated gradients (.grad(), filled by backward), outside the graph.
/// Parameters whose gradient is undefined (unused, or frozen) are skipped, as in PyTorch.
///
/// Note [one learning rate]: the learning rate is stored once, in the concrete
/// optimiser's options struct (OptimizerWithOptions::options_). lr(), set_lr()
/// (what schedulers call), options().lr, hyperparameters() and the update all read
/// or write that one field, so a scheduler's change shows everywhere.
///
/// Note [optimiser updates on the pool]: every update here is elementwise (each
/// element's new value and state depend on that element alone), so a large
/// parameter is cut into ranges that the pool's threads update at once, with the
/// same bits for any thread count. A parameter below 2 * parallel::min_share
/// elements stays on the calling thread: waking a thread costs more than such an
/// update. Slots are fetched (and made) on the calling thread before the split.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../../graph/thread_pool.hpp"
#include "../module.hpp"

namespace tg::optim {

class Optimizer {
public:
    explicit Optimizer(std::vector<Tensor> params);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    /// One update of every parameter that has a gradient.
    void step();
    /// Forget the parameters' gradients (they become undefined).
    void zero_grad();

    double lr() const { return learning_rate(); }
    /// Change the learning rate (schedulers call this); throws std::invalid_argument
    /// unless it is finite and >= 0.
    void set_lr(double lr);
    const std::vector<Tensor>& params() const { return params_; }
    /// Number of step() calls so far.
    std::int64_t steps() const { return steps_; }
    virtual std::string name() const = 0;

    /// The per-parameter state ("0.momentum_buffer", "1.exp_avg", "1.step", ...) and "steps",
    /// for saving with the model (save() in nn/io/checkpoint.hpp). Tensors are the live state.
    nn::NamedTensors state_dict() const;
    /// Restore what state_dict() gave; checks names against this optimiser's kind,
    /// parameter indices and shapes (std::invalid_argument / ShapeError otherwise).
    void load_state_dict(const nn::NamedTensors& state);
    /// Hyperparameters by name (lr, momentum, betas...), for the record.
    virtual std::map<std::string, double> hyperparameters() const = 0;

protected:
    /// The one stored learning rate (Note [one learning rate]).
    virtual double& learning_rate() = 0;
    virtual double learning_rate() const = 0;
    /// The update, for parameters that have a gradient; grads are the parameters' .grad().
    virtual void update() = 0;
    /// Names of the per-parameter state tensors this optimiser keeps.
    virtual std::vector<std::string> slot_names() const = 0;
    /// Per-parameter state tensor (zeros like the parameter on first use, or `init`).
    Tensor& slot(std::size_t param, const std::string& name, double init = 0);
    bool has_slot(std::size_t param, const std::string& name) const;

    /// The update of each parameter with a gradient, elementwise and on the pool:
    /// f(index, T* param, const T* grad) runs on the calling thread (it reads the
    /// hyperparameters and fetches slots, which may create them) and returns a
    /// kernel(lo, hi) updating elements lo..hi-1, which runs over ranges of the
    /// parameter on the pool's threads (Note [optimiser updates on the pool]).
    /// T is float or double, the parameter's dtype.
    template <class F>
    void for_each_param(F&& f) {
        for (std::size_t i = 0; i < params_.size(); ++i) {
            Tensor& p = params_[i];
            Tensor g = p.grad();
            if (!g.defined()) continue;
            ++counts_[i];
            if (p.dtype() == DType::f32) parallel::for_ranges(p.size(), parallel::min_share, f(i, p.data<float>(), g.data<float>()));
            else parallel::for_ranges(p.size(), parallel::min_share, f(i, p.data<double>(), g.data<double>()));
        }
    }

    std::vector<Tensor> params_;
    std::int64_t steps_ = 0;
    /// Updates each parameter has received (PyTorch's per-parameter state['step']).
    std::vector<std::int64_t> counts_;

private:
    std::vector<std::map<std::string, Tensor>> state_;
};

/// An optimiser configured by an options struct with an `lr` member, which is the
/// learning rate's one home (Note [one learning rate]).
template <class Options>
class OptimizerWithOptions : public Optimizer {
public:
    /// The options, with the current learning rate (after any scheduler step).
    const Options& options() const { return options_; }

protected:
    OptimizerWithOptions(std::vector<Tensor> params, const Options& options)
        : Optimizer(std::move(params)), options_(options) {
        set_lr(options.lr);  // validates it
    }
    double& learning_rate() override { return options_.lr; }
    double learning_rate() const override { return options_.lr; }

    Options options_;
};

}  // namespace tg::optim
