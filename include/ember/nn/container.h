// Containers: Sequential (modules applied in order), Functional (a function as a module),
// ModuleList (indexed modules) and ModuleDict (modules by name).
#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  // Appends a module (a holder such as Linear(2, 3), or a shared_ptr to a module with forward(Tensor)).
  template <typename M>
  void push_back(M&& module) {
    push_back(std::to_string(steps_.size()), std::forward<M>(module));
  }
  template <typename M>
  void push_back(std::string name, M&& module) {
    if constexpr (detail::is_module_holder<std::decay_t<M>>::value) {
      add(std::move(name), module.ptr());
    } else {
      add(std::move(name), std::forward<M>(module));
    }
  }

  Tensor forward(Tensor input) {
    EMBER_CHECK(!steps_.empty(), "Cannot call forward() on an empty Sequential");
    for (auto& step : steps_) input = step.run(*step.module, std::move(input));
    return input;
  }
  // A Sequential of clones of every layer.
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<SequentialImpl>();
    for (size_t i = 0; i < steps_.size(); ++i) {
      auto layer = steps_[i].module->clone(device);
      copy->register_module(children_[i].key(), layer);
      copy->steps_.push_back(Step{std::move(layer), steps_[i].run});
    }
    copy->train(is_training());
    return copy;
  }
  size_t size() const noexcept { return steps_.size(); }
  bool is_empty() const noexcept { return steps_.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const {
    EMBER_CHECK(index < steps_.size(), "Index out of range");
    return steps_[index].module;
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Sequential"; }

 private:
  struct Step {
    std::shared_ptr<Module> module;
    Tensor (*run)(Module&, Tensor);  // calls the concrete layer's forward
  };
  template <typename T>
  void add(std::string name, std::shared_ptr<T> module) {
    EMBER_CHECK(module != nullptr, "Sequential: cannot add an empty module");
    register_module(name, module);
    steps_.push_back(Step{module, [](Module& m, Tensor x) { return static_cast<T&>(m).forward(std::move(x)); }});
  }
  std::vector<Step> steps_;
};
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
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

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<ModuleListImpl>();
    for (const auto& module : modules_) copy->push_back(module->clone(device));
    copy->train(is_training());
    return copy;
  }
  void reset() override {}
  void pretty_print(std::ostream& stream) const override { stream << "torch::nn::ModuleList"; }

  void push_back(std::shared_ptr<Module> module) {
    EMBER_CHECK(module != nullptr, "ModuleList: cannot add an empty module");
    register_module(std::to_string(modules_.size()), module);
    modules_.push_back(std::move(module));
  }
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
  void insert(size_t index, std::shared_ptr<Module> module) {
    EMBER_CHECK(index <= modules_.size(), "Index out of range");
    EMBER_CHECK(module != nullptr, "ModuleList: cannot add an empty module");
    if (index == modules_.size()) return push_back(std::move(module));
    modules_.insert(modules_.begin() + static_cast<std::ptrdiff_t>(index), std::move(module));
    for (size_t i = index; i + 1 < modules_.size(); ++i) replace_module(std::to_string(i), modules_[i]);
    register_module(std::to_string(modules_.size() - 1), modules_.back());
  }
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

  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items() const {
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
    for (const auto& item : modules_) out.emplace_back(item.key(), item.value());
    return out;
  }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }
  size_t size() const noexcept { return modules_.size(); }
  bool empty() const noexcept { return modules_.is_empty(); }
  bool contains(const std::string& key) const noexcept { return modules_.contains(key); }

  void clear() {
    for (const auto& key : modules_.keys()) unregister_module(key);
    modules_.clear();
  }
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<ModuleDictImpl>();
    for (const auto& item : modules_) copy->insert(item.key(), item.value()->clone(device));
    copy->train(is_training());
    return copy;
  }
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
  std::shared_ptr<Module> pop(const std::string& key) {
    std::shared_ptr<Module> module = modules_[key];
    modules_.erase(key);
    unregister_module(key);
    return module;
  }
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

}  // namespace nn
}  // namespace ember
