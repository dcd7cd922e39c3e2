// Differential variants for products, torch::linalg_*, convolutions and sampling/pooling ops:
// matmul and friends (broadcast batches, 0-d, empty, int/bool), addmm-style ops with beta/alpha
// (beta = 0 ignores NaN in self), einsum, tensordot, kron, multi_dot, matrix_power, cross;
// inv/det/slogdet/solve/cholesky/qr/svd/eigh/norms/pinv/lstsq/matrix_rank/tensorinv/tensorsolve/
// triangular solves/LU on well-conditioned, exactly singular and non-finite matrices; conv1d/2d/3d
// and their transposes (strings, groups, dilation, output_padding, 8..40 channels, the 3x3
// stride-1 float32 shapes of a Winograd path), the nn::Conv modules' padding modes; interpolate,
// grid_sample, affine_grid, pixel_(un)shuffle, embedding_bag, fold/unfold, max_unpool, pools.
// Same rules as cases.h: only <torch/torch.h>, every value drawn from the case's Ctx, and no two
// arguments of one call draw from the RNG. cases.h includes this at file scope, after the helpers it
// uses (Ctx, one, two, pmore::leaf_of, mx_windows_ok) and before variants().
#pragma once

namespace diffcase {
namespace lcv {

namespace F = torch::nn::functional;

// Small integers and quarters: products and convolution sums of them are exact in float32 in any
// order, so summation order never shows. Non-finite values with probability pnf.
inline double val(Ctx& c, Dt dt, double pnf) {
  if (dt == torch::kBool) return static_cast<double>(c.rng.range(0, 1));
  if (dt == torch::kUInt8) return static_cast<double>(c.rng.range(0, 4));
  if (!is_float(dt)) return static_cast<double>(c.rng.range(-3, 3));
  if (pnf > 0 && c.rng.chance(pnf)) return c.rng.pick<double>({kInf, -kInf, kNan});
  if (c.rng.chance(0.5)) return static_cast<double>(c.rng.range(-3, 3));
  return static_cast<double>(c.rng.range(-12, 12)) / 4;
}

inline Shape cat(Shape a, const Shape& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Ctx::make with val(): layout -1 random, 0 contiguous, 1 transposed, 2 stepped, 3 expanded. nf < 0:
// non-finite values when the case is special. distinct: distinct values (max-based ops, no ties).
inline Tensor make(Ctx& c, const Shape& s, Dt dt, int layout = -1, bool grad_ok = true, double nf = -1,
                   bool distinct = false) {
  int r = static_cast<int>(s.size());
  if (layout < 0) {
    int64_t k = c.rng.range(0, 9);
    layout = k <= 5 ? 0 : k <= 7 ? 1 : k == 8 ? 2 : 3;
    if (distinct && layout == 3) layout = 0;
  }
  if (layout == 1 && r < 2) layout = 2;
  if (r == 0) layout = 0;
  Shape ls = s;
  if (layout == 1) std::swap(ls[static_cast<size_t>(r - 1)], ls[static_cast<size_t>(r - 2)]);
  if (layout == 2) ls[0] = 2 * s[0];
  if (layout == 3) {
    bool any = false;
    for (auto& v : ls)
      if (c.rng.chance(0.5)) v = 1, any = true;
    if (!any) ls[static_cast<size_t>(c.rng.range(0, r - 1))] = 1;
  }
  double pnf = nf >= 0 ? nf : (c.special ? 0.08 : 0.0);
  int64_t n = numel_of(ls);
  std::vector<double> v(static_cast<size_t>(n));
  if (distinct) {
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i);
    for (int64_t i = n - 1; i > 0; --i) std::swap(v[static_cast<size_t>(i)], v[static_cast<size_t>(c.rng.range(0, i))]);
    bool pos = dt == torch::kUInt8 || dt == torch::kBool;
    for (auto& x : v) x = is_float(dt) ? (x - static_cast<double>(n / 2)) / 4 : (pos ? x : x - static_cast<double>(n / 2));
    if (is_float(dt) && pnf > 0 && n > 0 && c.rng.chance(0.5))
      v[static_cast<size_t>(c.rng.range(0, n - 1))] = c.rng.pick<double>({kInf, -kInf, kNan});
    if (dt == torch::kBool)
      for (auto& x : v) x = x > 0 ? 1.0 : 0.0;
  } else {
    for (auto& x : v) x = val(c, dt, pnf);
  }
  bool rg = false;
  Tensor t = pmore::leaf_of(c, ls, dt, v, grad_ok, &rg);
  const char* lay = "";
  if (layout == 1) t = t.transpose(-1, -2), lay = "T";
  if (layout == 2) t = t.slice(0, 1, ls[0], 2), lay = "S";
  if (layout == 3) t = t.expand(s), lay = "E";
  c.note(dt_name(dt) + shape_str(s) + lay + (rg ? "g" : ""));
  return t;
}

// What a generated matrix is: well-conditioned (strictly diagonally dominant), symmetric positive
// definite, exactly singular (a zero row or column: LU meets an exact zero), well-conditioned with
// one NaN, or raw small values. No inf: LibTorch 1.13's SVD with vectors (gesdd) can hang on a matrix
// holding one, and gesdd/gelsd write LAPACK "illegal value" lines to stdout for it (into
// expected.json); what LU-based LAPACK routines make of an inf (finite results at times) is theirs.
enum class M { Good, Spd, Singular, Nonfinite, Raw };
inline const char* mname(M k) {
  switch (k) {
    case M::Good:
      return "good";
    case M::Spd:
      return "spd";
    case M::Singular:
      return "sing";
    case M::Nonfinite:
      return "nonfin";
    case M::Raw:
      return "raw";
  }
  return "?";
}

// One m x n matrix of kind k into a (row-major).
inline void fill_matrix(Ctx& c, double* a, int64_t m, int64_t n, M k) {
  if (m * n == 0) return;
  auto at = [&](int64_t i, int64_t j) -> double& { return a[i * n + j]; };
  if (k == M::Raw) {
    for (int64_t i = 0; i < m * n; ++i) a[i] = val(c, torch::kFloat64, 0);
    return;
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) at(i, j) = static_cast<double>(c.rng.range(-4, 4)) / 4;
  if (k == M::Spd)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = i + 1; j < n && j < m; ++j) at(j, i) = at(i, j);
  int64_t big = std::max(m, n);
  for (int64_t i = 0; i < std::min(m, n); ++i) {
    double sign = (k == M::Spd || c.rng.chance(0.7)) ? 1.0 : -1.0;
    at(i, i) = sign * static_cast<double>(big + c.rng.range(0, 2));
  }
  // A zero row or column: exact in partial-pivoting LU of A and of A^T (LibTorch factors A^T for a
  // row-major A), where a repeated row is exact in one of them only ((x / p) * p need not give x).
  if (k == M::Singular) {
    if (c.rng.chance(0.5)) {
      int64_t c0 = c.rng.range(0, n - 1);
      for (int64_t i = 0; i < m; ++i) at(i, c0) = 0;
    } else {
      int64_t r0 = c.rng.range(0, m - 1);
      for (int64_t j = 0; j < n; ++j) at(r0, j) = 0;
    }
  }
  // NaN only: what LAPACK makes of an inf (finite results sometimes) is its own.
  if (k == M::Nonfinite) a[c.rng.range(0, m * n - 1)] = kNan;
}

// A batch of matrices (batch + [m, n]): contiguous, transposed storage, every other column of a
// wider one, or one matrix expanded over the batch.
inline Tensor mat(Ctx& c, const Shape& batch, int64_t m, int64_t n, Dt dt, M k, bool grad_ok, int layout = -1) {
  if (layout < 0) {
    int64_t r = c.rng.range(0, 9);
    layout = r <= 5 ? 0 : r <= 7 ? 1 : r == 8 ? 2 : 3;
  }
  if (layout == 3 && numel_of(batch) <= 1) layout = 0;
  Shape sb = batch;
  if (layout == 3)
    for (auto& x : sb) x = 1;
  int64_t nb = numel_of(sb);
  std::vector<double> a(static_cast<size_t>(nb * m * n));
  for (int64_t b = 0; b < nb; ++b) fill_matrix(c, a.data() + b * m * n, m, n, k);
  Shape ls;
  std::vector<double> s;
  if (layout == 1) {
    ls = cat(sb, {n, m});
    s.resize(a.size());
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) s[static_cast<size_t>(b * m * n + j * m + i)] = a[static_cast<size_t>(b * m * n + i * n + j)];
  } else if (layout == 2) {
    ls = cat(sb, {m, 2 * n});
    s.assign(a.size() * 2, 7.0);
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          s[static_cast<size_t>(b * m * 2 * n + i * 2 * n + 2 * j + 1)] = a[static_cast<size_t>(b * m * n + i * n + j)];
  } else {
    ls = cat(sb, {m, n});
    s = a;
  }
  bool rg = false;
  Tensor t = pmore::leaf_of(c, ls, dt, s, grad_ok, &rg);
  const char* lay = "";
  if (layout == 1) t = t.transpose(-2, -1), lay = "T";
  if (layout == 2) t = t.slice(-1, 1, 2 * n, 2), lay = "S";
  if (layout == 3) t = t.expand(cat(batch, {m, n})), lay = "E";
  c.note(dt_name(dt) + shape_str(cat(batch, {m, n})) + lay + (rg ? "g" : "") + ":" + mname(k));
  return t;
}

inline Shape batch_of(Ctx& c, bool allow_empty = true) {
  int64_t k = c.rng.range(0, 9);
  if (k <= 3) return {};
  if (k == 4) return {1};
  if (k == 5) return {2};
  if (k == 6) return {3};
  if (k == 7) return {2, 2};
  if (k == 8) return {2, 1};
  return allow_empty ? Shape{0} : Shape{2};
}

// A floating dtype, or (when bad, sometimes) any dtype.
inline Dt ldt(Ctx& c) { return c.bad && c.rng.chance(0.25) ? c.any_dtype() : c.float_dtype(); }

inline M kind_of(Ctx& c, bool spd_ok, bool raw_ok = false) {
  if (c.special && c.rng.chance(0.7)) return M::Nonfinite;
  if (c.bad && c.rng.chance(0.5)) return M::Singular;
  int64_t r = c.rng.range(0, 9);
  if (r <= 4) return M::Good;
  if (r <= 6 && spd_ok) return M::Spd;
  if (r == 7) return M::Singular;
  if (r == 8 && raw_ok) return M::Raw;
  return M::Good;
}

// Gradients only of well-conditioned float64 inputs.
inline bool grad_kind(Dt dt, M k) { return dt == torch::kFloat64 && (k == M::Good || k == M::Spd); }

