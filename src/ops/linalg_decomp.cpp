// Orthogonal decompositions on LAPACK: QR (and the raw Householder ops geqrf, orgqr, ormqr),
// symmetric eigendecomposition, SVD, and what is built on them: pinv, lstsq, matrix_rank,
// tensorinv, tensorsolve. Each backward is written with differentiable ops.
#include <cmath>
#include <limits>

#include "ops/linalg_util.h"

namespace ember {

using namespace linalg_detail;

namespace {

Tensor or_zeros(const Tensor& g, const Tensor& like) { return g.defined() ? g : zeros_like(like); }

// Square or tall A = Q R (reduced): gA = [gQ + Q copyltu(M)] R^{-T}, M = R gR^T - gQ^T Q.
Tensor qr_backward_tall(const Tensor& gQ, const Tensor& gR, const Tensor& Q, const Tensor& R) {
  Tensor gq = or_zeros(gQ, Q), gr = or_zeros(gR, R);
  Tensor M = R.matmul(gr.mT()) - gq.mT().matmul(Q);
  Tensor low = M.tril(-1);
  Tensor sym = low + low.mT() + diag_embed_last(M.diagonal(0, -2, -1));
  Tensor b = gq + Q.matmul(sym);
  // b R^{-T}
  return linalg_solve_triangular(R.mT(), b, /*upper=*/false, /*left=*/false);
}

struct LinalgQrBackward0 final : NamedNode<"LinalgQrBackward0"> {
  SavedVariable Q, R;
  std::string mode;
  variable_list apply(variable_list&& g) override {
    EMBER_CHECK(mode != "r", "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                             "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    Tensor q = Q.unpack(this), r = R.unpack(this);
    const int64_t m = q.size(-2), n = r.size(-1);
    EMBER_CHECK(!(mode == "complete" && m > n),
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    if (m >= n) return {qr_backward_tall(g[0], g[1], q, r)};
    // Wide A = [X | Y] with X = Q U square and Y = Q V.
    Tensor U = r.narrow(-1, 0, m), V = r.narrow(-1, m, n - m);
    Tensor gr = or_zeros(g[1], r);
    Tensor gU = gr.narrow(-1, 0, m), gV = gr.narrow(-1, m, n - m);
    Tensor Y = q.matmul(V);
    Tensor gQ = or_zeros(g[0], q) + Y.matmul(gV.mT());
    Tensor gX = qr_backward_tall(gQ, gU, q, U);
    return {cat({gX, q.matmul(gV)}, -1)};
  }
  void release_variables() override {
    Q.reset_data();
    R.reset_data();
  }
};

// The derivative PyTorch 1.13 does not implement either: the same error, raised when it is needed.
struct NotDifferentiable final : Node {
  const char* name_;
  const char* op_;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&&) override { fail("the derivative for '", op_, "' is not implemented."); }
};
void mark_not_differentiable(const Tensor& out, const Tensor& in, const char* name, const char* op) {
  if (!any_requires_grad(in)) return;
  auto node = make_node<NotDifferentiable>(in);
  node->name_ = name;
  node->op_ = op;
  set_history(out, node);
}

// A = V diag(L) V^T: gA = V (diag(gL) + skew(V^T gV) / E) V^T with E_ij = L_j - L_i.
struct EighBackward final : Node {
  const char* name_ = "LinalgEighBackward0";
  SavedVariable L, V;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& g) override {
    Tensor l = L.unpack(this), v = V.unpack(this);
    Tensor gL = g[0], gV = g[1];
    Tensor inner;
    if (gV.defined()) {
      Tensor vg = v.mT().matmul(gV);
      vg = (vg - vg.mT()) * 0.5;
      Tensor E = l.unsqueeze(-2) - l.unsqueeze(-1);
      // the diagonal of vg is zero; any non-zero divisor there keeps it so
      E = E + batch_eye(batch_of(E), E.size(-1), E.dtype());
      inner = vg / E;
    }
    if (gL.defined()) inner = inner.defined() ? inner + diag_embed_last(gL) : diag_embed_last(gL);
    if (!inner.defined()) return {Tensor()};
    return {v.matmul(inner).matmul(v.mT())};
  }
  void release_variables() override {
    L.reset_data();
    V.reset_data();
  }
};

// A = U diag(S) Vh (reduced): PyTorch's svd_backward for real matrices.
struct LinalgSvdBackward0 final : NamedNode<"LinalgSvdBackward0"> {
  SavedVariable U, S, Vh;
  bool full = false;
  variable_list apply(variable_list&& g) override {
    Tensor u = U.unpack(this), s = S.unpack(this), vh = Vh.unpack(this);
    Tensor gU = g[0], gS = g[1], gVh = g[2];
    const int64_t m = u.size(-2), n = vh.size(-1), k = s.size(-1);
    if (full) {  // only the first k columns of U and rows of Vh take part
      u = u.narrow(-1, 0, k);
      vh = vh.narrow(-2, 0, k);
      if (gU.defined()) gU = gU.narrow(-1, 0, k);
      if (gVh.defined()) gVh = gVh.narrow(-2, 0, k);
    }
    if (!gU.defined() && !gVh.defined()) {
      if (!gS.defined()) return {Tensor()};
      return {(u * gS.unsqueeze(-2)).matmul(vh)};
    }
    Tensor v = vh.mT();
    Tensor gV = gVh.defined() ? gVh.mT() : Tensor();
    Tensor s2 = s * s;
    Tensor E = s2.unsqueeze(-2) - s2.unsqueeze(-1);
    E = E + batch_eye(batch_of(E), k, E.dtype());
    Tensor ret;
    if (gU.defined() && gV.defined()) {
      Tensor uhgu = u.mT().matmul(gU), vhgv = v.mT().matmul(gV);
      uhgu = uhgu - uhgu.mT();
      vhgv = vhgv - vhgv.mT();
      ret = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / E;
    } else if (gU.defined()) {
      Tensor uhgu = u.mT().matmul(gU);
      ret = (uhgu - uhgu.mT()) / E * s.unsqueeze(-2);
    } else {
      Tensor vhgv = v.mT().matmul(gV);
      ret = s.unsqueeze(-1) * ((vhgv - vhgv.mT()) / E);
    }
    if (gS.defined()) ret = ret + diag_embed_last(gS);
    Tensor gA;
    if (m > n && gU.defined()) {
      gA = u.matmul(ret);
      Tensor gUSinv = gU / s.unsqueeze(-2);
      gA = (gA + gUSinv - u.matmul(u.mT().matmul(gUSinv))).matmul(vh);
    } else if (m < n && gV.defined()) {
      gA = ret.matmul(vh);
      Tensor SinvgVh = gVh / s.unsqueeze(-1);
      gA = u.matmul(gA + SinvgVh - SinvgVh.matmul(v).matmul(vh));
    } else {
      gA = u.matmul(ret).matmul(vh);
    }
    return {gA};
  }
  void release_variables() override {
    U.reset_data();
    S.reset_data();
    Vh.reset_data();
  }
};

Tensor pinv_backward(const Tensor& g, const Tensor& pinvA, const Tensor& A) {
  const int64_t m = A.size(-2), n = A.size(-1);
  Tensor pinvAh = pinvA.mT(), gh = g.mT();
  if (m <= n) {
    Tensor K = gh.matmul(pinvA);
    Tensor KpinvAh = K.matmul(pinvAh);
    return pinvA.matmul(K).mT().neg() + KpinvAh - A.matmul(pinvA).matmul(KpinvAh) +
           pinvAh.matmul(pinvA).matmul(gh - K.matmul(A));
  }
  Tensor K = pinvA.matmul(gh);
  Tensor pinvAhK = pinvAh.matmul(K);
  return K.matmul(pinvA).mT().neg() + (gh - A.matmul(K)).matmul(pinvA).matmul(pinvAh) + pinvAhK -
         pinvAhK.matmul(pinvA).matmul(A);
}

struct LinalgPinvBackward0 final : NamedNode<"LinalgPinvBackward0"> {
  SavedVariable A, pinv;
  variable_list apply(variable_list&& g) override { return {pinv_backward(g[0], pinv.unpack(this), A.unpack())}; }
  void release_variables() override {
    A.reset_data();
    pinv.reset_data();
  }
};

struct LinalgLstsqBackward0 final : NamedNode<"LinalgLstsqBackward0"> {
  SavedVariable A, B, pinv;
  variable_list apply(variable_list&& g) override {
    Tensor a = A.unpack(), b = B.unpack(), p = pinv.unpack();
    Tensor gA, gB;
    if (should_compute_output(0)) gA = pinv_backward(g[0].matmul(b.mT()), p, a);
    if (should_compute_output(1)) gB = p.mT().matmul(g[0]);
    return {gA, gB};
  }
  void release_variables() override {
    A.reset_data();
    B.reset_data();
    pinv.reset_data();
  }
};

// ---- raw decompositions (no history)
struct EighRaw {
  Tensor L, V;
};
EighRaw eigh_raw(const Tensor& A, bool upper, bool vectors, const char* op) {
  const int n = static_cast<int>(A.size(-1));
  DimVector batch = batch_of(A);
  // Row-major data read as column-major is A^T: LAPACK's upper triangle is A's lower one.
  Tensor buf = fresh_copy(A);
  Tensor L = new_tensor(with_tail(batch, {n}), A.dtype());
  const int64_t count = numel_of(batch);
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < count; ++b) {
      const int info = kernels::lapack::syevd<T>(vectors, !upper, n, buf.data_ptr<T>() + b * n * n, L.data_ptr<T>() + b * n);
      EMBER_CHECK(info == 0, op, ": ", batch_prefix(A, b), "The algorithm failed to converge because the input matrix is "
                  "ill-conditioned or has too many repeated eigenvalues (error code: ", info, ").");
    }
  });
  // Column j of the column-major result is eigenvector j: row-major, the buffer holds V^T.
  return {L, vectors ? transposed_copy(buf) : Tensor()};
}

