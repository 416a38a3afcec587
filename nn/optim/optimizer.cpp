#include "optimizer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"

namespace tg::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
    if (params_.empty()) throw std::invalid_argument("optimizer: got an empty parameter list");
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (!params_[i].defined()) throw std::invalid_argument(fmt::format("optimizer: parameter {} is undefined", i));
        if (!params_[i].is_leaf())
            throw std::invalid_argument(fmt::format("optimizer: parameter {} is not a leaf (it was produced by '{}')",
                                                    i, params_[i].op_name()));
        for (std::size_t j = 0; j < i; ++j)
            if (params_[j].same(params_[i]))
                throw std::invalid_argument(fmt::format("optimizer: parameter {} is the same tensor as {}", i, j));
    }
    state_.resize(params_.size());
    counts_.assign(params_.size(), 0);
}

void Optimizer::set_lr(double lr) {
    if (!(lr >= 0) || !std::isfinite(lr))
        throw std::invalid_argument(fmt::format("optimizer: learning rate {} must be finite and >= 0", lr));
    learning_rate() = lr;
}

void Optimizer::step() {
    for (std::size_t i = 0; i < params_.size(); ++i) {
        const Tensor g = params_[i].grad();
        if (g.defined() && g.dtype() != params_[i].dtype())
            throw DTypeError(fmt::format("{}: parameter {} is {} but its gradient is {}", name(), i,
                                         dtype_name(params_[i].dtype()), dtype_name(g.dtype())));
    }
    NoGradGuard no_grad;
    ++steps_;
    update();
}

void Optimizer::zero_grad() {
    for (Tensor& p : params_) p.zero_grad();
}

Tensor& Optimizer::slot(std::size_t param, const std::string& name, double init) {
    auto& slots = state_.at(param);
    auto it = slots.find(name);
    if (it == slots.end()) it = slots.emplace(name, full(params_[param].shape(), init, {params_[param].dtype()})).first;
    return it->second;
}

bool Optimizer::has_slot(std::size_t param, const std::string& name) const {
    return state_.at(param).count(name) > 0;
}

nn::NamedTensors Optimizer::state_dict() const {
    nn::NamedTensors out;
    out.emplace_back("steps", scalar(static_cast<double>(steps_), {DType::f64}));
    for (std::size_t i = 0; i < state_.size(); ++i) {
        if (counts_[i]) out.emplace_back(fmt::format("{}.step", i), scalar(static_cast<double>(counts_[i]), {DType::f64}));
        for (const auto& [name, t] : state_[i]) out.emplace_back(fmt::format("{}.{}", i, name), t);
    }
    return out;
}

void Optimizer::load_state_dict(const nn::NamedTensors& state) {
    const std::vector<std::string> slots = slot_names();
    std::vector<std::map<std::string, Tensor>> fresh(params_.size());
    std::vector<std::int64_t> counts(params_.size(), 0);
    std::int64_t steps = steps_;
    auto count_of = [&](const std::string& key, const Tensor& t) {
        if (t.size() != 1) throw ShapeError(fmt::format("{}: state '{}' must hold one value", name(), key));
        const double v = t.to_vector()[0];
        if (!(v >= 0 && v < 9e15) || v != std::floor(v))
            throw std::invalid_argument(fmt::format("{}: state '{}' = {} is not a step count", name(), key, v));
        return static_cast<std::int64_t>(v);
    };
    for (const auto& [key, t] : state) {
        if (key == "steps") {
            steps = count_of(key, t);
            continue;
        }
        const std::size_t dot = key.find('.');
        std::size_t index = 0;
        const auto [ptr, ec] = std::from_chars(key.data(), key.data() + (dot == std::string::npos ? 0 : dot), index);
        if (dot == std::string::npos || ec != std::errc() || ptr != key.data() + dot)
            throw std::invalid_argument(fmt::format("{}: unexpected state entry '{}'", name(), key));
        const std::string slot_name = key.substr(dot + 1);
        if (index >= params_.size())
            throw std::invalid_argument(fmt::format("{}: state entry '{}' names parameter {} but there are only {}",
                                                    name(), key, index, params_.size()));
        if (slot_name == "step") {
            counts[index] = count_of(key, t);
            continue;
        }
        if (std::find(slots.begin(), slots.end(), slot_name) == slots.end())
            throw std::invalid_argument(fmt::format("{}: state entry '{}': '{}' is not state of this optimiser "
                                                    "(expected one of: {})",
                                                    name(), key, slot_name, fmt::join(slots, ", ")));
        const Tensor& p = params_[index];
        if (t.shape() != p.shape())
            throw ShapeError(fmt::format("{}: state '{}' has shape {} but parameter {} has shape {}", name(), key,
                                         shape_str(t.shape()), index, shape_str(p.shape())));
        NoGradGuard no_grad;
        fresh[index][slot_name] = t.to(p.dtype()).detach();
    }
    state_ = std::move(fresh);
    counts_ = std::move(counts);
    steps_ = steps;
}

}  // namespace tg::optim
