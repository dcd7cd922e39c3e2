// Element types (ScalarType), their sizes and names, PyTorch's promotion table, and dtype dispatch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

#include "ember/core/error.h"

namespace ember {

// Numbered as c10::ScalarType so that values read from PyTorch files map directly.
enum class ScalarType : int8_t {
  Byte = 0,
  Int = 3,
  Long = 4,
  Float = 6,
  Double = 7,
  Bool = 11,
  Undefined = -1,
};

constexpr ScalarType kByte = ScalarType::Byte;
constexpr ScalarType kUInt8 = ScalarType::Byte;
constexpr ScalarType kInt = ScalarType::Int;
constexpr ScalarType kInt32 = ScalarType::Int;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
constexpr ScalarType kFloat64 = ScalarType::Double;
constexpr ScalarType kBool = ScalarType::Bool;

constexpr size_t element_size(ScalarType t) {
  switch (t) {
    case ScalarType::Byte:
    case ScalarType::Bool:
      return 1;
    case ScalarType::Int:
    case ScalarType::Float:
      return 4;
    case ScalarType::Long:
    case ScalarType::Double:
      return 8;
    default:
      return 0;
  }
}
constexpr bool is_floating_type(ScalarType t) {
  return t == ScalarType::Float || t == ScalarType::Double;
}
constexpr bool is_integral_type(ScalarType t, bool include_bool) {
  return t == ScalarType::Byte || t == ScalarType::Int || t == ScalarType::Long ||
         (include_bool && t == ScalarType::Bool);
}
inline bool isFloatingType(ScalarType t) { return is_floating_type(t); }
inline bool isIntegralType(ScalarType t, bool include_bool) { return is_integral_type(t, include_bool); }

// LibTorch's short name ("Float"); PyTorch's Python name is torch_name() ("torch.float32").
const char* to_string(ScalarType t);
const char* torch_name(ScalarType t);
// The C++ element type's name as LibTorch's caffe2::TypeMeta prints it ("float", "long int").
const char* cpp_type_name(ScalarType t);
inline const char* toString(ScalarType t) { return to_string(t); }
std::ostream& operator<<(std::ostream& os, ScalarType t);

// What Tensor::dtype() returns, as LibTorch's caffe2::TypeMeta: it converts to ScalarType, and
// prints the C++ element type ("float", "long int") where a ScalarType prints "Float".
class TypeMeta {
 public:
  constexpr TypeMeta() = default;
  constexpr explicit TypeMeta(ScalarType t) : t_(t) {}
  constexpr operator ScalarType() const { return t_; }
  constexpr ScalarType toScalarType() const { return t_; }
  constexpr size_t itemsize() const { return element_size(t_); }
  std::string name() const { return cpp_type_name(t_); }
  template <typename T>
  static constexpr TypeMeta Make();
  template <typename T>
  constexpr bool Match() const;
  friend constexpr bool operator==(TypeMeta a, TypeMeta b) { return a.t_ == b.t_; }
  friend constexpr bool operator!=(TypeMeta a, TypeMeta b) { return a.t_ != b.t_; }
  friend constexpr bool operator==(TypeMeta a, ScalarType b) { return a.t_ == b; }
  friend constexpr bool operator!=(TypeMeta a, ScalarType b) { return a.t_ != b; }
  friend constexpr bool operator==(ScalarType a, TypeMeta b) { return a == b.t_; }
  friend constexpr bool operator!=(ScalarType a, TypeMeta b) { return a != b.t_; }

 private:
  ScalarType t_ = ScalarType::Undefined;
};
inline std::ostream& operator<<(std::ostream& os, TypeMeta m) { return os << cpp_type_name(m.toScalarType()); }
constexpr ScalarType typeMetaToScalarType(TypeMeta m) { return m.toScalarType(); }
constexpr TypeMeta scalarTypeToTypeMeta(ScalarType t) { return TypeMeta(t); }

// The result dtype of combining two dtypes of the same priority (c10::promoteTypes).
ScalarType promote_types(ScalarType a, ScalarType b);
inline ScalarType promoteTypes(ScalarType a, ScalarType b) { return promote_types(a, b); }

ScalarType get_default_dtype();
void set_default_dtype(ScalarType t);

template <typename T>
constexpr ScalarType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return ScalarType::Float;
  else if constexpr (std::is_same_v<T, double>) return ScalarType::Double;
  else if constexpr (std::is_same_v<T, int64_t>) return ScalarType::Long;
  else if constexpr (std::is_same_v<T, int32_t>) return ScalarType::Int;
  else if constexpr (std::is_same_v<T, uint8_t>) return ScalarType::Byte;
  else if constexpr (std::is_same_v<T, bool>) return ScalarType::Bool;
  else return ScalarType::Undefined;
}
template <typename T>
constexpr TypeMeta TypeMeta::Make() {
  return TypeMeta(dtype_of<T>());
}
template <typename T>
constexpr bool TypeMeta::Match() const {
  return dtype_of<T>() == t_;
}
template <typename T>
constexpr bool is_ember_dtype_v = dtype_of<T>() != ScalarType::Undefined;

// Calls f(T{}) with T the C++ type of `t`; `what` names the caller for the error.
template <typename F>
decltype(auto) visit_dtype(ScalarType t, const char* what, F&& f) {
  switch (t) {
    case ScalarType::Float: return f(float{});
    case ScalarType::Double: return f(double{});
    case ScalarType::Long: return f(int64_t{});
    case ScalarType::Int: return f(int32_t{});
    case ScalarType::Byte: return f(uint8_t{});
    case ScalarType::Bool: return f(bool{});
    default: fail(what, ": unsupported dtype");
  }
}
// Same, floating types only.
template <typename F>
decltype(auto) visit_floating(ScalarType t, const char* what, F&& f) {
  switch (t) {
    case ScalarType::Float: return f(float{});
    case ScalarType::Double: return f(double{});
    default: fail("\"", what, "\" not implemented for '", to_string(t), "'");
  }
}

}  // namespace ember
