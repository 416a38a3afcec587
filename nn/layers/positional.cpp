#include "positional.hpp"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

/// x + table[:seq] with the table's rows along x's sequence axis.
Tensor add_positions(const Module& layer, const Tensor& x, const Tensor& table, bool batch_first) {
    check_defined(layer.type_name().c_str(), x);
    const std::size_t max_len = table.size(0), d = table.size(1);
    const int seq_axis = batch_first ? 1 : 0;
    if (x.dim() != 3 || x.size(2) != d)
        throw ShapeError(fmt::format("{}({}): input {} must be 3-D {} with {} features", layer.type_name(),
                                     layer.extra_repr(), shape_str(x.shape()),
                                     batch_first ? "[batch, seq, d_model]" : "[seq, batch, d_model]", d) + where({}));
    const std::size_t seq = x.size(seq_axis);
    if (seq > max_len)
        throw ShapeError(fmt::format("{}({}): input {} has {} positions, more than max_len {}", layer.type_name(),
                                     layer.extra_repr(), shape_str(x.shape()), seq, max_len) + where({}));
    const Tensor rows = slice(table, 0, 0, static_cast<std::int64_t>(seq));
    return x + (batch_first ? rows : unsqueeze(rows, 1));
}

}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(std::size_t d_model, std::size_t max_len, bool batch_first)
    : d_model_(d_model), max_len_(max_len), batch_first_(batch_first) {
    std::vector<double> table(max_len * d_model);
    for (std::size_t pos = 0; pos < max_len; ++pos)
        for (std::size_t j = 0; j < d_model; ++j) {
            // columns 2i and 2i + 1 share the frequency 1 / 10000^(2i / d_model)
            const double angle =
                static_cast<double>(pos) / std::pow(10000.0, static_cast<double>(j - j % 2) / static_cast<double>(d_model));
            table[pos * d_model + j] = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
        }
    pe = register_buffer("pe", from_vector(table, {max_len, d_model}, {DType::f32}));
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x) { return add_positions(*this, x, pe, batch_first_); }

std::string SinusoidalPositionalEncoding::extra_repr() const {
    return fmt::format("d_model={}, max_len={}, batch_first={}", d_model_, max_len_, batch_first_);
}

LearnedPositionalEmbedding::LearnedPositionalEmbedding(std::size_t max_len, std::size_t d_model, bool batch_first)
    : max_len_(max_len), d_model_(d_model), batch_first_(batch_first) {
    weight = register_parameter("weight", normal({max_len, d_model}));
}

Tensor LearnedPositionalEmbedding::forward(const Tensor& x) { return add_positions(*this, x, weight, batch_first_); }

std::string LearnedPositionalEmbedding::extra_repr() const {
    return fmt::format("max_len={}, d_model={}, batch_first={}", max_len_, d_model_, batch_first_);
}

}  // namespace tg::nn
