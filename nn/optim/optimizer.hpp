#pragma once
/// @ingroup nn
/// The optimiser base class. An optimiser updates its parameters in place from
/// their accumulated gradients (.grad(), filled by backward), outside the graph.
/// Parameters whose gradient is undefined (unused, or frozen) are skipped, as in PyTorch.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../module.hpp"

namespace tg::optim {

class Optimizer {
public:
    Optimizer(std::vector<Tensor> params, double lr);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    /// One update of every parameter that has a gradient.
    void step();
    /// Forget the parameters' gradients (they become undefined).
    void zero_grad();

    double lr() const { return lr_; }
    /// Change the learning rate (schedulers call this).
    void set_lr(double lr);
    const std::vector<Tensor>& params() const { return params_; }
    /// Number of step() calls so far.
    std::int64_t steps() const { return steps_; }
    virtual std::string name() const = 0;

    /// The per-parameter state ("0.momentum_buffer", "1.exp_avg", "1.step", ...) and "steps",
    /// for saving with the model (io/safetensors.hpp). Tensors are the live state.
    nn::NamedTensors state_dict() const;
    /// Restore what state_dict() gave; checks names against this optimiser's kind,
    /// parameter indices and shapes (std::invalid_argument / ShapeError otherwise).
    void load_state_dict(const nn::NamedTensors& state);
    /// Hyperparameters by name (lr, momentum, betas...), for the record.
    virtual std::map<std::string, double> hyperparameters() const = 0;

protected:
    /// The update, for parameters that have a gradient; grads are the parameters' .grad().
    virtual void update() = 0;
    /// Names of the per-parameter state tensors this optimiser keeps.
    virtual std::vector<std::string> slot_names() const = 0;
    /// Per-parameter state tensor (zeros like the parameter on first use, or `init`).
    Tensor& slot(std::size_t param, const std::string& name, double init = 0);
    bool has_slot(std::size_t param, const std::string& name) const;

    /// f(index, T* param, const T* grad, std::size_t n) for each parameter with a gradient,
    /// T being float or double (the parameter's dtype).
    template <class F>
    void for_each_param(F&& f) {
        for (std::size_t i = 0; i < params_.size(); ++i) {
            Tensor& p = params_[i];
            Tensor g = p.grad();
            if (!g.defined()) continue;
            ++counts_[i];
            if (p.dtype() == DType::f32) f(i, p.data<float>(), g.data<float>(), p.size());
            else f(i, p.data<double>(), g.data<double>(), p.size());
        }
    }

    std::vector<Tensor> params_;
    double lr_;
    std::int64_t steps_ = 0;
    /// Updates each parameter has received (PyTorch's per-parameter state['step']).
    std::vector<std::int64_t> counts_;

private:
    std::vector<std::map<std::string, Tensor>> state_;
};

}  // namespace tg::optim
