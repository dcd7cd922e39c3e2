// Tensor: one intrusive pointer to a TensorImpl. Methods are declared here as LibTorch has them and
// defined by the layer that owns them (autograd for grad state, ops for math).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/scalar.h"
#include "ember/core/shape.h"
#include "ember/core/tensor_impl.h"
#include "ember/core/tensor_options.h"

namespace ember {

namespace autograd {
class Node;
}
namespace indexing {
class TensorIndex;
}
class Tensor;
class DeprecatedTypeProperties;
template <typename T, size_t N>
class TensorAccessor;
template <typename T>
struct DefaultPtrTraits;
template <typename T, size_t N, template <typename U> class PtrTraits, typename index_t>
class GenericPackedTensorAccessor;
using TensorList = ArrayRef<Tensor>;
// An optional random generator (LibTorch's c10::optional<Generator>); the default one when empty.
class Generator;
using GeneratorRef = std::optional<std::reference_wrapper<Generator>>;
namespace detail {
inline constexpr const char* kUndefinedTensor = "tensor is undefined: this Tensor was default-constructed or reset";
}

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(intrusive_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  // Assigning to a named tensor rebinds the handle; assigning to a temporary such as x[0] or
  // x.index({...}) writes into it, as in LibTorch.
  Tensor& operator=(const Tensor&) & = default;
  Tensor& operator=(Tensor&&) & noexcept = default;
  Tensor& operator=(const Tensor& src) && { return copy_(src); }
  Tensor& operator=(const Scalar& value) && { return fill_(value); }

  // ---- handle ----
  bool defined() const { return static_cast<bool>(impl_); }
  void reset() { impl_.reset(); }
  TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }
  const intrusive_ptr<TensorImpl>& getIntrusivePtr() const { return impl_; }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  uint32_t use_count() const { return impl_.use_count(); }

  // ---- metadata ----
  int64_t dim() const { return impl().dim(); }
  int64_t ndimension() const { return dim(); }
  IntArrayRef sizes() const { return impl().sizes(); }
  IntArrayRef strides() const { return impl().strides(); }
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const { return impl().numel(); }
  // A TypeMeta, as in LibTorch: it converts to ScalarType and prints as "float"; scalar_type() is the enum.
  TypeMeta dtype() const { return TypeMeta(impl().dtype()); }
  ScalarType scalar_type() const { return impl().dtype(); }
  TensorOptions options() const { return TensorOptions(dtype()).device(device()); }
  Device device() const { return Device(kCPU); }
  bool is_cpu() const { return true; }
  bool is_cuda() const { return false; }
  Layout layout() const { return kStrided; }
  bool is_contiguous() const { return impl().is_contiguous(); }
  bool is_contiguous(MemoryFormat memory_format) const;
  bool is_floating_point() const { return is_floating_type(dtype()); }
  int64_t element_size() const { return static_cast<int64_t>(ember::element_size(dtype())); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * ember::element_size(dtype()); }
  size_t itemsize() const { return ember::element_size(dtype()); }
  int64_t storage_offset() const { return impl().storage_offset(); }
  bool is_sparse() const { return false; }
  bool is_quantized() const { return false; }
  bool is_complex() const { return false; }
  bool is_signed() const { return dtype() != kByte && dtype() != kBool; }
  // LibTorch's type string, "CPUFloatType" (printing the tensor gives its values).
  std::string toString() const;
  // Deprecated in LibTorch 1.13 and still used: type().scalarType(), type().toString().
  const DeprecatedTypeProperties& type() const;
  bool is_variable() const noexcept { return true; }

  // ---- data access ----
  void* data_ptr() const { return impl().data(); }
  template <typename T>
  T* data_ptr() const;
  template <typename T>
  const T* const_data_ptr() const {
    return data_ptr<T>();
  }
  // Deprecated spelling of data_ptr<T>(), kept by LibTorch 1.13.
  template <typename T>
  T* data() const {
    return data_ptr<T>();
  }
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  template <typename T, size_t N>
  TensorAccessor<T, N> accessor() const&;
  template <typename T, size_t N>
  TensorAccessor<T, N> accessor() && = delete;

