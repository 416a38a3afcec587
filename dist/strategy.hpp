#pragma once
// DataParallel: the distribution strategy fit() takes to train on every rank
// of an MPI job (FitOptions::strategy). Each rank trains a wrapped copy of the
// model (DistributedDataParallel) on its share of every epoch's batches (the
// loader's LoaderOptions::worker/workers); losses and metrics are computed over
// all ranks' rows; rank 0 prints and writes files.
#include <memory>

#include <tapegrad/nn/training/strategy.hpp>

#include "ddp.hpp"

namespace tg::dist {

class DataParallel : public nn::DistributionStrategy {
public:
    /// Needs a running Environment.
    explicit DataParallel(DDPOptions options = {});
    int workers() const override { return world_; }
    int worker() const override { return rank_; }
    std::shared_ptr<nn::Module> wrap(nn::Module& model) override;
    void sum(std::vector<double>& values) override;
    Tensor gather_rows(const Tensor& t) override;

private:
    DDPOptions options_;
    int rank_, world_;
};

/// Shorthand for FitOptions: `.strategy = tg::dist::data_parallel()`.
inline std::shared_ptr<nn::DistributionStrategy> data_parallel(DDPOptions options = {}) {
    return std::make_shared<DataParallel>(options);
}

}  // namespace tg::dist
