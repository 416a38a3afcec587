#include "sgd.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace tg::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions o) : OptimizerWithOptions(std::move(params), o) {
    if (o.momentum < 0) throw std::invalid_argument(fmt::format("SGD: momentum {} must be >= 0", o.momentum));
    if (o.weight_decay < 0)
        throw std::invalid_argument(fmt::format("SGD: weight_decay {} must be >= 0", o.weight_decay));
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
        throw std::invalid_argument("SGD: nesterov needs momentum > 0 and dampening = 0");
}

std::map<std::string, double> SGD::hyperparameters() const {
    return {{"lr", options_.lr},
            {"momentum", options_.momentum},
            {"dampening", options_.dampening},
            {"weight_decay", options_.weight_decay},
            {"nesterov", options_.nesterov ? 1.0 : 0.0},
            {"maximize", options_.maximize ? 1.0 : 0.0}};
}

void SGD::update() {
    const SGDOptions& o = options_;
    for_each_param([&](std::size_t i, auto* p, const auto* grad) {
        using T = std::remove_pointer_t<decltype(p)>;
        const T lr = static_cast<T>(o.lr), wd = static_cast<T>(o.weight_decay), mu = static_cast<T>(o.momentum),
                damp = static_cast<T>(1 - o.dampening), sgn = o.maximize ? T(-1) : T(1);
        const bool nesterov = o.nesterov, first = o.momentum != 0 && !has_slot(i, "momentum_buffer");
        T* b = o.momentum != 0 ? slot(i, "momentum_buffer").data<T>() : nullptr;
        // restrict: the arrays never overlap, so the loops vectorise
        return [=](std::size_t lo, std::size_t hi) {
            T* __restrict pr = p;
            const T* __restrict gr = grad;
            T* __restrict br = b;
            if (!br) {
                for (std::size_t k = lo; k < hi; ++k) pr[k] -= lr * (sgn * gr[k] + wd * pr[k]);
                return;
            }
            for (std::size_t k = lo; k < hi; ++k) {
                const T g = sgn * gr[k] + wd * pr[k];
                br[k] = first ? g : mu * br[k] + damp * g;
                pr[k] -= lr * (nesterov ? g + mu * br[k] : br[k]);
            }
        };
    });
}

}  // namespace tg::optim
