#pragma once
// The fraud model with libtorch: 30-64-32-1, ReLU; the output is a logit.
#include "torch_common.hpp"

namespace bench {

struct FraudNet : torch::nn::Module {
    torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
    FraudNet() {
        fc1 = register_module("fc1", torch::nn::Linear(30, 64));
        fc2 = register_module("fc2", torch::nn::Linear(64, 32));
        fc3 = register_module("fc3", torch::nn::Linear(32, 1));
        init_linear(fc1, 30, 64, 0);
        init_linear(fc2, 64, 32, 1);
        init_linear(fc3, 32, 1, 2);
    }
    torch::Tensor forward(const torch::Tensor& x) { return fc3(torch::relu(fc2(torch::relu(fc1(x))))); }
};

/// Matrix-product flops of the model's forward pass on `rows` rows.
inline double fraud_forward_flops(double rows) {
    return gemm_flops(rows, 64, 30) + gemm_flops(rows, 32, 64) + gemm_flops(rows, 1, 32);
}

}  // namespace bench
