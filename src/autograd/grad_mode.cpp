// Thread-local grad mode and the process-wide anomaly flag.
#include "ember/autograd/grad_mode.h"

#include "ember/core/storage.h"

namespace ember {
namespace autograd {

namespace {
thread_local bool t_grad_enabled = true;
bool g_anomaly = false;
}  // namespace

bool GradMode::is_enabled() { return t_grad_enabled; }
void GradMode::set_enabled(bool enabled) { t_grad_enabled = enabled; }
bool InferenceMode::is_enabled() { return detail::inference_mode(); }
InferenceMode::InferenceMode(bool enabled) : prev_grad_(t_grad_enabled), prev_inference_(detail::inference_mode()) {
  t_grad_enabled = !enabled;
  detail::set_inference_mode(enabled);
}
InferenceMode::~InferenceMode() {
  t_grad_enabled = prev_grad_;
  detail::set_inference_mode(prev_inference_);
}
bool AnomalyMode::is_enabled() { return g_anomaly; }
void AnomalyMode::set_enabled(bool enabled) { g_anomaly = enabled; }

}  // namespace autograd
}  // namespace ember
