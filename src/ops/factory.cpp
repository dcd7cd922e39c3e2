// Factories, fills, copies, clone/contiguous/to, random tensors and from_blob.
#include "ember/ops/factory.h"
#include "ember/ops/stats_extra.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ops/util.h"
#include "ops/zero_grad.h"

namespace ember {

namespace {
Tensor make(IntArrayRef size, const TensorOptions& options) {
  check_device(options.device(), "tensor factory");
  return new_tensor(size, options.dtype());
}
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}
TensorOptions like(const Tensor& t, const TensorOptions& options) {
  return options.has_dtype() ? options : options.dtype(t.dtype());
}
}  // namespace

// ---------------------------------------------------------------- tensor(...)

TensorDataContainer::TensorDataContainer(std::initializer_list<TensorDataContainer> list) {
  sizes_ = DimVector{static_cast<int64_t>(list.size())};
  bool first = true;
  bool all_int = true;
  for (const auto& e : list) {
    if (first) {
      for (int64_t s : e.sizes_) sizes_.push_back(s);
      dtype_ = e.dtype_;
      first = false;
    } else {
      EMBER_CHECK(e.sizes_ == DimVector(IntArrayRef(sizes_.data() + 1, sizes_.size() - 1)),
                  "Expected all sub-lists to have sizes: ", IntArrayRef(sizes_.data() + 1, sizes_.size() - 1),
                  " (e.g. ", e.sizes_, " is not)");
      // Mixed literals promote: bool < integer < floating, as LibTorch's initializer lists.
      dtype_ = promote_types(dtype_, e.dtype_);
    }
    values_.insert(values_.end(), e.values_.begin(), e.values_.end());
    if (e.ints_.size() == e.values_.size()) ints_.insert(ints_.end(), e.ints_.begin(), e.ints_.end());
    else all_int = false;
  }
  if (!all_int) ints_.clear();
  if (list.size() == 0) dtype_ = get_default_dtype();
}

TensorDataContainer::TensorDataContainer(const std::vector<bool>& values) : dtype_(kBool) {
  sizes_ = DimVector{static_cast<int64_t>(values.size())};
  for (bool v : values) values_.push_back(v);
}

Tensor TensorDataContainer::to_tensor(const TensorOptions& options) const {
  ScalarType dt = options.has_dtype() ? options.dtype() : dtype_;
  check_device(options.device(), "tensor");
  Tensor t = new_tensor(sizes_, dt);
  bool exact_ints = ints_.size() == values_.size() && !values_.empty();
  visit_dtype(dt, "tensor", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (size_t i = 0; i < values_.size(); ++i)
      p[i] = exact_ints ? static_cast<T>(ints_[i]) : static_cast<T>(values_[i]);
  });
  return finish(t, options);
}

Tensor tensor(const TensorDataContainer& data, const TensorOptions& options) { return data.to_tensor(options); }

namespace {
// A tensor of `size` filled with `value`, in the options' dtype (the default one when unset).
Tensor filled(IntArrayRef size, const Scalar& value, const TensorOptions& options) {
  check_value_fits(value, options.dtype());
  Tensor t = make(size, options);
  kernels::fill(t, value);
  return finish(t, options);
}
}  // namespace

Tensor scalar_tensor(const Scalar& s, const TensorOptions& options) { return filled({}, s, options); }

// ---------------------------------------------------------------- constant fills

Tensor empty(IntArrayRef size, const TensorOptions& options) { return finish(make(size, options), options); }
Tensor zeros(IntArrayRef size, const TensorOptions& options) { return filled(size, 0, options); }
Tensor ones(IntArrayRef size, const TensorOptions& options) { return filled(size, 1, options); }
Tensor full(IntArrayRef size, const Scalar& fill_value, const TensorOptions& options) {
  // Without a dtype, the value's kind decides, as in LibTorch's full(): bool, int64 or the default float.
  if (options.has_dtype()) return filled(size, fill_value, options);
  return filled(size, fill_value,
                options.dtype(fill_value.isBoolean()         ? kBool
                              : fill_value.isIntegral(false) ? kLong
                                                             : get_default_dtype()));
}
Tensor empty_like(const Tensor& t, const TensorOptions& options) { return empty(t.sizes(), like(t, options)); }
Tensor zeros_like(const Tensor& t, const TensorOptions& options) { return zeros(t.sizes(), like(t, options)); }
Tensor ones_like(const Tensor& t, const TensorOptions& options) { return ones(t.sizes(), like(t, options)); }
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& options) {
  return full(t.sizes(), v, like(t, options));
}

