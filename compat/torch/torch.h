// LibTorch's names mapped onto ember: torch::, at::, c10:: and the TORCH_* macros.
#pragma once

#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "ember/ember.h"
#include "ember/nn/module_holder.h"

// torch:: sees all of ember (torch::nn, torch::optim, torch::autograd, torch::indexing,
// torch::cuda, torch::data are ember's own namespaces, found through the using-directive), so
// `using namespace torch;` followed by `nn::Linear` finds one namespace, never two. torch declares
// no sub-namespace of its own for that reason.
namespace torch {
using namespace ::ember;
using Dtype = ::ember::ScalarType;
using std::nullopt;
template <typename T>
using optional = std::optional<T>;
// Rust-style short dtypes (torch/types.h).
constexpr auto kU8 = ::ember::kUInt8;
constexpr auto kI32 = ::ember::kInt32;
constexpr auto kI64 = ::ember::kInt64;
constexpr auto kF32 = ::ember::kFloat32;
constexpr auto kF64 = ::ember::kFloat64;
// c10::str, which LibTorch code also reaches as torch::str.
template <typename... Args>
std::string str(const Args&... args) {
  return ::ember::detail::str_cat(args...);
}
// An alias rather than a namespace of using-directives: after `using namespace torch;`, `data::`
// then names one namespace whichever path reaches it, so it is not ambiguous.
namespace data = ::ember::data;
}  // namespace torch

namespace at {
using namespace ::ember;
using ::torch::str;
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
using ::ember::InferenceMode;
using ::ember::IntArrayRef;
using ::ember::kCPU;
using ::ember::kCUDA;
using ::ember::kStrided;
using ::ember::Layout;
using ::ember::MemoryFormat;
using ::ember::Scalar;
using ::ember::ScalarType;
using ::ember::toString;
using ::ember::TypeMeta;
using ::torch::str;
using Error = ::ember::Error;
template <typename T>
using optional = std::optional<T>;
using std::nullopt;
}  // namespace c10

namespace caffe2 {
using ::ember::TypeMeta;
}  // namespace caffe2

namespace ember {
namespace compat_detail {
// LibTorch's text when TORCH_CHECK has no message.
inline std::string check_message(const char* cond) {
  return std::string("Expected ") + cond +
         " to be true, but got false.  (Could this error message be improved?  If so, please report an "
         "enhancement request to PyTorch.)";
}
template <typename... Args>
std::string check_message(const char*, const Args&... args) {
  return ::ember::detail::str_cat(args...);
}

// TORCH_CHECK_EQ and friends: collects "Check failed: a == b (1 vs. 2) " and whatever the caller
// streams after it, and throws c10::Error at the end of the statement. (LibTorch, built with
// glog, aborts the process here; ember throws, as for every other failed check.)
class CheckOpFailure {
 public:
  CheckOpFailure() = default;
  CheckOpFailure(const CheckOpFailure&) = delete;
  CheckOpFailure& operator=(const CheckOpFailure&) = delete;
  ~CheckOpFailure() noexcept(false) { ::ember::detail::throw_error(message_.str()); }
  std::ostream& stream() { return message_; }

 private:
  std::ostringstream message_;
};
// Turns the streamed expression into void, so it fits the other branch of `?:`.
struct Voidify {
  void operator&(std::ostream&) {}
};

// TORCH_WARN: "[W file:line] Warning: message (function name)" on stderr, as LibTorch's default handler.
inline void warn(const char* function, const char* file, int line, const std::string& message) {
  std::cerr << "[W " << file << ":" << line << "] Warning: " << message << " (function " << function << ")\n";
}
}  // namespace compat_detail
}  // namespace ember

// LibTorch's check macros: throw c10::Error (ember::Error) with the streamed message.
#define TORCH_CHECK(cond, ...) \
  EMBER_CHECK(cond, ::ember::compat_detail::check_message(#cond, ##__VA_ARGS__))
#define TORCH_INTERNAL_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ERROR(...) ::ember::fail(__VA_ARGS__)
#define TORCH_CHECK_OP(val1, val2, op)                                                                 \
  ((val1)op(val2)) ? (void)0                                                                          \
                   : ::ember::compat_detail::Voidify() &                                              \
                         ::ember::compat_detail::CheckOpFailure().stream()                            \
                             << "Check failed: " #val1 " " #op " " #val2 " (" << (val1) << " vs. " << (val2) \
                             << ") "
#define TORCH_CHECK_EQ(val1, val2) TORCH_CHECK_OP(val1, val2, ==)
#define TORCH_CHECK_NE(val1, val2) TORCH_CHECK_OP(val1, val2, !=)
#define TORCH_CHECK_LE(val1, val2) TORCH_CHECK_OP(val1, val2, <=)
#define TORCH_CHECK_LT(val1, val2) TORCH_CHECK_OP(val1, val2, <)
#define TORCH_CHECK_GE(val1, val2) TORCH_CHECK_OP(val1, val2, >=)
#define TORCH_CHECK_GT(val1, val2) TORCH_CHECK_OP(val1, val2, >)
#define TORCH_WARN(...) \
  ::ember::compat_detail::warn(__func__, __FILE__, __LINE__, ::ember::detail::str_cat(__VA_ARGS__))
#define TORCH_WARN_ONCE(...)                                                   \
  do {                                                                         \
    static const bool ember_warned_once_ = (TORCH_WARN(__VA_ARGS__), true);    \
    (void)ember_warned_once_;                                                  \
  } while (0)

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
