#include "rmsprop.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::optim {

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions o) : OptimizerWithOptions(std::move(params), o) {
    if (!(o.alpha >= 0 && o.alpha <= 1)) throw std::invalid_argument(fmt::format("RMSprop: alpha {} must be in [0, 1]", o.alpha));
    if (!(o.eps >= 0)) throw std::invalid_argument(fmt::format("RMSprop: eps {} must be >= 0", o.eps));
    if (!(o.momentum >= 0)) throw std::invalid_argument(fmt::format("RMSprop: momentum {} must be >= 0", o.momentum));
    if (!(o.weight_decay >= 0))
        throw std::invalid_argument(fmt::format("RMSprop: weight_decay {} must be >= 0", o.weight_decay));
}

std::map<std::string, double> RMSprop::hyperparameters() const {
    return {{"lr", options_.lr},
            {"alpha", options_.alpha},
            {"eps", options_.eps},
            {"weight_decay", options_.weight_decay},
            {"momentum", options_.momentum},
            {"centered", options_.centered ? 1.0 : 0.0},
            {"maximize", options_.maximize ? 1.0 : 0.0}};
}

void RMSprop::update() {
    const RMSpropOptions& o = options_;
    for_each_param([&](std::size_t i, auto* p, const auto* grad) {
        using T = std::remove_pointer_t<decltype(p)>;
        const T lr = static_cast<T>(o.lr), a = static_cast<T>(o.alpha), eps = static_cast<T>(o.eps),
                wd = static_cast<T>(o.weight_decay), mu = static_cast<T>(o.momentum), sgn = o.maximize ? T(-1) : T(1);
        T* v = slot(i, "square_avg").data<T>();
        T* gbar = o.centered ? slot(i, "grad_avg").data<T>() : nullptr;
        T* b = o.momentum > 0 ? slot(i, "momentum_buffer").data<T>() : nullptr;
        return [=](std::size_t lo, std::size_t hi) {
            for (std::size_t k = lo; k < hi; ++k) {
                const T g = sgn * grad[k] + wd * p[k];
                v[k] = a * v[k] + (1 - a) * g * g;
                T var = v[k];
                if (gbar) {
                    gbar[k] = a * gbar[k] + (1 - a) * g;
                    var -= gbar[k] * gbar[k];
                }
                const T d = std::sqrt(var) + eps;
                if (b) {
                    b[k] = mu * b[k] + g / d;
                    p[k] -= lr * b[k];
                } else {
                    p[k] -= lr * g / d;
                }
            }
        };
    });
}

}  // namespace tg::optim
