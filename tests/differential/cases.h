// The differential test's random op calls: one LibTorch-style source built against LibTorch 1.13 and ember.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

// Only <torch/torch.h> and the standard library: the same text must compile against both
// libraries. Every call is deterministic from its case id; nothing uses torch's RNG.
namespace diffcase {

using torch::Tensor;
using TL = std::vector<Tensor>;
using Shape = std::vector<int64_t>;
using Dt = torch::Dtype;
using Opt = c10::optional<torch::Scalar>;
using TI = torch::indexing::TensorIndex;
using torch::indexing::Slice;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// splitmix64: small, fast and the same everywhere.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  T pick(std::initializer_list<T> l) {
    return *(l.begin() + range(0, static_cast<int64_t>(l.size()) - 1));
  }
};

inline bool is_float(Dt d) { return d == torch::kFloat32 || d == torch::kFloat64; }
inline bool is_int(Dt d) { return d == torch::kInt64 || d == torch::kInt32 || d == torch::kUInt8; }

inline std::string dt_name(Dt d) {
  if (d == torch::kFloat32) return "f32";
  if (d == torch::kFloat64) return "f64";
  if (d == torch::kInt64) return "i64";
  if (d == torch::kInt32) return "i32";
  if (d == torch::kUInt8) return "u8";
  if (d == torch::kBool) return "b";
  return "other";
}

inline std::string shape_str(const Shape& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

inline int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t v : s) n *= v;
  return n;
}

inline std::string num_str(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

inline std::string scalar_str(const torch::Scalar& s) {
  if (s.isBoolean()) return s.toBool() ? "true" : "false";
  if (s.isIntegral(false)) return std::to_string(s.toLong());
  std::string o = num_str(s.toDouble());
  if (o.find_first_of(".en") == std::string::npos) o += ".0";
  return o;
}

// Which values a generated tensor holds.
enum class Vals { Any, Positive, Prob, Distinct };

// One call's state: the RNG, its flags, the leaves that require grad, and a description.
struct Ctx {
  Rng rng;
  bool grad;     // floating inputs require grad
  bool special;  // values may include inf and nan
  bool bad;      // the variant makes this call invalid (where it knows how)
  bool small_ints = false;  // no uint8 values near 255 (products, powers)
  std::vector<Tensor> leaves;
  std::string desc;
  uint64_t fingerprint = 1469598103934665603ull;  // FNV-1a over every generated value and shape

  void mix(uint64_t v) {
    for (int i = 0; i < 8; ++i) fingerprint = (fingerprint ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull;
  }

  explicit Ctx(uint64_t seed) : rng(seed * 0x2545F4914F6CDD1Dull + 0x1234567ull) {
    grad = rng.chance(0.5);
    special = rng.chance(0.15);
    bad = rng.chance(0.42);
  }

  void note(const std::string& s) {
    if (!desc.empty()) desc += ' ';
    desc += s;
  }
  // The parameter written into the description, then returned.
  int64_t inote(const char* name, int64_t v) {
    note(std::string(name) + "=" + std::to_string(v));
    return v;
  }
  bool bnote(const char* name, bool v) {
    note(std::string(name) + "=" + (v ? "1" : "0"));
    return v;
  }
  double dnote(const char* name, double v) {
    note(std::string(name) + "=" + num_str(v));
    return v;
  }
  Shape snote(const char* name, Shape v) {
    note(std::string(name) + "=" + shape_str(v));
    return v;
  }

  Dt any_dtype() {
    return rng.pick<Dt>({torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32, torch::kUInt8, torch::kBool});
  }
  Dt float_dtype() { return rng.chance(0.5) ? torch::kFloat32 : torch::kFloat64; }
  // Mostly floating, sometimes any (so integer inputs meet ops meant for floats).
  Dt mostly_float() { return rng.chance(0.75) ? float_dtype() : any_dtype(); }

  // A random shape of rank in [lo, hi], sizes 1..maxsize (sometimes 0), at most 24 elements.
  Shape shape(int lo = 0, int hi = 3, int maxsize = 4, bool allow_empty = true) {
    for (;;) {
      Shape s(static_cast<size_t>(rng.range(lo, hi)));
      for (auto& v : s) v = (allow_empty && rng.chance(0.05)) ? 0 : rng.range(1, maxsize);
      if (numel_of(s) <= 24) return s;
    }
  }

  // A shape that broadcasts with s (or, when bad, one that does not where s allows it).
  Shape partner(const Shape& s, bool allow_bad = true) {
    if (allow_bad && bad) {
      std::vector<size_t> cand;
      for (size_t i = 0; i < s.size(); ++i)
        if (s[i] != 1) cand.push_back(i);
      if (!cand.empty()) {
        Shape p = s;
        size_t d = cand[static_cast<size_t>(rng.range(0, static_cast<int64_t>(cand.size()) - 1))];
        p[d] = s[d] == 0 ? 2 : s[d] + 1;
        return p;
      }
    }
    switch (rng.range(0, 4)) {
      case 0:
      case 1:
        return s;
      case 2: {
        Shape p(s.begin() + rng.range(0, static_cast<int64_t>(s.size())), s.end());
        return p;
      }
      case 3: {
        Shape p = s;
        for (auto& v : p)
          if (rng.chance(0.5)) v = 1;
        return p;
      }
      default:
        return {};
    }
  }

  double value(Dt dt, Vals vk) {
    if (dt == torch::kBool) return static_cast<double>(rng.range(0, 1));
    if (vk == Vals::Prob) return is_float(dt) ? static_cast<double>(rng.range(1, 19)) / 20 : rng.range(0, 1);
    if (vk == Vals::Positive) return is_float(dt) ? static_cast<double>(rng.range(1, 40)) / 8 : rng.range(1, 5);
    if (dt == torch::kUInt8) return (!small_ints && rng.chance(0.05)) ? rng.range(250, 255) : rng.range(0, 9);
    if (is_int(dt)) return static_cast<double>(rng.range(-5, 5));
    if (special && rng.chance(0.12)) return rng.pick<double>({kInf, -kInf, kNan});
    switch (rng.range(0, 3)) {
      case 0:
        return static_cast<double>(rng.range(-3, 3));
      case 1:
        return static_cast<double>(rng.range(-12, 12)) / 4;
      case 2:
        return static_cast<double>(rng.range(-50, 50)) / 7;
      default:
        return static_cast<double>(rng.range(1, 40)) / 8;
    }
  }

  std::vector<double> values(int64_t n, Dt dt, Vals vk) {
    std::vector<double> v(static_cast<size_t>(n));
    if (vk == Vals::Distinct) {
      for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i);
      for (int64_t i = n - 1; i > 0; --i) std::swap(v[static_cast<size_t>(i)], v[static_cast<size_t>(rng.range(0, i))]);
      double step = is_float(dt) ? rng.pick<double>({0.5, 1.0, 0.25}) : 1.0;
      double off = dt == torch::kUInt8 || dt == torch::kBool ? 0.0 : static_cast<double>(n / 2);
      for (auto& x : v) x = (x - off) * step;
      if (special && n > 0 && is_float(dt)) v[static_cast<size_t>(rng.range(0, n - 1))] = rng.pick<double>({kInf, -kInf, kNan});
      if (dt == torch::kBool)
        for (auto& x : v) x = x > 0 ? 1.0 : 0.0;
    } else {
      for (auto& x : v) x = value(dt, vk);
    }
    return v;
  }

  // A leaf from values, as dtype dt, requiring grad when this call does and dt is floating.
  Tensor leaf(const Shape& s, Dt dt, Vals vk, bool grad_ok, bool* rg) {
    std::vector<double> v = values(numel_of(s), dt, vk);
    for (int64_t d : s) mix(static_cast<uint64_t>(d));
    for (double x : v) {
      uint64_t bits = 0x7ff8000000000000ull;
      if (!std::isnan(x)) std::memcpy(&bits, &x, sizeof bits);
      mix(bits);
    }
    Tensor t = torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
    *rg = grad && grad_ok && is_float(dt);
    if (*rg) {
      t.requires_grad_(true);
      leaves.push_back(t);
    }
    return t;
  }

  // An input of shape s: contiguous, transposed, stepped (a slice with step 2 and an offset) or
  // expanded (layout -1: random; 0..3: that one where s allows it).
  Tensor make(const Shape& s, Dt dt, Vals vk = Vals::Any, int layout = -1, bool grad_ok = true) {
    int r = static_cast<int>(s.size());
    if (layout < 0) {
      int64_t k = rng.range(0, 9);
      layout = k <= 5 ? 0 : k <= 7 ? 1 : k == 8 ? 2 : 3;
      if (vk == Vals::Distinct && layout == 3) layout = 0;
    }
    if (layout == 1 && r < 2) layout = 2;
    if (r == 0) layout = 0;
    Shape ls = s;
    if (layout == 1) std::swap(ls[static_cast<size_t>(r - 1)], ls[static_cast<size_t>(r - 2)]);
    if (layout == 2) ls[0] = 2 * s[0];
    if (layout == 3) {
      bool any = false;
      for (auto& v : ls)
        if (rng.chance(0.5)) v = 1, any = true;
      if (!any) ls[static_cast<size_t>(rng.range(0, r - 1))] = 1;
    }
    bool rg = false;
    Tensor t = leaf(ls, dt, vk, grad_ok, &rg);
    const char* lay = "";
    if (layout == 1) t = t.transpose(-1, -2), lay = "T";
    if (layout == 2) t = t.slice(0, 1, ls[0], 2), lay = "S";
    if (layout == 3) t = t.expand(s), lay = "E";
    note(dt_name(dt) + shape_str(s) + lay + (rg ? "g" : ""));
    return t;
  }

  torch::Scalar scalar(Dt dt) {
    torch::Scalar s;
    switch (rng.range(0, 5)) {
      case 0:
      case 1:
        s = torch::Scalar(static_cast<int64_t>(rng.range(-3, 3)));
        break;
      case 2:
        s = torch::Scalar(rng.chance(0.5));
        break;
      default:
        s = torch::Scalar(value(is_float(dt) ? dt : torch::kFloat64, Vals::Any));
    }
    note("s=" + scalar_str(s));
    return s;
  }

  int64_t dim_of(int64_t rank, bool allow_bad = true) {
    int64_t r = std::max<int64_t>(rank, 1);
    if (allow_bad && bad && rng.chance(0.6)) return rng.chance(0.5) ? r : -r - 1;
    return rng.range(-r, r - 1);
  }
};

// One output tensor: sizes, dtype, requires_grad and values (as double).
struct OutRec {
  bool defined = true;
  Shape sizes;
  std::string dtype;
  bool requires_grad = false;
  int64_t numel = 0;
  std::vector<double> values;  // empty when numel is over kMaxValues
};
constexpr int64_t kMaxValues = 4096;

struct Record {
  std::string op, desc;
  uint64_t fingerprint = 0;  // of the generated inputs: tells a stale expected.json from a difference
  bool threw = false;
  std::string message;
  std::vector<OutRec> outputs;
  int backward = 0;  // 0: not run (no floating output requires grad), 1: ran, 2: threw
  std::string backward_message;
  std::vector<OutRec> grads;  // one per leaf that requires grad; defined=false where it has none
};

inline OutRec record(const Tensor& t) {
  OutRec r;
  if (!t.defined()) {
    r.defined = false;
    return r;
  }
  for (int64_t d = 0; d < t.dim(); ++d) r.sizes.push_back(t.size(d));
  r.dtype = dt_name(t.scalar_type());
  r.requires_grad = t.requires_grad();
  r.numel = t.numel();
  if (r.numel > 0 && r.numel <= kMaxValues) {
    Tensor c = t.detach().to(torch::kFloat64).contiguous().reshape({-1});
    const double* p = c.data_ptr<double>();
    r.values.assign(p, p + r.numel);
  }
  return r;
}

inline std::string first_line(const char* what) {
  std::string m(what);
  size_t nl = m.find('\n');
  if (nl != std::string::npos) m.resize(nl);
  if (m.size() > 160) m.resize(160);
  return m;
}

struct Variant {
  const char* name;
  std::function<TL(Ctx&)> fn;
};
const std::vector<Variant>& variants();

// The output weights for backward of sum(out * w): generated from their own RNG.
inline Tensor weights_for(Rng& r, const Tensor& o) {
  std::vector<double> v(static_cast<size_t>(o.numel()));
  for (auto& x : v) x = static_cast<double>(r.pick<int>({-4, -3, -2, -1, 1, 2, 3, 4})) / 2;
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(o.sizes()).to(o.scalar_type());
}

// Case id runs variant id % V for the (id / V)-th time. Its inputs are drawn from a seed made of the
// variant's name and that count, not of the id, so appending variants to variants() leaves every
// existing variant's inputs as they were (only the ids move).
inline uint64_t case_seed(const char* name, uint64_t k) {
  uint64_t h = 1469598103934665603ull;
  for (const char* p = name; *p; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
  return h ^ (k * 0x9E3779B97F4A7C15ull);
}

inline Record run_case(uint64_t id) {
  const auto& vs = variants();
  const Variant& v = vs[id % vs.size()];
  const uint64_t seed = case_seed(v.name, id / vs.size());
  Record r;
  r.op = v.name;
  Ctx c(seed);
  TL outs;
  try {
    outs = v.fn(c);
    for (const auto& o : outs) r.outputs.push_back(record(o));
  } catch (const std::exception& e) {
    r.threw = true;
    r.message = first_line(e.what());
    r.outputs.clear();
    r.desc = c.desc;
    r.fingerprint = c.fingerprint;
    return r;
  }
  r.desc = c.desc;
  r.fingerprint = c.fingerprint;
  Rng wr(seed * 0x9E3779B97F4A7C15ull + 77);
  std::vector<Tensor> terms;
  try {
    for (const auto& o : outs)
      if (o.defined() && o.is_floating_point() && o.requires_grad() && o.numel() <= kMaxValues)
        terms.push_back((o * weights_for(wr, o)).sum());
    if (terms.empty()) return r;
    Tensor loss = terms[0];
    for (size_t i = 1; i < terms.size(); ++i) loss = loss + terms[i];
    loss.backward();
    r.backward = 1;
    for (const auto& l : c.leaves) r.grads.push_back(record(l.grad()));
  } catch (const std::exception& e) {
    r.backward = 2;
    r.backward_message = first_line(e.what());
    r.grads.clear();
  }
  return r;
}

// ---- JSON (one record per line; numbers, with nan/inf as strings) ----

inline void json_str(std::string& o, const std::string& s) {
  o += '"';
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      o += ' ';
    } else if (static_cast<unsigned char>(ch) >= 0x80) {
      // Messages are not always UTF-8 (LibTorch prints a uint8 value as a raw char): each such
      // byte as a Latin-1 code point, so the JSON stays valid.
      static const char* const hex = "0123456789abcdef";
      const auto b = static_cast<unsigned char>(ch);
      o += "\\u00";
      o += hex[b >> 4];
      o += hex[b & 15];
    } else {
      o += ch;
    }
  }
  o += '"';
}

