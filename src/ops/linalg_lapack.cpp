// LU and Cholesky families on LAPACK: det, slogdet, logdet, inverse, solve, lu_factor, lu,
// lu_solve, lu_unpack, cholesky (and its solve and inverse), triangular solves; each backward
// beside its op, written with these same ops so that it differentiates again.
#include <cmath>
#include <limits>

#include "ops/linalg_util.h"

namespace ember {

using namespace linalg_detail;

namespace {

// ---- LU factorization of a batch (column-major buffers)
struct Lu {
  Tensor buf;    // (..., n, m): each matrix's LU in column-major order
  Tensor piv;    // (..., k) int32, 1-based
  Tensor info;   // (...) int32
};
// With `of_transpose`, the row-major data goes to LAPACK as it is: the factors are those of A^T
// (as PyTorch's linalg.inv computes them, which decides the pivot its error names).
Lu lu_raw(const Tensor& A, bool of_transpose = false) {
  const int m = static_cast<int>(A.size(-2)), n = static_cast<int>(A.size(-1)), k = std::min(m, n);
  DimVector batch = batch_of(A);
  Lu r{of_transpose ? fresh_copy(A) : transposed_copy(A), new_tensor(with_tail(batch, {k}), kInt), new_tensor(batch, kInt)};
  const int64_t count = numel_of(batch);
  int* piv = r.piv.data_ptr<int>();
  int* info = r.info.data_ptr<int>();
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* a = r.buf.data_ptr<T>();
    for (int64_t b = 0; b < count; ++b) info[b] = kernels::lapack::getrf<T>(m, n, a + b * m * n, piv + b * k);
  });
  return r;
}
// Solves A X = B (or A^T X = B) from an LU; rhs is a column-major buffer (..., k, n) overwritten.
void lu_solve_raw(const Tensor& lu_buf, const Tensor& piv, const Tensor& rhs, bool transpose) {
  const int n = static_cast<int>(lu_buf.size(-1)), k = static_cast<int>(rhs.size(-2));
  const int64_t count = numel_of(batch_of(rhs));
  const int* p = piv.data_ptr<int>();
  visit_floating(rhs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* lu = lu_buf.data_ptr<T>();
    T* x = rhs.data_ptr<T>();
    for (int64_t b = 0; b < count; ++b)
      kernels::lapack::getrs<T>(transpose, n, k, lu + b * n * n, p + b * n, x + b * n * k);
  });
}
int first_error(const Tensor& info, int64_t& where) {
  const int* v = info.data_ptr<int>();
  for (int64_t i = 0; i < info.numel(); ++i)
    if (v[i] != 0) {
      where = i;
      return v[i];
    }
  return 0;
}

// The permutation matrices of LAPACK pivots: (..., m, m), with A = P L U.
Tensor permutation_matrices(const Tensor& piv, int64_t m, ScalarType dtype) {
  DimVector batch(IntArrayRef(piv.sizes().data(), piv.dim() - 1));
  const int k = static_cast<int>(piv.size(-1));
  const int64_t count = numel_of(batch);
  Tensor perm = new_tensor(with_tail(batch, {m}), kLong);
  for (int64_t b = 0; b < count; ++b)
    kernels::lapack::pivots_to_permutation(static_cast<int>(m), k, piv.data_ptr<int>() + b * k,
                                           perm.data_ptr<int64_t>() + b * m);
  // P[perm[i], i] = 1
  Tensor P = zeros(with_tail(batch, {m, m}), TensorOptions(dtype));
  return P.scatter(-2, perm.unsqueeze(-2), 1.0);
}

// A = P L U for square A: the gradient from those of L (strictly lower part) and U (upper part).
Tensor lu_backward_square(const Tensor& gL, const Tensor& gU, const Tensor& P, const Tensor& L, const Tensor& U) {
  Tensor phi;
  if (gL.defined()) phi = L.mT().matmul(gL).tril(-1);
  if (gU.defined()) {
    Tensor pu = gU.matmul(U.mT()).triu();
    phi = phi.defined() ? phi + pu : pu;
  }
  if (!phi.defined()) return Tensor();
  // P L^{-T} phi U^{-T}
  Tensor x = linalg_solve_triangular(L.mT(), phi, /*upper=*/true, /*left=*/true, /*unitriangular=*/true);
  x = linalg_solve_triangular(U.mT(), x, /*upper=*/false, /*left=*/false);
  return P.matmul(x);
}

