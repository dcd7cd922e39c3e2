// torch::save / torch::load for tensors, tensor lists, modules and optimizers; pickle_save /
// pickle_load; load_state_dict with every problem reported at once.
//
// Files are the ecosystem's: PyTorch's zip format (what Python's torch.save writes; readable by
// torch.load, with weights_only=True where the file holds no floats: PyTorch 1.13's weights-only
// unpickler has no opcode for floats, so an optimizer file needs weights_only=False there, as
// PyTorch's own do), safetensors for paths ending in ".safetensors", and on input also LibTorch's
// TorchScript archives. ember has no float16, bfloat16, int16 or int8: such tensors load as
// float32 (the first two) and int32 (the others). Files are read whole into memory and written
// through a temporary file that replaces the target only once complete.
#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/serialize/archive.h"
#include "ember/serialize/ivalue.h"

namespace ember {

namespace serialize {

// ---- whole values: any file a PyTorch user saves ----

// The file's root value: a Python torch.save of any mix of dicts, lists, tuples, tensors, numbers,
// strings and None; a safetensors file gives a dict of tensors.
IValue load_ivalue(const std::string& path);
IValue load_ivalue(std::istream& stream);
IValue load_ivalue(const char* data, size_t size);
// Writes `value` as Python's torch.save would (a ".safetensors" path: tensors only).
void save_ivalue(const IValue& value, const std::string& path);
void save_ivalue(const IValue& value, std::ostream& stream);
void save_ivalue(const IValue& value, const std::function<size_t(const void*, size_t)>& func);

// ---- modules ----

// PyTorch's state_dict(): parameters then buffers of each module, depth first, named by path
// ("fc1.weight", "bn.num_batches_tracked"), detached; children that are not serializable are left out.
IValue state_dict(const nn::Module& module);

struct IncompatibleKeys {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};
// Copies a state dict into `module` as Python's load_state_dict does. Nested dicts count as
// dotted names. Everything is checked before anything is copied: every missing and unexpected key
// (strict), every shape mismatch and every dtype mismatch (floating types convert into each other,
// as in PyTorch; any other change of dtype is a mismatch) are reported in one ember::Error, and the
// module is left unchanged. `source` names the file in the message.
IncompatibleKeys load_state_dict(nn::Module& module, const IValue& state_dict, bool strict = true,
                                 const std::string& source = "");

// ---- optimizers: PyTorch's optimizer.state_dict() layout ----

// {"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]} with PyTorch 1.13's key
// names and types for SGD, Adam, AdamW, RMSprop, Adagrad and LBFGS.
IValue optimizer_state_dict(const optim::Optimizer& optimizer);
// Reads that layout, from ember or Python; changes nothing when anything does not fit.
void load_optimizer_state_dict(optim::Optimizer& optimizer, const IValue& state_dict, const std::string& source = "");

// ---- archive operators (found by argument-dependent lookup, as LibTorch's) ----

OutputArchive& operator<<(OutputArchive& archive, const Tensor& tensor);
InputArchive& operator>>(InputArchive& archive, Tensor& tensor);
OutputArchive& operator<<(OutputArchive& archive, const std::shared_ptr<nn::Module>& module);
InputArchive& operator>>(InputArchive& archive, const std::shared_ptr<nn::Module>& module);
template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
OutputArchive& operator<<(OutputArchive& archive, const std::shared_ptr<M>& module) {
  return archive << std::static_pointer_cast<nn::Module>(module);
}
template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
InputArchive& operator>>(InputArchive& archive, const std::shared_ptr<M>& module) {
  return archive >> std::static_pointer_cast<nn::Module>(module);
}
template <typename M>
OutputArchive& operator<<(OutputArchive& archive, const nn::ModuleHolder<M>& module) {
  return archive << module.ptr();
}
template <typename M>
InputArchive& operator>>(InputArchive& archive, const nn::ModuleHolder<M>& module) {
  return archive >> module.ptr();
}
OutputArchive& operator<<(OutputArchive& archive, const optim::Optimizer& optimizer);
InputArchive& operator>>(InputArchive& archive, optim::Optimizer& optimizer);

}  // namespace serialize

// ---- torch::save / torch::load ----

// The destination or source is a path, a stream or (archives) a function, as in LibTorch.
// A tensor is saved as itself (Python's torch.load returns the tensor); a ".safetensors" path
// stores it under the name "0".
template <typename... SaveToArgs>
void save(const Tensor& tensor, SaveToArgs&&... args) {
  serialize::save_ivalue(IValue(tensor), std::forward<SaveToArgs>(args)...);
}
// A list of tensors is saved as a Python list (safetensors: names "0", "1", ...).
template <typename... SaveToArgs>
void save(const std::vector<Tensor>& tensors, SaveToArgs&&... args) {
  serialize::save_ivalue(IValue(tensors), std::forward<SaveToArgs>(args)...);
}
// Anything with an `archive << value` (modules, optimizers, your own types).
template <typename Value, typename... SaveToArgs>
void save(const Value& value, SaveToArgs&&... args) {
  serialize::OutputArchive archive;
  archive << value;
  archive.save_to(std::forward<SaveToArgs>(args)...);
}

namespace serialize {
// The tensor a file holds: its root tensor, or the entry "0" of a dict (LibTorch's layout).
Tensor tensor_from(const IValue& root, const std::string& source);
// The tensors a file holds: a list or tuple of tensors, or a dict "0", "1", ... (LibTorch's layout).
std::vector<Tensor> tensors_from(const IValue& root, const std::string& source);
}  // namespace serialize

// A defined `tensor` takes the loaded data in place (its autograd identity kept); an undefined
// one is assigned.
template <typename... LoadFromArgs>
void load(Tensor& tensor, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  archive >> tensor;
}
// Appends the loaded tensors, as LibTorch does.
template <typename... LoadFromArgs>
void load(std::vector<Tensor>& tensors, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  for (auto& t : serialize::tensors_from(archive.ivalue(), archive.source())) tensors.push_back(std::move(t));
}
template <typename Value, typename... LoadFromArgs>
void load(Value& value, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  archive >> value;
}

// The bytes of a PyTorch zip checkpoint holding `value` (Python reads them with torch.load).
std::vector<char> pickle_save(const IValue& value);
// Reads such bytes (or a bare pickle without tensors).
IValue pickle_load(const std::vector<char>& data);

}  // namespace ember
