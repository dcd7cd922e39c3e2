// ModuleHolder<T>: the value type behind TORCH_MODULE(Name): shares one NameImpl, forwards ->, *
// and the call operator (to forward). Module itself arrives with the nn layer.
#pragma once
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "ember/core/error.h"

namespace ember {
namespace nn {

template <typename Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;

  // Default-constructs the module, as LibTorch does; `Name m{nullptr}` makes an empty holder.
  ModuleHolder() { init(default_construct()); }
  ModuleHolder(std::nullptr_t) { init(nullptr); }
  ModuleHolder(std::shared_ptr<Contained> module) { init(std::move(module)); }
  template <typename Head, typename... Tail,
            typename = std::enable_if_t<!(std::is_same_v<std::decay_t<Head>, ModuleHolder> && sizeof...(Tail) == 0) &&
                                        !std::is_same_v<std::decay_t<Head>, std::nullptr_t>>>
  explicit ModuleHolder(Head&& head, Tail&&... tail) {
    init(std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...));
  }
  ModuleHolder(const ModuleHolder& other) { init(other.impl()); }
  ModuleHolder(ModuleHolder&& other) noexcept { init(std::move(other.impl())); }
  ModuleHolder& operator=(const ModuleHolder& other) {
    impl() = other.impl();
    return *this;
  }
  ModuleHolder& operator=(ModuleHolder&& other) noexcept {
    impl() = std::move(other.impl());
    return *this;
  }
  ~ModuleHolder() { std::destroy_at(&impl()); }

  explicit operator bool() const noexcept { return !is_empty(); }
  bool is_empty() const noexcept { return impl() == nullptr; }
  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const {
    EMBER_CHECK(!is_empty(), "Accessing empty ModuleHolder");
    return impl();
  }
  Contained* get() {
    EMBER_CHECK(!is_empty(), "Accessing empty ModuleHolder");
    return impl().get();
  }
  const Contained* get() const {
    EMBER_CHECK(!is_empty(), "Accessing empty ModuleHolder");
    return impl().get();
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) {
    return get()->forward(std::forward<Args>(args)...);
  }
  // list[0], dict["key"]: indexing goes to the module, as LibTorch's holder does.
  template <typename Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }

 private:
  // The std::shared_ptr<Contained> lives in raw storage, made and destroyed by the members above,
  // so that declaring a holder class (every built-in module has one) does not instantiate
  // std::shared_ptr<Contained>: that alone was about a tenth of compiling torch/torch.h. Every
  // std::shared_ptr has the layout of std::shared_ptr<void>.
  void init(std::shared_ptr<Contained> module) noexcept {
    static_assert(sizeof(std::shared_ptr<Contained>) == sizeof(storage_) &&
                  alignof(std::shared_ptr<Contained>) <= alignof(std::shared_ptr<void>));
    ::new (static_cast<void*>(storage_)) std::shared_ptr<Contained>(std::move(module));
  }
  std::shared_ptr<Contained>& impl() noexcept {
    return *std::launder(reinterpret_cast<std::shared_ptr<Contained>*>(storage_));
  }
  const std::shared_ptr<Contained>& impl() const noexcept {
    return *std::launder(reinterpret_cast<const std::shared_ptr<Contained>*>(storage_));
  }
  static std::shared_ptr<Contained> default_construct() {
    if constexpr (std::is_default_constructible_v<Contained>) return std::make_shared<Contained>();
    else return nullptr;
  }

  alignas(std::shared_ptr<void>) unsigned char storage_[sizeof(std::shared_ptr<void>)];
};

}  // namespace nn
}  // namespace ember
