// RMSprop, with momentum and the centered variant, as PyTorch updates it.
#pragma once
#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

struct RMSpropOptions : OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  RMSpropOptions& lr(double v) { return lr_ = v, *this; }
  RMSpropOptions& alpha(double v) { return alpha_ = v, *this; }
  RMSpropOptions& eps(double v) { return eps_ = v, *this; }
  RMSpropOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  RMSpropOptions& momentum(double v) { return momentum_ = v, *this; }
  RMSpropOptions& centered(bool v) { return centered_ = v, *this; }
  double lr() const { return lr_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  double momentum() const { return momentum_; }
  bool centered() const { return centered_; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  OptimizerValueMap to_values() const override;
  void from_values(const OptimizerValueMap& values) override;

 private:
  double lr_, alpha_ = 0.99, eps_ = 1e-8, weight_decay_ = 0, momentum_ = 0;
  bool centered_ = false;
};

struct RMSpropParamState : OptimizerCloneableParamState<RMSpropParamState> {
  int64_t step_ = 0;
  // grad_avg only when centered, momentum_buffer only with momentum.
  Tensor square_avg_, momentum_buffer_, grad_avg_;
  int64_t step() const { return step_; }
  const Tensor& square_avg() const { return square_avg_; }
  const Tensor& momentum_buffer() const { return momentum_buffer_; }
  const Tensor& grad_avg() const { return grad_avg_; }
  RMSpropParamState& step(int64_t v) { return step_ = v, *this; }
  RMSpropParamState& square_avg(Tensor v) { return square_avg_ = std::move(v), *this; }
  RMSpropParamState& momentum_buffer(Tensor v) { return momentum_buffer_ = std::move(v), *this; }
  RMSpropParamState& grad_avg(Tensor v) { return grad_avg_ = std::move(v), *this; }
  OptimizerValueMap to_values() const override;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});
  RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {})
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;
};

// Compiled once in the library (src/optim/optim_instantiations.cpp).
extern template struct OptimizerCloneableOptions<RMSpropOptions>;
extern template struct OptimizerCloneableParamState<RMSpropParamState>;

}  // namespace optim
}  // namespace ember
