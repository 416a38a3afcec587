#include "adagrad.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::optim {

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions o) : OptimizerWithOptions(std::move(params), o) {
    if (!(o.lr_decay >= 0)) throw std::invalid_argument(fmt::format("Adagrad: lr_decay {} must be >= 0", o.lr_decay));
    if (!(o.weight_decay >= 0))
        throw std::invalid_argument(fmt::format("Adagrad: weight_decay {} must be >= 0", o.weight_decay));
    if (!(o.initial_accumulator_value >= 0))
        throw std::invalid_argument(
            fmt::format("Adagrad: initial_accumulator_value {} must be >= 0", o.initial_accumulator_value));
    if (!(o.eps >= 0)) throw std::invalid_argument(fmt::format("Adagrad: eps {} must be >= 0", o.eps));
}

std::map<std::string, double> Adagrad::hyperparameters() const {
    return {{"lr", options_.lr},
            {"lr_decay", options_.lr_decay},
            {"weight_decay", options_.weight_decay},
            {"initial_accumulator_value", options_.initial_accumulator_value},
            {"eps", options_.eps},
            {"maximize", options_.maximize ? 1.0 : 0.0}};
}

void Adagrad::update() {
    const AdagradOptions& o = options_;
    for_each_param([&](std::size_t i, auto* p, const auto* grad) {
        using T = std::remove_pointer_t<decltype(p)>;
        const double t = static_cast<double>(counts_[i]);
        const T clr = static_cast<T>(o.lr / (1 + (t - 1) * o.lr_decay)), eps = static_cast<T>(o.eps),
                wd = static_cast<T>(o.weight_decay), sgn = o.maximize ? T(-1) : T(1);
        T* s = slot(i, "sum", o.initial_accumulator_value).data<T>();
        return [=](std::size_t lo, std::size_t hi) {
            for (std::size_t k = lo; k < hi; ++k) {
                const T g = sgn * grad[k] + wd * p[k];
                s[k] += g * g;
                p[k] -= clr * g / (std::sqrt(s[k]) + eps);
            }
        };
    });
}

}  // namespace tg::optim
