#pragma once
/// @ingroup nn
/// Multi-head attention (PyTorch's nn.MultiheadAttention, query, key and value of
/// one width embed_dim).
#include <cstddef>
#include <string>

#include "../../graph/random.hpp"
#include "../module.hpp"
#include "linear.hpp"

namespace tg::nn {

struct MultiheadAttentionOptions {
    double dropout = 0;       ///< on the attention weights, in training mode
    bool bias = true;         ///< in_proj_bias and out_proj.bias
    bool batch_first = false; ///< inputs [batch, seq, embed] instead of [seq, batch, embed]
};

/// What MultiheadAttention::forward takes besides query, key and value. Masks are float
/// tensors of the input's dtype.
struct AttentionMasks {
    /// [batch, S]: 1 = this key is padding and ignored, 0 = kept (PyTorch's boolean
    /// key_padding_mask as 0/1 values; tapegrad has no bool dtype yet).
    Tensor key_padding_mask;
    /// [L, S] or [batch * num_heads, L, S], added to the scores (PyTorch's float attn_mask;
    /// generate_square_subsequent_mask gives the causal one).
    Tensor attn_mask;
    bool need_weights = true;          ///< also return the attention weights
    bool average_attn_weights = true;  ///< weights averaged over the heads [batch, L, S], else [batch, heads, L, S]
    bool is_causal = false;            ///< query i attends to keys j <= i (added to attn_mask if both are given)
};

struct MultiheadAttentionOutput {
    Tensor output;   ///< like query: [L, batch, E], or [batch, L, E] when batch_first
    Tensor weights;  ///< undefined unless need_weights (detached)
};

/// out = concat_h(attention(q W_q^h, k W_k^h, v W_v^h)) W_o^T + b_o, each head of size
/// embed_dim / num_heads (see tg::attention). Parameters are PyTorch's: in_proj_weight
/// [3E, E] (rows of W_q, W_k, W_v), in_proj_bias [3E], out_proj.weight [E, E],
/// out_proj.bias [E], initialised as PyTorch's (xavier-uniform in_proj_weight, zero biases).
/// Unlike PyTorch there is no kdim/vdim (key and value have width embed_dim), no
/// add_bias_kv and no add_zero_attn. Also takes 3-D inputs only (no unbatched 2-D form).
/// A query whose every key is masked gives NaN (see tg::attention).
class MultiheadAttention : public Module {
public:
    MultiheadAttention(std::size_t embed_dim, std::size_t num_heads, MultiheadAttentionOptions options = {});
    using Module::forward;
    /// Self-attention forward(x, x, x), output only.
    Tensor forward(const Tensor& x) override;
    MultiheadAttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const AttentionMasks& masks = {});
    std::string type_name() const override { return "MultiheadAttention"; }
    std::string extra_repr() const override;
    std::size_t embed_dim() const { return embed_; }
    std::size_t num_heads() const { return heads_; }
    bool batch_first() const { return options_.batch_first; }

    Tensor in_proj_weight;              ///< [3 embed_dim, embed_dim]
    Tensor in_proj_bias;                ///< [3 embed_dim] (undefined without bias)
    std::shared_ptr<Linear> out_proj;   ///< embed_dim -> embed_dim

protected:
    Generator* own_generator() override { return &gen_; }

private:
    std::size_t embed_, heads_;
    MultiheadAttentionOptions options_;
    Generator gen_;
};

}  // namespace tg::nn
