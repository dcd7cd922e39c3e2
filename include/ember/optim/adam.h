// Adam and AdamW (decoupled weight decay), with amsgrad, as PyTorch updates them.
#pragma once
#include <tuple>

#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

// Options shared by Adam and AdamW; only the default weight decay differs (0 and 1e-2).
template <typename Derived>
struct AdamOptionsBase : OptimizerOptions {
  explicit AdamOptionsBase(double lr, double weight_decay) : lr_(lr), weight_decay_(weight_decay) {}
  Derived& lr(double v) { return lr_ = v, self(); }
  Derived& betas(std::tuple<double, double> v) { return betas_ = v, self(); }
  Derived& eps(double v) { return eps_ = v, self(); }
  Derived& weight_decay(double v) { return weight_decay_ = v, self(); }
  Derived& amsgrad(bool v) { return amsgrad_ = v, self(); }
  double lr() const { return lr_; }
  const std::tuple<double, double>& betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }
  std::unique_ptr<OptimizerOptions> clone() const override;
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  // Throws PyTorch's message for an out-of-range option.
  void validate() const;
  OptimizerValueMap to_values() const override;
  void from_values(const OptimizerValueMap& values) override;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_;
  bool amsgrad_ = false;
};

template <typename Derived>
std::unique_ptr<OptimizerOptions> AdamOptionsBase<Derived>::clone() const {
  return std::make_unique<Derived>(static_cast<const Derived&>(*this));
}

struct AdamOptions : AdamOptionsBase<AdamOptions> {
  AdamOptions(double lr = 1e-3) : AdamOptionsBase(lr, 0) {}
};
struct AdamWOptions : AdamOptionsBase<AdamWOptions> {
  AdamWOptions(double lr = 1e-3) : AdamOptionsBase(lr, 1e-2) {}
};

struct AdamParamState : OptimizerCloneableParamState<AdamParamState> {
  int64_t step_ = 0;
  Tensor exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
  int64_t step() const { return step_; }
  const Tensor& exp_avg() const { return exp_avg_; }
  const Tensor& exp_avg_sq() const { return exp_avg_sq_; }
  const Tensor& max_exp_avg_sq() const { return max_exp_avg_sq_; }
  AdamParamState& step(int64_t v) { return step_ = v, *this; }
  AdamParamState& exp_avg(Tensor v) { return exp_avg_ = std::move(v), *this; }
  AdamParamState& exp_avg_sq(Tensor v) { return exp_avg_sq_ = std::move(v), *this; }
  AdamParamState& max_exp_avg_sq(Tensor v) { return max_exp_avg_sq_ = std::move(v), *this; }
  OptimizerValueMap to_values() const override;
};
using AdamWParamState = AdamParamState;

class Adam : public Optimizer {
 public:
  Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});
  Adam(std::vector<Tensor> params, AdamOptions defaults = {})
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults = {});
  AdamW(std::vector<Tensor> params, AdamWOptions defaults = {})
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;
};

// Compiled once in the library (src/optim/adam.cpp, src/optim/optim_instantiations.cpp).
extern template struct AdamOptionsBase<AdamOptions>;
extern template struct AdamOptionsBase<AdamWOptions>;
extern template struct OptimizerCloneableParamState<AdamParamState>;

}  // namespace optim
}  // namespace ember