struct SvdRaw {
  Tensor U, S, Vh;
};
SvdRaw svd_raw(const Tensor& A, bool full, bool vectors, const char* op) {
  const int m = static_cast<int>(A.size(-2)), n = static_cast<int>(A.size(-1)), k = std::min(m, n);
  DimVector batch = batch_of(A);
  if (A.numel() > 0) {
    NoGradGuard no_grad;
    EMBER_CHECK(A.detach().isfinite().all().item<bool>(), op,
                ": The algorithm failed to converge because the input matrix contained non-finite values.");
  }
  const int ucol = full ? m : k, vrow = full ? n : k;
  Tensor buf = transposed_copy(A);
  Tensor S = new_tensor(with_tail(batch, {k}), A.dtype());
  // column-major U (m x ucol) and Vh (vrow x n) buffers
  Tensor ub = vectors ? new_tensor(with_tail(batch, {ucol, m}), A.dtype()) : Tensor();
  Tensor vb = vectors ? new_tensor(with_tail(batch, {n, vrow}), A.dtype()) : Tensor();
  const int64_t count = numel_of(batch);
  const char job = !vectors ? 'N' : (full ? 'A' : 'S');
  if (k == 0) {  // LAPACK leaves the outputs alone: the bases are identities
    if (!vectors) return {Tensor(), S, Tensor()};
    return {batch_eye(batch, m, A.dtype()).narrow(-1, 0, ucol).contiguous(),
            S, batch_eye(batch, n, A.dtype()).narrow(-2, 0, vrow).contiguous()};
  }
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < count; ++b) {
      const int info = kernels::lapack::gesdd<T>(
          job, m, n, buf.data_ptr<T>() + b * m * n, S.data_ptr<T>() + b * k,
          vectors ? ub.data_ptr<T>() + b * m * ucol : nullptr, m, vectors ? vb.data_ptr<T>() + b * n * vrow : nullptr,
          vrow);
      EMBER_CHECK(info == 0, op, ": ", batch_prefix(A, b), "The algorithm failed to converge because the input matrix is "
                  "ill-conditioned or has too many repeated singular values (error code: ", info, ").");
    }
  });
  if (!vectors) return {Tensor(), S, Tensor()};
  return {transposed_copy(ub), S, transposed_copy(vb)};
}

