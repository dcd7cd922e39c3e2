// Products beside mm/bmm/matmul: addmv, addr, addbmm, baddbmm (and in-place forms), vdot,
// chain_matmul/multi_dot, vecdot, cross, vander, matrix_power, matrix_exp; and the Tensor methods
// of the LAPACK-backed linear-algebra ops.
#include <cmath>
#include <functional>
#include <limits>

#include "ops/elementwise.h"
#include "ops/linalg_util.h"

namespace ember {

using namespace linalg_detail;

namespace {

void same_dtype(const Tensor& a, const Tensor& b, const char* an, const char* bn) {
  EMBER_CHECK(a.dtype() == b.dtype(), "expected ", an, " and ", bn, " to have the same dtype, but got: ",
              torch_name(a.dtype()) + 6, " != ", torch_name(b.dtype()) + 6);
}
// An integer product keeps its dtype: a floating beta/alpha is converted to it first, as LibTorch
// converts (a value out of its range is refused with LibTorch's message).
Tensor scaled(const Tensor& t, const Scalar& s) {
  if (s.toDouble() == 1) return t;
  if (!t.is_floating_point() && s.isFloatingPoint()) {
    check_value_fits(s, t.dtype());
    return t.mul(t.dtype() == kBool ? Scalar(s.toDouble() != 0) : Scalar(static_cast<int64_t>(s.toDouble())));
  }
  return t.mul(s);
}

// beta * self (broadcast to `shape`; 0 when beta is 0, NaNs in self included) + alpha * product.
Tensor add_scaled(const Tensor& self, const Tensor& product, const Scalar& beta, const Scalar& alpha) {
  Tensor p = scaled(product, alpha);
  if (beta.toDouble() == 0) return p;
  return scaled(expand_raw(self.detach(), product.sizes()), beta) + p;
}

struct AddmvBackward0 final : NamedNode<"AddmvBackward0"> {
  SavedVariable mat, vec;
  DimVector self_sizes;
  ScalarType dtype = kFloat;
  Scalar beta, alpha;
  variable_list apply(variable_list&& g) override {
    Tensor gs, gm, gv;
    if (should_compute_output(0)) gs = reduce_grad(scaled(g[0], beta), self_sizes, dtype);
    if (should_compute_output(1)) gm = scaled(g[0].unsqueeze(1).mul(vec.unpack().unsqueeze(0)), alpha);
    if (should_compute_output(2)) gv = scaled(mat.unpack().t().mv(g[0]), alpha);
    return {gs, gm, gv};
  }
  void release_variables() override {
    mat.reset_data();
    vec.reset_data();
  }
};
struct AddrBackward0 final : NamedNode<"AddrBackward0"> {
  SavedVariable vec1, vec2;
  DimVector self_sizes;
  ScalarType dtype = kFloat;
  Scalar beta, alpha;
  variable_list apply(variable_list&& g) override {
    Tensor gs, g1, g2;
    if (should_compute_output(0)) gs = reduce_grad(scaled(g[0], beta), self_sizes, dtype);
    if (should_compute_output(1)) g1 = scaled(g[0].mv(vec2.unpack()), alpha);
    if (should_compute_output(2)) g2 = scaled(g[0].t().mv(vec1.unpack()), alpha);
    return {gs, g1, g2};
  }
  void release_variables() override {
    vec1.reset_data();
    vec2.reset_data();
  }
};
// baddbmm (batched output) and addbmm (the batch summed): the same gradients, g broadcast over the batch.
struct BatchAddBackward final : Node {
  const char* name_;
  SavedVariable b1, b2;
  DimVector self_sizes;
  ScalarType dtype = kFloat;
  Scalar beta, alpha;
  bool summed = false;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor gs, g1, g2;
    Tensor gb = g[0];
    if (should_compute_output(0)) gs = reduce_grad(scaled(g[0], beta), self_sizes, dtype);
    if (summed && (should_compute_output(1) || should_compute_output(2))) {
      const Tensor& ref = should_compute_output(1) ? b1.unpack() : b2.unpack();
      gb = g[0].unsqueeze(0).expand({ref.size(0), g[0].size(0), g[0].size(1)});
    }
    if (should_compute_output(1)) g1 = scaled(gb.bmm(b2.unpack().transpose(1, 2)), alpha);
    if (should_compute_output(2)) g2 = scaled(b1.unpack().transpose(1, 2).bmm(gb), alpha);
    return {gs, g1, g2};
  }
  void release_variables() override {
    b1.reset_data();
    b2.reset_data();
  }
};
// c = a x b along dim: ga = b x g, gb = g x a.
struct LinalgCrossBackward0 final : NamedNode<"LinalgCrossBackward0"> {
  SavedVariable a, b;
  int64_t dim = -1;
  DimVector a_sizes, b_sizes;
  ScalarType dtype = kFloat;
  variable_list apply(variable_list&& g) override {
    Tensor ga, gb;
    if (should_compute_output(0)) ga = reduce_grad(linalg_cross(b.unpack().expand(g[0].sizes()), g[0], dim), a_sizes, dtype);
    if (should_compute_output(1)) gb = reduce_grad(linalg_cross(g[0], a.unpack().expand(g[0].sizes()), dim), b_sizes, dtype);
    return {ga, gb};
  }
  void release_variables() override {
    a.reset_data();
    b.reset_data();
  }
};

// d/dA <G, exp(A)> = exp of the block matrix [[A^T, G], [0, A^T]], upper right block.
struct LinalgMatrixExpBackward0 final : NamedNode<"LinalgMatrixExpBackward0"> {
  SavedVariable A;
  variable_list apply(variable_list&& g) override {
    Tensor a = A.unpack();
    const int64_t n = a.size(-1);
    Tensor at = a.mT();
    Tensor zero = zeros_like(at);
    Tensor big = cat({cat({at, g[0]}, -1), cat({zero, at}, -1)}, -2);
    return {linalg_matrix_exp(big).narrow(-2, 0, n).narrow(-1, n, n)};
  }
  void release_variables() override { A.reset_data(); }
};

Tensor cross_raw(const Tensor& a, const Tensor& b, int64_t d) {
  auto part = [&](const Tensor& t, int64_t i) { return t.narrow(d, i, 1); };
  Tensor c0 = part(a, 1) * part(b, 2) - part(a, 2) * part(b, 1);
  Tensor c1 = part(a, 2) * part(b, 0) - part(a, 0) * part(b, 2);
  Tensor c2 = part(a, 0) * part(b, 1) - part(a, 1) * part(b, 0);
  return cat({c0, c1, c2}, d);
}

// exp(A) by scaling and squaring of a Taylor polynomial: A / 2^s has 1-norm below 1/2, where 18
// terms leave a truncation error under 1e-22 relative.
Tensor matrix_exp_raw(const Tensor& A) {
  NoGradGuard no_grad;
  const int64_t n = A.size(-1);
  if (A.numel() == 0) return fresh_copy(A);
  Tensor norms = A.abs().sum({-2}).amax({-1});  // per matrix 1-norm
  const double norm = norms.amax().item<double>();
  if (!std::isfinite(norm)) return full(A.sizes(), std::numeric_limits<double>::quiet_NaN(), TensorOptions(A.dtype()));
  int s = 0;
  if (norm > 0.5) s = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
  Tensor X = s > 0 ? A.mul(std::ldexp(1.0, -s)) : A;
  Tensor eyes = batch_eye(batch_of(A), n, A.dtype());
  Tensor term = eyes, sum = eyes.contiguous();
  for (int k = 1; k <= 18; ++k) {
    term = term.matmul(X).div(static_cast<double>(k));
    sum = sum + term;
  }
  for (int i = 0; i < s; ++i) sum = sum.matmul(sum);
  return sum.contiguous();
}

}  // namespace