struct LinalgDetBackward0 final : NamedNode<"LinalgDetBackward0"> {
  SavedVariable A, det;
  variable_list apply(variable_list&& g) override {
    Tensor a = A.unpack(), d = det.unpack(this);
    // d det / dA = det * A^{-T}
    Tensor scale = (g[0] * d).unsqueeze(-1).unsqueeze(-1);
    Tensor eyes = batch_eye(batch_of(a), a.size(-1), a.dtype());
    return {linalg_solve(a.mT(), eyes * scale)};
  }
  void release_variables() override {
    A.reset_data();
    det.reset_data();
  }
};

struct LinalgSlogdetBackward0 final : NamedNode<"LinalgSlogdetBackward0"> {
  SavedVariable A;
  variable_list apply(variable_list&& g) override {
    if (!g[1].defined()) return {zeros_like(A.unpack())};
    Tensor a = A.unpack();
    Tensor eyes = batch_eye(batch_of(a), a.size(-1), a.dtype());
    return {linalg_solve(a.mT(), eyes * g[1].unsqueeze(-1).unsqueeze(-1))};
  }
  void release_variables() override { A.reset_data(); }
};

struct LinalgInvExBackward0 final : NamedNode<"LinalgInvExBackward0"> {
  SavedVariable inverse;
  variable_list apply(variable_list&& g) override {
    Tensor inv = inverse.unpack(this);
    return {inv.mT().matmul(g[0]).matmul(inv.mT()).neg()};
  }
  void release_variables() override { inverse.reset_data(); }
};

struct LinalgSolveExBackward0 final : NamedNode<"LinalgSolveExBackward0"> {
  SavedVariable A, X;
  bool vector_case = false;
  DimVector a_sizes, b_sizes;
  variable_list apply(variable_list&& g) override {
    Tensor a = A.unpack(), x = X.unpack(this);
    Tensor gB = linalg_solve(a.mT(), g[0]);
    Tensor gA;
    if (should_compute_output(0)) {
      gA = vector_case ? gB.unsqueeze(-1).mul(x.unsqueeze(-2)).neg() : gB.matmul(x.mT()).neg();
      gA = reduce_grad(gA, a_sizes, a.dtype());
    }
    if (should_compute_output(1)) gB = reduce_grad(gB, b_sizes, a.dtype());
    return {gA, should_compute_output(1) ? gB : Tensor()};
  }
  void release_variables() override {
    A.reset_data();
    X.reset_data();
  }
};

struct LuFactorBackward final : Node {
  const char* name_ = "LinalgLuFactorExBackward0";
  SavedVariable LU, piv;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor lu = LU.unpack(this);
    EMBER_CHECK(lu.size(-1) == lu.size(-2), "ember: the derivative of linalg.lu_factor is implemented for square matrices only");
    auto [P, L, U] = lu_unpack(lu, piv.unpack());
    return {lu_backward_square(g[0].tril(-1), g[0].triu(), P, L, U)};
  }
  void release_variables() override {
    LU.reset_data();
    piv.reset_data();
  }
};

struct LinalgLuBackward0 final : NamedNode<"LinalgLuBackward0"> {
  SavedVariable P, L, U;
  variable_list apply(variable_list&& g) override {
    Tensor l = L.unpack(this), u = U.unpack(this);
    EMBER_CHECK(l.size(-2) == u.size(-1), "ember: the derivative of linalg.lu is implemented for square matrices only");
    return {lu_backward_square(g[1], g[2], P.unpack(this), l, u)};
  }
  void release_variables() override {
    P.reset_data();
    L.reset_data();
    U.reset_data();
  }
};

struct LuUnpackBackward0 final : NamedNode<"LuUnpackBackward0"> {
  int64_t m = 0, n = 0;
  ScalarType dtype = kFloat;
  DimVector sizes;
  variable_list apply(variable_list&& g) override {
    const int64_t k = std::min(m, n);
    Tensor gLU = zeros(sizes, TensorOptions(dtype));
    if (g[1].defined()) {  // L: m x k
      Tensor gl = g[1].tril(-1);
      gLU = gLU + (k < n ? cat({gl, zeros(with_tail(DimVector(IntArrayRef(sizes.data(), sizes.size() - 2)), {m, n - k}),
                                          TensorOptions(dtype))}, -1)
                         : gl);
    }
    if (g[2].defined()) {  // U: k x n
      Tensor gu = g[2].triu();
      gLU = gLU + (k < m ? cat({gu, zeros(with_tail(DimVector(IntArrayRef(sizes.data(), sizes.size() - 2)), {m - k, n}),
                                          TensorOptions(dtype))}, -2)
                         : gu);
    }
    return {gLU, Tensor()};
  }
};

