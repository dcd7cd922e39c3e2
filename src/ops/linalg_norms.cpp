// Norms and condition numbers of torch.linalg: vector_norm (with its own backward), matrix_norm
// ('fro', 'nuc', +-1, +-2, +-inf), norm, frobenius_norm, nuclear_norm, cond.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/linalg_util.h"

namespace ember {

using namespace linalg_detail;

namespace {

// d ||x||_p: x |x|^{p-2} / ||x||^{p-1} (0 where the norm is 0); sign(x) for p = 1; the ties of the
// maximum share the gradient for p = +-inf; none (undefined, as LibTorch's) for p = 0.
struct LinalgVectorNormBackward0 final : NamedNode<"LinalgVectorNormBackward0"> {
  SavedVariable self, result;
  double p = 2;
  std::vector<int64_t> dims;  // reduced dims, sorted; empty: all
  bool keepdim = false;
  variable_list apply(variable_list&& g) override {
    Tensor x = self.unpack(), r = result.unpack(this), gr = g[0];
    if (!keepdim) {
      if (dims.empty()) {
        DimVector ones(x.dim(), 1);
        r = r.reshape(ones);
        gr = gr.reshape(ones);
      } else if (x.dim() > 0) {  // a 0-d input's dim 0 is no dim of the gradient
        for (int64_t d : dims) {
          r = r.unsqueeze(d);
          gr = gr.unsqueeze(d);
        }
      }
    }
    if (p == 0) return {Tensor()};  // LibTorch's backward of the 0-"norm" (a count) returns no gradient
    if (p == 1) return {x.sgn() * gr};
    if (std::isinf(p)) {
      // A NaN norm's maxima are its NaN elements (as PyTorch): sgn(NaN) = 0 gives them 0, and
      // the others get 0 rather than 0/0.
      Tensor hit = x.abs().eq(r);
      Tensor mask = hit.to(x.dtype());
      std::vector<int64_t> all;
      for (int64_t d = 0; d < x.dim(); ++d) all.push_back(d);
      Tensor count = hit.logical_or(x.isnan().logical_and(r.isnan()))
                         .to(x.dtype())
                         .sum(dims.empty() || x.dim() == 0 ? IntArrayRef(all) : IntArrayRef(dims), true);
      return {x.sgn() * mask * (gr / count)};
    }
    Tensor scale = where(r.eq(0), 0.0, p == 2 ? gr / r : gr / r.pow(p - 1));
    if (p == 2) return {x * scale};
    return {x.sgn() * x.abs().pow(p - 1) * scale};
  }
  void release_variables() override {
    self.reset_data();
    result.reset_data();
  }
};

std::vector<int64_t> matrix_dims(const Tensor& A, IntArrayRef dim, const char* op) {
  EMBER_CHECK(dim.size() == 2, op, ": dim must be a 2-tuple. Got ", dim);
  const int64_t d0 = maybe_wrap_dim(dim[0], A.dim()), d1 = maybe_wrap_dim(dim[1], A.dim());
  EMBER_CHECK(d0 != d1, op, ": dims must be different. Got (", dim[0], ", ", dim[1], ")");
  return {d0, d1};
}

// The singular values of A's matrices along (d0, d1), reduced by `f` over the last dim; keepdim
// puts the two dims back as size 1.
template <typename F>
Tensor over_svdvals(const Tensor& A, int64_t d0, int64_t d1, bool keepdim, F&& f) {
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < A.dim(); ++d)
    if (d != d0 && d != d1) perm.push_back(d);
  perm.push_back(d0);
  perm.push_back(d1);
  Tensor r = f(linalg_svdvals(A.permute(perm)));
  if (!keepdim) return r;
  // the two reduced dims come back as size 1, where they were
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return r.unsqueeze(-1).unsqueeze(-1).permute(inverse);
}

// LibTorch's check that the input converts to `dtype` without narrowing.
void check_norm_dtype(const Tensor& x, std::optional<ScalarType> dtype, const char* op) {
  if (!dtype) return;
  EMBER_CHECK(*dtype == kFloat || *dtype == kDouble, op, ": dtype should be floating point or complex, but got ",
              to_string(*dtype));
  EMBER_CHECK(promote_types(x.dtype(), *dtype) == *dtype, op, ": the dtype of the input (", to_string(x.dtype()),
              ") should be convertible without narrowing to the specified dtype (", to_string(*dtype), ")");
}

}  // namespace

