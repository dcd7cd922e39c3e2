// More differential variants (included from cases.h before variants()): reductions, shape and
// indexing ops, and torch::nn::functional calls in the FuncOptions forms LibTorch programs use.
// Same rules as cases.h: only <torch/torch.h>, every value drawn from the case's Ctx, and no two
// arguments of one call draw from the RNG (their order of evaluation is unspecified).
// cases.h includes this at file scope, before variants().
#pragma once

namespace diffcase {

namespace mF = torch::nn::functional;

// A dim in [-r, r) wrapped into [0, r) (0 for a 0-d tensor); for picking a size, not for the call.
inline int64_t mx_wrap(int64_t d, int64_t r) { return r <= 0 ? 0 : ((d % r) + r) % r; }
inline int64_t mx_size_at(const Shape& s, int64_t d) {
  return s.empty() ? 1 : s[static_cast<size_t>(mx_wrap(d, static_cast<int64_t>(s.size())))];
}

// int64 values in [lo, hi] (one of them lo - 1 when bad), described as name+shape.
inline Tensor mx_ints(Ctx& c, const char* name, const Shape& s, int64_t lo, int64_t hi, Dt dt = torch::kInt64) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = static_cast<double>(c.rng.range(lo, std::max(lo, hi)));
  if (c.bad && !v.empty() && c.rng.chance(0.4))
    v[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(v.size()) - 1))] = static_cast<double>(lo - 1);
  c.note(std::string(name) + dt_name(dt) + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// -1/+1 targets (a 0 now and then), never requiring grad.
inline Tensor mx_signs(Ctx& c, const Shape& s, Dt dt) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = c.rng.chance(0.05) ? 0.0 : (c.rng.chance(0.5) ? 1.0 : -1.0);
  c.note("sign" + dt_name(dt) + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// A bool mask (never bad).
inline Tensor mx_mask(Ctx& c, const Shape& s) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = c.rng.chance(0.4) ? 1.0 : 0.0;
  c.note("nanmask" + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(torch::kBool);
}

// A reduction for the FuncOptions forms (LibTorch's variant of enum tags, ember's enum).
template <typename O>
inline O mx_red(Ctx& c, O o) {
  int64_t r = c.rng.range(0, 2);
  c.note(r == 0 ? "red=none" : r == 1 ? "red=mean" : "red=sum");
  if (r == 0)
    o.reduction(torch::kNone);
  else if (r == 1)
    o.reduction(torch::kMean);
  else
    o.reduction(torch::kSum);
  return o;
}

// n values in [lo, hi] as a Shape, described.
inline Shape mx_list(Ctx& c, const char* name, size_t n, int64_t lo, int64_t hi) {
  Shape v(n);
  for (auto& x : v) x = c.rng.range(lo, hi);
  return c.snote(name, v);
}

// (N, C, spatial...) with k spatial dims of sizes [1, hmax]; the batch dim dropped sometimes.
inline Shape mx_image(Ctx& c, int64_t ch, int64_t k, int64_t hmax, bool allow_unbatched = true) {
  Shape s{c.rng.range(1, 2), ch};
  for (int64_t i = 0; i < k; ++i) s.push_back(c.rng.range(1, hmax));
  if (allow_unbatched && c.rng.chance(0.25)) s.erase(s.begin());
  return s;
}

inline Dt mx_nn_dtype(Ctx& c) { return c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype(); }

// Whether every max-pool window along a dim of size n holds an input element (or the call throws
// anyway). LibTorch 1.13's backward of a window of padding only writes through a garbage index and
// can corrupt the heap, so such windows are not generated.
inline bool mx_windows_ok(int64_t n, int64_t k, int64_t st, int64_t p, int64_t d, bool ceil) {
  if (k <= 0 || st <= 0 || d <= 0 || p < 0 || p > k / 2) return true;
  int64_t num = n + 2 * p - d * (k - 1) - 1;
  if (num < 0) return true;
  int64_t out = (ceil ? (num + st - 1) / st : num / st) + 1;
  if (ceil && (out - 1) * st >= n + p) --out;
  for (int64_t o = 0; o < out; ++o) {
    bool any = false;
    for (int64_t j = 0; j < k; ++j) {
      int64_t i = o * st - p + j * d;
      if (i >= 0 && i < n) any = true;
    }
    if (!any) return false;
  }
  return true;
}

// ---------------------------------------------------------------- reductions

inline void add_more_reductions(std::vector<Variant>& v) {
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "std_mean" : "var_mean", [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.mostly_float());
                   int64_t r = static_cast<int64_t>(s.size());
                   if (c.inote("form", c.rng.range(0, 1)) == 0) {
                     bool u = c.bnote("unbiased", c.rng.chance(0.5));
                     return two(which ? torch::std_mean(x, u) : torch::var_mean(x, u));
                   }
                   Shape d = dims_of(c, r);
                   bool u = c.bnote("unbiased", c.rng.chance(0.5));
                   bool k = c.bnote("keepdim", c.rng.chance(0.5));
                   return two(which ? torch::std_mean(x, d, u, k) : torch::var_mean(x, d, u, k));
                 }});
  }
  v.push_back({"median_all", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(torch::median(x));
               }});
  v.push_back({"nanmedian_all", [](Ctx& c) {
                 c.special = c.special || c.rng.chance(0.3);
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 return one(torch::nanmedian(x));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "nanmedian_dim" : "median_dim", [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                   if (which && is_float(x.scalar_type()) && c.rng.chance(0.6)) x = x.masked_fill(mx_mask(c, s), kNan);
                   int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                   bool k = c.bnote("keepdim", c.rng.chance(0.5));
                   return two(which ? torch::nanmedian(x, d, k) : torch::median(x, d, k));
                 }});
  }
  v.push_back({"mode", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.any_dtype();
                 Tensor x = c.make(s, dt, is_float(dt) && c.rng.chance(0.7) ? Vals::Positive : Vals::Any);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return two(torch::mode(x, d, k));
               }});
  v.push_back({"kthvalue", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 int64_t n = mx_size_at(s, d);
                 int64_t k = c.inote("k", c.rng.range(c.bad ? 0 : std::min<int64_t>(1, n), n + (c.bad ? 1 : 0)));
                 bool kd = c.bnote("keepdim", c.rng.chance(0.5));
                 return two(torch::kthvalue(x, k, d, kd));
               }});
  v.push_back({"cumprod", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c, 0.3);
                 c.small_ints = true;
                 Shape s = c.shape(0, 3, 3);
                 Dt xdt = c.any_dtype();
                 Tensor x = c.make(s, xdt, c.rng.chance(0.3) ? Vals::Positive : Vals::Any);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(torch::cumprod(x, d, dt));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "cummin" : "cummax", [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.any_dtype());
                   int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                   return two(which ? torch::cummin(x, d) : torch::cummax(x, d));
                 }});
  }
  v.push_back({"logcumsumexp", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(torch::logcumsumexp(x, d));
               }});
  v.push_back({"count_nonzero", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 0) return one(torch::count_nonzero(x, dims_of(c, r)));
                 if (form == 1) return one(torch::count_nonzero(x));
                 c10::optional<int64_t> d = c.inote("dim", c.dim_of(r));
                 return one(torch::count_nonzero(x, d));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "nanmean" : "nansum", [which](Ctx& c) {
                   // Over every dim: LibTorch's nansum(x, dim=nullopt, keepdim, dtype) and ember's nansum(x, dtype)
                   // share only the one-argument call.
                   bool all = c.bnote("all", c.rng.chance(0.3));
                   c10::optional<Dt> dt = all ? c10::nullopt : maybe_dtype(c, 0.3);
                   c.special = c.special || c.rng.chance(0.3);
                   Shape s = c.shape();
                   Tensor x = c.make(s, which ? c.mostly_float() : c.any_dtype());
                   if (all) return one(which ? torch::nanmean(x) : torch::nansum(x));
                   Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                   bool k = c.bnote("keepdim", c.rng.chance(0.5));
                   return one(which ? torch::nanmean(x, d, k, dt) : torch::nansum(x, d, k, dt));
                 }});
  }
  v.push_back({"aminmax", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 c10::optional<int64_t> d;
                 if (c.rng.chance(0.6)) d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return two(torch::aminmax(x, d, k));
               }});
  v.push_back({"trace", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 1 : 2, c.bad ? 3 : 2);
                 Tensor x = c.make(s, c.any_dtype());
                 return one(torch::trace(x));
               }});
}

// ---------------------------------------------------------------- shape and indexing

