// nn::Module: registration, traversal, modes, dtype moves and printing.
#include "ember/nn/module.h"

#include "ember/autograd/function.h"
#include "ember/autograd/node.h"

namespace ember {
namespace nn {

Module::Module(std::string name) : name_(std::move(name)) {}
Module::Module() = default;

const std::string& Module::name() const noexcept {
  if (!name_) {
    // "ember::nn::LinearImpl" reads as LibTorch's "torch::nn::LinearImpl".
    name_ = autograd::demangle(typeid(*this).name());
  }
  return *name_;
}

std::shared_ptr<Module> Module::clone(const std::optional<Device>&) const {
  fail("clone() has not been implemented for ", name(), ". Subclass torch::nn::Cloneable<", name(),
       "> instead of torch::nn::Module to inherit the ability to clone.");
}

void Module::clone_(Module&, const std::optional<Device>&) {
  fail("clone() has not been implemented for ", name(), ". Subclass torch::nn::Cloneable<", name(),
       "> instead of torch::nn::Module to inherit the ability to clone.");
}

void Module::apply(const ModuleApplyFunction& function) {
  function(*this);
  for (auto& child : children_) child.value()->apply(function);
}

void Module::apply(const NamedModuleApplyFunction& function, const std::string& name_prefix) {
  function(name_prefix, *this);
  for (auto& child : children_)
    child.value()->apply(function, name_prefix.empty() ? child.key() : name_prefix + "." + child.key());
}

namespace {
// Parameters or buffers of `m` (and of its submodules when recurse), named by their paths.
OrderedDict<std::string, Tensor> collect(const Module& m, bool recurse, const char* what,
                                         const OrderedDict<std::string, Tensor>& (*of)(const Module&)) {
  OrderedDict<std::string, Tensor> out(what);
  auto add = [&](const std::string& prefix, const Module& module) {
    for (const auto& t : of(module))
      if (t.value().defined()) out.insert(prefix.empty() ? t.key() : prefix + "." + t.key(), t.value());
  };
  if (!recurse) {
    add("", m);
    return out;
  }
  // apply() walks references, so this works for a module that is not owned by a shared_ptr.
  const_cast<Module&>(m).apply([&](const std::string& prefix, Module& module) { add(prefix, module); });
  return out;
}
}  // namespace

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  return collect(*this, recurse, "Parameter", [](const Module& m) -> const OrderedDict<std::string, Tensor>& {
    return m.parameters_;
  });
}
std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  return collect(*this, recurse, "Buffer", [](const Module& m) -> const OrderedDict<std::string, Tensor>& {
    return m.buffers_;
  });
}
std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& name_prefix,
                                                                        bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> out("Module");
  if (include_self) {
    auto self = weak_from_this().lock();
    EMBER_CHECK(self, "It looks like you attempted to retrieve your top-level module as a shared_ptr, but it is not "
                      "stored in a shared_ptr. Use std::make_shared<", name(), ">() instead of creating your module "
                      "on the stack, or alternatively do not try to access your top-level module.");
    out.insert(name_prefix, std::const_pointer_cast<Module>(self));
  }
  for (const auto& child : children_) {
    const std::string prefix = name_prefix.empty() ? child.key() : name_prefix + "." + child.key();
    for (const auto& m : child.value()->named_modules(prefix, true)) out.insert(m.key(), m.value());
  }
  return out;
}
std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  return named_modules(std::string(), include_self).values();
}
OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const { return children_; }
std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

void Module::train(bool on) {
  for (auto& child : children_) child.value()->train(on);
  is_training_ = on;
}

void Module::apply_to_tensors(const std::function<Tensor(const Tensor&)>& convert) {
  NoGradGuard no_grad;
  for (auto& p : parameters_)
    if (p.value().defined()) p.value().set_data(convert(p.value().detach()));
  for (auto& b : buffers_)
    if (b.value().defined()) b.value().set_data(convert(b.value().detach()));
}
void Module::to(Device device, ScalarType dtype, bool non_blocking) {
  check_device(device, "Module::to");
  to(dtype, non_blocking);
}
void Module::to(ScalarType dtype, bool non_blocking) {
  // set_data refuses to make a parameter that requires grad an integer; checked over the whole tree
  // first, so that a refused call converts nothing (LibTorch converts the modules before it).
  if (!is_floating_type(dtype))
    for (const Tensor& p : parameters())
      EMBER_CHECK(!(p.requires_grad() && p.is_floating_point()),
                  "data set to a tensor that requires gradients must be floating point or complex dtype");
  for (auto& child : children_) child.value()->to(dtype, non_blocking);
  apply_to_tensors([dtype](const Tensor& t) { return t.is_floating_point() ? t.to(dtype) : t; });
}
void Module::to(Device device, bool non_blocking) {
  check_device(device, "Module::to");
  for (auto& child : children_) child.value()->to(device, non_blocking);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    Tensor& grad = p.mutable_grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      grad.reset();
    } else {
      grad = grad.detach();
      grad.zero_();
    }
  }
}

void Module::pretty_print(std::ostream& stream) const { stream << name(); }

void Module::pretty_print_recursive(std::ostream& stream, const std::string& indentation) const {
  pretty_print(stream);
  if (children_.is_empty()) return;
  stream << "(\n";
  const std::string next = indentation + "  ";
  for (const auto& child : children_) {
    stream << next << "(" << child.key() << "): ";
    child.value()->pretty_print_recursive(stream, next);
    stream << '\n';
  }
  stream << indentation << ")";
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print_recursive(stream, "");
  return stream;
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  EMBER_CHECK(!name.empty(), "Parameter name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, "Parameter name must not contain a dot (got '", name, "')");
  EMBER_CHECK(!parameters_.contains(name), "Parameter '", name, "' already defined");
  if (tensor.defined()) {
    EMBER_CHECK(tensor.is_leaf(), "Parameter '", name,
                "' must be a leaf tensor (it has a grad_fn): register tensor.detach() or a freshly made tensor");
    EMBER_CHECK(!requires_grad || tensor.is_floating_point(), "Parameter '", name, "' of dtype ",
                to_string(tensor.dtype()), " cannot require grad: only floating point tensors can");
    tensor.set_requires_grad(requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  EMBER_CHECK(!name.empty(), "Buffer name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, "Buffer name must not contain a dot (got '", name, "')");
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::check_child_name(const std::string& name) {
  EMBER_CHECK(!name.empty(), "Submodule name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, "Submodule name must not contain a dot (got '", name, "')");
}

void Module::unregister_module(const std::string& name) {
  EMBER_CHECK(children_.contains(name), "No Module with name `", name, "` is registered");
  children_.erase(name);
}

}  // namespace nn
}  // namespace ember