struct LinalgLuSolveBackward0 final : NamedNode<"LinalgLuSolveBackward0"> {
  SavedVariable LU, piv, X;
  bool left = true, adjoint = false;
  DimVector lu_sizes, b_sizes;
  variable_list apply(variable_list&& g) override {
    Tensor lu = LU.unpack(), p = piv.unpack(), x = X.unpack(this);
    // X = op(A)^{-1} B (left) or B op(A)^{-1}: gB solves with the other transpose.
    Tensor gB = linalg_lu_solve(lu, p, g[0], left, !adjoint);
    Tensor gLU;
    if (should_compute_output(0)) {
      // The gradient for A (X = op(A)^{-1} B or B op(A)^{-1}), then through A = P L U to the packed factors.
      Tensor gA = left ? (adjoint ? x.matmul(gB.mT()) : gB.matmul(x.mT())) : (adjoint ? gB.mT().matmul(x) : x.mT().matmul(gB));
      gA = gA.neg();
      auto [P, L, U] = lu_unpack(lu, p);
      Tensor pg = P.mT().matmul(gA);
      gLU = pg.matmul(U.mT()).tril(-1) + L.mT().matmul(pg).triu();
      gLU = reduce_grad(gLU, lu_sizes, lu.dtype());
    }
    return {gLU, Tensor(), should_compute_output(2) ? reduce_grad(gB, b_sizes, lu.dtype()) : Tensor()};
  }
  void release_variables() override {
    LU.reset_data();
    piv.reset_data();
    X.reset_data();
  }
};

// A = L L^T (or U^T U): gA = L^{-T} Phi(L^T gL) L^{-1}, Phi taking the lower triangle with half the diagonal.
struct CholeskyBackward final : Node {
  const char* name_ = "LinalgCholeskyExBackward0";
  SavedVariable L;
  bool upper = false;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor l = L.unpack(this), gl = g[0];
    if (upper) {
      l = l.mT();
      gl = gl.mT();
    }
    Tensor phi = l.mT().matmul(gl).tril();
    phi = (phi + phi.tril(-1).mT()) * 0.5;
    Tensor gA = linalg_solve_triangular(l.mT(), phi, /*upper=*/true, /*left=*/true);
    return {linalg_solve_triangular(l, gA, /*upper=*/false, /*left=*/false)};
  }
  void release_variables() override { L.reset_data(); }
};

struct CholeskySolveBackward0 final : NamedNode<"CholeskySolveBackward0"> {
  SavedVariable L, X;
  bool upper = false;
  DimVector b_sizes, l_sizes;
  variable_list apply(variable_list&& g) override {
    Tensor l = L.unpack(), x = X.unpack(this);
    Tensor gB = cholesky_solve(g[0], l, upper), gL;
    if (should_compute_output(1)) {
      Tensor common = gB.matmul(x.mT());
      common = common + common.mT();
      gL = reduce_grad(upper ? l.matmul(common).neg() : common.matmul(l).neg(), l_sizes, l.dtype());
    }
    return {should_compute_output(0) ? reduce_grad(gB, b_sizes, l.dtype()) : Tensor(), gL};
  }
  void release_variables() override {
    L.reset_data();
    X.reset_data();
  }
};

struct CholeskyInverseBackward0 final : NamedNode<"CholeskyInverseBackward0"> {
  SavedVariable L, inverse;
  bool upper = false;
  variable_list apply(variable_list&& g) override {
    Tensor l = L.unpack(), inv = inverse.unpack(this);
    Tensor common = inv.matmul(g[0] + g[0].mT()).matmul(inv);
    return {upper ? l.matmul(common).neg() : common.matmul(l).neg()};
  }
  void release_variables() override {
    L.reset_data();
    inverse.reset_data();
  }
};

