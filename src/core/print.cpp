// Printing: PyTorch's Python repr of a tensor (torch/_tensor_str.py's rules), read straight from
// strided memory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/grad_fn_name.h"
#include "ember/core/generator.h"
#include "ember/core/tensor.h"

namespace ember {

namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

struct Reader {
  const char* base;
  ScalarType dtype;
  double as_double(int64_t off) const {
    const char* p = base + off * static_cast<int64_t>(element_size(dtype));
    return visit_dtype(dtype, "print", [&](auto tag) {
      using T = decltype(tag);
      return static_cast<double>(*reinterpret_cast<const T*>(p));
    });
  }
  int64_t as_int(int64_t off) const {
    const char* p = base + off * static_cast<int64_t>(element_size(dtype));
    return visit_dtype(dtype, "print", [&](auto tag) {
      using T = decltype(tag);
      return static_cast<int64_t>(*reinterpret_cast<const T*>(p));
    });
  }
};

// printf of one value with a "%.*e" or "%.*f" format, at PyTorch's print precision by default.
std::string fmt(const char* f, double v, int precision = kPrecision) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, precision, v);
  return buf;
}

class Formatter {
 public:
  Formatter(const Reader& r, const std::vector<int64_t>& offsets) : r_(r) {
    floating_ = is_floating_type(r.dtype);
    if (!floating_) {
      for (int64_t off : offsets) width_ = std::max<int64_t>(width_, int_str(off).size());
      return;
    }
    std::vector<double> vals;
    for (int64_t off : offsets) {
      double v = r.as_double(off);
      if (std::isfinite(v) && v != 0) vals.push_back(v);
    }
    if (vals.empty()) return;
    double mn = INFINITY, mx = 0;
    for (double v : vals) {
      mn = std::min(mn, std::fabs(v));
      mx = std::max(mx, std::fabs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    if (int_mode_) {
      if (mx / mn > 1000. || mx > 1e8) {
        sci_ = true;
        for (double v : vals) width_ = std::max<int64_t>(width_, fmt("%.*e", v).size());
      } else {
        for (double v : vals) width_ = std::max<int64_t>(width_, fmt("%.*f", v, 0).size() + 1);
      }
    } else {
      if (mx / mn > 1000. || mx > 1e8 || mn < 1e-4) {
        sci_ = true;
        for (double v : vals) width_ = std::max<int64_t>(width_, fmt("%.*e", v).size());
      } else {
        for (double v : vals) width_ = std::max<int64_t>(width_, fmt("%.*f", v).size());
      }
    }
  }
  int64_t width() const { return width_; }
  std::string format(int64_t off) const {
    std::string s;
    if (floating_) {
      double v = r_.as_double(off);
      // printf writes "-nan" for a NaN with its sign bit set; Python never does.
      if (std::isnan(v))
        s = "nan";
      else if (sci_)
        s = fmt("%.*e", v);
      else if (int_mode_) {
        s = fmt("%.*f", v, 0);
        if (std::isfinite(v)) s += ".";
      } else s = fmt("%.*f", v);
    } else {
      s = int_str(off);
    }
    if (static_cast<int64_t>(s.size()) < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  std::string int_str(int64_t off) const {
    if (r_.dtype == kBool) return r_.as_int(off) ? "True" : "False";
    return std::to_string(r_.as_int(off));
  }
  const Reader& r_;
  bool floating_ = false;
  bool int_mode_ = true;
  bool sci_ = false;
  int64_t width_ = 1;
};

// Indices kept along a dim of size n: all of them, or the edge items when summarizing.
std::vector<int64_t> kept(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
    for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  }
  return idx;
}

void collect(const Tensor& t, int64_t d, int64_t off, bool summarize, std::vector<int64_t>& out) {
  if (d == t.dim()) {
    out.push_back(off);
    return;
  }
  for (int64_t i : kept(t.size(d), summarize)) collect(t, d + 1, off + i * t.stride(d), summarize, out);
}

std::string vector_str(const Tensor& t, int64_t d, int64_t off, int64_t indent, bool summarize,
                       const Formatter& f) {
  int64_t element_length = f.width() + 2;
  int64_t per_line = std::max<int64_t>(1, (kLineWidth - indent) / element_length);
  int64_t n = t.size(d);
  std::vector<std::string> data;
  bool cut = summarize && n > 2 * kEdgeItems;
  for (int64_t i : kept(n, summarize)) {
    if (cut && i == n - kEdgeItems) data.push_back(" ...");
    data.push_back(f.format(off + i * t.stride(d)));
  }
  std::string s = "[";
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) s += (i % per_line == 0) ? ",\n" + std::string(indent + 1, ' ') : ", ";
    s += data[i];
  }
  return s + "]";
}

std::string tensor_str(const Tensor& t, int64_t d, int64_t off, int64_t indent, bool summarize,
                       const Formatter& f) {
  int64_t remaining = t.dim() - d;
  if (remaining == 0) return f.format(off);
  if (remaining == 1) return vector_str(t, d, off, indent, summarize, f);
  int64_t n = t.size(d);
  bool cut = summarize && n > 2 * kEdgeItems;
  std::string sep = "," + std::string(remaining - 1, '\n') + std::string(indent + 1, ' ');
  std::string s = "[";
  bool first = true;
  for (int64_t i : kept(n, summarize)) {
    if (!first) s += sep;
    if (cut && i == n - kEdgeItems) s += "..." + sep;
    s += tensor_str(t, d + 1, off + i * t.stride(d), indent + 1, summarize, f);
    first = false;
  }
  return s + "]";
}

std::string add_suffixes(const std::string& body, const std::vector<std::string>& suffixes, int64_t indent) {
  std::string out = body;
  size_t nl = body.rfind('\n');
  int64_t last_line_len = static_cast<int64_t>(body.size()) - (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const auto& s : suffixes) {
    int64_t len = static_cast<int64_t>(s.size());
    if (last_line_len + len + 2 > kLineWidth) {
      out += ",\n" + std::string(indent, ' ') + s;
      last_line_len = indent + len;
    } else {
      out += ", " + s;
      last_line_len += len + 2;
    }
  }
  return out + ")";
}

}  // namespace

