#pragma once
/// @ingroup nn
/// The seam through which fit() trains on several workers (processes) at once,
/// as Keras's tf.distribute strategies. nn knows nothing of how workers talk:
/// dist/ makes a strategy over MPI (tg::dist::DataParallel) and fit uses only
/// what is declared here.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

class DistributionStrategy {
public:
    virtual ~DistributionStrategy() = default;
    /// How many workers train together, and which one this is (0 .. workers()-1).
    virtual int workers() const = 0;
    virtual int worker() const = 0;
    /// The chief (worker 0) prints progress and writes histories and checkpoints.
    bool is_chief() const { return worker() == 0; }
    /// The module fit trains in place of model: it runs model's forward, and its
    /// backward leaves in every parameter's .grad the mean over workers. It must
    /// not outlive model.
    virtual std::shared_ptr<Module> wrap(Module& model) = 0;
    /// Element-wise sums over all workers, in place (loss totals, row counts).
    virtual void sum(std::vector<double>& values) = 0;
    /// Every worker's rows of t (same trailing shape everywhere), concatenated
    /// along dimension 0 in worker order; the same result on every worker.
    virtual Tensor gather_rows(const Tensor& t) = 0;
};

}  // namespace tg::nn