inline void add_more_shape(std::vector<Variant>& v) {
  v.push_back({"hvd_stack", [](Ctx& c) {
                 int64_t op = c.inote("op", c.rng.range(0, 3));  // hstack vstack dstack column_stack
                 Shape s = c.shape(0, 3, 3);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t vd = op == 0 ? (r >= 2 ? 1 : 0) : op == 1 ? 0 : op == 2 ? 2 : 1;
                 int64_t n = c.rng.range(c.bad && c.rng.chance(0.2) ? 0 : 1, 3);
                 Dt dt = c.any_dtype();
                 std::vector<Tensor> ts;
                 for (int64_t i = 0; i < n; ++i) {
                   Shape si = s;
                   if (vd < r && c.rng.chance(0.6)) si[static_cast<size_t>(vd)] = c.rng.range(0, 3);
                   if (c.bad && i == 1 && !si.empty()) si[vd == 0 ? si.size() - 1 : 0] += 1;
                   if (c.rng.chance(0.1)) si = Shape{0};
                   Dt di = c.rng.chance(0.7) ? dt : c.any_dtype();
                   ts.push_back(c.make(si, di));
                 }
                 if (op == 0) return one(torch::hstack(ts));
                 if (op == 1) return one(torch::vstack(ts));
                 if (op == 2) return one(torch::dstack(ts));
                 return one(torch::column_stack(ts));
               }});
  v.push_back({"cat_empty_mixed", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 3);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.dim_of(r));
                 int64_t n = c.rng.range(2, 4);
                 std::vector<Tensor> ts;
                 for (int64_t i = 0; i < n; ++i) {
                   Shape si = s;
                   si[static_cast<size_t>(mx_wrap(d, r))] = c.rng.range(0, 2);
                   int64_t kind = c.rng.range(0, 5);
                   if (kind == 0) si = Shape{0};
                   if (kind == 1 && r >= 2)
                     si[static_cast<size_t>((mx_wrap(d, r) + 1) % r)] = 0;  // empty, other sizes differ
                   Dt di = c.rng.chance(0.5) ? torch::kFloat32 : c.any_dtype();
                   ts.push_back(c.make(si, di));
                 }
                 return one(torch::cat(ts, d));
               }});
  v.push_back({"roll", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t nd = c.rng.range(0, std::min<int64_t>(r, 2));
                 Shape shifts, dims;
                 if (nd == 0) shifts.push_back(c.rng.range(-5, 5));
                 for (int64_t i = 0; i < nd; ++i) {
                   shifts.push_back(c.rng.range(-5, 5));
                   dims.push_back(c.dim_of(r));
                 }
                 if (c.bad && c.rng.chance(0.3)) shifts.push_back(1);
                 c.snote("shifts", shifts);
                 c.snote("dims", dims);
                 return one(torch::roll(x, shifts, dims));
               }});
  v.push_back({"rot90", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 1 : 2, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t k = c.inote("k", c.rng.range(-5, 5));
                 Shape dims{c.dim_of(r)};
                 dims.push_back(c.dim_of(r, false));
                 if (c.bad && c.rng.chance(0.3)) dims.push_back(0);
                 return one(torch::rot90(x, k, c.snote("dims", dims)));
               }});
  v.push_back({"repeat_interleave", [](Ctx& c) {
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 if (form == 2) {
                   Shape rs{c.rng.range(0, 4)};
                   if (c.bad && c.rng.chance(0.3)) rs = {2, 2};
                   return one(torch::repeat_interleave(mx_ints(c, "rep", rs, 0, 3)));
                 }
                 Shape s = c.shape(0, 3, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 c10::optional<int64_t> d;
                 if (c.rng.chance(0.7)) d = c.inote("dim", c.dim_of(r));
                 if (form == 0) {
                   int64_t rep = c.inote("repeats", c.rng.range(c.bad ? -1 : 0, 3));
                   return one(torch::repeat_interleave(x, rep, d));
                 }
                 int64_t n = d ? mx_size_at(s, *d) : numel_of(s);
                 Shape rs{c.rng.chance(0.3) ? 1 : n};
                 if (c.bad && c.rng.chance(0.3)) rs[0] += 1;
                 Tensor rep = mx_ints(c, "rep", rs, 0, 3);
                 c10::optional<int64_t> osz;
                 if (c.rng.chance(0.3)) {
                   int64_t total = rep.sum().item<int64_t>() * (rs[0] == 1 ? n : 1);
                   osz = c.inote("output_size", total + (c.bad ? 1 : 0));
                 }
                 return one(torch::repeat_interleave(x, rep, d, osz));
               }});
  v.push_back({"tile", [](Ctx& c) {
                 Shape s = c.shape(0, 3, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 Shape reps =
                     mx_list(c, "reps", static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(s.size()) + 1)), 0, 2);
                 if (c.bad && !reps.empty()) reps[0] = -1, c.note("negative");
                 return one(torch::tile(x, reps));
               }});
  v.push_back({"take", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 Shape is = c.shape(0, 2, 4);
                 return one(torch::take(x, index_tensor(c, is, numel_of(s))));
               }});
  v.push_back({"take_along_dim", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 if (c.rng.chance(0.3)) {
                   Shape is{c.rng.range(0, 5)};
                   return one(torch::take_along_dim(x, index_tensor(c, is, numel_of(s), false)));
                 }
                 int64_t d = c.inote("dim", c.dim_of(r));
                 Shape is = s;
                 for (auto& k : is)
                   if (c.rng.chance(0.3)) k = 1;
                 is[static_cast<size_t>(mx_wrap(d, r))] = c.rng.range(0, 3);
                 if (c.bad && c.rng.chance(0.3)) is.push_back(2);
                 Tensor idx = index_tensor(c, is, mx_size_at(s, d), false);
                 return one(torch::take_along_dim(x, idx, d));
               }});
  for (int which = 0; which < 3; ++which) {
    v.push_back({which == 0   ? "index_add"
                 : which == 1 ? "index_copy"
                              : "index_fill",
                 [which](Ctx& c) {
                   Shape s = c.shape(c.bad ? 0 : 1, 3);
                   Dt dt = c.mostly_float();
                   Tensor x = c.make(s, dt);
                   int64_t r = static_cast<int64_t>(s.size());
                   int64_t d = c.inote("dim", c.dim_of(r));
                   int64_t n = mx_size_at(s, d);
                   int64_t m = c.rng.range(0, which == 1 ? n : 4);
                   Tensor idx = which == 1 ? distinct_index(c, {m}, 0, n) : index_tensor(c, {m}, n, false);
                   if (which == 2) {
                     if (c.rng.chance(0.3)) {
                       Shape vs = c.bad && c.rng.chance(0.5) ? Shape{1} : Shape{};
                       Dt vdt = c.rng.chance(0.8) ? dt : c.any_dtype();
                       // No gradient for the value when nothing is filled: LibTorch 1.13 returns uninitialised memory.
                       Tensor val = c.make(vs, vdt, Vals::Any, -1, m > 0);
                       return one(torch::index_fill(x, d, idx, val));
                     }
                     return one(torch::index_fill(x, d, idx, c.scalar(dt)));
                   }
                   Shape ss = s;
                   if (r > 0) ss[static_cast<size_t>(mx_wrap(d, r))] = m;
                   if (c.bad && c.rng.chance(0.4)) ss.push_back(2);
                   Tensor src = c.make(ss, c.rng.chance(0.8) ? dt : c.any_dtype());
                   if (which == 1) return one(torch::index_copy(x, d, idx, src));
                   torch::Scalar alpha = c.rng.chance(0.3) ? torch::Scalar(0.5) : torch::Scalar(c.rng.range(-1, 2));
                   c.note("alpha=" + scalar_str(alpha));
                   return one(torch::index_add(x, d, idx, src, alpha));
                 }});
  }
  v.push_back({"scatter_reduce", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.bad ? c.dim_of(r) : c.rng.range(-r, r - 1));
                 Shape is = s;
                 for (auto& k : is) k = c.rng.range(0, k);
                 is[static_cast<size_t>(mx_wrap(d, r))] = c.rng.range(0, 4);
                 Tensor idx = index_tensor(c, is, mx_size_at(s, d), false);
                 Shape ss = is;
                 if (c.rng.chance(0.3))
                   for (auto& k : ss) k += c.rng.range(0, 1);
                 Tensor src = c.make(ss, c.rng.chance(0.85) ? dt : c.any_dtype());
                 const char* red = c.rng.pick<const char*>({"sum", "prod", "mean", "amax", "amin"});
                 if (c.bad && c.rng.chance(0.2)) red = "max";
                 c.note(std::string("reduce=") + red);
                 bool inc = c.bnote("include_self", c.rng.chance(0.5));
                 return one(torch::scatter_reduce(x, d, idx, src, red, inc));
               }});
  v.push_back({"diag", [](Ctx& c) {
                 int64_t r = c.rng.range(c.bad ? 0 : 1, c.bad ? 3 : 2);
                 Shape s = c.shape(static_cast<int>(r), static_cast<int>(r), 4);
                 Tensor x = c.make(s, c.any_dtype());
                 return one(torch::diag(x, c.inote("offset", c.rng.range(-3, 3))));
               }});
  v.push_back({"diag_embed", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size()) + 1;
                 int64_t off = c.inote("offset", c.rng.range(-2, 2));
                 if (c.rng.chance(0.4)) return one(torch::diag_embed(x, off));
                 int64_t d1 = c.inote("d1", c.dim_of(r));
                 int64_t d2 = c.inote("d2", c.dim_of(r, false));
                 return one(torch::diag_embed(x, off, d1, d2));
               }});
  v.push_back({"diagflat", [](Ctx& c) {
                 Shape s = c.shape(0, 3, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 return one(torch::diagflat(x, c.inote("offset", c.rng.range(-3, 3))));
               }});
  v.push_back({"tril_triu_wide", [](Ctx& c) {
                 Shape s{c.rng.range(0, 5), c.rng.range(0, 5)};
                 if (c.rng.chance(0.3)) s.insert(s.begin(), 2);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t k = c.inote("k", c.rng.range(-6, 6));
                 return one(c.bnote("upper", c.rng.chance(0.5)) ? torch::triu(x, k) : torch::tril(x, k));
               }});
  v.push_back({"cross", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 3);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t cd = c.rng.range(0, r - 1);
                 if (!c.bad || c.rng.chance(0.5)) s[static_cast<size_t>(cd)] = 3;
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Shape bs = c.rng.chance(0.7) ? s : c.partner(s, false);
                 Tensor b = c.make(bs, c.rng.chance(0.85) ? dt : c.mostly_float());
                 int64_t form = c.inote("form", c.rng.range(0, 2));
                 int64_t d = c.inote("dim", c.bad ? c.dim_of(r) : (c.rng.chance(0.5) ? cd : cd - r));
                 if (form == 0) return one(torch::cross(a, b));
                 if (form == 1) return one(torch::cross(a, b, c10::optional<int64_t>(d)));
                 return one(torch::linalg_cross(a, b, d));
               }});
  v.push_back({"kron", [](Ctx& c) {
                 Shape sa = c.shape(0, 3, 3);
                 Tensor a = c.make(sa, c.any_dtype());
                 Shape sb = c.shape(0, 3, 3);
                 Tensor b = c.make(sb, c.rng.chance(0.7) ? a.scalar_type() : c.any_dtype());
                 return one(torch::kron(a, b));
               }});
  v.push_back({"unflatten", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 Shape sizes = reshape_target(c, mx_size_at(s, d));
                 return one(c.bnote("method", c.rng.chance(0.5)) ? x.unflatten(d, sizes)
                                                                 : torch::unflatten(x, d, sizes));
               }});
  v.push_back({"swapaxes", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t a = c.inote("a", c.dim_of(r));
                 int64_t b = c.inote("b", c.dim_of(r, false));
                 return one(c.bnote("dims", c.rng.chance(0.5)) ? torch::swapdims(x, a, b) : x.swapaxes(a, b));
               }});
  v.push_back({"meshgrid", [](Ctx& c) {
                 int64_t n = c.rng.range(c.bad ? 0 : 1, 3);
                 Dt dt = c.any_dtype();
                 std::vector<Tensor> ts;
                 for (int64_t i = 0; i < n; ++i) {
                   Shape si = c.rng.chance(0.15) ? Shape{} : Shape{c.rng.range(0, 3)};
                   if (c.bad && c.rng.chance(0.2)) si = {2, 1};
                   Dt di = c.rng.chance(0.85) ? dt : c.any_dtype();
                   ts.push_back(c.make(si, di));
                 }
                 int64_t ix = c.inote("indexing", c.rng.range(0, c.bad ? 2 : 1));
                 return torch::meshgrid(ts, ix == 0 ? "ij" : ix == 1 ? "xy" : "ji");
               }});
  v.push_back({"cartesian_prod", [](Ctx& c) {
                 int64_t n = c.rng.range(1, 3);
                 Dt dt = c.any_dtype();
                 std::vector<Tensor> ts;
                 for (int64_t i = 0; i < n; ++i) {
                   Shape si{c.rng.range(0, 3)};
                   if (c.bad && c.rng.chance(0.2)) si = {2, 1};
                   Dt di = c.rng.chance(0.85) ? dt : c.any_dtype();
                   ts.push_back(c.make(si, di));
                 }
                 return one(torch::cartesian_prod(ts));
               }});
  v.push_back({"searchsorted", [](Ctx& c) {
                 bool nd = c.bnote("nd", c.rng.chance(0.4));
                 Shape ss = nd ? Shape{c.rng.range(1, 2), c.rng.range(0, 4)} : Shape{c.rng.range(0, 5)};
                 Dt dt = c.rng.chance(0.8) ? c.mostly_float() : c.any_dtype();
                 Tensor seq = c.make(ss, dt, Vals::Any, -1, false);
                 c10::optional<Tensor> sorter;
                 if (c.rng.chance(0.25))
                   sorter = std::get<1>(seq.sort(-1)), c.note("sorter");
                 else
                   seq = std::get<0>(seq.sort(-1));
                 bool right = c.bnote("right", c.rng.chance(0.5));
                 bool i32 = c.bnote("out_int32", c.rng.chance(0.3));
                 int64_t side = c.inote("side", c.rng.range(0, 2));  // none, left, right
                 if (c.bad && side == 1) right = true, c.note("right-vs-side");
                 if (!nd && c.rng.chance(0.2)) {
                   torch::Scalar sv = c.scalar(dt);
                   if (side == 0) return one(torch::searchsorted(seq, sv, i32, right, c10::nullopt, sorter));
                   return one(torch::searchsorted(seq, sv, i32, right, side == 1 ? "left" : "right", sorter));
                 }
                 Shape vs = nd ? Shape{ss[0] + (c.bad && c.rng.chance(0.5) ? 1 : 0), c.rng.range(0, 3)} : c.shape(0, 2);
                 Dt vdt = c.rng.chance(0.8) ? dt : c.any_dtype();
                 Tensor vals = c.make(vs, vdt, Vals::Any, -1, false);
                 if (side == 0) return one(torch::searchsorted(seq, vals, i32, right, c10::nullopt, sorter));
                 return one(torch::searchsorted(seq, vals, i32, right, side == 1 ? "left" : "right", sorter));
               }});
  v.push_back({"bucketize", [](Ctx& c) {
                 Shape bs{c.rng.range(0, 5)};
                 if (c.bad && c.rng.chance(0.3)) bs = {2, 2};
                 Dt dt = c.rng.chance(0.8) ? c.mostly_float() : c.any_dtype();
                 Tensor bnd = std::get<0>(c.make(bs, dt, Vals::Any, -1, false).sort(-1));
                 bool right = c.bnote("right", c.rng.chance(0.5));
                 bool i32 = c.bnote("out_int32", c.rng.chance(0.3));
                 if (c.rng.chance(0.2)) {
                   torch::Scalar sv = c.scalar(dt);
                   return one(torch::bucketize(sv, bnd, i32, right));
                 }
                 Shape xs = c.shape();
                 Dt xdt = c.rng.chance(0.8) ? dt : c.any_dtype();
                 Tensor x = c.make(xs, xdt, Vals::Any, -1, false);
                 return one(torch::bucketize(x, bnd, i32, right));
               }});
  v.push_back({"unique_dim", [](Ctx& c) {
                 c.special = false;
                 Shape s = c.shape(1, 3, 3);
                 Dt dt = c.any_dtype();
                 Tensor x = c.make(s, dt, is_float(dt) ? Vals::Positive : Vals::Any);
                 if (is_float(dt)) x = x.floor();
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool sorted = c.bnote("sorted", c.rng.chance(0.8));
                 bool inv = c.bnote("inverse", c.rng.chance(0.5));
                 bool cnt = c.bnote("counts", c.rng.chance(0.5));
                 // Only the requested outputs: LibTorch 1.13 fills inverse and counts even when not asked for.
                 auto r = torch::unique_dim(x, d, sorted, inv, cnt);
                 return TL{std::get<0>(r), inv ? std::get<1>(r) : Tensor(), cnt ? std::get<2>(r) : Tensor()};
               }});
  v.push_back({"unique_consecutive", [](Ctx& c) {
                 c.special = false;
                 Shape s = c.shape(0, 3, 3);
                 Dt dt = c.any_dtype();
                 Tensor x = c.make(s, dt, is_float(dt) ? Vals::Positive : Vals::Any);
                 if (is_float(dt)) x = (x * 0.5).floor();
                 bool inv = c.bnote("inverse", c.rng.chance(0.5));
                 bool cnt = c.bnote("counts", c.rng.chance(0.5));
                 c10::optional<int64_t> d;
                 if (c.rng.chance(0.5)) d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 auto r = torch::unique_consecutive(x, inv, cnt, d);
                 return TL{std::get<0>(r), inv ? std::get<1>(r) : Tensor(), cnt ? std::get<2>(r) : Tensor()};
               }});
  v.push_back({"histc", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 int64_t bins = c.inote("bins", c.rng.range(c.bad ? -1 : 1, 6));
                 int64_t form = c.inote("range", c.rng.range(0, 2));
                 if (form == 0) return one(torch::histc(x, bins));
                 double lo = c.dnote("min", static_cast<double>(c.rng.range(-4, 2)) / 2);
                 double hi = c.dnote(
                     "max", c.bad && c.rng.chance(0.5) ? lo - 1 : lo + static_cast<double>(c.rng.range(0, 6)) / 2);
                 return one(torch::histc(x, bins, lo, hi));
               }});
  v.push_back({"bincount", [](Ctx& c) {
                 Shape s{c.rng.range(0, 6)};
                 if (c.bad && c.rng.chance(0.3)) s = {2, 2};
                 Dt idt = c.rng.pick<Dt>({torch::kInt64, torch::kInt64, torch::kInt32, torch::kUInt8});
                 if (c.bad && c.rng.chance(0.2)) idt = torch::kFloat32;
                 Tensor x = mx_ints(c, "x", s, 0, 5, idt);
                 int64_t ml = c.inote("minlength", c.rng.range(c.bad ? -1 : 0, 7));
                 if (c.rng.chance(0.5)) {
                   Shape ws = s;
                   if (c.bad && c.rng.chance(0.4)) ws[0] += 1;
                   Tensor w = c.make(ws, c.rng.chance(0.8) ? c.float_dtype() : c.any_dtype());
                   return one(torch::bincount(x, w, ml));
                 }
                 return one(torch::bincount(x, c10::nullopt, ml));
               }});
}