// Singular values (or |eigenvalues|) above the tolerance max(atol, rtol * largest).
Tensor keep_mask(const Tensor& s, double atol, double rtol) {
  Tensor smax = s.numel() > 0 ? s.amax({-1}, true) : zeros_like(s);
  return s.gt(maximum(full_like(smax, atol), smax * rtol));
}

double default_rtol(const Tensor& A, std::optional<double> atol, std::optional<double> rtol) {
  if (rtol) return *rtol;
  if (atol && *atol > 0) return 0.0;
  const double eps = A.dtype() == kFloat ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
  return eps * static_cast<double>(std::max(A.size(-2), A.size(-1)));
}

Tensor pinv_impl(const Tensor& A, double atol, double rtol, bool hermitian) {
  check_matrix(A, "linalg.pinv");
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "linalg.pinv(", to_string(A.dtype()), "{", A.sizes(),
              "}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types");
  Tensor out;
  {
    NoGradGuard no_grad;
    if (hermitian) {
      check_square(A, "linalg.pinv");
      EighRaw e = eigh_raw(A, false, true, "linalg.pinv");
      Tensor keep = keep_mask(e.L.abs(), atol, rtol);
      Tensor inv = where(keep, e.L.reciprocal(), zeros_like(e.L));
      out = (e.V * inv.unsqueeze(-2)).matmul(e.V.mT());
    } else {
      SvdRaw d = svd_raw(A, false, true, "linalg.pinv");
      Tensor keep = keep_mask(d.S, atol, rtol);
      Tensor inv = where(keep, d.S.reciprocal(), zeros_like(d.S));
      out = (d.Vh.mT() * inv.unsqueeze(-2)).matmul(d.U.mT());
    }
    out = out.contiguous();
  }
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgPinvBackward0>(A);
    node->A = save(A);
    node->pinv = save_output(out);
    set_history(out, node);
  }
  return out;
}

