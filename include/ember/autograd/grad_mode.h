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

// Inference mode (LibTorch's c10::InferenceMode): grad mode off, and nothing is recorded inside it,
// not even under AutoGradMode(true). Storage allocated inside it makes inference tensors
// (Tensor::is_inference): a new tensor is one, a view is one when its base is. Outside inference
// mode an inference tensor cannot be written in place, saved for backward, set to require grad or
// asked its version, and an op whose tensor inputs are all inference tensors records nothing (in
// LibTorch they carry no autograd dispatch key). InferenceMode(false) leaves inference mode and
// turns grad mode on for its scope, also inside an InferenceMode(true).
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;
  static bool is_enabled();

 private:
  bool prev_grad_, prev_inference_;
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