// ---------------------------------------------------------------- ranges

Tensor arange(const Scalar& end, const TensorOptions& options) { return arange(0, end, 1, options); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  bool any_float = start.isFloatingPoint() || end.isFloatingPoint() || step.isFloatingPoint();
  TensorOptions o = options.has_dtype() ? options : options.dtype(any_float ? get_default_dtype() : kLong);
  const ScalarType dt = o.dtype();
  EMBER_CHECK(dt != kBool, "\"arange_cpu\" not implemented for 'Bool'");
  if (!is_floating_type(dt)) {
    // As ATen: for an integral dtype start, end and step are converted to int64 first (truncated,
    // so arange(-0.25, 7.25, 3.0, kLong) is {0, 3, 6}) and the values are start + i * step in int64.
    // The length is ceil((end - start) / step) in double, from the converted bounds for int64 and
    // from the given ones for the other integral dtypes.
    const int64_t is = start.to<int64_t>(), ie = end.to<int64_t>(), ist = step.to<int64_t>();
    EMBER_CHECK(ist != 0, "step must be nonzero");
    EMBER_CHECK((ist > 0 && ie >= is) || (ist < 0 && ie <= is),
                "upper bound and larger bound inconsistent with step sign");
    const double len = dt == kLong ? static_cast<double>(ie - is) / static_cast<double>(ist)
                                   : (end.toDouble() - start.toDouble()) / step.toDouble();
    const int64_t n = static_cast<int64_t>(std::ceil(len));
    EMBER_CHECK(n >= 0, "upper bound and larger bound inconsistent with step sign");
    Tensor t = make({n}, o);
    visit_dtype(dt, "arange", [&](auto tag) {
      using T = decltype(tag);
      T* p = t.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(is + i * ist);
    });
    return finish(t, o);
  }
  double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  EMBER_CHECK(st != 0, "step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "unsupported range: ", s, " -> ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "upper bound and larger bound inconsistent with step sign");
  int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor t = make({n}, o);
  visit_dtype(dt, "arange", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = kernels::convert<T>(s + static_cast<double>(i) * st);
  });
  return finish(t, o);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  const ScalarType dt = options.dtype();
  EMBER_CHECK(dt != kBool, "\"linspace_cpu\" not implemented for 'Bool'");
  check_value_fits(start, dt);
  check_value_fits(end, dt);
  Tensor t = make({steps}, options);
  visit_dtype(dt, "linspace", [&](auto tag) {
    using T = decltype(tag);
    // As ATen: the end points are converted to the dtype first (integers truncate), the step is
    // computed in the dtype for floating types and in double for integral ones.
    using Step = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    const T s = start.to<T>(), e = end.to<T>();
    T* p = t.data_ptr<T>();
    if (steps == 1) {
      p[0] = s;
      return;
    }
    // Symmetric evaluation from both ends, so the end point is exact. ATen's kernel is compiled
    // with FMA contraction, so start + step * i rounds once; std::fma does the same here (exact
    // for fewer than 16 points, where ATen takes its scalar loop; its vector loop for longer
    // ranges rounds some lanes twice and may differ in the last bit).
    const Step step = (static_cast<Step>(e) - static_cast<Step>(s)) / static_cast<Step>(steps - 1);
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      if constexpr (std::is_floating_point_v<T>)
        p[i] = i < half ? std::fma(step, static_cast<T>(i), s) : std::fma(-step, static_cast<T>(steps - i - 1), e);
      else
        p[i] = static_cast<T>(i < half ? s + step * static_cast<Step>(i) : e - step * static_cast<Step>(steps - i - 1));
    }
  });
  return finish(t, options);
}

Tensor eye(int64_t n, const TensorOptions& options) { return eye(n, n, options); }
Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  EMBER_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  EMBER_CHECK(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor t = zeros({n, m}, options.requires_grad(false));
  visit_dtype(t.dtype(), "eye", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
  });
  return finish(t, options);
}