std::tuple<Tensor, Tensor> geqrf_raw(const Tensor& A) {
  const int m = static_cast<int>(A.size(-2)), n = static_cast<int>(A.size(-1)), k = std::min(m, n);
  DimVector batch = batch_of(A);
  Tensor buf = transposed_copy(A), tau = new_tensor(with_tail(batch, {k}), A.dtype());
  visit_floating(A.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < numel_of(batch); ++b)
      kernels::lapack::geqrf<T>(m, n, buf.data_ptr<T>() + b * m * n, tau.data_ptr<T>() + b * k);
  });
  return {buf, tau};
}

// The first `cols` columns of the product of the reflectors in the column-major buffer (..., n, m).
Tensor orgqr_raw(const Tensor& buf, const Tensor& tau, int64_t cols) {
  const int m = static_cast<int>(buf.size(-1)), n = static_cast<int>(buf.size(-2));
  const int k = static_cast<int>(tau.size(-1));
  DimVector batch(IntArrayRef(buf.sizes().data(), buf.dim() - 2));
  Tensor q = zeros(with_tail(batch, {cols, m}), TensorOptions(buf.dtype()));
  const int64_t shared = std::min<int64_t>(n, cols);
  kernels::copy(q.narrow(-2, 0, shared), buf.narrow(-2, 0, shared));
  visit_floating(buf.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < numel_of(batch); ++b)
      kernels::lapack::orgqr<T>(m, static_cast<int>(cols), k, q.data_ptr<T>() + b * m * cols,
                                tau.data_ptr<T>() + b * k);
  });
  return transposed_copy(q);
}

}  // namespace