Tensor linalg_vector_norm(const Tensor& x_in, const Scalar& ord, std::optional<std::vector<int64_t>> dim, bool keepdim,
                          std::optional<ScalarType> dtype) {
  check_floating(x_in, "linalg.vector_norm");
  check_norm_dtype(x_in, dtype, "linalg.vector_norm");
  const Tensor x = dtype && *dtype != x_in.dtype() ? x_in.to(*dtype) : x_in;
  const double p = ord.toDouble();
  std::vector<int64_t> dims;
  if (dim) {
    for (int64_t d : *dim) dims.push_back(maybe_wrap_dim(d, x.dim()));
    std::sort(dims.begin(), dims.end());
  }
  if (std::isinf(p) || p < 0) {
    bool empty_reduction = x.numel() == 0 && dims.empty();
    // A 0-d input has one element: its dim 0 (or -1) reduces nothing away.
    if (x.dim() > 0)
      for (int64_t d : dims) empty_reduction = empty_reduction || x.size(d) == 0;
    EMBER_CHECK(!empty_reduction, "linalg.vector_norm cannot compute the ", ord.toDouble() == -INFINITY ? "-inf" : "inf",
                " norm on an empty tensor because the operation does not have an identity");
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    out = norm(x.detach(), ord, IntArrayRef(dims), keepdim);  // no dims: every dim
  }
  if (any_requires_grad(x)) {
    auto n = make_node<LinalgVectorNormBackward0>(x);
    n->self = save(x);
    n->result = save_output(out);
    n->p = p;
    n->dims = dims;
    n->keepdim = keepdim;
    set_history(out, n);
  }
  return out;
}

Tensor linalg_matrix_norm(const Tensor& A_in, const Scalar& ord, IntArrayRef dim, bool keepdim,
                          std::optional<ScalarType> dtype) {
  check_matrix(A_in, "linalg.matrix_norm");
  check_floating(A_in, "linalg.matrix_norm");
  const double p = ord.toDouble();
  const double ap = std::abs(p);
  EMBER_CHECK(ap == 2 || ap == 1 || std::isinf(ap), "linalg.matrix_norm: Order ", ord.toDouble(), " not supported.");
  std::vector<int64_t> d = matrix_dims(A_in, dim, "linalg.matrix_norm");
  check_norm_dtype(A_in, dtype, "linalg.matrix_norm");
  const Tensor A = dtype && *dtype != A_in.dtype() ? A_in.to(*dtype) : A_in;
  if (ap == 2) {
    return over_svdvals(A, d[0], d[1], keepdim, [&](const Tensor& s) {
      return p > 0 ? s.amax({-1}) : s.amin({-1});
    });
  }
  // The inf-norm is the 1-norm of the transpose: sum |a| over one dim, then max over the other.
  if (std::isinf(ap)) std::swap(d[0], d[1]);
  if (!keepdim && d[0] < d[1]) --d[1];
  Tensor sums = linalg_vector_norm(A, 1.0, std::vector<int64_t>{d[0]}, keepdim);
  return p > 0 ? sums.amax({d[1]}, keepdim) : sums.amin({d[1]}, keepdim);
}

Tensor linalg_matrix_norm(const Tensor& A_in, std::string_view ord, IntArrayRef dim, bool keepdim,
                          std::optional<ScalarType> dtype) {
  check_matrix(A_in, "linalg.matrix_norm");
  check_floating(A_in, "linalg.matrix_norm");
  EMBER_CHECK(ord == "fro" || ord == "nuc", "linalg.matrix_norm: Order ", ord, " not supported.");
  std::vector<int64_t> d = matrix_dims(A_in, dim, "linalg.matrix_norm");
  check_norm_dtype(A_in, dtype, "linalg.matrix_norm");
  const Tensor A = dtype && *dtype != A_in.dtype() ? A_in.to(*dtype) : A_in;
  if (ord == "fro") return linalg_vector_norm(A, 2.0, d, keepdim);
  return over_svdvals(A, d[0], d[1], keepdim, [](const Tensor& s) { return s.sum({-1}); });
}