struct SolveTriangularBackward final : Node {
  const char* name_ = "LinalgSolveTriangularBackward0";
  SavedVariable A, X;
  bool upper = false, left = true, unitriangular = false, transpose = false;
  DimVector a_sizes, b_sizes;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor a = A.unpack(), x = X.unpack(this);
    // The op solved op(A) X = B (or X op(A) = B) with op(A) = A or A^T.
    Tensor opA = transpose ? a.mT() : a;
    const bool op_upper = upper != transpose;
    Tensor gB = linalg_solve_triangular(opA.mT(), g[0], !op_upper, left, unitriangular), gA;
    if (should_compute_output(0)) {
      Tensor gOp = left ? gB.matmul(x.mT()).neg() : x.mT().matmul(gB).neg();
      gA = transpose ? gOp.mT() : gOp;
      gA = upper ? gA.triu(unitriangular ? 1 : 0) : gA.tril(unitriangular ? -1 : 0);
      gA = reduce_grad(gA, a_sizes, a.dtype());
    }
    return {gA, should_compute_output(1) ? reduce_grad(gB, b_sizes, a.dtype()) : Tensor()};
  }
  void release_variables() override {
    A.reset_data();
    X.reset_data();
  }
};

// Broadcasts the batch dims of A (..., n, n) and B (..., n, k) against each other.
std::pair<Tensor, Tensor> broadcast_batches(const Tensor& A, const Tensor& B) {
  DimVector batch = broadcast_shapes(batch_of(A), batch_of(B));
  return {A.expand(with_tail(batch, {A.size(-2), A.size(-1)})), B.expand(with_tail(batch, {B.size(-2), B.size(-1)}))};
}

// Triangular solve of broadcast batches, no history. Where A or B holds inf/NaN (or A a zero on its
// diagonal), where they land depends on which of OpenBLAS's kernels runs: row-major data is what
// linalg_solve_triangular hands BLAS (its output is C-contiguous, so it solves the transposed
// equation), column-major copies what triangular_solve does (ATen's cloneBatchedColumnMajor). A
// column-major solve is passed as the row-major solve of the transposed system, the same BLAS call.
Tensor solve_triangular_raw(const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular, bool transpose,
                            bool column_major = false) {
  auto [a, b] = broadcast_batches(A.detach(), B.detach());
  if (column_major) {
    a = a.mT();
    b = b.mT();
    left = !left;
    upper = !upper;
  }
  Tensor ac = fresh_copy(a), x = fresh_copy(b);
  const int64_t n = ac.size(-1), rows = x.size(-2), cols = x.size(-1), count = numel_of(batch_of(x));
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = ac.data_ptr<T>();
    T* px = x.data_ptr<T>();
    for (int64_t i = 0; i < count; ++i)
      kernels::trsm<T>(left, upper, transpose, unitriangular, rows, cols, pa + i * n * n, n, px + i * rows * cols, cols);
  });
  return column_major ? contiguous_raw(x.mT()) : x;
}

Tensor solve_triangular_impl(const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular,
                             bool transpose, const char* op, const char* node_name, bool column_major) {
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "\"triangular_solve_cpu\" not implemented for '",
              to_string(A.dtype()), "'");
  check_square(A, op);
  EMBER_CHECK(B.dim() >= 2, op, ": The input tensor B must have at least 2 dimensions.");
  EMBER_CHECK(A.dtype() == B.dtype(), op, ": Expected A and B to have the same dtype, but found A of type ",
              to_string(A.dtype()), " and B of type ", to_string(B.dtype()), " instead");
  const int64_t n = A.size(-1);
  EMBER_CHECK(left ? B.size(-2) == n : B.size(-1) == n, op, ": Incompatible shapes of A and B for the equation ",
              left ? "AX = B" : "XA = B", " (", A.size(-2), "x", A.size(-1), " and ", B.size(-2), "x", B.size(-1), ")");
  Tensor x = solve_triangular_raw(A, B, upper, left, unitriangular, transpose, column_major);
  if (any_requires_grad(A, B)) {
    auto node = make_node<SolveTriangularBackward>(A, B);
    node->name_ = node_name;
    node->A = save(A);
    node->X = save_output(x);
    node->upper = upper;
    node->left = left;
    node->unitriangular = unitriangular;
    node->transpose = transpose;
    node->a_sizes = A.sizes();
    node->b_sizes = B.sizes();
    set_history(x, node);
  }
  return x;
}