// ---------------------------------------------------------------- nn::functional: losses

inline void add_more_losses(std::vector<Variant>& v) {
  for (int which = 0; which < 4; ++which) {
    static const char* const names[] = {"F_mse_loss", "F_l1_loss", "F_smooth_l1_loss", "F_huber_loss"};
    v.push_back(
        {names[which], [which](Ctx& c) {
           Shape s = c.shape();
           Dt dt = c.mostly_float();
           Tensor a = c.make(s, dt);
           Shape bs = c.rng.chance(0.75) ? s : c.partner(s);
           Dt bdt = c.rng.chance(0.85) ? dt : c.mostly_float();
           bool bgrad = c.rng.chance(0.5);
           Tensor b = c.make(bs, bdt, Vals::Any, -1, bgrad);
           if (which == 0) return one(mF::mse_loss(a, b, mx_red(c, mF::MSELossFuncOptions())));
           if (which == 1) return one(mF::l1_loss(a, b, mx_red(c, mF::L1LossFuncOptions())));
           if (which == 2) {
             mF::SmoothL1LossFuncOptions o = mx_red(c, mF::SmoothL1LossFuncOptions());
             return one(mF::smooth_l1_loss(a, b, o.beta(c.dnote("beta", c.rng.pick<double>({1.0, 0.5, 0.0, 2.0})))));
           }
           mF::HuberLossFuncOptions o = mx_red(c, mF::HuberLossFuncOptions());
           return one(
               mF::huber_loss(a, b, o.delta(c.dnote("delta", c.rng.pick<double>({1.0, 0.5, 2.0, c.bad ? 0.0 : 1.5})))));
         }});
  }
  v.push_back({"F_nll_loss", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 4);
                 int64_t form = c.inote("form", c.rng.range(0, 3));  // (C), (N, C), (N, C, d), (N, C, d, e)
                 Shape s = form == 0 ? Shape{C} : Shape{c.rng.range(0, 3), C};
                 if (form >= 2) s.push_back(c.rng.range(1, 2));
                 if (form == 3) s.push_back(c.rng.range(1, 2));
                 Dt dt = mx_nn_dtype(c);
                 Tensor x = c.make(s, dt);
                 Shape ts = s;
                 ts.erase(ts.begin() + (form == 0 ? 0 : 1));
                 if (c.bad && c.rng.chance(0.3)) ts.push_back(1);
                 int64_t ign = c.inote("ignore", c.rng.pick<int64_t>({-100, -1, 0, 1}));
                 std::vector<double> tv(static_cast<size_t>(numel_of(ts)));
                 for (auto& t : tv) t = static_cast<double>(c.rng.chance(0.2) ? ign : c.rng.range(0, C - 1));
                 if (c.bad && !tv.empty() && c.rng.chance(0.5)) tv[0] = static_cast<double>(C);
                 Tensor tgt = torch::tensor(tv, torch::dtype(torch::kFloat64)).reshape(ts).to(torch::kInt64);
                 c.note("target" + shape_str(ts));
                 mF::NLLLossFuncOptions o;
                 o.ignore_index(ign);
                 if (c.rng.chance(0.4))
                   o.weight(c.make({c.bad && c.rng.chance(0.3) ? C + 1 : C}, dt, Vals::Positive, 0, false));
                 return one(mF::nll_loss(x, tgt, mx_red(c, o)));
               }});
  v.push_back({"F_cross_entropy", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 4);
                 int64_t form =
                     c.inote("form", c.rng.range(0, 4));  // (C), (N, C), (N, C, d) indices; (N, C), (C) probabilities
                 bool probs = form >= 3;
                 Shape s = form == 0 || form == 4 ? Shape{C} : Shape{c.rng.range(0, 3), C};
                 if (form == 2) s.push_back(c.rng.range(1, 2));
                 Dt dt = mx_nn_dtype(c);
                 Tensor x = c.make(s, dt);
                 mF::CrossEntropyFuncOptions o;
                 Tensor tgt;
                 if (probs) {
                   Shape ts = s;
                   if (c.bad && c.rng.chance(0.4)) ts.back() += 1;
                   tgt = c.make(ts, dt, Vals::Prob, -1, false);
                 } else {
                   Shape ts = s;
                   ts.erase(ts.begin() + (s.size() == 1 ? 0 : 1));
                   if (c.bad && c.rng.chance(0.3)) ts.push_back(1);
                   int64_t ign = c.inote("ignore", c.rng.pick<int64_t>({-100, -100, 0, 1}));
                   o.ignore_index(ign);
                   std::vector<double> tv(static_cast<size_t>(numel_of(ts)));
                   for (auto& t : tv) t = static_cast<double>(c.rng.chance(0.2) ? ign : c.rng.range(0, C - 1));
                   if (c.bad && !tv.empty() && c.rng.chance(0.5)) tv[0] = static_cast<double>(C);
                   tgt = torch::tensor(tv, torch::dtype(torch::kFloat64)).reshape(ts).to(torch::kInt64);
                   c.note("target" + shape_str(ts));
                 }
                 if (c.rng.chance(0.4)) o.weight(c.make({C}, dt, Vals::Positive, 0, false));
                 o.label_smoothing(c.dnote(
                     "smoothing", c.rng.pick<double>({0.0, 0.0, 0.1, 0.5, c.bad ? -0.1 : 0.25, c.bad ? 1.5 : 1.0})));
                 return one(mF::cross_entropy(x, tgt, mx_red(c, o)));
               }});
  v.push_back({"margin_ranking_loss", [](Ctx& c) {
                 Shape s = c.shape(0, 2);
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Shape bs = c.bad && c.rng.chance(0.4) ? c.partner(s) : s;
                 Tensor b = c.make(bs, dt);
                 Shape ts = c.bad && c.rng.chance(0.3) ? Shape{2, 2, 2} : s;
                 Tensor t = mx_signs(c, ts, dt);
                 double m = c.dnote("margin", c.rng.pick<double>({0.0, 0.5, 1.0, -0.5}));
                 return one(mF::margin_ranking_loss(a, b, t, mx_red(c, mF::MarginRankingLossFuncOptions().margin(m))));
               }});
  v.push_back({"hinge_embedding_loss", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 Shape ts = c.rng.chance(0.8) ? s : c.partner(s);
                 Tensor t = mx_signs(c, ts, c.rng.chance(0.8) ? dt : c.any_dtype());
                 double m = c.dnote("margin", c.rng.pick<double>({1.0, 0.5, -1.0, 0.0}));
                 return one(mF::hinge_embedding_loss(x, t, mx_red(c, mF::HingeEmbeddingLossFuncOptions().margin(m))));
               }});
  v.push_back({"soft_margin_loss", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 Shape ts = c.rng.chance(0.8) ? s : c.partner(s);
                 Tensor t = mx_signs(c, ts, dt);
                 return one(mF::soft_margin_loss(x, t, mx_red(c, mF::SoftMarginLossFuncOptions())));
               }});
  v.push_back({"multilabel_margin_loss", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 4);
                 // N >= 1: LibTorch 1.13 returns uninitialised memory for an empty batch with sum/mean.
                 Shape s = c.rng.chance(0.3) ? Shape{C} : Shape{c.rng.range(1, 3), C};
                 if (c.bad && c.rng.chance(0.3)) s.push_back(1);
                 Dt dt = mx_nn_dtype(c);
                 Tensor x = c.make(s, dt);
                 Shape ts = s;
                 if (c.bad && c.rng.chance(0.3)) ts.back() += 1;
                 int64_t row = ts.back();
                 std::vector<double> tv(static_cast<size_t>(numel_of(ts)));
                 for (size_t i = 0; i < tv.size(); i += static_cast<size_t>(std::max<int64_t>(row, 1))) {
                   int64_t k = c.rng.range(0, row);
                   for (int64_t j = 0; j < row; ++j)
                     tv[i + static_cast<size_t>(j)] = static_cast<double>(j < k    ? c.rng.range(0, C - 1)
                                                                          : j == k ? -1
                                                                                   : c.rng.range(-1, C - 1));
                 }
                 if (c.bad && !tv.empty() && c.rng.chance(0.5)) tv[0] = static_cast<double>(C);
                 Tensor t = torch::tensor(tv, torch::dtype(torch::kFloat64)).reshape(ts).to(torch::kInt64);
                 c.note("target" + shape_str(ts));
                 return one(mF::multilabel_margin_loss(x, t, mx_red(c, mF::MultilabelMarginLossFuncOptions())));
               }});
  v.push_back({"multi_margin_loss", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 4);
                 bool batched = c.rng.chance(0.75);
                 Shape s = batched ? Shape{c.rng.range(1, 3), C} : Shape{C};  // N >= 1, as multilabel_margin_loss
                 Dt dt = mx_nn_dtype(c);
                 Tensor x = c.make(s, dt);
                 Shape ts = batched ? Shape{s[0]} : Shape{};
                 if (c.bad && c.rng.chance(0.3)) ts.push_back(2);
                 Tensor t = mx_ints(c, "target", ts, 0, C - 1);
                 mF::MultiMarginLossFuncOptions o;
                 o.p(c.inote("p", c.rng.range(1, c.bad ? 3 : 2)));
                 o.margin(c.dnote("margin", c.rng.pick<double>({1.0, 0.5, 2.0})));
                 if (c.rng.chance(0.3)) o.weight(c.make({C}, dt, Vals::Positive, 0, false));
                 return one(mF::multi_margin_loss(x, t, mx_red(c, o)));
               }});
  v.push_back({"cosine_embedding_loss", [](Ctx& c) {
                 int64_t D = c.rng.range(1, 4);
                 bool batched = c.rng.chance(0.75);
                 Shape s = batched ? Shape{c.rng.range(0, 3), D} : Shape{D};
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Shape bs = s;
                 if (c.bad && c.rng.chance(0.4)) bs.back() += 1;
                 Tensor b = c.make(bs, dt);
                 Shape ts = batched ? Shape{s[0]} : Shape{};
                 Tensor t = mx_signs(c, ts, dt);
                 double m = c.dnote("margin", c.rng.pick<double>({0.0, 0.5, -0.5}));
                 return one(
                     mF::cosine_embedding_loss(a, b, t, mx_red(c, mF::CosineEmbeddingLossFuncOptions().margin(m))));
               }});
  v.push_back({"triplet_margin_loss", [](Ctx& c) {
                 int64_t D = c.rng.range(1, 4);
                 Shape s = c.rng.chance(0.75) ? Shape{c.rng.range(0, 3), D} : Shape{D};
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Tensor p = c.make(s, dt);
                 Shape ns = s;
                 if (c.bad && c.rng.chance(0.4)) ns.back() += 1;
                 Tensor n = c.make(ns, dt);
                 mF::TripletMarginLossFuncOptions o;
                 o.margin(c.dnote("margin", c.rng.pick<double>({1.0, 0.5, 0.0})));
                 o.p(c.dnote("p", c.rng.pick<double>({2.0, 1.0, 3.0})));
                 o.eps(c.dnote("eps", c.rng.pick<double>({1e-6, 0.25})));
                 o.swap(c.bnote("swap", c.rng.chance(0.5)));
                 return one(mF::triplet_margin_loss(a, p, n, mx_red(c, o)));
               }});
  v.push_back({"poisson_nll_loss", [](Ctx& c) {
                 bool li = c.bnote("log_input", c.rng.chance(0.5));
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt, li ? Vals::Any : Vals::Positive);
                 Shape ts = c.rng.chance(0.8) ? s : c.partner(s);
                 Tensor t = c.make(ts, dt, Vals::Positive);
                 mF::PoissonNLLLossFuncOptions o;
                 o.log_input(li);
                 o.full(c.bnote("full", c.rng.chance(0.5)));
                 o.eps(c.dnote("eps", c.rng.pick<double>({1e-8, 0.5})));
                 return one(mF::poisson_nll_loss(x, t, mx_red(c, o)));
               }});
}

