#include "conv.hpp"

#include <cmath>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

std::string pair_str(Size2 s) { return fmt::format("({}, {})", s.h, s.w); }

/// Run an op, putting the layer's description in front of its ShapeError.
template <class F>
Tensor with_layer_name(const Module& layer, F f) {
    try {
        return f();
    } catch (const ShapeError& e) {
        throw ShapeError(fmt::format("{}({}): {}", layer.type_name(), layer.extra_repr(), e.what()));
    }
}

void check_input(const Module& layer, const Tensor& x, std::size_t rank, std::size_t channels, const char* layout) {
    check_float(layer.type_name().c_str(), x);
    if (x.dim() != rank)
        throw ShapeError(fmt::format("{}({}): expected a {}-D input {}, got shape {}", layer.type_name(),
                                     layer.extra_repr(), rank, layout, shape_str(x.shape())) + where({}));
    if (channels && x.size(1) != channels)
        throw ShapeError(fmt::format("{}({}): input {} has {} channels, expected {}", layer.type_name(),
                                     layer.extra_repr(), shape_str(x.shape()), x.size(1), channels) + where({}));
}

/// Kernel, stride, padding and dilation checked when the layer is made, not at its
/// first forward (a stride of 0 means "the kernel size" for the pools).
void check_window(const char* layer, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation,
                  bool stride_may_be_zero, bool one_d = false) {
    for (auto [axis, k, s, p, d] : {std::tuple{"height", kernel.h, stride.h, padding.h, dilation.h},
                                    std::tuple{one_d ? "length" : "width", kernel.w, stride.w, padding.w, dilation.w}}) {
        if (one_d && std::string_view(axis) == "height") continue;
        check_window_arg(layer, "kernel size", axis, k, false);
        check_window_arg(layer, "stride", axis, s, stride_may_be_zero);
        check_window_arg(layer, "padding", axis, p, true);
        check_window_arg(layer, "dilation", axis, d, false);
    }
}

}  // namespace

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size, Size2 stride, Size2 padding,
               Size2 dilation, bool with_bias)
    : in_(in_channels), out_(out_channels), kernel_(kernel_size), stride_(stride), padding_(padding),
      dilation_(dilation) {
    if (in_channels == 0 || out_channels == 0 || kernel_size.h == 0 || kernel_size.w == 0)
        throw std::invalid_argument(fmt::format("Conv2d({}): channels and kernel size must be positive", extra_repr()));
    check_window("Conv2d", kernel_size, stride, padding, dilation, false);
    // PyTorch's reset_parameters: kaiming_uniform(a = sqrt(5)) is U(±1/sqrt(fan_in)); the bias the same bound.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * kernel_size.h * kernel_size.w));
    weight = register_parameter("weight",
                                uniform({out_channels, in_channels, kernel_size.h, kernel_size.w}, -bound, bound));
    if (with_bias) bias = register_parameter("bias", uniform({out_channels}, -bound, bound));
}

Tensor Conv2d::forward(const Tensor& x) { return forward(x, Epilogue::none); }

Tensor Conv2d::forward(const Tensor& x, Epilogue activation) {
    check_input(*this, x, 4, in_, "[batch, in_channels, height, width]");
    return with_layer_name(*this, [&] { return conv2d(x, weight, bias, stride_, padding_, dilation_, activation); });
}

std::string Conv2d::extra_repr() const {
    std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_, out_, pair_str(kernel_), pair_str(stride_));
    if (padding_.h || padding_.w) s += fmt::format(", padding={}", pair_str(padding_));
    if (dilation_.h != 1 || dilation_.w != 1) s += fmt::format(", dilation={}", pair_str(dilation_));
    if (!bias.defined()) s += ", bias=false";
    return s;
}