std::tuple<Tensor, Tensor> cholesky_impl(const Tensor& A, bool upper, bool check_errors, const char* op,
                                         const char* node_name) {
  check_square(A, op);
  check_floating(A, op);
  const int n = static_cast<int>(A.size(-1));
  // Row-major data read as column-major is A^T: LAPACK's upper triangle is A's lower one, and the
  // factor it leaves there (U with U^T U = A) reads back row-major as L. upper=true reads A's upper
  // triangle (as LibTorch does): LAPACK's lower one, whose factor reads back row-major as U.
  Tensor buf = fresh_copy(A);
  DimVector batch = batch_of(A);
  Tensor info = new_tensor(batch, kInt);
  const int64_t count = numel_of(batch);
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < count; ++b)
      info.data_ptr<int>()[b] = kernels::lapack::potrf<T>(!upper, n, buf.data_ptr<T>() + b * n * n);
  });
  int64_t where = 0;
  if (check_errors) {
    if (const int e = first_error(info, where))
      fail(op, ": ", batch_prefix(A, where), "The factorization could not be completed because the input is not "
           "positive-definite (the leading minor of order ", e, " is not positive-definite).");
  }
  Tensor L;
  {
    NoGradGuard no_grad;
    L = upper ? buf.triu() : buf.tril();
  }
  if (any_requires_grad(A)) {
    auto node = make_node<CholeskyBackward>(A);
    node->name_ = node_name;
    node->L = save_output(L);
    node->upper = upper;
    set_history(L, node);
  }
  return {L, info};
}

void check_solve_dtypes(const Tensor& A, const Tensor& B, const char* op) {
  EMBER_CHECK(A.dtype() == B.dtype(), op, ": Expected A and B to have the same dtype, but found A of type ",
              to_string(A.dtype()), " and B of type ", to_string(B.dtype()), " instead");
}

}  // namespace

// ---- determinants
Tensor linalg_det(const Tensor& A) {
  check_square(A, "linalg.det");
  check_floating(A, "linalg.det");
  Lu lu = lu_raw(A);
  DimVector batch = batch_of(A);
  Tensor out = new_tensor(batch, A.dtype());
  const int n = static_cast<int>(A.size(-1));
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < out.numel(); ++b) {
      T sign, logabs;
      kernels::lapack::lu_slogdet<T>(n, lu.buf.data_ptr<T>() + b * n * n, lu.piv.data_ptr<int>() + b * n, sign, logabs);
      out.data_ptr<T>()[b] = sign == 0 ? T(0) : sign * std::exp(logabs);
    }
  });
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgDetBackward0>(A);
    node->A = save(A);
    node->det = save_output(out);
    set_history(out, node);
  }
  return out;
}
Tensor det(const Tensor& self) { return linalg_det(self); }

std::tuple<Tensor, Tensor> linalg_slogdet(const Tensor& A) {
  check_square(A, "linalg.slogdet");
  check_floating(A, "linalg.slogdet");
  Lu lu = lu_raw(A);
  DimVector batch = batch_of(A);
  Tensor sign = new_tensor(batch, A.dtype()), logabs = new_tensor(batch, A.dtype());
  const int n = static_cast<int>(A.size(-1));
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < sign.numel(); ++b)
      kernels::lapack::lu_slogdet<T>(n, lu.buf.data_ptr<T>() + b * n * n, lu.piv.data_ptr<int>() + b * n,
                                     sign.data_ptr<T>()[b], logabs.data_ptr<T>()[b]);
  });
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgSlogdetBackward0>(A);
    node->A = save(A);
    node->set_num_inputs(2);
    set_history(sign, node, 0);
    set_history(logabs, node, 1);
  }
  return {sign, logabs};
}
std::tuple<Tensor, Tensor> slogdet(const Tensor& self) { return linalg_slogdet(self); }

Tensor logdet(const Tensor& self) {
  auto [sign, logabs] = linalg_slogdet(self);
  // A negative determinant has no real logarithm.
  return where(sign.detach().lt(0), std::numeric_limits<double>::quiet_NaN(), logabs);
}

// ---- inverse and solve
std::tuple<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors) {
  check_square(A, "linalg.inv");
  check_floating(A, "linalg.inv");
  Lu lu = lu_raw(A, true);
  int64_t where = 0;
  if (check_errors) {
    if (const int e = first_error(lu.info, where))
      fail("linalg.inv: ", batch_prefix(A, where), "The diagonal element ", e,
           " is zero, the inversion could not be completed because the input matrix is singular.");
  }
  // A^T X = I leaves X = A^{-T} in column-major order, which read row-major is A^{-1}.
  Tensor inv = fresh_copy(batch_eye(batch_of(A), A.size(-1), A.dtype()));
  lu_solve_raw(lu.buf, lu.piv, inv, false);
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgInvExBackward0>(A);
    node->inverse = save_output(inv);
    set_history(inv, node);
  }
  return {inv, lu.info};
}
Tensor linalg_inv(const Tensor& A) { return std::get<0>(linalg_inv_ex(A, true)); }
Tensor inverse(const Tensor& self) { return linalg_inv(self); }