// ---------------------------------------------------------------- nn::functional: activations etc.

inline void add_more_activations(std::vector<Variant>& v) {
  for (int which = 0; which < 3; ++which) {
    static const char* const names[] = {"F_softmax", "F_log_softmax", "F_softmin"};
    v.push_back({names[which], [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.mostly_float());
                   int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                   c10::optional<Dt> dt;
                   if (which == 2 && c.rng.chance(0.4)) dt = c.float_dtype(), c.note("dtype=" + dt_name(*dt));
                   // ember's SoftmaxFuncOptions / LogSoftmaxFuncOptions have no dtype(): those two go without it.
                   if (which == 0) return one(mF::softmax(x, mF::SoftmaxFuncOptions(d)));
                   if (which == 1) return one(mF::log_softmax(x, mF::LogSoftmaxFuncOptions(d)));
                   mF::SoftminFuncOptions o(d);
                   if (dt) o.dtype(*dt);
                   return one(mF::softmin(x, o));
                 }});
  }
  struct A {
    const char* name;
    Tensor (*f)(Ctx&, const Tensor&);
  };
  static const A acts[] = {
      {"hardtanh",
       [](Ctx& c, const Tensor& x) {
         double lo = c.dnote("min", c.rng.pick<double>({-1.0, -2.0, 0.0, 0.5}));
         double hi = c.dnote("max", c.bad ? lo - 0.5 : lo + c.rng.pick<double>({0.5, 1.0, 2.5}));
         return mF::hardtanh(x, mF::HardtanhFuncOptions().min_val(lo).max_val(hi));
       }},
      {"relu6", [](Ctx&, const Tensor& x) { return mF::relu6(x); }},
      {"softplus",
       [](Ctx& c, const Tensor& x) {
         double b = c.dnote("beta", c.rng.pick<double>({1.0, 2.0, 0.5, -1.0}));
         double t = c.dnote("threshold", c.rng.pick<double>({20.0, 1.0, 0.5}));
         return mF::softplus(x, mF::SoftplusFuncOptions().beta(b).threshold(t));
       }},
      {"softshrink",
       [](Ctx& c, const Tensor& x) {
         return mF::softshrink(
             x, mF::SoftshrinkFuncOptions(c.dnote("lambda", c.rng.pick<double>({0.5, 0.0, 1.5, c.bad ? -0.5 : 1.0}))));
       }},
      {"hardshrink",
       [](Ctx& c, const Tensor& x) {
         return mF::hardshrink(x,
                               mF::HardshrinkFuncOptions(c.dnote("lambda", c.rng.pick<double>({0.5, 0.0, 1.5, -1.0}))));
       }},
      {"tanhshrink", [](Ctx&, const Tensor& x) { return mF::tanhshrink(x); }},
      {"hardsigmoid", [](Ctx&, const Tensor& x) { return torch::hardsigmoid(x); }},
      {"hardswish", [](Ctx&, const Tensor& x) { return torch::hardswish(x); }},
      {"mish", [](Ctx&, const Tensor& x) { return mF::mish(x); }},
      {"celu",
       [](Ctx& c, const Tensor& x) {
         return mF::celu(
             x, mF::CELUFuncOptions().alpha(c.dnote("alpha", c.rng.pick<double>({1.0, 0.5, 2.0, c.bad ? 0.0 : -1.0}))));
       }},
      {"selu", [](Ctx&, const Tensor& x) { return mF::selu(x); }},
      {"logsigmoid", [](Ctx&, const Tensor& x) { return mF::logsigmoid(x); }},
      {"softsign", [](Ctx&, const Tensor& x) { return mF::softsign(x); }},
      {"threshold",
       [](Ctx& c, const Tensor& x) {
         double th = c.dnote("th", c.rng.pick<double>({0.0, 0.5, -1.0}));
         double val = c.dnote("value", c.rng.pick<double>({0.0, 2.0, -3.0}));
         return mF::threshold(x, mF::ThresholdFuncOptions(th, val));
       }},
      {"rrelu_eval",
       [](Ctx& c, const Tensor& x) {
         double lo = c.dnote("lower", c.rng.pick<double>({0.125, 0.0, 0.5}));
         double hi = c.dnote("upper", c.rng.pick<double>({1.0 / 3, 0.5, 1.0}));
         return mF::rrelu(x, mF::RReLUFuncOptions().lower(lo).upper(hi).training(false));
       }},
  };
  for (const A& a : acts) {
    const A* ap = &a;
    v.push_back({a.name, [ap](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.mostly_float());
                   return one(ap->f(c, x));
                 }});
  }
  v.push_back({"glu", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.dim_of(r));
                 if (r > 0 && (!c.bad || c.rng.chance(0.5)))
                   s[static_cast<size_t>(mx_wrap(d, r))] = 2 * c.rng.range(0, 2);
                 Tensor x = c.make(s, c.mostly_float());
                 return one(mF::glu(x, mF::GLUFuncOptions(d)));
               }});
  v.push_back({"prelu", [](Ctx& c) {
                 Shape s = c.shape(0, 3);
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 int64_t ch = s.size() >= 2 ? s[1] : 1;
                 Shape ws{c.rng.chance(0.5) ? 1 : ch};
                 if (c.bad && c.rng.chance(0.5)) ws[0] += 1;
                 Tensor w = c.make(ws, dt);
                 return one(mF::prelu(x, w));
               }});
  v.push_back({"normalize", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 mF::NormalizeFuncOptions o;
                 o.p(c.dnote("p", c.rng.pick<double>({2.0, 1.0, kInf, 0.5, 3.0})));
                 o.dim(c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()))));
                 o.eps(c.dnote("eps", c.rng.pick<double>({1e-12, 0.5})));
                 return one(mF::normalize(x, o));
               }});
  v.push_back({"cosine_similarity", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Shape bs = c.partner(s);
                 Tensor b = c.make(bs, c.rng.chance(0.85) ? dt : c.mostly_float());
                 mF::CosineSimilarityFuncOptions o;
                 o.dim(c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()))));
                 o.eps(c.dnote("eps", c.rng.pick<double>({1e-8, 0.5})));
                 return one(mF::cosine_similarity(a, b, o));
               }});
  v.push_back({"pairwise_distance", [](Ctx& c) {
                 int64_t D = c.rng.range(1, 4);
                 Shape s = c.rng.chance(0.75) ? Shape{c.rng.range(0, 3), D} : Shape{D};
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(s, dt);
                 Shape bs = c.rng.chance(0.7) ? s : c.partner(s);
                 Tensor b = c.make(bs, dt);
                 mF::PairwiseDistanceFuncOptions o;
                 o.p(c.dnote("p", c.rng.pick<double>({2.0, 1.0, kInf, 0.0, 3.0})));
                 o.eps(c.dnote("eps", c.rng.pick<double>({1e-6, 0.0, 0.5})));
                 o.keepdim(c.bnote("keepdim", c.rng.chance(0.5)));
                 return one(mF::pairwise_distance(a, b, o));
               }});
  v.push_back({"pdist", [](Ctx& c) {
                 Shape s{c.rng.range(0, 4), c.rng.range(0, 3)};
                 if (c.bad && c.rng.chance(0.5)) s.pop_back();
                 Tensor x = c.make(s, c.mostly_float());
                 return one(mF::pdist(x, c.dnote("p", c.rng.pick<double>({2.0, 1.0, 0.0, kInf, 0.5, 3.0}))));
               }});
  v.push_back({"cdist", [](Ctx& c) {
                 int64_t M = c.rng.range(0, 3);
                 Shape sa{c.rng.range(0, 3), M};
                 Shape sb{c.rng.range(0, 3), c.bad && c.rng.chance(0.5) ? M + 1 : M};
                 if (c.rng.chance(0.3)) {
                   int64_t B = c.rng.range(1, 2);
                   sa.insert(sa.begin(), B);
                   sb.insert(sb.begin(), c.rng.chance(0.7) ? B : 1);
                 }
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(sa, dt);
                 Tensor b = c.make(sb, dt);
                 return one(torch::cdist(
                     a, b, c.dnote("p", c.rng.pick<double>({2.0, 1.0, 0.0, kInf, 1.5, c.bad ? -1.0 : 3.0}))));
               }});
  v.push_back(
      {"F_dropout", [](Ctx& c) {
         int64_t kind = c.inote("kind", c.rng.range(0, 3));  // dropout, dropout2d, dropout3d, alpha_dropout
         Shape s = kind == 1 ? mx_image(c, c.rng.range(1, 2), 2, 3) : kind == 2 ? mx_image(c, 1, 3, 2) : c.shape();
         Tensor x = c.make(s, c.mostly_float());
         double p = c.dnote("p", c.bad ? c.rng.pick<double>({-0.5, 1.5}) : c.rng.pick<double>({0.0, 1.0}));
         bool tr = c.bnote("training", c.rng.chance(0.7));
         if (kind == 0) return one(mF::dropout(x, mF::DropoutFuncOptions().p(p).training(tr)));
         if (kind == 1) return one(mF::dropout2d(x, mF::Dropout2dFuncOptions().p(p).training(tr)));
         if (kind == 2) return one(mF::dropout3d(x, mF::Dropout3dFuncOptions().p(p).training(tr)));
         return one(mF::alpha_dropout(x, mF::AlphaDropoutFuncOptions().p(p).training(tr)));
       }});
  v.push_back({"one_hot", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 4);
                 int64_t n = c.rng.range(1, 4);
                 Dt dt = c.bad && c.rng.chance(0.3) ? torch::kInt32 : torch::kInt64;
                 Tensor t = mx_ints(c, "t", s, 0, n - 1, dt);
                 int64_t nc = c.inote("classes", c.rng.chance(0.4) ? -1 : n + c.rng.range(c.bad ? -1 : 0, 1));
                 return one(mF::one_hot(t, nc));
               }});
  v.push_back({"embedding", [](Ctx& c) {
                 int64_t num = c.rng.range(1, 5), dim = c.rng.range(1, 3);
                 Tensor w = c.make({num, dim}, c.float_dtype(), Vals::Any, 0);
                 Shape is = c.shape(0, 2, 3);
                 Tensor idx = index_tensor(c, is, num, false);
                 mF::EmbeddingFuncOptions o;
                 if (c.rng.chance(0.4)) o.padding_idx(c.inote("padding_idx", c.rng.range(-num, c.bad ? num : num - 1)));
                 if (c.rng.chance(0.3)) {
                   o.max_norm(c.dnote("max_norm", c.rng.pick<double>({1.0, 0.5, 2.0})));
                   o.norm_type(c.dnote("norm_type", c.rng.pick<double>({2.0, 1.0})));
                 }
                 o.scale_grad_by_freq(c.bnote("scale_grad", c.rng.chance(0.3)));
                 Tensor y = mF::embedding(idx, w, o);
                 return TL{y, w.detach()};
               }});
  v.push_back({"pixel_shuffle", [](Ctx& c) {
                 int64_t f = c.inote("factor", c.rng.range(1, 3));
                 bool up = c.bnote("up", c.rng.chance(0.5));
                 Shape s;
                 if (up) {
                   s = mx_image(c, c.rng.range(1, 2) * f * f + (c.bad ? 1 : 0), 2, 2);
                 } else {
                   s = mx_image(c, c.rng.range(1, 2), 0, 1);
                   s.push_back(c.rng.range(1, 2) * f + (c.bad ? 1 : 0));
                   s.push_back(c.rng.range(1, 2) * f);
                 }
                 if (c.bad && c.rng.chance(0.3)) s = {4};
                 Tensor x = c.make(s, c.any_dtype());
                 if (up) return one(mF::pixel_shuffle(x, mF::PixelShuffleFuncOptions(f)));
                 return one(mF::pixel_unshuffle(x, mF::PixelUnshuffleFuncOptions(f)));
               }});
  v.push_back({"local_response_norm", [](Ctx& c) {
                 int64_t ch = c.rng.range(1, 4);
                 Shape s = mx_image(c, ch, c.rng.range(c.bad ? 0 : 1, 2), 3, false);
                 Tensor x = c.make(s, c.mostly_float());
                 mF::LocalResponseNormFuncOptions o(c.inote("size", c.rng.range(1, 3)));
                 o.alpha(c.dnote("alpha", c.rng.pick<double>({1e-4, 0.5, 1.0})));
                 o.beta(c.dnote("beta", c.rng.pick<double>({0.75, 0.5})));
                 o.k(c.dnote("k", c.rng.pick<double>({1.0, 2.0})));
                 return one(mF::local_response_norm(x, o));
               }});
  v.push_back({"instance_norm", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 3);
                 Shape s{c.rng.range(1, 2), C, c.rng.range(1, 3)};
                 if (c.rng.chance(0.4)) s.push_back(c.rng.range(1, 2));
                 Dt dt = mx_nn_dtype(c);
                 Tensor x = c.make(s, dt, Vals::Distinct);
                 bool uis = c.bnote("use_input_stats", c.rng.chance(0.7));
                 mF::InstanceNormFuncOptions o;
                 o.use_input_stats(uis);
                 o.momentum(c.dnote("momentum", c.rng.pick<double>({0.1, 0.5})));
                 Tensor rm, rv;
                 if (!uis || c.rng.chance(0.5)) {
                   rm = c.make({c.bad && c.rng.chance(0.4) ? C + 1 : C}, dt, Vals::Any, 0, false);
                   rv = c.make({C}, dt, Vals::Positive, 0, false);
                   o.running_mean(rm);
                   o.running_var(rv);
                 }
                 if (c.rng.chance(0.5)) o.weight(c.make({C}, dt, Vals::Any, 0));
                 if (c.rng.chance(0.5)) o.bias(c.make({C}, dt, Vals::Any, 0));
                 Tensor y = mF::instance_norm(x, o);
                 return TL{y, rm, rv};
               }});
}

