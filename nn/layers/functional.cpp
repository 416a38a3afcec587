#include "functional.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace tg::nn {

Functional::Functional(const NamedModules& modules, Fn fn, std::size_t num_inputs)
    : fn_(std::move(fn)), num_inputs_(num_inputs) {
    if (!fn_) throw std::invalid_argument("Functional: the function is empty");
    for (const auto& [name, m] : modules) {
        if (!m) throw std::invalid_argument(fmt::format("Functional: submodule '{}' is null", name));
        add_child(name, m);
    }
}

Tensors Functional::forward(const Tensors& inputs) {
    if (num_inputs_ != 0 && inputs.size() != num_inputs_)
        throw std::invalid_argument(fmt::format("Functional: takes {} inputs, got {}{}{}", num_inputs_, inputs.size(),
                                                num_inputs_ > 1 ? " (call it with model({a, b, ...}))" : "",
                                                where({})));
    for (std::size_t i = 0; i < inputs.size(); ++i)
        if (!inputs[i].defined()) throw std::invalid_argument(fmt::format("Functional: input {} is undefined{}", i, where({})));
    return fn_(inputs);
}

Tensor Functional::forward(const Tensor& x) {
    if (num_inputs_ > 1)
        throw std::invalid_argument(fmt::format(
            "Functional: takes {} inputs, got one tensor: this module takes several inputs, call it with model({{a, b}}){}",
            num_inputs_, where({})));
    Tensors out = forward(Tensors{x});
    if (out.size() != 1)
        throw std::invalid_argument(fmt::format(
            "Functional: gives {} outputs, so it has no one-tensor call: call it as model(Tensors{{x}}){}", out.size(),
            where({})));
    return out[0];
}

std::string Functional::extra_repr() const { return num_inputs_ ? fmt::format("inputs={}", num_inputs_) : ""; }

Lambda::Lambda(Fn fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {
    if (!fn_) throw std::invalid_argument("Lambda: the function is empty");
}

}  // namespace tg::nn
