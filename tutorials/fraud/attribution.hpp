#pragma once
// Why a transaction was flagged: input-gradient attribution computed by
// tapegrad's autodiff engine. For a row x (standardised features) the model's
// logit z(x) is differentiated with respect to x (tg::grad), and each feature's
// contribution is  dz/dx_j * x_j  ("gradient times input"): how much the
// feature's distance from the average transaction (x_j = 0) moves the log-odds
// of fraud, to first order. One-hot merchant features are summed back into
// merchant_category so investigators see raw columns.
#include <cstddef>
#include <vector>

#include <tapegrad/graph/tensor.hpp>

#include "model_file.hpp"

namespace fraud {

struct Contribution {
    std::size_t column = 0;   ///< raw column (schema.hpp Raw)
    double contribution = 0;  ///< to the logit, signed
};

/// For each row of x [k, F] (standardised), the raw columns ranked by |contribution|,
/// the top_k of them. Runs one forward and one backward pass for the k rows together
/// (rows do not interact in the network, so the gradient of sum(z) gives every
/// row's own gradient).
std::vector<std::vector<Contribution>> attribute(const FraudModel& model, const tg::Tensor& x, std::size_t top_k);

}  // namespace fraud