// ---- QR
std::tuple<Tensor, Tensor> linalg_qr(const Tensor& A, std::string_view mode) {
  check_matrix(A, "linalg.qr");
  check_floating(A, "linalg.qr");
  EMBER_CHECK(mode == "reduced" || mode == "r" || mode == "complete", "qr received unrecognized mode '", mode,
              "' but expected one of 'reduced' (default), 'r', or 'complete'");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  auto [buf, tau] = geqrf_raw(A);
  const int64_t rrows = mode == "complete" ? m : k;
  Tensor R, Q;
  {
    NoGradGuard no_grad;
    Tensor packed = transposed_copy(buf);  // (..., m, n)
    R = packed.narrow(-2, 0, rrows).triu().contiguous();
    Q = mode == "r" ? empty({0}, TensorOptions(A.dtype())) : orgqr_raw(buf, tau, mode == "complete" ? m : k);
  }
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgQrBackward0>(A);
    node->mode = std::string(mode);
    node->set_num_inputs(2);
    // History first: a saved output remembers which output of the node it is.
    set_history(Q, node, 0);  // the empty Q of mode 'r' too, as LibTorch's
    set_history(R, node, 1);
    node->Q = save_output(Q);
    node->R = save_output(R);
  }
  return {Q, R};
}
std::tuple<Tensor, Tensor> qr(const Tensor& self, bool some) { return linalg_qr(self, some ? "reduced" : "complete"); }

std::tuple<Tensor, Tensor> geqrf(const Tensor& self) {
  EMBER_CHECK(self.dim() >= 2, "torch.geqrf: input must have at least 2 dimensions.");
  check_floating(self, "torch.geqrf");
  auto [buf, tau] = geqrf_raw(self);
  Tensor a = transposed_copy(buf);
  mark_not_differentiable(a, self, "GeqrfBackward0", "geqrf");
  return {a, tau};
}

Tensor linalg_householder_product(const Tensor& input, const Tensor& tau) {
  EMBER_CHECK(input.dim() >= 2, "torch.linalg.householder_product: input must have at least 2 dimensions.");
  EMBER_CHECK(input.size(-2) >= input.size(-1),
              "torch.linalg.householder_product: input.shape[-2] must be greater than or equal to input.shape[-1]");
  EMBER_CHECK(input.size(-1) >= tau.size(-1),
              "torch.linalg.householder_product: input.shape[-1] must be greater than or equal to tau.shape[-1]");
  EMBER_CHECK(input.dim() - tau.dim() == 1, "torch.linalg.householder_product: Expected tau to have one dimension less "
              "than input, but got tau.ndim equal to ", tau.dim(), " and input.ndim is equal to ", input.dim());
  check_floating(input, "torch.linalg.householder_product");
  EMBER_CHECK(input.dtype() == tau.dtype(), "torch.linalg.householder_product: tau dtype ", to_string(tau.dtype()),
              " does not match input dtype ", to_string(input.dtype()));
  const int64_t m = input.size(-2), n = input.size(-1), k = tau.size(-1);
  if (!any_requires_grad(input, tau)) {
    Tensor t = fresh_copy(tau.expand(with_tail(batch_of(input), {k})));
    return orgqr_raw(transposed_copy(input), t, n);
  }
  // With autograd: the product of the reflectors H_i = I - tau_i v_i v_i^T, applied from the last,
  // in differentiable ops (gradients for input and tau, and again for second order).
  Tensor V = input.narrow(-1, 0, k).tril(-1) + eye(m, k, TensorOptions(input.dtype()));
  Tensor Q = eye(m, n, TensorOptions(input.dtype())).expand(with_tail(batch_of(input), {m, n}));
  for (int64_t i = k - 1; i >= 0; --i) {
    Tensor v = V.narrow(-1, i, 1);  // (..., m, 1)
    Tensor t = tau.narrow(-1, i, 1).unsqueeze(-1);
    Q = Q - t * v.matmul(v.mT().matmul(Q));
  }
  return Q;
}
Tensor orgqr(const Tensor& self, const Tensor& input2) { return linalg_householder_product(self, input2); }

