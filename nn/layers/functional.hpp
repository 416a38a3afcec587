#pragma once
/// @ingroup nn
/// Models written as a function of named submodules, without a class:
/// Functional (several inputs and outputs, branches, skips) and Lambda (a
/// parameter-free one-tensor function, e.g. inside a Sequential).
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// (name, submodule) pairs, in registration order.
using NamedModules = std::vector<std::pair<std::string, ModulePtr>>;

/// fn(inputs) -> outputs, over submodules registered under the given names (so
/// parameters(), state_dict ("encoder.weight"), save/load, to(), train/eval and
/// summary see them). fn calls the submodules it captured:
///
///     auto enc = std::make_shared<Linear>(3, 8), head = std::make_shared<Linear>(8, 1);
///     auto model = Functional({{"encoder", enc}, {"head", head}}, [=](const Tensors& in) {
///         return Tensors{(*head)(relu((*enc)(in[0])) + in[1])};
///     }, 2);
///     Tensor y = model({a, b})[0];
///
/// num_inputs, when not 0, is checked on every call (std::invalid_argument), so
/// that fn may index its inputs freely. With one input and one output it is
/// also a one-tensor module (usable in Sequential, fit on a one-input Dataset).
class Functional : public Module {
public:
    using Fn = std::function<Tensors(const Tensors& inputs)>;
    Functional(const NamedModules& modules, Fn fn, std::size_t num_inputs = 0);
    using Module::forward;
    Tensors forward(const Tensors& inputs) override;
    /// forward({x}), which must give one output.
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Functional"; }
    std::string extra_repr() const override;
    std::size_t num_inputs() const { return num_inputs_; }

private:
    Fn fn_;
    std::size_t num_inputs_;
};

/// y = fn(x) for a function without parameters (a reshape, a scaling, an
/// activation with arguments): `Sequential(Linear(4, 8), Lambda([](const Tensor& x) { return x * 0.5; }), ...)`.
/// `name` is what to_string() and summary() show.
class Lambda : public Module {
public:
    using Fn = std::function<Tensor(const Tensor& x)>;
    explicit Lambda(Fn fn, std::string name = "Lambda");
    Tensor forward(const Tensor& x) override { return fn_(x); }
    using Module::forward;
    std::string type_name() const override { return name_; }

private:
    Fn fn_;
    std::string name_;
};

}  // namespace tg::nn
