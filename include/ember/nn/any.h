// AnyValue (a value of any copyable type) and AnyModule (any module with a forward(), called with
// AnyValues), as LibTorch's: what Sequential holds, and NamedAnyModule for Sequential({{"fc1", ...}}).
#pragma once
#include <any>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "ember/autograd/function.h"
#include "ember/nn/module.h"

namespace ember {
namespace nn {

class AnyValue {
 public:
  template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, AnyValue>>>
  explicit AnyValue(T&& value) : value_(std::forward<T>(value)) {}
  const std::type_info& type_info() const noexcept { return value_.type(); }
  // The value if it is a T, else null.
  template <typename T>
  T* try_get() {
    return std::any_cast<T>(&value_);
  }
  template <typename T>
  T get() {
    if (T* value = try_get<T>()) return *value;
    fail("Attempted to cast AnyValue to ", autograd::demangle(typeid(T).name()), ", but its actual type is ",
         autograd::demangle(type_info().name()));
  }

 private:
  std::any value_;
};

namespace detail {
// The parameter list of T::forward when it is one non-template function; otherwise (overloaded or
// a template, as Sequential's) forward is taken to be forward(Tensor).
template <typename F>
struct forward_params {
  using type = std::tuple<Tensor>;
};
template <typename C, typename R, typename... Args>
struct forward_params<R (C::*)(Args...)> {
  using type = std::tuple<Args...>;
};
template <typename C, typename R, typename... Args>
struct forward_params<R (C::*)(Args...) const> {
  using type = std::tuple<Args...>;
};
template <typename T, typename = void>
struct forward_signature {
  using type = std::tuple<Tensor>;
};
template <typename T>
struct forward_signature<T, std::void_t<decltype(&T::forward)>> {
  using type = typename forward_params<decltype(&T::forward)>::type;
};

// Whether m.forward(first N parameters) compiles, so defaulted trailing parameters may be left out.
template <typename M, typename Params, typename Seq, typename = void>
struct can_forward_prefix : std::false_type {};
template <typename M, typename Params, size_t... I>
struct can_forward_prefix<M, Params, std::index_sequence<I...>,
                          std::void_t<decltype(std::declval<M&>().forward(
                              std::declval<std::tuple_element_t<I, Params>>()...))>> : std::true_type {};
}  // namespace detail

class AnyModule {
 public:
  AnyModule() = default;
  template <typename M>
  explicit AnyModule(std::shared_ptr<M> module) : content_(make_holder(std::move(module))) {}
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  explicit AnyModule(M&& module)
      : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}
  template <typename M>
  explicit AnyModule(const ModuleHolder<M>& holder) : AnyModule(holder.ptr()) {}
  AnyModule(AnyModule&&) = default;
  AnyModule& operator=(AnyModule&&) = default;
  // A copy refers to the same module; clone() copies the module.
  AnyModule(const AnyModule& other) : content_(other.content_ ? other.content_->copy() : nullptr) {}
  AnyModule& operator=(const AnyModule& other) {
    if (this != &other) content_ = other.content_ ? other.content_->copy() : nullptr;
    return *this;
  }
  template <typename M>
  AnyModule& operator=(std::shared_ptr<M> module) {
    return *this = AnyModule(std::move(module));
  }

  AnyModule clone(const std::optional<Device>& device = std::nullopt) const {
    AnyModule copy;
    if (content_) copy.content_ = content_->clone_module(device);
    return copy;
  }

  template <typename... Args>
  AnyValue any_forward(Args&&... args) {
    EMBER_CHECK(!is_empty(), "Cannot call forward() on an empty AnyModule");
    std::vector<AnyValue> values;
    values.reserve(sizeof...(Args));
    (values.emplace_back(std::forward<Args>(args)), ...);
    return content_->forward(std::move(values));
  }
  template <typename ReturnType = Tensor, typename... Args>
  ReturnType forward(Args&&... args) {
    return any_forward(std::forward<Args>(args)...).template get<ReturnType>();
  }

  // The module as its concrete type T (a module type, or a holder such as Linear).
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<Module, T>>>
  T& get() {
    EMBER_CHECK(!is_empty(), "Cannot call get() on an empty AnyModule");
    return *cast<T>();
  }
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<Module, T>>>
  const T& get() const {
    EMBER_CHECK(!is_empty(), "Cannot call get() on an empty AnyModule");
    return *cast<T>();
  }
  template <typename T, typename C = typename T::ContainedType>
  T get() const {
    EMBER_CHECK(!is_empty(), "Cannot call get() on an empty AnyModule");
    return T(ptr<C>());
  }
  std::shared_ptr<Module> ptr() const {
    EMBER_CHECK(!is_empty(), "Cannot call ptr() on an empty AnyModule");
    return content_->ptr();
  }
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<Module, T>>>
  std::shared_ptr<T> ptr() const {
    EMBER_CHECK(!is_empty(), "Cannot call ptr() on an empty AnyModule");
    cast<T>();
    return std::dynamic_pointer_cast<T>(content_->ptr());
  }
  const std::type_info& type_info() const {
    EMBER_CHECK(!is_empty(), "Cannot call type_info() on an empty AnyModule");
    return content_->type_info;
  }
  bool is_empty() const noexcept { return content_ == nullptr; }