inline void json_num(std::string& o, double v, bool single) {
  if (std::isnan(v)) {
    o += "\"nan\"";
  } else if (std::isinf(v)) {
    o += v > 0 ? "\"inf\"" : "\"-inf\"";
  } else {
    char buf[40];
    std::snprintf(buf, sizeof buf, single ? "%.9g" : "%.17g", v);
    o += buf;
  }
}

inline void json_out(std::string& o, const OutRec& r) {
  if (!r.defined) {
    o += "null";
    return;
  }
  o += "{\"s\":[";
  for (size_t i = 0; i < r.sizes.size(); ++i) o += (i ? "," : "") + std::to_string(r.sizes[i]);
  o += "],\"t\":\"" + r.dtype + "\",\"g\":" + (r.requires_grad ? "1" : "0");
  if (r.numel > kMaxValues) o += ",\"n\":" + std::to_string(r.numel);
  o += ",\"v\":[";
  for (size_t i = 0; i < r.values.size(); ++i) {
    if (i) o += ',';
    json_num(o, r.values[i], r.dtype == "f32");
  }
  o += "]}";
}

inline std::string to_json(uint64_t id, const Record& r) {
  std::string o = "{\"id\":" + std::to_string(id) + ",\"op\":";
  json_str(o, r.op);
  o += ",\"in\":";
  json_str(o, r.desc);
  char fp[40];
  std::snprintf(fp, sizeof fp, ",\"fp\":\"%016llx\"", static_cast<unsigned long long>(r.fingerprint));
  o += fp;
  if (r.threw) {
    o += ",\"threw\":";
    json_str(o, r.message);
    return o + "}";
  }
  o += ",\"out\":[";
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    if (i) o += ',';
    json_out(o, r.outputs[i]);
  }
  o += "]";
  if (r.backward == 2) {
    o += ",\"bw_threw\":";
    json_str(o, r.backward_message);
  } else if (r.backward == 1) {
    o += ",\"grads\":[";
    for (size_t i = 0; i < r.grads.size(); ++i) {
      if (i) o += ',';
      json_out(o, r.grads[i]);
    }
    o += "]";
  }
  return o + "}";
}

// ---- building blocks shared by the variants ----

inline TL one(Tensor t) { return TL{std::move(t)}; }
template <typename A, typename B>
inline TL two(std::tuple<A, B> t) {
  return TL{std::get<0>(t), std::get<1>(t)};
}

// Two broadcast-compatible inputs (incompatible when bad), dtypes mostly equal, sometimes mixed.
inline std::pair<Tensor, Tensor> binary_inputs(Ctx& c, bool floating = false, Vals vk = Vals::Any) {
  Shape s = c.shape();
  Shape p = c.partner(s);
  if (c.rng.chance(0.5)) std::swap(s, p);
  Dt d1 = floating ? c.mostly_float() : c.any_dtype();
  Dt d2 = c.rng.chance(0.6) ? d1 : (floating ? c.mostly_float() : c.any_dtype());
  Tensor a = c.make(s, d1, vk);
  Tensor b = c.make(p, d2, vk);
  return {a, b};
}

inline TL unary(Ctx& c, Vals vk, const std::function<Tensor(const Tensor&)>& f) {
  Shape x_shape = c.shape();
  Tensor x = c.make(x_shape, c.mostly_float(), vk);
  return one(f(x));
}

// The target of an in-place op: a leaf, a non-leaf, a view of a non-leaf, or an expanded
// (overlapping) tensor. Outputs: the op's result, then the view's base where there is one.
struct Target {
  Tensor t;
  Tensor base;
};
inline Target inplace_target(Ctx& c, const Shape& s, Dt dt, Vals vk = Vals::Any) {
  int64_t mode = c.rng.range(0, 4);
  if (mode == 3 && s.empty()) mode = 1;
  Target r;
  switch (mode) {
    case 0:
      c.note("leaf");
      r.t = c.make(s, dt, vk, 0);
      break;
    case 1:
      c.note("nonleaf");
      r.t = c.make(s, dt, vk).clone();
      break;
    case 2: {
      c.note("view-of-nonleaf");
      Shape bs = s;
      bs.insert(bs.begin(), 2);
      r.base = c.make(bs, dt, vk).clone();
      r.t = r.base.select(0, 1);
      break;
    }
    case 3:
      c.note("expanded");
      r.t = c.make(s, dt, vk, 3);
      break;
    default:
      c.note("view-of-leaf");
      r.t = c.make(s, dt, vk);
      break;
  }
  return r;
}
inline TL inplace_out(const Target& tg, const Tensor& result) {
  TL o{result};
  if (tg.base.defined()) o.push_back(tg.base);
  return o;
}

// An optional dtype= for a reduction, drawn before the input: an integer one turns inf and nan off
// (their integer value is undefined in C++, and LibTorch's is whatever the CPU gives).
inline c10::optional<Dt> maybe_dtype(Ctx& c, double p = 0.4) {
  if (!c.rng.chance(p)) return c10::nullopt;
  Dt d = c.any_dtype();
  if (!is_float(d)) c.special = false;
  c.note("dtype=" + dt_name(d));
  return d;
}

// A list of dims of a rank-r tensor (distinct, in range; duplicates or out of range when bad).
inline Shape dims_of(Ctx& c, int64_t r, bool allow_empty = true) {
  Shape d;
  for (int64_t i = 0; i < r; ++i)
    if (c.rng.chance(0.5)) d.push_back(c.rng.chance(0.5) ? i : i - r);
  if (d.empty() && r > 0 && (!allow_empty || c.rng.chance(0.6))) d.push_back(c.rng.range(-r, r - 1));
  if (c.bad && c.rng.chance(0.6)) {
    if (!d.empty() && c.rng.chance(0.5))
      d.push_back(d[0] >= 0 ? d[0] - r : d[0] + r);  // the same dim twice
    else
      d.push_back(c.rng.chance(0.5) ? std::max<int64_t>(r, 1) : -std::max<int64_t>(r, 1) - 1);
  }
  c.snote("dims", d);
  return d;
}

inline int64_t reduction(Ctx& c) {
  int64_t r = c.rng.range(0, 2);
  if (c.bad && c.rng.chance(0.3)) r = c.rng.chance(0.5) ? 3 : -1;
  return c.inote("red", r);
}

// A shape of n elements (or, when bad, of n + 1), with a -1 sometimes.
inline Shape reshape_target(Ctx& c, int64_t n) {
  Shape s;
  int64_t m = n;
  if (c.bad && c.rng.chance(0.7)) m = n + 1;
  int64_t parts = c.rng.range(0, 3);
  for (int64_t i = 0; i < parts && m > 1; ++i) {
    std::vector<int64_t> divs;
    for (int64_t d = 1; d <= m; ++d)
      if (m % d == 0) divs.push_back(d);
    int64_t d = divs[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(divs.size()) - 1))];
    s.push_back(d);
    m /= d;
  }
  if (m != 1 || n == 0 || c.rng.chance(0.3)) s.push_back(m);
  if (n == 0 && c.rng.chance(0.5)) s.insert(s.begin(), 2);
  if (!s.empty() && c.rng.chance(0.3)) s[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(s.size()) - 1))] = -1;
  return c.snote("shape", s);
}

