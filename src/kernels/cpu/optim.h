// Fused optimizer updates (Google Highway, chosen at run time): one pass over a parameter, its
// gradient and its state, for float and double, with the formulas LibTorch 1.13's optimizers write
// as separate tensor ops, rounded as PyTorch's vectorised CPU kernels round each of those ops
// (each scalar cast once to the parameter's type; add with alpha and addcmul as one fused
// multiply-add where the CPU has FMA), so a step gives PyTorch's values to the bit.
// Autograd-free: raw pointers and sizes; the Tensor entry points bump the written tensors' versions.
#pragma once
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

// d = g (+ wd p); with momentum: buf = first ? d : buf * m + (1 - dampening) d, and d = nesterov ?
// d + m buf : buf; then p += -lr d.
struct SgdStep {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, first = false;  // first: the momentum buffer starts at d
};
// decoupled (AdamW): p *= 1 - lr wd, else g += wd p; m = m b1 + (1 - b1) g; v = v b2 + (1 - b2) (g g);
// amsgrad: vmax = max(vmax, v) (NaN wins) and s = vmax, else s = v;
// p += -(lr / bc1) (m / (sqrt(s) / sqrt(bc2) + eps)).
struct AdamStep {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0, bias_correction1 = 1, bias_correction2 = 1;
  bool decoupled = false, amsgrad = false;
};
// g += wd p; sq = sq a + (1 - a) (g g); centered: ga = ga a + (1 - a) g, avg = sqrt(sq - ga ga),
// else avg = sqrt(sq); avg += eps; momentum: buf = buf m + g / avg, p += -lr buf; else p += -lr (g / avg).
struct RmspropStep {
  double lr = 0, alpha = 0, eps = 0, weight_decay = 0, momentum = 0;
  bool centered = false;
};
// g += wd p; sum += g g; p += -clr (g / (sqrt(sum) + eps)).
struct AdagradStep {
  double clr = 0, eps = 0, weight_decay = 0;
};

// True when fused (every tensor defined where the options need it, contiguous, of p's dtype, float
// or double, of p's size); false to leave the step to the tensor ops.
bool sgd_step(const Tensor& p, const Tensor& grad, const Tensor& momentum_buffer, const SgdStep& s);
bool adam_step(const Tensor& p, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamStep& s);
bool rmsprop_step(const Tensor& p, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buffer, const RmspropStep& s);
bool adagrad_step(const Tensor& p, const Tensor& grad, const Tensor& sum, const AdagradStep& s);

}  // namespace kernels
}  // namespace ember
