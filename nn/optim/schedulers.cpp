#include "schedulers.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace tg::optim {

void LRScheduler::load_state(const std::vector<double>& state) {
    if (state.size() != 1 || !(state[0] >= 0))
        throw std::invalid_argument(fmt::format("{}::load_state: expected [epoch], got {} numbers", name(), state.size()));
    epoch_ = static_cast<std::int64_t>(state[0]);
}

std::vector<double> ReduceLROnPlateau::state() const {
    return {static_cast<double>(epoch_), best_, static_cast<double>(bad_epochs_), static_cast<double>(cooldown_left_),
            static_cast<double>(reductions_)};
}

void ReduceLROnPlateau::load_state(const std::vector<double>& state) {
    if (state.size() != 5)
        throw std::invalid_argument(fmt::format("ReduceLROnPlateau::load_state: expected 5 numbers, got {}", state.size()));
    epoch_ = static_cast<std::int64_t>(state[0]);
    best_ = state[1];
    bad_epochs_ = static_cast<std::int64_t>(state[2]);
    cooldown_left_ = static_cast<std::int64_t>(state[3]);
    reductions_ = static_cast<std::int64_t>(state[4]);
}

void LRScheduler::step() {
    ++epoch_;
    opt_.set_lr(lr_at(epoch_));
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
    if (step_size <= 0) throw std::invalid_argument(fmt::format("StepLR: step_size {} must be positive", step_size));
    if (!(gamma > 0)) throw std::invalid_argument(fmt::format("StepLR: gamma {} must be positive", gamma));
}

double StepLR::lr_at(std::int64_t epoch) const {
    return base_lr_ * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
    if (!(gamma > 0)) throw std::invalid_argument(fmt::format("ExponentialLR: gamma {} must be positive", gamma));
}

double ExponentialLR::lr_at(std::int64_t epoch) const { return base_lr_ * std::pow(gamma_, static_cast<double>(epoch)); }

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t)> factor)
    : LRScheduler(optimizer), factor_(std::move(factor)) {
    if (!factor_) throw std::invalid_argument("LambdaLR: the factor function is empty");
    opt_.set_lr(lr_at(0));
}

double LambdaLR::lr_at(std::int64_t epoch) const { return base_lr_ * factor_(epoch); }

namespace {

// Note [chainable cosine]
// PyTorch's CosineAnnealingLR.step() does not evaluate the closed form: it scales
// the previous rate by the ratio of consecutive cosine terms, and where that ratio
// would divide by zero (the step after each odd multiple of t_max, where
// 1 + cos = 0) it adds the increment instead. Past t_max the rate therefore rises
// again, and it carries the rounding of every earlier step. To give the same
// numbers (the tests compare with PyTorch to 1e-12) the schedulers below run the
// same recurrence, in the same order of operations, from the last rate computed.

/// The rate of epoch e >= 1 of a chainable cosine from `lr`, the rate of epoch e − 1.
double cosine_next(double lr, std::int64_t e, std::int64_t t_max, double base, double eta_min) {
    const double pi = std::numbers::pi, t = static_cast<double>(t_max);
    const std::int64_t period = 2 * t_max;
    if ((((e - 1 - t_max) % period) + period) % period == 0)  // Python's %, never negative
        return lr + (base - eta_min) * (1 - std::cos(pi / t)) / 2;
    return (1 + std::cos(pi * static_cast<double>(e) / t)) / (1 + std::cos(pi * static_cast<double>(e - 1) / t)) *
               (lr - eta_min) +
           eta_min;
}

/// Run a recurrence `next(lr of epoch e − 1, e)` from the cached epoch (or from
/// epoch 0 at `first` when asked for an earlier one) up to `epoch`.
template <class Next>
double run_recurrence(std::int64_t epoch, double first, std::int64_t& cached_epoch, double& cached_lr, Next next) {
    if (epoch < cached_epoch) cached_epoch = 0, cached_lr = first;
    for (; cached_epoch < epoch; ++cached_epoch) cached_lr = next(cached_lr, cached_epoch + 1);
    return cached_lr;
}

}  // namespace

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min), cached_lr_(base_lr_) {
    if (t_max <= 0) throw std::invalid_argument(fmt::format("CosineAnnealingLR: t_max {} must be positive", t_max));
}