// int64 indices in [-n, n) (out of range when bad).
inline Tensor index_tensor(Ctx& c, const Shape& s, int64_t n, bool allow_negative = true, Dt dt = torch::kInt64) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) {
    if (n == 0)
      x = 0;
    else
      x = static_cast<double>(allow_negative ? c.rng.range(-n, n - 1) : c.rng.range(0, n - 1));
  }
  if (c.bad && !v.empty() && c.rng.chance(0.6)) v[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(v.size()) - 1))] = static_cast<double>(c.rng.chance(0.5) ? n : -n - 1);
  if (c.bad && c.rng.chance(0.15)) dt = c.rng.pick<Dt>({torch::kFloat32, torch::kInt32, torch::kUInt8});
  c.note("idx" + dt_name(dt) + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// A bool mask of shape s (uint8 sometimes; with a value other than 0/1 sometimes when bad).
inline Tensor mask_of(Ctx& c, const Shape& s) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  for (auto& x : v) x = c.rng.chance(0.5) ? 1.0 : 0.0;
  Dt dt = c.rng.chance(0.15) ? torch::kUInt8 : torch::kBool;
  if (dt == torch::kUInt8 && c.bad && !v.empty()) v[0] = 2;
  c.note("mask" + dt_name(dt) + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(dt);
}

// Indices along `dim` of shape `s`, distinct along that dim (a prefix of a permutation of 0..n-1).
inline Tensor distinct_index(Ctx& c, const Shape& s, int64_t dim, int64_t n) {
  std::vector<double> v(static_cast<size_t>(numel_of(s)));
  int64_t r = static_cast<int64_t>(s.size());
  int64_t d = dim < 0 ? dim + r : dim;
  int64_t inner = 1;
  for (int64_t i = d + 1; i < r; ++i) inner *= s[static_cast<size_t>(i)];
  int64_t len = s[static_cast<size_t>(d)];
  int64_t outer = numel_of(s) / std::max<int64_t>(len * inner, 1);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      std::vector<int64_t> perm(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
      for (int64_t i = n - 1; i > 0; --i) std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(c.rng.range(0, i))]);
      for (int64_t k = 0; k < len; ++k)
        v[static_cast<size_t>((o * len + k) * inner + in)] = static_cast<double>(perm[static_cast<size_t>(k)]);
    }
  if (c.bad && !v.empty() && c.rng.chance(0.5)) v[static_cast<size_t>(c.rng.range(0, static_cast<int64_t>(v.size()) - 1))] = static_cast<double>(n);
  c.note("idx" + shape_str(s));
  return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(s).to(torch::kInt64);
}

// A random sequence of basic indices (ints, slices, None, Ellipsis) for a tensor of sizes s. The
// description is written before any index is made (LibTorch's Slice refuses step 0 when built).
inline std::vector<TI> basic_indices(Ctx& c, const Shape& s) {
  struct Spec {
    int kind;  // 0 None, 1 Ellipsis, 2 integer, 3 slice
    int64_t i = 0, a = 0, b = 0, st = 1;
    bool ha = false, hb = false;
  };
  std::vector<Spec> specs;
  std::string d = "ix=";
  int64_t r = static_cast<int64_t>(s.size());
  int64_t used = 0;
  bool ellipsis = false;
  int64_t count = c.rng.range(1, std::max<int64_t>(r, 1));
  for (int64_t k = 0; k < count; ++k) {
    int64_t kind = c.rng.range(0, 9);
    Spec sp;
    if (kind == 0) {
      sp.kind = 0;
      d += "N,";
    } else if (kind == 1 && !ellipsis) {
      sp.kind = 1;
      ellipsis = true;
      d += "...,";
    } else if (kind <= 4 && used < r) {
      int64_t n = s[static_cast<size_t>(ellipsis ? r - (count - k) : used)];
      sp.kind = 2;
      sp.i = n > 0 ? c.rng.range(-n, n - 1) : 0;
      if (c.bad && c.rng.chance(0.4)) sp.i = n;
      d += std::to_string(sp.i) + ",";
      ++used;
    } else {
      sp.kind = 3;
      sp.a = c.rng.range(-3, 3), sp.b = c.rng.range(-3, 4), sp.st = c.rng.range(1, 3);
      if (c.bad && c.rng.chance(0.3)) sp.st = c.rng.pick<int64_t>({0, -1});
      sp.ha = c.rng.chance(0.6), sp.hb = c.rng.chance(0.6);
      d += (sp.ha ? std::to_string(sp.a) : "") + ":" + (sp.hb ? std::to_string(sp.b) : "") + ":" + std::to_string(sp.st) + ",";
      ++used;
    }
    specs.push_back(sp);
  }
  bool too_many = c.bad && c.rng.chance(0.3);
  if (too_many) d += "too-many,";
  c.note(d);
  std::vector<TI> ix;
  for (const Spec& sp : specs) {
    if (sp.kind == 0) ix.emplace_back(torch::indexing::None);
    if (sp.kind == 1) ix.emplace_back(torch::indexing::Ellipsis);
    if (sp.kind == 2) ix.emplace_back(sp.i);
    if (sp.kind == 3)
      ix.emplace_back(Slice(sp.ha ? c10::optional<int64_t>(sp.a) : c10::nullopt,
                            sp.hb ? c10::optional<int64_t>(sp.b) : c10::nullopt, sp.st));
  }
  if (too_many)
    for (int64_t k = used; k <= r; ++k) ix.emplace_back(0);
  return ix;
}

// Shapes for conv / pool: (N, C, H, W) or (C, H, W).
inline Shape image_shape(Ctx& c, int64_t ch, int64_t hmax = 4) {
  Shape s{c.rng.range(1, 2), ch, c.rng.range(1, hmax), c.rng.range(1, hmax)};
  if (c.rng.chance(0.25)) s.erase(s.begin());
  return s;
}

inline Shape ints2(Ctx& c, const char* name, int64_t lo, int64_t hi) {
  Shape v{c.rng.range(lo, hi)};
  if (c.rng.chance(0.5)) v.push_back(c.rng.range(lo, hi));
  return c.snote(name, v);
}

// ---- the variants ----

