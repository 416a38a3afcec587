#include "norm.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "../../ops/norm.hpp"

namespace tg::nn {

BatchNormBase::BatchNormBase(std::size_t num_features, BatchNormOptions options)
    : features_(num_features), options_(options) {
    if (options.affine) {
        weight = register_parameter("weight", ones({num_features}));
        bias = register_parameter("bias", zeros({num_features}));
    }
    if (options.track_running_stats) {
        running_mean = register_buffer("running_mean", zeros({num_features}));
        running_var = register_buffer("running_var", ones({num_features}));
        num_batches_tracked = register_buffer("num_batches_tracked", scalar(0, {DType::i64}));
    }
    if (options.momentum && !(*options.momentum >= 0 && *options.momentum <= 1))
        throw std::invalid_argument(
            fmt::format("BatchNorm: momentum must be in [0, 1] (or std::nullopt for the cumulative average), got {}",
                        *options.momentum));
}

Tensor BatchNormBase::forward(const Tensor& x) {
    check_input(x);
    // as PyTorch: the count goes up in every training forward that updates the
    // running statistics; without a momentum they are the cumulative average
    // (a batch that batch_norm refuses does not count)
    double momentum = options_.momentum.value_or(0.0);
    const bool counting = is_training() && num_batches_tracked.defined();
    const std::int64_t count = counting ? std::as_const(num_batches_tracked).data<std::int64_t>()[0] + 1 : 0;
    if (counting && !options_.momentum) momentum = 1.0 / static_cast<double>(count);
    try {
        Tensor y = batch_norm(x, running_mean, running_var, weight, bias, is_training(), momentum, options_.eps);
        if (counting) num_batches_tracked.data<std::int64_t>()[0] = count;
        return y;
    } catch (const ShapeError& e) {
        throw ShapeError(fmt::format("{}({}): {}", type_name(), extra_repr(), e.what()));
    }
}

std::string BatchNormBase::extra_repr() const {
    return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", features_, options_.eps,
                       options_.momentum ? fmt::format("{}", *options_.momentum) : std::string("None"),
                       options_.affine, options_.track_running_stats);
}

void BatchNorm1d::check_input(const Tensor& x) const {
    check_float("BatchNorm1d", x);
    if (x.dim() != 2 && x.dim() != 3)
        throw ShapeError(fmt::format("BatchNorm1d({}): expected a 2-D [batch, {}] or 3-D [batch, {}, length] input, "
                                     "got shape {}",
                                     features_, features_, features_, shape_str(x.shape())) + where({}));
    if (x.size(1) != features_)
        throw ShapeError(fmt::format("BatchNorm1d({}): input {} has {} features on axis 1, expected {}", features_,
                                     shape_str(x.shape()), x.size(1), features_) + where({}));
}

void BatchNorm2d::check_input(const Tensor& x) const {
    check_float("BatchNorm2d", x);
    if (x.dim() != 4)
        throw ShapeError(fmt::format("BatchNorm2d({}): expected a 4-D input [batch, {}, height, width], got shape {}",
                                     features_, features_, shape_str(x.shape())) + where({}));
    if (x.size(1) != features_)
        throw ShapeError(fmt::format("BatchNorm2d({}): input {} has {} channels, expected {}", features_,
                                     shape_str(x.shape()), x.size(1), features_) + where({}));
}

namespace {

/// Checks that x ends in the layer's normalised shape, then runs f; a ShapeError
/// of the op is re-thrown with the layer named first, as BatchNorm does.
template <class F>
Tensor as_layer(const Module& layer, const Tensor& x, const Shape& normalised, F f) {
    check_float(layer.type_name().c_str(), x);
    const Shape xs = x.shape();
    if (xs.size() < normalised.size() ||
        !std::equal(normalised.begin(), normalised.end(), xs.end() - static_cast<std::ptrdiff_t>(normalised.size())))
        throw ShapeError(fmt::format("{}({}): the input's shape {} does not end in the normalised shape {}",
                                     layer.type_name(), layer.extra_repr(), shape_str(xs), shape_str(normalised)) +
                         where({}));
    try {
        return f();
    } catch (const ShapeError& e) {
        throw ShapeError(fmt::format("{}({}): {}", layer.type_name(), layer.extra_repr(), e.what()));
    }
}

}  // namespace

LayerNorm::LayerNorm(Shape normalized_shape, LayerNormOptions options)
    : shape_(std::move(normalized_shape)), options_(options) {
    if (shape_.empty()) throw std::invalid_argument("LayerNorm: normalized_shape must name at least one axis");
    if (options.elementwise_affine) {
        weight = register_parameter("weight", ones(shape_));
        if (options.bias) bias = register_parameter("bias", zeros(shape_));
    }
}

Tensor LayerNorm::forward(const Tensor& x) {
    return as_layer(*this, x, shape_, [&] { return layer_norm(x, shape_.size(), weight, bias, options_.eps); });
}

std::string LayerNorm::extra_repr() const {
    return fmt::format("{}, eps={}, elementwise_affine={}", shape_str(shape_), options_.eps,
                       options_.elementwise_affine);
}

RMSNorm::RMSNorm(Shape normalized_shape, RMSNormOptions options)
    : shape_(std::move(normalized_shape)), options_(options) {
    if (shape_.empty()) throw std::invalid_argument("RMSNorm: normalized_shape must name at least one axis");
    if (options.elementwise_affine) weight = register_parameter("weight", ones(shape_));
}

Tensor RMSNorm::forward(const Tensor& x) {
    const double eps = options_.eps.value_or(x.dtype() == DType::f32 ? double(std::numeric_limits<float>::epsilon())
                                                                     : std::numeric_limits<double>::epsilon());
    return as_layer(*this, x, shape_, [&] { return rms_norm(x, shape_.size(), weight, eps); });
}

std::string RMSNorm::extra_repr() const {
    return fmt::format("{}, eps={}, elementwise_affine={}", shape_str(shape_),
                       options_.eps ? fmt::format("{}", *options_.eps) : std::string("None"),
                       options_.elementwise_affine);
}

}  // namespace tg::nn
