// Matrix products: mm and bmm call GEMM on strided operands without copying when a transpose
// flag suffices; matmul dispatches on ranks as PyTorch does.
#include "ember/ops/linalg.h"

#include "ember/ops/shape.h"

#include "autograd/inplace_grad.h"
#include "kernels/cpu/kernels.h"
#include "ops/linalg_util.h"
#include "ops/util.h"

namespace ember {

namespace {

void check_same_dtype(const Tensor& a, const Tensor& b, const char* an, const char* bn) {
  EMBER_CHECK(a.dtype() == b.dtype(), "expected ", an, " and ", bn, " to have the same dtype, but got: ",
              torch_name(a.dtype()) + 6, " != ", torch_name(b.dtype()) + 6);
}

// A matrix operand for GEMM: pointer, leading dimension and whether it is read transposed.
struct Operand {
  Tensor keep;
  bool trans;
  int64_t ld;
};
Operand operand(const Tensor& m) {
  const int64_t rows = m.size(0), cols = m.size(1);
  if (m.stride(1) == 1 && (m.stride(0) >= std::max<int64_t>(cols, 1) || rows <= 1)) return {m, false, std::max<int64_t>(m.stride(0), std::max<int64_t>(cols, 1))};
  if (m.stride(0) == 1 && (m.stride(1) >= std::max<int64_t>(rows, 1) || cols <= 1)) return {m, true, std::max<int64_t>(m.stride(1), std::max<int64_t>(rows, 1))};
  Tensor c = contiguous_raw(m);
  return {c, false, std::max<int64_t>(cols, 1)};
}

// out (contiguous m x n) = beta * out + alpha * a @ b.
void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double beta, double alpha) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty product: out = beta * out (beta 0 clears NaNs too)
    if (beta == 0) kernels::fill(out, 0);
    else if (beta != 1) kernels::copy(out, ember::mul(out.detach(), beta));
    return;
  }
  if (alpha == 0 && is_floating_type(out.dtype())) {
    // ember's SGEMM and OpenBLAS's driver follow BLAS (alpha = 0 reads neither operand), but
    // OpenBLAS's small-matrix kernels, which it picks on AVX-512 machines, multiply, and so LibTorch
    // gives NaN for an inf/NaN in the product there and 0 elsewhere (OPENBLAS_CORETYPE=Haswell).
    // ember always multiplies, so its answer is the same on every machine. Rare: the product apart,
    // then scaled by 0.
    Tensor p = new_tensor(out.sizes(), out.dtype());
    gemm_into(p, a, b, 0, 1);
    Tensor r = p.mul(0.0);
    kernels::copy(out, beta == 0 ? r : ember::mul(out.detach(), beta).add(r));
    return;
  }
  Operand A = operand(a), B = operand(b);
  visit_dtype(out.dtype(), "mm", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail("\"addmm_impl_cpu_\" not implemented for 'Bool'");
    } else {
      kernels::gemm<T>(A.trans, B.trans, m, n, k, static_cast<T>(alpha), static_cast<const T*>(A.keep.data_ptr()), A.ld,
                       static_cast<const T*>(B.keep.data_ptr()), B.ld, static_cast<T>(beta), static_cast<T*>(out.data_ptr()),
                       n);
    }
  });
}

// Gradients of mat1 @ mat2. When an operand is a transposed view (column-major, as the weight
// in linear's x @ w.t()), its gradient is computed as the transpose of a row-major product, so
// that the leaf's gradient comes out contiguous (as PyTorch arranges it): no strided copy when it
// is accumulated, and contiguous kernels in the optimizer. The layout is noted at forward time,
// as an operand is saved only when the other one needs its gradient.
bool is_column_major(const Tensor& t) { return t.dim() == 2 && t.stride(0) == 1 && t.stride(1) == t.size(0); }
Tensor mm_mat1_grad(const Tensor& g, const Tensor& mat2, bool mat1_column_major) {
  return mat1_column_major ? mat2.mm(g.t()).t() : g.mm(mat2.t());
}
Tensor mm_mat2_grad(const Tensor& g, const Tensor& mat1, bool mat2_column_major) {
  return mat2_column_major ? g.t().mm(mat1).t() : mat1.t().mm(g);
}

