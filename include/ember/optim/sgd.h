// SGD with momentum, dampening, weight decay and Nesterov momentum (PyTorch's update rule).
#pragma once
#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

struct SGDOptions : OptimizerOptions {
  SGDOptions(double lr) : lr_(lr) {}
  SGDOptions& lr(double v) { return lr_ = v, *this; }
  SGDOptions& momentum(double v) { return momentum_ = v, *this; }
  SGDOptions& dampening(double v) { return dampening_ = v, *this; }
  SGDOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  SGDOptions& nesterov(bool v) { return nesterov_ = v, *this; }
  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weight_decay_; }
  bool nesterov() const { return nesterov_; }
  std::unique_ptr<OptimizerOptions> clone() const override;  // src/optim/optim_instantiations.cpp
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  OptimizerValueMap to_values() const override;
  void from_values(const OptimizerValueMap& values) override;

 private:
  double lr_, momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false;
};

struct SGDParamState : OptimizerCloneableParamState<SGDParamState> {
  Tensor momentum_buffer_;
  const Tensor& momentum_buffer() const { return momentum_buffer_; }
  SGDParamState& momentum_buffer(Tensor t) { return momentum_buffer_ = std::move(t), *this; }
  OptimizerValueMap to_values() const override;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  SGD(std::vector<Tensor> params, SGDOptions defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;
};

// Compiled once in the library (src/optim/optim_instantiations.cpp).
extern template struct OptimizerCloneableParamState<SGDParamState>;

}  // namespace optim
}  // namespace ember