// Per-sample values in [0, 1) for fractional max pooling.
inline Tensor samples(Ctx& c, const Shape& s, Dt dt) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = c.rng.pick<double>({0.0, 0.125, 0.25, 0.5, 0.625, 0.875, 0.999});
  c.note("samples" + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// int64 values in [lo, hi], described.
inline Tensor ints(Ctx& c, const char* name, const Shape& s, int64_t lo, int64_t hi, Dt dt = torch::kInt64) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = static_cast<double>(c.rng.range(lo, hi));
  c.note(std::string(name) + dt_name(dt) + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

inline Tensor from(const std::vector<double>& v, const Shape& s, Dt dt) {
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// Sign-invariant views of singular/eigen vectors: U^T U and |U| (first k columns).
inline Tensor gram(const Tensor& u) { return torch::matmul(u.transpose(-2, -1), u); }

// Whether every element is finite: what is compared of a result that LAPACK leaves unspecified
// (the inverse or solution of a singular or non-finite matrix).
inline Tensor fin(const Tensor& t) { return torch::isfinite(t).all(); }
// inv_ex / solve_ex of such a matrix: whether the result is finite and whether info is nonzero
// (LibTorch's info counts pivots of A or of A^T depending on A's memory layout).
inline TL fin_ex(const std::tuple<Tensor, Tensor>& r) { return TL{fin(std::get<0>(r)), std::get<1>(r) != 0}; }
inline bool garbage(M k) { return k == M::Singular || k == M::Nonfinite; }

}  // namespace lcv

// ---------------------------------------------------------------- products

inline void add_lc_products(std::vector<Variant>& v) {
  using namespace lcv;
  v.push_back({"lc_matmul", [](Ctx& c) {
                 int64_t ra = c.rng.range(c.bad && c.rng.chance(0.3) ? 0 : 1, 4);
                 int64_t rb = c.rng.range(1, 4);
                 Shape ba, bb;
                 for (int64_t i = 2; i < ra; ++i) ba.push_back(c.rng.pick<int64_t>({1, 2, 3, 2, 1, 0}));
                 for (int64_t i = 2; i < rb; ++i) bb.push_back(c.rng.pick<int64_t>({1, 2, 3, 2, 1, 0}));
                 bool clash = c.bad && c.rng.chance(0.4);
                 for (size_t i = 1; i <= std::min(ba.size(), bb.size()); ++i) {
                   int64_t& x = ba[ba.size() - i];
                   int64_t& y = bb[bb.size() - i];
                   if (x != y && x != 1 && y != 1 && !clash) y = 1;
                 }
                 int64_t k = c.rng.range(0, 4);
                 Shape sa = ba, sb = bb;
                 if (ra >= 2) sa.push_back(c.rng.range(1, 3));
                 if (ra >= 1) sa.push_back(k);
                 sb.push_back(c.bad && !clash && c.rng.chance(0.5) ? k + 1 : k);
                 if (rb >= 2) sb.push_back(c.rng.range(1, 3));
                 Dt da = c.rng.chance(0.8) ? c.float_dtype() : c.any_dtype();
                 Dt db = c.rng.chance(0.85) ? da : c.any_dtype();
                 Tensor a = make(c, sa, da);
                 Tensor b = make(c, sb, db);
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 0) return one(torch::matmul(a, b));
                 if (form == 1) return one(a.matmul(b));
                 return one(torch::linalg_matmul(a, b));
               }});
  v.push_back({"lc_products", [](Ctx& c) {
                 int64_t op = c.inote("op", c.rng.range(0, 6));  // mm bmm mv dot vdot inner outer
                 Dt da = c.rng.chance(0.75) ? c.float_dtype() : c.any_dtype();
                 Dt db = c.bad && c.rng.chance(0.3) ? c.any_dtype() : da;
                 int64_t n = c.rng.range(0, 3);
                 int64_t k = c.rng.range(0, 4);
                 int64_t m = c.rng.range(0, 3);
                 int64_t bt = c.rng.range(0, 3);
                 int64_t off = c.bad && c.rng.chance(0.5) ? 1 : 0;
                 Shape sa, sb;
                 switch (op) {
                   case 0:
                     sa = {n, k}, sb = {k + off, m};
                     if (c.bad && c.rng.chance(0.2)) sa = {1, n, k};
                     break;
                   case 1:
                     sa = {bt, n, k}, sb = {bt + (c.bad && c.rng.chance(0.3) ? 1 : 0), k + off, m};
                     break;
                   case 2:
                     sa = {n, k}, sb = {k + off};
                     break;
                   case 3:
                   case 4:
                     sa = {k}, sb = {k + off};
                     if (c.bad && c.rng.chance(0.2)) sa = {};
                     break;
                   case 5: {
                     sa = c.shape(0, 3, 3);
                     if (!sa.empty()) sa.back() = k;
                     sb = c.shape(0, 3, 3);
                     if (!sb.empty()) sb.back() = sa.empty() ? k : k + off;
                     break;
                   }
                   default:
                     sa = {n}, sb = {m};
                     if (c.bad && c.rng.chance(0.3)) sa = {n, 1};
                 }
                 Tensor a = make(c, sa, da);
                 Tensor b = make(c, sb, db);
                 switch (op) {
                   case 0:
                     return one(c.rng.chance(0.5) ? a.mm(b) : torch::mm(a, b));
                   case 1:
                     return one(torch::bmm(a, b));
                   case 2:
                     return one(a.mv(b));
                   case 3:
                     return one(torch::dot(a, b));
                   case 4:
                     return one(torch::vdot(a, b));
                   case 5:
                     return one(torch::inner(a, b));
                   default:
                     return one(c.rng.chance(0.5) ? torch::outer(a, b) : torch::ger(a, b));
                 }
               }});
  v.push_back({"lc_addmm", [](Ctx& c) {
                 int64_t op = c.inote("op", c.rng.range(0, 4));  // addmm addmv addr addbmm baddbmm
                 Dt dt = c.rng.chance(0.75) ? c.float_dtype()
                                            : c.rng.pick<Dt>({torch::kInt64, torch::kInt32, torch::kUInt8, torch::kBool});
                 int64_t bt = c.rng.range(0, 2);
                 int64_t n = c.rng.range(0, 3);
                 int64_t k = c.rng.range(0, 3);
                 int64_t m = c.rng.range(0, 3);
                 int64_t off = c.bad && c.rng.chance(0.4) ? 1 : 0;
                 Shape s1, s2, os;
                 if (op == 0) s1 = {n, k}, s2 = {k + off, m}, os = {n, m};
                 if (op == 1) s1 = {n, k}, s2 = {k + off}, os = {n};
                 if (op == 2) s1 = {n}, s2 = {m}, os = {n + off, m};
                 if (op == 3) s1 = {bt, n, k}, s2 = {bt, k + off, m}, os = {n, m};
                 if (op == 4) s1 = {bt, n, k}, s2 = {bt, k + off, m}, os = {bt, n, m};
                 Shape ss = c.partner(os);
                 double beta = c.dnote("beta", c.rng.pick<double>({1, 0, 0, 0.5, -1, 2}));
                 double alpha = c.dnote("alpha", c.rng.pick<double>({1, 0, -0.5, 2}));
                 bool nan_self = beta == 0 && is_float(dt) && c.rng.chance(0.7);
                 Tensor self = make(c, ss, dt, -1, true, nan_self ? 0.5 : -1);
                 Tensor a = make(c, s1, dt);
                 Tensor b = make(c, s2, dt);
                 bool fl = is_float(dt) || (c.bad && c.rng.chance(0.5));
                 torch::Scalar bs = fl ? torch::Scalar(beta) : torch::Scalar(static_cast<int64_t>(beta));
                 torch::Scalar as = fl ? torch::Scalar(alpha) : torch::Scalar(static_cast<int64_t>(alpha));
                 if (dt == torch::kBool && !fl) bs = torch::Scalar(beta != 0), as = torch::Scalar(alpha != 0);
                 c.note(fl ? "fscalars" : "iscalars");
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 2 && ss == os) {
                   Tensor t = self.clone();
                   if (op == 0) t.addmm_(a, b, bs, as);
                   if (op == 1) t.addmv_(a, b, bs, as);
                   if (op == 2) t.addr_(a, b, bs, as);
                   if (op == 3) t.addbmm_(a, b, bs, as);
                   if (op == 4) t.baddbmm_(a, b, bs, as);
                   return one(t);
                 }
                 if (form == 1) {
                   if (op == 0) return one(self.addmm(a, b, bs, as));
                   if (op == 1) return one(self.addmv(a, b, bs, as));
                   if (op == 2) return one(self.addr(a, b, bs, as));
                   if (op == 3) return one(self.addbmm(a, b, bs, as));
                   return one(self.baddbmm(a, b, bs, as));
                 }
                 if (op == 0) return one(torch::addmm(self, a, b, bs, as));
                 if (op == 1) return one(torch::addmv(self, a, b, bs, as));
                 if (op == 2) return one(torch::addr(self, a, b, bs, as));
                 if (op == 3) return one(torch::addbmm(self, a, b, bs, as));
                 return one(torch::baddbmm(self, a, b, bs, as));
               }});
  v.push_back({"lc_einsum", [](Ctx& c) {
                 static const char* const good[] = {
                     "ij,jk->ik", "ij,jk",          "bij,bjk->bik", "ii->i",       "ii",        "ii->",
                     "ij->ji",    "ij->",           "i,i->",        "i,j->ij",     "...ij,...jk->...ik",
                     "b...,b...->b...",             "iij->j",       "ij,jk,kl->il", "i,i,i->i",  "bn,anm,bm->ba",
                     "...i,...i->...",              "i...->...",    "ij,ij->ij",   "ijk->kji",  "ji",
                     "i,i",       "ab,ab",          "...",          "abc,cd->abd", "ij, jk -> ik", "Ab,bC->AC",
                     "iji->j",    "...ii->...i",    "i,->i",        ",->",         "ba"};
                 static const char* const bad[] = {"ij,jk->iz", "ij->ii", "i..j->ij", "ij,jk->ik,", "ij->i->j", "i.j", "ij,jk->...ik"};
                 bool use_bad = c.bad && c.rng.chance(0.3);
                 std::string eq = use_bad ? bad[c.rng.range(0, 6)] : good[c.rng.range(0, 31)];
                 c.note("eq=" + eq);
                 std::string lhs = eq.substr(0, eq.find("->"));
                 std::vector<std::string> terms{""};
                 for (char ch : lhs) {
                   if (ch == ',')
                     terms.push_back("");
                   else
                     terms.back() += ch;
                 }
                 int64_t sizes[128];
                 for (auto& s : sizes) s = -1;
                 Shape ell;
                 int64_t el = c.rng.range(0, 2);
                 for (int64_t i = 0; i < el; ++i) ell.push_back(c.rng.range(1, 3));
                 Dt dt = c.rng.chance(0.8) ? c.float_dtype() : c.any_dtype();
                 TL ops;
                 for (const std::string& t : terms) {
                   Shape s;
                   for (size_t i = 0; i < t.size(); ++i) {
                     char ch = t[i];
                     if (ch == ' ') continue;
                     if (ch == '.') {
                       if (t.compare(i, 3, "...") == 0) {
                         Shape e = ell;
                         if (!e.empty() && c.rng.chance(0.2)) e.erase(e.begin());
                         for (auto& x : e)
                           if (c.rng.chance(0.25)) x = 1;
                         s = cat(s, e);
                         i += 2;
                       }
                       continue;
                     }
                     int64_t& sz = sizes[static_cast<unsigned char>(ch) & 127];
                     if (sz < 0) sz = c.rng.pick<int64_t>({1, 2, 3, 2, 3, 0});
                     s.push_back(sz);
                   }
                   if (c.bad && !s.empty() && c.rng.chance(0.25)) s[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(s.size()) - 1))] += 1;
                   ops.push_back(make(c, s, c.bad && c.rng.chance(0.1) ? c.any_dtype() : dt));
                 }
                 if (c.bad && ops.size() > 1 && c.rng.chance(0.2)) ops.pop_back(), c.note("dropped");
                 return one(torch::einsum(eq, ops));
               }});
  v.push_back({"lc_tensordot", [](Ctx& c) {
                 int64_t ra = c.rng.range(0, 3);
                 Shape sa;
                 for (int64_t i = 0; i < ra; ++i) sa.push_back(c.rng.pick<int64_t>({1, 2, 3, 2, 0}));
                 int64_t nd = c.rng.range(0, ra);
                 Shape perm_a;
                 for (int64_t i = 0; i < ra; ++i) perm_a.push_back(i);
                 for (int64_t i = ra - 1; i > 0; --i) std::swap(perm_a[static_cast<size_t>(i)], perm_a[static_cast<size_t>(c.rng.range(0, i))]);
                 int64_t rb = nd + c.rng.range(0, 2);
                 Shape perm_b;
                 for (int64_t i = 0; i < rb; ++i) perm_b.push_back(i);
                 for (int64_t i = rb - 1; i > 0; --i) std::swap(perm_b[static_cast<size_t>(i)], perm_b[static_cast<size_t>(c.rng.range(0, i))]);
                 Shape sb(static_cast<size_t>(rb));
                 for (auto& x : sb) x = c.rng.range(1, 3);
                 Shape da, db;
                 for (int64_t i = 0; i < nd; ++i) {
                   int64_t a = perm_a[static_cast<size_t>(i)], b = perm_b[static_cast<size_t>(i)];
                   sb[static_cast<size_t>(b)] = sa[static_cast<size_t>(a)];
                   da.push_back(c.rng.chance(0.3) ? a - ra : a);
                   db.push_back(c.rng.chance(0.3) ? b - rb : b);
                 }
                 if (c.bad && c.rng.chance(0.5)) {
                   int64_t how = c.rng.range(0, 2);
                   if (how == 0 && !sb.empty()) sb[static_cast<size_t>(c.rng.range(0, rb - 1))] += 1;
                   if (how == 1) da.push_back(ra), db.push_back(0);
                   if (how == 2 && !da.empty()) da.push_back(da[0]), db.push_back(db[0]);
                 }
                 c.snote("da", da);
                 c.snote("db", db);
                 Dt dt = c.rng.chance(0.8) ? c.float_dtype() : c.any_dtype();
                 Tensor a = make(c, sa, dt);
                 Tensor b = make(c, sb, c.bad && c.rng.chance(0.2) ? c.any_dtype() : dt);
                 return one(torch::tensordot(a, b, da, db));
               }});
  v.push_back({"lc_kron", [](Ctx& c) {
                 Shape sa = c.shape(0, 3, 3);
                 Shape sb = c.shape(0, 3, 3);
                 Dt da = c.rng.chance(0.7) ? c.float_dtype() : c.any_dtype();
                 Dt db = c.rng.chance(0.8) ? da : c.any_dtype();
                 int la = c.rng.pick<int>({0, 0, 2, 3});
                 Tensor a = make(c, sa, da, la);
                 int lb = c.rng.pick<int>({0, 0, 2, 3});
                 Tensor b = make(c, sb, db, lb);
                 return one(c.rng.chance(0.5) ? torch::kron(a, b) : a.kron(b));
               }});
  v.push_back({"lc_multi_dot", [](Ctx& c) {
                 bool chain = c.bnote("chain", c.rng.chance(0.35));
                 int64_t cnt = c.inote("count", c.rng.range(c.bad ? 1 : 2, 4));
                 Shape d(static_cast<size_t>(cnt + 1));
                 for (auto& x : d) x = c.rng.pick<int64_t>({1, 2, 3, 2, 3, 0});
                 bool first1 = !chain && c.bnote("first1d", c.rng.chance(0.3));
                 bool last1 = !chain && c.bnote("last1d", c.rng.chance(0.3));
                 int64_t broken = c.bad && c.rng.chance(0.5) ? c.rng.range(0, cnt - 1) : -1;
                 Dt dt = c.rng.chance(0.8) ? c.float_dtype() : c.any_dtype();
                 TL ts;
                 for (int64_t i = 0; i < cnt; ++i) {
                   Shape s{d[static_cast<size_t>(i)], d[static_cast<size_t>(i + 1)] + (i == broken ? 1 : 0)};
                   if (i == 0 && first1) s.erase(s.begin());
                   if (i == cnt - 1 && last1 && s.size() == 2) s.pop_back();
                   if (c.bad && c.rng.chance(0.1)) s.insert(s.begin(), 1), c.note("3d");
                   ts.push_back(make(c, s, c.bad && c.rng.chance(0.1) ? c.any_dtype() : dt));
                 }
                 if (chain) return one(torch::chain_matmul(ts));
                 return one(torch::linalg_multi_dot(ts));
               }});
  v.push_back({"lc_matrix_power", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 3);
                 int64_t m = c.bad && c.rng.chance(0.2) ? n + 1 : n;
                 Dt dt = c.bad && c.rng.chance(0.35) ? c.any_dtype() : c.float_dtype();
                 int64_t p = c.inote("n", c.rng.range(-3, 4));
                 M k = kind_of(c, false, p >= 0);
                 if (!is_float(dt) && k != M::Singular) k = M::Raw;
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 0) return one(torch::matrix_power(a, p));
                 if (form == 1) return one(a.matrix_power(p));
                 return one(torch::linalg_matrix_power(a, p));
               }});
  v.push_back({"lc_cross", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 3);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t pd = c.rng.range(0, r - 1);
                 s[static_cast<size_t>(pd)] = c.bad && c.rng.chance(0.25) ? 2 : 3;
                 Shape p = c.rng.chance(0.5) ? s : c.partner(s, false);
                 if (c.rng.chance(0.5)) std::swap(s, p);
                 Dt da = c.rng.chance(0.75) ? c.float_dtype() : c.any_dtype();
                 Dt db = c.rng.chance(0.85) ? da : c.any_dtype();
                 Tensor a = make(c, s, da);
                 Tensor b = make(c, p, db);
                 int64_t form = c.inote("form", c.rng.range(0, 3));
                 int64_t dim = c.rng.chance(0.5) ? pd : pd - r;
                 if (c.bad && c.rng.chance(0.3)) dim = c.rng.range(-r - 1, r);
                 if (form == 0) return one(torch::cross(a, b));
                 c.inote("dim", dim);
                 if (form == 1) return one(torch::cross(a, b, dim));
                 if (form == 2) return one(torch::linalg_cross(a, b, dim));
                 return one(a.cross(b, dim));
               }});
}

