// Optimizer base: parameter groups, zero_grad, and the state dict.
#include "ember/optim/optimizer.h"

#include <cstdint>
#include <sstream>
#include <typeinfo>

#include "ember/autograd/grad_mode.h"

namespace ember {
namespace optim {

OptimizerValueMap OptimizerOptions::to_values() const {
  fail("state_dict() is not implemented for these optimizer options: override OptimizerOptions::to_values");
}
void OptimizerOptions::from_values(const OptimizerValueMap&) {
  fail("load_state_dict() is not implemented for these optimizer options: override OptimizerOptions::from_values");
}
std::unique_ptr<OptimizerParamState> OptimizerParamState::clone() const {
  fail("clone() has not been implemented for this OptimizerParamState: derive OptimizerCloneableParamState<YourState>");
}
OptimizerValueMap OptimizerParamState::to_values() const {
  fail("state_dict() is not implemented for this optimizer's state: override OptimizerParamState::to_values");
}
std::unique_ptr<OptimizerParamState> Optimizer::load_param_state(const OptimizerValueMap&, const Tensor&) const {
  fail("load_state_dict() is not implemented for this optimizer: override Optimizer::load_param_state");
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (const auto& g : param_groups) add_param_group(g);
}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  for (const auto& p : param_group.params()) {
    EMBER_CHECK(p.defined(), "optimizer got an undefined parameter tensor");
    EMBER_CHECK(p.is_leaf(), "can't optimize a non-leaf Tensor");
    for (const auto& g : param_groups_)
      for (const auto& q : g.params())
        EMBER_CHECK(!q.is_same(p), "some parameters appear in more than one parameter group");
  }
  // Each optimizer reads its groups' options as its own Options type.
  if (param_group.has_options()) {
    const OptimizerOptions& given = param_group.options();
    const OptimizerOptions& defaults = *defaults_;
    EMBER_CHECK(typeid(given) == typeid(defaults),
                "parameter group options are of a different type than the optimizer's defaults");
  }
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::zero_grad() {
  for (auto& g : param_groups_)
    for (auto& p : g.params()) {
      Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      grad = grad.detach();
      grad.zero_();
    }
}

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const auto& g : param_groups_) n += g.params().size();
  return n;
}

Tensor Optimizer::evaluate(const LossClosure& closure) {
  if (!closure) return Tensor();
  AutoGradMode grad_on(true);
  return closure();
}

// The address as an ostream prints a pointer ("0x" and lowercase hex digits), as LibTorch keys its
// state; written by hand because each step looks up every parameter's state by it.
std::string Optimizer::state_key(const Tensor& p) {
  auto v = reinterpret_cast<uintptr_t>(p.unsafeGetTensorImpl());
  if (v == 0) return "0";
  char digits[2 * sizeof(uintptr_t)];
  int n = 0;
  for (; v != 0; v >>= 4) digits[n++] = "0123456789abcdef"[v & 15];
  std::string key = "0x";
  while (n > 0) key += digits[--n];
  return key;
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict out;
  int64_t index = 0;
  for (const auto& g : param_groups_) {
    OptimizerStateDict::ParamGroup group{g.options().to_values(), {}};
    for (const auto& p : g.params()) {
      auto it = state_.find(state_key(p));
      if (it != state_.end() && it->second) out.state[index] = it->second->to_values();
      group.params.push_back(index++);
    }
    out.param_groups.push_back(std::move(group));
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerStateDict& state_dict) {
  // Everything is built aside first, so that a bad dict leaves the optimizer as it was.
  EMBER_CHECK(state_dict.param_groups.size() == param_groups_.size(),
              "loaded state dict has a different number of parameter groups");
  std::map<int64_t, const Tensor*> param_of_index;
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const auto& saved = state_dict.param_groups[g];
    EMBER_CHECK(saved.params.size() == param_groups_[g].params().size(),
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    for (size_t j = 0; j < saved.params.size(); ++j) {
      EMBER_CHECK(param_of_index.emplace(saved.params[j], &param_groups_[g].params()[j]).second,
                  "loaded state dict lists parameter index ", saved.params[j], " more than once");
    }
    auto o = defaults_->clone();
    o->from_values(saved.options);
    options.push_back(std::move(o));
  }
  std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>> state;
  for (const auto& [index, values] : state_dict.state) {
    auto it = param_of_index.find(index);
    EMBER_CHECK(it != param_of_index.end(), "loaded state dict has state for parameter index ", index,
                ", which is in none of its parameter groups");
    state[state_key(*it->second)] = load_param_state(values, *it->second);
  }
  for (size_t g = 0; g < param_groups_.size(); ++g) param_groups_[g].set_options(std::move(options[g]));
  state_ = std::move(state);
}

namespace detail {

const OptimizerValue& find_value(const OptimizerValueMap& values, const std::string& name) {
  auto it = values.find(name);
  EMBER_CHECK(it != values.end(), "loaded state dict has no entry '", name, "'");
  return it->second;
}

template <typename T>
static const T& get_typed(const OptimizerValueMap& values, const std::string& name, const char* type) {
  const auto& v = find_value(values, name);
  const T* p = std::get_if<T>(&v);
  EMBER_CHECK(p, "loaded state dict entry '", name, "' is not a ", type);
  return *p;
}

double get_double(const OptimizerValueMap& values, const std::string& name) {
  return get_typed<double>(values, name, "double");
}
int64_t get_int(const OptimizerValueMap& values, const std::string& name) {
  return get_typed<int64_t>(values, name, "int64_t");
}
bool get_bool(const OptimizerValueMap& values, const std::string& name) {
  return get_typed<bool>(values, name, "bool");
}

Tensor get_tensor_like(const OptimizerValueMap& values, const std::string& name, const Tensor& param) {
  const Tensor& t = get_typed<Tensor>(values, name, "Tensor");
  EMBER_CHECK(t.defined(), "loaded state dict entry '", name, "' is an undefined tensor");
  EMBER_CHECK(t.sizes() == param.sizes(), "loaded state dict entry '", name, "' has shape ", t.sizes(),
              " but its parameter has shape ", param.sizes());
  return t.detach().to(param.dtype()).clone();
}

Tensor get_optional_tensor_like(const OptimizerValueMap& values, const std::string& name, const Tensor& param) {
  return values.count(name) ? get_tensor_like(values, name, param) : Tensor();
}

void put_tensor(OptimizerValueMap& values, const std::string& name, const Tensor& t) {
  if (t.defined()) values[name] = t.detach().clone();
}

}  // namespace detail

}  // namespace optim
}  // namespace ember
