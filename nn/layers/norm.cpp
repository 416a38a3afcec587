#include "norm.hpp"

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
    }
}

Tensor BatchNormBase::forward(const Tensor& x) {
    check_input(x);
    try {
        return batch_norm(x, running_mean, running_var, weight, bias, is_training(), options_.momentum, options_.eps);
    } catch (const ShapeError& e) {
        throw ShapeError(fmt::format("{}({}): {}", type_name(), extra_repr(), e.what()));
    }
}

std::string BatchNormBase::extra_repr() const {
    return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", features_, options_.eps,
                       options_.momentum, options_.affine, options_.track_running_stats);
}

void BatchNorm1d::check_input(const Tensor& x) const {
    check_defined("BatchNorm1d", x);
    if (x.dim() != 2 && x.dim() != 3)
        throw ShapeError(fmt::format("BatchNorm1d({}): expected a 2-D [batch, {}] or 3-D [batch, {}, length] input, "
                                     "got shape {}",
                                     features_, features_, features_, shape_str(x.shape())));
    if (x.size(1) != features_)
        throw ShapeError(fmt::format("BatchNorm1d({}): input {} has {} features on axis 1, expected {}", features_,
                                     shape_str(x.shape()), x.size(1), features_));
}

void BatchNorm2d::check_input(const Tensor& x) const {
    check_defined("BatchNorm2d", x);
    if (x.dim() != 4)
        throw ShapeError(fmt::format("BatchNorm2d({}): expected a 4-D input [batch, {}, height, width], got shape {}",
                                     features_, features_, shape_str(x.shape())));
    if (x.size(1) != features_)
        throw ShapeError(fmt::format("BatchNorm2d({}): input {} has {} channels, expected {}", features_,
                                     shape_str(x.shape()), x.size(1), features_));
}

}  // namespace tg::nn
