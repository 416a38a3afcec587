#pragma once
// Grad mode decides whether ops record themselves on the tape, and anomaly mode
// whether every op checks its results for NaN and Inf. Both are per thread.

namespace tg {

struct GradMode {
    static bool enabled();
    static void set_enabled(bool on);
};

/// Record nothing in this scope (like torch::NoGradGuard): for evaluation and
/// optimiser updates. Restores the previous mode on exit.
class NoGradGuard {
public:
    NoGradGuard() : previous_(GradMode::enabled()) { GradMode::set_enabled(false); }
    ~NoGradGuard() { GradMode::set_enabled(previous_); }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

/// Set grad mode to a given value in this scope.
class GradModeGuard {
public:
    explicit GradModeGuard(bool on) : previous_(GradMode::enabled()) { GradMode::set_enabled(on); }
    ~GradModeGuard() { GradMode::set_enabled(previous_); }
    GradModeGuard(const GradModeGuard&) = delete;
    GradModeGuard& operator=(const GradModeGuard&) = delete;

private:
    bool previous_;
};

/// Anomaly mode (off by default): the first op whose forward result or backward
/// gradient holds NaN or Inf throws AnomalyError naming the op.
struct AnomalyMode {
    static bool enabled();
    static void set_enabled(bool on);
};

class AnomalyGuard {
public:
    explicit AnomalyGuard(bool on = true) : previous_(AnomalyMode::enabled()) { AnomalyMode::set_enabled(on); }
    ~AnomalyGuard() { AnomalyMode::set_enabled(previous_); }
    AnomalyGuard(const AnomalyGuard&) = delete;
    AnomalyGuard& operator=(const AnomalyGuard&) = delete;

private:
    bool previous_;
};

}  // namespace tg
