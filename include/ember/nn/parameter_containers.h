// ParameterList and ParameterDict: modules that only hold parameters, by position ("0", "1", ...)
// or by name, with LibTorch's methods and printing.
#pragma once
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/module_holder.h"

namespace ember {
namespace nn {

class ParameterListImpl : public Cloneable<ParameterListImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterListImpl() = default;
  template <typename... Tensors>
  explicit ParameterListImpl(const Tensors&... params) {
    (append(params), ...);
  }
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::ParameterList(" << std::endl;
    for (const auto& item : parameters_)
      stream << "(" << item.key() << "): Parameter containing: [" << item.value().scalar_type() << " of size "
             << item.value().sizes() << "]" << std::endl;
    stream << ")";
  }
  // The parameter keeps the tensor's requires_grad.
  void append(const Tensor& param) { register_parameter(std::to_string(parameters_.size()), param, param.requires_grad()); }
  void append(const OrderedDict<std::string, Tensor>::Item& item) { append(item.value()); }
  template <typename Container>
  void extend(const Container& container) {
    for (const auto& param : container) append(param);
  }
  Iterator begin() { return parameters_.begin(); }
  ConstIterator begin() const { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator end() const { return parameters_.end(); }
  Tensor& at(size_t idx) { return parameters_[std::to_string(idx)]; }
  const Tensor& at(size_t idx) const { return parameters_[std::to_string(idx)]; }
  Tensor& operator[](size_t idx) { return at(idx); }
  const Tensor& operator[](size_t idx) const { return at(idx); }
  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.is_empty(); }
  template <typename Container>
  Container& operator+=(const Container& other) {
    extend(other);
    return *this;
  }
};
class ParameterList : public ModuleHolder<ParameterListImpl> {
 public:
  using ModuleHolder<ParameterListImpl>::ModuleHolder;
  using Impl = ParameterListImpl;
};

class ParameterDictImpl : public Cloneable<ParameterDictImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) {
    for (const auto& item : params) insert(item.key(), item.value());
  }
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::ParameterDict(" << std::endl;
    for (const auto& item : parameters_)
      stream << "(" << item.key() << "): Parameter containing: [" << item.value().scalar_type() << " of size "
             << item.value().sizes() << "]" << std::endl;
    stream << ")";
  }
  Tensor& insert(std::string key, Tensor param) {
    const bool requires_grad = param.requires_grad();
    return register_parameter(std::move(key), std::move(param), requires_grad);
  }
  Tensor pop(const std::string& key) {
    EMBER_CHECK(parameters_.contains(key), "Parameter '", key, "' is not defined");
    Tensor v = parameters_[key];
    parameters_.erase(key);
    return v;
  }
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  Iterator begin() { return parameters_.begin(); }
  ConstIterator begin() const { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator end() const { return parameters_.end(); }
  size_t size() const noexcept { return parameters_.size(); }
  bool empty() const noexcept { return parameters_.is_empty(); }
  // Replaces the entries of the same name, adds the others.
  template <typename Container>
  void update(const Container& container) {
    for (const auto& item : container) {
      if (Tensor* v = parameters_.find(item.key())) *v = item.value();
      else insert(item.key(), item.value());
    }
  }
  void clear() { parameters_.clear(); }
  bool contains(const std::string& key) const noexcept { return parameters_.contains(key); }
  const Tensor& get(const std::string& key) const { return parameters_[key]; }
  Tensor& get(const std::string& key) { return parameters_[key]; }
  Tensor& operator[](const std::string& key) { return parameters_[key]; }
  const Tensor& operator[](const std::string& key) const { return parameters_[key]; }
};
class ParameterDict : public ModuleHolder<ParameterDictImpl> {
 public:
  using ModuleHolder<ParameterDictImpl>::ModuleHolder;
  using Impl = ParameterDictImpl;
};

// clone() of each module here is compiled once, in src/nn/container_instantiations.cpp (see Cloneable).
extern template class Cloneable<ParameterListImpl>;
extern template class Cloneable<ParameterDictImpl>;

}  // namespace nn
}  // namespace ember
