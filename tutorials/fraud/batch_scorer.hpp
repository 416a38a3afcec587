#pragma once
// The scoring step shared by the stream scorer (score.cpp) and the scoring
// service (serve_*.cpp): rows encoded and standardised into a buffer reused from
// batch to batch, scored together in one forward pass without recording
// (NoGradGuard), and only the rows asked for explained through the autodiff
// engine (attribution.hpp).
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <tapegrad/graph/tensor.hpp>

#include "attribution.hpp"
#include "model_file.hpp"

namespace fraud {

class BatchScorer {
public:
    /// model must outlive the scorer. Throws std::invalid_argument when the model's
    /// features are not the ones this program computes.
    explicit BatchScorer(const FraudModel& model);
    const FraudModel& model() const { return model_; }

    /// Forget the rows (the buffers keep their memory).
    void clear();
    void reserve(std::size_t rows);
    /// Encode and standardise one row of valid raw values (see check_raw_value).
    void add(const double* raw);
    std::size_t size() const { return n_; }

    /// Logits of the rows added, in one forward pass that records nothing.
    void forward();
    /// Row i's logit after forward(); NaN or infinite only for a model whose sums overflow.
    float logit(std::size_t i) const { return logits_[i]; }

    /// The top_k raw columns driving the logit of each of rows (indices of added
    /// rows), from one forward and backward pass over those rows together.
    std::vector<std::vector<Contribution>> explain(const std::vector<std::size_t>& rows, std::size_t top_k);

private:
    const FraudModel& model_;
    std::size_t f_ = 0, n_ = 0;
    std::vector<float> mean_, inv_scale_;  // standardisation as floats: (x - mean) * (1 / scale)
    std::vector<float> x_;                 // n x f standardised features
    std::vector<float> picked_;            // the rows to explain, copied together
    std::vector<float> logits_;
};

/// The fraud probability of a logit, sigmoid(z).
inline double fraud_probability(double logit) { return 1.0 / (1.0 + std::exp(-logit)); }

/// Append the JSON array of an alert's top features, [{"feature":..,"value":..,"contribution":..},...];
/// raw is the row's raw values. A contribution that is not finite is written as null.
void append_top_features(std::string& out, const std::vector<Contribution>& why, const double* raw);

}  // namespace fraud
