#include "clip.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::nn {

namespace {

template <class F>
void each_grad(const std::vector<Tensor>& params, F f) {
    for (const Tensor& p : params) {
        Tensor g = p.grad();
        if (!g.defined()) continue;
        if (g.dtype() == DType::f32) f(g.data<float>(), g.size());
        else f(g.data<double>(), g.size());
    }
}

struct Norms {
    double sq = 0, max_abs = 0;
};

Norms norms_of(const Tensor& t) {
    Norms n;
    auto run = [&](const auto* d, std::size_t size) {
        for (std::size_t k = 0; k < size; ++k) {
            const double v = static_cast<double>(d[k]);
            n.sq += v * v;
            n.max_abs = std::max(n.max_abs, std::abs(v));
        }
    };
    if (t.dtype() == DType::f32) run(t.data<float>(), t.size());
    else run(t.data<double>(), t.size());
    return n;
}

}  // namespace

double grad_norm(const std::vector<Tensor>& params) {
    double sq = 0;
    each_grad(params, [&](auto* g, std::size_t n) {
        for (std::size_t k = 0; k < n; ++k) sq += static_cast<double>(g[k]) * static_cast<double>(g[k]);
    });
    return std::sqrt(sq);
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, bool error_if_nonfinite) {
    if (!(max_norm >= 0)) throw std::invalid_argument(fmt::format("clip_grad_norm_: max_norm {} must be >= 0", max_norm));
    const double norm = grad_norm(params);
    if (!std::isfinite(norm)) {
        if (error_if_nonfinite)
            throw std::runtime_error(fmt::format("clip_grad_norm_: the total gradient norm is {}", norm));
        return norm;
    }
    const double coef = max_norm / (norm + 1e-6);
    if (coef < 1)
        each_grad(params, [&](auto* g, std::size_t n) {
            using T = std::remove_pointer_t<decltype(g)>;
            for (std::size_t k = 0; k < n; ++k) g[k] *= static_cast<T>(coef);
        });
    return norm;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
    if (!(clip_value >= 0))
        throw std::invalid_argument(fmt::format("clip_grad_value_: clip_value {} must be >= 0", clip_value));
    each_grad(params, [&](auto* g, std::size_t n) {
        using T = std::remove_pointer_t<decltype(g)>;
        const T c = static_cast<T>(clip_value);
        for (std::size_t k = 0; k < n; ++k) g[k] = std::clamp(g[k], -c, c);
    });
}

std::vector<GradStat> gradient_report(const Module& module) {
    std::vector<GradStat> out;
    for (const auto& [name, p] : module.named_parameters()) {
        GradStat s;
        s.name = name;
        s.shape = p.shape();
        s.param_norm = std::sqrt(norms_of(p).sq);
        const Tensor g = p.grad();
        if (g.defined()) {
            const Norms n = norms_of(g);
            s.norm = std::sqrt(n.sq);
            s.max_abs = n.max_abs;
            s.has_grad = true;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string format_gradient_report(const std::vector<GradStat>& report) {
    std::size_t w0 = 9, w1 = 5;
    for (const GradStat& s : report) {
        w0 = std::max(w0, s.name.size());
        w1 = std::max(w1, shape_str(s.shape).size());
    }
    std::string out = fmt::format("{:<{}}  {:<{}}  {:>12}  {:>12}  {:>12}\n", "parameter", w0, "shape", w1, "|grad|",
                                  "max|grad|", "|grad|/|w|");
    for (const GradStat& s : report) {
        if (!s.has_grad) {
            out += fmt::format("{:<{}}  {:<{}}  {:>12}\n", s.name, w0, shape_str(s.shape), w1, "(no grad)");
            continue;
        }
        const double ratio = s.param_norm > 0 ? s.norm / s.param_norm : 0.0;
        out += fmt::format("{:<{}}  {:<{}}  {:>12.4e}  {:>12.4e}  {:>12.4e}\n", s.name, w0, shape_str(s.shape), w1,
                           s.norm, s.max_abs, ratio);
    }
    return out;
}

}  // namespace tg::nn
