#pragma once
// The mlp and cnn workloads' networks (WORKLOADS.md), shared by their own
// benchmarks and the data-parallel one.
#include "tg_common.hpp"

namespace bench {

// Both are Sequentials (on libtorch's side too), as nn::mlp and a Keras-style
// model are built, so tapegrad runs each Linear/Conv2d + ReLU as one fused op.

/// mlp: 784-256-256-10, ReLU, Linear layers initialised from the shared seeds.
struct MlpNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Sequential> layers;
    MlpNet() {
        layers = register_module("layers", std::make_shared<tg::nn::Sequential>(
                                               make_linear(784, 256, 0), std::make_shared<tg::nn::ReLU>(),
                                               make_linear(256, 256, 1), std::make_shared<tg::nn::ReLU>(),
                                               make_linear(256, 10, 2)));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*layers)(x); }
};

/// cnn: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1, ReLU, maxpool 2; flatten 1568 -> linear 10.
struct CnnNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Sequential> layers;
    CnnNet() {
        layers = register_module("layers", std::make_shared<tg::nn::Sequential>(
                                               tg::nn::Conv2d(1, 16, 3, 1, 1), tg::nn::ReLU(), tg::nn::MaxPool2d(2),
                                               tg::nn::Conv2d(16, 32, 3, 1, 1), tg::nn::ReLU(), tg::nn::MaxPool2d(2),
                                               tg::nn::Flatten(), tg::nn::Linear(1568, 10)));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*layers)(x); }
};

/// Matrix-product flops of one mlp step: forward, weight gradients, and input
/// gradients except for the first layer.
inline double mlp_flops(long batch) {
    double flops = 0;
    const long sizes[] = {784, 256, 256, 10};
    for (int l = 0; l < 3; ++l) flops += gemm_flops(batch, sizes[l + 1], sizes[l]) * (l == 0 ? 2 : 3);
    return flops;
}

}  // namespace bench
