#pragma once
/// @ingroup nn
/// Learning-rate schedulers (PyTorch's torch.optim.lr_scheduler), stepped once per
/// epoch: after each epoch call step() (fit() does it when given one). Closed forms
/// of the epoch count, so no drift accumulates.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tg::optim {

class LRScheduler {
public:
    explicit LRScheduler(Optimizer& optimizer) : opt_(optimizer), base_lr_(optimizer.lr()) {}
    virtual ~LRScheduler() = default;
    /// Advance one epoch and set the optimiser's learning rate.
    virtual void step();
    /// Advance one epoch given the monitored metric (only ReduceLROnPlateau uses it).
    virtual void step(double metric) {
        (void)metric;
        step();
    }
    /// Does step(metric) need the metric (fit() passes the monitored value)?
    virtual bool needs_metric() const { return false; }
    /// The learning rate of a given epoch (epoch 0 = the initial rate).
    virtual double lr_at(std::int64_t epoch) const = 0;
    std::int64_t epoch() const { return epoch_; }
    double base_lr() const { return base_lr_; }
    virtual std::string name() const = 0;
    /// Everything step() depends on besides the optimiser (the epoch count, and
    /// ReduceLROnPlateau's best value and counters), to save and restore.
    virtual std::vector<double> state() const { return {static_cast<double>(epoch_)}; }
    /// Throws std::invalid_argument for a state of another scheduler.
    virtual void load_state(const std::vector<double>& state);

protected:
    Optimizer& opt_;
    double base_lr_;
    std::int64_t epoch_ = 0;
};

/// lr = base · gamma^floor(epoch / step_size)
class StepLR : public LRScheduler {
public:
    StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);
    double lr_at(std::int64_t epoch) const override;
    std::string name() const override { return "StepLR"; }

private:
    std::int64_t step_size_;
    double gamma_;
};

/// lr = base · gamma^epoch
class ExponentialLR : public LRScheduler {
public:
    ExponentialLR(Optimizer& optimizer, double gamma);
    double lr_at(std::int64_t epoch) const override;
    std::string name() const override { return "ExponentialLR"; }

private:
    double gamma_;
};

/// lr = base · factor(epoch), factor any callable of the epoch (PyTorch's LambdaLR).
/// The optimiser's rate is base · factor(0) from construction on.
class LambdaLR : public LRScheduler {
public:
    LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t)> factor);
    double lr_at(std::int64_t epoch) const override;
    std::string name() const override { return "LambdaLR"; }

private:
    std::function<double(std::int64_t)> factor_;
};

/// PyTorch's chainable CosineAnnealingLR, step by step (Note [chainable cosine]):
/// lr = eta_min + (base − eta_min)·(1 + cos(π·epoch / t_max)) / 2 up to rounding,
/// also past t_max, where the rate rises again to base at 2·t_max (a period of 2·t_max).
class CosineAnnealingLR : public LRScheduler {
public:
    CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min = 0);
    double lr_at(std::int64_t epoch) const override;
    std::string name() const override { return "CosineAnnealingLR"; }

private:
    std::int64_t t_max_;
    double eta_min_;
    mutable std::int64_t cached_epoch_ = 0;  // the last rate computed, to step on from it
    mutable double cached_lr_;
};

struct WarmupCosineOptions {
    std::int64_t warmup_steps = 0;  ///< epochs of linear warm-up (>= 1)
    std::int64_t total_steps = 0;   ///< warm-up plus cosine (> warmup_steps)
    double start_factor = 1.0 / 3;  ///< the first rate is base · start_factor, in (0, 1] (LinearLR's default)
    double eta_min = 0;             ///< the rate at total_steps
};

/// Linear warm-up from base·start_factor to base over warmup_steps epochs, then a
/// cosine from base to eta_min over the remaining total_steps − warmup_steps. Exactly
/// PyTorch's SequentialLR(opt, [LinearLR(opt, start_factor, 1.0, warmup_steps),
/// CosineAnnealingLR(opt, total_steps − warmup_steps, eta_min)], milestones=[warmup_steps]),
/// computed with the same recurrences; past total_steps the cosine goes on as
/// CosineAnnealingLR does (back up to base at total_steps + (total_steps − warmup_steps)).
class WarmupCosineLR : public LRScheduler {
public:
    WarmupCosineLR(Optimizer& optimizer, WarmupCosineOptions options);
    double lr_at(std::int64_t epoch) const override;
    std::string name() const override { return "WarmupCosineLR"; }

private:
    WarmupCosineOptions o_;
    mutable std::int64_t cached_epoch_ = 0;
    mutable double cached_lr_;
};

struct PlateauOptions {
    bool maximize = false;   ///< the metric should rise (accuracy) instead of fall (loss)
    double factor = 0.1;     ///< new lr = lr · factor
    std::int64_t patience = 10;  ///< epochs without improvement before reducing
    double threshold = 1e-4;     ///< relative improvement that counts (PyTorch's 'rel' mode)
    std::int64_t cooldown = 0;   ///< epochs to wait after a reduction
    double min_lr = 0;
};

/// Reduce the learning rate when a metric has stopped improving for `patience` epochs.
/// Call step(metric) after each epoch (fit() passes val_loss, or loss without validation).
class ReduceLROnPlateau : public LRScheduler {
public:
    explicit ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options = {});
    void step() override;  ///< throws: this scheduler needs the metric
    void step(double metric) override;
    bool needs_metric() const override { return true; }
    double lr_at(std::int64_t) const override { return opt_.lr(); }
    std::string name() const override { return "ReduceLROnPlateau"; }
    /// Number of reductions made so far.
    std::int64_t reductions() const { return reductions_; }
    std::vector<double> state() const override;
    void load_state(const std::vector<double>& state) override;

private:
    PlateauOptions o_;
    double best_;
    std::int64_t bad_epochs_ = 0, cooldown_left_ = 0, reductions_ = 0;
};

}  // namespace tg::optim
