// Finite-difference checks of first and second derivatives.
#include "ember/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "ember/autograd/engine.h"
#include "ember/ops/factory.h"

namespace ember {
namespace autograd {

namespace {

variable_list outputs_of(const GradcheckFn& fn, const variable_list& inputs) {
  variable_list outs = fn(inputs);
  for (auto& o : outs) EMBER_CHECK(o.defined(), "gradcheck: the function returned an undefined tensor");
  return outs;
}

double element(const Tensor& t, int64_t i) {
  return t.contiguous().to(kDouble).data_ptr<double>()[i];
}

}  // namespace

bool gradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps, double atol, double rtol,
               bool raise_exception) {
  std::vector<size_t> diff;  // inputs that require grad
  for (size_t k = 0; k < inputs.size(); ++k)
    if (inputs[k].defined() && inputs[k].requires_grad()) {
      EMBER_CHECK(inputs[k].dtype() == kDouble, "gradcheck: input ", k,
                  " requires grad but is not float64; finite differences need double precision");
      diff.push_back(k);
    }
  EMBER_CHECK(!diff.empty(), "gradcheck expects at least one input tensor to require gradient");
  variable_list outs = outputs_of(fn, inputs);
  variable_list diff_inputs;
  for (size_t k : diff) diff_inputs.push_back(inputs[k]);

  for (size_t oi = 0; oi < outs.size(); ++oi) {
    const Tensor& out = outs[oi];
    if (!out.is_floating_point()) continue;
    const int64_t n_out = out.numel();
    // Analytical: one backward per output element, reading each input's gradient. An output
    // that does not require grad claims a zero Jacobian, which the numerical one must confirm.
    std::vector<variable_list> analytical(n_out, variable_list(diff_inputs.size()));
    for (int64_t j = 0; j < n_out && out.requires_grad(); ++j) {
      Tensor go = zeros_like(out);
      go.view({-1})[j].fill_(1.0);
      analytical[j] = grad({out}, diff_inputs, {go}, true, false, true);
    }
    // Numerical: central differences, perturbing one input element at a time.
    for (size_t di = 0; di < diff.size(); ++di) {
      const Tensor& x = inputs[diff[di]];
      for (int64_t i = 0; i < x.numel(); ++i) {
        auto eval = [&](double delta) {
          variable_list moved = inputs;
          Tensor xc = x.detach().clone();
          xc.data_ptr<double>()[i] += delta;
          moved[diff[di]] = xc.requires_grad_(true);
          return outputs_of(fn, moved)[oi].detach().to(kDouble).contiguous();
        };
        Tensor plus = eval(eps), minus = eval(-eps);
        for (int64_t j = 0; j < n_out; ++j) {
          double num = (plus.data_ptr<double>()[j] - minus.data_ptr<double>()[j]) / (2 * eps);
          const Tensor& g = analytical[j][di];
          double ana = g.defined() ? element(g, i) : 0.0;
          if (!(std::fabs(ana - num) <= atol + rtol * std::fabs(num))) {
            if (!raise_exception) return false;
            std::ostringstream msg;
            msg << "Jacobian mismatch for output " << oi << " with respect to input " << diff[di] << ",\n"
                << "numerical:" << num << "\nanalytical:" << ana << "\n(at input element " << i << ", output element "
                << j << ")";
            fail(msg.str());
          }
        }
      }
    }
  }
  return true;
}

bool gradgradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps, double atol, double rtol,
                   bool raise_exception) {
  // Fixed, non-uniform grad_outputs so that every second-derivative path is weighted differently.
  variable_list probe = outputs_of(fn, inputs);
  variable_list grad_outputs;
  for (const auto& o : probe) {
    Tensor v = linspace(0.3, 1.7, o.numel(), TensorOptions(kDouble)).reshape(o.sizes());
    grad_outputs.push_back(v.to(o.dtype()));
  }
  variable_list diff_inputs;
  for (const auto& t : inputs)
    if (t.defined() && t.requires_grad()) diff_inputs.push_back(t);
  auto first = [&](const variable_list& xs) {
    variable_list outs = fn(xs);
    variable_list diff_xs, keep_outs, keep_go;
    for (const auto& t : xs)
      if (t.defined() && t.requires_grad()) diff_xs.push_back(t);
    for (size_t i = 0; i < outs.size(); ++i)
      if (outs[i].requires_grad()) keep_outs.push_back(outs[i]), keep_go.push_back(grad_outputs[i]);
    variable_list gs = grad(keep_outs, diff_xs, keep_go, true, true, true);
    for (size_t i = 0; i < gs.size(); ++i)
      if (!gs[i].defined()) gs[i] = zeros_like(diff_xs[i]);
    return gs;
  };
  return gradcheck(first, inputs, eps, atol, rtol, raise_exception);
}

}  // namespace autograd
}  // namespace ember
