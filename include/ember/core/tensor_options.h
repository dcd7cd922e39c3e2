// TensorOptions: dtype, device and requires_grad for factories, with chained setters.
#pragma once
#include <optional>

#include "ember/core/device.h"
#include "ember/core/dtype.h"

namespace ember {

enum class Layout : int8_t { Strided = 0 };
constexpr Layout kStrided = Layout::Strided;
// Contiguous: row-major. Preserve: as the source where that is dense (see Tensor::clone). ChannelsLast
// (4-D) and ChannelsLast3d (5-D): the channel dim varies fastest, (N, H, W, C) in memory.
enum class MemoryFormat : int8_t { Contiguous = 0, Preserve = 1, ChannelsLast = 2, ChannelsLast3d = 3 };

class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType t) : dtype_(t) {}
  TensorOptions(TypeMeta t) : dtype_(t.toScalarType()) {}
  TensorOptions(Device d) : device_(d) {}
  TensorOptions(DeviceType d) : device_(Device(d)) {}
  TensorOptions(Layout) {}

  TensorOptions dtype(ScalarType t) const {
    TensorOptions o = *this;
    o.dtype_ = t;
    return o;
  }
  TensorOptions dtype(TypeMeta t) const { return dtype(t.toScalarType()); }
  TensorOptions dtype(std::optional<ScalarType> t) const {
    TensorOptions o = *this;
    o.dtype_ = t;
    return o;
  }
  template <typename T>
  TensorOptions dtype() const {
    return dtype(dtype_of<T>());
  }
  TensorOptions device(Device d) const {
    TensorOptions o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    TensorOptions o = *this;
    o.requires_grad_ = r;
    return o;
  }
  TensorOptions layout(Layout) const { return *this; }
  TensorOptions memory_format(MemoryFormat) const { return *this; }
  TensorOptions pinned_memory(bool) const { return *this; }

  // dtype() is the default dtype when none was set, as in LibTorch.
  ScalarType dtype() const { return dtype_ ? *dtype_ : get_default_dtype(); }
  bool has_dtype() const { return dtype_.has_value(); }
  std::optional<ScalarType> dtype_opt() const { return dtype_; }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }
  Layout layout() const { return kStrided; }

 private:
  std::optional<ScalarType> dtype_;
  Device device_{DeviceType::CPU};
  bool requires_grad_ = false;
};

inline TensorOptions dtype(ScalarType t) { return TensorOptions().dtype(t); }
template <typename T>
TensorOptions dtype() {
  return TensorOptions().dtype(dtype_of<T>());
}
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }
inline TensorOptions layout(Layout l) { return TensorOptions(l); }

}  // namespace ember