// ---- add-product family
Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta, const Scalar& alpha) {
  EMBER_CHECK(mat.dim() == 2 && vec.dim() == 1 && self.dim() <= 1, "vector + matrix @ vector expected, got ", self.dim(),
              ", ", mat.dim(), ", ", vec.dim());
  EMBER_CHECK(mat.size(1) == vec.size(0) && (self.numel() == 1 || (self.dim() == 1 && self.size(0) == mat.size(0))),
              "size mismatch, got ", self.dim() ? self.size(0) : 1, ", ", mat.size(0), "x", mat.size(1), ",", vec.size(0));
  same_dtype(mat, vec, "mat", "vec");
  same_dtype(self, mat, "self", "mat");
  Tensor out;
  {
    NoGradGuard no_grad;
    // As PyTorch's gemv (BLAS): alpha = 0 reads neither mat nor vec, so an inf or NaN there gives
    // no NaN (addmm, addr and the batched products do multiply).
    Tensor product =
        alpha.toDouble() == 0 ? zeros({mat.size(0)}, TensorOptions(mat.dtype())) : mat.detach().mv(vec.detach());
    out = add_scaled(self, product, beta, alpha).contiguous();
  }
  if (any_requires_grad(self, mat, vec)) {
    auto n = make_node<AddmvBackward0>(self, mat, vec);
    if (n->should_compute_output(2)) n->mat = save(mat);
    if (n->should_compute_output(1)) n->vec = save(vec);
    n->self_sizes = self.sizes();
    n->dtype = self.dtype();
    n->beta = beta;
    n->alpha = alpha;
    set_history(out, n);
  }
  return out;
}
Tensor& addmv_(Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta, const Scalar& alpha) {
  return self.addmv_(mat, vec, beta, alpha);
}

Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, const Scalar& beta, const Scalar& alpha) {
  EMBER_CHECK(vec1.dim() == 1, "addr: Expected 1-D argument vec1, but got ", vec1.dim(), "-D");
  EMBER_CHECK(vec2.dim() == 1, "addr: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  same_dtype(vec1, vec2, "vec1", "vec2");
  same_dtype(self, vec1, "self", "vec1");
  DimVector shape{vec1.size(0), vec2.size(0)};
  EMBER_CHECK(broadcast_shapes(self.sizes(), shape).ref() == shape.ref(), "The expanded size of the tensor (", shape[1],
              ") must match the existing size (", self.dim() ? self.size(-1) : 1,
              ") at non-singleton dimension 1.  Target sizes: ", shape, ".  Tensor sizes: ", self.sizes());
  Tensor out;
  {
    NoGradGuard no_grad;
    out = add_scaled(self, outer(vec1.detach(), vec2.detach()), beta, alpha).contiguous();
  }
  if (any_requires_grad(self, vec1, vec2)) {
    auto n = make_node<AddrBackward0>(self, vec1, vec2);
    n->vec1 = save(vec1);
    n->vec2 = save(vec2);
    n->self_sizes = self.sizes();
    n->dtype = self.dtype();
    n->beta = beta;
    n->alpha = alpha;
    set_history(out, n);
  }
  return out;
}

namespace {
Tensor batch_add(const Tensor& self, const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha,
                 bool summed) {
  EMBER_CHECK(b1.dim() == 3, "batch1 must be a 3D tensor");
  EMBER_CHECK(b2.dim() == 3, "batch2 must be a 3D tensor");
  EMBER_CHECK(b1.size(0) == b2.size(0), "batch1 and batch2 must have same number of batches, got ", b1.size(0), " and ",
              b2.size(0));
  EMBER_CHECK(b1.size(2) == b2.size(1), "Expected size for first two dimensions of batch2 tensor to be: [", b1.size(0),
              ", ", b1.size(2), "] but got: [", b2.size(0), ", ", b2.size(1), "].");
  same_dtype(b1, b2, "batch1", "batch2");
  same_dtype(self, b1, "self", "batch1");
  DimVector shape = summed ? DimVector{b1.size(1), b2.size(2)} : DimVector{b1.size(0), b1.size(1), b2.size(2)};
  EMBER_CHECK(broadcast_shapes(self.sizes(), shape).ref() == shape.ref(), "The expanded size of the tensor (",
              shape[shape.size() - 1], ") must match the existing size (", self.dim() ? self.size(-1) : 1,
              ") at non-singleton dimension ", shape.size() - 1, ".  Target sizes: ", shape, ".  Tensor sizes: ",
              self.sizes());
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor prod = b1.detach().bmm(b2.detach());
    if (summed) prod = prod.sum({0}, false, prod.dtype());  // integers stay in their dtype, as LibTorch's
    out = add_scaled(self, prod, beta, alpha).contiguous();
  }
  if (any_requires_grad(self, b1, b2)) {
    auto n = make_node<BatchAddBackward>(self, b1, b2);
    n->name_ = summed ? "AddbmmBackward0" : "BaddbmmBackward0";
    n->b1 = save(b1);
    n->b2 = save(b2);
    n->self_sizes = self.sizes();
    n->dtype = self.dtype();
    n->beta = beta;
    n->alpha = alpha;
    n->summed = summed;
    set_history(out, n);
  }
  return out;
}

}  // namespace

