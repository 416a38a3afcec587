#pragma once
// The fraud model: 30-64-32-1, ReLU; the output is a logit. Built as the fraud
// demo builds it (nn::mlp gives the same Sequential): Linear, ReLU, Linear,
// ReLU, Linear, so each Linear + ReLU runs as one fused op.
#include "tg_common.hpp"

namespace bench {

struct FraudNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Sequential> layers;
    FraudNet() {
        layers = register_module("layers", std::make_shared<tg::nn::Sequential>(
                                               make_linear(30, 64, 0), std::make_shared<tg::nn::ReLU>(),
                                               make_linear(64, 32, 1), std::make_shared<tg::nn::ReLU>(),
                                               make_linear(32, 1, 2)));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*layers)(x); }
};

/// Matrix-product flops of the model's forward pass on `rows` rows.
inline double fraud_forward_flops(double rows) {
    return gemm_flops(rows, 64, 30) + gemm_flops(rows, 32, 64) + gemm_flops(rows, 1, 32);
}

}  // namespace bench