Conv1d::Conv1d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size, std::size_t stride,
               std::size_t padding, std::size_t dilation, bool with_bias)
    : in_(in_channels), out_(out_channels), kernel_(kernel_size), stride_(stride), padding_(padding),
      dilation_(dilation) {
    if (in_channels == 0 || out_channels == 0 || kernel_size == 0)
        throw std::invalid_argument(fmt::format("Conv1d({}): channels and kernel size must be positive", extra_repr()));
    check_window("Conv1d", Size2(1, kernel_size), Size2(1, stride), Size2(0, padding), Size2(1, dilation), false, true);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * kernel_size));
    weight = register_parameter("weight", uniform({out_channels, in_channels, kernel_size}, -bound, bound));
    if (with_bias) bias = register_parameter("bias", uniform({out_channels}, -bound, bound));
}

Tensor Conv1d::forward(const Tensor& x) {
    check_input(*this, x, 3, in_, "[batch, in_channels, length]");
    return with_layer_name(*this, [&] { return conv1d(x, weight, bias, stride_, padding_, dilation_); });
}

std::string Conv1d::extra_repr() const {
    std::string s = fmt::format("{}, {}, kernel_size=({},), stride=({},)", in_, out_, kernel_, stride_);
    if (padding_) s += fmt::format(", padding=({},)", padding_);
    if (dilation_ != 1) s += fmt::format(", dilation=({},)", dilation_);
    if (!bias.defined()) s += ", bias=false";
    return s;
}

MaxPool2d::MaxPool2d(Size2 kernel_size, Size2 stride, Size2 padding)
    : kernel_(kernel_size), stride_(stride.h || stride.w ? stride : kernel_size), padding_(padding) {
    check_window("MaxPool2d", kernel_, stride_, padding_, 1, true);
}

Tensor MaxPool2d::forward(const Tensor& x) {
    check_input(*this, x, 4, 0, "[batch, channels, height, width]");
    return with_layer_name(*this, [&] { return max_pool2d(x, kernel_, stride_, padding_); });
}

std::string MaxPool2d::extra_repr() const {
    return fmt::format("kernel_size={}, stride={}, padding={}", pair_str(kernel_), pair_str(stride_),
                       pair_str(padding_));
}

AvgPool2d::AvgPool2d(Size2 kernel_size, Size2 stride, Size2 padding, bool count_include_pad)
    : kernel_(kernel_size), stride_(stride.h || stride.w ? stride : kernel_size), padding_(padding),
      count_include_pad_(count_include_pad) {
    check_window("AvgPool2d", kernel_, stride_, padding_, 1, true);
}

Tensor AvgPool2d::forward(const Tensor& x) {
    check_input(*this, x, 4, 0, "[batch, channels, height, width]");
    return with_layer_name(*this, [&] { return avg_pool2d(x, kernel_, stride_, padding_, count_include_pad_); });
}

std::string AvgPool2d::extra_repr() const {
    return fmt::format("kernel_size={}, stride={}, padding={}{}", pair_str(kernel_), pair_str(stride_),
                       pair_str(padding_), count_include_pad_ ? "" : ", count_include_pad=false");
}

Tensor GlobalAvgPool2d::forward(const Tensor& x) {
    check_input(*this, x, 4, 0, "[batch, channels, height, width]");
    return with_layer_name(*this, [&] { return global_avg_pool2d(x); });
}

MaxPool1d::MaxPool1d(std::size_t kernel_size, std::size_t stride, std::size_t padding)
    : kernel_(kernel_size), stride_(stride ? stride : kernel_size), padding_(padding) {
    check_window("MaxPool1d", Size2(1, kernel_size), Size2(1, stride_), Size2(0, padding), 1, true, true);
}

Tensor MaxPool1d::forward(const Tensor& x) {
    check_input(*this, x, 3, 0, "[batch, channels, length]");
    return with_layer_name(*this, [&] { return max_pool1d(x, kernel_, stride_, padding_); });
}

std::string MaxPool1d::extra_repr() const {
    return fmt::format("kernel_size={}, stride={}, padding={}", kernel_, stride_, padding_);
}

}  // namespace tg::nn
