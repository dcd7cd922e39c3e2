// Grad mode (thread-local on/off), its guards, inference mode, and anomaly detection.
#pragma once

namespace ember {
namespace autograd {

struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// Sets grad mode for a scope and restores the previous value.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

struct NoGradGuard : AutoGradMode {
  NoGradGuard() : AutoGradMode(false) {}
};

// Inference mode: no graph is recorded inside it (ember keeps no separate inference tensors).
// InferenceMode(false) turns grad mode back on for its scope, as LibTorch's does, also inside an
// InferenceMode(true).
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true) : guard_(!enabled) {}
  static bool is_enabled();

 private:
  AutoGradMode guard_;
};

// When on, the engine checks every backward output for NaN and names the node that produced it.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : prev_(AnomalyMode::is_enabled()) { AnomalyMode::set_enabled(true); }
  ~DetectAnomalyGuard() { AnomalyMode::set_enabled(prev_); }

 private:
  bool prev_;
};

}  // namespace autograd

using autograd::AutoGradMode;
using autograd::GradMode;
using autograd::InferenceMode;
using autograd::NoGradGuard;

}  // namespace ember
