// Batch normalisation, composed of tapegrad ops (its gradient is the tape's).
#include "norm.hpp"

#include <fmt/format.h>

#include "../graph/grad_mode.hpp"
#include "elementwise.hpp"
#include "reduce.hpp"
#include "shape.hpp"

namespace tg {

namespace {

void check_channel_param(const char* what, const Tensor& x, const Tensor& p, const std::source_location& loc) {
    if (!p.defined()) return;
    check_same_dtype("batch_norm", x, p, loc);
    if (p.dim() != 1 || p.size(0) != x.size(1))
        throw_shape_error("batch_norm", fmt::format("{} has shape {} but the input {} has {} channels (expected [{}])",
                                                    what, shape_str(p.shape()), shape_str(x.shape()), x.size(1),
                                                    x.size(1)),
                          loc);
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps, std::source_location loc) {
    check_float("batch_norm", x);
    if (x.dim() < 2)
        throw_shape_error("batch_norm", fmt::format("input must be [batch, channels, ...], got shape {}",
                                                    shape_str(x.shape())),
                          loc);
    check_channel_param("running_mean", x, running_mean, loc);
    check_channel_param("running_var", x, running_var, loc);
    check_channel_param("weight", x, weight, loc);
    check_channel_param("bias", x, bias, loc);
    if (running_mean.defined() != running_var.defined())
        throw std::invalid_argument("batch_norm: give both running_mean and running_var, or neither");
    const std::size_t channels = x.size(1);
    // statistics over every axis but the channel axis; parameters broadcast as [1, C, 1, ...]
    std::vector<int> axes{0};
    Shape cshape(x.dim(), 1);
    cshape[1] = channels;
    for (std::size_t k = 2; k < x.dim(); ++k) axes.push_back(static_cast<int>(k));
    const std::size_t count = x.size() / std::max<std::size_t>(channels, 1);
    const bool batch_stats = training || !running_mean.defined();
    Tensor y;
    if (batch_stats) {
        if (count <= 1)
            throw_shape_error("batch_norm", fmt::format("input {} has only one value per channel: batch statistics "
                                                        "need at least two (use a larger batch or eval mode)",
                                                        shape_str(x.shape())),
                              loc);
        const Tensor mu = mean(x, axes, true);
        const Tensor xc = sub(x, mu, loc);
        const Tensor var = mean(square(xc), axes, true);
        y = div(xc, sqrt(add(var, eps)), loc);
        if (training && running_mean.defined()) {
            NoGradGuard no_grad;
            const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
            Tensor rm = running_mean, rv = running_var;
            rm.mul_(1 - momentum).add_(reshape(mu.detach(), {static_cast<std::int64_t>(channels)}), momentum);
            rv.mul_(1 - momentum).add_(reshape(var.detach(), {static_cast<std::int64_t>(channels)}), momentum * unbias);
        }
    } else {
        // eval: one scale and one shift per channel
        Tensor scale = rdiv(1.0, sqrt(add(running_var, eps)));
        Tensor shift = neg(mul(running_mean, scale, loc));
        if (weight.defined()) {
            scale = mul(scale, weight, loc);
            shift = mul(shift, weight, loc);
        }
        if (bias.defined()) shift = add(shift, bias);
        return add(mul(x, reshape(scale, cshape), loc), reshape(shift, cshape));
    }
    if (weight.defined()) y = mul(y, reshape(weight, cshape), loc);
    if (bias.defined()) y = add(y, reshape(bias, cshape));
    return y;
}

namespace {

/// The last `dims` axes of x (as reduction axes), after checking x and the affine tensors.
Axes trailing_axes(const char* op, const Tensor& x, std::size_t dims, const Tensor& weight, const Tensor& bias) {
    check_float(op, x);
    if (dims == 0 || dims > x.dim())
        throw ShapeError(fmt::format("{}: cannot normalise the last {} axes of a tensor of shape {}", op, dims,
                                     shape_str(x.shape())));
    const Shape xs = x.shape();
    const Shape normalised(xs.end() - static_cast<std::ptrdiff_t>(dims), xs.end());
    for (const Tensor* t : {&weight, &bias})
        if (t->defined() && t->shape() != normalised)
            throw ShapeError(fmt::format("{}: {} has shape {}, expected the normalised shape {}", op,
                                         t == &weight ? "weight" : "bias", shape_str(t->shape()),
                                         shape_str(normalised)));
    Axes axes;
    for (std::size_t k = xs.size() - dims; k < xs.size(); ++k) axes.push_back(static_cast<int>(k));
    return axes;
}

}  // namespace

Tensor layer_norm(const Tensor& x, std::size_t dims, const Tensor& weight, const Tensor& bias, double eps) {
    const Axes axes = trailing_axes("layer_norm", x, dims, weight, bias);
    const Tensor centred = sub(x, mean(x, axes, true));
    const Tensor var = mean(mul(centred, centred), axes, true);
    Tensor y = div(centred, sqrt(add(var, eps)));
    if (weight.defined()) y = mul(y, weight);
    if (bias.defined()) y = add(y, bias);
    return y;
}

Tensor rms_norm(const Tensor& x, std::size_t dims, const Tensor& weight, double eps) {
    const Axes axes = trailing_axes("rms_norm", x, dims, weight, Tensor());
    Tensor y = div(x, sqrt(add(mean(mul(x, x), axes, true), eps)));
    if (weight.defined()) y = mul(y, weight);
    return y;
}

}  // namespace tg