// mat2's gradient of alpha mat1 @ mat2 for output `output` of `node`, added straight into the leaf's
// .grad when autograd::inplace_grad_target allows (a Linear weight after zero_grad): one GEMM with
// beta = 1 instead of a new gradient that AccumulateGrad adds. False to take the normal path.
// Only where the sum comes out as AccumulateGrad's would: with alpha = 1 (otherwise the product is
// rounded, scaled and rounded again before the add), and over at most kernels::kGemmSingleSumMaxK
// rows, which both GEMMs sum completely before reading C once; a longer sum is added into C block by
// block and rounds differently from grad + g.
bool mat2_grad_inplace(const Node& node, size_t output, const Tensor& g, const Tensor& mat1, double alpha) {
  if (alpha != 1 || !is_floating_type(g.dtype()) || mat1.dtype() != g.dtype() || g.dim() != 2 || mat1.dim() != 2 ||
      mat1.size(0) > kernels::kGemmSingleSumMaxK)
    return false;
  const autograd::InplaceGrad t = autograd::inplace_grad_target(node, output, g.dtype());
  if (!t.grad.defined()) return false;
  const int64_t k = mat1.size(1), n = g.size(1);
  const StorageImpl* s = t.grad.unsafeGetTensorImpl()->storage().get();
  if (t.grad.dim() != 2 || t.grad.size(0) != (t.transposed ? n : k) || t.grad.size(1) != (t.transposed ? k : n) ||
      s == g.unsafeGetTensorImpl()->storage().get() || s == mat1.unsafeGetTensorImpl()->storage().get())
    return false;
  // mat2's gradient is mat1^T g (k x n); through t() the leaf's is its transpose, g^T mat1.
  if (t.transposed) gemm_into(t.grad, g.t(), mat1, 1, 1);
  else gemm_into(t.grad, mat1.t(), g, 1, 1);
  t.grad.unsafeGetTensorImpl()->storage()->bump_version();
  return true;
}