Tensor linalg_norm(const Tensor& x, const std::optional<Scalar>& ord, std::optional<std::vector<int64_t>> dim, bool keepdim,
                   std::optional<ScalarType> dtype) {
  if (dim) {
    EMBER_CHECK(dim->size() == 1 || dim->size() == 2, "linalg.norm: If dim is specified, it must be of length 1 or 2. Got ",
                IntArrayRef(*dim));
  } else if (ord) {
    EMBER_CHECK(x.dim() == 1 || x.dim() == 2, "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ",
                x.dim(), "D.");
  }
  if (ord && ((dim && dim->size() == 2) || (!dim && x.dim() == 2))) {
    std::vector<int64_t> d = dim ? *dim : std::vector<int64_t>{0, 1};
    return linalg_matrix_norm(x, *ord, d, keepdim, dtype);
  }
  return linalg_vector_norm(x, ord.value_or(Scalar(2.0)), std::move(dim), keepdim, dtype);
}

Tensor linalg_norm(const Tensor& x, std::string_view ord, std::optional<std::vector<int64_t>> dim, bool keepdim,
                   std::optional<ScalarType> dtype) {
  if (dim) {
    EMBER_CHECK(dim->size() == 1 || dim->size() == 2, "linalg.norm: If dim is specified, it mut be of length 1 or 2. Got ",
                IntArrayRef(*dim));
  } else {
    EMBER_CHECK(x.dim() == 1 || x.dim() == 2, "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ",
                x.dim(), "D.");
  }
  std::vector<int64_t> d = dim ? *dim : std::vector<int64_t>{0, 1};
  return linalg_matrix_norm(x, ord, d, keepdim, dtype);
}

Tensor frobenius_norm(const Tensor& self) { return norm(self, Scalar(2.0)); }
Tensor frobenius_norm(const Tensor& self, IntArrayRef dim, bool keepdim) {
  EMBER_CHECK(dim.size() <= 2, "Expected at most 2 dimensions, but got ", dim.size(), " dimensions instead.");
  if (dim.size() < 2) return norm(self, Scalar(2.0), dim, keepdim);
  EMBER_CHECK(maybe_wrap_dim(dim[0], self.dim()) != maybe_wrap_dim(dim[1], self.dim()), "Expected dims to be different, got ",
              dim, " instead");
  return (self * self).sum(dim, keepdim).sqrt();
}

Tensor nuclear_norm(const Tensor& self, bool keepdim) {
  EMBER_CHECK(self.dim() == 2, "Expected a tensor with 2 dimensions, but got a ", self.dim(), " dimensions tensor instead.");
  return nuclear_norm(self, {-2, -1}, keepdim);
}
Tensor nuclear_norm(const Tensor& self, IntArrayRef dim, bool keepdim) {
  return linalg_matrix_norm(self, "nuc", dim, keepdim);
}

Tensor linalg_cond(const Tensor& A, const std::optional<Scalar>& p) {
  check_matrix(A, "linalg.cond");
  check_floating(A, "linalg.cond");
  const double ord = p ? p->toDouble() : 2.0;
  if (std::abs(ord) == 2) {
    // the ratio of the extreme singular values
    Tensor s = linalg_svdvals(A);
    const int64_t k = s.size(-1);
    EMBER_CHECK(k > 0, "linalg.cond: A must have non-zero size");
    Tensor big = s.narrow(-1, 0, 1), small = s.narrow(-1, k - 1, 1);
    return (ord > 0 ? big / small : small / big).squeeze(-1);
  }
  check_square(A, "linalg.cond");
  EMBER_CHECK(std::abs(ord) == 1 || std::isinf(ord), "linalg.cond got an invalid norm type: ", ord);
  auto [inv, info] = linalg_inv_ex(A);
  Tensor r = linalg_matrix_norm(A, *p) * linalg_matrix_norm(inv, *p);
  // a singular matrix has infinite condition number
  return where(info.gt(0), std::numeric_limits<double>::infinity(), r);
}

Tensor linalg_cond(const Tensor& A, std::string_view p) {
  check_matrix(A, "linalg.cond");
  check_floating(A, "linalg.cond");
  EMBER_CHECK(p == "fro" || p == "nuc", "linalg.cond got an invalid norm type: ", p);
  check_square(A, "linalg.cond");
  auto [inv, info] = linalg_inv_ex(A);
  Tensor r = linalg_matrix_norm(A, p) * linalg_matrix_norm(inv, p);
  return where(info.gt(0), std::numeric_limits<double>::infinity(), r);
}

}  // namespace ember
