// Factories: tensor(...) from numbers and nested lists, zeros/ones/full/empty, ranges, eye, random
// tensors, *_like, from_blob.
#pragma once
#include <functional>
#include <initializer_list>
#include <vector>

#include "ember/core/generator.h"
#include "ember/core/tensor.h"

namespace ember {

// A number, a (nested) braced list of numbers, or a std::vector / ArrayRef of numbers, with its
// shape and dtype inferred as LibTorch's torch::tensor does.
class TensorDataContainer {
 public:
  TensorDataContainer(bool v) : scalar_(true), dtype_(kBool), values_{double(v)} {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  TensorDataContainer(T v)
      : scalar_(true), dtype_(std::is_floating_point_v<T> ? get_default_dtype() : kLong), values_{double(v)} {
    if constexpr (std::is_integral_v<T>) ints_ = {static_cast<int64_t>(v)};
  }
  TensorDataContainer(std::initializer_list<TensorDataContainer> list);
  template <typename T, std::enable_if_t<is_ember_dtype_v<T>, int> = 0>
  TensorDataContainer(ArrayRef<T> values) : dtype_(dtype_of<T>()) {
    sizes_ = DimVector{static_cast<int64_t>(values.size())};
    for (const T& v : values) {
      values_.push_back(static_cast<double>(v));
      if constexpr (std::is_integral_v<T>) ints_.push_back(static_cast<int64_t>(v));
    }
  }
  template <typename T, std::enable_if_t<is_ember_dtype_v<T>, int> = 0>
  TensorDataContainer(const std::vector<T>& values) : TensorDataContainer(ArrayRef<T>(values)) {}
  TensorDataContainer(const std::vector<bool>& values);

  bool is_scalar() const { return scalar_; }
  ScalarType dtype() const { return dtype_; }
  const DimVector& sizes() const { return sizes_; }
  Tensor to_tensor(const TensorOptions& options) const;

 private:
  bool scalar_ = false;
  ScalarType dtype_ = kFloat;
  DimVector sizes_;
  std::vector<double> values_;
  std::vector<int64_t> ints_;  // exact values when the data are integers
};

Tensor tensor(const TensorDataContainer& data, const TensorOptions& options = {});
Tensor scalar_tensor(const Scalar& s, const TensorOptions& options = {});

Tensor empty(IntArrayRef size, const TensorOptions& options = {});
Tensor zeros(IntArrayRef size, const TensorOptions& options = {});
Tensor ones(IntArrayRef size, const TensorOptions& options = {});
Tensor full(IntArrayRef size, const Scalar& fill_value, const TensorOptions& options = {});
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
Tensor rand(IntArrayRef size, const TensorOptions& options = {});
Tensor rand(IntArrayRef size, Generator& generator, const TensorOptions& options = {});
Tensor randn(IntArrayRef size, const TensorOptions& options = {});
Tensor randn(IntArrayRef size, Generator& generator, const TensorOptions& options = {});
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options = kLong);
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options = kLong);
Tensor randperm(int64_t n, const TensorOptions& options = kLong);
Tensor bernoulli(const Tensor& p);

Tensor empty_like(const Tensor& t, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& options = {});
Tensor ones_like(const Tensor& t, const TensorOptions& options = {});
Tensor full_like(const Tensor& t, const Scalar& fill_value, const TensorOptions& options = {});
Tensor rand_like(const Tensor& t, const TensorOptions& options = {});
Tensor randn_like(const Tensor& t, const TensorOptions& options = {});
Tensor randint_like(const Tensor& t, int64_t high, const TensorOptions& options = {});

// Wraps memory the caller owns (no copy); the deleter, if given, runs when the last view dies.
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, const std::function<void(void*)>& deleter,
                 const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const std::function<void(void*)>& deleter,
                 const TensorOptions& options = {});

Tensor clone(const Tensor& t);
Tensor clone(const Tensor& t, std::optional<MemoryFormat> memory_format);

void set_num_threads(int64_t n);
int64_t get_num_threads();

}  // namespace ember
