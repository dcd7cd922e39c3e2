// ExpandingArray<D>: an option field of D values given as one value (repeated) or as D values, as
// LibTorch's torch::ExpandingArray; ExpandingArrayWithOptionalElem<D> also allows "None" entries.
#pragma once
#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/shape.h"

namespace ember {

template <size_t D, typename T = int64_t>
class ExpandingArray {
 public:
  ExpandingArray(std::initializer_list<T> list) : ExpandingArray(ArrayRef<T>(list)) {}
  ExpandingArray(std::vector<T> list) : ExpandingArray(ArrayRef<T>(list)) {}
  ExpandingArray(ArrayRef<T> values) {
    EMBER_CHECK(values.size() == D, "Expected ", D, " values, but instead got ", values.size());
    std::copy(values.begin(), values.end(), values_.begin());
  }
  ExpandingArray(T single_size) { values_.fill(single_size); }
  ExpandingArray(const std::array<T, D>& values) : values_(values) {}

  std::array<T, D>& operator*() { return values_; }
  const std::array<T, D>& operator*() const { return values_; }
  std::array<T, D>* operator->() { return &values_; }
  const std::array<T, D>* operator->() const { return &values_; }
  operator ArrayRef<T>() const { return ArrayRef<T>(values_.data(), D); }
  T& operator[](size_t i) { return values_[i]; }
  const T& operator[](size_t i) const { return values_[i]; }
  size_t size() const noexcept { return D; }

 protected:
  std::array<T, D> values_;
};

// One value prints bare, several as a list (LibTorch's format: kernel_size=3, kernel_size=[3, 3]).
template <size_t D, typename T>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, T>& a) {
  if (D == 1) return os << a[0];
  return os << ArrayRef<T>(a);
}

template <size_t D>
class ExpandingArrayWithOptionalElem : public ExpandingArray<D, std::optional<int64_t>> {
  using Base = ExpandingArray<D, std::optional<int64_t>>;

 public:
  using Base::Base;
  ExpandingArrayWithOptionalElem(std::initializer_list<int64_t> list)
      : ExpandingArrayWithOptionalElem(ArrayRef<int64_t>(list)) {}
  ExpandingArrayWithOptionalElem(std::vector<int64_t> list) : ExpandingArrayWithOptionalElem(ArrayRef<int64_t>(list)) {}
  ExpandingArrayWithOptionalElem(ArrayRef<int64_t> values) : Base(std::optional<int64_t>()) {
    EMBER_CHECK(values.size() == D, "Expected ", D, " values, but instead got ", values.size());
    for (size_t i = 0; i < D; ++i) this->values_[i] = values[i];
  }
  ExpandingArrayWithOptionalElem(int64_t single_size) : Base(std::optional<int64_t>(single_size)) {}
  ExpandingArrayWithOptionalElem(const std::array<int64_t, D>& values) : Base(std::optional<int64_t>()) {
    for (size_t i = 0; i < D; ++i) this->values_[i] = values[i];
  }
};

template <size_t D>
std::ostream& operator<<(std::ostream& os, const ExpandingArrayWithOptionalElem<D>& a) {
  auto one = [&](const std::optional<int64_t>& v) -> std::ostream& {
    if (v) return os << *v;
    return os << "None";
  };
  if (D == 1) return one(a[0]);
  os << "[";
  for (size_t i = 0; i < D; ++i) {
    if (i) os << ", ";
    one(a[i]);
  }
  return os << "]";
}

}  // namespace ember