inline void add_pointwise(std::vector<Variant>& v) {
  v.push_back({"add", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 torch::Scalar al = c.rng.pick<double>({1, 1, 2, -1, 0.5}) == 0.5 ? torch::Scalar(0.5) : torch::Scalar(static_cast<int64_t>(c.rng.range(-1, 2)));
                 c.note("alpha=" + scalar_str(al));
                 return one(torch::add(a, b, al));
               }});
  v.push_back({"add_scalar", [](Ctx& c) {
                 Shape a_shape = c.shape();
                 Tensor a = c.make(a_shape, c.any_dtype());
                 torch::Scalar s = c.scalar(a.scalar_type());
                 return one(c.rng.chance(0.5) ? a + s : a.add(s, 2));
               }});
  v.push_back({"sub", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 torch::Scalar al = c.rng.chance(0.2) ? torch::Scalar(1.5) : torch::Scalar(static_cast<int64_t>(c.rng.range(-1, 2)));
                 c.note("alpha=" + scalar_str(al));
                 return one(torch::sub(a, b, al));
               }});
  v.push_back({"sub_scalar", [](Ctx& c) {
                 Shape a_shape = c.shape();
                 Tensor a = c.make(a_shape, c.any_dtype());
                 torch::Scalar s = c.scalar(a.scalar_type());
                 bool rev = c.bnote("rev", c.rng.chance(0.5));
                 return one(rev ? s - a : a - s);
               }});
  v.push_back({"mul", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 return one(c.rng.chance(0.5) ? a * b : torch::mul(a, b));
               }});
  v.push_back({"mul_scalar", [](Ctx& c) {
                 Shape a_shape = c.shape();
                 Tensor a = c.make(a_shape, c.any_dtype());
                 torch::Scalar s = c.scalar(a.scalar_type());
                 return one(c.rng.chance(0.5) ? s * a : a.mul(s));
               }});
  v.push_back({"div", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 return one(a / b);
               }});
  v.push_back({"div_scalar", [](Ctx& c) {
                 Shape a_shape = c.shape();
                 Tensor a = c.make(a_shape, c.any_dtype());
                 torch::Scalar s = c.scalar(a.scalar_type());
                 bool rev = c.bnote("rev", c.rng.chance(0.5));
                 return one(rev ? s / a : a.div(s));
               }});
  v.push_back({"pow_scalar", [](Ctx& c) {
                 c.small_ints = true;
                 Shape a_shape = c.shape();
                 Tensor a = c.make(a_shape, c.any_dtype());
                 torch::Scalar e = c.rng.chance(0.5) ? torch::Scalar(static_cast<int64_t>(c.rng.range(-2, 3)))
                                                     : torch::Scalar(c.rng.pick<double>({0.5, -0.5, 2.0, 1.5, 0.0, -1.0}));
                 c.note("e=" + scalar_str(e));
                 return one(a.pow(e));
               }});
  v.push_back({"pow_tensor", [](Ctx& c) {
                 c.small_ints = true;
                 auto [a, b] = binary_inputs(c);
                 return one(torch::pow(a, b));
               }});
  v.push_back({"pow_scalar_base", [](Ctx& c) {
                 c.small_ints = true;
                 Shape e_shape = c.shape();
                 Tensor e = c.make(e_shape, c.any_dtype());
                 torch::Scalar b = c.rng.chance(0.5) ? torch::Scalar(static_cast<int64_t>(c.rng.range(-2, 3))) : torch::Scalar(c.rng.pick<double>({0.5, 2.5, -1.5}));
                 c.note("base=" + scalar_str(b));
                 return one(torch::pow(b, e));
               }});
  v.push_back({"minimum", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 return one(torch::minimum(a, b));
               }});
  v.push_back({"maximum", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c);
                 return one(torch::maximum(a, b));
               }});
  v.push_back({"where", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor cond = mask_of(c, c.partner(s));
                 Shape a_shape = c.partner(s, false);
                 Tensor a = c.make(a_shape, c.mostly_float());
                 Shape b_shape = c.partner(s, false);
                 Tensor b = c.make(b_shape, c.rng.chance(0.7) ? a.scalar_type() : c.any_dtype());
                 return one(torch::where(cond, a, b));
               }});
  v.push_back({"where_scalar", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor cond = mask_of(c, c.partner(s));
                 Tensor a = c.make(s, c.mostly_float());
                 torch::Scalar sc = c.scalar(a.scalar_type());
                 return one(c.rng.chance(0.5) ? torch::where(cond, a, sc) : torch::where(cond, sc, a));
               }});
  v.push_back({"clamp", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.any_dtype());
                 Opt lo, hi;
                 int64_t m = c.rng.range(0, 3);
                 if (m != 1) lo = c.scalar(x.scalar_type());
                 if (m != 0) hi = c.scalar(x.scalar_type());
                 if (m == 3 && c.bad) lo = c10::nullopt, hi = c10::nullopt, c.note("no-bounds");
                 return one(x.clamp(lo, hi));
               }});
  v.push_back({"clamp_min", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(x.clamp_min(c.scalar(x.scalar_type())));
               }});
  v.push_back({"clamp_max", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(torch::clamp_max(x, c.scalar(x.scalar_type())));
               }});
  v.push_back({"addcmul", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(c.partner(s, false), dt);
                 Shape t1_shape = c.partner(s);
                 Tensor t1 = c.make(t1_shape, c.rng.chance(0.8) ? dt : c.any_dtype());
                 Tensor t2 = c.make(c.partner(s, false), dt);
                 torch::Scalar val = c.rng.chance(0.3) ? torch::Scalar(0.5) : torch::Scalar(static_cast<int64_t>(c.rng.range(-2, 2)));
                 c.note("value=" + scalar_str(val));
                 return one(torch::addcmul(a, t1, t2, val));
               }});
  v.push_back({"addcdiv", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor a = c.make(c.partner(s, false), dt);
                 Shape t1_shape = c.partner(s);
                 Tensor t1 = c.make(t1_shape, c.rng.chance(0.8) ? dt : c.any_dtype());
                 Tensor t2 = c.make(c.partner(s, false), dt, Vals::Positive);
                 torch::Scalar val = c.rng.chance(0.3) ? torch::Scalar(0.5) : torch::Scalar(static_cast<int64_t>(c.rng.range(-2, 2)));
                 c.note("value=" + scalar_str(val));
                 return one(a.addcdiv(t1, t2, val));
               }});
  v.push_back({"lerp", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c, true);
                 double w = c.dnote("w", c.rng.pick<double>({0.0, 0.25, 0.5, 1.0, 1.5}));
                 return one(torch::lerp(a, b, w));
               }});
  v.push_back({"xlogy", [](Ctx& c) {
                 auto [a, b] = binary_inputs(c, true);
                 return one(torch::xlogy(a, b));
               }});

  struct U {
    const char* name;
    Vals vk;
    Tensor (*f)(const Tensor&);
  };
  static const U unaries[] = {
      {"exp", Vals::Any, [](const Tensor& x) { return x.exp(); }},
      {"log", Vals::Positive, [](const Tensor& x) { return torch::log(x); }},
      {"log_neg", Vals::Any, [](const Tensor& x) { return x.log(); }},
      {"log1p", Vals::Any, [](const Tensor& x) { return torch::log1p(x); }},
      {"sqrt", Vals::Any, [](const Tensor& x) { return x.sqrt(); }},
      {"rsqrt", Vals::Positive, [](const Tensor& x) { return torch::rsqrt(x); }},
      {"abs", Vals::Any, [](const Tensor& x) { return x.abs(); }},
      {"neg", Vals::Any, [](const Tensor& x) { return -x; }},
      {"sign", Vals::Any, [](const Tensor& x) { return x.sign(); }},
      {"sin", Vals::Any, [](const Tensor& x) { return torch::sin(x); }},
      {"cos", Vals::Any, [](const Tensor& x) { return x.cos(); }},
      {"tanh", Vals::Any, [](const Tensor& x) { return torch::tanh(x); }},
      {"sigmoid", Vals::Any, [](const Tensor& x) { return x.sigmoid(); }},
      {"relu", Vals::Any, [](const Tensor& x) { return torch::relu(x); }},
      {"reciprocal", Vals::Any, [](const Tensor& x) { return x.reciprocal(); }},
      {"erf", Vals::Any, [](const Tensor& x) { return torch::erf(x); }},
      {"floor", Vals::Any, [](const Tensor& x) { return x.floor(); }},
      {"ceil", Vals::Any, [](const Tensor& x) { return torch::ceil(x); }},
      {"round", Vals::Any, [](const Tensor& x) { return x.round(); }},
      {"square", Vals::Any, [](const Tensor& x) { return torch::square(x); }},
      {"isnan", Vals::Any, [](const Tensor& x) { return torch::isnan(x); }},
      {"isinf", Vals::Any, [](const Tensor& x) { return x.isinf(); }},
      {"isfinite", Vals::Any, [](const Tensor& x) { return torch::isfinite(x); }},
      {"logical_not", Vals::Any, [](const Tensor& x) { return torch::logical_not(x); }},
      {"bitwise_not", Vals::Any, [](const Tensor& x) { return ~x; }},
  };
  for (const U& u : unaries) {
    const U* up = &u;
    v.push_back({u.name, [up](Ctx& c) { return unary(c, up->vk, up->f); }});
  }

  struct B {
    const char* name;
    Tensor (*tt)(const Tensor&, const Tensor&);
    Tensor (*ts)(const Tensor&, const torch::Scalar&);
  };
  static const B binaries[] = {
      {"eq", [](const Tensor& a, const Tensor& b) { return torch::eq(a, b); }, [](const Tensor& a, const torch::Scalar& s) { return a == s; }},
      {"ne", [](const Tensor& a, const Tensor& b) { return a != b; }, [](const Tensor& a, const torch::Scalar& s) { return a.ne(s); }},
      {"lt", [](const Tensor& a, const Tensor& b) { return a < b; }, [](const Tensor& a, const torch::Scalar& s) { return torch::lt(a, s); }},
      {"le", [](const Tensor& a, const Tensor& b) { return a.le(b); }, [](const Tensor& a, const torch::Scalar& s) { return a <= s; }},
      {"gt", [](const Tensor& a, const Tensor& b) { return torch::gt(a, b); }, [](const Tensor& a, const torch::Scalar& s) { return a > s; }},
      {"ge", [](const Tensor& a, const Tensor& b) { return a >= b; }, [](const Tensor& a, const torch::Scalar& s) { return a.ge(s); }},
      {"logical_and", [](const Tensor& a, const Tensor& b) { return torch::logical_and(a, b); }, nullptr},
      {"logical_or", [](const Tensor& a, const Tensor& b) { return a.logical_or(b); }, nullptr},
      {"logical_xor", [](const Tensor& a, const Tensor& b) { return torch::logical_xor(a, b); }, nullptr},
      {"bitwise_and", [](const Tensor& a, const Tensor& b) { return a & b; }, nullptr},
      {"bitwise_or", [](const Tensor& a, const Tensor& b) { return a | b; }, nullptr},
      {"bitwise_xor", [](const Tensor& a, const Tensor& b) { return a ^ b; }, nullptr},
  };
  for (const B& b : binaries) {
    const B* bp = &b;
    v.push_back({b.name, [bp](Ctx& c) {
                   if (bp->ts && c.rng.chance(0.4)) {
                     Shape a_shape = c.shape();
                     Tensor a = c.make(a_shape, c.any_dtype());
                     return one(bp->ts(a, c.scalar(a.scalar_type())));
                   }
                   auto [x, y] = binary_inputs(c);
                   return one(bp->tt(x, y));
                 }});
  }
}

inline void add_inplace(std::vector<Variant>& v) {
  struct IB {
    const char* name;
    Tensor& (*f)(Tensor&, const Tensor&);
  };
  static const IB binaries[] = {
      {"add_", [](Tensor& t, const Tensor& o) -> Tensor& { return t.add_(o); }},
      {"sub_", [](Tensor& t, const Tensor& o) -> Tensor& { return t.sub_(o, 2); }},
      {"mul_", [](Tensor& t, const Tensor& o) -> Tensor& { return t.mul_(o); }},
      {"div_", [](Tensor& t, const Tensor& o) -> Tensor& { return t /= o; }},
      {"copy_", [](Tensor& t, const Tensor& o) -> Tensor& { return t.copy_(o); }},
  };
  for (const IB& b : binaries) {
    const IB* bp = &b;
    v.push_back({b.name, [bp](Ctx& c) {
                   Shape s = c.shape();
                   Dt dt = c.mostly_float();
                   Target tg = inplace_target(c, s, dt);
                   Shape p = c.partner(s, false);
                   if (c.bad && c.rng.chance(0.5)) p.insert(p.begin(), 2), c.note("wider-other");
                   Tensor o = c.make(p, c.rng.chance(0.7) ? dt : c.any_dtype());
                   return inplace_out(tg, bp->f(tg.t, o));
                 }});
  }
  v.push_back({"add_scalar_", [](Ctx& c) {
                 Dt dt = c.any_dtype();
                 Target tg = inplace_target(c, c.shape(), dt);
                 return inplace_out(tg, tg.t.add_(c.scalar(dt)));
               }});
  v.push_back({"mul_scalar_", [](Ctx& c) {
                 Dt dt = c.any_dtype();
                 Target tg = inplace_target(c, c.shape(), dt);
                 return inplace_out(tg, tg.t.mul_(c.scalar(dt)));
               }});

  struct IU {
    const char* name;
    Vals vk;
    Tensor& (*f)(Tensor&);
  };
  static const IU unaries[] = {
      {"abs_", Vals::Any, [](Tensor& t) -> Tensor& { return t.abs_(); }},
      {"log_", Vals::Positive, [](Tensor& t) -> Tensor& { return t.log_(); }},
      {"exp_", Vals::Any, [](Tensor& t) -> Tensor& { return t.exp_(); }},
      {"sqrt_", Vals::Positive, [](Tensor& t) -> Tensor& { return t.sqrt_(); }},
      {"neg_", Vals::Any, [](Tensor& t) -> Tensor& { return t.neg_(); }},
      {"relu_", Vals::Any, [](Tensor& t) -> Tensor& { return t.relu_(); }},
      {"sigmoid_", Vals::Any, [](Tensor& t) -> Tensor& { return t.sigmoid_(); }},
      {"tanh_", Vals::Any, [](Tensor& t) -> Tensor& { return t.tanh_(); }},
      {"zero_", Vals::Any, [](Tensor& t) -> Tensor& { return t.zero_(); }},
  };
  for (const IU& u : unaries) {
    const IU* up = &u;
    v.push_back({u.name, [up](Ctx& c) {
                   Shape s = c.shape();
                   Target tg = inplace_target(c, s, c.mostly_float(), up->vk);
                   return inplace_out(tg, up->f(tg.t));
                 }});
  }
  v.push_back({"clamp_", [](Ctx& c) {
                 Dt dt = c.any_dtype();
                 Target tg = inplace_target(c, c.shape(), dt);
                 Opt lo = c.scalar(dt);
                 Opt hi = c.rng.chance(0.5) ? Opt(c.scalar(dt)) : Opt();
                 return inplace_out(tg, tg.t.clamp_(lo, hi));
               }});
  v.push_back({"clamp_min_", [](Ctx& c) {
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, c.shape(), dt);
                 return inplace_out(tg, tg.t.clamp_min_(c.scalar(dt)));
               }});
  v.push_back({"fill_", [](Ctx& c) {
                 Dt dt = c.any_dtype();
                 Target tg = inplace_target(c, c.shape(), dt);
                 torch::Scalar s = c.special && c.rng.chance(0.5) ? torch::Scalar(c.dnote("s", c.rng.pick<double>({kInf, kNan, 1e20}))) : c.scalar(dt);
                 return inplace_out(tg, tg.t.fill_(s));
               }});
  v.push_back({"fill_tensor_", [](Ctx& c) {
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, c.shape(), dt);
                 Tensor val = c.make(c.bad ? Shape{2} : Shape{}, c.rng.chance(0.7) ? dt : c.any_dtype());
                 return inplace_out(tg, tg.t.fill_(val));
               }});
  v.push_back({"pow_", [](Ctx& c) {
                 c.small_ints = true;
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, c.shape(), dt);
                 torch::Scalar e = c.rng.chance(0.5) ? torch::Scalar(static_cast<int64_t>(c.rng.range(-1, 3))) : torch::Scalar(c.rng.pick<double>({0.5, 2.0, -1.5}));
                 c.note("e=" + scalar_str(e));
                 return inplace_out(tg, tg.t.pow_(e));
               }});
  v.push_back({"masked_fill_", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.any_dtype();
                 Target tg = inplace_target(c, s, dt);
                 Tensor m = mask_of(c, c.partner(s));
                 return inplace_out(tg, tg.t.masked_fill_(m, c.scalar(dt)));
               }});
  v.push_back({"addcmul_", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, s, dt);
                 Tensor a = c.make(c.partner(s, false), dt);
                 Tensor b = c.make(c.partner(s), dt);
                 return inplace_out(tg, tg.t.addcmul_(a, b, c.dnote("value", c.rng.pick<double>({1.0, -0.5, 2.0}))));
               }});
  v.push_back({"lerp_", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.float_dtype();
                 Target tg = inplace_target(c, s, dt);
                 Shape e_shape = c.partner(s, false);
                 Tensor e = c.make(e_shape, c.rng.chance(0.8) ? dt : c.any_dtype());
                 return inplace_out(tg, tg.t.lerp_(e, c.dnote("w", c.rng.pick<double>({0.25, 0.5, 2.0}))));
               }});
  v.push_back({"unsqueeze_", [](Ctx& c) {
                 Shape s = c.shape();
                 Target tg = inplace_target(c, s, c.mostly_float());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()) + 1));
                 return inplace_out(tg, tg.t.unsqueeze_(d));
               }});
  v.push_back({"squeeze_", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Target tg = inplace_target(c, s, c.mostly_float());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return inplace_out(tg, tg.t.squeeze_(d));
               }});
  v.push_back({"index_put_", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, s, dt);
                 std::vector<TI> ix;
                 int64_t kind = c.rng.range(0, 2);
                 if (kind == 0) {
                   ix = basic_indices(c, s);
                 } else if (kind == 1) {
                   ix.emplace_back(mask_of(c, Shape(s.begin(), s.begin() + 1)));
                 } else {
                   Shape is{c.rng.range(0, std::min<int64_t>(s[0], 3))};
                   ix.emplace_back(distinct_index(c, is, 0, s[0]));
                 }
                 if (c.rng.chance(0.5)) return inplace_out(tg, tg.t.index_put_(ix, c.scalar(dt)));
                 Shape vs = c.rng.chance(0.6) ? Shape{} : Shape{1};
                 if (c.bad && c.rng.chance(0.3)) vs = Shape{5};
                 Tensor val = c.make(vs, c.rng.chance(0.8) ? dt : c.any_dtype());
                 return inplace_out(tg, tg.t.index_put_(ix, val));
               }});
  v.push_back({"scatter_", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, s, dt);
                 int64_t d = c.inote("dim", c.rng.range(0, static_cast<int64_t>(s.size()) - 1));
                 Shape is = s;
                 is[static_cast<size_t>(d)] = c.rng.range(0, s[static_cast<size_t>(d)]);
                 Tensor idx = distinct_index(c, is, d, s[static_cast<size_t>(d)]);
                 Tensor src = c.make(is, c.rng.chance(0.8) ? dt : c.any_dtype());
                 return inplace_out(tg, tg.t.scatter_(d, idx, src));
               }});
  v.push_back({"scatter_add_", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.mostly_float();
                 Target tg = inplace_target(c, s, dt);
                 int64_t d = c.inote("dim", c.rng.range(0, static_cast<int64_t>(s.size()) - 1));
                 Shape is = s;
                 is[static_cast<size_t>(d)] = c.rng.range(0, s[static_cast<size_t>(d)] + 1);
                 Tensor idx = index_tensor(c, is, s[static_cast<size_t>(d)], false);
                 Tensor src = c.make(is, dt);
                 return inplace_out(tg, tg.t.scatter_add_(d, idx, src));
               }});
}

