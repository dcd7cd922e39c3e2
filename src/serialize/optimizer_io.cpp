// Optimizer state in PyTorch's optimizer.state_dict() layout, with PyTorch 1.13's key names, key
// order and value types, so that Python's optimizer.load_state_dict reads what ember writes and
// ember reads what Python writes.
#include <cmath>
#include <map>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/lbfgs.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"
#include "ember/serialize/serialize.h"

namespace ember {
namespace serialize {

namespace {

struct Layout {
  const char* name;
  // ember's option names in the order Python writes them.
  std::vector<const char*> group_keys;
  // Python-only options, written with PyTorch 1.13's defaults (ember behaves as these say).
  std::vector<std::pair<const char*, IValue>> python_only;
  std::vector<const char*> state_keys;
  // Adam, AdamW and Adagrad keep `step` as a float32 0-d tensor in PyTorch 1.13.
  bool step_is_tensor;
};

Layout layout_of(const optim::Optimizer& o) {
  const IValue F(false), None;
  if (dynamic_cast<const optim::SGD*>(&o))
    return {"SGD",
            {"lr", "momentum", "dampening", "weight_decay", "nesterov"},
            {{"maximize", F}, {"foreach", None}, {"differentiable", F}},
            {"momentum_buffer"},
            false};
  if (dynamic_cast<const optim::AdamW*>(&o))
    return {"AdamW",
            {"lr", "betas", "eps", "weight_decay", "amsgrad"},
            {{"foreach", None}, {"maximize", F}, {"capturable", F}},
            {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
            true};
  if (dynamic_cast<const optim::Adam*>(&o))
    return {"Adam",
            {"lr", "betas", "eps", "weight_decay", "amsgrad"},
            {{"maximize", F}, {"foreach", None}, {"capturable", F}, {"differentiable", F}, {"fused", F}},
            {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
            true};
  if (dynamic_cast<const optim::RMSprop*>(&o))
    return {"RMSprop",
            {"lr", "momentum", "alpha", "eps", "centered", "weight_decay"},
            {{"foreach", None}, {"maximize", F}, {"differentiable", F}},
            {"step", "square_avg", "momentum_buffer", "grad_avg"},
            false};
  if (dynamic_cast<const optim::Adagrad*>(&o))
    return {"Adagrad",
            {"lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value"},
            {{"foreach", None}, {"maximize", F}},
            {"step", "sum"},
            true};
  if (dynamic_cast<const optim::LBFGS*>(&o))
    return {"LBFGS",
            {"lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn"},
            {},
            {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"},
            false};
  return {"Optimizer", {}, {}, {}, false};
}

IValue to_ivalue(const std::string& key, const optim::OptimizerValue& v) {
  return std::visit(
      [&](const auto& x) -> IValue {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<double>>) {
          // betas is a tuple in Python; other number lists are lists.
          std::vector<IValue> el(x.begin(), x.end());
          if (key == "betas") return IValue(ivalue::Tuple::create(std::move(el)));
          return IValue(GenericList(std::move(el)));
        } else if constexpr (std::is_same_v<T, std::vector<Tensor>>) {
          // LBFGS's history has empty slots, which Python keeps as None.
          GenericList list;
          for (const auto& t : x) list.push_back(t.defined() ? IValue(t) : IValue());
          return IValue(list);
        } else {
          return IValue(x);
        }
      },
      v);
}

// Puts `values` into a dict: the keys of `order` first, in that order, then the rest by name.
GenericDict ordered(const optim::OptimizerValueMap& values, const std::vector<const char*>& order,
                    const std::function<IValue(const std::string&, const optim::OptimizerValue&)>& convert) {
  GenericDict out;
  for (const char* k : order) {
    auto it = values.find(k);
    if (it != values.end()) out.insert(std::string(k), convert(k, it->second));
  }
  for (const auto& [k, v] : values)
    if (!out.contains(k)) out.insert(k, convert(k, v));
  return out;
}

[[noreturn]] void bad(const std::string& source, const std::string& what) {
  fail(source.empty() ? "optimizer state dict" : source, ": ", what);
}

// Converts a value from the file to the type ember's option or state entry has (`like`), or to
// the natural type when ember has no such entry yet.
optim::OptimizerValue from_ivalue(const std::string& key, const IValue& v, const optim::OptimizerValue* like,
                                  const std::string& source) {
  auto number = [&](const IValue& x) -> double {
    if (x.isDouble()) return x.toDouble();
    if (x.isInt()) return static_cast<double>(x.toInt());
    if (x.isBool()) return x.toBool() ? 1.0 : 0.0;
    if (x.isTensor() && x.toTensor().defined() && x.toTensor().numel() == 1) return x.toTensor().item<double>();
    bad(source, "entry '" + key + "' is a " + x.type_name() + ", not a number");
  };
  auto integer = [&](const IValue& x) -> int64_t {
    if (x.isInt()) return x.toInt();
    const double d = number(x);
    if (!(std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18))
      bad(source, "entry '" + key + "' is not a whole number");
    return static_cast<int64_t>(d);
  };
  if (like) {
    if (std::holds_alternative<double>(*like)) return number(v);
    if (std::holds_alternative<int64_t>(*like)) return integer(v);
    if (std::holds_alternative<bool>(*like)) {
      if (!v.isBool()) bad(source, "entry '" + key + "' is a " + v.type_name() + ", not a bool");
      return v.toBool();
    }
  }
  if (key == "step") return integer(v);
  switch (v.tag()) {
    case IValue::Tag::Bool: return v.toBool();
    case IValue::Tag::Int: return v.toInt();
    case IValue::Tag::Double: return v.toDouble();
    case IValue::Tag::String: return v.toStringRef();
    case IValue::Tag::Tensor: return v.toTensor();
    case IValue::Tag::Tuple:
    case IValue::Tag::GenericList: {
      const auto& el = v.isTuple() ? v.toTupleRef().elements() : v.toListRef();
      // Lists of tensors (None for an empty slot) and, in options, lists of numbers (betas).
      bool numbers = !el.empty();
      for (const auto& e : el) numbers = numbers && (e.isDouble() || e.isInt());
      if (!numbers) {
        std::vector<Tensor> ts;
        for (const auto& e : el) {
          if (!e.isTensor() && !e.isNone()) bad(source, "entry '" + key + "' mixes tensors with other values");
          ts.push_back(e.isTensor() ? e.toTensor() : Tensor());
        }
        return ts;
      }
      std::vector<double> ds;
      for (const auto& e : el) ds.push_back(number(e));
      return ds;
    }
    default: bad(source, "entry '" + key + "' is a " + std::string(v.type_name()) + ", which ember cannot use here");
  }
}

int64_t count_of(const IValue* v, const std::string& what, const std::string& source) {
  if (!v || !v->isTensor() || !v->toTensor().defined() || v->toTensor().numel() != 1 || v->toTensor().is_floating_point())
    bad(source, "LibTorch optimizer archive: '" + what + "' is not an integer count");
  const int64_t n = v->toTensor().item<int64_t>();
  if (n < 0) bad(source, "LibTorch optimizer archive: '" + what + "' is negative");
  return n;
}

// LibTorch's optimizer archive keeps state by parameter address ("0x55d0...") and groups as
// "param_groups/<g>" entries holding "params/<i>" addresses and an "options" object; this turns
// it into PyTorch's layout, numbering parameters as they appear in the groups.
IValue from_libtorch_layout(const GenericDict& d, const std::string& source) {
  const IValue* groups = d.find_value("param_groups");
  const IValue* state = d.find_value("state");
  if (!groups || !groups->isGenericDict() || !state || !state->isGenericDict())
    bad(source, "LibTorch optimizer archive without 'state' and 'param_groups'");
  const GenericDict gd = groups->toGenericDict();
  const int64_t n_groups = count_of(gd.find_value("param_groups/size"), "param_groups/size", source);
  std::map<std::string, int64_t> index_of;
  GenericList out_groups;
  for (int64_t g = 0; g < n_groups; ++g) {
    const IValue* group = gd.find_value("param_groups/" + std::to_string(g));
    if (!group || !group->isGenericDict()) bad(source, "LibTorch optimizer archive has no group " + std::to_string(g));
    const GenericDict grp = group->toGenericDict();
    const int64_t n_params = count_of(grp.find_value("params/size"), "params/size", source);
    GenericDict out_group;
    if (const IValue* options = grp.find_value("options")) {
      if (!options->isGenericDict()) bad(source, "LibTorch optimizer archive: a group's options are not an object");
      for (auto e : options->toGenericDict()) out_group.insert(e.key(), e.value());
    }
    std::vector<int64_t> params;
    for (int64_t i = 0; i < n_params; ++i) {
      const IValue* key = grp.find_value("params/" + std::to_string(i));
      if (!key || !key->isString()) bad(source, "LibTorch optimizer archive: group " + std::to_string(g) + " lacks params/" + std::to_string(i));
      const int64_t index = static_cast<int64_t>(index_of.size());
      if (!index_of.emplace(key->toStringRef(), index).second) bad(source, "LibTorch optimizer archive lists a parameter twice");
      params.push_back(index);
    }
    out_group.insert(std::string("params"), IValue(params));
    out_groups.push_back(IValue(out_group));
  }
  GenericDict out_state;
  for (auto e : state->toGenericDict()) {
    auto it = e.key().isString() ? index_of.find(e.key().toStringRef()) : index_of.end();
    if (it == index_of.end()) bad(source, "LibTorch optimizer archive has state for a parameter in no group");
    out_state.insert(it->second, e.value());
  }
  GenericDict out;
  out.insert(std::string("state"), IValue(out_state));
  out.insert(std::string("param_groups"), IValue(out_groups));
  return IValue(out);
}

}  // namespace

IValue optimizer_state_dict(const optim::Optimizer& optimizer) {
  const Layout layout = layout_of(optimizer);
  const optim::OptimizerStateDict sd = optimizer.state_dict();
  NoGradGuard no_grad;
  GenericDict state;
  for (const auto& [index, values] : sd.state) {
    state.insert(index, ordered(values, layout.state_keys, [&](const std::string& k, const optim::OptimizerValue& v) {
      if (k == "step" && layout.step_is_tensor && std::holds_alternative<int64_t>(v))
        return IValue(scalar_tensor(static_cast<double>(std::get<int64_t>(v)), TensorOptions(kFloat)));
      return to_ivalue(k, v);
    }));
  }
  GenericList groups;
  for (const auto& g : sd.param_groups) {
    optim::OptimizerValueMap options = g.options;
    GenericDict group;
    for (const char* k : layout.group_keys) {
      auto it = options.find(k);
      if (it != options.end()) {
        group.insert(std::string(k), to_ivalue(k, it->second));
      } else if (std::string(k) == "max_eval" && options.count("max_iter")) {
        // PyTorch stores LBFGS's default max_eval, max_iter * 5 // 4, explicitly.
        group.insert(std::string(k), std::get<int64_t>(options.at("max_iter")) * 5 / 4);
      } else if (std::string(k) == "line_search_fn") {
        group.insert(std::string(k), IValue());
      }
    }
    for (const auto& [k, v] : options)
      if (!group.contains(k)) group.insert(k, to_ivalue(k, v));
    for (const auto& [k, v] : layout.python_only) group.insert(std::string(k), v);
    group.insert(std::string("params"), IValue(g.params));
    groups.push_back(IValue(group));
  }
  GenericDict out;
  out.insert(std::string("state"), IValue(state));
  out.insert(std::string("param_groups"), IValue(groups));
  return IValue(out);
}

void load_optimizer_state_dict(optim::Optimizer& optimizer, const IValue& value, const std::string& source) {
  const Layout layout = layout_of(optimizer);
  if (!value.isGenericDict()) bad(source, std::string("an optimizer state dict must be a dict, not a ") + value.type_name());
  if (value.toGenericDict().contains("pytorch_version")) {
    load_optimizer_state_dict(optimizer, from_libtorch_layout(value.toGenericDict(), source), source);
    return;
  }
  const GenericDict d = value.toGenericDict();
  const IValue* state = d.find_value("state");
  const IValue* groups = d.find_value("param_groups");
  if (!state || !groups) bad(source, "not an optimizer state dict (it needs the entries 'state' and 'param_groups')");
  if (!state->isGenericDict()) bad(source, "'state' is not a dict");
  if (!groups->isList()) bad(source, "'param_groups' is not a list");

  const optim::OptimizerStateDict current = optimizer.state_dict();
  optim::OptimizerStateDict sd;
  size_t g_index = 0;
  for (const auto& g : groups->toListRef()) {
    if (!g.isGenericDict()) bad(source, "a parameter group is not a dict");
    const optim::OptimizerValueMap* schema =
        g_index < current.param_groups.size() ? &current.param_groups[g_index].options : nullptr;
    optim::OptimizerStateDict::ParamGroup group;
    for (auto e : g.toGenericDict()) {
      if (!e.key().isString()) bad(source, "a parameter group has a key that is not a str");
      const std::string& k = e.key().toStringRef();
      const IValue& v = e.value();
      if (k == "params") {
        if (!v.isList() && !v.isTuple()) bad(source, "a parameter group's 'params' is not a list");
        for (const auto& p : v.isList() ? v.toListRef() : v.toTupleRef().elements()) {
          if (!p.isInt()) bad(source, "a parameter group's 'params' holds a " + std::string(p.type_name()));
          group.params.push_back(p.toInt());
        }
        continue;
      }
      bool python_only = false;
      for (const auto& [name, dflt] : layout.python_only) {
        if (k != name) continue;
        python_only = true;
        // foreach, capturable, differentiable and fused choose how PyTorch computes the same step;
        // maximize changes the step, and ember's optimizers have no such option.
        if (k == "maximize" && !(v.isBool() && !v.toBool()))
          bad(source, "the checkpoint's " + std::string(layout.name) + " has maximize=True, which ember does not support");
      }
      if (python_only) continue;
      if (v.isNone()) continue;  // e.g. LBFGS's line_search_fn: no value
      const optim::OptimizerValue* like = nullptr;
      if (schema) {
        auto it = schema->find(k);
        if (it != schema->end()) like = &it->second;
      }
      group.options[k] = from_ivalue(k, v, like, source);
    }
    sd.param_groups.push_back(std::move(group));
    ++g_index;
  }
  for (auto e : state->toGenericDict()) {
    if (!e.key().isInt()) bad(source, "a 'state' key is a " + std::string(e.key().type_name()) + ", not a parameter index");
    if (!e.value().isGenericDict()) bad(source, "the state of parameter " + std::to_string(e.key().toInt()) + " is not a dict");
    optim::OptimizerValueMap values;
    for (auto s : e.value().toGenericDict()) {
      if (!s.key().isString()) bad(source, "a parameter state has a key that is not a str");
      if (s.value().isNone()) continue;  // PyTorch's SGD keeps momentum_buffer=None without momentum
      values[s.key().toStringRef()] = from_ivalue(s.key().toStringRef(), s.value(), nullptr, source);
    }
    sd.state[e.key().toInt()] = std::move(values);
  }
  try {
    optimizer.load_state_dict(sd);
  } catch (const Error& err) {
    if (source.empty()) throw;
    fail(source, ": ", err.what());
  }
}

OutputArchive& operator<<(OutputArchive& archive, const optim::Optimizer& optimizer) {
  const GenericDict d = optimizer_state_dict(optimizer).toGenericDict();
  for (auto e : d) archive.write(e.key().toStringRef(), e.value());
  return archive;
}

InputArchive& operator>>(InputArchive& archive, optim::Optimizer& optimizer) {
  load_optimizer_state_dict(optimizer, archive.ivalue(), archive.source());
  return archive;
}

}  // namespace serialize
}  // namespace ember
