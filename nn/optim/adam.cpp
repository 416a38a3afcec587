#include "adam.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::optim {

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions o, bool decoupled)
    : OptimizerWithOptions(std::move(params), o), decoupled_(decoupled) {
    const char* who = decoupled ? "AdamW" : "Adam";
    if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1))
        throw std::invalid_argument(fmt::format("{}: betas ({}, {}) must be in [0, 1)", who, o.beta1, o.beta2));
    if (!(o.eps >= 0)) throw std::invalid_argument(fmt::format("{}: eps {} must be >= 0", who, o.eps));
    if (!(o.weight_decay >= 0))
        throw std::invalid_argument(fmt::format("{}: weight_decay {} must be >= 0", who, o.weight_decay));
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions o)
    : Adam(std::move(params), AdamOptions{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, o.maximize}, true) {}

std::map<std::string, double> Adam::hyperparameters() const {
    return {{"lr", options_.lr},
            {"beta1", options_.beta1},
            {"beta2", options_.beta2},
            {"eps", options_.eps},
            {"weight_decay", options_.weight_decay},
            {"amsgrad", options_.amsgrad ? 1.0 : 0.0},
            {"maximize", options_.maximize ? 1.0 : 0.0}};
}

void Adam::update() {
    const AdamOptions& o = options_;
    for_each_param([&](std::size_t i, auto* p, const auto* grad, std::size_t n) {
        using T = std::remove_pointer_t<decltype(p)>;
        const double t = static_cast<double>(counts_[i]);
        const T b1 = static_cast<T>(o.beta1), b2 = static_cast<T>(o.beta2), eps = static_cast<T>(o.eps),
                sgn = o.maximize ? T(-1) : T(1);
        const T l2 = decoupled_ ? T(0) : static_cast<T>(o.weight_decay);
        const T shrink = decoupled_ ? static_cast<T>(1 - o.lr * o.weight_decay) : T(1);
        const T step_size = static_cast<T>(o.lr / (1 - std::pow(o.beta1, t)));
        const T bc2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(o.beta2, t)));
        T* m = slot(i, "exp_avg").data<T>();
        T* v = slot(i, "exp_avg_sq").data<T>();
        T* vmax = o.amsgrad ? slot(i, "max_exp_avg_sq").data<T>() : nullptr;
        for (std::size_t k = 0; k < n; ++k) {
            p[k] *= shrink;
            const T g = sgn * grad[k] + l2 * p[k];
            m[k] = b1 * m[k] + (1 - b1) * g;
            v[k] = b2 * v[k] + (1 - b2) * g * g;
            T second = v[k];
            if (vmax) second = vmax[k] = std::max(vmax[k], v[k]);
            p[k] -= step_size * m[k] / (std::sqrt(second) / bc2_sqrt + eps);
        }
    });
}

}  // namespace tg::optim
