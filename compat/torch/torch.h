// LibTorch's names mapped onto ember: torch::, at::, c10:: and the TORCH_* macros.
#pragma once

#include <iostream>

#include "ember/ember.h"
#include "ember/nn/module_holder.h"

namespace torch {
using namespace ::ember;
namespace autograd {
using namespace ::ember::autograd;
}
namespace indexing {
using namespace ::ember::indexing;
}
namespace cuda {
using namespace ::ember::cuda;
}
using ::ember::autograd::AutogradContext;
using ::ember::autograd::Function;
using ::ember::variable_list;
using Dtype = ::ember::ScalarType;
namespace nn {
using namespace ::ember::nn;
namespace functional {
using namespace ::ember::nn::functional;
}
namespace init {
using namespace ::ember::nn::init;
}
}  // namespace nn
namespace optim {
using namespace ::ember::optim;
}
// An alias rather than a namespace of using-directives: after `using namespace torch;`, `data::`
// then names one namespace whichever path reaches it, so it is not ambiguous.
namespace data = ::ember::data;
}  // namespace torch

namespace at {
using namespace ::ember;
namespace indexing {
using namespace ::ember::indexing;
}
}  // namespace at

namespace c10 {
using ::ember::IValue;
namespace ivalue {
using ::ember::ivalue::Tuple;
}
using GenericDict = ::ember::GenericDict;
namespace impl {
using GenericDict = ::ember::GenericDict;
using GenericList = ::ember::GenericList;
}  // namespace impl
using ::ember::ArrayRef;
using ::ember::Device;
using ::ember::DeviceType;
using ::ember::IntArrayRef;
using ::ember::Scalar;
using ::ember::ScalarType;
using Error = ::ember::Error;
using ::ember::kCPU;
using ::ember::kCUDA;
template <typename T>
using optional = std::optional<T>;
using std::nullopt;
}  // namespace c10

namespace ember {
namespace compat_detail {
inline std::string check_message(const char* cond) {
  return std::string("Expected ") + cond + " to be true, but got false.";
}
template <typename... Args>
std::string check_message(const char*, const Args&... args) {
  return ::ember::detail::str_cat(args...);
}
}  // namespace compat_detail
}  // namespace ember

// LibTorch's check macros: throw c10::Error (ember::Error) with the streamed message.
#define TORCH_CHECK(cond, ...) \
  EMBER_CHECK(cond, ::ember::compat_detail::check_message(#cond, ##__VA_ARGS__))
#define TORCH_INTERNAL_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ERROR(...) ::ember::fail(__VA_ARGS__)

// Options-struct fields: a chained setter and getters for `name`, stored in `name_`.
#define TORCH_ARG(T, name)                                              \
 public:                                                                \
  inline auto name(const T& new_##name)->decltype(*this) {              \
    this->name##_ = new_##name;                                         \
    return *this;                                                       \
  }                                                                     \
  inline auto name(T&& new_##name)->decltype(*this) {                   \
    this->name##_ = std::move(new_##name);                              \
    return *this;                                                       \
  }                                                                     \
  inline const T& name() const noexcept { return this->name##_; }       \
  inline T& name() noexcept { return this->name##_; }                   \
                                                                        \
 private:                                                               \
  T name##_

// `TORCH_MODULE(Linear)` declares `Linear`, a ModuleHolder of `LinearImpl`.
#define TORCH_MODULE_IMPL(Name, ImplType)                     \
  class Name : public ::torch::nn::ModuleHolder<ImplType> {  \
   public:                                                    \
    using ::torch::nn::ModuleHolder<ImplType>::ModuleHolder;  \
    using Impl = ImplType;                                    \
  }
#define TORCH_MODULE(Name) TORCH_MODULE_IMPL(Name, Name##Impl)
