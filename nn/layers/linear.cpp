#include "linear.hpp"

#include <cmath>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

Linear::Linear(std::size_t in_features, std::size_t out_features, bool with_bias)
    : in_(in_features), out_(out_features) {
    // PyTorch's reset_parameters: kaiming_uniform(a = sqrt(5)) for the weight is
    // U(-1/sqrt(in), 1/sqrt(in)); the bias uses the same bound.
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    weight = register_parameter("weight", uniform({out_features, in_features}, -bound, bound));
    if (with_bias) bias = register_parameter("bias", uniform({out_features}, -bound, bound));
}

Tensor Linear::forward(const Tensor& x) { return forward(x, Epilogue::none); }

Tensor Linear::forward(const Tensor& x, Epilogue activation) {
    check_float("Linear", x);
    if (x.dim() == 0 || x.size(-1) != in_)
        throw ShapeError(fmt::format("Linear(in_features={}, out_features={}): input {} must end with {} features",
                                     in_, out_, shape_str(x.shape()), in_) + where({}));
    return linear(x, weight, bias, activation);
}

std::string Linear::extra_repr() const {
    return fmt::format("in_features={}, out_features={}, bias={}", in_, out_, bias.defined());
}

Perceptron::Perceptron(std::size_t in_features, bool bipolar) : in_(in_features), bipolar_(bipolar) {
    weight = register_parameter("weight", zeros({1, in_features}));
    bias = register_parameter("bias", zeros({1}));
}

Tensor Perceptron::forward(const Tensor& x) {
    check_float("Perceptron", x);
    if (x.dim() == 0 || x.size(-1) != in_)
        throw ShapeError(fmt::format("Perceptron(in_features={}): input {} must end with {} features", in_,
                                     shape_str(x.shape()), in_) + where({}));
    return linear(x, weight, bias);
}

Tensor Perceptron::predict(const Tensor& x) {
    NoGradGuard no_grad;
    const Tensor s = step(forward(x));
    return bipolar_ ? s * 2.0 - 1.0 : s;
}

std::string Perceptron::extra_repr() const {
    return fmt::format("in_features={}{}", in_, bipolar_ ? ", bipolar=true" : "");
}

}  // namespace tg::nn