Tensor ormqr(const Tensor& self, const Tensor& input2, const Tensor& input3, bool left, bool transpose) {
  EMBER_CHECK(self.dim() >= 2, "torch.ormqr: input must have at least 2 dimensions.");
  EMBER_CHECK(input3.dim() >= 2, "torch.ormqr: other must have at least 2 dimensions.");
  check_floating(self, "torch.ormqr");
  EMBER_CHECK(self.dtype() == input2.dtype() && self.dtype() == input3.dtype(),
              "torch.ormqr: Expected input, tau and other to have the same dtype");
  const int64_t lead = left ? input3.size(-2) : input3.size(-1);
  EMBER_CHECK(self.size(-2) == lead, "torch.ormqr: input.shape[-2] must be equal to other.shape[", left ? -2 : -1, "]");
  EMBER_CHECK(input2.size(-1) <= self.size(-1), "torch.ormqr: tau.shape[-1] must be less than or equal to input.shape[-1]");
  EMBER_CHECK(input2.size(-1) <= lead, "torch.ormqr: tau.shape[-1] must be less than or equal to other.shape[",
              left ? -2 : -1, "]");
  EMBER_CHECK(self.dim() == input3.dim() && input2.dim() == self.dim() - 1 &&
                  batch_of(self).ref() == batch_of(input3).ref(),
              "torch.ormqr: input, tau and other must have the same batch dimensions");
  const int m = static_cast<int>(input3.size(-2)), n = static_cast<int>(input3.size(-1));
  const int k = static_cast<int>(input2.size(-1)), rows = static_cast<int>(self.size(-2));
  Tensor a = transposed_copy(self), tau = fresh_copy(input2), c = transposed_copy(input3);
  const int64_t count = numel_of(batch_of(input3));
  const int64_t acols = self.size(-1);
  visit_floating(self.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t b = 0; b < count; ++b)
      kernels::lapack::ormqr<T>(left, transpose, m, n, k, a.data_ptr<T>() + b * rows * acols,
                                tau.data_ptr<T>() + b * input2.size(-1), c.data_ptr<T>() + b * m * n);
  });
  Tensor out = transposed_copy(c);
  if (any_requires_grad(self, input2, input3)) {
    auto node = make_node<NotDifferentiable>(self, input2, input3);
    node->name_ = "OrmqrBackward0";
    node->op_ = "ormqr";
    set_history(out, node);
  }
  return out;
}

// ---- symmetric eigendecomposition
namespace {
std::tuple<Tensor, Tensor> eigh_impl(const Tensor& A, std::string_view UPLO, bool want_vectors, const char* op,
                                     const char* node_name) {
  check_square(A, op);
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "\"linalg_eigh_cpu\" not implemented for '",
              to_string(A.dtype()), "'");
  EMBER_CHECK(UPLO == "L" || UPLO == "U" || UPLO == "l" || UPLO == "u", "Expected UPLO argument to be 'L' or 'U', but got ",
              UPLO);
  const bool upper = UPLO == "U" || UPLO == "u";
  // With autograd the eigenvectors are always computed and recorded as outputs of the node, so
  // that the gradient of the eigenvalues (which uses them) differentiates again.
  const bool grad = any_requires_grad(A);
  EighRaw e = eigh_raw(A, upper, want_vectors || grad, op);
  if (grad) {
    auto node = make_node<EighBackward>(A);
    node->name_ = node_name;
    node->set_num_inputs(2);
    // History first: a saved output remembers which output of the node it is.
    set_history(e.L, node, 0);
    set_history(e.V, node, 1);
    node->L = save_output(e.L);
    node->V = save_output(e.V);
  }
  return {e.L, want_vectors ? e.V : empty({0}, TensorOptions(A.dtype()))};
}
}  // namespace

std::tuple<Tensor, Tensor> linalg_eigh(const Tensor& A, std::string_view UPLO) {
  return eigh_impl(A, UPLO, true, "linalg.eigh", "LinalgEighBackward0");
}
Tensor linalg_eigvalsh(const Tensor& A, std::string_view UPLO) {
  return std::get<0>(eigh_impl(A, UPLO, false, "linalg.eigh", "LinalgEighBackward0"));
}
std::tuple<Tensor, Tensor> symeig(const Tensor& self, bool eigenvectors, bool upper) {
  return eigh_impl(self, upper ? "U" : "L", eigenvectors, "symeig", "SymeigBackward0");
}

// ---- SVD
namespace {
void check_svd_input(const Tensor& A, const char* op, std::optional<std::string_view> driver) {
  check_matrix(A, op);
  check_floating(A, op);
  EMBER_CHECK(!driver, "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend.");
}
}  // namespace

