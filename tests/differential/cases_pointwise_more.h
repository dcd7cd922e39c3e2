// More pointwise variants of the differential test: unary math on edge values (signed zeros, ties,
// domain boundaries, inf and nan) of every dtype with their in-place forms; division, rounding,
// remainder and power ops with integer zero divisors and Scalar operands; comparisons, logical,
// bitwise and shift ops; isclose/allclose/equal; clamp with tensor bounds.
// Not a header of its own: cases.h includes it at file scope, after the helpers it uses (Ctx,
// Target, inplace_out, one, ...) and before variants().
#pragma once

namespace diffcase {
namespace pmore {

// Which values a generated tensor or Scalar holds (beyond Ctx's Vals).
enum class Pal {
  Edge,  // the usual values, signed zeros, ties, tiny and large magnitudes
  Unit,  // around [-1, 1], with the boundaries and a little beyond (asin, atanh, erfinv)
  Prob,  // around [0, 1] (logit)
  Pos,   // positive, with 0, -0 and a few out-of-domain values (log, sqrt, acosh)
  Tie,   // halves and other rounding ties (floor, round, frac, round with decimals)
  Div,   // divisors: zeros often
  Exp,   // small integer exponents, negative ones included (pow on integers)
  Shift  // shift counts: 0, small, the bit widths and past them
};

inline double pick_of(Ctx& c, const std::vector<double>& l) {
  return l[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(l.size()) - 1))];
}

// One value of dtype dt from palette p; `nonfinite`: floating values may be inf or nan.
inline double pal_value(Ctx& c, Dt dt, Pal p, bool nonfinite) {
  if (dt == torch::kBool) return static_cast<double>(c.rng.range(0, 1));
  bool u8 = dt == torch::kUInt8;
  if (!is_float(dt)) {
    switch (p) {
      case Pal::Div:
        return c.rng.chance(0.25) ? 0.0 : c.value(dt, Vals::Any);
      case Pal::Exp:
        return static_cast<double>(c.rng.range(u8 ? 0 : -2, 3));
      case Pal::Shift:
        return pick_of(c, u8 ? std::vector<double>{0, 1, 2, 3, 7, 8, 9, 31, 32, 63, 64}
                             : std::vector<double>{0, 1, 2, 3, 7, 8, 31, 32, 63, 64, -1, -2});
      case Pal::Pos:
      case Pal::Prob:
        return static_cast<double>(c.rng.range(0, 3));
      case Pal::Unit:
        return static_cast<double>(c.rng.range(u8 ? 0 : -1, 1));
      default:
        return c.value(dt, Vals::Any);
    }
  }
  static const std::vector<double> nf{kInf, -kInf, kNan};
  if (nonfinite && c.rng.chance(0.15)) return pick_of(c, nf);
  switch (p) {
    case Pal::Edge:
      if (c.rng.chance(0.5)) return c.value(dt, Vals::Any);
      return pick_of(c, {0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 1.0, -1.0, 1e-8, -3e-7, 20.0, -20.0, 88.5, -104.0, 1e4, 3.0});
    case Pal::Unit:
      return pick_of(c, {-1.0, 1.0, -0.999, 0.999, 0.25, -0.75, 0.0, -0.0, 0.5, 1.0001, -2.0, 0.1, -0.3});
    case Pal::Prob:
      return pick_of(c, {0.0, 1.0, 0.5, 0.25, 1e-8, 0.999, 0.75, -0.5, 1.5, 0.1, -0.0});
    case Pal::Pos:
      if (c.rng.chance(0.3)) return c.value(dt, Vals::Positive);
      return pick_of(c, {0.0, -0.0, 1e-8, 0.5, 1.0, 2.5, 1e3, 7.0, -1.0, 1.0000001, 1e-3});
    case Pal::Tie:
      return pick_of(c, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1.25, 2.675, -0.125, 12345.5, 0.05, 1e3, -0.0, 0.0, -7.0,
                         0.49999997, 4.5, -3.75, 123.456});
    case Pal::Div:
      if (c.rng.chance(0.4)) return c.value(dt, Vals::Any);
      return pick_of(c, {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -1.5, 3.0, 0.3});
    case Pal::Exp:
      return pick_of(c, {-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0, -0.5, 1.5});
    case Pal::Shift:
      return pick_of(c, {0.0, 1.0, 2.0, 0.5});
  }
  return 0.0;
}

inline std::string pal_name(Pal p) {
  switch (p) {
    case Pal::Edge:
      return "edge";
    case Pal::Unit:
      return "unit";
    case Pal::Prob:
      return "prob";
    case Pal::Pos:
      return "pos";
    case Pal::Tie:
      return "tie";
    case Pal::Div:
      return "div";
    case Pal::Exp:
      return "exp";
    case Pal::Shift:
      return "shift";
  }
  return "?";
}

// A leaf holding exactly `v` (shape s, dtype dt), requiring grad as Ctx::leaf decides.
inline Tensor leaf_of(Ctx& c, const Shape& s, Dt dt, const std::vector<double>& v, bool grad_ok, bool* rg) {
  for (int64_t d : s) c.mix(static_cast<uint64_t>(d));
  for (double x : v) {
    uint64_t bits = 0x7ff8000000000000ull;
    if (!std::isnan(x)) std::memcpy(&bits, &x, sizeof bits);
    c.mix(bits);
  }
  Tensor t = torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
  *rg = c.grad && grad_ok && is_float(dt);
  if (*rg) {
    t.requires_grad_(true);
    c.leaves.push_back(t);
  }
  return t;
}