// ---------------------------------------------------------------- torch::linalg_*

inline void add_lc_linalg(std::vector<Variant>& v) {
  using namespace lcv;
  v.push_back({"lc_inv", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 int64_t m = c.bad && c.rng.chance(0.2) ? n + 1 : n;
                 Dt dt = ldt(c);
                 M k = kind_of(c, true);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 int64_t form = c.inote("form", c.rng.range(0, 4));
                 if (form == 2 || form == 3) {
                   auto r = torch::linalg_inv_ex(a, form == 3);
                   return garbage(k) ? fin_ex(r) : two(r);
                 }
                 Tensor r = form == 0 ? torch::linalg_inv(a) : form == 1 ? a.inverse() : torch::linalg::inv(a);
                 return one(k == M::Nonfinite ? fin(r) : r);
               }});
  v.push_back({"lc_det", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 int64_t m = c.bad && c.rng.chance(0.2) ? n + 1 : n;
                 Dt dt = ldt(c);
                 int64_t form = c.inote("form", c.rng.range(0, 4));  // det linalg_det slogdet linalg_slogdet logdet
                 M k = kind_of(c, true, form <= 1 && n <= 3);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 TL r;
                 if (form == 0) r = one(c.rng.chance(0.5) ? torch::det(a) : a.det());
                 if (form == 1) r = one(torch::linalg_det(a));
                 if (form == 2) r = two(torch::slogdet(a));
                 if (form == 3) r = two(torch::linalg_slogdet(a));
                 if (form == 4) r = one(torch::logdet(a));
                 if (k == M::Nonfinite)
                   for (auto& t : r) t = fin(t);
                 return r;
               }});
  v.push_back({"lc_solve", [](Ctx& c) {
                 Shape ba = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 Dt dt = ldt(c);
                 M k = kind_of(c, true);
                 Tensor a = mat(c, ba, n, n, dt, k, grad_kind(dt, k));
                 bool left = c.bnote("left", c.rng.chance(0.75));
                 int64_t bform = c.inote("bform", c.rng.range(0, 3));  // vector, matrix, batched vector, broadcast matrix
                 int64_t nn = c.bad && c.rng.chance(0.3) ? n + 1 : n;
                 int64_t kc = c.rng.range(0, 3);
                 Shape sb;
                 if (bform == 0) sb = {nn};
                 if (bform == 1) sb = left ? Shape{nn, kc} : Shape{kc, nn};
                 if (bform == 2) sb = cat(ba, {nn});
                 if (bform == 3) sb = cat(c.partner(ba, false), left ? Shape{nn, kc} : Shape{kc, nn});
                 Dt db = c.bad && c.rng.chance(0.2) ? c.any_dtype() : dt;
                 Tensor bt = make(c, sb, db, -1, grad_kind(dt, k), 0);
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 1) {
                   auto r = torch::linalg_solve_ex(a, bt, left);
                   return garbage(k) ? fin_ex(r) : two(r);
                 }
                 Tensor r = form == 0 ? torch::linalg_solve(a, bt, left) : torch::linalg::solve(a, bt, left);
                 return one(k == M::Nonfinite ? fin(r) : r);
               }});
  v.push_back({"lc_cholesky", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 int64_t m = c.bad && c.rng.chance(0.15) ? n + 1 : n;
                 Dt dt = ldt(c);
                 M k = c.rng.chance(0.5) ? M::Spd : kind_of(c, true);
                 // no NaN: whether LibTorch's potrf reports a NaN pivot as a failed minor depends on where it is
                 if (k == M::Nonfinite) k = M::Good;
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k) && k == M::Spd);
                 bool upper = c.bnote("upper", c.rng.chance(0.4));
                 int64_t form = c.inote("form", c.rng.range(0, 5));
                 if (form == 0) return one(torch::linalg_cholesky(a, upper));
                 if (form == 1) {
                   // what is left in L past a failed minor is LAPACK's own: info only then
                   auto r = torch::linalg_cholesky_ex(a, upper);
                   if ((std::get<1>(r) != 0).any().item<bool>()) return TL{std::get<1>(r)};
                   return two(r);
                 }
                 if (form == 2) return one(torch::cholesky(a, upper));
                 if (form == 3) return one(torch::linalg::cholesky(a));
                 Tensor l = torch::linalg_cholesky(a, upper);
                 if (form == 4) {
                   int64_t kc = c.rng.range(0, 2);
                   Tensor rhs = make(c, cat(b, {c.bad && c.rng.chance(0.3) ? n + 1 : n, kc}), dt, -1, grad_kind(dt, k), 0);
                   return one(torch::cholesky_solve(rhs, l, upper));
                 }
                 return one(torch::cholesky_inverse(l, upper));
               }});
  v.push_back({"lc_qr", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t m = c.rng.range(0, 4);
                 int64_t n = c.rng.range(0, 4);
                 Dt dt = ldt(c);
                 M k = kind_of(c, false, true);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 const char* mode = c.rng.pick<const char*>({"reduced", "reduced", "complete", "r"});
                 if (c.bad && c.rng.chance(0.2)) mode = "full";
                 c.note(std::string("mode=") + mode);
                 if (c.rng.chance(0.2)) {
                   bool some = std::string(mode) != "complete";
                   c.note("torch::qr");
                   return two(torch::qr(a, some));
                 }
                 return two(torch::linalg_qr(a, mode));
               }});
  v.push_back({"lc_svd", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t m = c.rng.range(0, 4);
                 int64_t n = c.rng.range(0, 4);
                 Dt dt = ldt(c);
                 int64_t form = c.inote("form", c.rng.range(0, 3));  // linalg_svd, svd, svdvals, linalg::svd
                 M k = kind_of(c, false, true);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k) && k == M::Good);
                 bool full = c.bnote("full", c.rng.chance(0.4));
                 int64_t kk = std::min(m, n);
                 if (form == 2) return one(torch::linalg_svdvals(a));
                 Tensor u, s, vh;
                 if (form == 1) {
                   bool uv = c.bnote("compute_uv", c.rng.chance(0.8));
                   auto r = torch::svd(a, !full, uv);
                   if (!uv) return TL{std::get<0>(r), std::get<1>(r), std::get<2>(r)};
                   u = std::get<0>(r), s = std::get<1>(r), vh = std::get<2>(r).transpose(-2, -1);
                 } else {
                   auto r = form == 0 ? torch::linalg_svd(a, full) : torch::linalg::svd(a, full, c10::nullopt);
                   u = std::get<0>(r), s = std::get<1>(r), vh = std::get<2>(r);
                 }
                 // float32 vectors differ by rounding between LAPACK and any other SVD: their shapes only
                 if (dt != torch::kFloat64) return TL{s, torch::zeros(u.sizes()), torch::zeros(vh.sizes())};
                 Tensor uk = u.narrow(-1, 0, kk), vk = vh.narrow(-2, 0, kk);
                 Tensor rec = torch::matmul(uk * s.unsqueeze(-2), vk);
                 TL out{s, gram(u), gram(vh.transpose(-2, -1)), rec};
                 if (k == M::Good) out.push_back(uk.abs()), out.push_back(vk.abs());
                 return out;
               }});
  v.push_back({"lc_eigh", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 int64_t m = c.bad && c.rng.chance(0.15) ? n + 1 : n;
                 Dt dt = ldt(c);
                 M k = c.rng.chance(0.4) ? M::Spd : kind_of(c, true, true);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k) && k == M::Spd);
                 const char* uplo = c.rng.pick<const char*>({"L", "U", "L"});
                 if (c.bad && c.rng.chance(0.2)) uplo = "X";
                 c.note(std::string("uplo=") + uplo);
                 if (c.rng.chance(0.3)) return one(torch::linalg_eigvalsh(a, uplo));
                 auto r = torch::linalg_eigh(a, uplo);
                 Tensor l = std::get<0>(r), q = std::get<1>(r);
                 if (dt != torch::kFloat64) return TL{l, torch::zeros(q.sizes())};
                 Tensor rec = torch::matmul(q * l.unsqueeze(-2), q.transpose(-2, -1));
                 return TL{l, gram(q), rec};
               }});
  v.push_back({"lc_vector_norm", [](Ctx& c) {
                 Shape s = c.shape(0, 3);
                 Dt dt = c.bad && c.rng.chance(0.3) ? c.any_dtype() : c.float_dtype();
                 Tensor x = make(c, s, dt);
                 double ord = c.dnote("ord", c.rng.pick<double>({2, 1, 0, kInf, -kInf, 3, 0.5, -1, -2, 1.5}));
                 int64_t r = static_cast<int64_t>(s.size());
                 c10::optional<Shape> dims;
                 if (c.rng.chance(0.6)) dims = dims_of(c, r);
                 bool keep = c.bnote("keepdim", c.rng.chance(0.4));
                 c10::optional<Dt> odt;
                 if (c.rng.chance(0.25)) odt = c.bad && c.rng.chance(0.4) ? c.any_dtype() : c.float_dtype(), c.note("dtype=" + dt_name(*odt));
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 2 && !dims && !odt) return one(torch::linalg::vector_norm(x, ord, c10::nullopt, keep, c10::nullopt));
                 if (dims) return one(torch::linalg_vector_norm(x, ord, *dims, keep, odt));
                 return one(torch::linalg_vector_norm(x, ord, c10::nullopt, keep, odt));
               }});
  v.push_back({"lc_matrix_norm", [](Ctx& c) {
                 int64_t r = c.rng.range(c.bad ? 1 : 2, 3);
                 Shape s = c.shape(r, r, 4);
                 Dt dt = c.bad && c.rng.chance(0.3) ? c.any_dtype() : c.float_dtype();
                 int64_t oi = c.rng.range(0, 7);  // fro nuc 1 -1 2 -2 inf -inf
                 // SVD-based ords: no gradients (arbitrary matrices), no inf/nan (gesdd prints to stdout)
                 bool svd_based = oi == 1 || oi == 4 || oi == 5;
                 Tensor x = make(c, s, dt, -1, !svd_based, svd_based ? 0 : -1);
                 Shape dims = {-2, -1};
                 if (r == 3 && c.rng.chance(0.4)) dims = c.rng.chance(0.5) ? Shape{0, 2} : Shape{-1, 0};
                 if (r == 2 && c.rng.chance(0.3)) dims = {1, 0};
                 if (c.bad && c.rng.chance(0.4)) dims = c.rng.chance(0.5) ? Shape{0, 0} : Shape{-1};
                 c.snote("dims", dims);
                 bool keep = c.bnote("keepdim", c.rng.chance(0.4));
                 c10::optional<Dt> odt;
                 if (c.rng.chance(0.2)) odt = c.float_dtype(), c.note("dtype=" + dt_name(*odt));
                 int64_t form = c.inote("form", c.rng.range(0, 1));
                 if (oi <= 1) {
                   const char* o = oi == 0 ? "fro" : "nuc";
                   c.note(std::string("ord=") + o);
                   if (form == 1) return one(torch::linalg_norm(x, o, dims, keep, odt));
                   return one(torch::linalg_matrix_norm(x, o, dims, keep, odt));
                 }
                 double o = c.dnote("ord", std::vector<double>{1, -1, 2, -2, kInf, -kInf}[static_cast<size_t>(oi - 2)]);
                 if (form == 1) return one(torch::linalg_norm(x, Opt(o), dims, keep, odt));
                 return one(torch::linalg_matrix_norm(x, o, dims, keep, odt));
               }});
  v.push_back({"lc_linalg_norm", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3);
                 Dt dt = c.bad && c.rng.chance(0.3) ? c.any_dtype() : c.float_dtype();
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t oform = c.inote("oform", c.rng.range(0, 2));  // none, number, string
                 int64_t dform = c.inote("dform", c.rng.range(0, 2));  // none, one dim, two dims
                 const char* so = c.rng.chance(0.6) ? "fro" : "nuc";
                 double no = c.rng.pick<double>({1, 2, kInf, -kInf, -1, 0, 3});
                 // The SVD-based matrix norms (2, -2, nuc): no gradients (arbitrary matrices), no inf/nan
                 // (LAPACK's gesdd writes an "illegal value" line to stdout for an inf).
                 bool matrix = dform == 2 || (dform == 0 && r == 2);
                 bool svd = matrix && ((oform == 2 && so[0] == 'n') || (oform == 1 && (no == 2 || no == -2)));
                 Tensor x = make(c, s, dt, -1, !svd && (oform == 0 || (oform == 1 && !matrix)), svd ? 0 : -1);
                 c10::optional<Shape> dims;
                 if (dform == 1) dims = Shape{c.rng.range(-std::max<int64_t>(r, 1), std::max<int64_t>(r, 1) - 1)};
                 if (dform == 2) dims = r >= 2 ? Shape{0, r - 1} : Shape{0, 1};
                 if (dims) c.snote("dims", *dims);
                 bool keep = c.bnote("keepdim", c.rng.chance(0.4));
                 if (oform == 2) {
                   c.note(std::string("ord=") + so);
                   if (dims) return one(torch::linalg_norm(x, so, *dims, keep, c10::nullopt));
                   return one(torch::linalg_norm(x, so, c10::nullopt, keep, c10::nullopt));
                 }
                 Opt o;
                 if (oform == 1) o = c.dnote("ord", no);
                 if (dims) return one(torch::linalg_norm(x, o, *dims, keep, c10::nullopt));
                 return one(torch::linalg_norm(x, o, c10::nullopt, keep, c10::nullopt));
               }});
  v.push_back({"lc_pinv", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t m = c.rng.range(0, 4);
                 int64_t n = c.rng.range(0, 4);
                 bool herm = c.bnote("hermitian", c.rng.chance(0.25));
                 if (herm) n = m;
                 Dt dt = ldt(c);
                 M k = herm && c.rng.chance(0.6) ? M::Spd : kind_of(c, herm, true);
                 if (k == M::Spd && m != n) k = M::Good;
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 bool exact = k == M::Good || k == M::Spd;
                 int64_t form = c.inote("form", c.rng.range(exact ? 0 : 1, 3));
                 double tol = dt == torch::kFloat32 ? 1e-3 : 1e-7;
                 if (form == 0) return one(torch::linalg_pinv(a));
                 if (form == 1) return one(torch::linalg_pinv(a, c.dnote("rcond", c.rng.pick<double>({tol, 0.1, 0.5})), herm));
                 if (form == 2) {
                   c10::optional<double> at, rt;
                   if (c.rng.chance(0.5)) at = c.dnote("atol", c.rng.pick<double>({tol, 1.0, 2.5}));
                   if (c.rng.chance(0.7)) rt = c.dnote("rtol", c.rng.pick<double>({tol, 0.3}));
                   if (!exact && !at && !rt) rt = c.dnote("rtol", tol);
                   return one(torch::linalg_pinv(a, at, rt, herm));
                 }
                 return one(torch::pinverse(a, c.dnote("rcond", c.rng.pick<double>({tol, 0.2}))));
               }});
  v.push_back({"lc_lstsq", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t n = c.rng.range(0, 3);
                 int64_t m = n + c.rng.range(c.rng.chance(0.2) ? -1 : 0, 2);
                 if (m < 0) m = 0;
                 Dt dt = ldt(c);
                 M k = c.rng.chance(0.7) ? M::Good : kind_of(c, false);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 bool vec = c.bnote("vecB", b.empty() && c.rng.chance(0.25));
                 int64_t kc = c.rng.range(1, 2);
                 int64_t mm = c.bad && c.rng.chance(0.3) ? m + 1 : m;
                 Shape sb = vec ? Shape{mm} : cat(b, {mm, kc});
                 Tensor bt = make(c, sb, c.bad && c.rng.chance(0.15) ? c.any_dtype() : dt, -1, grad_kind(dt, k), 0);
                 const char* drv = c.rng.pick<const char*>({"", "gelsy", "gelsd", "gelss", "gels"});
                 if (k != M::Good && std::string(drv) == "gels") drv = "gelsy";
                 // (gelsd/gelss write LAPACK "illegal value" lines to stdout for a NaN)
                 if (k == M::Nonfinite && (std::string(drv) == "gelsd" || std::string(drv) == "gelss")) drv = "gelsy";
                 if (c.bad && c.rng.chance(0.15)) drv = "qr";
                 c.note(std::string("driver=") + drv);
                 c10::optional<double> rc;
                 if (k != M::Good || c.rng.chance(0.3)) rc = c.dnote("rcond", dt == torch::kFloat32 ? 1e-4 : 1e-8);
                 auto r = *drv ? torch::linalg_lstsq(a, bt, rc, drv) : torch::linalg_lstsq(a, bt, rc);
                 return TL{std::get<0>(r), std::get<1>(r), std::get<2>(r), std::get<3>(r)};
               }});
  v.push_back({"lc_matrix_rank", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t m = c.rng.range(0, 4);
                 int64_t n = c.rng.range(0, 4);
                 bool herm = c.bnote("hermitian", c.rng.chance(0.25));
                 if (herm) n = m;
                 Dt dt = ldt(c);
                 M k = kind_of(c, herm, true);
                 Tensor a = mat(c, b, m, n, dt, k, false);
                 int64_t form = c.inote("form", c.rng.range(k == M::Raw ? 1 : 0, 3));
                 if (form == 0) return one(herm ? torch::linalg_matrix_rank(a, c10::optional<double>(), c10::optional<double>(), true) : torch::linalg_matrix_rank(a));
                 if (form == 1) return one(torch::linalg_matrix_rank(a, c.dnote("tol", c.rng.pick<double>({0.5, 1e-3, 2.0})), herm));
                 if (form == 2) {
                   c10::optional<double> at, rt;
                   if (c.rng.chance(0.6)) at = c.dnote("atol", c.rng.pick<double>({0.5, 1e-3, 3.0}));
                   if (c.rng.chance(0.6) || !at) rt = c.dnote("rtol", c.rng.pick<double>({0.1, 1e-3, 0.6}));
                   return one(torch::linalg_matrix_rank(a, at, rt, herm));
                 }
                 return one(torch::linalg::matrix_rank(a, c.dnote("tol", c.rng.pick<double>({0.25, 1e-4})), herm));
               }});
  v.push_back({"lc_tensorinv_solve", [](Ctx& c) {
                 bool solve = c.bnote("solve", c.rng.chance(0.5));
                 static const Shape splits[][2] = {{{4}, {2, 2}}, {{2, 2}, {4}}, {{2, 2}, {2, 2}}, {{6}, {3, 2}},
                                                   {{2, 3}, {6}}, {{1}, {1, 1}}, {{3}, {3}}, {{0}, {0}}};
                 const Shape* sp = splits[c.rng.range(0, 7)];
                 Shape pre = sp[0], suf = sp[1];
                 int64_t n = numel_of(pre);
                 Dt dt = ldt(c);
                 M k = kind_of(c, false);
                 Tensor a = mat(c, {}, n, n, dt, k, grad_kind(dt, k), 0);
                 if (c.bad && c.rng.chance(0.3)) suf.push_back(2), c.note("mismatch");
                 c.snote("pre", pre);
                 c.snote("suf", suf);
                 if (!solve) {
                   int64_t ind = c.inote("ind", c.bad && c.rng.chance(0.3) ? 0 : static_cast<int64_t>(pre.size()));
                   Tensor r = torch::linalg_tensorinv(a.reshape(cat(pre, suf)), ind);
                   return one(k == M::Nonfinite ? fin(r) : r);
                 }
                 // A's shape is B's (pre) then X's (suf); with dims, X's dims sit where dims says.
                 Tensor full = a.reshape(cat(pre, suf));
                 int64_t r = static_cast<int64_t>(pre.size() + suf.size());
                 Tensor bt = make(c, pre, dt, -1, grad_kind(dt, k), 0);
                 if (c.rng.chance(0.5)) {
                   Tensor r = torch::linalg_tensorsolve(full, bt);
                   return one(k == M::Nonfinite ? fin(r) : r);
                 }
                 Shape pos;
                 for (int64_t i = 0; i < r; ++i) pos.push_back(i);
                 for (int64_t i = r - 1; i > 0; --i) std::swap(pos[static_cast<size_t>(i)], pos[static_cast<size_t>(c.rng.range(0, i))]);
                 Shape xpos(pos.begin(), pos.begin() + static_cast<int64_t>(suf.size()));
                 Shape perm(static_cast<size_t>(r), -1);
                 for (size_t i = 0; i < xpos.size(); ++i) perm[static_cast<size_t>(xpos[i])] = static_cast<int64_t>(pre.size() + i);
                 int64_t nb = 0;
                 for (auto& p : perm)
                   if (p < 0) p = nb++;
                 Shape dims = xpos;
                 c.snote("dims", dims);
                 Tensor res = torch::linalg_tensorsolve(full.permute(perm), bt, dims);
                 return one(k == M::Nonfinite ? fin(res) : res);
               }});
  v.push_back({"lc_triangular", [](Ctx& c) {
                 Shape ba = batch_of(c);
                 int64_t n = c.rng.range(0, 4);
                 Dt dt = ldt(c);
                 M k = kind_of(c, false);
                 Tensor a = mat(c, ba, n, n, dt, k, grad_kind(dt, k));
                 if (c.bad && n > 0 && c.rng.chance(0.4)) {
                   int64_t i = c.inote("zero_diag", c.rng.range(0, n - 1));
                   a = a.clone();
                   {
                     torch::NoGradGuard ng;
                     a.select(-1, i).select(-1, i).fill_(0);
                   }
                 }
                 bool upper = c.bnote("upper", c.rng.chance(0.5));
                 bool unit = c.bnote("unit", c.rng.chance(0.25));
                 int64_t kc = c.rng.range(0, 2);
                 int64_t nn = c.bad && c.rng.chance(0.2) ? n + 1 : n;
                 int64_t form = c.inote("form", c.rng.range(0, 1));
                 if (form == 0) {
                   bool tr = c.bnote("transpose", c.rng.chance(0.4));
                   Tensor bt = make(c, cat(c.rng.chance(0.7) ? ba : c.partner(ba, false), {nn, kc}), dt, -1, grad_kind(dt, k), 0);
                   return two(torch::triangular_solve(bt, a, upper, tr, unit));
                 }
                 bool left = c.bnote("left", c.rng.chance(0.7));
                 Shape bs = cat(c.rng.chance(0.7) ? ba : c.partner(ba, false), left ? Shape{nn, kc} : Shape{kc, nn});
                 Tensor bt = make(c, bs, dt, -1, grad_kind(dt, k), 0);
                 return one(torch::linalg_solve_triangular(a, bt, upper, left, unit));
               }});
  v.push_back({"lc_lu", [](Ctx& c) {
                 Shape b = batch_of(c);
                 int64_t m = c.rng.range(0, 4);
                 int64_t form = c.inote("form", c.rng.range(0, 5));  // lu_factor lu_factor_ex lu linalg_lu_solve lu_solve lu_unpack
                 int64_t n = form >= 3 && form <= 4 ? m : c.rng.range(0, 4);
                 Dt dt = ldt(c);
                 M k = kind_of(c, false, form != 3 && form != 4);
                 Tensor a = mat(c, b, m, n, dt, k, grad_kind(dt, k));
                 bool pivot = !(c.bad && c.rng.chance(0.2));
                 if (!pivot) c.note("nopivot");
                 if (form == 0) return two(torch::linalg_lu_factor(a, pivot));
                 if (form == 1) {
                   auto r = torch::linalg_lu_factor_ex(a, pivot);
                   return TL{std::get<0>(r), std::get<1>(r), std::get<2>(r)};
                 }
                 if (form == 2) {
                   auto r = torch::linalg_lu(a, pivot);
                   return TL{std::get<0>(r), std::get<1>(r), std::get<2>(r)};
                 }
                 auto f = torch::linalg_lu_factor(a, pivot);
                 Tensor lu = std::get<0>(f), piv = std::get<1>(f);
                 if (form == 5) {
                   auto r = torch::lu_unpack(lu, piv);
                   return TL{std::get<0>(r), std::get<1>(r), std::get<2>(r)};
                 }
                 int64_t kc = c.rng.range(0, 2);
                 int64_t mm = c.bad && c.rng.chance(0.2) ? m + 1 : m;
                 if (form == 4) {
                   Tensor bt = make(c, cat(b, {mm, kc}), dt, -1, grad_kind(dt, k), 0);
                   return one(torch::lu_solve(bt, lu, piv));
                 }
                 bool left = c.bnote("left", c.rng.chance(0.7));
                 bool adj = c.bnote("adjoint", c.rng.chance(0.4));
                 Tensor bt = make(c, cat(b, left ? Shape{mm, kc} : Shape{kc, mm}), dt, -1, grad_kind(dt, k), 0);
                 return one(torch::linalg_lu_solve(lu, piv, bt, left, adj));
               }});
}

