// gradcheck / gradgradcheck: compare autograd's Jacobian with central finite differences.
#pragma once
#include <functional>

#include "ember/autograd/node.h"

namespace ember {
namespace autograd {

using GradcheckFn = std::function<variable_list(const variable_list&)>;

// True when every analytical Jacobian entry matches the numerical one within atol + rtol*|numerical|;
// otherwise throws (raise_exception) or returns false. Use float64 inputs.
bool gradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps = 1e-6, double atol = 1e-5,
               double rtol = 1e-3, bool raise_exception = true);
// The same check on the first derivative (with fixed grad_outputs), i.e. second derivatives.
bool gradgradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps = 1e-6, double atol = 1e-5,
                   double rtol = 1e-3, bool raise_exception = true);

// Overloads for functions that return one tensor.
inline bool gradcheck(const std::function<Tensor(const variable_list&)>& fn, const variable_list& inputs,
                      double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true) {
  return gradcheck([fn](const variable_list& x) { return variable_list{fn(x)}; }, inputs, eps, atol, rtol,
                   raise_exception);
}
inline bool gradgradcheck(const std::function<Tensor(const variable_list&)>& fn, const variable_list& inputs,
                          double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true) {
  return gradgradcheck([fn](const variable_list& x) { return variable_list{fn(x)}; }, inputs, eps, atol, rtol,
                       raise_exception);
}

}  // namespace autograd
}  // namespace ember
