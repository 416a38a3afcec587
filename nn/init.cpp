#include "init.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "../graph/grad_mode.hpp"
#include "module.hpp"
#include "named_kinds.hpp"

namespace tg::nn::init {

namespace {

Generator& pick(Generator* gen) { return gen ? *gen : global_generator(); }

/// Fill t element by element from f() (the tensor's own storage, no temporary).
template <class F>
Tensor& fill_with(Tensor& t, F f) {
    check_float("init", t);
    const std::size_t n = t.size();
    if (t.dtype() == DType::f32) {
        float* p = t.data<float>();
        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<float>(f());
    } else {
        double* p = t.data<double>();
        for (std::size_t i = 0; i < n; ++i) p[i] = f();
    }
    return t;
}

double fan(const Tensor& t, FanMode mode) {
    const auto [in, out] = fans(t);
    return mode == FanMode::fan_in ? in : out;
}

}  // namespace

std::pair<double, double> fans(const Tensor& t) {
    check_defined("init::fans", t);
    if (t.dim() < 2)
        throw std::invalid_argument(
            fmt::format("init: fan in and fan out need a tensor of rank >= 2, got {}", shape_str(t.shape())));
    double receptive = 1;
    for (std::size_t k = 2; k < t.dim(); ++k) receptive *= static_cast<double>(t.shape()[k]);
    return {static_cast<double>(t.size(1)) * receptive, static_cast<double>(t.size(0)) * receptive};
}

double calculate_gain(std::string_view nl, double param) {
    if (nl == "linear" || nl == "identity" || nl == "sigmoid" || nl == "step" || nl == "none") return 1.0;
    if (nl == "tanh") return 5.0 / 3.0;
    if (nl == "relu") return std::sqrt(2.0);
    if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
    if (nl == "selu") return 3.0 / 4.0;
    throw std::invalid_argument(fmt::format("init::calculate_gain: unknown nonlinearity '{}'", nl));
}

Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }
Tensor& constant_(Tensor& t, double value) {
    return fill_with(t, [value] { return value; });
}

Tensor& uniform_(Tensor& t, double low, double high, Generator* gen) {
    Generator& g = pick(gen);
    return fill_with(t, [&] { return g.uniform(low, high); });
}

Tensor& normal_(Tensor& t, double mean, double stddev, Generator* gen) {
    Generator& g = pick(gen);
    return fill_with(t, [&] { return mean + stddev * g.normal(); });
}

Tensor& xavier_uniform_(Tensor& t, double gain, Generator* gen) {
    const auto [in, out] = fans(t);
    const double a = gain * std::sqrt(6.0 / (in + out));
    return uniform_(t, -a, a, gen);
}

Tensor& xavier_normal_(Tensor& t, double gain, Generator* gen) {
    const auto [in, out] = fans(t);
    return normal_(t, 0, gain * std::sqrt(2.0 / (in + out)), gen);
}

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, std::string_view nonlinearity, Generator* gen) {
    const double b = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / fan(t, mode));
    return uniform_(t, -b, b, gen);
}

Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, std::string_view nonlinearity, Generator* gen) {
    return normal_(t, 0, calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode)), gen);
}

namespace {

/// Every name scheme_from_name accepts, with its scheme (Note [kinds and names]).
constexpr detail::NamedKind<Scheme> scheme_table[] = {
    {"default", Scheme::pytorch_default}, {"xavier_uniform", Scheme::xavier_uniform},
    {"xavier_normal", Scheme::xavier_normal}, {"he_uniform", Scheme::he_uniform},
    {"kaiming_uniform", Scheme::he_uniform}, {"he_normal", Scheme::he_normal},
    {"kaiming_normal", Scheme::he_normal}, {"normal", Scheme::normal},
    {"uniform", Scheme::uniform}, {"zeros", Scheme::zeros},
};

}  // namespace

std::vector<std::string> scheme_names() { return detail::all_names(scheme_table); }

Scheme scheme_from_name(std::string_view name) {
    if (const auto scheme = detail::kind_named(scheme_table, name)) return *scheme;
    throw std::invalid_argument(
        fmt::format("init::initialize: unknown scheme '{}'; known: {}", name, fmt::join(scheme_names(), ", ")));
}

std::string scheme_name(Scheme scheme) { return detail::name_of(scheme_table, scheme); }

void initialize(Module& module, std::string_view scheme, Generator* gen) {
    initialize(module, scheme_from_name(scheme), gen);
}

void initialize(Module& module, Scheme scheme, Generator* gen) {
    if (scheme == Scheme::pytorch_default) return;
    for (auto& [name, p] : module.named_parameters()) {
        Tensor t = p;
        if (t.dim() < 2) {
            zeros_(t);
            continue;
        }
        switch (scheme) {
            case Scheme::xavier_uniform: xavier_uniform_(t, 1, gen); break;
            case Scheme::xavier_normal: xavier_normal_(t, 1, gen); break;
            case Scheme::he_uniform: kaiming_uniform_(t, 0, FanMode::fan_in, "relu", gen); break;
            case Scheme::he_normal: kaiming_normal_(t, 0, FanMode::fan_in, "relu", gen); break;
            case Scheme::normal: normal_(t, 0, 0.01, gen); break;
            case Scheme::uniform: uniform_(t, -0.05, 0.05, gen); break;
            case Scheme::zeros: zeros_(t); break;
            case Scheme::pytorch_default: break;  // not reached: returned above
        }
    }
}

}  // namespace tg::nn::init