std::tuple<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left, bool check_errors) {
  check_square(A, "linalg.solve");
  check_floating(A, "linalg.solve");
  check_solve_dtypes(A, B, "linalg.solve");
  // B is a batch of vectors when it is 1-D or has A's batch shape and one dim less (for left=false
  // too, as LibTorch decides it).
  const bool vector_case = B.dim() == 1 || (B.dim() == A.dim() - 1 && B.sizes().vec() == std::vector<int64_t>(
                                                                          A.sizes().begin(), A.sizes().end() - 1));
  Tensor Bm = vector_case ? B.unsqueeze(-1) : B;
  const int64_t n = A.size(-1);
  EMBER_CHECK(Bm.dim() >= 2, "linalg.solve: The input tensor B must have at least 2 dimensions.");
  EMBER_CHECK(left ? Bm.size(-2) == n : Bm.size(-1) == n,
              "linalg.solve: Incompatible shapes of A and B for the equation ", left ? "AX = B" : "XA = B", " (",
              A.size(-2), "x", A.size(-1), " and ", Bm.size(-2), "x", Bm.size(-1), ")");
  EMBER_CHECK(left || !vector_case,
              "linalg.solve: Vector broadcasting of the left hand side is not supported for "
              "left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)");
  if (!left) {
    // X A = B  <=>  A^T X^T = B^T
    auto [xt, info] = linalg_solve_ex(A.mT(), Bm.mT(), true, check_errors);
    return {xt.mT(), info};
  }
  // A is factored in its own batch shape (info has that shape, as LibTorch's), then broadcast.
  DimVector batch = broadcast_shapes(batch_of(A), batch_of(Bm));
  Lu lu = lu_raw(A.detach());
  int64_t where = 0;
  if (check_errors && first_error(lu.info, where))
    fail("torch.linalg.solve: ", batch_prefix(A, where), "The solver failed because the input matrix is singular.");
  Tensor lu_buf = lu.buf, piv = lu.piv;
  if (batch.ref() != batch_of(A).ref()) {
    lu_buf = lu_buf.expand(with_tail(batch, {n, n})).contiguous();
    piv = piv.expand(with_tail(batch, {n})).contiguous();
  }
  Tensor x = transposed_copy(Bm.detach().expand(with_tail(batch, {n, Bm.size(-1)})));
  lu_solve_raw(lu_buf, piv, x, false);
  Tensor X = transposed_copy(x);
  if (vector_case) X = X.squeeze(-1);
  if (any_requires_grad(A, B)) {
    auto node = make_node<LinalgSolveExBackward0>(A, B);
    node->A = save(A);
    node->X = save_output(X);
    node->vector_case = vector_case;
    node->a_sizes = A.sizes();
    node->b_sizes = B.sizes();
    set_history(X, node);
  }
  return {X, lu.info};
}
Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left) {
  return std::get<0>(linalg_solve_ex(A, B, left, true));
}

// ---- LU
std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& A, bool pivot, bool check_errors) {
  check_matrix(A, "torch.linalg.lu_factor");
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "\"lu_cpu\" not implemented for '", to_string(A.dtype()), "'");
  EMBER_CHECK(pivot, "linalg.lu_factor: LU without pivoting is not implemented on the CPU");
  Lu lu = lu_raw(A);
  int64_t where = 0;
  if (check_errors) {
    if (const int e = first_error(lu.info, where))
      fail("torch.linalg.lu_factor_ex: ", batch_prefix(A, where), "U[", e, ",", e,
           "] is zero and using it on lu_solve would result in a division by zero. If you still want to perform the "
           "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)");
  }
  Tensor LU = transposed_copy(lu.buf);
  if (any_requires_grad(A)) {
    auto node = make_node<LuFactorBackward>(A);
    node->LU = save_output(LU);
    node->piv = save(lu.piv);
    set_history(LU, node);
  }
  return {LU, lu.piv, lu.info};
}
std::tuple<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot) {
  auto [LU, piv, info] = linalg_lu_factor_ex(A, pivot, false);
  int64_t where = 0;
  if (const int e = first_error(info, where))
    fail("torch.linalg.lu_factor: ", batch_prefix(A, where), "U[", e, ",", e,
         "] is zero and using it on lu_solve would result in a division by zero. If you still want to perform the "
         "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)");
  return {LU, piv};
}