std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& A, bool full_matrices, std::optional<std::string_view> driver) {
  check_svd_input(A, "linalg.svd", driver);
  SvdRaw d = svd_raw(A, full_matrices, true, "linalg.svd");
  if (any_requires_grad(A)) {
    auto node = make_node<LinalgSvdBackward0>(A);
    node->full = full_matrices;
    node->set_num_inputs(3);
    // History first: a saved output remembers which output of the node it is.
    set_history(d.U, node, 0);
    set_history(d.S, node, 1);
    set_history(d.Vh, node, 2);
    node->U = save_output(d.U);
    node->S = save_output(d.S);
    node->Vh = save_output(d.Vh);
  }
  return {d.U, d.S, d.Vh};
}

Tensor linalg_svdvals(const Tensor& A, std::optional<std::string_view> driver) {
  check_svd_input(A, "linalg.svd", driver);
  // With autograd, U and Vh are outputs of the node too, so that the gradient differentiates again.
  if (any_requires_grad(A)) return std::get<1>(linalg_svd(A, false));
  return svd_raw(A, false, false, "linalg.svd").S;
}

std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& self, bool some, bool compute_uv) {
  if (compute_uv) {
    auto [U, S, Vh] = linalg_svd(self, !some);
    return {U, S, Vh.mT()};
  }
  Tensor S = linalg_svdvals(self);
  DimVector batch = batch_of(self);
  const int64_t m = self.size(-2), n = self.size(-1);
  return {zeros(with_tail(batch, {m, m}), TensorOptions(self.dtype())), S,
          zeros(with_tail(batch, {n, n}), TensorOptions(self.dtype()))};
}

// ---- pseudo-inverse, least squares, rank
Tensor linalg_pinv(const Tensor& A, double rcond, bool hermitian) { return pinv_impl(A, 0.0, rcond, hermitian); }
Tensor linalg_pinv(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian) {
  check_matrix(A, "linalg.pinv");
  return pinv_impl(A, atol.value_or(0.0), default_rtol(A, atol, rtol), hermitian);
}
Tensor pinverse(const Tensor& self, double rcond) { return linalg_pinv(self, rcond, false); }

std::tuple<Tensor, Tensor, Tensor, Tensor> linalg_lstsq(const Tensor& A, const Tensor& B, std::optional<double> rcond,
                                                        std::optional<std::string_view> driver) {
  check_matrix(A, "torch.linalg.lstsq");
  check_floating(A, "torch.linalg.lstsq");
  EMBER_CHECK(B.dim() >= 1, "torch.linalg.lstsq: other must have at least 1 dimension.");
  EMBER_CHECK(A.dtype() == B.dtype(), "torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype ",
              torch_name(A.dtype()), " and other's dtype ", torch_name(B.dtype()));
  EMBER_CHECK(A.dim() >= B.dim() && A.dim() - B.dim() <= 1, "torch.linalg.lstsq: input.dim() must be greater or equal to "
              "other.dim() and (input.dim() - other.dim()) <= 1");
  const bool vector_case = A.dim() - B.dim() == 1;
  Tensor Bm = vector_case ? B.unsqueeze(-1) : B;
  EMBER_CHECK(A.size(-2) == Bm.size(-2), vector_case ? "torch.linalg.lstsq: input.size(-2) should match other.size(-1)"
                                                     : "torch.linalg.lstsq: input.size(-2) should match other.size(-2)");
  const std::string drv(driver.value_or("gelsy"));
  EMBER_CHECK(drv == "gels" || drv == "gelsy" || drv == "gelsd" || drv == "gelss",
              "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)");
  const int64_t m = A.size(-2), n = A.size(-1);
  const double eps = A.dtype() == kFloat ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
  const double rc = rcond.value_or(eps * static_cast<double>(std::max(m, n)));
  Tensor S = svd_raw(A, false, false, "torch.linalg.lstsq").S;
  // pinv keeps its own history, so that the saved pseudo-inverse differentiates again.
  Tensor pinvA = linalg_pinv(A, rc, false);
  Tensor X;
  {
    NoGradGuard no_grad;
    X = pinvA.detach().matmul(Bm.detach());
  }
  if (any_requires_grad(A, Bm)) {
    auto node = make_node<LinalgLstsqBackward0>(A, Bm);
    node->A = save(A);
    node->B = save(Bm);
    node->pinv = save(pinvA);
    set_history(X, node);
  }
  if (vector_case) X = X.squeeze(-1);
  Tensor rank, residuals, values;
  {
    NoGradGuard no_grad;
    rank = drv == "gels" ? empty({0}, TensorOptions(kLong)) : keep_mask(S, 0.0, rc).sum({-1}, false, kLong);
    values = (drv == "gelsd" || drv == "gelss") ? S : empty({0}, TensorOptions(A.dtype()));
    residuals = empty({0}, TensorOptions(A.dtype()));
    // Squared residual norms, when the system is overdetermined and of full rank (not for gelsy).
    if (m > n && drv != "gelsy" && (drv == "gels" || rank.eq(n).all().item<bool>())) {
      Tensor r = A.detach().matmul(vector_case ? X.detach().unsqueeze(-1) : X.detach()) - Bm.detach();
      residuals = (r * r).sum({-2});  // for a vector B too: one column, as LibTorch's (..., 1)
    }
  }
  return {X, residuals, rank, values};
}

