#include "batch_scorer.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/tapegrad.hpp>

#include "schema.hpp"

namespace fraud {

BatchScorer::BatchScorer(const FraudModel& model) : model_(model), f_(model.features.size()) {
    if (f_ != n_features()) throw std::invalid_argument("score: the model's features do not match this program's");
    mean_.resize(f_);
    inv_scale_.resize(f_);
    for (std::size_t j = 0; j < f_; ++j) {
        mean_[j] = float(model.standardizer.mean()[j]);
        inv_scale_[j] = float(1.0 / model.standardizer.scale()[j]);
    }
}

void BatchScorer::clear() {
    n_ = 0;
    x_.clear();
    logits_.clear();
}

void BatchScorer::reserve(std::size_t rows) {
    x_.reserve(rows * f_);
    logits_.reserve(rows);
}

void BatchScorer::add(const double* raw) {
    const std::size_t at = x_.size();
    x_.resize(at + f_);
    float* xr = x_.data() + at;
    encode(raw, xr);
    for (std::size_t j = 0; j < f_; ++j) xr[j] = (xr[j] - mean_[j]) * inv_scale_[j];
    ++n_;
}

void BatchScorer::forward() {
    logits_.clear();
    if (n_ == 0) return;
    tg::Tensor z;
    {
        tg::NoGradGuard no_grad;
        z = model_.logits(tg::from_vector(x_, {n_, f_}));
    }
    const float* zp = z.data<float>();
    logits_.assign(zp, zp + n_);
}

std::vector<std::vector<Contribution>> BatchScorer::explain(const std::vector<std::size_t>& rows, std::size_t top_k) {
    if (rows.empty()) return {};
    picked_.resize(rows.size() * f_);
    for (std::size_t k = 0; k < rows.size(); ++k) std::copy_n(x_.data() + rows[k] * f_, f_, picked_.data() + k * f_);
    return attribute(model_, tg::from_vector(picked_, {rows.size(), f_}), top_k);
}

void append_top_features(std::string& out, const std::vector<Contribution>& why, const double* raw) {
    out.push_back('[');
    for (std::size_t c = 0; c < why.size(); ++c) {
        const Contribution& ct = why[c];
        out += fmt::format("{}{{\"feature\":\"{}\",\"value\":{},\"contribution\":{}}}", c ? "," : "",
                           raw_columns()[ct.column].name, raw[ct.column],
                           std::isfinite(ct.contribution) ? fmt::format("{:.4f}", ct.contribution) : std::string("null"));
    }
    out.push_back(']');
}

}  // namespace fraud