std::tuple<Tensor, Tensor, Tensor> lu_unpack(const Tensor& LU_data, const Tensor& LU_pivots, bool unpack_data,
                                             bool unpack_pivots) {
  EMBER_CHECK(LU_data.dim() >= 2, "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: ",
              LU_data.sizes(), " instead");
  EMBER_CHECK(LU_pivots.dtype() == kInt, "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
              "Note: this function is intended to be used with the output produced by torch.linalg.lu_factor");
  const int64_t m = LU_data.size(-2), n = LU_data.size(-1), k = std::min(m, n);
  EMBER_CHECK(LU_pivots.dim() >= 1 && LU_pivots.size(-1) == k, "torch.lu_unpack: LU_pivots must have ", k,
              " elements in its last dimension");
  Tensor P, L, U;
  if (unpack_pivots) {
    Tensor piv = LU_pivots.contiguous();
    const int* p = piv.data_ptr<int>();
    for (int64_t i = 0; i < piv.numel(); ++i)
      EMBER_CHECK(p[i] >= 1 && p[i] <= m, "torch.lu_unpack: pivots out of range: ", p[i]);
    P = permutation_matrices(piv, m, LU_data.dtype());
  } else {
    P = empty({0}, TensorOptions(LU_data.dtype()));
  }
  if (unpack_data) {
    NoGradGuard no_grad;
    Tensor lu = LU_data.detach();
    L = lu.narrow(-1, 0, k).tril(-1) + eye(m, k, TensorOptions(lu.dtype()));
    U = lu.narrow(-2, 0, k).triu();
  } else {
    L = empty({0}, TensorOptions(LU_data.dtype()));
    U = empty({0}, TensorOptions(LU_data.dtype()));
  }
  if (unpack_data && any_requires_grad(LU_data)) {
    auto node = make_node<LuUnpackBackward0>(LU_data, LU_pivots);
    node->m = m;
    node->n = n;
    node->dtype = LU_data.dtype();
    node->sizes = LU_data.sizes();
    node->set_num_inputs(3);
    set_history(L, node, 1);
    set_history(U, node, 2);
  }
  return {P, L, U};
}

std::tuple<Tensor, Tensor, Tensor> linalg_lu(const Tensor& A, bool pivot) {
  check_matrix(A, "linalg.lu");
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "\"lu_cpu\" not implemented for '", to_string(A.dtype()), "'");
  EMBER_CHECK(pivot, "linalg.lu_factor: LU without pivoting is not implemented on the CPU");
  Tensor LU, piv, info;
  {
    NoGradGuard no_grad;
    std::tie(LU, piv, info) = linalg_lu_factor_ex(A, pivot, false);
  }
  auto [P, L, U] = lu_unpack(LU, piv);
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgLuBackward0>(A);
    node->set_num_inputs(3);  // P is a constant of the pivots: it takes no gradient
    // History first: a saved output remembers which output of the node it is.
    set_history(L, node, 1);
    set_history(U, node, 2);
    node->P = save(P);
    node->L = save_output(L);
    node->U = save_output(U);
  }
  return {P, L, U};
}

Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left, bool adjoint) {
  check_square(LU, "linalg.lu_solve");
  check_floating(LU, "linalg.lu_solve");
  check_solve_dtypes(LU, B, "linalg.lu_solve");
  EMBER_CHECK(pivots.dtype() == kInt, "linalg.lu_solve: pivots should be a Tensor of scalar type Int");
  EMBER_CHECK(B.dim() >= 2, "linalg.lu_solve: The input tensor B must have at least 2 dimensions.");
  const int64_t n = LU.size(-1);
  EMBER_CHECK(left ? B.size(-2) == n : B.size(-1) == n, "linalg.lu_solve: Incompatible shapes of A and B for the equation ",
              left ? "AX = B" : "XA = B", " (", n, "x", n, " and ", B.size(-2), "x", B.size(-1), ")");
  EMBER_CHECK(pivots.dim() == LU.dim() - 1 && pivots.size(-1) == n,
              "linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots with shape ",
              pivots.sizes(), " instead");
  // X A = B  <=>  A^T X^T = B^T: solve the right case as a left one with the transpose flipped.
  Tensor b = left ? B.detach() : B.detach().mT();
  DimVector batch = broadcast_shapes(batch_of(LU), batch_of(b));
  Tensor lu = LU.detach().expand(with_tail(batch, {n, n}));
  Tensor piv = pivots.expand(with_tail(batch, {n})).contiguous();
  const int* p = piv.data_ptr<int>();
  for (int64_t i = 0; i < piv.numel(); ++i)
    EMBER_CHECK(p[i] >= 1 && p[i] <= n, "linalg.lu_solve: pivots out of range: ", p[i]);
  Tensor lu_buf = transposed_copy(lu);
  Tensor x = transposed_copy(b.expand(with_tail(batch, {b.size(-2), b.size(-1)})));
  lu_solve_raw(lu_buf, piv, x, left ? adjoint : !adjoint);
  Tensor X = transposed_copy(x);
  if (!left) X = X.mT().contiguous();
  if (any_requires_grad(LU, B)) {
    auto node = make_node<LinalgLuSolveBackward0>(LU, pivots, B);
    node->LU = save(LU);
    node->piv = save(pivots);
    node->X = save_output(X);
    node->left = left;
    node->adjoint = adjoint;
    node->lu_sizes = LU.sizes();
    node->b_sizes = B.sizes();
    set_history(X, node);
  }
  return X;
}
Tensor lu_solve(const Tensor& self, const Tensor& LU_data, const Tensor& LU_pivots) {
  return linalg_lu_solve(LU_data, LU_pivots, self);
}