  // ---- autograd (defined in src/autograd) ----
  bool requires_grad() const;
  const Tensor& requires_grad_(bool requires_grad = true) const;
  const Tensor& set_requires_grad(bool requires_grad) const;
  bool is_leaf() const;
  const Tensor& grad() const;
  Tensor& mutable_grad() const;
  void set_grad(const Tensor& g) const;
  intrusive_ptr<autograd::Node> grad_fn() const;
  uint32_t output_nr() const;
  int64_t _version() const;
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, std::optional<TensorList> inputs = std::nullopt) const;
  void retain_grad() const;
  bool retains_grad() const;
  // hook(grad) -> Tensor (replaces the gradient) or void (observes it). Returns a handle for remove_hook.
  template <typename F>
  unsigned register_hook(F&& hook) const;
  void remove_hook(unsigned pos) const;
  Tensor detach() const;
  Tensor& detach_() const;
  // The same data with no autograd history (LibTorch's variable_data / Python's .data).
  Tensor data() const;
  // Points this tensor at new_data's storage, shape and dtype, keeping its autograd identity
  // (Module::to and clone use it so that references held elsewhere see the change).
  void set_data(const Tensor& new_data) const;
  // Made in inference mode, or a view of such a tensor (autograd::InferenceMode).
  bool is_inference() const { return impl().storage()->is_inference(); }

  // ---- factories-in-place and copies (src/ops/factory.cpp) ----
  Tensor& fill_(const Scalar& value) const;
  Tensor& fill_(const Tensor& value) const;
  Tensor& zero_() const;
  Tensor& copy_(const Tensor& src, bool non_blocking = false) const;
  Tensor& uniform_(double from = 0, double to = 1) const;
  Tensor& normal_(double mean = 0, double std = 1) const;
  // Integers drawn uniformly from [from, to); without `to`, up to the dtype's largest value
  // (2^24 for float, 2^53 for double: the integers they hold exactly); random_() from 0.
  Tensor& random_(int64_t from, std::optional<int64_t> to) const;
  Tensor& random_(int64_t to) const;
  Tensor& random_() const;
  Tensor& bernoulli_(double p = 0.5) const;
  Tensor clone() const;
  Tensor clone(std::optional<MemoryFormat> memory_format) const;
  Tensor contiguous() const;
  Tensor contiguous(MemoryFormat memory_format) const;
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;
  // to(kCPU) and to(x.dtype()) resolve here rather than between the Device/ScalarType and
  // TensorOptions overloads.
  Tensor to(DeviceType device, bool non_blocking = false, bool copy = false) const {
    return to(Device(device), non_blocking, copy);
  }
  Tensor to(TypeMeta dtype, bool non_blocking = false, bool copy = false) const {
    return to(dtype.toScalarType(), non_blocking, copy);
  }
  Tensor to(Device device, ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const { return *this; }
  Tensor cuda() const;
  Tensor toType(ScalarType t) const { return to(t); }
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }
  Tensor to_dense() const { return *this; }
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- views and shape ops (src/ops/shape.cpp) ----
  Tensor view(IntArrayRef size) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape(IntArrayRef shape) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor& squeeze_() const;
  Tensor& squeeze_(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor& unsqueeze_(int64_t dim) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor swapaxes(int64_t dim0, int64_t dim1) const { return transpose(dim0, dim1); }
  Tensor t() const;
  Tensor mT() const { return transpose(-2, -1); }
  Tensor permute(IntArrayRef dims) const;
  Tensor movedim(int64_t source, int64_t destination) const;
  Tensor expand(IntArrayRef size, bool implicit = false) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor operator[](const Tensor& index) const;
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& value) const;
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& value) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& value) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;

  // ---- indexing ops (src/ops/indexing.cpp) ----
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index, bool sparse_grad = false) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value) const;
  // reduce "add" or "multiply": scatter_reduce's "sum" / "prod" with include_self.
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value) const;
  Tensor masked_select(const Tensor& mask) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, int64_t dim = -1, bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  Tensor nonzero() const;

  // ---- pointwise math (src/ops/pointwise.cpp) ----
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& mul_(const Tensor& other) const;
  Tensor& mul_(const Scalar& other) const;
  Tensor& div_(const Tensor& other) const;
  Tensor& div_(const Scalar& other) const;
  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator+=(const Scalar& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator-=(const Scalar& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator*=(const Scalar& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator/=(const Scalar& o) { return div_(o); }
  Tensor operator-() const { return neg(); }
  Tensor addcmul(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor& addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor addcdiv(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor& lerp_(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor& lerp_(const Tensor& end, const Tensor& weight) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor& pow_(const Scalar& exponent) const;
  Tensor& pow_(const Tensor& exponent) const;
  Tensor square() const;
  Tensor neg() const;
  Tensor& neg_() const;
  Tensor exp() const;
  Tensor& exp_() const;
  Tensor log() const;
  Tensor& log_() const;
  Tensor log1p() const;
  Tensor sqrt() const;
  Tensor& sqrt_() const;
  Tensor rsqrt() const;
  Tensor abs() const;
  Tensor& abs_() const;
  Tensor sign() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor& tanh_() const;
  Tensor sigmoid() const;
  Tensor& sigmoid_() const;
  Tensor relu() const;
  Tensor& relu_() const;
  Tensor reciprocal() const;
  Tensor erf() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor round(int64_t decimals) const;  // RoundBackward1
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor& clamp_min_(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;
  Tensor& clamp_max_(const Scalar& max) const;
  Tensor clip(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const {
    return clamp(min, max);
  }
  Tensor minimum(const Tensor& other) const;
  Tensor maximum(const Tensor& other) const;
  // LibTorch's min(other) and max(other): minimum and maximum.
  Tensor min(const Tensor& other) const;
  Tensor max(const Tensor& other) const;
  Tensor eq(const Tensor& o) const;
  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;
  Tensor ne(const Scalar& o) const;
  Tensor lt(const Tensor& o) const;
  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;
  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;
  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;
  Tensor ge(const Scalar& o) const;
  Tensor logical_and(const Tensor& o) const;
  Tensor logical_or(const Tensor& o) const;
  Tensor logical_xor(const Tensor& o) const;
  Tensor logical_not() const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;

  // ---- reductions (src/ops/reduction.cpp) ----
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(IntArrayRef dim = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dim = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor var(bool unbiased = true) const;
  Tensor var(IntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  Tensor std(bool unbiased = true) const;
  Tensor std(IntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  // LibTorch's C++-only overloads (gh-40287): x.std(0) reduces dim 0 rather than binding 0 to `unbiased`.
  Tensor var(int dim) const;
  Tensor std(int dim) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(std::optional<Scalar> p, IntArrayRef dim, bool keepdim = false) const;
  Tensor logsumexp(IntArrayRef dim, bool keepdim = false) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) const;

  // ---- linear algebra (src/ops/linalg.cpp) ----
  Tensor mm(const Tensor& mat2) const;
  Tensor bmm(const Tensor& mat2) const;
  Tensor matmul(const Tensor& other) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1, const Scalar& alpha = 1) const;
  Tensor dot(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;
  Tensor ger(const Tensor& vec2) const { return outer(vec2); }
  Tensor mv(const Tensor& vec) const;

  // ---- more pointwise math and reductions (src/ops/pointwise_math.cpp, src/ops/reduction_stats.cpp) ----
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(const Scalar& other) const;
  Tensor& remainder_(const Tensor& other) const;
  Tensor& remainder_(const Scalar& other) const;
  Tensor fmod(const Tensor& other) const;
  Tensor fmod(const Scalar& other) const;
  Tensor& fmod_(const Tensor& other) const;
  Tensor& fmod_(const Scalar& other) const;
  Tensor div(const Tensor& other, std::optional<std::string_view> rounding_mode) const;
  Tensor div(const Scalar& other, std::optional<std::string_view> rounding_mode) const;
  Tensor& div_(const Tensor& other, std::optional<std::string_view> rounding_mode) const;
  Tensor& div_(const Scalar& other, std::optional<std::string_view> rounding_mode) const;
  Tensor divide(const Tensor& other) const;
  Tensor divide(const Scalar& other) const;
  Tensor divide(const Tensor& other, std::optional<std::string_view> rounding_mode) const;
  Tensor divide(const Scalar& other, std::optional<std::string_view> rounding_mode) const;
  Tensor& divide_(const Tensor& other) const;
  Tensor& divide_(const Scalar& other) const;
  Tensor true_divide(const Tensor& other) const;
  Tensor true_divide(const Scalar& other) const;
  Tensor& true_divide_(const Tensor& other) const;
  Tensor& true_divide_(const Scalar& other) const;
  Tensor floor_divide(const Tensor& other) const;
  Tensor floor_divide(const Scalar& other) const;
  Tensor& floor_divide_(const Tensor& other) const;
  Tensor& floor_divide_(const Scalar& other) const;
  Tensor atan2(const Tensor& other) const;
  Tensor& atan2_(const Tensor& other) const;
  Tensor arctan2(const Tensor& other) const;
  Tensor& arctan2_(const Tensor& other) const;
  Tensor hypot(const Tensor& other) const;
  Tensor& hypot_(const Tensor& other) const;
  Tensor logaddexp(const Tensor& other) const;
  Tensor logaddexp2(const Tensor& other) const;
  Tensor copysign(const Tensor& other) const;
  Tensor copysign(const Scalar& other) const;
  Tensor& copysign_(const Tensor& other) const;
  Tensor& copysign_(const Scalar& other) const;
  Tensor nan_to_num(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                    std::optional<double> neginf = std::nullopt) const;
  Tensor& nan_to_num_(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                      std::optional<double> neginf = std::nullopt) const;
  Tensor clamp(const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt) const;
  Tensor& clamp_(const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt) const;
  Tensor clamp_min(const Tensor& min) const;
  Tensor& clamp_min_(const Tensor& min) const;
  Tensor clamp_max(const Tensor& max) const;
  Tensor& clamp_max_(const Tensor& max) const;
  Tensor& clip_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clip(const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt) const;
  Tensor& clip_(const std::optional<Tensor>& min, const std::optional<Tensor>& max = std::nullopt) const;
  Tensor trunc() const;
  Tensor& trunc_() const;
  Tensor fix() const;
  Tensor& fix_() const;
  Tensor frac() const;
  Tensor& frac_() const;
  Tensor expm1() const;
  Tensor& expm1_() const;
  Tensor exp2() const;
  Tensor& exp2_() const;
  Tensor log2() const;
  Tensor& log2_() const;
  Tensor log10() const;
  Tensor& log10_() const;
  Tensor tan() const;
  Tensor& tan_() const;
  Tensor asin() const;
  Tensor& asin_() const;
  Tensor acos() const;
  Tensor& acos_() const;
  Tensor atan() const;
  Tensor& atan_() const;
  Tensor sinh() const;
  Tensor& sinh_() const;
  Tensor cosh() const;
  Tensor& cosh_() const;
  Tensor asinh() const;
  Tensor& asinh_() const;
  Tensor acosh() const;
  Tensor& acosh_() const;
  Tensor atanh() const;
  Tensor& atanh_() const;
  Tensor arcsin() const;
  Tensor& arcsin_() const;
  Tensor arccos() const;
  Tensor& arccos_() const;
  Tensor arctan() const;
  Tensor& arctan_() const;
  Tensor arcsinh() const;
  Tensor& arcsinh_() const;
  Tensor arccosh() const;
  Tensor& arccosh_() const;
  Tensor arctanh() const;
  Tensor& arctanh_() const;
  Tensor erfc() const;
  Tensor& erfc_() const;
  Tensor erfinv() const;
  Tensor& erfinv_() const;
  Tensor sgn() const;
  Tensor& sgn_() const;
  // ---- pointwise extra (src/ops/pointwise_extra.cpp) ----
#include "ember/core/tensor/pointwise_extra.inc"
  // ---- stats (src/ops/stats_extra.cpp, src/ops/random_extra.cpp) ----
  Tensor bernoulli(GeneratorRef generator = std::nullopt) const;
  Tensor bernoulli(double p, GeneratorRef generator = std::nullopt) const;
  Tensor& bernoulli_(const Tensor& p, GeneratorRef generator = std::nullopt) const;
  Tensor& bernoulli_(double p, GeneratorRef generator) const;
  Tensor& cauchy_(double median = 0, double sigma = 1, GeneratorRef generator = std::nullopt) const;
  Tensor& exponential_(double lambd = 1, GeneratorRef generator = std::nullopt) const;
  Tensor& geometric_(double p, GeneratorRef generator = std::nullopt) const;
  Tensor& log_normal_(double mean = 1, double std = 2, GeneratorRef generator = std::nullopt) const;
  Tensor multinomial(int64_t num_samples, bool replacement = false, GeneratorRef generator = std::nullopt) const;
  Tensor bincount(const std::optional<Tensor>& weights = std::nullopt, int64_t minlength = 0) const;
  Tensor histc(int64_t bins = 100, const Scalar& min = 0, const Scalar& max = 0) const;
  std::tuple<Tensor, Tensor> histogram(const Tensor& bins, const std::optional<Tensor>& weight = std::nullopt,
                                       bool density = false) const;
  std::tuple<Tensor, Tensor> histogram(int64_t bins = 100, std::optional<ArrayRef<double>> range = std::nullopt,
                                       const std::optional<Tensor>& weight = std::nullopt, bool density = false) const;
  Tensor msort() const;
  Tensor quantile(const Tensor& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                  std::string_view interpolation = "linear") const;
  Tensor quantile(double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                  std::string_view interpolation = "linear") const;
  Tensor nanquantile(const Tensor& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                     std::string_view interpolation = "linear") const;
  Tensor nanquantile(double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                     std::string_view interpolation = "linear") const;
  Tensor cov(int64_t correction = 1, const std::optional<Tensor>& fweights = std::nullopt,
             const std::optional<Tensor>& aweights = std::nullopt) const;
  Tensor corrcoef() const;
  Tensor dist(const Tensor& other, const Scalar& p = 2) const;
  Tensor logcumsumexp(int64_t dim) const;
  Tensor diff(int64_t n = 1, int64_t dim = -1, const std::optional<Tensor>& prepend = std::nullopt,
              const std::optional<Tensor>& append = std::nullopt) const;
  Tensor renorm(const Scalar& p, int64_t dim, const Scalar& maxnorm) const;
  Tensor& renorm_(const Scalar& p, int64_t dim, const Scalar& maxnorm) const;
  // ---- nn functions (src/ops/nn_functions.cpp) ----
  Tensor prelu(const Tensor& weight) const;
  Tensor hardshrink(const Scalar& lambd = 0.5) const;
  // ---- shape, view and indexing extras (src/ops/shape_extra.cpp, src/ops/indexing_extra.cpp) ----
#include "ember/core/tensor/shape_extra.inc"
  // LibTorch's packed accessors (ember/core/packed_accessor.h): sizes and strides held by value.
  template <typename T, size_t N, template <typename U> class PtrTraits = DefaultPtrTraits>
  GenericPackedTensorAccessor<T, N, PtrTraits, int32_t> packed_accessor32() const&;
  template <typename T, size_t N, template <typename U> class PtrTraits = DefaultPtrTraits>
  GenericPackedTensorAccessor<T, N, PtrTraits, int32_t> packed_accessor32() && = delete;
  template <typename T, size_t N, template <typename U> class PtrTraits = DefaultPtrTraits>
  GenericPackedTensorAccessor<T, N, PtrTraits, int64_t> packed_accessor64() const&;
  template <typename T, size_t N, template <typename U> class PtrTraits = DefaultPtrTraits>
  GenericPackedTensorAccessor<T, N, PtrTraits, int64_t> packed_accessor64() && = delete;
  // ---- special functions (src/ops/special.cpp) ----
  Tensor lgamma() const;
  Tensor& lgamma_() const;
  Tensor digamma() const;
  Tensor& digamma_() const;
  Tensor polygamma(int64_t n) const;
  Tensor& polygamma_(int64_t n) const;
  Tensor mvlgamma(int64_t p) const;
  Tensor& mvlgamma_(int64_t p) const;
  Tensor i0() const;
  Tensor& i0_() const;
  Tensor igamma(const Tensor& other) const;
  Tensor& igamma_(const Tensor& other) const;
  Tensor igammac(const Tensor& other) const;
  Tensor& igammac_(const Tensor& other) const;
  // ---- linear algebra on LAPACK (src/ops/linalg_products.cpp, src/ops/linalg_lapack.cpp) ----
#include "ember/core/tensor/linalg.inc"

 private:
  // In-place methods are const, as LibTorch's: they change the data this handle points at, never
  // the handle itself.
  Tensor& mutable_self() const { return const_cast<Tensor&>(*this); }
  TensorImpl& impl() const {
    EMBER_CHECK(impl_, detail::kUndefinedTensor);
    return *impl_;
  }
  unsigned register_hook_impl(std::function<Tensor(const Tensor&)> hook) const;
  intrusive_ptr<TensorImpl> impl_;
};

// What the deprecated Tensor::type() returns, as LibTorch's at::DeprecatedTypeProperties.
class DeprecatedTypeProperties {
 public:
  explicit DeprecatedTypeProperties(ScalarType t) : t_(t) {}
  ScalarType scalarType() const { return t_; }
  TypeMeta typeMeta() const { return TypeMeta(t_); }
  DeviceType device_type() const { return kCPU; }
  bool is_cuda() const { return false; }
  bool is_sparse() const { return false; }
  Layout layout() const { return kStrided; }
  // "CPUFloatType", or "UndefinedType".
  std::string toString() const;
  TensorOptions options() const { return TensorOptions(t_); }
  operator TensorOptions() const { return options(); }
  bool operator==(const DeprecatedTypeProperties& o) const { return t_ == o.t_; }
  bool operator!=(const DeprecatedTypeProperties& o) const { return t_ != o.t_; }

 private:
  ScalarType t_;
};

template <typename T>
T* Tensor::data_ptr() const {
  static_assert(is_ember_dtype_v<std::remove_const_t<T>>, "data_ptr<T>: T must be an ember dtype");
  EMBER_CHECK(dtype() == dtype_of<std::remove_const_t<T>>(), "expected scalar type ",
              to_string(dtype_of<std::remove_const_t<T>>()), " but found ", to_string(dtype()));
  return reinterpret_cast<T*>(impl().data());
}

template <typename F>
unsigned Tensor::register_hook(F&& hook) const {
  using R = std::invoke_result_t<F, Tensor>;
  if constexpr (std::is_void_v<R>) {
    return register_hook_impl([h = std::forward<F>(hook)](const Tensor& g) {
      h(g);
      return Tensor();
    });
  } else {
    return register_hook_impl(std::forward<F>(hook));
  }
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = to(dtype_of<T>()).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

// PyTorch's Python repr: tensor([36., 81.]), tensor(6.2568e-05, grad_fn=<MseLossBackward0>).
std::ostream& operator<<(std::ostream& os, const Tensor& t);
// The same text without a stream.
std::string repr(const Tensor& t);

// Positional access into a strided tensor without bounds checks (Tensor::accessor).
template <typename T, size_t N>
class TensorAccessor {
 public:
  TensorAccessor(T* data, const int64_t* sizes, const int64_t* strides)
      : data_(data), sizes_(sizes), strides_(strides) {}
  decltype(auto) operator[](int64_t i) const {
    if constexpr (N == 1) {
      return data_[i * strides_[0]];
    } else {
      return TensorAccessor<T, N - 1>(data_ + i * strides_[0], sizes_ + 1, strides_ + 1);
    }
  }
  int64_t size(int64_t d) const { return sizes_[d]; }
  int64_t stride(int64_t d) const { return strides_[d]; }
  IntArrayRef sizes() const { return IntArrayRef(sizes_, N); }
  T* data() const { return data_; }

 private:
  T* data_;
  const int64_t* sizes_;
  const int64_t* strides_;
};

template <typename T, size_t N>
TensorAccessor<T, N> Tensor::accessor() const& {
  static_assert(N > 0, "accessor is used for indexing tensor, for scalars use *data_ptr<T>()");
  EMBER_CHECK(dim() == static_cast<int64_t>(N), "TensorAccessor expected ", N, " dims but tensor has ", dim());
  return TensorAccessor<T, N>(data_ptr<T>(), sizes().data(), strides().data());
}

using variable_list = std::vector<Tensor>;
using tensor_list = std::vector<Tensor>;

}  // namespace ember
#include "ember/core/packed_accessor.h"
