#pragma once
/// @ingroup nn
/// A Keras-like training loop: fit, evaluate and predict. Its History, callbacks
/// and progress display live beside it (history.hpp, callbacks.hpp, progress.hpp).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "../data/dataset.hpp"
#include "../metrics/metrics.hpp"
#include "../module.hpp"
#include "../optim/optimizer.hpp"
#include "../optim/schedulers.hpp"
#include "callbacks.hpp"
#include "history.hpp"
#include "loss_fn.hpp"
#include "strategy.hpp"

namespace tg::nn {

struct FitOptions {
    int epochs = 10;
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;  ///< of the batch order
    /// Each epoch's row order (see nn::Sampler), instead of shuffle/seed: to weight
    /// classes, or reproduce another library's batches. With a strategy, each
    /// worker takes its share of the sampler's order.
    Sampler sampler{};
    /// Data to evaluate after each epoch (val_loss, val_<metric>); empty: none.
    Dataset validation{};
    /// Without `validation`: hold out this fraction of the training rows (the last ones, as Keras).
    double validation_split = 0;
    /// With several outputs or targets, metrics see the first output and the first target.
    std::vector<Metric> metrics{};
    std::vector<std::shared_ptr<Callback>> callbacks{};
    /// Stepped after each epoch (with val_loss, or loss, when it needs a metric).
    optim::LRScheduler* scheduler = nullptr;
    /// Clip the global gradient norm to this before each step (0: off).
    double clip_grad_norm = 0;
    /// 0 silent; 1 a progress bar on a terminal, else one line per epoch; 2 one line per epoch.
    int verbose = 1;
    /// Where progress goes (default std::cout; the bar is drawn only on a terminal).
    std::ostream* out = nullptr;
    /// Train on several workers at once (e.g. tg::dist::data_parallel() under
    /// mpirun). batch_size is then per worker: each worker takes its share of
    /// every batch of the order one process would visit (LoaderOptions::workers),
    /// so W workers with batch b train as one process with batch W*b, to rounding
    /// (exactly so when the rows are a multiple of W; else the last rows mod W of
    /// each epoch's order are left out). The logged loss and metrics are over all
    /// workers' rows; only the chief prints, and ModelCheckpoint writes on the chief only.
    std::shared_ptr<DistributionStrategy> strategy{};
    /// A training backup (Keras's BackupAndRestore): after every epoch fit writes
    /// model, optimiser, scheduler, the random generators, the epoch and the
    /// history here (the chief only, atomically); a fit started with this path
    /// while the file exists resumes from it and ends exactly as an
    /// uninterrupted run would. The file is removed when training ends normally.
    /// (Callbacks' own state, such as EarlyStopping's patience count, is not kept.)
    std::string backup{};
};

/// Train model on train with optimiser and loss for options.epochs epochs, in
/// mini-batches; returns the History. Each batch: zero_grad, forward, loss,
/// backward, (clip), step. A non-finite loss stops training (History::stop_reason
/// says where) instead of running on with NaN weights.
/// With a Dataset of several inputs, the model is called as model(inputs)
/// (its forward(const Tensors&)); with one, as model(x). A LossFn takes the one
/// output and the one target (else std::invalid_argument: pass a MultiLossFn).
History fit(Module& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options = {});
/// The same with a loss of all outputs and all targets (e.g. per_output_loss).
History fit(Module& model, const MultiLossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options = {});
template <class M>
History fit(const std::shared_ptr<M>& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options = {}) {
    return fit(*model, loss, optimizer, train, options);
}
template <class M>
History fit(const std::shared_ptr<M>& model, const MultiLossFn& loss, optim::Optimizer& optimizer,
            const Dataset& train, const FitOptions& options = {}) {
    return fit(*model, loss, optimizer, train, options);
}

struct EvaluateOptions {
    std::size_t batch_size = 256;
    std::vector<Metric> metrics{};  ///< of the first output and the first target
};
/// Loss and metrics on data, in eval mode without recording ({"loss": ..., "accuracy": ...}).
Logs evaluate(Module& model, const LossFn& loss, const Dataset& data, const EvaluateOptions& options = {});
Logs evaluate(Module& model, const MultiLossFn& loss, const Dataset& data, const EvaluateOptions& options = {});
/// The model's outputs for x, in eval mode without recording, batch by batch.
Tensor predict(Module& model, const Tensor& x, std::size_t batch_size = 256);
/// The same for a model with several inputs (`predict(model, {a, b})`): all of its outputs.
Tensors predict(Module& model, const Tensors& inputs, std::size_t batch_size = 256);

}  // namespace tg::nn
