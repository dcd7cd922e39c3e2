// Optimizer: parameter groups with their own options, per-parameter state, zero_grad, step and a
// state dict that round-trips options and state.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {
namespace optim {

// One entry of an optimizer state dict: an option value or a piece of per-parameter state, typed
// as PyTorch's state_dict holds it (betas: {beta1, beta2}; LBFGS's history: a list of tensors).
using OptimizerValue =
    std::variant<bool, int64_t, double, std::string, std::vector<double>, Tensor, std::vector<Tensor>>;
// Entries by PyTorch's names ("lr", "momentum", "exp_avg", "step", ...), in name order.
using OptimizerValueMap = std::map<std::string, OptimizerValue>;

// What Optimizer::state_dict() returns and load_state_dict() takes, laid out as PyTorch's
// optimizer.state_dict():
//   param_groups[g].options  every option of group g by name, e.g. {"lr": 0.1, "momentum": 0.9,
//                            "dampening": 0.0, "nesterov": false, "weight_decay": 0.0};
//   param_groups[g].params   the indices of group g's parameters, numbering the parameters of all
//                            groups in order (0, 1, ... across groups), as PyTorch does;
//   state[i]                 the state of parameter i by name, e.g. {"step": int64_t(3),
//                            "exp_avg": Tensor, "exp_avg_sq": Tensor}; parameters without state
//                            yet (no step taken) have no entry, nor do tensors not yet created.
// Tensors are copies: the dict is a snapshot that later steps do not change, and loading copies
// them again. Loading maps saved indices to this optimizer's parameters by position, group by
// group, like PyTorch.
struct OptimizerStateDict {
  struct ParamGroup {
    OptimizerValueMap options;
    std::vector<int64_t> params;
  };
  std::vector<ParamGroup> param_groups;
  std::map<int64_t, OptimizerValueMap> state;
};

struct OptimizerOptions {
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Every option by name (state_dict).
  virtual OptimizerValueMap to_values() const;
  // Reads every option from `values` (load_state_dict calls it on a copy); throws when one is
  // missing or has another type.
  virtual void from_values(const OptimizerValueMap& values);
};

// LibTorch's helper: Options derive OptimizerCloneableOptions<Options> to get clone(). Defined out
// of the class, as Cloneable's, so the built-in optimizers' instantiations, declared extern in their
// headers, are compiled once (src/optim/optim_instantiations.cpp).
template <typename Derived>
struct OptimizerCloneableOptions : OptimizerOptions {
  std::unique_ptr<OptimizerOptions> clone() const override;
};
template <typename Derived>
std::unique_ptr<OptimizerOptions> OptimizerCloneableOptions<Derived>::clone() const {
  return std::make_unique<Derived>(static_cast<const Derived&>(*this));
}

struct OptimizerParamState {
  virtual ~OptimizerParamState() = default;
  // A shallow copy (tensors shared), as LibTorch's.
  virtual std::unique_ptr<OptimizerParamState> clone() const;
  // The state by name, tensors copied; undefined tensors are left out (state_dict).
  virtual OptimizerValueMap to_values() const;
};

template <typename Derived>
struct OptimizerCloneableParamState : OptimizerParamState {
  std::unique_ptr<OptimizerParamState> clone() const override;
};
template <typename Derived>
std::unique_ptr<OptimizerParamState> OptimizerCloneableParamState<Derived>::clone() const {
  return std::make_unique<Derived>(static_cast<const Derived&>(*this));
}

class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& o)
      : params_(o.params_), options_(o.options_ ? o.options_->clone() : nullptr) {}
  OptimizerParamGroup& operator=(const OptimizerParamGroup& o) {
    params_ = o.params_;
    options_ = o.options_ ? o.options_->clone() : nullptr;
    return *this;
  }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options() {
    EMBER_CHECK(options_, "parameter group has no options");
    return *options_;
  }
  const OptimizerOptions& options() const {
    EMBER_CHECK(options_, "parameter group has no options");
    return *options_;
  }
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;
  Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults);
  Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults)
      : Optimizer(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(parameters))}, std::move(defaults)) {}
  Optimizer(const Optimizer&) = delete;
  Optimizer(Optimizer&&) = default;
  virtual ~Optimizer() = default;

  virtual Tensor step(LossClosure closure = nullptr) = 0;
  // Adds a group (with its own options, or a copy of the defaults). Throws, adding nothing, when a
  // parameter is already in a group or the options are not this optimizer's Options type.
  void add_param_group(const OptimizerParamGroup& param_group);
  // LibTorch 1.13: keeps each gradient tensor, detached and zeroed.
  void zero_grad();
  const std::vector<Tensor>& parameters() const noexcept { return param_groups_.at(0).params(); }
  std::vector<Tensor>& parameters() noexcept { return param_groups_.at(0).params(); }
  size_t size() const noexcept;
  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& state() noexcept { return state_; }
  const std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& state() const noexcept {
    return state_;
  }

  // A snapshot of the groups' options and the per-parameter state (see OptimizerStateDict).
  OptimizerStateDict state_dict() const;
  // Replaces every group's options and all state with the dict's; a reloaded optimizer continues
  // with the same steps as the one saved. Checks everything first and throws, changing nothing,
  // on a mismatch (PyTorch's messages for group count and size).
  void load_state_dict(const OptimizerStateDict& state_dict);

 protected:
  // Runs the closure (if any) with grad mode on and returns its loss.
  static Tensor evaluate(const LossClosure& closure);
  // The key state() uses for parameter p.
  static std::string state_key(const Tensor& p);
  // Builds the state of parameter `param` from its state dict entries; throws on a missing or
  // mistyped entry or a tensor whose shape does not fit. Each optimizer overrides it.
  virtual std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                                const Tensor& param) const;
  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>> state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

// Typed access to state dict entries, for Options::from_values and load_param_state.
namespace detail {
const OptimizerValue& find_value(const OptimizerValueMap& values, const std::string& name);
double get_double(const OptimizerValueMap& values, const std::string& name);
int64_t get_int(const OptimizerValueMap& values, const std::string& name);
bool get_bool(const OptimizerValueMap& values, const std::string& name);
// A copy of the named tensor, converted to param's dtype, checked to have param's shape.
Tensor get_tensor_like(const OptimizerValueMap& values, const std::string& name, const Tensor& param);
// The same when present; an undefined tensor when absent.
Tensor get_optional_tensor_like(const OptimizerValueMap& values, const std::string& name, const Tensor& param);
// Puts a copy of t under name when t is defined.
void put_tensor(OptimizerValueMap& values, const std::string& name, const Tensor& t);
}  // namespace detail

}  // namespace optim
}  // namespace ember
