// Helpers shared by the op families: output allocation, dtype casts without history, broadcast
// views, wrapped numbers, and the NamedNode base for backward structs.
#pragma once
#include <algorithm>
#include <string>

#include "ember/autograd/node.h"
#include "ember/ops/factory.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/reduction.h"
#include "ember/ops/shape.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cpu/loops.h"

namespace ember {
namespace ops {

using autograd::Node;
using autograd::SavedVariable;

template <size_t N>
struct FixedString {
  constexpr FixedString(const char (&s)[N]) { std::copy_n(s, N, str); }
  char str[N];
};

// Base of every backward struct: carries PyTorch's name for it.
template <FixedString Name>
struct NamedNode : Node {
  std::string name() const override { return Name.str; }
};

inline Tensor new_tensor(IntArrayRef sizes, ScalarType dtype) {
  return Tensor(make_intrusive<TensorImpl>(dtype, sizes));
}
// A view of `t` with new geometry and no autograd history.
inline Tensor raw_view(const Tensor& t, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  auto* impl = t.unsafeGetTensorImpl();
  auto view = make_intrusive<TensorImpl>(impl->storage(), impl->dtype(), sizes, strides, offset);
  view->set_is_view(true);
  return Tensor(std::move(view));
}
// `t` as `dtype`, without recording history (the same tensor when the dtype already matches).
Tensor cast(const Tensor& t, ScalarType dtype);
// `t` expanded to `shape` (stride 0 on broadcast dims), no history.
Tensor expand_raw(const Tensor& t, IntArrayRef shape);
// `t` itself when it already has `dtype` and `shape`; otherwise expand_raw(cast(t, dtype), shape),
// kept in `holder`.
inline const Tensor& conform(const Tensor& t, ScalarType dtype, IntArrayRef shape, Tensor& holder) {
  if (t.dtype() == dtype && t.sizes() == shape) return t;
  holder = expand_raw(cast(t, dtype), shape);
  return holder;
}
// A zero-dim tensor holding a C++ number, marked as a wrapped number for type promotion.
Tensor wrap_scalar(const Scalar& s);
// A contiguous copy (or `t` itself), no history.
Tensor contiguous_raw(const Tensor& t);

inline SavedVariable save(const Tensor& t) { return SavedVariable(t, false); }
inline SavedVariable save_output(const Tensor& t) { return SavedVariable(t, true); }

// Gradient for an input of shape/dtype after a broadcasting op.
Tensor reduce_grad(const Tensor& g, IntArrayRef sizes, ScalarType dtype);


}  // namespace ops

// Every op file records history with these; this header is private to src/ops.
using autograd::any_requires_grad;
using autograd::any_requires_grad_list;
using autograd::make_node;
using autograd::set_history;
using namespace ops;

}  // namespace ember