// ---------------------------------------------------------------- nn::functional: pad, interpolate, pooling, conv

inline void add_more_spatial(std::vector<Variant>& v) {
  v.push_back({"F_pad", [](Ctx& c) {
                 int64_t mode = c.inote("mode", c.rng.range(0, 3));  // constant reflect replicate circular
                 int64_t k = c.rng.range(1, 3);                      // padded dims
                 Shape s;
                 if (mode == 0) {
                   s = c.shape(1, 4, 3);
                   k = std::min<int64_t>(k, static_cast<int64_t>(s.size()) + (c.bad ? 1 : 0));
                 } else {
                   const int64_t n = c.rng.range(1, 2);  // one draw per statement (argument order is unspecified)
                   s = mx_image(c, n, k + (c.bad && c.rng.chance(0.5) ? 1 : 0), 3);
                 }
                 Tensor x = c.make(s, c.rng.chance(0.9) ? c.mostly_float() : c.any_dtype());
                 // Negative pads only in constant mode: LibTorch 1.13's circular pad (forward) and reflect pad
                 // (3-d backward) read uninitialised memory with them.
                 Shape pads = mx_list(c, "pad", static_cast<size_t>(2 * k), mode == 0 ? -2 : 0, 2);
                 if (c.bad && c.rng.chance(0.3)) pads.push_back(1), c.note("odd");
                 mF::PadFuncOptions o(pads);
                 if (mode == 0) o.mode(torch::kConstant).value(c.dnote("value", c.rng.pick<double>({0.0, 1.5, -2.0})));
                 if (mode == 1) o.mode(torch::kReflect);
                 if (mode == 2) o.mode(torch::kReplicate);
                 if (mode == 3) o.mode(torch::kCircular);
                 return one(mF::pad(x, o));
               }});
  v.push_back({"interpolate", [](Ctx& c) {
                 int64_t mode = c.inote(
                     "mode", c.rng.range(0, 6));  // nearest linear bilinear bicubic trilinear area nearest-exact
                 int64_t k = mode == 1 ? 1 : mode == 2 || mode == 3 ? 2 : mode == 4 ? 3 : c.rng.range(1, 3);
                 if (c.bad && c.rng.chance(0.3)) k = k % 3 + 1, c.note("wrong-rank");
                 Shape s = mx_image(c, c.rng.range(1, 2), k, 3, false);
                 Tensor x = c.make(s, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype());
                 mF::InterpolateFuncOptions o;
                 int64_t given = c.inote("given", c.rng.range(0, c.bad ? 3 : 1));  // size, scale, both, neither
                 size_t nk = static_cast<size_t>(k) + (c.bad && c.rng.chance(0.2) ? 1 : 0);
                 if (given == 0 || given == 2) o.size(mx_list(c, "size", nk, 1, 5));
                 if (given == 1 || given == 2) {
                   std::vector<double> sf(nk);
                   for (auto& f : sf) f = c.rng.pick<double>({0.5, 1.5, 2.0, 2.5, 0.75, 1.0});
                   std::string d = "scale=";
                   for (double f : sf) d += num_str(f) + ",";
                   c.note(d);
                   o.scale_factor(sf);
                   int64_t rc = c.inote("recompute", c.rng.range(0, 2));
                   if (rc) o.recompute_scale_factor(rc == 1);
                 }
                 int64_t ac = c.inote("align", c.rng.range(0, 2));
                 bool interp = mode >= 1 && mode <= 4;
                 if (ac && (interp || c.bad)) o.align_corners(ac == 1);
                 if (mode == 0) o.mode(torch::kNearest);
                 if (mode == 1) o.mode(torch::kLinear);
                 if (mode == 2) o.mode(torch::kBilinear);
                 if (mode == 3) o.mode(torch::kBicubic);
                 if (mode == 4) o.mode(torch::kTrilinear);
                 if (mode == 5) o.mode(torch::kArea);
                 if (mode == 6) o.mode(torch::kNearestExact);
                 return one(mF::interpolate(x, o));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "F_max_pool3d" : "F_max_pool1d", [which](Ctx& c) {
                   int64_t k = which ? 3 : 1;
                   Shape s = mx_image(c, c.rng.range(1, 2), k, which ? 3 : 6);
                   Tensor x = c.make(s, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype(), Vals::Distinct);
                   Shape ks = mx_list(c, "kernel", static_cast<size_t>(k), c.bad ? 0 : 1, 3);
                   Shape st = c.rng.chance(0.3) ? Shape{} : mx_list(c, "stride", static_cast<size_t>(k), 1, 2);
                   Shape pd = mx_list(c, "pad", static_cast<size_t>(k), 0, c.bad ? 2 : 1);
                   Shape dl = mx_list(c, "dil", static_cast<size_t>(k), 1, 2);
                   bool cm = c.bnote("ceil", c.rng.chance(0.3));
                   for (size_t i = 0; i < static_cast<size_t>(k); ++i) {
                     int64_t n = s[s.size() - static_cast<size_t>(k) + i];
                     if (!mx_windows_ok(n, ks[i], st.empty() ? ks[i] : st[i], pd[i], dl[i], cm))
                       pd[i] = 0, c.note("unpadded");
                   }
                   bool with_idx = c.bnote("indices", c.rng.chance(0.3));
                   if (which) {
                     mF::MaxPool3dFuncOptions o(ks);
                     if (!st.empty()) o.stride(st);
                     o.padding(pd).dilation(dl).ceil_mode(cm);
                     if (with_idx) return two(mF::max_pool3d_with_indices(x, o));
                     return one(mF::max_pool3d(x, o));
                   }
                   mF::MaxPool1dFuncOptions o(ks[0]);
                   if (!st.empty()) o.stride(st[0]);
                   o.padding(pd[0]).dilation(dl[0]).ceil_mode(cm);
                   if (with_idx) return two(mF::max_pool1d_with_indices(x, o));
                   return one(mF::max_pool1d(x, o));
                 }});
  }
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "F_avg_pool3d" : "F_avg_pool1d", [which](Ctx& c) {
                   int64_t k = which ? 3 : 1;
                   Shape s = mx_image(c, c.rng.range(1, 2), k, which ? 3 : 6);
                   Tensor x = c.make(s, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype());
                   Shape ks = mx_list(c, "kernel", static_cast<size_t>(k), c.bad ? 0 : 1, 3);
                   Shape st = c.rng.chance(0.3) ? Shape{} : mx_list(c, "stride", static_cast<size_t>(k), 1, 2);
                   Shape pd = mx_list(c, "pad", static_cast<size_t>(k), 0, c.bad ? 2 : 1);
                   bool cm = c.bnote("ceil", c.rng.chance(0.3));
                   bool cip = c.bnote("count_pad", c.rng.chance(0.5));
                   if (which) {
                     mF::AvgPool3dFuncOptions o(ks);
                     if (!st.empty()) o.stride(st);
                     o.padding(pd).ceil_mode(cm).count_include_pad(cip);
                     if (c.rng.chance(0.3)) o.divisor_override(c.inote("divisor", c.bad ? 0 : 3));
                     return one(mF::avg_pool3d(x, o));
                   }
                   mF::AvgPool1dFuncOptions o(ks[0]);
                   if (!st.empty()) o.stride(st[0]);
                   o.padding(pd[0]).ceil_mode(cm).count_include_pad(cip);
                   return one(mF::avg_pool1d(x, o));
                 }});
  }
  v.push_back({"adaptive_pool", [](Ctx& c) {
                 int64_t k = c.inote("k", c.rng.range(1, 3));
                 bool mx = c.bnote("max", c.rng.chance(0.5));
                 Shape s = mx_image(c, c.rng.range(1, 2), k, 4);
                 if (c.bad && c.rng.chance(0.3)) s.erase(s.begin()), s.erase(s.begin());
                 Tensor x =
                     c.make(s, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype(), mx ? Vals::Distinct : Vals::Any);
                 Shape os = mx_list(c, "out", static_cast<size_t>(k), c.bad ? 0 : 1, 4);
                 bool with_idx = mx && c.bnote("indices", c.rng.chance(0.4));
                 if (k == 1) {
                   if (!mx) return one(mF::adaptive_avg_pool1d(x, mF::AdaptiveAvgPool1dFuncOptions(os[0])));
                   if (with_idx)
                     return two(mF::adaptive_max_pool1d_with_indices(x, mF::AdaptiveMaxPool1dFuncOptions(os[0])));
                   return one(mF::adaptive_max_pool1d(x, mF::AdaptiveMaxPool1dFuncOptions(os[0])));
                 }
                 if (k == 2) {
                   if (!mx) return one(mF::adaptive_avg_pool2d(x, mF::AdaptiveAvgPool2dFuncOptions(os)));
                   if (with_idx)
                     return two(mF::adaptive_max_pool2d_with_indices(x, mF::AdaptiveMaxPool2dFuncOptions(os)));
                   return one(mF::adaptive_max_pool2d(x, mF::AdaptiveMaxPool2dFuncOptions(os)));
                 }
                 if (!mx) return one(mF::adaptive_avg_pool3d(x, mF::AdaptiveAvgPool3dFuncOptions(os)));
                 if (with_idx)
                   return two(mF::adaptive_max_pool3d_with_indices(x, mF::AdaptiveMaxPool3dFuncOptions(os)));
                 return one(mF::adaptive_max_pool3d(x, mF::AdaptiveMaxPool3dFuncOptions(os)));
               }});
  v.push_back({"lp_pool", [](Ctx& c) {
                 int64_t k = c.inote("k", c.rng.range(1, 2));
                 Shape s = mx_image(c, c.rng.range(1, 2), k, 5);
                 Tensor x = c.make(s, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype(), Vals::Positive);
                 double p = c.dnote("p", c.rng.pick<double>({2.0, 1.0, 3.0, kInf}));
                 Shape ks = mx_list(c, "kernel", static_cast<size_t>(k), c.bad ? 0 : 1, 3);
                 Shape st = c.rng.chance(0.3) ? Shape{} : mx_list(c, "stride", static_cast<size_t>(k), 1, 2);
                 bool cm = c.bnote("ceil", c.rng.chance(0.3));
                 if (k == 1) {
                   mF::LPPool1dFuncOptions o(p, ks[0]);
                   if (!st.empty()) o.stride(st[0]);
                   return one(mF::lp_pool1d(x, o.ceil_mode(cm)));
                 }
                 mF::LPPool2dFuncOptions o(p, ks);
                 if (!st.empty()) o.stride(st);
                 return one(mF::lp_pool2d(x, o.ceil_mode(cm)));
               }});
  for (int which = 0; which < 4; ++which) {
    static const char* const names[] = {"F_conv1d", "F_conv3d", "F_conv_transpose1d", "F_conv_transpose2d"};
    v.push_back({names[which], [which](Ctx& c) {
                   int64_t k = which == 0 || which == 2 ? 1 : which == 1 ? 3 : 2;
                   bool transposed = which >= 2;
                   int64_t groups = c.rng.chance(0.3) ? 2 : 1;
                   int64_t cin = groups * c.rng.range(1, 2);
                   int64_t cout = groups * c.rng.range(1, 2);
                   Dt dt = mx_nn_dtype(c);
                   Shape xs = mx_image(c, cin, k, k == 3 ? 2 : 4);
                   Tensor x = c.make(xs, dt);
                   Shape ws = transposed ? Shape{cin, cout / groups} : Shape{cout, cin / groups};
                   if (c.bad && c.rng.chance(0.4)) ws[1] += 1;
                   for (int64_t i = 0; i < k; ++i) ws.push_back(c.rng.range(1, k == 3 ? 2 : 3));
                   Tensor w = c.make(ws, c.bad && c.rng.chance(0.2) ? c.any_dtype() : dt);
                   Tensor b;
                   if (c.rng.chance(0.5)) b = c.make({cout}, dt);
                   Shape st = mx_list(c, "stride", static_cast<size_t>(k), c.bad ? 0 : 1, 2);
                   Shape pd = mx_list(c, "pad", static_cast<size_t>(k), 0, 1);
                   Shape dl = mx_list(c, "dil", static_cast<size_t>(k), 1, 2);
                   c.inote("groups", groups);
                   if (which == 0) {
                     int64_t pm = c.inote("padmode", c.rng.range(0, 3));  // numbers, numbers, same, valid
                     mF::Conv1dFuncOptions o;
                     o.bias(b).stride(st).dilation(dl).groups(groups);
                     if (pm <= 1) o.padding(pd);
                     if (pm == 2) o.padding(torch::kSame);
                     if (pm == 3) o.padding(torch::kValid);
                     return one(mF::conv1d(x, w, o));
                   }
                   if (which == 1) {
                     mF::Conv3dFuncOptions o;
                     o.bias(b).stride(st).padding(pd).dilation(dl).groups(groups);
                     return one(mF::conv3d(x, w, o));
                   }
                   Shape op = mx_list(c, "outpad", static_cast<size_t>(k), 0, c.bad ? 2 : 1);
                   if (which == 2) {
                     mF::ConvTranspose1dFuncOptions o;
                     o.bias(b).stride(st).padding(pd).output_padding(op).dilation(dl).groups(groups);
                     return one(mF::conv_transpose1d(x, w, o));
                   }
                   mF::ConvTranspose2dFuncOptions o;
                   o.bias(b).stride(st).padding(pd).output_padding(op).dilation(dl).groups(groups);
                   return one(mF::conv_transpose2d(x, w, o));
                 }});
  }
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "F_fold" : "F_unfold", [which](Ctx& c) {
                   Shape ks = mx_list(c, "kernel", 2, c.bad ? 0 : 1, 2);
                   Shape dl = mx_list(c, "dil", 2, 1, 2);
                   Shape pd = mx_list(c, "pad", 2, 0, 1);
                   Shape st = mx_list(c, "stride", 2, 1, 2);
                   Dt dt = mx_nn_dtype(c);
                   if (!which) {
                     Shape s = mx_image(c, c.rng.range(1, 2), 2, 4);
                     Tensor x = c.make(s, dt);
                     return one(mF::unfold(x, mF::UnfoldFuncOptions(ks).dilation(dl).padding(pd).stride(st)));
                   }
                   Shape os = mx_list(c, "out", 2, 1, 4);
                   int64_t blocks = 1;
                   for (size_t i = 0; i < 2; ++i)
                     blocks *= std::max<int64_t>(
                         (os[i] + 2 * pd[i] - dl[i] * (ks[i] - 1) - 1) / std::max<int64_t>(st[i], 1) + 1, 0);
                   int64_t C = c.rng.range(1, 2);
                   Shape s{c.rng.range(1, 2), C * ks[0] * ks[1] + (c.bad && c.rng.chance(0.3) ? 1 : 0),
                           blocks + (c.bad && c.rng.chance(0.3) ? 1 : 0)};
                   if (c.rng.chance(0.25)) s.erase(s.begin());
                   Tensor x = c.make(s, dt);
                   return one(mF::fold(x, mF::FoldFuncOptions(os, ks).dilation(dl).padding(pd).stride(st)));
                 }});
  }
}

inline void add_more(std::vector<Variant>& v) {
  add_more_reductions(v);
  add_more_shape(v);
  add_more_losses(v);
  add_more_activations(v);
  add_more_spatial(v);
}

}  // namespace diffcase