Tensor addbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta, const Scalar& alpha) {
  return batch_add(self, batch1, batch2, beta, alpha, true);
}
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta, const Scalar& alpha) {
  return batch_add(self, batch1, batch2, beta, alpha, false);
}

Tensor vdot(const Tensor& self, const Tensor& other) {
  EMBER_CHECK(self.dim() == 1 && other.dim() == 1, "1D tensors expected, but got ", self.dim(), "D and ", other.dim(),
              "D tensors");
  EMBER_CHECK(self.dtype() == other.dtype(), "vdot : expected both vectors to have same dtype, but found ",
              to_string(self.dtype()), " and ", to_string(other.dtype()));
  EMBER_CHECK(self.numel() == other.numel(), "inconsistent tensor size, expected tensor [", self.numel(),
              "] and src [", other.numel(), "] to have the same number of elements, but got ", self.numel(), " and ",
              other.numel(), " elements respectively");
  return dot_product(self, other, true);
}

Tensor linalg_multi_dot(TensorList tensors) {
  const size_t n = tensors.size();
  EMBER_CHECK(n >= 2, "multi_dot(): expected at least 2 tensors but got ", n);
  const int64_t first = tensors[0].dim(), last = tensors[n - 1].dim();
  EMBER_CHECK(first == 1 || first == 2, "multi_dot(): the first tensor must be 1D or 2D but got ", first, "D");
  EMBER_CHECK(last == 1 || last == 2, "multi_dot(): the last tensor must be 1D or 2D but got ", last, "D");
  for (size_t i = 1; i + 1 < n; ++i)
    EMBER_CHECK(tensors[i].dim() == 2, "multi_dot(): tensor ", i, " must be 2D but got ", tensors[i].dim(), "D");
  for (size_t i = 1; i < n; ++i)
    EMBER_CHECK(tensors[i].dtype() == tensors[0].dtype(), "multi_dot(): all tensors must have be the same dtype but tensor 0 is ",
                to_string(tensors[0].dtype()), " and tensor ", i, " ", to_string(tensors[i].dtype()));
  std::vector<Tensor> m;
  for (size_t i = 0; i < n; ++i) {
    Tensor t = tensors[i];
    if (i == 0 && first == 1) t = t.unsqueeze(0);
    if (i == n - 1 && last == 1) t = t.unsqueeze(-1);
    m.push_back(t);
  }
  for (size_t i = 0; i + 1 < n; ++i)
    EMBER_CHECK(m[i].size(1) == m[i + 1].size(0), "multi_dot(): tensors ", i, " and ", i + 1,
                " with shapes ", m[i].sizes(), " and ", m[i + 1].sizes(), " cannot be multiplied");
  // The cheapest order of the products, by dynamic programming over the chain (as PyTorch does).
  const size_t k = n;
  std::vector<int64_t> dims(k + 1);
  dims[0] = m[0].size(0);
  for (size_t i = 0; i < k; ++i) dims[i + 1] = m[i].size(1);
  std::vector<std::vector<double>> cost(k, std::vector<double>(k, 0));
  std::vector<std::vector<size_t>> split(k, std::vector<size_t>(k, 0));
  for (size_t len = 1; len < k; ++len)
    for (size_t i = 0; i + len < k; ++i) {
      const size_t j = i + len;
      cost[i][j] = std::numeric_limits<double>::infinity();
      for (size_t s = i; s < j; ++s) {
        const double c = cost[i][s] + cost[s + 1][j] + double(dims[i]) * double(dims[s + 1]) * double(dims[j + 1]);
        if (c < cost[i][j]) {
          cost[i][j] = c;
          split[i][j] = s;
        }
      }
    }
  std::function<Tensor(size_t, size_t)> chain = [&](size_t i, size_t j) -> Tensor {
    if (i == j) return m[i];
    return chain(i, split[i][j]).mm(chain(split[i][j] + 1, j));
  };
  Tensor r = chain(0, k - 1);
  // back to the shape the 1-D ends ask for (a view, as PyTorch's result is)
  if (first == 1 && last == 1) return r.view({});
  if (first == 1) return r.view({r.size(1)});
  if (last == 1) return r.view({r.size(0)});
  return r.view({r.size(0), r.size(1)});
}
Tensor chain_matmul(TensorList matrices) {
  EMBER_CHECK(!matrices.empty(), "chain_matmul(): Expected one or more matrices");
  for (const auto& t : matrices)
    EMBER_CHECK(t.dim() == 2, "Tensor dimension is ", t.dim(), ", expected 2 instead.");
  if (matrices.size() == 1) return matrices[0].clone();
  return linalg_multi_dot(matrices);
}
Tensor linalg_matmul(const Tensor& self, const Tensor& other) { return matmul(self, other); }

Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim) {
  EMBER_CHECK(x.dtype() == y.dtype(), "linalg.vecdot: Expected x and y to have the same dtype, but found x of type ",
              to_string(x.dtype()), " and y of type ", to_string(y.dtype()), " instead");
  return (x * y).sum({dim});
}