// ---------------------------------------------------------------- convolutions

namespace lcv {

// Options drawn for a k-d convolution (one value per spatial dim).
struct ConvSpec {
  Shape stride, pad, dil, outpad;
  int64_t padmode = 0;  // 0 numbers, 1 "same", 2 "valid"
};

inline Shape list(Ctx& c, const char* name, int64_t k, int64_t lo, int64_t hi) {
  Shape v(static_cast<size_t>(k));
  for (auto& x : v) x = c.rng.range(lo, hi);
  return c.snote(name, v);
}

inline Tensor conv_any(int64_t k, const Tensor& x, const Tensor& w, const Tensor& b, const ConvSpec& s, int64_t groups) {
  if (s.padmode == 0) {
    if (k == 1) return torch::conv1d(x, w, b, s.stride, s.pad, s.dil, groups);
    if (k == 2) return torch::conv2d(x, w, b, s.stride, s.pad, s.dil, groups);
    return torch::conv3d(x, w, b, s.stride, s.pad, s.dil, groups);
  }
  const char* p = s.padmode == 1 ? "same" : "valid";
  if (k == 1) return torch::conv1d(x, w, b, s.stride, p, s.dil, groups);
  if (k == 2) return torch::conv2d(x, w, b, s.stride, p, s.dil, groups);
  // (ember has no torch::conv3d overload taking a padding string: the functional form instead)
  F::Conv3dFuncOptions o;
  o.bias(b).stride(std::array<int64_t, 3>{s.stride[0], s.stride[1], s.stride[2]});
  o.dilation(std::array<int64_t, 3>{s.dil[0], s.dil[1], s.dil[2]}).groups(groups);
  if (s.padmode == 1) o.padding(torch::kSame);
  if (s.padmode == 2) o.padding(torch::kValid);
  return F::conv3d(x, w, o);
}

}  // namespace lcv

