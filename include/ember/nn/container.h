// Containers: Sequential (AnyModules applied in order), Functional (a function as a module),
// ModuleList (indexed modules) and ModuleDict (modules by name).
#pragma once
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/nn/any.h"
#include "ember/nn/module.h"

namespace ember {
namespace nn {

class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function function) : function_(std::move(function)) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Functional()"; }
  Tensor forward(Tensor input) { return function_(std::move(input)); }
  Tensor operator()(Tensor input) { return forward(std::move(input)); }

 private:
  Function function_;
};
class Functional : public ModuleHolder<FunctionalImpl> {
 public:
  using ModuleHolder<FunctionalImpl>::ModuleHolder;
  using Impl = FunctionalImpl;
  Functional(Tensor (*fn)(const Tensor&)) : ModuleHolder(std::make_shared<FunctionalImpl>(fn)) {}
};

// Modules applied in order, each held as an AnyModule and registered under its name ("0", "1", ...
// unless named: Sequential({{"fc1", Linear(3, 4)}, {"relu", ReLU()}})).
class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  using Iterator = std::vector<AnyModule>::iterator;
  using ConstIterator = std::vector<AnyModule>::const_iterator;

  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    modules_.reserve(sizeof...(Modules));
    (push_back(std::forward<Modules>(modules)), ...);
  }
  explicit SequentialImpl(OrderedDict<std::string, AnyModule>&& ordered_dict) {
    modules_.reserve(ordered_dict.size());
    for (auto& item : ordered_dict) push_back(item.key(), std::move(item.value()));
  }
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named_modules) {
    modules_.reserve(named_modules.size());
    for (const auto& named : named_modules) push_back(named.name(), named.module());
  }

  // A Sequential of clones of every layer, under the same names.
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Sequential"; }

  // Feeds the inputs to the first module and each output to the next; the last output is returned
  // as ReturnType (Tensor unless asked otherwise).
  template <typename ReturnType = Tensor, typename... InputTypes>
  ReturnType forward(InputTypes&&... inputs) {
    EMBER_CHECK(!is_empty(), "Cannot call forward() on an empty Sequential");
    auto it = modules_.begin();
    AnyValue value = it->any_forward(std::forward<InputTypes>(inputs)...);
    for (++it; it != modules_.end(); ++it) value = it->any_forward(std::move(value));
    if (ReturnType* result = value.template try_get<ReturnType>()) return std::move(*result);
    fail("The type of the return value is ", autograd::demangle(value.type_info().name()),
         ", but you asked for type ", autograd::demangle(typeid(ReturnType).name()));
  }

  // Appends a module: a holder such as Linear(2, 3), a module value, a shared_ptr or an AnyModule,
  // optionally under a name.
  template <typename M>
  void push_back(std::shared_ptr<M> module) {
    push_back(std::to_string(modules_.size()), std::move(module));
  }
  template <typename M>
  void push_back(std::string name, std::shared_ptr<M> module) {
    push_back(std::move(name), AnyModule(std::move(module)));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::to_string(modules_.size()), std::forward<M>(module));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(std::string name, M&& module) {
    push_back(std::move(name), std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  template <typename M>
  void push_back(const ModuleHolder<M>& holder) {
    push_back(std::to_string(modules_.size()), holder);
  }
  template <typename M>
  void push_back(std::string name, const ModuleHolder<M>& holder) {
    push_back(std::move(name), holder.ptr());
  }
  void push_back(AnyModule module) { push_back(std::to_string(modules_.size()), std::move(module)); }
  void push_back(std::string name, AnyModule module);
  // Appends every module of a container (another Sequential, a vector of holders, ...).
  template <typename Container>
  void extend(const Container& container) {
    for (const auto& module : container) push_back(module);
  }

  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }

  // The module at index as its concrete type T (e.g. at<LinearImpl>(0)).
  template <typename T>
  T& at(size_t index) {
    static_assert(std::is_base_of_v<Module, T>, "Can only call Sequential::at with an nn::Module type");
    EMBER_CHECK(index < size(), "Index out of range");
    return modules_[index].get<T>();
  }
  template <typename T>
  const T& at(size_t index) const {
    static_assert(std::is_base_of_v<Module, T>, "Can only call Sequential::at with an nn::Module type");
    EMBER_CHECK(index < size(), "Index out of range");
    return modules_[index].get<T>();
  }
  std::shared_ptr<Module> ptr(size_t index) const {
    EMBER_CHECK(index < size(), "Index out of range");
    return modules_[index].ptr();
  }
  template <typename T>
  std::shared_ptr<T> ptr(size_t index) const {
    static_assert(std::is_base_of_v<Module, T>, "Can only call Sequential::ptr with an nn::Module type");
    EMBER_CHECK(index < size(), "Index out of range");
    return modules_[index].ptr<T>();
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  std::vector<AnyModule> modules_;
};
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
  Sequential() : ModuleHolder() {}
  Sequential(std::initializer_list<NamedAnyModule> named_modules)
      : ModuleHolder(std::make_shared<SequentialImpl>(named_modules)) {}
};

// Modules held in order and registered as children "0", "1", ... (so parameters read "0.weight").
class ModuleListImpl : public Cloneable<ModuleListImpl> {
 public:
  using Iterator = std::vector<std::shared_ptr<Module>>::iterator;
  using ConstIterator = std::vector<std::shared_ptr<Module>>::const_iterator;