// ---- cross products
Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim) {
  EMBER_CHECK(self.dim() == other.dim(), "linalg.cross: inputs must have the same number of dimensions.");
  DimVector shape = broadcast_shapes(self.sizes(), other.sizes());
  const int64_t d = maybe_wrap_dim(dim, static_cast<int64_t>(shape.size()));
  EMBER_CHECK(self.size(d) == 3 && other.size(d) == 3, "linalg.cross: inputs dimension ", dim,
              " must have length 3. Got ", self.size(d), " and ", other.size(d));
  same_dtype(self, other, "self", "other");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = cross_raw(self.detach().expand(shape), other.detach().expand(shape), d).contiguous();
  }
  if (any_requires_grad(self, other)) {
    auto n = make_node<LinalgCrossBackward0>(self, other);
    n->a = save(self);
    n->b = save(other);
    n->dim = d;
    n->a_sizes = self.sizes();
    n->b_sizes = other.sizes();
    n->dtype = self.dtype();
    set_history(out, n);
  }
  return out;
}
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim) {
  if (dim) return linalg_cross(self, other, *dim);
  // Without a dim, self's first of size 3 (the deprecated default LibTorch 1.13 keeps; it looks at
  // self's sizes, not the broadcast shape).
  for (int64_t d = 0; d < self.dim(); ++d)
    if (self.size(d) == 3) return linalg_cross(self, other, d);
  fail("no dimension of size 3 in input");
}

Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N) {
  EMBER_CHECK(x.dim() >= 1, "x must be at least 1-dimensional.");
  const int64_t n = N.value_or(x.size(-1));
  EMBER_CHECK(n > 1, "N must be greater than 1.");
  // Columns x^0 .. x^{N-1}: cumprod keeps it differentiable at x = 0.
  std::vector<Tensor> cols{ones_like(x).unsqueeze(-1)};
  if (n > 1) cols.push_back(x.unsqueeze(-1).expand(with_tail(DimVector(x.sizes()), {n - 1})).cumprod(-1));
  return cat(cols, -1);
}