inline void add_lc_conv(std::vector<Variant>& v) {
  using namespace lcv;
  // conv1d/2d/3d with groups, strides, paddings (numbers, "same", "valid"), dilation; sometimes many channels.
  for (int64_t kd = 1; kd <= 3; ++kd) {
    static const char* const names[] = {"lc_conv1d", "lc_conv2d", "lc_conv3d"};
    v.push_back({names[kd - 1], [kd](Ctx& c) {
                   int64_t groups = c.rng.pick<int64_t>({1, 1, 1, 2, 3});
                   int64_t cin_g = c.rng.range(1, 3);
                   int64_t cout_g = c.rng.range(1, 3);
                   if (groups == 1 && kd <= 2 && c.rng.chance(0.2)) cin_g = c.rng.range(8, kd == 1 ? 24 : 40), c.note("wide");
                   if (c.rng.chance(0.1)) groups = cin_g * groups, cin_g = 1, c.note("depthwise");
                   int64_t cin = groups * cin_g, cout = groups * cout_g;
                   int64_t hmax = kd == 1 ? 9 : kd == 2 ? (cin > 8 ? 5 : 7) : 4;
                   Shape xs{c.rng.range(1, 2), cin};
                   for (int64_t i = 0; i < kd; ++i) xs.push_back(c.rng.range(1, hmax));
                   if (c.rng.chance(0.2)) xs.erase(xs.begin()), c.note("unbatched");
                   Dt dt = c.bad && c.rng.chance(0.15) ? c.any_dtype() : c.float_dtype();
                   Tensor x = make(c, xs, dt);
                   Shape ws{cout, cin_g + (c.bad && c.rng.chance(0.2) ? 1 : 0)};
                   for (int64_t i = 0; i < kd; ++i) ws.push_back(c.rng.range(1, kd == 3 ? 2 : 4));
                   // A finite weight: LibTorch 1.13's float32 convolution (oneDNN) skips the taps that fall on
                   // padding, its float64 one (im2col) multiplies them by the zeros, so an inf weight gives
                   // NaN there in one and not the other. lc_conv2d_grad has non-finite weights.
                   Tensor w = make(c, ws, c.bad && c.rng.chance(0.1) ? c.any_dtype() : dt, -1, true, 0);
                   Tensor b;
                   if (c.rng.chance(0.5)) b = make(c, {c.bad && c.rng.chance(0.2) ? cout + 1 : cout}, dt);
                   ConvSpec s;
                   s.padmode = c.inote("padmode", c.rng.pick<int64_t>({0, 0, 0, 1, 2}));
                   s.stride = list(c, "stride", kd, c.bad && c.rng.chance(0.3) ? 0 : 1, s.padmode == 1 && !c.bad ? 1 : 3);
                   s.pad = list(c, "pad", kd, c.bad && c.rng.chance(0.3) ? -1 : 0, 2);
                   s.dil = list(c, "dil", kd, 1, 2);
                   c.inote("groups", groups);
                   return one(conv_any(kd, x, w, b, s, groups));
                 }});
  }
  // The Winograd shapes: 3x3, stride 1, dilation 1, groups 1, 8..40 input channels, float32 mostly,
  // with inf/nan in the input or weight sometimes.
  v.push_back({"lc_conv2d_3x3", [](Ctx& c) {
                 int64_t cin = c.rng.pick<int64_t>({8, 8, 12, 16, 16, 24, 32, 40, 7, 3});
                 int64_t cout = c.rng.pick<int64_t>({8, 8, 16, 12, 24, 4});
                 int64_t n = c.rng.range(1, 2);
                 int64_t hmax = std::max<int64_t>(3, std::min<int64_t>(12, static_cast<int64_t>(std::sqrt(4096.0 / static_cast<double>(n * std::max(cin, cout))))));
                 int64_t h = c.rng.range(1, hmax);
                 int64_t w = c.rng.range(1, hmax);
                 Shape xs{n, cin, h, w};
                 if (c.rng.chance(0.15)) xs.erase(xs.begin()), c.note("unbatched");
                 Dt dt = c.rng.chance(0.85) ? torch::kFloat32 : torch::kFloat64;
                 bool nf = c.bnote("nonfinite", c.special || c.rng.chance(0.2));
                 Tensor x = make(c, xs, dt, -1, true, nf ? 0.02 : 0);
                 int wl = c.rng.chance(0.85) ? 0 : -1;
                 // a finite weight: see lc_conv2d_grad
                 Tensor wt = make(c, {cout, cin, 3, 3}, dt, wl, true, 0);
                 Tensor b;
                 if (c.rng.chance(0.5)) b = make(c, {cout}, dt);
                 int64_t pm = c.inote("pad", c.rng.range(0, 3));  // 0, 1, 2, "same"
                 if (pm == 3) return one(torch::conv2d(x, wt, b, 1, "same", 1, 1));
                 if (c.rng.chance(0.3)) {
                   mF::Conv2dFuncOptions o;
                   o.bias(b).padding(pm);
                   return one(mF::conv2d(x, wt, o));
                 }
                 return one(torch::conv2d(x, wt, b, 1, pm));
               }});
  // conv2d's gradients (torch::autograd::grad with a given output gradient), its forward not
  // compared: with an inf/nan weight, LibTorch 1.13's forward depends on its backend (above), its
  // gradients do not. An inf/nan output gradient only without padding (the weight gradient meets
  // the padded zeros of the input as the forward does).
  v.push_back({"lc_conv2d_grad", [](Ctx& c) {
                 int64_t cin = c.rng.pick<int64_t>({1, 2, 3, 8, 16, 24});
                 int64_t cout = c.rng.pick<int64_t>({1, 2, 8, 12});
                 int64_t n = c.rng.range(1, 2);
                 int64_t kh = c.rng.pick<int64_t>({3, 3, 3, 1, 2, 5});
                 int64_t kw = c.rng.chance(0.8) ? kh : c.rng.range(1, 3);
                 int64_t hmax = std::max<int64_t>(3, std::min<int64_t>(10, static_cast<int64_t>(std::sqrt(4096.0 / static_cast<double>(n * std::max(cin, cout))))));
                 int64_t h = c.rng.range(1, hmax);
                 int64_t w = c.rng.range(1, hmax);
                 c.snote("kernel", {kh, kw});
                 int64_t pad = c.inote("pad", c.rng.range(0, 2));
                 int64_t st = c.inote("stride", c.rng.chance(0.8) ? 1 : 2);
                 int64_t dl = c.inote("dil", c.rng.chance(0.85) ? 1 : 2);
                 Dt dt = c.rng.chance(0.8) ? torch::kFloat32 : torch::kFloat64;
                 bool nf = c.bnote("nonfinite", c.special || c.rng.chance(0.4));
                 Tensor x = make(c, {n, cin, h, w}, dt, -1, false, nf ? 0.03 : 0);
                 Tensor wt = make(c, {cout, cin, kh, kw}, dt, -1, false, nf ? 0.06 : 0);
                 Tensor xl = x.detach().requires_grad_();
                 Tensor wl = wt.detach().requires_grad_();
                 Tensor y = torch::conv2d(xl, wl, {}, st, pad, dl);
                 Tensor g = make(c, y.sizes().vec(), dt, 0, false, nf && pad == 0 ? 0.03 : 0);
                 auto gr = torch::autograd::grad({y}, {xl, wl}, {g});
                 return TL{gr[0], gr[1]};
               }});
  v.push_back({"lc_conv_transpose", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 3));
                 int64_t groups = c.rng.pick<int64_t>({1, 1, 2, 3});
                 int64_t cin_g = c.rng.range(1, 3);
                 int64_t cout_g = c.rng.range(1, 3);
                 if (groups == 1 && kd <= 2 && c.rng.chance(0.2)) cin_g = c.rng.range(8, 16), c.note("wide");
                 int64_t cin = groups * cin_g, cout = groups * cout_g;
                 Shape xs{c.rng.range(1, 2), cin};
                 for (int64_t i = 0; i < kd; ++i) xs.push_back(c.rng.range(1, kd == 3 ? 3 : 4));
                 if (c.rng.chance(0.2)) xs.erase(xs.begin()), c.note("unbatched");
                 Dt dt = c.bad && c.rng.chance(0.1) ? c.any_dtype() : c.float_dtype();
                 Tensor x = make(c, xs, dt);
                 Shape ws{cin + (c.bad && c.rng.chance(0.15) ? 1 : 0), cout_g};
                 for (int64_t i = 0; i < kd; ++i) ws.push_back(c.rng.range(1, 3));
                 bool nfw = c.bnote("nonfinite_w", c.special || c.rng.chance(0.1));
                 Tensor w = make(c, ws, dt, -1, true, nfw ? 0.15 : 0);
                 Tensor b;
                 if (c.rng.chance(0.5)) b = make(c, {cout}, dt);
                 Shape st = list(c, "stride", kd, 1, 3);
                 Shape pd = list(c, "pad", kd, 0, 2);
                 Shape dl = list(c, "dil", kd, 1, 2);
                 Shape op(static_cast<size_t>(kd));
                 for (size_t i = 0; i < op.size(); ++i) {
                   int64_t lim = std::max(st[i], dl[i]);
                   op[i] = c.rng.range(0, c.bad ? lim : lim - 1);
                 }
                 c.snote("outpad", op);
                 c.inote("groups", groups);
                 if (kd == 1) return one(torch::conv_transpose1d(x, w, b, st, pd, op, groups, dl));
                 if (kd == 2) return one(torch::conv_transpose2d(x, w, b, st, pd, op, groups, dl));
                 return one(torch::conv_transpose3d(x, w, b, st, pd, op, groups, dl));
               }});
  // The nn modules: padding modes (zeros, reflect, replicate, circular), "same"/"valid", and
  // ConvTranspose2d's forward with an output_size. The module's parameters are set, then compared as leaves.
  v.push_back({"lc_conv_module", [](Ctx& c) {
                 int64_t kind = c.inote("module", c.rng.range(0, 3));  // Conv1d Conv2d Conv3d ConvTranspose2d
                 int64_t kd = kind == 0 ? 1 : kind == 2 ? 3 : 2;
                 int64_t groups = c.rng.pick<int64_t>({1, 1, 2});
                 int64_t cin = groups * c.rng.range(1, 2);
                 int64_t cout = groups * c.rng.range(1, 2);
                 if (groups == 1 && kd == 2 && c.rng.chance(0.25)) cin = c.rng.range(8, 16), c.note("wide");
                 Shape xs{c.rng.range(1, 2), cin};
                 for (int64_t i = 0; i < kd; ++i) xs.push_back(c.rng.range(1, kd == 3 ? 3 : 5));
                 if (c.rng.chance(0.2)) xs.erase(xs.begin()), c.note("unbatched");
                 int64_t ks = c.inote("kernel", c.rng.range(1, 3));
                 int64_t st = c.inote("stride", c.rng.range(1, 2));
                 int64_t pd = c.inote("pad", c.rng.range(0, 2));
                 int64_t dl = c.inote("dil", c.rng.range(1, 2));
                 int64_t pmode = c.inote("padmode", c.rng.range(0, 3));  // zeros reflect replicate circular
                 int64_t pstr = c.inote("padstr", c.rng.chance(0.25) ? c.rng.range(1, 2) : 0);  // numbers, same, valid
                 bool hb = c.bnote("bias", c.rng.chance(0.6));
                 Dt dt = c.float_dtype();
                 Tensor x = make(c, xs, c.bad && c.rng.chance(0.15) ? c.any_dtype() : dt);
                 Shape ws = kind == 3 ? Shape{cin, cout / groups} : Shape{cout, cin / groups};
                 for (int64_t i = 0; i < kd; ++i) ws.push_back(ks);
                 Tensor w = make(c, ws, dt, 0, false, 0);  // finite: see lc_conv1d
                 Tensor b = make(c, {cout}, dt, 0, false);
                 auto setup = [&](torch::nn::Module& m, Tensor& mw, Tensor& mb) {
                   if (dt == torch::kFloat64) m.to(torch::kFloat64);
                   {
                     torch::NoGradGuard ng;
                     mw.copy_(w);
                     if (hb) mb.copy_(b);
                   }
                   if (c.grad) {
                     c.leaves.push_back(mw);
                     if (hb) c.leaves.push_back(mb);
                   } else {
                     mw.requires_grad_(false);
                     if (hb) mb.requires_grad_(false);
                   }
                 };
                 auto mode = [&](auto& o) {
                   if (pmode == 1) o.padding_mode(torch::kReflect);
                   if (pmode == 2) o.padding_mode(torch::kReplicate);
                   if (pmode == 3) o.padding_mode(torch::kCircular);
                   if (pstr == 1) o.padding(torch::kSame);
                   if (pstr == 2) o.padding(torch::kValid);
                 };
                 if (kind == 0) {
                   torch::nn::Conv1dOptions o(cin, cout, ks);
                   o.stride(st).padding(pd).dilation(dl).groups(groups).bias(hb);
                   mode(o);
                   torch::nn::Conv1d m(o);
                   setup(*m, m->weight, m->bias);
                   return one(m->forward(x));
                 }
                 if (kind == 1) {
                   torch::nn::Conv2dOptions o(cin, cout, ks);
                   o.stride(st).padding(pd).dilation(dl).groups(groups).bias(hb);
                   mode(o);
                   torch::nn::Conv2d m(o);
                   setup(*m, m->weight, m->bias);
                   return one(m->forward(x));
                 }
                 if (kind == 2) {
                   torch::nn::Conv3dOptions o(cin, cout, ks);
                   o.stride(st).padding(pd).dilation(dl).groups(groups).bias(hb);
                   mode(o);
                   torch::nn::Conv3d m(o);
                   setup(*m, m->weight, m->bias);
                   return one(m->forward(x));
                 }
                 int64_t op = c.inote("outpad", c.rng.range(0, std::max(st, dl) - 1));
                 torch::nn::ConvTranspose2dOptions o(cin, cout, ks);
                 o.stride(st).padding(pd).output_padding(op).dilation(dl).groups(groups).bias(hb);
                 if (c.bad && pmode != 0) o.padding_mode(torch::kReflect), c.note("transpose-reflect");
                 torch::nn::ConvTranspose2d m(o);
                 setup(*m, m->weight, m->bias);
                 // LibTorch 1.13's ConvTranspose2d::_output_padding leaves the dilation out of the sizes it
                 // allows (Python's does not): an output_size with dilation 1 only.
                 if (dl == 1 && c.rng.chance(0.5)) {
                   // an output_size between the smallest and largest sizes the stride allows
                   Shape os;
                   for (size_t i = xs.size() - 2; i < xs.size(); ++i) {
                     int64_t lo = (xs[i] - 1) * st - 2 * pd + dl * (ks - 1) + 1;
                     os.push_back(lo + c.rng.range(0, c.bad ? st : st - 1));
                   }
                   c.snote("output_size", os);
                   torch::IntArrayRef ar(os);
                   return one(m->forward(x, ar));
                 }
                 return one(m->forward(x));
               }});
}