// ---------------------------------------------------------------- random

Tensor rand(IntArrayRef size, const TensorOptions& options) { return rand(size, default_generator(), options); }
Tensor rand(IntArrayRef size, Generator& gen, const TensorOptions& options) {
  Tensor t = make(size, options);
  kernels::uniform(t, 0, 1, gen);
  return finish(t, options);
}
Tensor randn(IntArrayRef size, const TensorOptions& options) { return randn(size, default_generator(), options); }
Tensor randn(IntArrayRef size, Generator& gen, const TensorOptions& options) {
  Tensor t = make(size, options);
  kernels::normal(t, 0, 1, gen);
  return finish(t, options);
}
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options) { return randint(0, high, size, options); }
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options) {
  EMBER_CHECK(low < high, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor t = make(size, options);
  t.random_(low, high);
  return finish(t, options);
}
Tensor randperm(int64_t n, const TensorOptions& options) {
  EMBER_CHECK(n >= 0, "n must be non-negative, got", n);
  Tensor idx = make({n}, options.dtype(kLong));
  int64_t* p = idx.data_ptr<int64_t>();
  std::iota(p, p + n, 0);
  Generator& gen = default_generator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  for (int64_t i = 0; i + 1 < n; ++i) {
    int64_t z = static_cast<int64_t>(gen.random() % static_cast<uint64_t>(n - i));
    std::swap(p[i], p[z + i]);
  }
  return finish(options.dtype() == kLong ? idx : ops::cast(idx, options.dtype()), options);
}
// Probabilities are checked to lie in [0, 1] (src/ops/random_extra.cpp).
Tensor bernoulli(const Tensor& p) { return bernoulli(p, std::nullopt); }
Tensor rand_like(const Tensor& t, const TensorOptions& o) { return rand(t.sizes(), like(t, o)); }
Tensor randn_like(const Tensor& t, const TensorOptions& o) { return randn(t.sizes(), like(t, o)); }
Tensor randint_like(const Tensor& t, int64_t high, const TensorOptions& o) { return randint(high, t.sizes(), like(t, o)); }

namespace {
// Fills a contiguous temporary with `fill` (random kernels draw in element order), then copies it
// into self: works for any strides and counts as one in-place write.
// A tensor in the graph passes no gradient back through the values it had: its history becomes
// `name`'s zero-gradient node (PyTorch's UniformBackward0, ...).
template <typename F>
Tensor& overwrite_with(Tensor& self, const char* name, const F& fill) {
  const auto node = zero_grad_node(name, self);
  Tensor tmp = new_tensor(self.sizes(), self.dtype());
  fill(tmp);
  kernels::copy(self, tmp);
  autograd::rebase_history(self, node);
  return self;
}
}  // namespace

Tensor& Tensor::uniform_(double from, double to) const {
  autograd::check_inplace(mutable_self());
  EMBER_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from, " > to=", to);
  return overwrite_with(mutable_self(), "UniformBackward0", [&](const Tensor& t) { kernels::uniform(t, from, to, default_generator()); });
}
Tensor& Tensor::normal_(double mean, double std) const {
  autograd::check_inplace(mutable_self());
  EMBER_CHECK(std >= 0, "normal expects std >= 0.0, but found std ", std);
  return overwrite_with(mutable_self(), "NormalBackward0", [&](const Tensor& t) { kernels::normal(t, mean, std, default_generator()); });
}
namespace {
// The C++ name ATen's random_ bounds errors give a dtype.
const char* random_type_name(ScalarType t) {
  switch (t) {
    case kBool:
      return "bool";
    case kByte:
      return "unsigned char";
    case kInt:
      return "int";
    default:
      return "long";
  }
}
// The largest value random_ draws when no upper bound is given: the dtype's largest for integers,
// the last integer float (2^24) and double (2^53) hold with all below it, as ATen.
int64_t random_max(ScalarType t) {
  switch (t) {
    case kBool:
      return 1;
    case kByte:
      return std::numeric_limits<uint8_t>::max();
    case kInt:
      return std::numeric_limits<int32_t>::max();
    case kFloat:
      return int64_t{1} << 24;
    case kDouble:
      return int64_t{1} << 53;
    default:
      return std::numeric_limits<int64_t>::max();
  }
}
}  // namespace