Tensor linalg_diagonal(const Tensor& A, int64_t offset, int64_t dim1, int64_t dim2) {
  return A.diagonal(offset, dim1, dim2);
}

// ---- matrix functions
Tensor linalg_matrix_power(const Tensor& self, int64_t n) {
  check_square(self, "linalg.matrix_power");
  if (n == 0) {
    Tensor eye = batch_eye(batch_of(self), self.size(-1), self.dtype()).contiguous();
    // LibTorch copies the identity into a clone of self: the result requires grad (a zero gradient).
    return any_requires_grad(self) ? self.contiguous().clone().copy_(eye) : eye;
  }
  Tensor base = n < 0 ? linalg_inv(self) : self;
  int64_t e = n < 0 ? -n : n;
  if (e == 1) return base.clone();
  // binary powering, written with matmul so that autograd follows it
  Tensor result, z = base;
  while (e > 0) {
    if (e & 1) result = result.defined() ? result.matmul(z) : z;
    e >>= 1;
    if (e > 0) z = z.matmul(z);
  }
  return result;
}
Tensor matrix_power(const Tensor& self, int64_t n) { return linalg_matrix_power(self, n); }

Tensor linalg_matrix_exp(const Tensor& self) {
  check_square(self, "linalg.matrix_exp");
  EMBER_CHECK(self.dtype() == kFloat || self.dtype() == kDouble,
              "matrix_exp: Expected a floating point or complex tensor as input. Got ", to_string(self.dtype()));
  Tensor out = matrix_exp_raw(self.detach());
  if (any_requires_grad(self)) {
    auto n = make_node<LinalgMatrixExpBackward0>(self);
    n->A = save(self);
    set_history(out, n);
  }
  return out;
}
Tensor matrix_exp(const Tensor& self) { return linalg_matrix_exp(self); }

