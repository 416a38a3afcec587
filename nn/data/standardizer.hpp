#pragma once
/// @ingroup nn
/// Per-column standardisation: Standardizer.
#include <string>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// Per-column standardisation z = (x − mean) / std, as scikit-learn's
/// StandardScaler (population std; a constant column gets std 1). Fit it on the
/// training part only, then transform every part with the same numbers.
class Standardizer {
public:
    Standardizer() = default;
    /// Learn mean and std of each column of x [N, F]. Throws ShapeError for N = 0 or
    /// rank != 2, std::invalid_argument naming the row and column of a NaN or an
    /// infinity (which would make the column's numbers meaningless).
    Standardizer& fit(const Tensor& x);
    /// (x − mean) / std, in x's dtype; not recorded. Throws if not fitted or F differs,
    /// std::invalid_argument naming the row and column of a NaN in x.
    Tensor transform(const Tensor& x) const;
    Tensor fit_transform(const Tensor& x) { return fit(x).transform(x); }
    /// x · std + mean.
    Tensor inverse_transform(const Tensor& z) const;
    /// Standardise one row in place (for streaming scorers; a NaN stays NaN: check the row).
    void transform_row(double* row) const;
    bool fitted() const { return !mean_.empty(); }
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& scale() const { return scale_; }
    /// {prefix + "mean", prefix + "scale"} as float64 tensors, to save with a model.
    NamedTensors state(const std::string& prefix = "standardizer.") const;
    /// Restore from state(); throws std::invalid_argument when an entry is missing or malformed.
    void load_state(const NamedTensors& state, const std::string& prefix = "standardizer.");

private:
    std::vector<double> mean_, scale_;
};

}  // namespace tg::nn
