// Errors, dtype names and promotion, devices, shape helpers and TensorImpl geometry.
#include <cmath>
#include <limits>

#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/error.h"
#include "ember/core/scalar.h"
#include "ember/core/shape.h"
#include "ember/core/tensor_impl.h"
#include "core/alloc_limit.h"

namespace ember {

namespace detail {
void throw_error(const std::string& msg) { throw Error(msg); }
}  // namespace detail

const char* to_string(ScalarType t) {
  switch (t) {
    case ScalarType::Byte: return "Byte";
    case ScalarType::Int: return "Int";
    case ScalarType::Long: return "Long";
    case ScalarType::Float: return "Float";
    case ScalarType::Double: return "Double";
    case ScalarType::Bool: return "Bool";
    default: return "Undefined";
  }
}

const char* torch_name(ScalarType t) {
  switch (t) {
    case ScalarType::Byte: return "torch.uint8";
    case ScalarType::Int: return "torch.int32";
    case ScalarType::Long: return "torch.int64";
    case ScalarType::Float: return "torch.float32";
    case ScalarType::Double: return "torch.float64";
    case ScalarType::Bool: return "torch.bool";
    default: return "torch.undefined";
  }
}

const char* cpp_type_name(ScalarType t) {
  switch (t) {
    case ScalarType::Byte: return "unsigned char";
    case ScalarType::Int: return "int";
    case ScalarType::Long: return "long int";
    case ScalarType::Float: return "float";
    case ScalarType::Double: return "double";
    case ScalarType::Bool: return "bool";
    default: return "undefined";
  }
}

std::ostream& operator<<(std::ostream& os, ScalarType t) { return os << to_string(t); }

bool Scalar::overflows(ScalarType dtype) const {
  // A bool fits everything, and every type takes a bool (c10 converts to bool unchecked).
  if (tag_ == ScalarType::Bool || dtype == ScalarType::Bool || dtype == ScalarType::Double) return false;
  const bool floating = dtype == ScalarType::Float;
  double lo = 0, hi = 0;
  switch (dtype) {
    case ScalarType::Byte: lo = 0, hi = 255; break;
    case ScalarType::Int: lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max(); break;
    case ScalarType::Long: lo = -0x1p63, hi = 0x1p63; break;
    default: lo = -std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::max(); break;
  }
  if (tag_ == ScalarType::Long) {
    if (floating || dtype == ScalarType::Long) return false;
    // Negative integers wrap into unsigned types (two's complement), as long as their magnitude fits.
    if (dtype == ScalarType::Byte) return i_ > 255 || i_ < -255;
    return static_cast<double>(i_) < lo || static_cast<double>(i_) > hi;
  }
  if (std::isnan(d_)) return !floating;
  if (std::isinf(d_)) return !floating;
  // 2^63 itself does not fit int64, hence >= for the upper bound of Long.
  return d_ < lo || (dtype == ScalarType::Long ? d_ >= hi : d_ > hi);
}

void check_value_fits(const Scalar& v, ScalarType dtype) {
  if (!v.overflows(dtype)) return;
  const char* name = dtype == ScalarType::Byte ? "uint8_t"
                     : dtype == ScalarType::Int ? "int"
                     : dtype == ScalarType::Long ? "int64_t"
                                                 : "float";
  fail("value cannot be converted to type ", name, " without overflow");
}

ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if (a == ScalarType::Undefined) return b;
  if (b == ScalarType::Undefined) return a;
  if (a == ScalarType::Bool) return b;
  if (b == ScalarType::Bool) return a;
  // Order of "width" among the remaining types: Byte < Int < Long < Float < Double.
  auto rank = [](ScalarType t) {
    switch (t) {
      case ScalarType::Byte: return 0;
      case ScalarType::Int: return 1;
      case ScalarType::Long: return 2;
      case ScalarType::Float: return 3;
      default: return 4;
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

namespace {
ScalarType g_default_dtype = ScalarType::Float;
}
ScalarType get_default_dtype() { return g_default_dtype; }
void set_default_dtype(ScalarType t) {
  EMBER_CHECK(is_floating_type(t), "only floating-point types are supported as the default type");
  g_default_dtype = t;
}

Device::Device(const std::string& spec) : type_(DeviceType::CPU), index_(-1) {
  std::string kind = spec;
  auto colon = spec.find(':');
  if (colon != std::string::npos) {
    kind = spec.substr(0, colon);
    std::string idx = spec.substr(colon + 1);
    EMBER_CHECK(!idx.empty() && idx.size() < 4 && idx.find_first_not_of("0123456789") == std::string::npos,
                "Invalid device string: '", spec, "'");
    index_ = static_cast<int8_t>(std::stoi(idx));
  }
  if (kind == "cpu") type_ = DeviceType::CPU;
  else if (kind == "cuda") type_ = DeviceType::CUDA;
  else fail("Expected one of cpu, cuda device type at start of device string: ", spec);
}

std::string Device::str() const {
  std::string s = type_ == DeviceType::CPU ? "cpu" : "cuda";
  if (index_ >= 0) s += ":" + std::to_string(index_);
  return s;
}
std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }
std::ostream& operator<<(std::ostream& os, DeviceType t) { return os << (t == DeviceType::CPU ? "cpu" : "cuda"); }

void throw_no_cuda(const char* what) {
  fail(what, ": Torch not compiled with CUDA enabled (ember computes on the CPU only; "
             "torch::cuda::is_available() is false)");
}

int64_t maybe_wrap_dim(int64_t dim, int64_t ndim, bool wrap_scalar) {
  if (ndim <= 0) {
    EMBER_CHECK(wrap_scalar, "dimension specified as ", dim, " but tensor has no dimensions");
    ndim = 1;
  }
  int64_t lo = -ndim, hi = ndim - 1;
  EMBER_CHECK(dim >= lo && dim <= hi, "Dimension out of range (expected to be in range of [", lo, ", ", hi,
              "], but got ", dim, ")");
  return dim < 0 ? dim + ndim : dim;
}

int64_t numel_of(IntArrayRef sizes) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : sizes) {
    if (s == 0) return 0;
    overflow |= __builtin_mul_overflow(n, s, &n);
  }
  EMBER_CHECK(!overflow, "numel: integer multiplication overflow");
  return n;
}

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector st(sizes.size(), 1);
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    st[i] = acc;
    acc *= std::max<int64_t>(sizes[i], 1);
  }
  return st;
}

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  size_t n = std::max(a.size(), b.size());
  DimVector out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, "The size of tensor a (", da, ") must match the size of tensor b (",
                db, ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Largest element count a tensor may have: keeps a bad size from asking for terabytes.
static constexpr int64_t kMaxBytes = int64_t(1) << 40;

void check_allocatable(ScalarType dtype, IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", sizes);
    EMBER_CHECK(s == 0 || n <= kMaxBytes / s, "tensor of size ", sizes, " is too large to allocate");
    n *= s;
  }
  EMBER_CHECK(n <= kMaxBytes / static_cast<int64_t>(element_size(dtype)), "tensor of size ", sizes,
              " is too large to allocate");
}

TensorImpl::TensorImpl(ScalarType dtype, IntArrayRef sizes) : sizes_(sizes), dtype_(dtype) {
  check_allocatable(dtype, sizes);
  const int64_t n = numel_of(sizes);
  storage_ = make_intrusive<StorageImpl>(static_cast<size_t>(n) * element_size(dtype));
  strides_ = contiguous_strides(sizes);
  refresh();
}

void TensorImpl::refresh() {
  numel_ = numel_of(sizes_);
  bool contig = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      contig = false;
      break;
    }
    expected *= sizes_[i];
  }
  is_contiguous_ = contig || numel_ == 0;
}

}  // namespace ember
