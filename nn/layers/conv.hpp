#pragma once
/// @ingroup nn
/// Convolution and pooling layers (NCHW), over the ops of ops/conv.hpp and ops/pool.hpp.
#include <cstddef>
#include <string>

#include "../../ops/conv.hpp"
#include "../module.hpp"

namespace tg::nn {

/// 2-D convolution: x [N, in_channels, H, W] -> [N, out_channels, OH, OW] (see tg::conv2d).
/// weight [out_channels, in_channels, kh, kw], bias [out_channels] (PyTorch's names and
/// layout, so state dicts map one to one). Initialised as PyTorch does: weight and bias
/// uniform on ±1/sqrt(fan_in), fan_in = in_channels * kh * kw, from the global generator.
/// Throws ShapeError naming the layer for an input that is not 4-D, has the wrong channel
/// count, or is smaller than the (dilated) kernel after padding. The constructors of all the
/// layers here throw ShapeError for a zero kernel, stride or dilation, and for any of them
/// (or the padding) above tg::kMaxWindowArg: a negative number converted to std::size_t.
class Conv2d : public Module {
public:
    Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size, Size2 stride = 1,
           Size2 padding = 0, Size2 dilation = 1, bool bias = true);
    Tensor forward(const Tensor& x) override;
    /// activation(forward(x)) as one fused op (ops/conv.hpp): what Sequential runs
    /// for a Conv2d followed by ReLU, Tanh or Sigmoid.
    Tensor forward(const Tensor& x, Epilogue activation);
    std::string type_name() const override { return "Conv2d"; }
    std::string extra_repr() const override;

    Tensor weight;  ///< [out_channels, in_channels, kh, kw]
    Tensor bias;    ///< [out_channels], undefined without bias

private:
    std::size_t in_, out_;
    Size2 kernel_, stride_, padding_, dilation_;
};

/// 1-D convolution: x [N, in_channels, L] -> [N, out_channels, OL] (see tg::conv1d).
/// weight [out_channels, in_channels, k], bias [out_channels]; initialised as Conv2d.
class Conv1d : public Module {
public:
    Conv1d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size, std::size_t stride = 1,
           std::size_t padding = 0, std::size_t dilation = 1, bool bias = true);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Conv1d"; }
    std::string extra_repr() const override;

    Tensor weight;  ///< [out_channels, in_channels, k]
    Tensor bias;    ///< [out_channels], undefined without bias

private:
    std::size_t in_, out_, kernel_, stride_, padding_, dilation_;
};

/// Max pooling over kernel windows of [N, C, H, W] (stride 0 = the kernel size).
/// Ties split the gradient evenly (see tg::max_pool2d).
class MaxPool2d : public Module {
public:
    explicit MaxPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "MaxPool2d"; }
    std::string extra_repr() const override;

private:
    Size2 kernel_, stride_, padding_;
};

/// Average pooling over kernel windows of [N, C, H, W] (padding counted in the divisor
/// unless count_include_pad is false, as PyTorch).
class AvgPool2d : public Module {
public:
    explicit AvgPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0, bool count_include_pad = true);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "AvgPool2d"; }
    std::string extra_repr() const override;

private:
    Size2 kernel_, stride_, padding_;
    bool count_include_pad_;
};

/// Global average pooling: [N, C, H, W] -> [N, C] (PyTorch's AdaptiveAvgPool2d(1) followed by flatten).
class GlobalAvgPool2d : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "GlobalAvgPool2d"; }
};

/// Max pooling of [N, C, L] (stride 0 = the kernel size).
class MaxPool1d : public Module {
public:
    explicit MaxPool1d(std::size_t kernel_size, std::size_t stride = 0, std::size_t padding = 0);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "MaxPool1d"; }
    std::string extra_repr() const override;

private:
    std::size_t kernel_, stride_, padding_;
};

}  // namespace tg::nn