Tensor& Tensor::random_(int64_t from, std::optional<int64_t> to) const {
  autograd::check_inplace(mutable_self());
  const ScalarType t = dtype();
  // The inclusive upper end, checked as ATen checks it: integer bounds must fit the dtype.
  int64_t last = 0;
  if (to) {
    EMBER_CHECK(from < *to, "random_ expects 'from' to be less than 'to', but got from=", from, " >= to=", *to);
    last = *to - 1;
  } else {
    last = random_max(t);
    EMBER_CHECK(from <= last,
                "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to "
                "dtype, but got from=",
                from, " > to_inc=", last);
  }
  if (!is_floating_type(t)) {
    const int64_t lowest = t == kInt    ? std::numeric_limits<int32_t>::min()
                           : t == kLong ? std::numeric_limits<int64_t>::min()
                                        : 0;
    EMBER_CHECK(from >= lowest && from <= random_max(t), "from is out of bounds for ", random_type_name(t));
    EMBER_CHECK(last >= lowest && last <= random_max(t), "to - 1 is out of bounds for ", random_type_name(t));
  }
  const auto node = zero_grad_node("RandomBackward0", *this);
  Tensor tmp = new_tensor(sizes(), kLong);
  int64_t* p = tmp.data_ptr<int64_t>();
  // ATen's rule: a 64-bit draw when the range needs more than 32 bits. [min, max] of int64 is all
  // 2^64 values, whose count does not fit: every 64-bit draw then is one.
  const uint64_t range = static_cast<uint64_t>(last) - static_cast<uint64_t>(from) + 1;
  Generator& gen = default_generator();
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    for (int64_t i = 0; i < tmp.numel(); ++i) {
      const uint64_t r = range == 0 || range >= (uint64_t{1} << 32) ? gen.random64() : gen.random();
      p[i] = static_cast<int64_t>(static_cast<uint64_t>(from) + (range == 0 ? r : r % range));
    }
  }
  kernels::copy(mutable_self(), tmp);
  autograd::rebase_history(mutable_self(), node);
  return mutable_self();
}
Tensor& Tensor::random_(int64_t to) const { return random_(0, to); }
Tensor& Tensor::random_() const { return random_(0, std::nullopt); }
Tensor& Tensor::bernoulli_(double p) const {
  autograd::check_inplace(mutable_self());
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  const auto node = zero_grad_node("BernoulliBackward2", *this);
  Tensor u = new_tensor(sizes(), kDouble);
  kernels::uniform(u, 0, 1, default_generator());
  kernels::copy(mutable_self(), ember::lt(u, p));
  autograd::rebase_history(mutable_self(), node);
  return mutable_self();
}

// ---------------------------------------------------------------- from_blob

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options) {
  return from_blob(data, sizes, contiguous_strides(sizes), nullptr, options);
}
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  return from_blob(data, sizes, strides, nullptr, options);
}
Tensor from_blob(void* data, IntArrayRef sizes, const std::function<void(void*)>& deleter,
                 const TensorOptions& options) {
  return from_blob(data, sizes, contiguous_strides(sizes), deleter, options);
}
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const std::function<void(void*)>& deleter,
                 const TensorOptions& options) {
  check_device(options.device(), "from_blob");
  EMBER_CHECK(sizes.size() == strides.size(), "from_blob: sizes ", sizes, " and strides ", strides,
              " must have the same length");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EMBER_CHECK(sizes[i] >= 0 && strides[i] >= 0, "from_blob: negative size or stride");
    if (sizes[i] == 0) extent = 0;
  }
  if (extent) {
    for (size_t i = 0; i < sizes.size(); ++i) extent += (sizes[i] - 1) * strides[i];
  }
  EMBER_CHECK(data || extent == 0, "from_blob: data is null");
  auto storage = make_intrusive<StorageImpl>(data, static_cast<size_t>(extent) * element_size(options.dtype()), deleter);
  Tensor t(make_intrusive<TensorImpl>(std::move(storage), options.dtype(), sizes, strides, 0));
  return finish(t, options);
}

// ---------------------------------------------------------------- fill, copy, clone, to