  ModuleListImpl() = default;
  template <typename... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    modules_.reserve(sizeof...(Modules));
    (push_back(std::forward<Modules>(modules)), ...);
  }

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::ModuleList"; }

  void push_back(std::shared_ptr<Module> module);
  template <typename M>
  void push_back(const ModuleHolder<M>& holder) {
    push_back(std::shared_ptr<Module>(holder.ptr()));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }
  template <typename M>
  void push_back(std::shared_ptr<M> module) {
    push_back(std::shared_ptr<Module>(std::move(module)));
  }
  // Appends every module of another list (or any range of modules/holders).
  template <typename Container>
  void extend(const Container& container) {
    for (const auto& module : container) push_back(module);
  }
  // Inserts before position index (index == size() appends); later modules move up one name.
  void insert(size_t index, std::shared_ptr<Module> module);
  template <typename M>
  void insert(size_t index, const ModuleHolder<M>& holder) {
    insert(index, std::shared_ptr<Module>(holder.ptr()));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void insert(size_t index, M&& module) {
    insert(index, std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }

  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }

  // The module at index as its concrete type T (e.g. at<LinearImpl>(0)).
  template <typename T>
  T& at(size_t index) {
    static_assert(std::is_base_of_v<Module, T>, "Can only call ModuleList::at with an nn::Module type");
    EMBER_CHECK(index < size(), "Index out of range");
    T* module = modules_[index]->as<T>();
    EMBER_CHECK(module, "Unable to cast module[", index, "] to ", autograd::demangle(typeid(T).name()));
    return *module;
  }
  template <typename T>
  const T& at(size_t index) const {
    return const_cast<ModuleListImpl*>(this)->at<T>(index);
  }
  std::shared_ptr<Module> ptr(size_t index) const {
    EMBER_CHECK(index < size(), "Index out of range");
    return modules_[index];
  }
  template <typename T>
  std::shared_ptr<T> ptr(size_t index) const {
    static_assert(std::is_base_of_v<Module, T>, "Can only call ModuleList::ptr with an nn::Module type");
    return std::dynamic_pointer_cast<T>(ptr(index));
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};
class ModuleList : public ModuleHolder<ModuleListImpl> {
 public:
  using ModuleHolder<ModuleListImpl>::ModuleHolder;
  using Impl = ModuleListImpl;
};

// Modules by name, in insertion order, each registered as a child under its key. Inserting an
// existing key replaces that module (as LibTorch and Python do); pop and clear also unregister,
// so named_parameters() never lists a module the dict no longer holds (Python's behaviour).
class ModuleDictImpl : public Cloneable<ModuleDictImpl> {
 public:
  using Iterator = OrderedDict<std::string, std::shared_ptr<Module>>::Iterator;
  using ConstIterator = OrderedDict<std::string, std::shared_ptr<Module>>::ConstIterator;

  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
    update(modules);
  }
  explicit ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) { update(modules); }

  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items() const;
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }
  size_t size() const noexcept { return modules_.size(); }
  bool empty() const noexcept { return modules_.is_empty(); }
  bool contains(const std::string& key) const noexcept { return modules_.contains(key); }

  void clear();
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::ModuleDict"; }

  std::shared_ptr<Module> operator[](const std::string& key) const { return modules_[key]; }
  template <typename T>
  T& at(const std::string& key) {
    static_assert(std::is_base_of_v<Module, T>, "Can only call ModuleDict::at with an nn::Module type");
    T* module = modules_[key]->as<T>();
    EMBER_CHECK(module, "Unable to cast module[", key, "] to ", autograd::demangle(typeid(T).name()));
    return *module;
  }
  template <typename T>
  const T& at(const std::string& key) const {
    return const_cast<ModuleDictImpl*>(this)->at<T>(key);
  }
  // Removes and returns the module under key.
  std::shared_ptr<Module> pop(const std::string& key);
  // Inserts every (key, module) pair, replacing modules whose key is already present.
  template <typename Container, typename = decltype(std::declval<const Container&>().begin()->first)>
  void update(const Container& container) {
    for (const auto& item : container) insert(item.first, item.second);
  }
  void update(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) {
    for (const auto& item : modules) insert(item.key(), item.value());
  }
  template <typename M>
  void update(const ModuleHolder<M>& other) {
    for (const auto& item : *other) insert(item.key(), item.value());
  }
  void update(const ModuleDictImpl& other) {
    for (const auto& item : other) insert(item.key(), item.value());
  }
  // Adds (or replaces) one module.
  template <typename M>
  void insert(const std::string& key, const ModuleHolder<M>& holder) {
    insert(key, std::shared_ptr<Module>(holder.ptr()));
  }
  template <typename M>
  void insert(const std::string& key, std::shared_ptr<M> module) {
    EMBER_CHECK(module != nullptr, "ModuleDict: cannot insert an empty module under '", key, "'");
    std::shared_ptr<Module> m = std::move(module);
    if (modules_.contains(key)) {
      replace_module(key, m);
      modules_[key] = std::move(m);
    } else {
      register_module(key, m);  // checks the name before anything is stored
      modules_.insert(key, std::move(m));
    }
  }

 private:
  OrderedDict<std::string, std::shared_ptr<Module>> modules_;
};
class ModuleDict : public ModuleHolder<ModuleDictImpl> {
 public:
  using ModuleHolder<ModuleDictImpl>::ModuleHolder;
  using Impl = ModuleDictImpl;
};

// clone() of each module here is compiled once, in src/nn/container_instantiations.cpp (see Cloneable).
extern template class Cloneable<FunctionalImpl>;
extern template class Cloneable<SequentialImpl>;
extern template class Cloneable<ModuleListImpl>;
extern template class Cloneable<ModuleDictImpl>;

}  // namespace nn
}  // namespace ember