double CosineAnnealingLR::lr_at(std::int64_t epoch) const {
    if (epoch < 0) throw std::invalid_argument(fmt::format("CosineAnnealingLR: epoch {} is negative", epoch));
    return run_recurrence(epoch, base_lr_, cached_epoch_, cached_lr_, [this](double lr, std::int64_t e) {
        return cosine_next(lr, e, t_max_, base_lr_, eta_min_);
    });
}

WarmupCosineLR::WarmupCosineLR(Optimizer& optimizer, WarmupCosineOptions options)
    : LRScheduler(optimizer), o_(options), cached_lr_(base_lr_ * options.start_factor) {
    if (o_.warmup_steps < 1)
        throw std::invalid_argument(fmt::format("WarmupCosineLR: warmup_steps {} must be at least 1", o_.warmup_steps));
    if (o_.total_steps <= o_.warmup_steps)
        throw std::invalid_argument(fmt::format("WarmupCosineLR: total_steps {} must exceed warmup_steps {}",
                                                o_.total_steps, o_.warmup_steps));
    if (!(o_.start_factor > 0 && o_.start_factor <= 1))
        throw std::invalid_argument(fmt::format("WarmupCosineLR: start_factor {} must be in (0, 1]", o_.start_factor));
    opt_.set_lr(lr_at(0));
}

double WarmupCosineLR::lr_at(std::int64_t epoch) const {
    if (epoch < 0) throw std::invalid_argument(fmt::format("WarmupCosineLR: epoch {} is negative", epoch));
    const std::int64_t w = o_.warmup_steps, t_cos = o_.total_steps - o_.warmup_steps;
    const double s = o_.start_factor, base = base_lr_, eta_min = o_.eta_min;
    return run_recurrence(epoch, base * s, cached_epoch_, cached_lr_, [=](double lr, std::int64_t e) {
        if (e < w)  // LinearLR's chainable step, end_factor 1
            return lr * (1. + (1. - s) / (static_cast<double>(w) * s + static_cast<double>(e - 1) * (1. - s)));
        if (e == w)  // SequentialLR starts the cosine with step(0): its closed form at 0
            return eta_min + (base - eta_min) * (1 + std::cos(std::numbers::pi * 0 / static_cast<double>(t_cos))) / 2;
        return cosine_next(lr, e - w, t_cos, base, eta_min);
    });
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options)
    : LRScheduler(optimizer), o_(options),
      best_(options.maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {
    if (!(o_.factor > 0 && o_.factor < 1))
        throw std::invalid_argument(fmt::format("ReduceLROnPlateau: factor {} must be in (0, 1)", o_.factor));
    if (o_.patience < 0) throw std::invalid_argument("ReduceLROnPlateau: patience must be >= 0");
}

void ReduceLROnPlateau::step() {
    throw std::logic_error("ReduceLROnPlateau: call step(metric) with the monitored value");
}

void ReduceLROnPlateau::step(double metric) {
    ++epoch_;
    const bool better = o_.maximize ? metric > best_ * (best_ >= 0 ? 1 + o_.threshold : 1 - o_.threshold)
                                    : metric < best_ * (best_ >= 0 ? 1 - o_.threshold : 1 + o_.threshold);
    if (better || std::isinf(best_)) {
        if (std::isfinite(metric)) best_ = metric;
        bad_epochs_ = 0;
    } else {
        ++bad_epochs_;
    }
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        bad_epochs_ = 0;
    }
    if (bad_epochs_ > o_.patience) {
        const double new_lr = std::max(opt_.lr() * o_.factor, o_.min_lr);
        if (opt_.lr() - new_lr > 1e-12) {
            opt_.set_lr(new_lr);
            ++reductions_;
        }
        cooldown_left_ = o_.cooldown;
        bad_epochs_ = 0;
    }
}

}  // namespace tg::optim
