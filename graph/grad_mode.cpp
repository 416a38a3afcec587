#include "grad_mode.hpp"

namespace tg {

namespace {
// Plain thread_locals (general-dynamic model), not initial-exec: the library
// must stay loadable with dlopen (see Note [caching allocator]).
thread_local bool grad_enabled = true;
thread_local bool anomaly_enabled = false;
}  // namespace

bool GradMode::enabled() { return grad_enabled; }
void GradMode::set_enabled(bool on) { grad_enabled = on; }
bool AnomalyMode::enabled() { return anomaly_enabled; }
void AnomalyMode::set_enabled(bool on) { anomaly_enabled = on; }

}  // namespace tg
