#pragma once
/// @ingroup nn
/// The Transformer encoder: TransformerEncoderLayer (self-attention and a
/// feed-forward block, each with a residual connection and LayerNorm) and
/// TransformerEncoder, a stack of them. PyTorch's names, so state dicts map one to one.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../module.hpp"
#include "attention.hpp"
#include "containers.hpp"
#include "dropout.hpp"
#include "linear.hpp"
#include "norm.hpp"

namespace tg::nn {

struct TransformerEncoderLayerOptions {
    std::size_t dim_feedforward = 2048;
    double dropout = 0.1;
    std::string activation = "relu";  ///< "relu" or "gelu" (exact, as PyTorch's F.gelu)
    double layer_norm_eps = 1e-5;
    bool batch_first = false;         ///< [batch, seq, d_model] instead of [seq, batch, d_model]
    bool norm_first = false;          ///< pre-norm instead of post-norm
    bool bias = true;                 ///< of the linear layers and the norms
};

/// PyTorch's nn.TransformerEncoderLayer:
///     post-norm: x = norm1(x + sa(x)); x = norm2(x + ff(x))
///     pre-norm:  x = x + sa(norm1(x)); x = x + ff(norm2(x))
///     sa(x) = dropout1(self_attn(x, x, x)),  ff(x) = dropout2(linear2(dropout(act(linear1(x)))))
/// Children, in PyTorch's order: self_attn, linear1, dropout, linear2, norm1, norm2,
/// dropout1, dropout2.
class TransformerEncoderLayer : public Module {
public:
    TransformerEncoderLayer(std::size_t d_model, std::size_t nhead, TransformerEncoderLayerOptions options = {});
    using Module::forward;
    Tensor forward(const Tensor& src) override { return forward(src, Tensor(), Tensor()); }
    /// src_mask: additive [L, L] or [batch * nhead, L, L]; src_key_padding_mask: [batch, L],
    /// 1 = padding (see AttentionMasks); is_causal: position i attends to j <= i.
    Tensor forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask,
                   bool is_causal = false);
    std::string type_name() const override { return "TransformerEncoderLayer"; }
    std::string extra_repr() const override;
    const TransformerEncoderLayerOptions& options() const { return options_; }
    std::size_t d_model() const { return d_model_; }
    std::size_t nhead() const { return nhead_; }

    std::shared_ptr<MultiheadAttention> self_attn;
    std::shared_ptr<Linear> linear1, linear2;
    std::shared_ptr<Dropout> dropout, dropout1, dropout2;
    std::shared_ptr<LayerNorm> norm1, norm2;

private:
    Tensor self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& padding, bool is_causal);
    Tensor feed_forward_block(const Tensor& x);

    std::size_t d_model_, nhead_;
    TransformerEncoderLayerOptions options_;
};

/// PyTorch's nn.TransformerEncoder(encoder_layer, num_layers, norm): num_layers layers
/// built with the same arguments and starting from the same values (PyTorch deep-copies
/// the layer), named layers.0.*, layers.1.*, ...; an optional final LayerNorm "norm".
class TransformerEncoder : public Module {
public:
    TransformerEncoder(std::size_t d_model, std::size_t nhead, std::size_t num_layers,
                       TransformerEncoderLayerOptions options = {}, bool final_norm = false);
    using Module::forward;
    Tensor forward(const Tensor& src) override { return forward(src, Tensor(), Tensor()); }
    Tensor forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask, bool is_causal = false);
    std::string type_name() const override { return "TransformerEncoder"; }
    std::size_t num_layers() const { return layers->size(); }
    std::shared_ptr<TransformerEncoderLayer> layer(std::size_t i) const {
        return layers->at<TransformerEncoderLayer>(i);
    }

    std::shared_ptr<Sequential> layers;  ///< holds the layers (named "0", "1", ...)
    std::shared_ptr<LayerNorm> norm;     ///< null without final_norm
};

}  // namespace tg::nn