// ---------------------------------------------------------------- sampling and pooling

inline void add_lc_sampling(std::vector<Variant>& v) {
  using namespace lcv;
  v.push_back({"lc_interpolate", [](Ctx& c) {
                 int64_t mode = c.inote("mode", c.rng.range(0, 6));  // nearest nearest-exact linear bilinear bicubic trilinear area
                 int64_t k = mode == 2 ? 1 : mode == 3 || mode == 4 ? 2 : mode == 5 ? 3 : c.rng.range(1, 3);
                 if (c.bad && c.rng.chance(0.25)) k = k % 3 + 1, c.note("wrong-rank");
                 int64_t ch = c.rng.range(1, 3);
                 Shape s{c.rng.range(1, 2), ch};
                 for (int64_t i = 0; i < k; ++i) s.push_back(c.rng.range(1, k == 3 ? 4 : 7));
                 // bicubic in float64: LibTorch's float32 bicubic weights carry float rounding (1e-6 off near 0)
                 Dt dt = mode == 4 ? torch::kFloat64 : c.float_dtype();
                 if (mode <= 1 && c.rng.chance(0.25)) dt = torch::kUInt8;
                 if (c.bad && c.rng.chance(0.15)) dt = c.any_dtype();
                 if (mode == 4 && dt == torch::kFloat32) dt = torch::kFloat64;
                 Tensor x = make(c, s, dt);
                 F::InterpolateFuncOptions o;
                 int64_t given = c.inote("given", c.rng.range(0, c.bad ? 2 : 1));  // size, scale, both
                 if (given != 1) {
                   Shape sz = list(c, "size", k, c.bad && c.rng.chance(0.2) ? 0 : 1, 9);
                   o.size(sz);
                 }
                 if (given != 0) {
                   std::vector<double> sf(static_cast<size_t>(k));
                   for (auto& f : sf) f = c.rng.pick<double>({0.5, 1.5, 2.0, 2.5, 0.75, 1.0, 0.3, 3.0, 1.7});
                   std::string d = "scale=";
                   for (double f : sf) d += num_str(f) + ",";
                   c.note(d);
                   o.scale_factor(sf);
                   int64_t rc = c.inote("recompute", c.rng.range(0, 2));
                   if (rc) o.recompute_scale_factor(rc == 1);
                 }
                 bool interp = mode >= 2 && mode <= 5;
                 int64_t ac = c.inote("align", c.rng.range(0, 2));
                 // (LibTorch C++ accepts align_corners with nearest-exact where Python refuses it: not asked)
                 if (ac && (interp || (c.bad && mode != 1))) o.align_corners(ac == 1);
                 if (mode == 0) o.mode(torch::kNearest);
                 if (mode == 1) o.mode(torch::kNearestExact);
                 if (mode == 2) o.mode(torch::kLinear);
                 if (mode == 3) o.mode(torch::kBilinear);
                 if (mode == 4) o.mode(torch::kBicubic);
                 if (mode == 5) o.mode(torch::kTrilinear);
                 if (mode == 6) o.mode(torch::kArea);
                 return one(F::interpolate(x, o));
               }});
  v.push_back({"lc_grid_sample", [](Ctx& c) {
                 bool three = c.bnote("3d", c.rng.chance(0.25));
                 int64_t mode = c.inote("mode", c.rng.range(0, 2));  // bilinear nearest bicubic
                 int64_t n = c.rng.range(1, 2);
                 int64_t ch = c.rng.range(1, 2);
                 Shape xs{n, ch, c.rng.range(1, 4), c.rng.range(1, 4)};
                 if (three) xs.insert(xs.begin() + 2, c.rng.range(1, 3));
                 // bicubic in float64: LibTorch's float32 bicubic (and its grid gradient) carries float rounding
                 Dt dt = c.bad && c.rng.chance(0.15) ? c.any_dtype() : mode == 2 ? torch::kFloat64 : c.float_dtype();
                 if (mode == 2 && dt == torch::kFloat32) dt = torch::kFloat64;
                 Tensor x = make(c, xs, dt);
                 Shape gs{n + (c.bad && c.rng.chance(0.2) ? 1 : 0), c.rng.range(1, 3), c.rng.range(1, 3)};
                 if (three) gs.push_back(c.rng.range(1, 2));
                 gs.push_back(three ? 3 : 2);
                 if (c.bad && c.rng.chance(0.2)) gs.back() += 1;
                 std::vector<double> gv(static_cast<size_t>(numel_of(gs)));
                 for (auto& g : gv)
                   g = c.rng.pick<double>({-1.0, 1.0, 0.0, 0.5, -0.5, 0.25, -0.75, 0.9, 1.25, -1.3, 0.3, -0.1, 1.6, -2.2});
                 // (no NaN in the grid: LibTorch 1.13 indexes with the NaN coordinate and can crash)
                 bool rg = false;
                 Tensor grid = pmore::leaf_of(c, gs, is_float(dt) ? dt : torch::kFloat64, gv, true, &rg);
                 c.note("grid" + shape_str(gs) + (rg ? "g" : ""));
                 int64_t pad = c.inote("padmode", c.rng.range(0, 2));  // zeros border reflection
                 bool ac = c.bnote("align", c.rng.chance(0.5));
                 if (mode == 2 || c.rng.chance(0.2)) return one(torch::grid_sampler(x, grid, mode, pad, ac));
                 F::GridSampleFuncOptions o;
                 if (mode == 0) o.mode(torch::kBilinear);
                 if (mode == 1) o.mode(torch::kNearest);
                 if (pad == 0) o.padding_mode(torch::kZeros);
                 if (pad == 1) o.padding_mode(torch::kBorder);
                 if (pad == 2) o.padding_mode(torch::kReflection);
                 o.align_corners(ac);
                 return one(F::grid_sample(x, grid, o));
               }});
  v.push_back({"lc_affine_grid", [](Ctx& c) {
                 bool three = c.bnote("3d", c.rng.chance(0.3));
                 int64_t n = c.rng.range(1, 2);
                 Shape ts = three ? Shape{n, 3, 4} : Shape{n, 2, 3};
                 if (c.bad && c.rng.chance(0.3)) ts[1] += 1;
                 Dt dt = c.bad && c.rng.chance(0.15) ? c.any_dtype() : c.float_dtype();
                 Tensor th = make(c, ts, dt, 0);
                 Shape size{n + (c.bad && c.rng.chance(0.2) ? 1 : 0), c.rng.range(1, 3), c.rng.range(1, 4), c.rng.range(1, 4)};
                 if (three) size.push_back(c.rng.range(1, 3));
                 if (c.bad && c.rng.chance(0.2)) size.back() = 0;
                 c.snote("size", size);
                 bool ac = c.bnote("align", c.rng.chance(0.5));
                 return one(F::affine_grid(th, size, ac));
               }});
  v.push_back({"lc_pixel_shuffle", [](Ctx& c) {
                 bool un = c.bnote("unshuffle", c.rng.chance(0.5));
                 int64_t r = c.inote("r", c.rng.range(c.bad && c.rng.chance(0.2) ? 0 : 1, 3));
                 int64_t rank = c.rng.range(c.bad ? 2 : 3, 5);
                 Shape s;
                 for (int64_t i = 0; i + 3 < rank; ++i) s.push_back(c.rng.range(1, 2));
                 int64_t rr = std::max<int64_t>(r, 1);
                 if (un) {
                   s.push_back(c.rng.range(1, 2));
                   int64_t h = rr * c.rng.range(1, 2);
                   s.push_back(h + (c.bad && c.rng.chance(0.3) ? 1 : 0));
                   s.push_back(rr * c.rng.range(1, 2));
                 } else {
                   int64_t ch = rr * rr * c.rng.range(1, 2);
                   s.push_back(ch + (c.bad && c.rng.chance(0.3) ? 1 : 0));
                   s.push_back(c.rng.range(1, 3));
                   s.push_back(c.rng.range(1, 3));
                 }
                 while (static_cast<int64_t>(s.size()) > rank) s.erase(s.begin());
                 Tensor x = make(c, s, c.any_dtype());
                 int64_t form = c.inote("form", c.rng.range(0, 1));
                 if (un) return one(form ? torch::pixel_unshuffle(x, r) : F::pixel_unshuffle(x, F::PixelUnshuffleFuncOptions(r)));
                 return one(form ? torch::pixel_shuffle(x, r) : F::pixel_shuffle(x, F::PixelShuffleFuncOptions(r)));
               }});
  v.push_back({"lc_embedding_bag", [](Ctx& c) {
                 int64_t num = c.rng.range(1, 6);
                 int64_t dim = c.rng.range(1, 3);
                 int64_t mode = c.inote("mode", c.rng.range(0, 2));  // sum mean max
                 Dt dt = c.float_dtype();
                 Tensor w = make(c, {num, dim}, dt, c.rng.chance(0.8) ? 0 : -1, true, -1, mode == 2);
                 bool two_d = c.bnote("2d", c.rng.chance(0.3));
                 F::EmbeddingBagFuncOptions o;
                 Tensor idx;
                 Shape is;
                 if (two_d) {
                   // not (B, 0): LibTorch 1.13 builds its offsets with arange(0, 0, step 0) and throws
                   is = {c.rng.range(0, 3), c.rng.range(1, 3)};
                 } else {
                   is = {c.rng.range(0, 7)};
                 }
                 std::vector<double> iv(static_cast<size_t>(numel_of(is)));
                 for (auto& x : iv) x = static_cast<double>(c.rng.range(0, num - 1));
                 if (c.bad && !iv.empty() && c.rng.chance(0.3)) iv[0] = static_cast<double>(c.rng.chance(0.5) ? num : -1);
                 Dt idt = c.rng.chance(0.8) ? torch::kInt64 : torch::kInt32;
                 idx = from(iv, is, idt);
                 c.note("idx" + dt_name(idt) + shape_str(is));
                 bool last = false;
                 if (!two_d || (c.bad && c.rng.chance(0.2))) {
                   int64_t nb = c.rng.range(0, 4);
                   std::vector<double> ov;
                   int64_t len = is.empty() ? 0 : is[0];
                   ov.push_back(0);
                   for (int64_t i = 1; i < nb; ++i) ov.push_back(static_cast<double>(c.rng.range(static_cast<int64_t>(ov.back()), len)));
                   last = c.bnote("include_last", c.rng.chance(0.3));
                   if (last) ov.push_back(static_cast<double>(len));
                   // bad: offsets[0] != 0 or offsets[-1] past the input, which F::embedding_bag checks (LibTorch
                   // 1.13 does not check decreasing offsets in between: its kernel fails or aborts)
                   if (c.bad && !ov.empty() && c.rng.chance(0.3)) {
                     if (c.rng.chance(0.5))
                       ov[0] = 1;
                     else
                       ov.back() = static_cast<double>(len + 1);
                   }
                   Shape os{static_cast<int64_t>(ov.size())};
                   Dt odt = c.bad && c.rng.chance(0.2) ? torch::kFloat32 : idt;
                   c.note("offsets" + dt_name(odt) + shape_str(os));
                   o.offsets(from(ov, os, odt));
                   o.include_last_offset(last);
                 }
                 if (mode == 0) o.mode(torch::kSum);
                 if (mode == 1) o.mode(torch::kMean);
                 if (mode == 2) o.mode(torch::kMax);
                 if ((mode == 0 || c.bad) && c.rng.chance(0.4)) {
                   Tensor psw = make(c, is, dt, 0);
                   o.per_sample_weights(psw);
                 }
                 if (c.rng.chance(0.3)) o.padding_idx(c.inote("padding_idx", c.rng.range(-num, num - 1)));
                 return one(F::embedding_bag(idx, w, o));
               }});
  v.push_back({"lc_fold_unfold", [](Ctx& c) {
                 Shape ks = list(c, "kernel", 2, c.bad && c.rng.chance(0.2) ? 0 : 1, 3);
                 Shape dl = list(c, "dil", 2, 1, 2);
                 Shape pd = list(c, "pad", 2, 0, 1);
                 Shape st = list(c, "stride", 2, 1, 2);
                 int64_t ch = c.rng.range(1, 3);
                 Shape s{c.rng.range(1, 2), ch, c.rng.range(1, 5), c.rng.range(1, 5)};
                 bool unb = c.bnote("unbatched", c.rng.chance(0.25));
                 if (unb) s.erase(s.begin());
                 Dt dt = c.bad && c.rng.chance(0.1) ? c.any_dtype() : c.float_dtype();
                 Tensor x = make(c, s, dt);
                 Tensor cols = F::unfold(x, F::UnfoldFuncOptions(ks).dilation(dl).padding(pd).stride(st));
                 Shape os(s.end() - 2, s.end());
                 if (c.bad && c.rng.chance(0.3)) os[0] += 1, c.note("wrong-out");
                 Tensor back = F::fold(cols, F::FoldFuncOptions(os, ks).dilation(dl).padding(pd).stride(st));
                 return TL{cols, back};
               }});
  v.push_back({"lc_max_unpool", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 3));
                 int64_t ch = c.rng.range(1, 2);
                 Shape s{c.rng.range(1, 2), ch};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(2, kd == 3 ? 4 : 6));
                 // (batched only: LibTorch 1.13's F::max_unpool reads the sizes of an unbatched input past its end)
                 Dt dt = c.float_dtype();
                 Tensor x = make(c, s, dt, 0, true, -1, !c.rng.chance(0.2));
                 Shape ks = list(c, "kernel", kd, 1, 3);
                 Shape st = list(c, "stride", kd, 1, 3);
                 Shape pd(static_cast<size_t>(kd), 0);
                 for (size_t i = 0; i < pd.size(); ++i) {
                   pd[i] = c.rng.range(0, ks[i] / 2);
                   if (!mx_windows_ok(s[s.size() - static_cast<size_t>(kd) + i], ks[i], st[i], pd[i], 1, false)) pd[i] = 0;
                 }
                 c.snote("pad", pd);
                 Tensor y, idx;
                 if (kd == 1) std::tie(y, idx) = F::max_pool1d_with_indices(x, F::MaxPool1dFuncOptions(ks[0]).stride(st[0]).padding(pd[0]));
                 if (kd == 2) std::tie(y, idx) = F::max_pool2d_with_indices(x, F::MaxPool2dFuncOptions(ks).stride(st).padding(pd));
                 if (kd == 3) std::tie(y, idx) = F::max_pool3d_with_indices(x, F::MaxPool3dFuncOptions(ks).stride(st).padding(pd));
                 c10::optional<std::vector<int64_t>> os;
                 // LibTorch 1.13's F::max_unpool (_unpool_output_size) refuses an output_size of the spatial
                 // dims only: full (N, C, ...) sizes.
                 if (c.rng.chance(0.5)) {
                   Shape o(s.begin(), s.end());
                   if (c.bad && c.rng.chance(0.5)) o.back() += c.rng.pick<int64_t>({-3, 5});
                   c.snote("output_size", o);
                   os = o;
                 }
                 if (c.bad && c.rng.chance(0.3) && idx.numel() > 0) {
                   idx = idx.clone();
                   idx.view(-1)[0].fill_(1000);
                   c.note("idx-out-of-range");
                 }
                 if (kd == 1) return TL{y, F::max_unpool1d(y, idx, F::MaxUnpool1dFuncOptions(ks[0]).stride(st[0]).padding(pd[0]).output_size(os))};
                 if (kd == 2) return TL{y, F::max_unpool2d(y, idx, F::MaxUnpool2dFuncOptions(ks).stride(st).padding(pd).output_size(os))};
                 return TL{y, F::max_unpool3d(y, idx, F::MaxUnpool3dFuncOptions(ks).stride(st).padding(pd).output_size(os))};
               }});
  v.push_back({"lc_avg_pool", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 3));
                 Shape s{c.rng.range(1, 2), c.rng.range(1, 3)};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(1, kd == 3 ? 4 : 7));
                 if (c.rng.chance(0.2)) s.erase(s.begin()), c.note("unbatched");
                 Dt dt = c.rng.chance(0.85) ? c.float_dtype() : c.rng.pick<Dt>({torch::kInt64, torch::kInt32, torch::kUInt8});
                 Tensor x = make(c, s, dt);
                 Shape ks = list(c, "kernel", kd, c.bad && c.rng.chance(0.2) ? 0 : 1, 4);
                 Shape st = c.rng.chance(0.3) ? c.snote("stride", {}) : list(c, "stride", kd, 1, 3);
                 Shape pd(static_cast<size_t>(kd));
                 for (size_t i = 0; i < pd.size(); ++i) pd[i] = c.rng.range(0, c.bad ? ks[i] : ks[i] / 2);
                 c.snote("pad", pd);
                 bool cm = c.bnote("ceil", c.rng.chance(0.4));
                 bool cip = c.bnote("count_pad", c.rng.chance(0.5));
                 c10::optional<int64_t> div;
                 if (kd > 1 && c.rng.chance(0.25)) div = c.inote("divisor", c.bad && c.rng.chance(0.4) ? 0 : c.rng.range(1, 5));
                 if (kd == 1) return one(torch::avg_pool1d(x, ks, st, pd, cm, cip));
                 if (kd == 2) return one(torch::avg_pool2d(x, ks, st, pd, cm, cip, div));
                 return one(torch::avg_pool3d(x, ks, st, pd, cm, cip, div));
               }});
  v.push_back({"lc_max_pool", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 3));
                 Shape s{c.rng.range(1, 2), c.rng.range(1, 3)};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(1, kd == 3 ? 4 : 7));
                 if (c.rng.chance(0.2)) s.erase(s.begin()), c.note("unbatched");
                 Dt dt = c.rng.chance(0.8) ? c.float_dtype() : c.rng.pick<Dt>({torch::kInt64, torch::kInt32, torch::kUInt8});
                 Tensor x = make(c, s, dt, -1, true, -1, c.rng.chance(0.7));
                 Shape ks = list(c, "kernel", kd, c.bad && c.rng.chance(0.2) ? 0 : 1, 3);
                 Shape st = c.rng.chance(0.3) ? Shape{} : list(c, "stride", kd, 1, 3);
                 Shape dl = list(c, "dil", kd, 1, 2);
                 bool cm = c.bnote("ceil", c.rng.chance(0.4));
                 Shape pd(static_cast<size_t>(kd));
                 for (size_t i = 0; i < pd.size(); ++i) {
                   pd[i] = c.rng.range(0, c.bad ? ks[i] : ks[i] / 2);
                   if (!mx_windows_ok(s[s.size() - static_cast<size_t>(kd) + i], ks[i], st.empty() ? ks[i] : st[i], pd[i], dl[i], cm)) pd[i] = 0;
                 }
                 c.snote("pad", pd);
                 bool wi = c.bnote("indices", c.rng.chance(0.4));
                 if (kd == 1) return wi ? two(torch::max_pool1d_with_indices(x, ks, st, pd, dl, cm)) : one(torch::max_pool1d(x, ks, st, pd, dl, cm));
                 if (kd == 2) return wi ? two(torch::max_pool2d_with_indices(x, ks, st, pd, dl, cm)) : one(torch::max_pool2d(x, ks, st, pd, dl, cm));
                 return wi ? two(torch::max_pool3d_with_indices(x, ks, st, pd, dl, cm)) : one(torch::max_pool3d(x, ks, st, pd, dl, cm));
               }});
  v.push_back({"lc_adaptive_pool", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 3));
                 bool mx = c.bnote("max", c.rng.chance(0.5));
                 Shape s{c.rng.range(1, 2), c.rng.range(1, 3)};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(1, kd == 3 ? 4 : 7));
                 if (c.rng.chance(0.2)) s.erase(s.begin()), c.note("unbatched");
                 Dt dt = c.rng.chance(0.85) ? c.float_dtype() : c.any_dtype();
                 Tensor x = make(c, s, dt, -1, true, -1, mx);
                 Shape os = list(c, "out", kd, c.bad && c.rng.chance(0.3) ? 0 : 1, 8);
                 if (kd == 1) return mx ? two(torch::adaptive_max_pool1d(x, os)) : one(torch::adaptive_avg_pool1d(x, os));
                 if (kd == 2) return mx ? two(torch::adaptive_max_pool2d(x, os)) : one(torch::adaptive_avg_pool2d(x, os));
                 return mx ? two(torch::adaptive_max_pool3d(x, os)) : one(torch::adaptive_avg_pool3d(x, os));
               }});
  v.push_back({"lc_lp_pool", [](Ctx& c) {
                 int64_t kd = c.inote("k", c.rng.range(1, 2));
                 Shape s{c.rng.range(1, 2), c.rng.range(1, 2)};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(1, 6));
                 if (c.rng.chance(0.2)) s.erase(s.begin()), c.note("unbatched");
                 Dt dt = c.float_dtype();
                 Tensor x = make(c, s, dt);
                 double p = c.dnote("p", c.rng.pick<double>({2.0, 1.0, 3.0, 1.5, 4.0}));
                 Shape ks = list(c, "kernel", kd, 1, 3);
                 Shape st = c.rng.chance(0.3) ? Shape{} : list(c, "stride", kd, 1, 2);
                 bool cm = c.bnote("ceil", c.rng.chance(0.3));
                 if (kd == 1) {
                   F::LPPool1dFuncOptions o(p, ks[0]);
                   if (!st.empty()) o.stride(st[0]);
                   return one(F::lp_pool1d(x, o.ceil_mode(cm)));
                 }
                 F::LPPool2dFuncOptions o(p, std::array<int64_t, 2>{ks[0], ks[1]});
                 if (!st.empty()) o.stride(std::array<int64_t, 2>{st[0], st[1]});
                 return one(F::lp_pool2d(x, o.ceil_mode(cm)));
               }});
  v.push_back({"lc_fractional_max_pool", [](Ctx& c) {
                 bool three = c.bnote("3d", c.rng.chance(0.3));
                 int64_t kd = three ? 3 : 2;
                 int64_t n = c.rng.range(1, 2);
                 int64_t ch = c.rng.range(1, 2);
                 Shape s{n, ch};
                 for (int64_t i = 0; i < kd; ++i) s.push_back(c.rng.range(2, three ? 4 : 7));
                 Dt dt = c.float_dtype();
                 Tensor x = make(c, s, dt, -1, true, -1, true);
                 Shape ks = list(c, "kernel", kd, 1, 3);
                 if (three)
                   for (size_t i = 0; i < ks.size(); ++i) ks[i] = std::min(ks[i], s[2 + i] - 1);
                 Shape os(static_cast<size_t>(kd));
                 // out + kernel - 1 <= in (2-d); LibTorch 1.13's 3-d check wants < in (an off-by-one), so 3-d
                 // sizes stay below it, and a bad size is past both.
                 for (size_t i = 0; i < os.size(); ++i) {
                   int64_t in = s[2 + i];
                   int64_t hi = in - ks[i] + (three ? 0 : 1);
                   os[i] = c.bad && c.rng.chance(0.3) ? in - ks[i] + 2 : c.rng.range(1, std::max<int64_t>(1, hi));
                 }
                 c.snote("out", os);
                 Tensor smp = samples(c, {n + (c.bad && c.rng.chance(0.2) ? 1 : 0), ch, kd}, dt);
                 if (c.rng.chance(0.5)) {
                   if (three) return two(torch::fractional_max_pool3d(x, ks, os, smp));
                   return two(torch::fractional_max_pool2d(x, ks, os, smp));
                 }
                 if (three) return two(F::fractional_max_pool3d_with_indices(x, F::FractionalMaxPool3dFuncOptions(ks).output_size(os)._random_samples(smp)));
                 return two(F::fractional_max_pool2d_with_indices(x, F::FractionalMaxPool2dFuncOptions(ks).output_size(os)._random_samples(smp)));
               }});
}

inline void add_linalg_conv(std::vector<Variant>& v) {
  add_lc_products(v);
  add_lc_linalg(v);
  add_lc_conv(v);
  add_lc_sampling(v);
}

}  // namespace diffcase
