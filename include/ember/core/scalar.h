// Scalar: a number passed to an op (double, int64 or bool), as c10::Scalar.
#pragma once
#include <cstdint>
#include <ostream>
#include <type_traits>

#include "ember/core/dtype.h"

namespace ember {

class Scalar {
 public:
  Scalar() : Scalar(int64_t(0)) {}
  Scalar(bool v) : tag_(ScalarType::Bool) { i_ = v; }
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : tag_(ScalarType::Long) { i_ = static_cast<int64_t>(v); }
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : tag_(ScalarType::Double) { d_ = static_cast<double>(v); }

  bool isFloatingPoint() const { return tag_ == ScalarType::Double; }
  bool isIntegral(bool include_bool) const {
    return tag_ == ScalarType::Long || (include_bool && tag_ == ScalarType::Bool);
  }
  bool isBoolean() const { return tag_ == ScalarType::Bool; }
  // The dtype a Python number of this kind becomes: Double, Long or Bool.
  ScalarType type() const { return tag_; }

  double toDouble() const { return tag_ == ScalarType::Double ? d_ : static_cast<double>(i_); }
  float toFloat() const { return static_cast<float>(toDouble()); }
  int64_t toLong() const { return tag_ == ScalarType::Double ? static_cast<int64_t>(d_) : i_; }
  int toInt() const { return static_cast<int>(toLong()); }
  bool toBool() const { return tag_ == ScalarType::Double ? d_ != 0 : i_ != 0; }
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) return toBool();
    else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(toDouble());
    else return static_cast<T>(toLong());
  }
  // Whether the value is out of `dtype`'s range, by c10's rule: infinities fit floating types, NaN
  // fits only floating types, and negative integers may wrap into unsigned ones.
  bool overflows(ScalarType dtype) const;
  Scalar operator-() const {
    return tag_ == ScalarType::Double ? Scalar(-d_) : Scalar(-i_);
  }

 private:
  ScalarType tag_;
  union {
    double d_;
    int64_t i_;
  };
};

// As LibTorch prints a Scalar: the number (a double with the stream's precision), or true/false.
inline std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  if (s.isFloatingPoint()) return os << s.toDouble();
  if (s.isBoolean()) return os << (s.toBool() ? "true" : "false");
  return os << s.toLong();
}

// Throws "value cannot be converted to type uint8_t without overflow" (LibTorch's words) when `v` does
// not fit `dtype`; ops that store a Scalar into a tensor (fill_, full, linspace, clamp,
// masked_fill) call it before writing anything.
void check_value_fits(const Scalar& v, ScalarType dtype);

}  // namespace ember