// ---- Tensor methods
using T = Tensor;
T& T::addmm_(const T& m1, const T& m2, const Scalar& b, const Scalar& a) const {
  return assign_inplace(mutable_self(), ember::addmm(input_for_inplace(*this), m1, m2, b, a));
}
T T::addmv(const T& mat, const T& vec, const Scalar& b, const Scalar& a) const { return ember::addmv(*this, mat, vec, b, a); }
T& T::addmv_(const T& mat, const T& vec, const Scalar& b, const Scalar& a) const {
  return assign_inplace(mutable_self(), ember::addmv(input_for_inplace(*this), mat, vec, b, a));
}
T T::addr(const T& v1, const T& v2, const Scalar& b, const Scalar& a) const { return ember::addr(*this, v1, v2, b, a); }
T& T::addr_(const T& v1, const T& v2, const Scalar& b, const Scalar& a) const {
  return assign_inplace(mutable_self(), ember::addr(input_for_inplace(*this), v1, v2, b, a));
}
T T::addbmm(const T& b1, const T& b2, const Scalar& b, const Scalar& a) const { return ember::addbmm(*this, b1, b2, b, a); }
T& T::addbmm_(const T& b1, const T& b2, const Scalar& b, const Scalar& a) const {
  return assign_inplace(mutable_self(), ember::addbmm(input_for_inplace(*this), b1, b2, b, a));
}
T T::baddbmm(const T& b1, const T& b2, const Scalar& b, const Scalar& a) const { return ember::baddbmm(*this, b1, b2, b, a); }
T& T::baddbmm_(const T& b1, const T& b2, const Scalar& b, const Scalar& a) const {
  return assign_inplace(mutable_self(), ember::baddbmm(input_for_inplace(*this), b1, b2, b, a));
}
T T::vdot(const T& other) const { return ember::vdot(*this, other); }
T T::cross(const T& other, std::optional<int64_t> dim) const { return ember::cross(*this, other, dim); }
T T::matrix_power(int64_t n) const { return ember::matrix_power(*this, n); }
T T::matrix_exp() const { return ember::matrix_exp(*this); }
T T::det() const { return ember::det(*this); }
T T::logdet() const { return ember::logdet(*this); }
std::tuple<T, T> T::slogdet() const { return ember::slogdet(*this); }
T T::inverse() const { return ember::inverse(*this); }
T T::pinverse(double rcond) const { return ember::pinverse(*this, rcond); }
T T::lu_solve(const T& LU_data, const T& LU_pivots) const { return ember::lu_solve(*this, LU_data, LU_pivots); }
T T::cholesky(bool upper) const { return ember::cholesky(*this, upper); }
T T::cholesky_inverse(bool upper) const { return ember::cholesky_inverse(*this, upper); }
T T::cholesky_solve(const T& input2, bool upper) const { return ember::cholesky_solve(*this, input2, upper); }
std::tuple<T, T> T::triangular_solve(const T& A, bool upper, bool transpose, bool unitriangular) const {
  return ember::triangular_solve(*this, A, upper, transpose, unitriangular);
}
std::tuple<T, T> T::qr(bool some) const { return ember::qr(*this, some); }
std::tuple<T, T> T::geqrf() const { return ember::geqrf(*this); }
T T::orgqr(const T& input2) const { return ember::orgqr(*this, input2); }
T T::ormqr(const T& input2, const T& input3, bool left, bool transpose) const {
  return ember::ormqr(*this, input2, input3, left, transpose);
}
std::tuple<T, T> T::symeig(bool eigenvectors, bool upper) const { return ember::symeig(*this, eigenvectors, upper); }
std::tuple<T, T, T> T::svd(bool some, bool compute_uv) const { return ember::svd(*this, some, compute_uv); }

}  // namespace ember