namespace {
struct CopyBackwards final : NamedNode<"CopyBackwards"> {
  DimVector src_sizes;
  ScalarType src_dtype;
  variable_list apply(variable_list&& g) override {
    Tensor gs;
    if (should_compute_output(1)) gs = reduce_grad(g[0], src_sizes, src_dtype);
    return {should_compute_output(0) ? zeros_like(g[0]) : Tensor(), gs};
  }
};
struct CloneBackward0 final : NamedNode<"CloneBackward0"> {
  variable_list apply(variable_list&& g) override { return {g[0]}; }
};
struct ToCopyBackward0 final : NamedNode<"ToCopyBackward0"> {
  ScalarType dtype;
  variable_list apply(variable_list&& g) override { return {g[0].to(dtype)}; }
};
struct FillBackward final : NamedNode<"FillBackward2"> {
  variable_list apply(variable_list&& g) override { return {zeros_like(g[0])}; }
};
// fill_ with a 0-d tensor: the value receives the sum of the gradient.
struct FillBackward3 final : NamedNode<"FillBackward3"> {
  ScalarType value_dtype = kFloat;
  variable_list apply(variable_list&& g) override {
    return {should_compute_output(0) ? zeros_like(g[0]) : Tensor(),
            should_compute_output(1) ? g[0].sum().to(value_dtype) : Tensor()};
  }
};
}  // namespace

Tensor& Tensor::fill_(const Scalar& value) const {
  autograd::check_inplace(mutable_self(), /*allow_overlap=*/true);
  check_value_fits(value, dtype());
  intrusive_ptr<Node> n;
  if (any_requires_grad(mutable_self())) n = make_node<FillBackward>(mutable_self());
  autograd::check_rebase(mutable_self(), n.get());
  kernels::fill(mutable_self(), value);
  autograd::rebase_history(mutable_self(), n);
  return mutable_self();
}
// Recorded as LibTorch's fill_.Tensor (FillBackward3), with or without a gradient to the value.
Tensor& Tensor::fill_(const Tensor& value) const {
  EMBER_CHECK(value.dim() == 0, "fill_ only supports 0-dimension value tensor but got tensor with ", value.dim(),
              " dimensions.");
  autograd::check_inplace(mutable_self(), /*allow_overlap=*/true);
  autograd::check_no_grad_view_inplace(mutable_self(), {value});
  const Scalar v = value.item();
  check_value_fits(v, dtype());
  intrusive_ptr<Node> n;
  if (any_requires_grad(mutable_self(), value)) {
    auto node = make_node<FillBackward3>(mutable_self(), value);
    node->value_dtype = value.scalar_type();
    n = node;
  }
  autograd::check_rebase(mutable_self(), n.get());
  kernels::fill(mutable_self(), v);
  autograd::rebase_history(mutable_self(), n);
  return mutable_self();
}
Tensor& Tensor::zero_() const { return fill_(0); }

Tensor& Tensor::copy_(const Tensor& src, bool) const {
  EMBER_CHECK(src.defined(), "copy_: source tensor is undefined");
  autograd::check_inplace(mutable_self());
  autograd::check_no_grad_view_inplace(mutable_self(), {src});
  DimVector shape = broadcast_shapes(sizes(), src.sizes());
  EMBER_CHECK(shape.ref() == sizes(), "output with shape ", sizes(), " doesn't match the broadcast shape ", shape);
  Tensor s = expand_raw(src, sizes());
  // Copy through a temporary when source and destination share memory.
  if (s.unsafeGetTensorImpl()->storage().get() == unsafeGetTensorImpl()->storage().get()) s = s.clone().detach();
  intrusive_ptr<Node> n;
  // As LibTorch: a copy into a tensor of a dtype without gradients (integer, bool) records nothing.
  if (is_floating_type(dtype()) && any_requires_grad(mutable_self(), src)) {
    auto c = make_node<CopyBackwards>(mutable_self(), src);
    c->src_sizes = src.sizes();
    c->src_dtype = src.dtype();
    n = c;
  }
  autograd::check_rebase(mutable_self(), n.get());
  kernels::copy(mutable_self(), s);
  autograd::rebase_history(mutable_self(), n);
  return mutable_self();
}

