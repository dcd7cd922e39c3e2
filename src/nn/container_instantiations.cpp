// clone() (Cloneable<Impl>) of the containers and parameter containers, compiled once here; their
// headers declare these instantiations `extern template`, so programs that include them compile none.
// Sequential, ModuleList and ModuleDict clone their children through their own clone(), also here.
// ember.h: some of these headers rely on declarations it brings in first (as torch/torch.h does).
#include "ember/ember.h"
#include "ember/nn/container.h"
#include "ember/nn/parameter_containers.h"

namespace ember {
namespace nn {

template class Cloneable<FunctionalImpl>;
template class Cloneable<SequentialImpl>;
template class Cloneable<ModuleListImpl>;
template class Cloneable<ModuleDictImpl>;
template class Cloneable<ParameterListImpl>;
template class Cloneable<ParameterDictImpl>;

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>();
  for (size_t i = 0; i < modules_.size(); ++i) copy->push_back(children_[i].key(), modules_[i].clone(device));
  copy->train(is_training());
  return copy;
}
std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& module : modules_) copy->push_back(module->clone(device));
  copy->train(is_training());
  return copy;
}
std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>();
  for (const auto& item : modules_) copy->insert(item.key(), item.value()->clone(device));
  copy->train(is_training());
  return copy;
}

}  // namespace nn
}  // namespace ember
