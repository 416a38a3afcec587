#pragma once
// DistributedDataParallel: the same model on every rank, each rank a different
// share of every batch; gradients averaged across ranks during backward, so
// every rank's optimiser takes the same step.
//
// Note [gradient buckets]
// -----------------------
// Parameters are grouped, in reverse order of registration (roughly the order
// backward finishes them), into buckets of about bucket_bytes. Each parameter
// has a gradient-ready hook (graph/hooks.hpp); when every parameter of a bucket
// is ready, its gradients are copied into one flat buffer and summed over the
// ranks with a non-blocking all-reduce, while backward goes on with earlier
// layers. Buckets are launched strictly in bucket order on every rank (MPI
// needs the same collectives in the same order everywhere): a ready bucket
// waits for the ones before it. At the end of backward a queued callback
// launches what is left (a parameter that got no gradient contributes zeros),
// waits for all, divides by the world size and writes the averages back into
// each .grad(). So when backward() returns, gradients are averaged.
#include <cstddef>
#include <memory>
#include <vector>

#include <tapegrad/graph/hooks.hpp>
#include <tapegrad/nn/module.hpp>

#include "mpi_backend.hpp"

namespace tg::dist {

struct DDPOptions {
    /// Bucket size in bytes (PyTorch's default: 25 MB).
    std::size_t bucket_bytes = 25u << 20;
    /// The first bucket (the last layers, whose gradients are final first) is
    /// smaller, so that communication starts early in backward (PyTorch: 1 MB).
    std::size_t first_bucket_bytes = 1u << 20;
    /// Overlap: launch each bucket's all-reduce as soon as it is ready. Off: all
    /// at the end of backward (for measuring what overlap hides).
    bool overlap = true;
    /// Copy rank 0's buffers (batch-norm statistics) to every rank before each
    /// training forward, as PyTorch does.
    bool broadcast_buffers = true;
};

class DistributedDataParallel : public nn::Module {
public:
    /// Wraps module (registered as "module", so state_dict names gain "module."
    /// as in PyTorch; save `ddp.module()` to get the plain names). Broadcasts
    /// rank 0's parameters and buffers to every rank. Requires a running
    /// Environment.
    explicit DistributedDataParallel(nn::ModulePtr module, DDPOptions options = {});
    ~DistributedDataParallel() override;

    Tensor forward(const Tensor& x) override;
    /// The wrapped module's several-input forward, with the same synchronisation.
    nn::Tensors forward(const nn::Tensors& inputs) override;
    nn::Module& module() { return *module_; }
    const DDPOptions& options() const { return options_; }
    std::size_t bucket_count() const { return buckets_.size(); }

    /// Communication that backward could not hide: time spent at the end of
    /// backward launching the last buckets and waiting for all sums (seconds,
    /// summed over synchronised backward passes), and how many passes.
    struct Stats {
        double exposed_seconds = 0;
        std::size_t passes = 0;
        std::size_t bytes_per_pass = 0;
    };
    const Stats& stats() const { return stats_; }

    /// While a NoSync lives, backward accumulates gradients locally without
    /// communicating (gradient accumulation); the first backward after it
    /// averages the accumulated sums.
    class NoSync {
    public:
        explicit NoSync(DistributedDataParallel& ddp) : ddp_(ddp), was_(ddp.sync_) { ddp_.sync_ = false; }
        ~NoSync() { ddp_.sync_ = was_; }
        NoSync(const NoSync&) = delete;
        NoSync& operator=(const NoSync&) = delete;

    private:
        DistributedDataParallel& ddp_;
        bool was_;
    };
    NoSync no_sync() { return NoSync(*this); }

private:
    struct Bucket {
        DType dtype = DType::f32;
        std::vector<std::size_t> params;  // indices into params_
        std::vector<std::size_t> offsets;  // each parameter's place in the flat buffer
        std::size_t elements = 0;
        std::vector<double> flat64;
        std::vector<float> flat32;
        std::size_t ready = 0;
        bool launched = false;
        detail::PendingSum sum;
    };

    void build_buckets();
    void before_forward();  // broadcast buffers, expect a backward
    void expect_backward();
    void on_grad_ready(std::size_t param);
    void launch_ready_buckets();
    void launch(Bucket& b);
    void finish_backward();

    nn::ModulePtr module_;
    DDPOptions options_;
    std::vector<Tensor> params_;
    std::vector<std::size_t> bucket_of_;
    std::vector<bool> ready_;
    std::vector<Bucket> buckets_;
    std::vector<HookHandle> hooks_;
    std::size_t next_launch_ = 0;
    bool in_backward_ = false;
    bool sync_ = true;
    Stats stats_;
};

}  // namespace tg::dist
