#include "attribution.hpp"

#include <algorithm>
#include <cmath>

#include <tapegrad/tapegrad.hpp>

#include "schema.hpp"

namespace fraud {

std::vector<std::vector<Contribution>> attribute(const FraudModel& model, const tg::Tensor& x, std::size_t top_k) {
    const std::size_t k = x.size(0), f = x.size(1);
    std::vector<std::vector<Contribution>> out(k);
    if (k == 0) return out;
    tg::GradModeGuard grad_on(true);
    tg::Tensor leaf = x.detach();  // a fresh leaf: x itself is left as it is
    leaf.requires_grad_();
    const tg::Tensor z = model.logits(leaf);
    const tg::Tensor g = tg::grad({tg::sum(z)}, {leaf})[0];
    const float* gv = g.data<float>();
    const float* xv = leaf.data<float>();
    const auto& source = feature_source();
    std::vector<double> per_column(n_raw);
    for (std::size_t r = 0; r < k; ++r) {
        std::fill(per_column.begin(), per_column.end(), 0.0);
        for (std::size_t j = 0; j < f; ++j) per_column[source[j]] += double(gv[r * f + j]) * double(xv[r * f + j]);
        std::vector<Contribution>& row = out[r];
        for (std::size_t c = 0; c < n_raw; ++c) row.push_back({c, per_column[c]});
        const std::size_t keep = std::min(top_k, row.size());
        std::partial_sort(row.begin(), row.begin() + std::ptrdiff_t(keep), row.end(),
                          [](const Contribution& a, const Contribution& b) {
                              return std::abs(a.contribution) > std::abs(b.contribution);
                          });
        row.resize(keep);
    }
    return out;
}

}  // namespace fraud