struct MmBackward0 final : NamedNode<"MmBackward0"> {
  SavedVariable self, mat2;
  bool self_column_major = false, mat2_column_major = false;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = mm_mat1_grad(g[0], mat2.unpack(), self_column_major);
    if (should_compute_output(1)) {
      Tensor a = self.unpack();
      if (!mat2_grad_inplace(*this, 1, g[0], a, 1)) gb = mm_mat2_grad(g[0], a, mat2_column_major);
    }
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    mat2.reset_data();
  }
};
struct BmmBackward0 final : NamedNode<"BmmBackward0"> {
  SavedVariable self, mat2;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = g[0].bmm(mat2.unpack().transpose(1, 2));
    if (should_compute_output(1)) gb = self.unpack().transpose(1, 2).bmm(g[0]);
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    mat2.reset_data();
  }
};
struct AddmmBackward0 final : NamedNode<"AddmmBackward0"> {
  SavedVariable mat1, mat2;
  bool mat1_column_major = false, mat2_column_major = false;
  DimVector self_sizes;
  ScalarType self_dtype;
  Scalar beta, alpha;
  variable_list apply(variable_list&& g) override {
    Tensor gs, g1, g2;
    const double a = alpha.toDouble();
    if (should_compute_output(0)) gs = reduce_grad(beta.toDouble() == 1 ? g[0] : g[0].mul(beta), self_sizes, self_dtype);
    if (should_compute_output(1))
      g1 = mm_mat1_grad(g[0], mat2.unpack(), mat1_column_major), g1 = a == 1 ? g1 : g1.mul(alpha);
    if (should_compute_output(2)) {
      Tensor m1 = mat1.unpack();
      if (!mat2_grad_inplace(*this, 2, g[0], m1, a))
        g2 = mm_mat2_grad(g[0], m1, mat2_column_major), g2 = a == 1 ? g2 : g2.mul(alpha);
    }
    return {gs, g1, g2};
  }
  void release_variables() override {
    mat1.reset_data();
    mat2.reset_data();
  }
};
// d(a.b): ga = g b, gb = g a. dot and vdot (the same product for real tensors) differ only in the name.
template <FixedString Name>
struct DotProductBackward final : NamedNode<Name> {
  SavedVariable self, other;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (this->should_compute_output(0)) ga = g[0].mul(other.unpack());
    if (this->should_compute_output(1)) gb = g[0].mul(self.unpack());
    return {ga, gb};
  }
  void release_variables() override {
    self.reset_data();
    other.reset_data();
  }
};
struct MvBackward0 final : NamedNode<"MvBackward0"> {
  SavedVariable self, vec;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gv;
    if (should_compute_output(0)) ga = g[0].unsqueeze(1).mul(vec.unpack().unsqueeze(0));
    if (should_compute_output(1)) gv = self.unpack().t().mv(g[0]);
    return {ga, gv};
  }
  void release_variables() override {
    self.reset_data();
    vec.reset_data();
  }
};

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 2, "self must be a matrix");
  EMBER_CHECK(b.dim() == 2, "mat2 must be a matrix");
  EMBER_CHECK(a.size(1) == b.size(0), "mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x", a.size(1), " and ",
              b.size(0), "x", b.size(1), ")");
  check_same_dtype(a, b, "mat1", "mat2");
  Tensor out = new_tensor({a.size(0), b.size(1)}, a.dtype());
  gemm_into(out, a, b, 0, 1);
  if (any_requires_grad(a, b)) {
    auto n = make_node<MmBackward0>(a, b);
    if (n->should_compute_output(1)) n->self = save(a);
    if (n->should_compute_output(0)) n->mat2 = save(b);
    n->self_column_major = is_column_major(a);
    n->mat2_column_major = is_column_major(b);
    set_history(out, n);
  }
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  EMBER_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  EMBER_CHECK(a.size(0) == b.size(0), "batch1 and batch2 must have same number of batches, got ", a.size(0), " and ",
              b.size(0));
  EMBER_CHECK(a.size(2) == b.size(1), "Expected size for first two dimensions of batch2 tensor to be: [", a.size(0), ", ",
              a.size(2), "] but got: [", b.size(0), ", ", b.size(1), "].");
  check_same_dtype(a, b, "batch1", "batch2");
  Tensor out = new_tensor({a.size(0), a.size(1), b.size(2)}, a.dtype());
  for (int64_t i = 0; i < a.size(0); ++i) {
    Tensor o = raw_view(out, {a.size(1), b.size(2)}, {b.size(2), 1}, i * a.size(1) * b.size(2));
    Tensor ai = raw_view(a, {a.size(1), a.size(2)}, {a.stride(1), a.stride(2)}, a.storage_offset() + i * a.stride(0));
    Tensor bi = raw_view(b, {b.size(1), b.size(2)}, {b.stride(1), b.stride(2)}, b.storage_offset() + i * b.stride(0));
    gemm_into(o, ai, bi, 0, 1);
  }
  if (any_requires_grad(a, b)) {
    auto n = make_node<BmmBackward0>(a, b);
    if (n->should_compute_output(1)) n->self = save(a);
    if (n->should_compute_output(0)) n->mat2 = save(b);
    set_history(out, n);
  }
  return out;
}

Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta, const Scalar& alpha) {
  EMBER_CHECK(mat1.dim() == 2, "mat1 must be a matrix, got ", mat1.dim(), "-D tensor");
  EMBER_CHECK(mat2.dim() == 2, "mat2 must be a matrix, got ", mat2.dim(), "-D tensor");
  EMBER_CHECK(mat1.size(1) == mat2.size(0), "mat1 and mat2 shapes cannot be multiplied (", mat1.size(0), "x",
              mat1.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  check_same_dtype(mat1, mat2, "mat1", "mat2");
  check_same_dtype(self, mat1, "self", "mat1");
  DimVector shape{mat1.size(0), mat2.size(1)};
  EMBER_CHECK(broadcast_shapes(self.sizes(), shape).ref() == shape.ref(), "The expanded size of the tensor (", shape[1],
              ") must match the existing size (", self.dim() ? self.size(-1) : 1, ") at non-singleton dimension 1.  Target sizes: ",
              shape, ".  Tensor sizes: ", self.sizes());
  Tensor out = new_tensor(shape, mat1.dtype());
  const double b = beta.toDouble();
  if (b != 0) kernels::copy(out, expand_raw(self, shape));
  gemm_into(out, mat1, mat2, b, alpha.toDouble());
  if (any_requires_grad(self, mat1, mat2)) {
    auto n = make_node<AddmmBackward0>(self, mat1, mat2);
    if (n->should_compute_output(2)) n->mat1 = save(mat1);
    if (n->should_compute_output(1)) n->mat2 = save(mat2);
    n->mat1_column_major = is_column_major(mat1);
    n->mat2_column_major = is_column_major(mat2);
    n->self_sizes = self.sizes();
    n->self_dtype = self.dtype();
    n->beta = beta;
    n->alpha = alpha;
    set_history(out, n);
  }
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(), "D tensors");
  EMBER_CHECK(a.numel() == b.numel(), "inconsistent tensor size, expected tensor [", a.numel(), "] and src [", b.numel(),
              "] to have the same number of elements, but got ", a.numel(), " and ", b.numel(), " elements respectively");
  EMBER_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ", to_string(a.dtype()),
              " and ", to_string(b.dtype()));
  return linalg_detail::dot_product(a, b, false);
}

