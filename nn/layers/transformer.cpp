#include "transformer.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

TransformerEncoderLayer::TransformerEncoderLayer(std::size_t d_model, std::size_t nhead,
                                                 TransformerEncoderLayerOptions options)
    : d_model_(d_model), nhead_(nhead), options_(std::move(options)) {
    if (options_.activation != "relu" && options_.activation != "gelu")
        throw std::invalid_argument(fmt::format(
            "TransformerEncoderLayer: activation \"{}\" is not one of \"relu\", \"gelu\"", options_.activation));
    // registration order is PyTorch's, so state_dict lists the same names in the same order
    self_attn = register_module(
        "self_attn", std::make_shared<MultiheadAttention>(
                         d_model, nhead, MultiheadAttentionOptions{options_.dropout, options_.bias, options_.batch_first}));
    linear1 = register_module("linear1", std::make_shared<Linear>(d_model, options_.dim_feedforward, options_.bias));
    dropout = register_module("dropout", std::make_shared<Dropout>(options_.dropout));
    linear2 = register_module("linear2", std::make_shared<Linear>(options_.dim_feedforward, d_model, options_.bias));
    const LayerNormOptions norm{.eps = options_.layer_norm_eps, .elementwise_affine = true, .bias = options_.bias};
    norm1 = register_module("norm1", std::make_shared<LayerNorm>(Shape{d_model}, norm));
    norm2 = register_module("norm2", std::make_shared<LayerNorm>(Shape{d_model}, norm));
    dropout1 = register_module("dropout1", std::make_shared<Dropout>(options_.dropout));
    dropout2 = register_module("dropout2", std::make_shared<Dropout>(options_.dropout));
}

std::string TransformerEncoderLayer::extra_repr() const {
    return fmt::format("d_model={}, nhead={}, dim_feedforward={}, dropout={}, activation={}, layer_norm_eps={}, "
                       "batch_first={}, norm_first={}",
                       d_model_, nhead_, options_.dim_feedforward, options_.dropout, options_.activation,
                       options_.layer_norm_eps, options_.batch_first, options_.norm_first);
}

Tensor TransformerEncoderLayer::self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& padding,
                                                     bool is_causal) {
    AttentionMasks masks;
    masks.attn_mask = mask;
    masks.key_padding_mask = padding;
    masks.is_causal = is_causal;
    masks.need_weights = false;
    return (*dropout1)(self_attn->forward(x, x, x, masks).output);
}

Tensor TransformerEncoderLayer::feed_forward_block(const Tensor& x) {
    // ReLU fused into linear1's product (ops/affine.hpp); GELU as its own op
    const Tensor a = options_.activation == "gelu" ? gelu((*linear1)(x)) : linear1->forward(x, Epilogue::relu);
    return (*dropout2)((*linear2)((*dropout)(a)));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask,
                                        bool is_causal) {
    Tensor x = src;
    if (options_.norm_first) {
        x = x + self_attention_block((*norm1)(x), src_mask, src_key_padding_mask, is_causal);
        x = x + feed_forward_block((*norm2)(x));
    } else {
        x = (*norm1)(x + self_attention_block(x, src_mask, src_key_padding_mask, is_causal));
        x = (*norm2)(x + feed_forward_block(x));
    }
    return x;
}

TransformerEncoder::TransformerEncoder(std::size_t d_model, std::size_t nhead, std::size_t num_layers,
                                       TransformerEncoderLayerOptions options, bool final_norm) {
    if (num_layers == 0) throw std::invalid_argument("TransformerEncoder: num_layers must be at least 1");
    layers = register_module("layers", std::make_shared<Sequential>());
    for (std::size_t i = 0; i < num_layers; ++i) {
        auto layer = layers->push_back(std::make_shared<TransformerEncoderLayer>(d_model, nhead, options));
        // PyTorch deep-copies one layer: every layer starts from the first one's values
        if (i > 0) layer->load_state_dict(layers->at<TransformerEncoderLayer>(0)->state_dict());
    }
    if (final_norm)
        norm = register_module("norm", std::make_shared<LayerNorm>(Shape{d_model},
                                                                   LayerNormOptions{.eps = options.layer_norm_eps}));
}

Tensor TransformerEncoder::forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask,
                                   bool is_causal) {
    Tensor x = src;
    for (std::size_t i = 0; i < layers->size(); ++i) x = layer(i)->forward(x, mask, src_key_padding_mask, is_causal);
    return norm ? (*norm)(x) : x;
}

}  // namespace tg::nn
