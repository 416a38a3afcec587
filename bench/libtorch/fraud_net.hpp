#pragma once
// The fraud model with libtorch: 30-64-32-1, ReLU; the output is a logit; a
// torch::nn::Sequential, as tapegrad's side.
#include "torch_common.hpp"

namespace bench {

struct FraudNet : torch::nn::Module {
    torch::nn::Sequential layers{nullptr};
    FraudNet() {
        torch::nn::Linear fc1(30, 64), fc2(64, 32), fc3(32, 1);
        init_linear(fc1, 30, 64, 0);
        init_linear(fc2, 64, 32, 1);
        init_linear(fc3, 32, 1, 2);
        layers = register_module("layers", torch::nn::Sequential(fc1, torch::nn::ReLU(), fc2, torch::nn::ReLU(), fc3));
    }
    torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }
};

/// Matrix-product flops of the model's forward pass on `rows` rows.
inline double fraud_forward_flops(double rows) {
    return gemm_flops(rows, 64, 30) + gemm_flops(rows, 32, 64) + gemm_flops(rows, 1, 32);
}

}  // namespace bench