namespace linalg_detail {
Tensor dot_product(const Tensor& a, const Tensor& b, bool vdot) {
  Tensor out = new_tensor({}, a.dtype());
  gemm_into(out, raw_view(a, {1, a.numel()}, {1, a.stride(0)}, a.storage_offset()),
            raw_view(b, {b.numel(), 1}, {b.stride(0), 1}, b.storage_offset()), 0, 1);
  if (any_requires_grad(a, b)) {
    auto record = [&](auto n) {
      if (n->should_compute_output(1)) n->self = save(a);
      if (n->should_compute_output(0)) n->other = save(b);
      set_history(out, n);
    };
    if (vdot) record(make_node<DotProductBackward<"VdotBackward0">>(a, b));
    else record(make_node<DotProductBackward<"DotBackward0">>(a, b));
  }
  return out;
}
}  // namespace linalg_detail

Tensor mv(const Tensor& a, const Tensor& v) {
  EMBER_CHECK(a.dim() == 2 && v.dim() == 1, "vector + matrix @ vector expected, got ", a.dim(), ", ", v.dim());
  EMBER_CHECK(a.size(1) == v.size(0), "size mismatch, got input (", a.size(0), "), mat (", a.size(0), "x", a.size(1),
              "), vec (", v.size(0), ")");
  check_same_dtype(a, v, "mat", "vec");
  Tensor out = new_tensor({a.size(0)}, a.dtype());
  gemm_into(raw_view(out, {a.size(0), 1}, {1, 1}, 0), a, raw_view(v, {v.size(0), 1}, {v.stride(0), 1}, v.storage_offset()), 0, 1);
  if (any_requires_grad(a, v)) {
    auto n = make_node<MvBackward0>(a, v);
    if (n->should_compute_output(1)) n->self = save(a);
    if (n->should_compute_output(0)) n->vec = save(v);
    set_history(out, n);
  }
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1D tensors, but got ", a.dim(), "D and ", b.dim(), "D");
  return a.unsqueeze(1).mul(b);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  EMBER_CHECK(da > 0 && db > 0, "both arguments to matmul need to be at least 1D, but they are ", da, "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return a.unsqueeze(0).mm(b).squeeze(0);
  if (da == 2 && db == 2) return mm(a, b);
  if (da >= 3 && (db == 1 || db == 2)) {
    // Fold a's batch dims into its rows: one GEMM.
    DimVector out_shape(a.sizes());
    out_shape.pop_back();
    // Explicit row count: -1 cannot be inferred when a's last dim is 0.
    Tensor folded = a.reshape({numel_of(IntArrayRef(a.sizes().data(), da - 1)), a.size(-1)});
    if (db == 1) return unsafe_view(folded.mv(b), out_shape);
    out_shape.push_back(b.size(1));
    return unsafe_view(folded.mm(b), out_shape);
  }
  // Batched: broadcast the batch dims, then bmm.
  Tensor a2 = da == 1 ? a.unsqueeze(0) : a;
  Tensor b2 = db == 1 ? b.unsqueeze(-1) : b;
  IntArrayRef ba(a2.sizes().data(), a2.dim() - 2), bb(b2.sizes().data(), b2.dim() - 2);
  DimVector batch = broadcast_shapes(ba, bb);
  const int64_t n = a2.size(-2), k = a2.size(-1), k2 = b2.size(-2), m = b2.size(-1);
  EMBER_CHECK(k == k2, "Expected size for first two dimensions of batch2 tensor to be: [", numel_of(batch), ", ", k,
              "] but got: [", numel_of(batch), ", ", k2, "].");
  DimVector ea(batch), eb(batch);
  ea.push_back(n), ea.push_back(k);
  eb.push_back(k2), eb.push_back(m);
  const int64_t bsz = numel_of(batch);
  Tensor r = a2.expand(ea).reshape({bsz, n, k}).bmm(b2.expand(eb).reshape({bsz, k2, m}));
  DimVector out_shape(batch);
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return unsafe_view(r, out_shape);
}

}  // namespace ember
