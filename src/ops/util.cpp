// Shared op helpers.
#include "ops/util.h"

namespace ember {
namespace ops {

Tensor cast(const Tensor& t, ScalarType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = new_tensor(t.sizes(), dtype);
  kernels::copy(out, t);
  return out;
}

Tensor expand_raw(const Tensor& t, IntArrayRef shape) {
  if (t.sizes() == shape) return t;
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t off = nd - t.dim();
  DimVector strides(shape.size(), 0);
  for (int64_t i = 0; i < t.dim(); ++i)
    strides[off + i] = t.size(i) == 1 && shape[off + i] != 1 ? 0 : t.stride(i);
  return raw_view(t, shape, strides, t.storage_offset());
}

Tensor wrap_scalar(const Scalar& s) {
  Tensor t = new_tensor({}, s.type());
  kernels::fill(t, s);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

Tensor contiguous_raw(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = new_tensor(t.sizes(), t.dtype());
  kernels::copy(out, t);
  return out;
}

Tensor reduce_grad(const Tensor& g, IntArrayRef sizes, ScalarType dtype) {
  if (!g.defined()) return g;
  Tensor r = g.sizes() == sizes ? g : sum_to(g, sizes);
  return r.dtype() == dtype ? r : r.to(dtype);
}

}  // namespace ops
}  // namespace ember