inline void add_reductions(std::vector<Variant>& v) {
  v.push_back({"sum", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c);
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(x.sum(dt));
               }});
  v.push_back({"sum_dim", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c);
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(x.sum(d, k, dt));
               }});
  v.push_back({"mean", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c, 0.3);
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 return one(x.mean(dt));
               }});
  v.push_back({"mean_dim", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c, 0.3);
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(torch::mean(x, d, k, dt));
               }});
  v.push_back({"prod", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c, 0.3);
                 c.small_ints = true;
                 Shape x_shape = c.shape(0, 3, 3);
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(x.prod(dt));
               }});
  v.push_back({"prod_dim", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c, 0.3);
                 c.small_ints = true;
                 Shape s = c.shape(0, 3, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(x.prod(d, k, dt));
               }});
  v.push_back({"max_all", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(c.make(s, c.any_dtype()).max());
               }});
  v.push_back({"min_all", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(torch::min(c.make(s, c.any_dtype())));
               }});
  v.push_back({"max_dim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return two(x.max(d, k));
               }});
  v.push_back({"min_dim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return two(torch::min(x, d, k));
               }});
  v.push_back({"amax", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(x.amax(d, k));
               }});
  v.push_back({"amin", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(torch::amin(x, d, k));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "argmin" : "argmax", [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.any_dtype());
                   c10::optional<int64_t> d;
                   if (c.rng.chance(0.6)) d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                   bool k = c.bnote("keepdim", c.rng.chance(0.5));
                   return one(which ? x.argmin(d, k) : torch::argmax(x, d, k));
                 }});
  }
  for (int which = 0; which < 2; ++which) {
    const char* names[2][3] = {{"var", "var_dim", "var_int"}, {"std", "std_dim", "std_int"}};
    v.push_back({names[which][0], [which](Ctx& c) {
                   Shape x_shape = c.shape();
                   Tensor x = c.make(x_shape, c.mostly_float());
                   bool u = c.bnote("unbiased", c.rng.chance(0.5));
                   return one(which ? x.std(u) : torch::var(x, u));
                 }});
    v.push_back({names[which][1], [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.mostly_float());
                   Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                   bool u = c.bnote("unbiased", c.rng.chance(0.5));
                   bool k = c.bnote("keepdim", c.rng.chance(0.5));
                   return one(which ? torch::std(x, d, u, k) : x.var(d, u, k));
                 }});
    // LibTorch's C++-only int-dim overloads: x.std(0) reduces dim 0.
    v.push_back({names[which][2], [which](Ctx& c) {
                   Shape s = c.shape(1, 3);
                   Tensor x = c.make(s, c.mostly_float());
                   int d = static_cast<int>(c.inote("dim", c.rng.range(0, static_cast<int64_t>(s.size()) - 1)));
                   bool method = c.bnote("method", c.rng.chance(0.5));
                   if (which) return one(method ? x.std(d) : torch::std(x, d));
                   return one(method ? x.var(d) : torch::var(x, d));
                 }});
  }
  v.push_back({"norm", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 double p = c.dnote("p", c.rng.pick<double>({0, 1, 2, kInf, 3, -kInf, 0.5}));
                 return one(x.norm(p));
               }});
  v.push_back({"norm_dim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 double p = c.dnote("p", c.rng.pick<double>({0, 1, 2, kInf, 3}));
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()), false);
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(x.norm(Opt(p), d, k));
               }});
  v.push_back({"logsumexp", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.mostly_float());
                 Shape d = dims_of(c, static_cast<int64_t>(s.size()));
                 bool k = c.bnote("keepdim", c.rng.chance(0.5));
                 return one(torch::logsumexp(x, d, k));
               }});
  v.push_back({"cumsum", [](Ctx& c) {
                 c10::optional<Dt> dt = maybe_dtype(c);
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(x.cumsum(d, dt));
               }});
  v.push_back({"all", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(c.make(s, c.any_dtype()).all());
               }});
  v.push_back({"any", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(torch::any(c.make(s, c.any_dtype())));
               }});
  v.push_back({"all_dim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(x.all(d, c.bnote("keepdim", c.rng.chance(0.5))));
               }});
  v.push_back({"any_dim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(torch::any(x, d, c.bnote("keepdim", c.rng.chance(0.5))));
               }});
}

