// The name PyTorch's repr gives a tensor's grad_fn (private to src/ and the tests).
#pragma once

namespace ember {
class Tensor;
namespace detail {
// type(t.grad_fn).__name__ as Python shows it: the node's name() without the torch::autograd::
// namespace LibTorch gives the nodes it writes by hand (CopySlices); nullptr for no grad_fn.
// Defined by the autograd layer (src/autograd/variable.cpp).
const char* grad_fn_name(const Tensor& t);
}  // namespace detail
}  // namespace ember
