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
    for_each_param([&](std::size_t i, auto* p, const auto* grad) {
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
        // restrict: the arrays never overlap, so the loop vectorises (2x at 1M floats)
        return [=](std::size_t lo, std::size_t hi) {
            T* __restrict pr = p;
            const T* __restrict gr = grad;
            T* __restrict mr = m;
            T* __restrict vr = v;
            T* __restrict vmaxr = vmax;
            auto moments = [&](std::size_t k) {
                pr[k] *= shrink;
                const T g = sgn * gr[k] + l2 * pr[k];
                mr[k] = b1 * mr[k] + (1 - b1) * g;
                vr[k] = b2 * vr[k] + (1 - b2) * g * g;
            };
            auto descend = [&](std::size_t k, T second) { pr[k] -= step_size * mr[k] / (std::sqrt(second) / bc2_sqrt + eps); };
            if (vmaxr) {
                for (std::size_t k = lo; k < hi; ++k) {
                    moments(k);
                    descend(k, vmaxr[k] = std::max(vmaxr[k], vr[k]));
                }
            } else {
                for (std::size_t k = lo; k < hi; ++k) {
                    moments(k);
                    descend(k, vr[k]);
                }
            }
        };
    });
}

}  // namespace tg::optim