inline void add_shape(std::vector<Variant>& v) {
  v.push_back({"view", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(x.view(reshape_target(c, numel_of(s))));
               }});
  v.push_back({"reshape", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(torch::reshape(x, reshape_target(c, numel_of(s))));
               }});
  v.push_back({"flatten", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t a = c.inote("start", c.dim_of(r)), b = c.inote("end", c.dim_of(r, false));
                 return one(x.flatten(a, b));
               }});
  v.push_back({"transpose", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t a = c.inote("d0", c.dim_of(r)), b = c.inote("d1", c.dim_of(r, false));
                 return one(x.transpose(a, b));
               }});
  v.push_back({"t", [](Ctx& c) {
                 Shape s = c.shape(0, c.bad ? 3 : 2);
                 return one(c.make(s, c.any_dtype()).t());
               }});
  v.push_back({"permute", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 Shape p(static_cast<size_t>(r));
                 for (int64_t i = 0; i < r; ++i) p[static_cast<size_t>(i)] = i;
                 for (int64_t i = r - 1; i > 0; --i) std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(c.rng.range(0, i))]);
                 for (auto& d : p)
                   if (c.rng.chance(0.3)) d -= r;
                 if (c.bad) {
                   if (r > 0 && c.rng.chance(0.5))
                     p[0] = p[static_cast<size_t>(r - 1)] + (p[static_cast<size_t>(r - 1)] < 0 ? r : 0);
                   else
                     p.push_back(r);
                 }
                 return one(x.permute(c.snote("perm", p)));
               }});
  v.push_back({"flip", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(x.flip(dims_of(c, static_cast<int64_t>(s.size()))));
               }});
  v.push_back({"squeeze", [](Ctx& c) {
                 Shape s = c.shape();
                 for (auto& d : s)
                   if (c.rng.chance(0.4)) d = 1;
                 Tensor x = c.make(s, c.any_dtype());
                 if (c.rng.chance(0.4)) return one(x.squeeze());
                 return one(x.squeeze(c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())))));
               }});
  v.push_back({"unsqueeze", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(x.unsqueeze(c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()) + 1))));
               }});
  v.push_back({"movedim", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t a = c.inote("src", c.dim_of(r)), b = c.inote("dst", c.dim_of(r, false));
                 return one(torch::movedim(x, a, b));
               }});
  v.push_back({"expand", [](Ctx& c) {
                 Shape s = c.shape(0, 3, 3);
                 for (auto& d : s)
                   if (c.rng.chance(0.5)) d = 1;
                 Tensor x = c.make(s, c.any_dtype());
                 Shape t = s;
                 for (auto& d : t)
                   if (d == 1 && c.rng.chance(0.6)) d = c.rng.range(0, 3);
                   else if (c.rng.chance(0.2)) d = -1;
                 int64_t lead = c.rng.range(0, 2);
                 for (int64_t i = 0; i < lead; ++i) t.insert(t.begin(), c.rng.range(1, 2));
                 if (c.bad) {
                   if (c.rng.chance(0.5) || t.empty()) {
                     if (!t.empty()) t.pop_back();  // a 0-d input with no lead dims has none to drop
                     t.insert(t.begin(), -1);
                   } else
                     t.back() = t.back() == 1 || t.back() == -1 ? 5 : t.back() + 1;
                 }
                 return one(x.expand(c.snote("size", t)));
               }});
  v.push_back({"expand_huge", [](Ctx& c) {
                 Tensor x = c.make({1, 1}, c.any_dtype());
                 int64_t big = int64_t{1} << c.rng.range(30, 40);
                 Shape t{big, big};
                 if (c.rng.chance(0.4)) t = {big, 3};
                 Tensor y = x.expand(c.snote("size", t));
                 return TL{torch::tensor(std::vector<double>{static_cast<double>(y.size(0)), static_cast<double>(y.size(1)),
                                                             static_cast<double>(y.numel())},
                                         torch::dtype(torch::kFloat64))};
               }});
  v.push_back({"repeat", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 Shape r(s.size() + static_cast<size_t>(c.rng.range(0, 1)));
                 for (auto& d : r) d = c.rng.range(0, 2);
                 if (c.bad) {
                   if (!r.empty() && c.rng.chance(0.5))
                     r.back() = -1;
                   else if (!s.empty())
                     r.resize(s.size() - 1);
                 }
                 return one(x.repeat(c.snote("repeats", r)));
               }});
  v.push_back({"narrow", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 int64_t n = s[static_cast<size_t>((d % static_cast<int64_t>(s.size()) + static_cast<int64_t>(s.size())) % static_cast<int64_t>(s.size()))];
                 int64_t st = c.inote("start", c.rng.range(-n, n));
                 int64_t len = c.inote("len", c.rng.range(0, n - (st < 0 ? st + n : st) + (c.bad ? 2 : 0)));
                 return one(x.narrow(d, st, len));
               }});
  v.push_back({"select", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.dim_of(r));
                 int64_t n = r ? s[static_cast<size_t>((d % r + r) % r)] : 1;
                 int64_t i = c.inote("index", c.bad && c.rng.chance(0.5) ? n : c.rng.range(-n, std::max<int64_t>(n - 1, -n)));
                 return one(x.select(d, i));
               }});
  v.push_back({"chunk", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t k = c.inote("chunks", c.rng.range(c.bad ? 0 : 1, 4));
                 return x.chunk(k, c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()))));
               }});
  v.push_back({"split", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t k = c.inote("size", c.rng.range(c.bad ? -1 : 1, 3));
                 return torch::split(x, k, c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()))));
               }});
  v.push_back({"split_with_sizes", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.rng.range(-r, r - 1);
                 c.inote("dim", d);
                 int64_t n = s[static_cast<size_t>((d + r) % r)];
                 Shape sizes;
                 while (n > 0) {
                   int64_t k = c.rng.range(0, n);
                   sizes.push_back(k);
                   n -= k;
                 }
                 if (sizes.empty() || c.bad) sizes.push_back(c.bad ? 1 : 0);
                 return x.split_with_sizes(c.snote("sizes", sizes), d);
               }});
  v.push_back({"unbind", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 return x.unbind(c.inote("dim", c.dim_of(static_cast<int64_t>(s.size()))));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "stack" : "cat", [which](Ctx& c) {
                   Shape s = c.shape(which ? 0 : 1, 3);
                   int64_t r = static_cast<int64_t>(s.size()) + which;
                   int64_t d = c.inote("dim", c.dim_of(r));
                   int64_t n = c.rng.range(c.bad && c.rng.chance(0.2) ? 0 : 1, 3);
                   std::vector<Tensor> ts;
                   Dt dt = c.any_dtype();
                   for (int64_t i = 0; i < n; ++i) {
                     Shape si = s;
                     if (!which && r > 0) si[static_cast<size_t>((d % r + r) % r)] = c.rng.range(0, 3);
                     if (c.bad && i == 1 && !si.empty()) si[0] += 1;
                     if (!which && c.rng.chance(0.1)) si = Shape{0};
                     ts.push_back(c.make(si, c.rng.chance(0.7) ? dt : c.any_dtype()));
                   }
                   return one(which ? torch::stack(ts, d) : torch::cat(ts, d));
                 }});
  }
  v.push_back({"tril", [](Ctx& c) {
                 Shape x_shape = c.shape(c.bad ? 0 : 2, 3);
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(x.tril(c.inote("k", c.rng.range(-2, 2))));
               }});
  v.push_back({"triu", [](Ctx& c) {
                 Shape x_shape = c.shape(c.bad ? 0 : 2, 3);
                 Tensor x = c.make(x_shape, c.any_dtype());
                 return one(torch::triu(x, c.inote("k", c.rng.range(-2, 2))));
               }});
  v.push_back({"diagonal", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 1 : 2, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t off = c.inote("offset", c.rng.range(-2, 2));
                 int64_t a = c.inote("d1", c.dim_of(r)), b = c.inote("d2", c.dim_of(r, false));
                 return one(x.diagonal(off, a, b));
               }});
  v.push_back({"to_dtype", [](Ctx& c) {
                 Dt to = c.any_dtype();
                 if (!is_float(to)) c.special = false;  // nan and inf have no integer value
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 c.note("to=" + dt_name(to));
                 return one(x.to(to));
               }});
  v.push_back({"contiguous_view", [](Ctx& c) {
                 Shape s = c.shape(2, 3);
                 Tensor x = c.make(s, c.any_dtype()).transpose(0, 1);
                 return TL{x.contiguous(), x.is_contiguous() ? x : x.contiguous().view({-1})};
               }});
}

inline void add_indexing(std::vector<Variant>& v) {
  v.push_back({"index_basic", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(x.index(basic_indices(c, s)));
               }});
  v.push_back({"index_mask", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t k = c.rng.range(1, static_cast<int64_t>(s.size()));
                 Shape ms(s.begin(), s.begin() + k);
                 if (c.bad && c.rng.chance(0.5)) ms.back() += 1;
                 std::vector<TI> ix;
                 if (c.rng.chance(0.2)) ix.emplace_back(torch::indexing::Slice()), ms = Shape(s.begin() + 1, s.begin() + std::min<int64_t>(k + 1, static_cast<int64_t>(s.size()))), c.note("lead-slice");
                 ix.emplace_back(mask_of(c, ms));
                 if (c.rng.chance(0.5)) {
                   if (c.rng.chance(0.5))
                     c.note("then ::2"), ix.emplace_back(Slice(c10::nullopt, c10::nullopt, 2));
                   else
                     c.note("then 0"), ix.emplace_back(0);
                 }
                 return one(x.index(ix));
               }});
  v.push_back({"index_tensor", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 std::vector<TI> ix;
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t lead = c.rng.range(0, r - 1);
                 for (int64_t i = 0; i < lead; ++i) ix.emplace_back(Slice());
                 Shape is = c.shape(0, 2, 3);
                 ix.emplace_back(index_tensor(c, is, s[static_cast<size_t>(lead)]));
                 if (lead + 1 < r && c.rng.chance(0.5)) ix.emplace_back(index_tensor(c, c.partner(is), s[static_cast<size_t>(lead + 1)]));
                 c.inote("lead", lead);
                 return one(x.index(ix));
               }});
  v.push_back({"index_select", [](Ctx& c) {
                 Shape s = c.shape(c.bad ? 0 : 1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.dim_of(r));
                 int64_t n = r ? s[static_cast<size_t>((d % r + r) % r)] : 1;
                 Shape is{c.rng.range(0, 4)};
                 if (c.bad && c.rng.chance(0.2)) is = {2, 2};
                 return one(x.index_select(d, index_tensor(c, is, n, false)));
               }});
  v.push_back({"gather", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Tensor x = c.make(s, c.any_dtype());
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.rng.range(-r, r - 1));
                 Shape is = s;
                 for (auto& k : is) k = c.rng.range(0, k);
                 is[static_cast<size_t>((d + r) % r)] = c.rng.range(0, 3);
                 if (c.bad && c.rng.chance(0.3)) is.push_back(1);
                 return one(torch::gather(x, d, index_tensor(c, is, s[static_cast<size_t>((d + r) % r)], false)));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "scatter_value" : "scatter", [which](Ctx& c) {
                   Shape s = c.shape(1, 3, 4, false);
                   Dt dt = c.any_dtype();
                   Tensor x = c.make(s, dt);
                   int64_t r = static_cast<int64_t>(s.size());
                   int64_t d = c.inote("dim", c.rng.range(0, r - 1));
                   Shape is = s;
                   for (auto& k : is) k = c.rng.range(0, k);
                   Tensor idx = distinct_index(c, is, d, s[static_cast<size_t>(d)]);
                   if (which) return one(x.scatter(d, idx, c.scalar(dt)));
                   Shape ss = is;
                   if (c.rng.chance(0.5))
                     for (auto& k : ss) k += c.rng.range(0, 1);
                   Tensor src = c.make(ss, c.rng.chance(0.8) ? dt : c.any_dtype());
                   return one(torch::scatter(x, d, idx, src));
                 }});
  }
  v.push_back({"scatter_add", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.rng.range(0, r - 1));
                 Shape is = s;
                 for (auto& k : is) k = c.rng.range(0, k);
                 is[static_cast<size_t>(d)] = c.rng.range(0, 4);
                 Tensor idx = index_tensor(c, is, s[static_cast<size_t>(d)], false);
                 Tensor src = c.make(is, c.rng.chance(0.8) ? dt : c.any_dtype());
                 return one(x.scatter_add(d, idx, src));
               }});
  v.push_back({"masked_fill", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.any_dtype();
                 Tensor x = c.make(s, dt);
                 Tensor m = mask_of(c, c.partner(s));
                 return one(x.masked_fill(m, c.scalar(dt)));
               }});
  v.push_back({"masked_fill_tensor", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 Tensor m = mask_of(c, c.partner(s, false));
                 Tensor val = c.make(c.bad ? Shape{1} : Shape{}, c.rng.chance(0.8) ? dt : c.any_dtype());
                 return one(torch::masked_fill(x, m, val));
               }});
  v.push_back({"masked_select", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype());
                 return one(x.masked_select(mask_of(c, c.partner(s))));
               }});
  v.push_back({"topk", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.rng.chance(0.8) ? c.mostly_float() : c.any_dtype(), Vals::Distinct);
                 int64_t r = static_cast<int64_t>(s.size());
                 int64_t d = c.inote("dim", c.dim_of(r));
                 int64_t n = r ? s[static_cast<size_t>((d % r + r) % r)] : 1;
                 int64_t k = c.inote("k", c.rng.range(0, n + (c.bad ? 1 : 0)));
                 bool largest = c.bnote("largest", c.rng.chance(0.5));
                 return two(x.topk(k, d, largest, true));
               }});
  v.push_back({"sort", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return two(x.sort(d, c.bnote("desc", c.rng.chance(0.5))));
               }});
  v.push_back({"argsort", [](Ctx& c) {
                 Shape s = c.shape();
                 Tensor x = c.make(s, c.any_dtype(), Vals::Distinct);
                 int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                 return one(torch::argsort(x, d, c.bnote("desc", c.rng.chance(0.5))));
               }});
  v.push_back({"nonzero", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(c.make(s, c.any_dtype()).nonzero());
               }});
}

