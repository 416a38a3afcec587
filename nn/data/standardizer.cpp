#include "standardizer.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

Standardizer& Standardizer::fit(const Tensor& x) {
    check_defined("Standardizer::fit", x);
    if (x.dim() != 2 || x.size(0) == 0)
        throw ShapeError(fmt::format("Standardizer::fit: expects [N, F] with N > 0, got {}", shape_str(x.shape())));
    const std::size_t n = x.size(0), f = x.size(1);
    const std::vector<double> v = x.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw std::invalid_argument(fmt::format("Standardizer::fit: x[{}, {}] (column {}) is {}; clean or impute "
                                                    "the data first",
                                                    i / f, i % f, i % f, v[i]));
    std::vector<double> mean(f, 0.0), scale(f, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < f; ++j) mean[j] += v[i * f + j];
    for (double& m : mean) m /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < f; ++j) {
            const double d = v[i * f + j] - mean[j];
            scale[j] += d * d;
        }
    for (double& s : scale) {
        s = std::sqrt(s / static_cast<double>(n));
        if (!(s > 0) || !std::isfinite(s)) s = 1.0;  // constant column: leave it centred
    }
    mean_ = std::move(mean);
    scale_ = std::move(scale);
    return *this;
}

namespace {
void check_fitted(const char* op, const std::vector<double>& mean, const Tensor& x) {
    if (mean.empty()) throw std::logic_error(fmt::format("{}: the Standardizer has not been fitted", op));
    check_defined(op, x);
    if (x.dim() != 2 || x.size(1) != mean.size())
        throw ShapeError(fmt::format("{}: expects [N, {}], got {}", op, mean.size(), shape_str(x.shape())));
}
}  // namespace

Tensor Standardizer::transform(const Tensor& x) const {
    check_fitted("Standardizer::transform", mean_, x);
    const std::vector<double> v = x.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i)
        if (std::isnan(v[i]))
            throw std::invalid_argument(fmt::format("Standardizer::transform: x[{}, {}] (column {}) is NaN", i / mean_.size(),
                                                    i % mean_.size(), i % mean_.size()));
    NoGradGuard no_grad;
    const Shape row{1, mean_.size()};
    return (x - from_vector(mean_, row, {x.dtype()})) / from_vector(scale_, row, {x.dtype()});
}

Tensor Standardizer::inverse_transform(const Tensor& z) const {
    check_fitted("Standardizer::inverse_transform", mean_, z);
    NoGradGuard no_grad;
    const Shape row{1, mean_.size()};
    return z * from_vector(scale_, row, {z.dtype()}) + from_vector(mean_, row, {z.dtype()});
}

void Standardizer::transform_row(double* row) const {
    for (std::size_t j = 0; j < mean_.size(); ++j) row[j] = (row[j] - mean_[j]) / scale_[j];
}

NamedTensors Standardizer::state(const std::string& prefix) const {
    if (mean_.empty()) throw std::logic_error("Standardizer::state: not fitted");
    return {{prefix + "mean", from_vector(mean_, {mean_.size()}, {DType::f64})},
            {prefix + "scale", from_vector(scale_, {scale_.size()}, {DType::f64})}};
}

void Standardizer::load_state(const NamedTensors& state, const std::string& prefix) {
    const Tensor* m = nullptr;
    const Tensor* s = nullptr;
    for (const auto& [name, t] : state) {
        if (name == prefix + "mean") m = &t;
        if (name == prefix + "scale") s = &t;
    }
    if (!m || !s)
        throw std::invalid_argument(
            fmt::format("Standardizer::load_state: needs '{}mean' and '{}scale'", prefix, prefix));
    if (m->dim() != 1 || s->dim() != 1 || m->size() != s->size())
        throw std::invalid_argument(fmt::format("Standardizer::load_state: mean {} and scale {} must be equal 1-D",
                                                shape_str(m->shape()), shape_str(s->shape())));
    std::vector<double> mean = m->to_vector(), scale = s->to_vector();
    for (double v : scale)
        if (!(v > 0) || !std::isfinite(v))
            throw std::invalid_argument(fmt::format("Standardizer::load_state: scale {} must be positive", v));
    mean_ = std::move(mean);
    scale_ = std::move(scale);
}

}  // namespace tg::nn