std::string repr(const Tensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  ScalarType dt = t.dtype();
  bool default_dtype = dt == get_default_dtype() || dt == kLong || dt == kBool;
  std::string body;
  if (t.numel() == 0) {
    if (t.dim() != 1) {
      std::string sz = "size=(";
      for (int64_t i = 0; i < t.dim(); ++i) sz += (i ? ", " : "") + std::to_string(t.size(i));
      if (t.dim() == 1) sz += ",";
      suffixes.push_back(sz + ")");
    }
    if (dt != get_default_dtype()) suffixes.push_back(std::string("dtype=") + torch_name(dt));
    body = "[]";
  } else {
    if (!default_dtype) suffixes.push_back(std::string("dtype=") + torch_name(dt));
    bool summarize = t.numel() > kThreshold;
    Reader r{static_cast<const char*>(t.unsafeGetTensorImpl()->data()), dt};
    std::vector<int64_t> offsets;
    collect(t, 0, 0, summarize, offsets);
    Formatter f(r, offsets);
    body = tensor_str(t, 0, 0, indent, summarize, f);
  }
  if (const char* name = detail::grad_fn_name(t)) suffixes.push_back(std::string("grad_fn=<") + name + ">");
  else if (t.requires_grad()) suffixes.push_back("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << repr(t); }

std::string DeprecatedTypeProperties::toString() const {
  if (t_ == ScalarType::Undefined) return "UndefinedType";
  return std::string("CPU") + to_string(t_) + "Type";
}

const DeprecatedTypeProperties& Tensor::type() const {
  static const DeprecatedTypeProperties kinds[] = {
      DeprecatedTypeProperties(kByte),  DeprecatedTypeProperties(kInt),    DeprecatedTypeProperties(kLong),
      DeprecatedTypeProperties(kFloat), DeprecatedTypeProperties(kDouble), DeprecatedTypeProperties(kBool)};
  for (const auto& k : kinds)
    if (k.scalarType() == scalar_type()) return k;
  fail("type(): unsupported dtype ", to_string(scalar_type()));
}

std::string Tensor::toString() const {
  return defined() ? type().toString() : DeprecatedTypeProperties(ScalarType::Undefined).toString();
}

int64_t Tensor::size(int64_t d) const { return sizes()[maybe_wrap_dim(d, dim(), false)]; }
int64_t Tensor::stride(int64_t d) const { return strides()[maybe_wrap_dim(d, dim(), false)]; }

Generator& default_generator() {
  static Generator g;
  return g;
}
void manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(default_generator().mutex());
  default_generator().set_current_seed(seed);
}

}  // namespace ember
