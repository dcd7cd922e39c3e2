// nn::Module: the base of every layer: named parameters, buffers and submodules, train/eval,
// zero_grad, to(dtype), apply, and the tree printed as LibTorch prints it. Cloneable<T> adds clone().
#pragma once
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/core/tensor.h"
#include "ember/nn/module_holder.h"
#include "ember/nn/ordered_dict.h"

namespace ember {
namespace serialize {
class OutputArchive;
class InputArchive;
}  // namespace serialize
namespace nn {

namespace detail {
// Whether T is a ModuleHolder (it names its module type as ContainedType).
template <typename T, typename = void>
struct is_module_holder : std::false_type {};
template <typename T>
struct is_module_holder<T, std::void_t<typename T::ContainedType>> : std::true_type {};
}  // namespace detail

class Module : public std::enable_shared_from_this<Module> {
 public:
  using ModuleApplyFunction = std::function<void(Module&)>;
  using NamedModuleApplyFunction = std::function<void(const std::string&, Module&)>;

  explicit Module(std::string name);
  Module();
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;

  // The class name (demangled), or the name given to the constructor.
  const std::string& name() const noexcept;
  // Throws unless the module derives from Cloneable<T>.
  virtual std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const;

  void apply(const ModuleApplyFunction& function);
  void apply(const NamedModuleApplyFunction& function, const std::string& name_prefix = std::string());

  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(const std::string& name_prefix = std::string(),
                                                                  bool include_self = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;

  virtual void train(bool on = true);
  void eval() { train(false); }
  virtual bool is_training() const noexcept { return is_training_; }
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  virtual void to(ScalarType dtype, bool non_blocking = false);
  virtual void to(Device device, bool non_blocking = false);
  // LibTorch 1.13's default keeps the gradient tensors and zeroes them.
  virtual void zero_grad(bool set_to_none = false);

  // as<LinearImpl>() or, as in LibTorch, as<Linear>() (a holder type gives its Impl).
  template <typename ModuleType>
  auto* as() noexcept {
    if constexpr (detail::is_module_holder<ModuleType>::value)
      return dynamic_cast<typename ModuleType::ContainedType*>(this);
    else
      return dynamic_cast<ModuleType*>(this);
  }

  virtual void pretty_print(std::ostream& stream) const;
  virtual bool is_serializable() const { return true; }
  // Writes the state dict (parameters and buffers by path, e.g. "fc1.weight") into the archive;
  // load reads one back, checking every entry before changing any (src/serialize/module_io.cpp).
  virtual void save(serialize::OutputArchive& archive) const;
  virtual void load(serialize::InputArchive& archive);

  // Registers `tensor` as parameter `name` (a leaf; requires_grad as given). An undefined
  // tensor registers an absent parameter (e.g. a disabled bias).
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <typename ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, std::shared_ptr<ModuleType> module) {
    check_child_name(name);
    auto& stored = children_.insert(std::move(name), std::move(module));
    return std::dynamic_pointer_cast<ModuleType>(stored);
  }
  template <typename ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, ModuleHolder<ModuleType> holder) {
    return register_module(std::move(name), holder.ptr());
  }
  template <typename ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, std::shared_ptr<ModuleType> module) {
    auto& stored = (children_[name] = std::move(module));
    return std::dynamic_pointer_cast<ModuleType>(stored);
  }
  template <typename ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, ModuleHolder<ModuleType> holder) {
    return replace_module(name, holder.ptr());
  }
  void unregister_module(const std::string& name);

 protected:
  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};

 private:
  template <typename Derived>
  friend class Cloneable;
  friend std::ostream& operator<<(std::ostream& stream, const Module& module);
  void pretty_print_recursive(std::ostream& stream, const std::string& indentation) const;
  static void check_child_name(const std::string& name);
  // Makes this module a deep copy of `other` (Cloneable implements it).
  virtual void clone_(Module& other, const std::optional<Device>& device);
  void apply_to_tensors(const std::function<Tensor(const Tensor&)>& convert);

  mutable std::optional<std::string> name_;
  bool is_training_ = true;
};

std::ostream& operator<<(std::ostream& stream, const Module& module);
template <typename T>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<T>& holder) {
  return stream << *holder;
}

// Derive from Cloneable<Derived> (and implement reset()) to get a deep-copying clone().
template <typename Derived>
class Cloneable : public Module {
 public:
  using Module::Module;
  // (Re)creates parameters, buffers and submodules; called by the constructor and by clone().
  virtual void reset() = 0;

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  void clone_(Module& other, const std::optional<Device>& device) override;
};

// Defined out of the class (so not inline): the built-in modules' instantiations live in the library
// (src/nn/*_instantiations.cpp) and their headers declare them `extern template`, so a program that
// includes torch/torch.h compiles none of them; a user's own module instantiates its own.
template <typename Derived>
std::shared_ptr<Module> Cloneable<Derived>::clone(const std::optional<Device>& device) const {
  if (device) check_device(*device, "clone");
  NoGradGuard no_grad;
  auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
  copy->parameters_.clear();
  copy->buffers_.clear();
  copy->children_.clear();
  copy->reset();
  EMBER_CHECK(copy->parameters_.size() == parameters_.size(),
              "The cloned module does not have the same number of parameters as the original module after "
              "calling reset(). Are you sure you called register_parameter() inside reset() and not the "
              "constructor?");
  for (const auto& p : parameters_) {
    Tensor& dst = copy->parameters_[p.key()];
    if (p.value().defined()) dst.set_data(p.value().detach().clone());
  }
  EMBER_CHECK(copy->buffers_.size() == buffers_.size(),
              "The cloned module does not have the same number of buffers as the original module after calling "
              "reset(). Are you sure you called register_buffer() inside reset() and not the constructor?");
  for (const auto& b : buffers_) {
    Tensor& dst = copy->buffers_[b.key()];
    if (b.value().defined()) dst.set_data(b.value().detach().clone());
  }
  EMBER_CHECK(copy->children_.size() == children_.size(),
              "The cloned module does not have the same number of child modules as the original module after "
              "calling reset(). Are you sure you called register_module() inside reset() and not the constructor?");
  // Clone into the submodules reset() made, so the copy's member holders stay in step.
  for (const auto& c : children_) copy->children_[c.key()]->clone_(*c.value(), device);
  return copy;
}

template <typename Derived>
void Cloneable<Derived>::clone_(Module& other, const std::optional<Device>& device) {
  auto cloned = std::dynamic_pointer_cast<Derived>(other.clone(device));
  EMBER_CHECK(cloned != nullptr,
              "Attempted to clone submodule, but it is of a different type than the submodule it was to be "
              "cloned into");
  static_cast<Derived&>(*this) = std::move(*cloned);
}

}  // namespace nn
}  // namespace ember
