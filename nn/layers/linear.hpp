#pragma once
/// @ingroup nn
/// Dense layers: Linear (Keras' Dense) and the Perceptron.
#include <cstddef>
#include <string>

#include "../../ops/affine.hpp"
#include "../module.hpp"

namespace tg::nn {

/// y = x @ weight^T + bias, with weight [out_features, in_features] and bias
/// [out_features] (PyTorch's layout, so state dicts map one to one).
/// x is [..., in_features]; y is [..., out_features].
/// Initialised as PyTorch does: weight and bias uniform on ±1/sqrt(in_features),
/// drawn from the global generator (tg::manual_seed makes it reproducible).
/// Throws ShapeError, naming the layer, when x's last axis is not in_features.
class Linear : public Module {
public:
    Linear(std::size_t in_features, std::size_t out_features, bool bias = true);
    Tensor forward(const Tensor& x) override;
    /// activation(forward(x)) as one fused op (ops/affine.hpp): what Sequential
    /// runs for a Linear followed by ReLU, Tanh or Sigmoid.
    Tensor forward(const Tensor& x, Epilogue activation);
    std::string type_name() const override { return "Linear"; }
    std::string extra_repr() const override;
    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }

    Tensor weight;  ///< [out_features, in_features]
    Tensor bias;    ///< [out_features], undefined without bias

private:
    std::size_t in_, out_;
};

/// Rosenblatt's perceptron: one linear unit z = w·x + b followed by a step.
/// forward(x) returns the score z ([N, 1] for x [N, in]) so that a loss can train
/// it through the chain rule (see perceptron_criterion in nn/losses/losses.hpp);
/// predict(x) applies the step: 1 where z > 0, else 0 (or -1 with bipolar labels).
/// Starts from zero weights, as the textbook rule does.
class Perceptron : public Module {
public:
    explicit Perceptron(std::size_t in_features, bool bipolar = false);
    Tensor forward(const Tensor& x) override;
    /// The 0/1 (or -1/+1 when bipolar) decision for each row of x; no gradient.
    Tensor predict(const Tensor& x);
    std::string type_name() const override { return "Perceptron"; }
    std::string extra_repr() const override;
    bool bipolar() const { return bipolar_; }

    Tensor weight;  ///< [1, in_features]
    Tensor bias;    ///< [1]

private:
    std::size_t in_;
    bool bipolar_;
};

}  // namespace tg::nn