inline void add_linalg(std::vector<Variant>& v) {
  auto dt2 = [](Ctx& c) {
    Dt a = c.mostly_float();
    Dt b = c.bad && c.rng.chance(0.3) ? c.any_dtype() : a;
    return std::make_pair(a, b);
  };
  v.push_back({"mm", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t n = c.rng.range(0, 3), k = c.rng.range(0, 3), m = c.rng.range(0, 3);
                 Tensor a = c.make({n, k}, da);
                 Tensor b = c.make({c.bad && c.rng.chance(0.6) ? k + 1 : k, m}, db);
                 return one(a.mm(b));
               }});
  v.push_back({"bmm", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t bt = c.rng.range(0, 2), n = c.rng.range(0, 3), k = c.rng.range(0, 3), m = c.rng.range(1, 3);
                 Tensor a = c.make({bt, n, k}, da);
                 Tensor b = c.make(c.bad && c.rng.chance(0.5) ? Shape{bt + 1, k, m} : Shape{bt, k, m}, db);
                 return one(torch::bmm(a, b));
               }});
  v.push_back({"matmul", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t ra = c.rng.range(1, 4), rb = c.rng.range(1, 4);
                 int64_t k = c.rng.range(0, 3);
                 Shape sa, sb;
                 for (int64_t i = 2; i < ra; ++i) sa.push_back(c.rng.range(1, 2));
                 for (int64_t i = 2; i < rb; ++i) sb.push_back(c.rng.range(1, 2));
                 if (ra >= 2) sa.push_back(c.rng.range(0, 3));
                 sa.push_back(k);
                 sb.push_back(c.bad && c.rng.chance(0.6) ? k + 1 : k);
                 if (rb >= 2) sb.push_back(c.rng.range(0, 2));
                 Tensor a = c.make(sa, da);
                 Tensor b = c.make(sb, db);
                 return one(torch::matmul(a, b));
               }});
  v.push_back({"addmm", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t n = c.rng.range(0, 3), k = c.rng.range(0, 3), m = c.rng.range(0, 3);
                 Tensor self = c.make(c.partner({n, m}), da);
                 Tensor a = c.make({n, k}, da);
                 Tensor b = c.make({k, m}, db);
                 double beta = c.dnote("beta", c.rng.pick<double>({1, 0, 0.5, 2}));
                 double alpha = c.dnote("alpha", c.rng.pick<double>({1, 0, -1, 0.5}));
                 if (is_float(da) || c.bad) return one(torch::addmm(self, a, b, beta, alpha));
                 return one(self.addmm(a, b, static_cast<int64_t>(beta), static_cast<int64_t>(alpha)));
               }});
  v.push_back({"dot", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t n = c.rng.range(0, 5);
                 Tensor a = c.make({n}, da);
                 Tensor b = c.make(c.bad && c.rng.chance(0.5) ? Shape{n + 1} : Shape{n}, db);
                 return one(a.dot(b));
               }});
  v.push_back({"mv", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 int64_t n = c.rng.range(0, 3), k = c.rng.range(0, 3);
                 Tensor a = c.make({n, k}, da);
                 Tensor b = c.make(c.bad && c.rng.chance(0.5) ? Shape{k + 1} : Shape{k}, db);
                 return one(torch::mv(a, b));
               }});
  v.push_back({"outer", [dt2](Ctx& c) {
                 auto [da, db] = dt2(c);
                 Tensor a = c.make(c.bad && c.rng.chance(0.3) ? Shape{2, 2} : Shape{c.rng.range(0, 4)}, da);
                 Tensor b = c.make({c.rng.range(0, 4)}, db);
                 return one(torch::outer(a, b));
               }});
}

inline void add_nn(std::vector<Variant>& v) {
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "log_softmax" : "softmax", [which](Ctx& c) {
                   Shape s = c.shape();
                   Tensor x = c.make(s, c.mostly_float());
                   int64_t d = c.inote("dim", c.dim_of(static_cast<int64_t>(s.size())));
                   c10::optional<Dt> dt;
                   if (c.rng.chance(0.3)) dt = c.float_dtype(), c.note("dtype=" + dt_name(*dt));
                   return one(which ? torch::log_softmax(x, d, dt) : torch::softmax(x, d, dt));
                 }});
  }
  v.push_back({"gelu", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 const char* a = c.bad && c.rng.chance(0.5) ? "exact" : c.rng.chance(0.5) ? "none" : "tanh";
                 c.note(std::string("approx=") + a);
                 return one(torch::gelu(x, a));
               }});
  v.push_back({"elu", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 return one(torch::elu(x, c.dnote("alpha", c.rng.pick<double>({1.0, 0.5, 2.0}))));
               }});
  v.push_back({"leaky_relu", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.mostly_float());
                 return one(torch::leaky_relu(x, c.dnote("slope", c.rng.pick<double>({0.01, 0.2, -0.5, 1.5}))));
               }});
  v.push_back({"silu", [](Ctx& c) {
                 Shape s = c.shape();
                 return one(torch::silu(c.make(s, c.mostly_float())));
               }});

  // Losses: regression pairs of broadcastable shapes (mismatching when bad).
  struct L {
    const char* name;
    Tensor (*f)(Ctx&, const Tensor&, const Tensor&, int64_t);
  };
  static const L regression[] = {
      {"mse_loss", [](Ctx&, const Tensor& a, const Tensor& b, int64_t r) { return torch::mse_loss(a, b, r); }},
      {"l1_loss", [](Ctx&, const Tensor& a, const Tensor& b, int64_t r) { return torch::l1_loss(a, b, r); }},
      {"smooth_l1_loss", [](Ctx& c, const Tensor& a, const Tensor& b, int64_t r) {
         return torch::smooth_l1_loss(a, b, r, c.dnote("beta", c.rng.pick<double>({1.0, 0.5, 0.0, c.bad ? -1.0 : 2.0})));
       }},
      {"huber_loss", [](Ctx& c, const Tensor& a, const Tensor& b, int64_t r) {
         return torch::huber_loss(a, b, r, c.dnote("delta", c.rng.pick<double>({1.0, 0.5, 2.0, c.bad ? 0.0 : 1.5})));
       }},
  };
  for (const L& l : regression) {
    const L* lp = &l;
    v.push_back({l.name, [lp](Ctx& c) {
                   Shape s = c.shape();
                   Dt dt = c.mostly_float();
                   Tensor a = c.make(s, dt);
                   Shape b_shape = c.rng.chance(0.7) ? s : c.partner(s);
                   Tensor b = c.make(b_shape, c.rng.chance(0.8) ? dt : c.mostly_float());
                   return one(lp->f(c, a, b, reduction(c)));
                 }});
  }
  v.push_back({"binary_cross_entropy", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Tensor x = c.make(s, dt, c.special ? Vals::Any : Vals::Prob);
                 Tensor t = c.make(c.bad && c.rng.chance(0.3) ? c.partner(s) : s, dt, Vals::Prob);
                 Tensor w;
                 if (c.rng.chance(0.5)) w = c.make(c.rng.chance(0.6) ? c.partner(s, false) : c.partner(s), dt, Vals::Positive);
                 return one(torch::binary_cross_entropy(x, t, w, reduction(c)));
               }});
  v.push_back({"bce_with_logits", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Tensor x = c.make(s, dt);
                 Tensor t = c.make(c.bad && c.rng.chance(0.3) ? c.partner(s) : s, dt, Vals::Prob);
                 Tensor w, pw;
                 if (c.rng.chance(0.5)) w = c.make(c.partner(s, false), dt, Vals::Positive);
                 if (c.rng.chance(0.4)) pw = c.make(s.empty() ? s : Shape{s.back()}, dt, Vals::Positive);
                 return one(torch::binary_cross_entropy_with_logits(x, t, w, pw, reduction(c)));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "cross_entropy" : "nll_loss", [which](Ctx& c) {
                   int64_t C = c.rng.range(1, 4);
                   int64_t form = c.rng.range(0, 3);  // (N, C), (C), (N, C, d), (N, C) with probabilities
                   Shape s = form == 1 ? Shape{C} : Shape{c.rng.range(0, 3), C};
                   if (form == 2) s.push_back(c.rng.range(1, 2));
                   Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                   Tensor x = c.make(s, dt);
                   Tensor tgt;
                   if (which && form == 3) {
                     tgt = c.make(s, dt, Vals::Prob);
                   } else {
                     Shape ts = s;
                     ts.erase(ts.begin() + (form == 1 ? 0 : 1));
                     if (c.bad && c.rng.chance(0.3)) ts.push_back(1);
                     std::vector<double> tv(static_cast<size_t>(numel_of(ts)));
                     for (auto& t : tv) t = static_cast<double>(c.rng.chance(0.15) ? -100 : c.rng.range(0, C - 1));
                     if (c.bad && !tv.empty() && c.rng.chance(0.5)) tv[0] = static_cast<double>(C);
                     Dt tdt = c.bad && c.rng.chance(0.2) ? torch::kInt32 : torch::kInt64;
                     tgt = torch::tensor(tv, torch::dtype(torch::kFloat64)).reshape(ts).to(tdt);
                     c.note("target" + dt_name(tdt) + shape_str(ts));
                   }
                   Tensor w;
                   if (c.rng.chance(0.4)) w = c.make({c.bad && c.rng.chance(0.3) ? C + 1 : C}, dt, Vals::Positive, 0, false);
                   int64_t r = reduction(c);
                   if (which) {
                     double ls = c.dnote("smoothing", c.rng.pick<double>({0.0, 0.0, 0.1}));
                     return one(torch::cross_entropy_loss(x, tgt, w, r, -100, ls));
                   }
                   return one(torch::nll_loss(x, tgt, w, r, -100));
                 }});
  }
  v.push_back({"kl_div", [](Ctx& c) {
                 Shape s = c.shape();
                 Dt dt = c.mostly_float();
                 Tensor x = c.make(s, dt);
                 bool lt = c.bnote("log_target", c.rng.chance(0.5));
                 Tensor t = c.make(c.rng.chance(0.8) ? s : c.partner(s), dt, lt ? Vals::Any : Vals::Prob);
                 return one(torch::kl_div(x, t, reduction(c), lt));
               }});

  v.push_back({"conv2d", [](Ctx& c) {
                 int64_t groups = c.rng.chance(0.3) ? 2 : 1;
                 int64_t cin = groups * c.rng.range(1, 2);
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Shape xs = image_shape(c, cin);
                 int64_t cout = groups * c.rng.range(1, 2);
                 Shape ws{cout, cin / groups + (c.bad && c.rng.chance(0.4) ? 1 : 0), c.rng.range(1, 3), c.rng.range(1, 2)};
                 Tensor x = c.make(xs, dt);
                 Tensor w = c.make(ws, c.bad && c.rng.chance(0.2) ? c.any_dtype() : dt);
                 Tensor b;
                 if (c.rng.chance(0.5)) b = c.make({cout}, dt);
                 Shape st = ints2(c, "stride", c.bad ? 0 : 1, 2), pd = ints2(c, "pad", 0, 1), dl = ints2(c, "dil", 1, 2);
                 return one(torch::conv2d(x, w, b, st, pd, dl, c.inote("groups", groups)));
               }});
  for (int which = 0; which < 2; ++which) {
    v.push_back({which ? "max_pool2d_with_indices" : "max_pool2d", [which](Ctx& c) {
                   Shape xs = image_shape(c, c.rng.range(1, 2), 5);
                   Tensor x = c.make(xs, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype(), Vals::Distinct);
                   Shape k = ints2(c, "kernel", c.bad ? 0 : 1, 3);
                   Shape st = c.rng.chance(0.3) ? c.snote("stride", {}) : ints2(c, "stride", 1, 2);
                   Shape pd = ints2(c, "pad", 0, c.bad ? 2 : 1);
                   Shape dl = ints2(c, "dil", 1, 2);
                   bool cm = c.bnote("ceil", c.rng.chance(0.3));
                   if (which) return two(torch::max_pool2d_with_indices(x, k, st, pd, dl, cm));
                   return one(torch::max_pool2d(x, k, st, pd, dl, cm));
                 }});
  }
  v.push_back({"avg_pool2d", [](Ctx& c) {
                 Shape xs = image_shape(c, c.rng.range(1, 2), 5);
                 Tensor x = c.make(xs, c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype());
                 Shape k = ints2(c, "kernel", c.bad ? 0 : 1, 3);
                 Shape st = c.rng.chance(0.3) ? c.snote("stride", {}) : ints2(c, "stride", 1, 2);
                 Shape pd = ints2(c, "pad", 0, c.bad ? 2 : 1);
                 bool cm = c.bnote("ceil", c.rng.chance(0.3));
                 bool cip = c.bnote("count_pad", c.rng.chance(0.5));
                 c10::optional<int64_t> div;
                 if (c.rng.chance(0.2)) div = c.inote("divisor", c.bad ? 0 : 3);
                 return one(torch::avg_pool2d(x, k, st, pd, cm, cip, div));
               }});
  v.push_back({"layer_norm", [](Ctx& c) {
                 Shape s = c.shape(1, 3);
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Tensor x = c.make(s, dt, Vals::Distinct);
                 int64_t k = c.rng.range(1, static_cast<int64_t>(s.size()));
                 Shape ns(s.end() - k, s.end());
                 if (c.bad && c.rng.chance(0.5)) ns.back() += 1;
                 c.snote("normalized", ns);
                 Tensor w, b;
                 if (c.rng.chance(0.5)) w = c.make(ns, dt);
                 if (c.rng.chance(0.5)) b = c.make(ns, dt);
                 return one(torch::layer_norm(x, ns, w, b, 1e-5, true));
               }});
  v.push_back({"batch_norm", [](Ctx& c) {
                 int64_t C = c.rng.range(1, 3);
                 Shape s{c.rng.range(1, 3), C};
                 if (c.rng.chance(0.5)) s.push_back(c.rng.range(1, 3));
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Tensor x = c.make(s, dt, Vals::Distinct);
                 bool training = c.bnote("training", c.rng.chance(0.6));
                 Tensor w, b, rm, rv;
                 // weight and bias contiguous: LibTorch 1.13's training backward reads an expanded
                 // (stride 0) weight past its storage and returns garbage for the input's gradient.
                 if (c.rng.chance(0.6)) w = c.make({C}, dt, Vals::Any, 0);
                 if (c.rng.chance(0.6)) b = c.make({C}, dt, Vals::Any, 0);
                 if (!training || c.rng.chance(0.6)) {
                   rm = c.make({c.bad && c.rng.chance(0.4) ? C + 1 : C}, dt, Vals::Any, 0, false);
                   rv = c.make({C}, dt, Vals::Positive, 0, false);
                 }
                 double mom = c.dnote("momentum", c.rng.pick<double>({0.1, 0.5}));
                 Tensor y = torch::batch_norm(x, w, b, rm, rv, training, mom, 1e-5, false);
                 return TL{y, rm, rv};
               }});
  v.push_back({"group_norm", [](Ctx& c) {
                 int64_t g = c.rng.range(1, 2);
                 int64_t C = g * c.rng.range(1, 2);
                 if (c.bad && c.rng.chance(0.5)) C += 1;
                 Shape s{c.rng.range(1, 2), C};
                 if (c.rng.chance(0.6)) s.push_back(c.rng.range(1, 3));
                 Dt dt = c.rng.chance(0.9) ? c.float_dtype() : c.any_dtype();
                 Tensor x = c.make(s, dt, Vals::Distinct);
                 Tensor w, b;
                 if (c.rng.chance(0.5)) w = c.make({C}, dt);
                 if (c.rng.chance(0.5)) b = c.make({C}, dt);
                 return one(torch::group_norm(x, c.inote("groups", g), w, b, 1e-5, true));
               }});
}