// Ctx::make with values from palette p: contiguous, transposed, stepped or expanded.
inline Tensor xmake(Ctx& c, const Shape& s, Dt dt, Pal p, int layout = -1, bool grad_ok = true) {
  int r = static_cast<int>(s.size());
  if (layout < 0) {
    int64_t k = c.rng.range(0, 9);
    layout = k <= 5 ? 0 : k <= 7 ? 1 : k == 8 ? 2 : 3;
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
  bool nonfinite = c.special || c.rng.chance(0.2);
  std::vector<double> v(static_cast<size_t>(numel_of(ls)));
  for (auto& x : v) x = pal_value(c, dt, p, nonfinite);
  bool rg = false;
  Tensor t = leaf_of(c, ls, dt, v, grad_ok, &rg);
  const char* lay = "";
  if (layout == 1) t = t.transpose(-1, -2), lay = "T";
  if (layout == 2) t = t.slice(0, 1, ls[0], 2), lay = "S";
  if (layout == 3) t = t.expand(s), lay = "E";
  c.note(dt_name(dt) + shape_str(s) + lay + (rg ? "g" : "") + (p == Pal::Edge ? "" : ":" + pal_name(p)));
  return t;
}

// Mostly floating, often any dtype (bool and uint8 included).
inline Dt unary_dtype(Ctx& c) { return c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype(); }
// Floating with probability pf, else any dtype; `intish`: else an integer or bool dtype.
inline Dt op_dtype(Ctx& c, double pf, bool intish) {
  if (c.rng.chance(pf)) return c.float_dtype();
  return intish ? c.rng.pick<Dt>({torch::kInt64, torch::kInt32, torch::kUInt8, torch::kBool}) : c.any_dtype();
}

// A Scalar: an integer (0 often for divisors), a bool, or a floating value of palette p.
inline torch::Scalar xscalar(Ctx& c, Pal p) {
  torch::Scalar s;
  int64_t k = c.rng.range(0, 9);
  if (k <= 3) {
    int64_t i = c.rng.range(-3, 3);
    if (p == Pal::Div && c.rng.chance(0.3)) i = 0;
    if (p == Pal::Shift) i = static_cast<int64_t>(pal_value(c, torch::kInt64, Pal::Shift, false));
    s = torch::Scalar(i);
  } else if (k == 4) {
    s = torch::Scalar(c.rng.chance(0.5));
  } else {
    s = torch::Scalar(pal_value(c, torch::kFloat64, p, c.special || c.rng.chance(0.15)));
  }
  c.note("s=" + scalar_str(s));
  return s;
}

// An in-place target, as inplace_target does, with values from palette p.
inline Target xtarget(Ctx& c, const Shape& s, Dt dt, Pal p) {
  int64_t mode = c.rng.range(0, 4);
  if (mode == 3 && s.empty()) mode = 1;
  Target r;
  switch (mode) {
    case 0:
      c.note("leaf");
      r.t = xmake(c, s, dt, p, 0);
      break;
    case 1:
      c.note("nonleaf");
      r.t = xmake(c, s, dt, p).clone();
      break;
    case 2: {
      c.note("view-of-nonleaf");
      Shape bs = s;
      bs.insert(bs.begin(), 2);
      r.base = xmake(c, bs, dt, p).clone();
      r.t = r.base.select(0, 1);
      break;
    }
    case 3:
      c.note("expanded");
      r.t = xmake(c, s, dt, p, 3);
      break;
    default:
      c.note("view-of-leaf");
      r.t = xmake(c, s, dt, p);
      break;
  }
  return r;
}

// Two operands for a binary op: broadcastable shapes (not when bad), dtypes often mixed.
inline std::pair<Tensor, Tensor> xbinary(Ctx& c, Pal pa, Pal pb, double p_float = 0.55, bool intish = false) {
  Shape s = c.shape();
  Shape q = c.partner(s);
  if (c.rng.chance(0.5)) std::swap(s, q);
  Dt d1 = op_dtype(c, p_float, intish);
  Dt d2 = c.rng.chance(0.5) ? d1 : op_dtype(c, p_float, intish);
  Tensor a = xmake(c, s, d1, pa);
  Tensor b = xmake(c, q, d2, pb);
  return {a, b};
}

using UF = Tensor (*)(const Tensor&);
using UI = Tensor& (*)(Tensor&);
using BF = Tensor (*)(const Tensor&, const Tensor&);
using BS = Tensor (*)(const Tensor&, const torch::Scalar&);
using SB = Tensor (*)(const torch::Scalar&, const Tensor&);
using BI = Tensor& (*)(Tensor&, const Tensor&);
using BIS = Tensor& (*)(Tensor&, const torch::Scalar&);

struct XU {
  const char* name;
  Pal pal;
  UF f;
  UI fi;  // the in-place form, or nullptr
};

struct XB {
  const char* name;
  Pal pa, pb;
  BF tt;
  BS ts;   // tensor op Scalar, or nullptr
  SB st;   // Scalar op tensor, or nullptr
  BI it;   // in-place with a tensor, or nullptr
  BIS is;  // in-place with a Scalar, or nullptr
};

inline TL as_tensor(bool b) {
  return TL{torch::tensor(std::vector<double>{b ? 1.0 : 0.0}, torch::dtype(torch::kFloat64))};
}

}  // namespace pmore

