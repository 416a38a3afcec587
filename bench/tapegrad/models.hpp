#pragma once
// The mlp and cnn workloads' networks (WORKLOADS.md), shared by their own
// benchmarks and the data-parallel one.
#include "tg_common.hpp"

namespace bench {

/// mlp: 784-256-256-10, ReLU, Linear layers initialised from the shared seeds.
struct MlpNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Linear> fc1, fc2, fc3;
    MlpNet() {
        fc1 = register_module("fc1", make_linear(784, 256, 0));
        fc2 = register_module("fc2", make_linear(256, 256, 1));
        fc3 = register_module("fc3", make_linear(256, 10, 2));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*fc3)(tg::relu((*fc2)(tg::relu((*fc1)(x))))); }
};

/// cnn: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1, ReLU, maxpool 2; flatten 1568 -> linear 10.
struct CnnNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Conv2d> conv1, conv2;
    std::shared_ptr<tg::nn::MaxPool2d> pool;
    std::shared_ptr<tg::nn::Linear> fc;
    CnnNet() {
        conv1 = register_module("conv1", std::make_shared<tg::nn::Conv2d>(1, 16, 3, 1, 1));
        conv2 = register_module("conv2", std::make_shared<tg::nn::Conv2d>(16, 32, 3, 1, 1));
        pool = register_module("pool", std::make_shared<tg::nn::MaxPool2d>(2));
        fc = register_module("fc", std::make_shared<tg::nn::Linear>(1568, 10));
    }
    tg::Tensor forward(const tg::Tensor& x) override {
        tg::Tensor h = (*pool)(tg::relu((*conv1)(x)));
        h = (*pool)(tg::relu((*conv2)(h)));
        return (*fc)(tg::flatten(h, 1));
    }
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