Tensor Tensor::clone() const { return clone(std::nullopt); }
// Preserve (the default) gives a row-major copy: LibTorch keeps a dense source's strides there
// (docs/COMPATIBILITY.md).
Tensor Tensor::clone(std::optional<MemoryFormat> memory_format) const {
  Tensor out;
  if (memory_format == MemoryFormat::ChannelsLast || memory_format == MemoryFormat::ChannelsLast3d) {
    const int64_t rank = memory_format == MemoryFormat::ChannelsLast ? 4 : 5;
    EMBER_CHECK(dim() == rank, "required rank ", rank, " tensor to use channels_last", rank == 5 ? "_3d" : "",
                " format");
    // Row-major (N, spatial..., C), seen as (N, C, spatial...).
    DimVector nhwc{size(0)}, order{0, rank - 1};
    for (int64_t d = 2; d < rank; ++d) nhwc.push_back(size(d)), order.push_back(d - 1);
    nhwc.push_back(size(1));
    out = new_tensor(nhwc, dtype()).permute(order);
  } else {
    out = new_tensor(sizes(), dtype());
  }
  kernels::copy(out, *this);
  if (any_requires_grad(*this)) set_history(out, make_node<CloneBackward0>(*this));
  return out;
}
Tensor clone(const Tensor& t) { return t.clone(); }
Tensor clone(const Tensor& t, std::optional<MemoryFormat> memory_format) { return t.clone(memory_format); }
Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }
Tensor Tensor::contiguous(MemoryFormat memory_format) const {
  EMBER_CHECK(memory_format != MemoryFormat::Preserve,
              "preserve memory format is unsupported by the contiguous operator");
  return is_contiguous(memory_format) ? *this : clone(memory_format);
}
Tensor contiguous(const Tensor& t) { return t.contiguous(); }
Tensor contiguous(const Tensor& t, MemoryFormat memory_format) { return t.contiguous(memory_format); }
// ATen's test: walking the dims from fastest to slowest (C, W, H, N for ChannelsLast), each dim of
// size other than 1 has the stride of the product of the sizes before it.
bool Tensor::is_contiguous(MemoryFormat memory_format) const {
  if (memory_format != MemoryFormat::ChannelsLast && memory_format != MemoryFormat::ChannelsLast3d)
    return is_contiguous();
  const int64_t rank = memory_format == MemoryFormat::ChannelsLast ? 4 : 5;
  if (dim() != rank) return false;
  if (numel() == 0) return true;
  DimVector order{1};
  for (int64_t d = rank - 1; d >= 2; --d) order.push_back(d);
  order.push_back(0);
  int64_t expected = 1;
  for (int64_t d : order) {
    if (size(d) == 1) continue;
    if (stride(d) != expected) return false;
    expected *= size(d);
  }
  return true;
}

Tensor Tensor::to(ScalarType dt, bool, bool copy) const {
  if (dt == dtype() && !copy) return *this;
  Tensor out = new_tensor(sizes(), dt);
  kernels::copy(out, *this);
  if (any_requires_grad(*this) && is_floating_type(dt)) {
    auto n = make_node<ToCopyBackward0>(*this);
    n->dtype = dtype();
    set_history(out, n);
  }
  return out;
}
Tensor Tensor::to(Device d, bool nb, bool copy) const {
  check_device(d, "to");
  return copy ? to(dtype(), nb, true) : *this;
}
Tensor Tensor::to(Device d, ScalarType dt, bool nb, bool copy) const {
  check_device(d, "to");
  return to(dt, nb, copy);
}
Tensor Tensor::to(const TensorOptions& o, bool nb, bool copy) const {
  check_device(o.device(), "to");
  return to(o.has_dtype() ? o.dtype() : dtype(), nb, copy);
}
Tensor Tensor::to(const Tensor& other, bool nb, bool copy) const { return to(other.dtype(), nb, copy); }
Tensor Tensor::cuda() const { throw_no_cuda("cuda"); }

Scalar Tensor::item() const {
  EMBER_CHECK(numel() == 1, "a Tensor with ", numel(), " elements cannot be converted to Scalar");
  return visit_dtype(dtype(), "item", [&](auto tag) -> Scalar {
    using T = decltype(tag);
    return Scalar(*reinterpret_cast<const T*>(data_ptr()));
  });
}

}  // namespace ember