inline void add_factories(std::vector<Variant>& v) {
  v.push_back({"full", [](Ctx& c) {
                 Shape s = c.snote("size", c.shape(0, 2));
                 if (c.bad && c.rng.chance(0.5)) s.push_back(-1), c.note("negative");
                 torch::Scalar val = c.scalar(torch::kFloat64);
                 if (c.rng.chance(0.4)) {
                   Dt dt = c.any_dtype();
                   c.note("dtype=" + dt_name(dt));
                   return one(torch::full(s, val, torch::dtype(dt)));
                 }
                 return one(torch::full(s, val));
               }});
  v.push_back({"arange", [](Ctx& c) {
                 int64_t form = c.rng.range(0, 2);
                 bool fl = c.rng.chance(0.4);
                 auto num = [&](int64_t lo, int64_t hi) {
                   return fl ? torch::Scalar(static_cast<double>(c.rng.range(lo * 4, hi * 4)) / 4) : torch::Scalar(c.rng.range(lo, hi));
                 };
                 torch::Scalar a = num(-5, 5), b = num(-5, 8);
                 torch::Scalar st = c.bad && c.rng.chance(0.5) ? torch::Scalar(int64_t{0}) : num(1, 3);
                 if (!fl && st.toLong() == 0 && !c.bad) st = torch::Scalar(int64_t{1});
                 if (b.toDouble() < a.toDouble() && c.rng.chance(0.7)) st = -st;
                 c10::optional<Dt> dt;
                 if (c.rng.chance(0.4)) dt = c.any_dtype(), c.note("dtype=" + dt_name(*dt));
                 torch::TensorOptions o = dt ? torch::dtype(*dt) : torch::TensorOptions();
                 c.note("args=" + scalar_str(a) + "," + scalar_str(b) + "," + scalar_str(st) + " form=" + std::to_string(form));
                 if (form == 0) return one(torch::arange(b, o));
                 if (form == 1) return one(torch::arange(a, b, o));
                 return one(torch::arange(a, b, st, o));
               }});
  v.push_back({"linspace", [](Ctx& c) {
                 double a = c.dnote("start", static_cast<double>(c.rng.range(-12, 12)) / 2);
                 double b = c.dnote("end", static_cast<double>(c.rng.range(-12, 14)) / 2);
                 int64_t n = c.inote("steps", c.rng.range(c.bad ? -1 : 0, 8));
                 if (c.rng.chance(0.5)) {
                   Dt dt = c.any_dtype();
                   c.note("dtype=" + dt_name(dt));
                   return one(torch::linspace(a, b, n, torch::dtype(dt)));
                 }
                 return one(torch::linspace(c.rng.chance(0.5) ? torch::Scalar(static_cast<int64_t>(a)) : torch::Scalar(a), b, n));
               }});
  v.push_back({"zeros_ones", [](Ctx& c) {
                 Shape s = c.snote("size", c.shape(0, 3));
                 if (c.bad) s.push_back(-2), c.note("negative");
                 Dt dt = c.any_dtype();
                 c.note("dtype=" + dt_name(dt));
                 bool ones = c.bnote("ones", c.rng.chance(0.5));
                 return one(ones ? torch::ones(s, torch::dtype(dt)) : torch::zeros(s, dt));
               }});
  v.push_back({"eye", [](Ctx& c) {
                 int64_t n = c.inote("n", c.rng.range(c.bad ? -1 : 0, 4));
                 Dt dt = c.any_dtype();
                 c.note("dtype=" + dt_name(dt));
                 if (c.rng.chance(0.5)) return one(torch::eye(n, c.inote("m", c.rng.range(0, 4)), torch::dtype(dt)));
                 return one(torch::eye(n, torch::dtype(dt)));
               }});
  v.push_back({"like", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.any_dtype());
                 int64_t k = c.inote("kind", c.rng.range(0, 2));
                 if (k == 0) return one(torch::zeros_like(x));
                 if (k == 1) return one(torch::ones_like(x, torch::dtype(c.float_dtype())));
                 return one(torch::full_like(x, c.scalar(x.scalar_type())));
               }});
}

// Autograd through a chain: a few ops whose gradient meets at shared inputs.
inline void add_chains(std::vector<Variant>& v) {
  v.push_back({"chain_normalize", [](Ctx& c) {
                 Shape s = c.shape(2, 2);
                 Tensor x = c.make(s, c.float_dtype());
                 return one((x - x.mean(Shape{0})) / x.std(0));
               }});
  v.push_back({"chain_reuse", [](Ctx& c) {
                 Shape x_shape = c.shape();
                 Tensor x = c.make(x_shape, c.float_dtype());
                 Tensor y = x * x + x.sin() - x.exp().clamp_max(4);
                 return TL{y, y.sum() * x.abs()};
               }});
  v.push_back({"chain_inplace_view", [](Ctx& c) {
                 Shape s = c.shape(2, 2, 3, false);
                 Tensor x = c.make(s, c.float_dtype());
                 Tensor y = x * 2;
                 Tensor row = y.select(0, 0);
                 row.mul_(c.make({s[1]}, x.scalar_type()));
                 return TL{y, row};
               }});
}

}  // namespace diffcase

// More variants, in files of their own (each opens namespace diffcase): pointwise math, comparison
// and bitwise ops on edge values; reductions, shape and indexing ops, and nn::functional calls.
#include "cases_more.h"
#include "cases_pointwise_more.h"
#include "cases_linalg_conv.h"
#include "cases_autograd_optim.h"

namespace diffcase {

inline const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = [] {
    std::vector<Variant> v;
    add_pointwise(v);
    add_inplace(v);
    add_reductions(v);
    add_shape(v);
    add_indexing(v);
    add_linalg(v);
    add_nn(v);
    add_factories(v);
    add_chains(v);
    add_pointwise_more(v);
    add_more(v);
    add_linalg_conv(v);
    add_autograd_optim(v);
    return v;
  }();
  return all;
}

}  // namespace diffcase
