#include "dropout.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {
double checked_p(double p) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("Dropout: p = {} must be in [0, 1]", p));
    return p;
}
}  // namespace

Dropout::Dropout(double p) : p_(checked_p(p)), gen_(global_generator().next_u64()) {}
Dropout::Dropout(double p, std::uint64_t seed) : p_(checked_p(p)), gen_(seed) {}

Tensor Dropout::forward(const Tensor& x) {
    if (!is_training() || p_ == 0) return x;
    check_float("Dropout", x);
    if (p_ == 1) return x * 0.0;
    // mask = (u >= p) / (1 - p), a constant; the product carries the gradient.
    Tensor mask = zeros(x.shape(), {x.dtype()});
    const double keep = 1.0 / (1.0 - p_);
    const std::size_t n = mask.size();
    if (x.dtype() == DType::f32) {
        float* m = mask.data<float>();
        for (std::size_t i = 0; i < n; ++i) m[i] = gen_.uniform() >= p_ ? static_cast<float>(keep) : 0.0f;
    } else {
        double* m = mask.data<double>();
        for (std::size_t i = 0; i < n; ++i) m[i] = gen_.uniform() >= p_ ? keep : 0.0;
    }
    return x * mask;
}

std::string Dropout::extra_repr() const { return fmt::format("p={}", p_); }

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_, end_); }

std::string Flatten::extra_repr() const { return fmt::format("start_axis={}, end_axis={}", start_, end_); }

}  // namespace tg::nn
