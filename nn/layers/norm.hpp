#pragma once
/// @ingroup nn
/// Batch normalisation layers with running statistics (see tg::batch_norm).
#include <cstddef>
#include <optional>
#include <string>

#include "../module.hpp"

namespace tg::nn {

struct BatchNormOptions {
    double eps = 1e-5;
    /// running = (1 - momentum) running + momentum batch. std::nullopt is PyTorch's
    /// momentum=None: the cumulative average, momentum = 1 / num_batches_tracked.
    std::optional<double> momentum = 0.1;
    bool affine = true;               ///< learnable weight (ones) and bias (zeros)
    bool track_running_stats = true;  ///< keep running_mean / running_var buffers for eval
};

/// Common implementation of BatchNorm1d and BatchNorm2d.
/// Training mode: normalise with the batch's statistics and update the running ones;
/// eval mode: use the running statistics (the batch's when track_running_stats is off).
/// Parameters "weight", "bias" and buffers "running_mean", "running_var" and
/// "num_batches_tracked" (int64, rank 0, +1 per training forward) follow PyTorch's
/// names, dtypes and shapes, so state dicts load both ways.
class BatchNormBase : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string extra_repr() const override;
    std::size_t num_features() const { return features_; }

    Tensor weight, bias;                 ///< [num_features] (undefined unless affine)
    Tensor running_mean, running_var;    ///< [num_features] (undefined unless tracked)
    Tensor num_batches_tracked;          ///< int64 scalar (undefined unless tracked)

protected:
    BatchNormBase(std::size_t num_features, BatchNormOptions options);
    /// Throws ShapeError naming the layer when x's rank or channel count is wrong.
    virtual void check_input(const Tensor& x) const = 0;

    std::size_t features_;
    BatchNormOptions options_;
};

/// Over [N, C] or [N, C, L] inputs (statistics per feature C).
class BatchNorm1d : public BatchNormBase {
public:
    explicit BatchNorm1d(std::size_t num_features, BatchNormOptions options = {})
        : BatchNormBase(num_features, options) {}
    std::string type_name() const override { return "BatchNorm1d"; }

protected:
    void check_input(const Tensor& x) const override;
};

/// Over [N, C, H, W] inputs (statistics per channel C).
class BatchNorm2d : public BatchNormBase {
public:
    explicit BatchNorm2d(std::size_t num_features, BatchNormOptions options = {})
        : BatchNormBase(num_features, options) {}
    std::string type_name() const override { return "BatchNorm2d"; }

protected:
    void check_input(const Tensor& x) const override;
};

struct LayerNormOptions {
    double eps = 1e-5;
    bool elementwise_affine = true;  ///< learnable weight (ones), and bias (zeros) when `bias`
    bool bias = true;
};

/// Layer normalisation over the last axes, of shape normalized_shape (PyTorch's
/// LayerNorm): each sample's slice is normalised by its own mean and variance,
/// in training and evaluation alike. Parameters "weight" and "bias" have
/// normalized_shape, as PyTorch's.
class LayerNorm : public Module {
public:
    explicit LayerNorm(Shape normalized_shape, LayerNormOptions options = {});
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LayerNorm"; }
    std::string extra_repr() const override;
    Tensor weight, bias;  ///< normalized_shape (undefined without affine / bias)

private:
    Shape shape_;
    LayerNormOptions options_;
};

struct RMSNormOptions {
    /// Added to the mean square; unset: the dtype's machine epsilon (PyTorch's eps=None).
    std::optional<double> eps{};
    bool elementwise_affine = true;  ///< learnable weight (ones)
};

/// RMS normalisation over the last axes (PyTorch's RMSNorm):
/// y = x / sqrt(mean(x^2) + eps) * weight. Parameter "weight" of normalized_shape.
class RMSNorm : public Module {
public:
    explicit RMSNorm(Shape normalized_shape, RMSNormOptions options = {});
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "RMSNorm"; }
    std::string extra_repr() const override;
    Tensor weight;  ///< normalized_shape (undefined without affine)

private:
    Shape shape_;
    RMSNormOptions options_;
};

}  // namespace tg::nn