 private:
  struct Placeholder {
    explicit Placeholder(const std::type_info& t) : type_info(t) {}
    virtual ~Placeholder() = default;
    virtual AnyValue forward(std::vector<AnyValue>&& arguments) = 0;
    virtual std::shared_ptr<Module> ptr() const = 0;
    virtual std::unique_ptr<Placeholder> copy() const = 0;
    virtual std::unique_ptr<Placeholder> clone_module(const std::optional<Device>& device) const = 0;
    const std::type_info& type_info;
  };

  template <typename M>
  struct Holder final : Placeholder {
    using Params = typename detail::forward_signature<M>::type;
    static constexpr size_t kMaxArgs = std::tuple_size_v<Params>;

    explicit Holder(std::shared_ptr<M> m) : Placeholder(typeid(M)), module(std::move(m)) {}
    std::shared_ptr<Module> ptr() const override { return module; }
    std::unique_ptr<Placeholder> copy() const override { return std::make_unique<Holder>(module); }
    std::unique_ptr<Placeholder> clone_module(const std::optional<Device>& device) const override {
      auto cloned = std::dynamic_pointer_cast<M>(module->clone(device));
      EMBER_CHECK(cloned != nullptr, "AnyModule::clone: the clone of ", autograd::demangle(typeid(M).name()),
                  " has another type");
      return std::make_unique<Holder>(std::move(cloned));
    }
    AnyValue forward(std::vector<AnyValue>&& arguments) override {
      return dispatch<kMaxArgs>(arguments);
    }

    template <size_t N>
    static constexpr size_t min_args() {
      if constexpr (N == 0) {
        return 0;
      } else if constexpr (detail::can_forward_prefix<M, Params, std::make_index_sequence<N - 1>>::value) {
        return min_args<N - 1>();
      } else {
        return N;
      }
    }
    // Calls forward with as many arguments as were given, when that many compile (trailing
    // parameters may have defaults).
    template <size_t N>
    AnyValue dispatch(std::vector<AnyValue>& arguments) {
      if constexpr (detail::can_forward_prefix<M, Params, std::make_index_sequence<N>>::value) {
        if (arguments.size() == N) return call(arguments, std::make_index_sequence<N>{});
      }
      if constexpr (N > 0) {
        return dispatch<N - 1>(arguments);
      } else {
        constexpr size_t low = min_args<kMaxArgs>();
        const std::string name = autograd::demangle(typeid(M).name());
        if (low == kMaxArgs)
          fail(name, "'s forward() method expects ", kMaxArgs, " argument(s), but received ", arguments.size(), ".");
        fail(name, "'s forward() method expects at least ", low, " argument(s) and at most ", kMaxArgs,
             " argument(s), but received ", arguments.size(), ".");
      }
    }
    template <size_t... I>
    AnyValue call(std::vector<AnyValue>& arguments, std::index_sequence<I...>) {
      return AnyValue(module->forward(
          std::forward<std::tuple_element_t<I, Params>>(argument<std::tuple_element_t<I, Params>>(arguments, I))...));
    }
    template <typename P>
    static std::decay_t<P>& argument(std::vector<AnyValue>& arguments, size_t index) {
      using T = std::decay_t<P>;
      if (T* value = arguments[index].template try_get<T>()) return *value;
      fail("Expected argument #", index, " to be of type ", autograd::demangle(typeid(T).name()),
           ", but received value of type ", autograd::demangle(arguments[index].type_info().name()));
    }

    std::shared_ptr<M> module;
  };

  template <typename M>
  static std::unique_ptr<Placeholder> make_holder(std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<Module, M>, "AnyModule holds nn::Module types");
    EMBER_CHECK(module != nullptr, "AnyModule: cannot hold an empty module");
    return std::make_unique<Holder<M>>(std::move(module));
  }
  template <typename T>
  T* cast() const {
    T* module = dynamic_cast<T*>(content_->ptr().get());
    EMBER_CHECK(module != nullptr, "Attempted to cast module of type ", autograd::demangle(type_info().name()),
                " to type ", autograd::demangle(typeid(T).name()));
    return module;
  }

  std::unique_ptr<Placeholder> content_;
};

// A module with its name, as Sequential({{"fc1", Linear(3, 4)}, {"relu", ReLU()}}) lists them.
class NamedAnyModule {
 public:
  template <typename M>
  NamedAnyModule(std::string name, std::shared_ptr<M> module)
      : NamedAnyModule(std::move(name), AnyModule(std::move(module))) {}
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  NamedAnyModule(std::string name, M&& module)
      : NamedAnyModule(std::move(name), std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}
  template <typename M>
  NamedAnyModule(std::string name, const ModuleHolder<M>& holder)
      : NamedAnyModule(std::move(name), holder.ptr()) {}
  NamedAnyModule(std::string name, AnyModule module) : name_(std::move(name)), module_(std::move(module)) {}

  const std::string& name() const noexcept { return name_; }
  AnyModule& module() noexcept { return module_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

}  // namespace nn
}  // namespace ember
