#include "schedulers.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

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

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
    if (t_max <= 0) throw std::invalid_argument(fmt::format("CosineAnnealingLR: t_max {} must be positive", t_max));
}

double CosineAnnealingLR::lr_at(std::int64_t epoch) const {
    if (epoch >= t_max_) return eta_min_;
    const double c = std::cos(std::numbers::pi * static_cast<double>(epoch) / static_cast<double>(t_max_));
    return eta_min_ + (base_lr_ - eta_min_) * (1 + c) / 2;
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