Tensor linalg_matrix_rank(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian) {
  check_matrix(A, "linalg.matrix_rank");
  EMBER_CHECK(A.dtype() == kFloat || A.dtype() == kDouble, "This function doesn't handle types other than float and double");
  NoGradGuard no_grad;
  Tensor s = hermitian ? std::get<0>(linalg_eigh(A.detach())).abs() : linalg_svdvals(A.detach());
  return keep_mask(s, atol.value_or(0.0), default_rtol(A, atol, rtol)).sum({-1}, false, kLong);
}
Tensor linalg_matrix_rank(const Tensor& A, double tol, bool hermitian) {
  return linalg_matrix_rank(A, tol, 0.0, hermitian);
}
Tensor linalg_matrix_rank(const Tensor& A, bool hermitian) {
  return linalg_matrix_rank(A, std::nullopt, std::nullopt, hermitian);
}

// ---- tensor inverse and solve, as matrices
Tensor linalg_tensorinv(const Tensor& self, int64_t ind) {
  EMBER_CHECK(ind > 0, "Expected a strictly positive integer for 'ind', but got ", ind);
  EMBER_CHECK(ind <= self.dim(), "Expected a strictly positive integer for 'ind', but got ", ind);
  DimVector front(IntArrayRef(self.sizes().data(), ind)), back(IntArrayRef(self.sizes().data() + ind, self.dim() - ind));
  const int64_t p = numel_of(front), q = numel_of(back);
  EMBER_CHECK(p == q, "Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), but got ",
              q, " != ", p);
  DimVector out_shape(back);
  for (int64_t s : front) out_shape.push_back(s);
  return linalg_inv(self.reshape({p, q})).reshape(out_shape);
}

Tensor linalg_tensorsolve(const Tensor& self, const Tensor& other, std::optional<std::vector<int64_t>> dims) {
  Tensor a = self;
  if (dims) {
    // the given dims of self move to the end, in order
    std::vector<int64_t> order;
    std::vector<bool> moved(static_cast<size_t>(self.dim()), false);
    for (int64_t d : *dims) moved[static_cast<size_t>(maybe_wrap_dim(d, self.dim()))] = true;
    for (int64_t d = 0; d < self.dim(); ++d)
      if (!moved[static_cast<size_t>(d)]) order.push_back(d);
    for (int64_t d : *dims) order.push_back(maybe_wrap_dim(d, self.dim()));
    a = self.permute(order);
  }
  const int64_t nd = other.dim();
  EMBER_CHECK(nd <= a.dim(), "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
              "prod(self.shape[:other.ndim]), but got ", a.numel(), " != ", other.numel());
  DimVector rest(IntArrayRef(a.sizes().data() + nd, a.dim() - nd));
  const int64_t p = other.numel(), q = numel_of(rest);
  EMBER_CHECK(p == q && numel_of(IntArrayRef(a.sizes().data(), nd)) == p,
              "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
              "but got ", q, " != ", numel_of(IntArrayRef(a.sizes().data(), nd)));
  return linalg_solve(a.reshape({p, q}), other.reshape({p})).reshape(rest);
}

}  // namespace ember
