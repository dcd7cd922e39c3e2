// Modules and checkpoints: state_dict, load_state_dict (all-or-nothing), Module::save/load and the
// module archive operators.
#include <map>
#include <sstream>

#include "ember/autograd/grad_mode.h"
#include "ember/nn/module.h"
#include "ember/serialize/serialize.h"

namespace ember {
namespace serialize {

namespace {
void collect_state(const nn::Module& m, const std::string& prefix, GenericDict& out) {
  for (const auto& p : m.named_parameters(/*recurse=*/false)) out.insert(prefix + p.key(), p.value().detach());
  for (const auto& b : m.named_buffers(/*recurse=*/false)) out.insert(prefix + b.key(), b.value().detach());
  for (const auto& c : m.named_children())
    if (c.value()->is_serializable()) collect_state(*c.value(), prefix + c.key() + ".", out);
}

// Nested dicts ({"fc1": {"weight": t}}) count as dotted names ("fc1.weight").
void flatten(const GenericDict& d, const std::string& prefix, std::vector<std::pair<std::string, IValue>>& out,
             const std::string& source, int depth) {
  EMBER_CHECK(depth < 100, source, ": the state dict is nested too deep");
  for (auto e : d) {
    EMBER_CHECK(e.key().isString(), source, ": a state dict key is a ", e.key().type_name(), ", not a str");
    const std::string name = prefix + e.key().toStringRef();
    if (e.value().isGenericDict()) flatten(e.value().toGenericDict(), name + ".", out, source, depth + 1);
    else out.emplace_back(name, e.value());
  }
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
  return s;
}

std::string shape_text(IntArrayRef s) {
  std::ostringstream os;
  os << "torch.Size(" << s << ")";
  return os.str();
}
}  // namespace

IValue state_dict(const nn::Module& module) {
  GenericDict out;
  collect_state(module, "", out);
  return IValue(out);
}

IncompatibleKeys load_state_dict(nn::Module& module, const IValue& state_dict_value, bool strict,
                                 const std::string& source) {
  const std::string where = source.empty() ? "state_dict" : source;
  EMBER_CHECK(state_dict_value.isGenericDict(), where, ": a state dict must be a dict, not a ",
              state_dict_value.type_name());
  std::vector<std::pair<std::string, IValue>> given;
  flatten(state_dict_value.toGenericDict(), "", given, where, 0);
  std::map<std::string, const IValue*> by_name;
  for (const auto& [k, v] : given) by_name[k] = &v;

  GenericDict targets;
  collect_state(module, "", targets);
  IncompatibleKeys result;
  std::vector<std::string> mismatches;
  std::vector<std::pair<Tensor, Tensor>> copies;
  for (auto e : targets) {
    const std::string& name = e.key().toStringRef();
    const Tensor& dst = e.value().toTensor();
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      result.missing_keys.push_back(name);
      continue;
    }
    const IValue& v = *it->second;
    if (!v.isTensor() || !v.toTensor().defined()) {
      mismatches.push_back("While copying the parameter named \"" + name + "\", the checkpoint holds a " +
                           v.type_name() + ", not a tensor.");
      continue;
    }
    const Tensor& src = v.toTensor();
    if (src.sizes() != dst.sizes()) {
      mismatches.push_back("size mismatch for " + name + ": copying a param with shape " + shape_text(src.sizes()) +
                           " from checkpoint, the shape in current model is " + shape_text(dst.sizes()) + ".");
      continue;
    }
    if (src.dtype() != dst.dtype() && !(is_floating_type(src.dtype()) && is_floating_type(dst.dtype()))) {
      mismatches.push_back(std::string("dtype mismatch for ") + name + ": copying a param of dtype " +
                           torch_name(src.dtype()) + " from checkpoint, the dtype in current model is " +
                           torch_name(dst.dtype()) + ".");
      continue;
    }
    copies.emplace_back(dst, src);
  }
  for (const auto& [k, v] : given)
    if (!targets.contains(k)) result.unexpected_keys.push_back(k);

  std::vector<std::string> errors;
  if (strict && !result.unexpected_keys.empty())
    errors.push_back("Unexpected key(s) in state_dict: " + quoted_list(result.unexpected_keys) + ". ");
  if (strict && !result.missing_keys.empty()) {
    std::string msg = "Missing key(s) in state_dict: " + quoted_list(result.missing_keys) + ". ";
    // A whole checkpoint ({"model": ..., "optimizer": ...}) given where the model's dict belongs.
    for (const auto& [k, v] : given) {
      const auto dot = k.find('.');
      if (dot == std::string::npos || !targets.contains(k.substr(dot + 1))) continue;
      msg += "(The checkpoint holds the model's entries under \"" + k.substr(0, dot) +
             "\": load that entry, e.g. InputArchive::read(\"" + k.substr(0, dot) + "\", archive).) ";
      break;
    }
    errors.push_back(msg);
  }
  for (auto& m : mismatches) errors.push_back(std::move(m));
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + module.name();
    if (!source.empty()) msg += " from " + source;
    msg += ":";
    for (const auto& e : errors) msg += "\n\t" + e;
    fail(msg);
  }
  NoGradGuard no_grad;
  for (auto& [dst, src] : copies) dst.copy_(src);
  return result;
}

OutputArchive& operator<<(OutputArchive& archive, const std::shared_ptr<nn::Module>& module) {
  EMBER_CHECK(module, "cannot save a null module");
  module->save(archive);
  return archive;
}

InputArchive& operator>>(InputArchive& archive, const std::shared_ptr<nn::Module>& module) {
  EMBER_CHECK(module, "cannot load into a null module");
  module->load(archive);
  return archive;
}

}  // namespace serialize

namespace nn {

void Module::save(serialize::OutputArchive& archive) const {
  for (auto e : serialize::state_dict(*this).toGenericDict())
    archive.write(e.key().toStringRef(), e.value().toTensor());
}

void Module::load(serialize::InputArchive& archive) {
  serialize::load_state_dict(*this, archive.ivalue(), /*strict=*/true, archive.source());
}

}  // namespace nn
}  // namespace ember