// ---- Cholesky
std::tuple<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper, bool check_errors) {
  return cholesky_impl(A, upper, check_errors, "linalg.cholesky", "LinalgCholeskyExBackward0");
}
Tensor linalg_cholesky(const Tensor& A, bool upper) {
  return std::get<0>(cholesky_impl(A, upper, true, "linalg.cholesky", "LinalgCholeskyExBackward0"));
}
Tensor cholesky(const Tensor& self, bool upper) {
  return std::get<0>(cholesky_impl(self, upper, true, "cholesky", "CholeskyBackward0"));
}

Tensor cholesky_solve(const Tensor& self, const Tensor& input2, bool upper) {
  EMBER_CHECK(self.dim() >= 2, "b should have at least 2 dimensions, but has ", self.dim(), " dimensions instead");
  EMBER_CHECK(input2.dim() >= 2, "u should have at least 2 dimensions, but has ", input2.dim(), " dimensions instead");
  EMBER_CHECK(input2.size(-1) == input2.size(-2), "A must be batches of square matrices, but they are ", input2.size(-2),
              " by ", input2.size(-1), " matrices");
  check_floating(input2, "cholesky_solve");
  EMBER_CHECK(self.dtype() == input2.dtype(), "Expected b and A to have the same dtype, but found b of type ",
              to_string(self.dtype()), " and A of type ", to_string(input2.dtype()), " instead.");
  EMBER_CHECK(self.size(-2) == input2.size(-1), "Incompatible matrix sizes for cholesky_solve: each A matrix is ",
              input2.size(-1), " by ", input2.size(-1), " but each b matrix is ", self.size(-2), " by ", self.size(-1));
  // A = L L^T: X = L^{-T} L^{-1} B (or U^{-1} U^{-T} B).
  Tensor y = solve_triangular_raw(input2, self, upper, true, false, upper);
  Tensor x = solve_triangular_raw(input2, y, upper, true, false, !upper);
  if (any_requires_grad(self, input2)) {
    auto node = make_node<CholeskySolveBackward0>(self, input2);
    node->L = save(input2);
    node->X = save_output(x);
    node->upper = upper;
    node->b_sizes = self.sizes();
    node->l_sizes = input2.sizes();
    set_history(x, node);
  }
  return x;
}

Tensor cholesky_inverse(const Tensor& self, bool upper) {
  check_square(self, "cholesky_inverse");
  check_floating(self, "cholesky_inverse");
  Tensor eyes = batch_eye(batch_of(self), self.size(-1), self.dtype());
  Tensor y = solve_triangular_raw(self, eyes, upper, true, false, upper);
  Tensor inv = solve_triangular_raw(self, y, upper, true, false, !upper);
  if (any_requires_grad(self)) {
    auto node = make_node<CholeskyInverseBackward0>(self);
    node->L = save(self);
    node->inverse = save_output(inv);
    node->upper = upper;
    set_history(inv, node);
  }
  return inv;
}

// ---- triangular solves
Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular) {
  return solve_triangular_impl(A, B, upper, left, unitriangular, false, "linalg.solve_triangular",
                               "LinalgSolveTriangularBackward0", false);
}
std::tuple<Tensor, Tensor> triangular_solve(const Tensor& self, const Tensor& A, bool upper, bool transpose,
                                            bool unitriangular) {
  Tensor x = solve_triangular_impl(A, self, upper, true, unitriangular, transpose, "triangular_solve",
                                   "TriangularSolveBackward0", true);
  return {x, A.clone()};
}

}  // namespace ember