inline void add_pointwise_more(std::vector<Variant>& v) {
  using namespace pmore;
  // ---- unary math: functional form on every dtype and layout, then the in-place form
  static const XU unaries[] = {
      {"abs", Pal::Edge, [](const Tensor& x) { return torch::abs(x); }, [](Tensor& x) -> Tensor& { return x.abs_(); }},
      {"neg", Pal::Edge, [](const Tensor& x) { return x.neg(); }, [](Tensor& x) -> Tensor& { return x.neg_(); }},
      {"sign", Pal::Edge, [](const Tensor& x) { return torch::sign(x); },
       [](Tensor& x) -> Tensor& { return x.sign_(); }},
      {"sgn", Pal::Edge, [](const Tensor& x) { return x.sgn(); }, [](Tensor& x) -> Tensor& { return x.sgn_(); }},
      {"exp", Pal::Edge, [](const Tensor& x) { return torch::exp(x); }, [](Tensor& x) -> Tensor& { return x.exp_(); }},
      {"exp2", Pal::Edge, [](const Tensor& x) { return torch::exp2(x); },
       [](Tensor& x) -> Tensor& { return x.exp2_(); }},
      {"expm1", Pal::Edge, [](const Tensor& x) { return x.expm1(); },
       [](Tensor& x) -> Tensor& { return torch::expm1_(x); }},
      {"log", Pal::Pos, [](const Tensor& x) { return torch::log(x); }, [](Tensor& x) -> Tensor& { return x.log_(); }},
      {"log2", Pal::Pos, [](const Tensor& x) { return x.log2(); }, [](Tensor& x) -> Tensor& { return x.log2_(); }},
      {"log10", Pal::Pos, [](const Tensor& x) { return torch::log10(x); },
       [](Tensor& x) -> Tensor& { return x.log10_(); }},
      {"log1p", Pal::Edge, [](const Tensor& x) { return x.log1p(); }, [](Tensor& x) -> Tensor& { return x.log1p_(); }},
      {"sqrt", Pal::Pos, [](const Tensor& x) { return torch::sqrt(x); },
       [](Tensor& x) -> Tensor& { return x.sqrt_(); }},
      {"rsqrt", Pal::Pos, [](const Tensor& x) { return x.rsqrt(); },
       [](Tensor& x) -> Tensor& { return torch::rsqrt_(x); }},
      {"reciprocal", Pal::Edge, [](const Tensor& x) { return torch::reciprocal(x); },
       [](Tensor& x) -> Tensor& { return x.reciprocal_(); }},
      {"sin", Pal::Edge, [](const Tensor& x) { return x.sin(); }, [](Tensor& x) -> Tensor& { return x.sin_(); }},
      {"cos", Pal::Edge, [](const Tensor& x) { return torch::cos(x); }, [](Tensor& x) -> Tensor& { return x.cos_(); }},
      {"tan", Pal::Edge, [](const Tensor& x) { return torch::tan(x); }, [](Tensor& x) -> Tensor& { return x.tan_(); }},
      {"asin", Pal::Unit, [](const Tensor& x) { return torch::asin(x); },
       [](Tensor& x) -> Tensor& { return x.asin_(); }},
      {"acos", Pal::Unit, [](const Tensor& x) { return x.acos(); },
       [](Tensor& x) -> Tensor& { return torch::acos_(x); }},
      {"atan", Pal::Edge, [](const Tensor& x) { return torch::atan(x); },
       [](Tensor& x) -> Tensor& { return x.atan_(); }},
      {"sinh", Pal::Edge, [](const Tensor& x) { return x.sinh(); }, [](Tensor& x) -> Tensor& { return x.sinh_(); }},
      {"cosh", Pal::Edge, [](const Tensor& x) { return torch::cosh(x); },
       [](Tensor& x) -> Tensor& { return x.cosh_(); }},
      {"tanh", Pal::Edge, [](const Tensor& x) { return x.tanh(); }, [](Tensor& x) -> Tensor& { return x.tanh_(); }},
      {"asinh", Pal::Edge, [](const Tensor& x) { return torch::asinh(x); },
       [](Tensor& x) -> Tensor& { return x.asinh_(); }},
      {"acosh", Pal::Pos, [](const Tensor& x) { return torch::acosh(x); },
       [](Tensor& x) -> Tensor& { return x.acosh_(); }},
      {"atanh", Pal::Unit, [](const Tensor& x) { return torch::atanh(x); },
       [](Tensor& x) -> Tensor& { return x.atanh_(); }},
      {"sigmoid", Pal::Edge, [](const Tensor& x) { return torch::sigmoid(x); },
       [](Tensor& x) -> Tensor& { return x.sigmoid_(); }},
      {"erf", Pal::Edge, [](const Tensor& x) { return x.erf(); }, [](Tensor& x) -> Tensor& { return x.erf_(); }},
      {"erfc", Pal::Edge, [](const Tensor& x) { return torch::erfc(x); },
       [](Tensor& x) -> Tensor& { return x.erfc_(); }},
      {"erfinv", Pal::Unit, [](const Tensor& x) { return torch::erfinv(x); },
       [](Tensor& x) -> Tensor& { return x.erfinv_(); }},
      {"floor", Pal::Tie, [](const Tensor& x) { return torch::floor(x); },
       [](Tensor& x) -> Tensor& { return x.floor_(); }},
      {"ceil", Pal::Tie, [](const Tensor& x) { return x.ceil(); }, [](Tensor& x) -> Tensor& { return x.ceil_(); }},
      {"round", Pal::Tie, [](const Tensor& x) { return torch::round(x); },
       [](Tensor& x) -> Tensor& { return x.round_(); }},
      {"trunc", Pal::Tie, [](const Tensor& x) { return torch::trunc(x); },
       [](Tensor& x) -> Tensor& { return x.trunc_(); }},
      {"frac", Pal::Tie, [](const Tensor& x) { return x.frac(); }, [](Tensor& x) -> Tensor& { return x.frac_(); }},
      {"square", Pal::Edge, [](const Tensor& x) { return x.square(); },
       [](Tensor& x) -> Tensor& { return x.square_(); }},
      {"relu", Pal::Edge, [](const Tensor& x) { return torch::relu(x); },
       [](Tensor& x) -> Tensor& { return torch::relu_(x); }},
      {"deg2rad", Pal::Edge, [](const Tensor& x) { return torch::deg2rad(x); },
       [](Tensor& x) -> Tensor& { return x.deg2rad_(); }},
      {"rad2deg", Pal::Edge, [](const Tensor& x) { return x.rad2deg(); },
       [](Tensor& x) -> Tensor& { return x.rad2deg_(); }},
      {"sinc", Pal::Edge, [](const Tensor& x) { return torch::sinc(x); },
       [](Tensor& x) -> Tensor& { return x.sinc_(); }},
      {"bitwise_not", Pal::Edge, [](const Tensor& x) { return x.bitwise_not(); },
       [](Tensor& x) -> Tensor& { return x.bitwise_not_(); }},
      {"logical_not", Pal::Edge, [](const Tensor& x) { return x.logical_not(); },
       [](Tensor& x) -> Tensor& { return x.logical_not_(); }},
      {"isnan", Pal::Edge, [](const Tensor& x) { return x.isnan(); }, nullptr},
      {"isinf", Pal::Edge, [](const Tensor& x) { return torch::isinf(x); }, nullptr},
      {"isfinite", Pal::Edge, [](const Tensor& x) { return x.isfinite(); }, nullptr},
      {"isposinf", Pal::Edge, [](const Tensor& x) { return torch::isposinf(x); }, nullptr},
      {"isneginf", Pal::Edge, [](const Tensor& x) { return x.isneginf(); }, nullptr},
      {"signbit", Pal::Edge, [](const Tensor& x) { return torch::signbit(x); }, nullptr},
      {"positive", Pal::Edge, [](const Tensor& x) { return torch::positive(x); }, nullptr},
  };
  static std::vector<std::string> names;  // the variant names live as long as the variants
  if (names.empty()) {
    for (const XU& u : unaries) {
      names.push_back(std::string("x_") + u.name);
      names.push_back(std::string("x_") + u.name + "_");
    }
  }
  size_t ni = 0;
  for (const XU& u : unaries) {
    const XU* up = &u;
    const char* fname = names[ni++].c_str();
    const char* iname = names[ni++].c_str();
    v.push_back({fname, [up](Ctx& c) {
                   if (std::strcmp(up->name, "square") == 0) c.small_ints = true;
                   Shape s = c.shape();
                   bool intish = std::strcmp(up->name, "bitwise_not") == 0;
                   Tensor x = xmake(c, s, intish ? op_dtype(c, 0.12, true) : unary_dtype(c), up->pal);
                   return one(up->f(x));
                 }});
    if (!u.fi) continue;
    v.push_back({iname, [up](Ctx& c) {
                   if (std::strcmp(up->name, "square") == 0) c.small_ints = true;
                   Shape s = c.shape();
                   bool intish = std::strcmp(up->name, "bitwise_not") == 0;
                   Target tg = xtarget(c, s, intish ? op_dtype(c, 0.12, true) : unary_dtype(c), up->pal);
                   return inplace_out(tg, up->fi(tg.t));
                 }});
  }

  // ---- unary ops with parameters
  v.push_back({"x_round_decimals", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = xmake(c, s, unary_dtype(c), Pal::Tie);
                 int64_t d = c.inote("decimals", c.rng.range(-3, 4));
                 // torch::special_round: ember has no torch::round(x, decimals) nor x.round(decimals).
                 return one(torch::special_round(x, d));
               }});
  v.push_back({"x_logit", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = xmake(c, s, unary_dtype(c), Pal::Prob);
                 c10::optional<double> eps;
                 if (c.rng.chance(0.6))
                   eps = c.dnote("eps", pick_of(c, {0.0, 1e-6, 0.25, 0.5, c.bad ? -0.1 : 0.1, c.bad ? 0.75 : 1e-3}));
                 return one(c.rng.chance(0.5) ? torch::logit(x, eps) : x.logit(eps));
               }});
  v.push_back({"x_logit_", [](Ctx& c) {
                 Shape s = c.shape();
                 Target tg = xtarget(c, s, unary_dtype(c), Pal::Prob);
                 c10::optional<double> eps;
                 if (c.rng.chance(0.6)) eps = c.dnote("eps", pick_of(c, {0.0, 1e-6, 0.25, c.bad ? -0.1 : 0.1}));
                 return inplace_out(tg, tg.t.logit_(eps));
               }});
  auto nan_args = [](Ctx& c) {
    std::vector<c10::optional<double>> a(3);
    const char* nm[3] = {"nan", "posinf", "neginf"};
    for (int i = 0; i < 3; ++i)
      if (c.rng.chance(0.5))
        a[static_cast<size_t>(i)] = c.dnote(nm[i], pick_of(c, {0.0, -1.5, 7.0, 1e30, -1e300, 300.0}));
    return a;
  };
  v.push_back({"x_nan_to_num", [nan_args](Ctx& c) {
                 c.special = true;
                 Shape s = c.shape();
                 Tensor x = xmake(c, s, unary_dtype(c), Pal::Edge);
                 auto a = nan_args(c);
                 return one(c.rng.chance(0.5) ? torch::nan_to_num(x, a[0], a[1], a[2])
                                              : x.nan_to_num(a[0], a[1], a[2]));
               }});
  v.push_back({"x_nan_to_num_", [nan_args](Ctx& c) {
                 c.special = true;
                 Shape s = c.shape();
                 Target tg = xtarget(c, s, unary_dtype(c), Pal::Edge);
                 auto a = nan_args(c);
                 return inplace_out(tg, tg.t.nan_to_num_(a[0], a[1], a[2]));
               }});

  // ---- binary ops: tensor-tensor, tensor-Scalar, Scalar-tensor, and in place
  static const XB binaries[] = {
      {"remainder", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return torch::remainder(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.remainder(s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::remainder(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.remainder_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.remainder_(s); }},
      {"fmod", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return a.fmod(b); },
       [](const Tensor& a, const torch::Scalar& s) { return torch::fmod(a, s); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.fmod_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.fmod_(s); }},
      {"floor_divide", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return torch::floor_divide(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.floor_divide(s); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.floor_divide_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.floor_divide_(s); }},
      {"div_trunc", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return torch::div(a, b, "trunc"); },
       [](const Tensor& a, const torch::Scalar& s) { return a.div(s, "trunc"); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.div_(b, "trunc"); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.div_(s, "trunc"); }},
      {"div_floor", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return a.div(b, "floor"); },
       [](const Tensor& a, const torch::Scalar& s) { return torch::div(a, s, "floor"); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.div_(b, "floor"); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.div_(s, "floor"); }},
      {"true_divide", Pal::Edge, Pal::Div, [](const Tensor& a, const Tensor& b) { return torch::true_divide(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.true_divide(s); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.true_divide_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.true_divide_(s); }},
      {"atan2", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::atan2(a, b); }, nullptr,
       nullptr, [](Tensor& a, const Tensor& b) -> Tensor& { return a.atan2_(b); }, nullptr},
      {"hypot", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.hypot(b); }, nullptr, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.hypot_(b); }, nullptr},
      {"copysign", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::copysign(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.copysign(s); }, nullptr,
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.copysign_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.copysign_(s); }},
      {"fmax", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::fmax(a, b); }, nullptr,
       nullptr, nullptr, nullptr},
      {"fmin", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.fmin(b); }, nullptr, nullptr,
       nullptr, nullptr},
      {"logaddexp", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::logaddexp(a, b); },
       nullptr, nullptr, nullptr, nullptr},
      {"logaddexp2", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.logaddexp2(b); }, nullptr,
       nullptr, nullptr, nullptr},
      {"float_power", Pal::Edge, Pal::Exp, [](const Tensor& a, const Tensor& b) { return torch::float_power(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.float_power(s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::float_power(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.float_power_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.float_power_(s); }},
      {"pow_int", Pal::Edge, Pal::Exp, [](const Tensor& a, const Tensor& b) { return a.pow(b); },
       [](const Tensor& a, const torch::Scalar& s) { return torch::pow(a, s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::pow(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.pow_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.pow_(s); }},
      {"bitwise_and", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::bitwise_and(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a & s; },
       [](const torch::Scalar& s, const Tensor& b) { return torch::bitwise_and(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.bitwise_and_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.bitwise_and_(s); }},
      {"bitwise_or", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.bitwise_or(b); },
       [](const Tensor& a, const torch::Scalar& s) { return torch::bitwise_or(a, s); },
       [](const torch::Scalar& s, const Tensor& b) { return s | b; },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a |= b; },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.bitwise_or_(s); }},
      {"bitwise_xor", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::bitwise_xor(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.bitwise_xor(s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::bitwise_xor(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a ^= b; },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.bitwise_xor_(s); }},
      {"lshift", Pal::Edge, Pal::Shift,
       [](const Tensor& a, const Tensor& b) { return torch::bitwise_left_shift(a, b); },
       [](const Tensor& a, const torch::Scalar& s) { return a.bitwise_left_shift(s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::bitwise_left_shift(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.bitwise_left_shift_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.bitwise_left_shift_(s); }},
      {"rshift", Pal::Edge, Pal::Shift, [](const Tensor& a, const Tensor& b) { return a.bitwise_right_shift(b); },
       [](const Tensor& a, const torch::Scalar& s) { return torch::bitwise_right_shift(a, s); },
       [](const torch::Scalar& s, const Tensor& b) { return torch::bitwise_right_shift(s, b); },
       [](Tensor& a, const Tensor& b) -> Tensor& { return a.bitwise_right_shift_(b); },
       [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.bitwise_right_shift_(s); }},
      {"logical_and", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.logical_and(b); }, nullptr,
       nullptr, [](Tensor& a, const Tensor& b) -> Tensor& { return a.logical_and_(b); }, nullptr},
      {"logical_or", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return torch::logical_or(a, b); },
       nullptr, nullptr, [](Tensor& a, const Tensor& b) -> Tensor& { return a.logical_or_(b); }, nullptr},
      {"logical_xor", Pal::Edge, Pal::Edge, [](const Tensor& a, const Tensor& b) { return a.logical_xor(b); }, nullptr,
       nullptr, [](Tensor& a, const Tensor& b) -> Tensor& { return a.logical_xor_(b); }, nullptr},
  };
  static std::vector<std::string> bnames;
  if (bnames.empty()) {
    for (const XB& b : binaries) {
      bnames.push_back(std::string("x_") + b.name);
      bnames.push_back(std::string("x_") + b.name + "_");
    }
  }
  size_t nb = 0;
  for (const XB& b : binaries) {
    const XB* bp = &b;
    const char* fname = bnames[nb++].c_str();
    const char* iname = bnames[nb++].c_str();
    // Integer-leaning ops draw integer dtypes more often.
    bool intish =
        std::strncmp(b.name, "bitwise", 7) == 0 || std::strstr(b.name, "shift") || std::strcmp(b.name, "pow_int") == 0;
    double pf = intish ? 0.12 : 0.55;
    v.push_back({fname, [bp, pf, intish](Ctx& c) {
                   c.small_ints = true;
                   int64_t form = c.rng.range(0, 9);
                   if (form >= 6 && form <= 8 && bp->ts) {
                     c.note("t-s");
                     Shape s = c.shape();
                     Dt dt = op_dtype(c, pf, intish);
                     Tensor a = xmake(c, s, dt, bp->pa);
                     return one(bp->ts(a, xscalar(c, bp->pb)));
                   }
                   if (form == 9 && bp->st) {
                     c.note("s-t");
                     torch::Scalar sc = xscalar(c, bp->pa);
                     Shape s = c.shape();
                     Dt dt = op_dtype(c, pf, intish);
                     return one(bp->st(sc, xmake(c, s, dt, bp->pb)));
                   }
                   auto [a, b2] = xbinary(c, bp->pa, bp->pb, pf, intish);
                   return one(bp->tt(a, b2));
                 }});
    if (!b.it) continue;
    v.push_back({iname, [bp, pf, intish](Ctx& c) {
                   c.small_ints = true;
                   Shape s = c.shape();
                   Dt dt = op_dtype(c, std::strcmp(bp->name, "float_power") == 0 ? 0.8 : pf, intish);
                   Target tg = xtarget(c, s, dt, bp->pa);
                   if (bp->is && c.rng.chance(0.35)) return inplace_out(tg, bp->is(tg.t, xscalar(c, bp->pb)));
                   Shape p = c.partner(s, false);
                   if (c.bad && c.rng.chance(0.5)) p.insert(p.begin(), 2), c.note("wider-other");
                   Dt d2 = c.rng.chance(0.6) ? dt : op_dtype(c, pf, intish);
                   Tensor o = xmake(c, p, d2, bp->pb);
                   return inplace_out(tg, bp->it(tg.t, o));
                 }});
  }

  // ---- comparisons on edge values (nan, signed zeros, inf), tensor or Scalar, and in place
  static const BF cmp_tt[] = {
      [](const Tensor& a, const Tensor& b) { return a.eq(b); },
      [](const Tensor& a, const Tensor& b) { return torch::ne(a, b); },
      [](const Tensor& a, const Tensor& b) { return torch::lt(a, b); },
      [](const Tensor& a, const Tensor& b) { return a.le(b); },
      [](const Tensor& a, const Tensor& b) { return torch::greater(a, b); },
      [](const Tensor& a, const Tensor& b) { return a.greater_equal(b); },
  };
  static const BS cmp_ts[] = {
      [](const Tensor& a, const torch::Scalar& s) { return torch::eq(a, s); },
      [](const Tensor& a, const torch::Scalar& s) { return a.not_equal(s); },
      [](const Tensor& a, const torch::Scalar& s) { return a.lt(s); },
      [](const Tensor& a, const torch::Scalar& s) { return torch::less_equal(a, s); },
      [](const Tensor& a, const torch::Scalar& s) { return a.gt(s); },
      [](const Tensor& a, const torch::Scalar& s) { return torch::ge(a, s); },
  };
  static const SB cmp_st[] = {
      [](const torch::Scalar& s, const Tensor& b) { return s == b; },
      [](const torch::Scalar& s, const Tensor& b) { return s != b; },
      [](const torch::Scalar& s, const Tensor& b) { return s < b; },
      [](const torch::Scalar& s, const Tensor& b) { return s <= b; },
      [](const torch::Scalar& s, const Tensor& b) { return s > b; },
      [](const torch::Scalar& s, const Tensor& b) { return s >= b; },
  };
  static const BI cmp_it[] = {
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.eq_(b); },
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.ne_(b); },
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.lt_(b); },
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.le_(b); },
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.gt_(b); },
      [](Tensor& a, const Tensor& b) -> Tensor& { return a.ge_(b); },
  };
  static const BIS cmp_is[] = {
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.eq_(s); },
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.ne_(s); },
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.lt_(s); },
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.le_(s); },
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.gt_(s); },
      [](Tensor& a, const torch::Scalar& s) -> Tensor& { return a.ge_(s); },
  };
  static const char* cmp_names[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  v.push_back({"x_cmp", [](Ctx& c) {
                 int64_t k = c.rng.range(0, 5);
                 c.note(cmp_names[k]);
                 int64_t form = c.rng.range(0, 9);
                 if (form >= 5) {
                   bool left = c.bnote("scalar-left", form == 9);
                   Shape s = c.shape();
                   Tensor a = xmake(c, s, c.any_dtype(), Pal::Edge);
                   torch::Scalar sc = xscalar(c, Pal::Edge);
                   return one(left ? cmp_st[k](sc, a) : cmp_ts[k](a, sc));
                 }
                 auto [a, b] = xbinary(c, Pal::Edge, Pal::Edge, 0.5);
                 return one(cmp_tt[k](a, b));
               }});
  v.push_back({"x_cmp_", [](Ctx& c) {
                 int64_t k = c.rng.range(0, 5);
                 c.note(cmp_names[k]);
                 Shape s = c.shape();
                 Dt dt = c.any_dtype();
                 Target tg = xtarget(c, s, dt, Pal::Edge);
                 if (c.rng.chance(0.4)) return inplace_out(tg, cmp_is[k](tg.t, xscalar(c, Pal::Edge)));
                 Shape p = c.partner(s, false);
                 if (c.bad && c.rng.chance(0.5)) p.insert(p.begin(), 2), c.note("wider-other");
                 Tensor o = xmake(c, p, c.rng.chance(0.5) ? dt : c.any_dtype(), Pal::Edge);
                 return inplace_out(tg, cmp_it[k](tg.t, o));
               }});

  // ---- isclose / allclose / equal: operands near each other
  auto near_pair = [](Ctx& c, bool same_dtype_often) {
    Shape s = c.shape();
    Dt d1 = c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype();
    Dt d2 = c.rng.chance(same_dtype_often ? 0.85 : 0.6) ? d1 : c.any_dtype();
    bool nonfinite = c.special || c.rng.chance(0.3);
    std::vector<double> av(static_cast<size_t>(numel_of(s)));
    for (auto& x : av) x = pal_value(c, d1, Pal::Edge, nonfinite);
    bool rg = false;
    Tensor a = leaf_of(c, s, d1, av, true, &rg);
    c.note(dt_name(d1) + shape_str(s) + (rg ? "g" : ""));
    Shape q = c.rng.chance(0.75) ? s : c.partner(s);
    std::vector<double> bv(static_cast<size_t>(numel_of(q)));
    bool same = q == s;
    for (size_t i = 0; i < bv.size(); ++i) {
      double base = same ? av[i] : pal_value(c, d2, Pal::Edge, nonfinite);
      double d = 0;
      if (is_float(d2))
        d = pick_of(c, {0.0, 0.0, 0.0, 1e-9, -1e-8, 1e-6, -2e-5, 1e-4, 1e-2, 1.0});
      else if (d2 != torch::kBool && c.rng.chance(0.2))
        d = 1;
      if (!is_float(d2) && (std::isnan(base) || std::isinf(base))) base = 0;
      bv[i] = base + d;
      if (d2 == torch::kBool) bv[i] = bv[i] != 0 ? 1 : 0;
      if (d2 == torch::kUInt8) bv[i] = std::min(std::max(bv[i], 0.0), 255.0);
      if (d2 == torch::kInt32) bv[i] = std::min(std::max(bv[i], -1e9), 1e9);
    }
    bool rg2 = false;
    Tensor b = leaf_of(c, q, d2, bv, true, &rg2);
    c.note(dt_name(d2) + shape_str(q) + (rg2 ? "g" : ""));
    return std::make_pair(a, b);
  };
  auto tolerances = [](Ctx& c) {
    double rtol = c.dnote("rtol", pick_of(c, {1e-5, 0.0, 1e-3, 0.1, c.bad ? -1e-3 : 1e-5}));
    double atol = c.dnote("atol", pick_of(c, {1e-8, 0.0, 1e-5, 1.0, c.bad ? -1.0 : 1e-8}));
    bool en = c.bnote("equal_nan", c.rng.chance(0.4));
    return std::make_tuple(rtol, atol, en);
  };
  v.push_back({"x_isclose", [near_pair, tolerances](Ctx& c) {
                 auto [a, b] = near_pair(c, false);
                 auto [rtol, atol, en] = tolerances(c);
                 if (c.rng.chance(0.2)) return one(a.isclose(b));
                 return one(torch::isclose(a, b, rtol, atol, en));
               }});
  v.push_back({"x_allclose", [near_pair, tolerances](Ctx& c) {
                 auto [a, b] = near_pair(c, true);
                 auto [rtol, atol, en] = tolerances(c);
                 if (c.rng.chance(0.2)) return as_tensor(a.allclose(b));
                 return as_tensor(torch::allclose(a, b, rtol, atol, en));
               }});
  v.push_back({"x_equal", [near_pair](Ctx& c) {
                 auto [a, b] = near_pair(c, true);
                 if (c.rng.chance(0.3)) {
                   Tensor a2 = a.detach().clone();
                   c.note("with-a-copy");
                   return as_tensor(c.rng.chance(0.5) ? torch::equal(a, a2) : a.equal(a2));
                 }
                 return as_tensor(c.rng.chance(0.5) ? torch::equal(a, b) : a.equal(b));
               }});

  // ---- clamp with tensor bounds (broadcast, mixed dtypes, min > max, nan bounds)
  auto bounds = [](Ctx& c, const Shape& s, Dt dt) {
    c10::optional<Tensor> lo, hi;
    int64_t m = c.inote("bounds", c.rng.range(0, 3));
    // One draw per statement: the order of a call's arguments is unspecified (gcc and clang differ).
    if (m != 1) {
      Shape ls = c.partner(s, m != 3);
      Dt ldt = c.rng.chance(0.7) ? dt : c.any_dtype();
      lo = xmake(c, ls, ldt, Pal::Edge);
    }
    if (m != 0) {
      Shape hs = c.partner(s, false);
      Dt hdt = c.rng.chance(0.7) ? dt : c.any_dtype();
      hi = xmake(c, hs, hdt, Pal::Edge);
    }
    if (m == 3 && c.bad && c.rng.chance(0.5)) lo = c10::nullopt, hi = c10::nullopt, c.note("no-bounds");
    return std::make_pair(lo, hi);
  };
  v.push_back({"x_clamp_tensor", [bounds](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype();
                 Tensor x = xmake(c, s, dt, Pal::Edge);
                 auto [lo, hi] = bounds(c, s, dt);
                 return one(c.rng.chance(0.5) ? torch::clamp(x, lo, hi) : x.clip(lo, hi));
               }});
  v.push_back({"x_clamp_tensor_", [bounds](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype();
                 Target tg = xtarget(c, s, dt, Pal::Edge);
                 auto [lo, hi] = bounds(c, s, dt);
                 return inplace_out(tg, tg.t.clamp_(lo, hi));
               }});
  v.push_back({"x_clamp_min_max_tensor", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype();
                 Tensor x = xmake(c, s, dt, Pal::Edge);
                 bool mx = c.bnote("max", c.rng.chance(0.5));
                 Shape bs = c.partner(s);
                 Dt bdt = c.rng.chance(0.7) ? dt : c.any_dtype();
                 Tensor bnd = xmake(c, bs, bdt, Pal::Edge);
                 if (mx) return one(c.rng.chance(0.5) ? x.clamp_max(bnd) : torch::clamp_max(x, bnd));
                 return one(c.rng.chance(0.5) ? torch::clamp_min(x, bnd) : x.clamp_min(bnd));
               }});
  v.push_back({"x_clamp_min_max_tensor_", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.6) ? c.float_dtype() : c.any_dtype();
                 Target tg = xtarget(c, s, dt, Pal::Edge);
                 bool mx = c.bnote("max", c.rng.chance(0.5));
                 Shape bs = c.partner(s, false);
                 Dt bdt = c.rng.chance(0.7) ? dt : c.any_dtype();
                 Tensor bnd = xmake(c, bs, bdt, Pal::Edge);
                 return inplace_out(tg, mx ? tg.t.clamp_max_(bnd) : tg.t.clamp_min_(bnd));
               }});
  // ---- the sign of zero results: the harness compares -0 and 0 as equal, so each op's result is
  // followed by signbit(result) (false where it is nan: the sign of a nan is not specified)
  static const UF zs_unary[] = {
      [](const Tensor& x) { return x.neg(); },        [](const Tensor& x) { return x.abs(); },
      [](const Tensor& x) { return x.floor(); },      [](const Tensor& x) { return x.ceil(); },
      [](const Tensor& x) { return x.round(); },      [](const Tensor& x) { return x.trunc(); },
      [](const Tensor& x) { return x.frac(); },       [](const Tensor& x) { return x.sin(); },
      [](const Tensor& x) { return x.tan(); },        [](const Tensor& x) { return x.asin(); },
      [](const Tensor& x) { return x.atan(); },       [](const Tensor& x) { return x.sinh(); },
      [](const Tensor& x) { return x.tanh(); },       [](const Tensor& x) { return x.asinh(); },
      [](const Tensor& x) { return x.atanh(); },      [](const Tensor& x) { return x.expm1(); },
      [](const Tensor& x) { return x.log1p(); },      [](const Tensor& x) { return x.erf(); },
      [](const Tensor& x) { return x.erfinv(); },     [](const Tensor& x) { return x.sqrt(); },
      [](const Tensor& x) { return x.sign(); },       [](const Tensor& x) { return x.sgn(); },
      [](const Tensor& x) { return x.deg2rad(); },    [](const Tensor& x) { return x.rad2deg(); },
      [](const Tensor& x) { return x.nan_to_num(); }, [](const Tensor& x) { return torch::special_round(x, 1); },
      [](const Tensor& x) { return x * 0; },
  };
  static const char* zs_unary_names[] = {"neg",   "abs",     "floor",   "ceil",       "round",  "trunc", "frac",
                                         "sin",   "tan",     "asin",    "atan",       "sinh",   "tanh",  "asinh",
                                         "atanh", "expm1",   "log1p",   "erf",        "erfinv", "sqrt",  "sign",
                                         "sgn",   "deg2rad", "rad2deg", "nan_to_num", "round1", "mul0"};
  static const BF zs_binary[] = {
      [](const Tensor& a, const Tensor& b) { return a.remainder(b); },
      [](const Tensor& a, const Tensor& b) { return a.fmod(b); },
      [](const Tensor& a, const Tensor& b) { return a.div(b, "trunc"); },
      [](const Tensor& a, const Tensor& b) { return a.div(b, "floor"); },
      [](const Tensor& a, const Tensor& b) { return a.floor_divide(b); },
      [](const Tensor& a, const Tensor& b) { return a.copysign(b); },
      [](const Tensor& a, const Tensor& b) { return a.atan2(b); },
      [](const Tensor& a, const Tensor& b) { return a.hypot(b) * a.sign(); },
  };
  static const char* zs_binary_names[] = {"remainder",    "fmod",     "div_trunc", "div_floor",
                                          "floor_divide", "copysign", "atan2",     "hypot*sign"};
  v.push_back({"x_zero_sign", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.float_dtype();
                 Tensor y;
                 if (c.rng.chance(0.6)) {
                   int64_t k = c.rng.range(0, static_cast<int64_t>(sizeof zs_unary / sizeof zs_unary[0]) - 1);
                   c.note(zs_unary_names[k]);
                   y = zs_unary[k](xmake(c, s, dt, c.rng.chance(0.5) ? Pal::Tie : Pal::Unit));
                 } else {
                   int64_t k = c.rng.range(0, static_cast<int64_t>(sizeof zs_binary / sizeof zs_binary[0]) - 1);
                   c.note(zs_binary_names[k]);
                   Tensor a = xmake(c, s, dt, Pal::Tie);
                   Shape bs = c.partner(s, false);
                   Dt bdt = c.rng.chance(0.8) ? dt : c.float_dtype();
                   Tensor b = xmake(c, bs, bdt, Pal::Div);
                   y = zs_binary[k](a, b);
                 }
                 return TL{y, torch::signbit(y).logical_and(y.isnan().logical_not())};
               }});
  v.push_back({"x_clamp_scalar_edge", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = xmake(c, s, c.any_dtype(), Pal::Edge);
                 Opt lo, hi;
                 int64_t m = c.rng.range(0, 2);
                 if (m != 1) lo = xscalar(c, Pal::Edge);
                 if (m != 0) hi = xscalar(c, Pal::Edge);
                 return one(torch::clamp(x, lo, hi));
               }});
}

}  // namespace diffcase
