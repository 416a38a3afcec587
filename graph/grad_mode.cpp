#include "grad_mode.hpp"

namespace tg {

namespace {
// initial-exec: a plain %fs-relative load instead of a __tls_get_addr call (every op reads these)
[[gnu::tls_model("initial-exec")]] thread_local bool grad_enabled = true;
[[gnu::tls_model("initial-exec")]] thread_local bool anomaly_enabled = false;
}  // namespace

bool GradMode::enabled() { return grad_enabled; }
void GradMode::set_enabled(bool on) { grad_enabled = on; }
bool AnomalyMode::enabled() { return anomaly_enabled; }
void AnomalyMode::set_enabled(bool on) { anomaly_enabled = on; }

}  // namespace tg
