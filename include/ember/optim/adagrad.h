// Adagrad, with learning-rate decay and an initial accumulator value, as PyTorch updates it.
#pragma once
#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

struct AdagradOptions : OptimizerCloneableOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  AdagradOptions& lr(double v) { return lr_ = v, *this; }
  AdagradOptions& lr_decay(double v) { return lr_decay_ = v, *this; }
  AdagradOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  AdagradOptions& initial_accumulator_value(double v) { return initial_accumulator_value_ = v, *this; }
  AdagradOptions& eps(double v) { return eps_ = v, *this; }
  double lr() const { return lr_; }
  double lr_decay() const { return lr_decay_; }
  double weight_decay() const { return weight_decay_; }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  double eps() const { return eps_; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  OptimizerValueMap to_values() const override;
  void from_values(const OptimizerValueMap& values) override;

 private:
  double lr_, lr_decay_ = 0, weight_decay_ = 0, initial_accumulator_value_ = 0, eps_ = 1e-10;
};

struct AdagradParamState : OptimizerCloneableParamState<AdagradParamState> {
  Tensor sum_;
  int64_t step_ = 0;
  const Tensor& sum() const { return sum_; }
  int64_t step() const { return step_; }
  AdagradParamState& sum(Tensor v) { return sum_ = std::move(v), *this; }
  AdagradParamState& step(int64_t v) { return step_ = v, *this; }
  OptimizerValueMap to_values() const override;
};

// As in PyTorch, every parameter's state (sum = initial_accumulator_value) exists from construction.
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});
  Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {})
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;
};

// Compiled once in the library (src/optim/optim_instantiations.cpp).
extern template struct OptimizerCloneableOptions<AdagradOptions>;
extern template struct OptimizerCloneableParamState<AdagradParamState>;

}  // namespace optim
}  // namespace ember
