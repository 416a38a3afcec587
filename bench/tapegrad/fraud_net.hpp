#pragma once
// The fraud model: 30-64-32-1, ReLU; the output is a logit.
#include "tg_common.hpp"

namespace bench {

struct FraudNet : tg::nn::Module {
    std::shared_ptr<tg::nn::Linear> fc1, fc2, fc3;
    FraudNet() {
        fc1 = register_module("fc1", make_linear(30, 64, 0));
        fc2 = register_module("fc2", make_linear(64, 32, 1));
        fc3 = register_module("fc3", make_linear(32, 1, 2));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*fc3)(tg::relu((*fc2)(tg::relu((*fc1)(x))))); }
};

/// Matrix-product flops of the model's forward pass on `rows` rows.
inline double fraud_forward_flops(double rows) {
    return gemm_flops(rows, 64, 30) + gemm_flops(rows, 32, 64) + gemm_flops(rows, 1, 32);
}

}  // namespace bench
