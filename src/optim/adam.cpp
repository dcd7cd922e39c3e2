// Adam and AdamW: one moment update, with the weight decay coupled (Adam) or decoupled (AdamW).
#include "ember/optim/adam.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "kernels/cpu/optim.h"
#include "ember/ops/pointwise.h"

namespace ember {
namespace optim {

template <typename Derived>
void AdamOptionsBase<Derived>::validate() const {
  EMBER_CHECK(lr_ >= 0, "Invalid learning rate: ", lr_);
  EMBER_CHECK(eps_ >= 0, "Invalid epsilon value: ", eps_);
  EMBER_CHECK(std::get<0>(betas_) >= 0 && std::get<0>(betas_) < 1, "Invalid beta parameter at index 0: ",
              std::get<0>(betas_));
  EMBER_CHECK(std::get<1>(betas_) >= 0 && std::get<1>(betas_) < 1, "Invalid beta parameter at index 1: ",
              std::get<1>(betas_));
  EMBER_CHECK(weight_decay_ >= 0, "Invalid weight_decay value: ", weight_decay_);
}
template <typename Derived>
OptimizerValueMap AdamOptionsBase<Derived>::to_values() const {
  return {{"lr", lr_},
          {"betas", std::vector<double>{std::get<0>(betas_), std::get<1>(betas_)}},
          {"eps", eps_},
          {"weight_decay", weight_decay_},
          {"amsgrad", amsgrad_}};
}
template <typename Derived>
void AdamOptionsBase<Derived>::from_values(const OptimizerValueMap& v) {
  const auto* betas = std::get_if<std::vector<double>>(&detail::find_value(v, "betas"));
  EMBER_CHECK(betas && betas->size() == 2, "loaded state dict entry 'betas' is not two doubles");
  const double lr = detail::get_double(v, "lr"), eps = detail::get_double(v, "eps");
  const double weight_decay = detail::get_double(v, "weight_decay");
  const bool amsgrad = detail::get_bool(v, "amsgrad");
  lr_ = lr;
  betas_ = {(*betas)[0], (*betas)[1]};
  eps_ = eps;
  weight_decay_ = weight_decay;
  amsgrad_ = amsgrad;
}
template struct AdamOptionsBase<AdamOptions>;
template struct AdamOptionsBase<AdamWOptions>;

OptimizerValueMap AdamParamState::to_values() const {
  OptimizerValueMap v{{"step", step_}};
  detail::put_tensor(v, "exp_avg", exp_avg_);
  detail::put_tensor(v, "exp_avg_sq", exp_avg_sq_);
  detail::put_tensor(v, "max_exp_avg_sq", max_exp_avg_sq_);
  return v;
}

namespace {

std::unique_ptr<OptimizerParamState> load_adam_state(const OptimizerValueMap& values, const Tensor& param) {
  auto st = std::make_unique<AdamParamState>();
  st->step_ = detail::get_int(values, "step");
  st->exp_avg_ = detail::get_tensor_like(values, "exp_avg", param);
  st->exp_avg_sq_ = detail::get_tensor_like(values, "exp_avg_sq", param);
  st->max_exp_avg_sq_ = detail::get_optional_tensor_like(values, "max_exp_avg_sq", param);
  return st;
}

// One Adam step for every parameter of every group; `decoupled` selects AdamW's weight decay.
template <typename Options>
void adam_step(std::vector<OptimizerParamGroup>& groups,
               std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& state,
               std::string (*key)(const Tensor&), bool decoupled) {
  NoGradGuard no_grad;
  for (auto& group : groups) {
    const auto& o = static_cast<const Options&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor grad = p.grad();
      auto& slot = state[key(p)];
      if (!slot) {
        auto st = std::make_unique<AdamParamState>();
        st->exp_avg_ = zeros_like(p);
        st->exp_avg_sq_ = zeros_like(p);
        if (o.amsgrad()) st->max_exp_avg_sq_ = zeros_like(p);
        slot = std::move(st);
      }
      auto& st = static_cast<AdamParamState&>(*slot);
      // amsgrad switched on after the first steps (e.g. by load_state_dict) starts from zeros.
      if (o.amsgrad() && !st.max_exp_avg_sq_.defined()) st.max_exp_avg_sq_ = zeros_like(p);
      st.step_ += 1;
      // One pass over p, its gradient and its state where the tensors allow (the same values as the
      // tensor ops below).
      kernels::AdamStep fs;
      fs.lr = o.lr();
      fs.beta1 = beta1;
      fs.beta2 = beta2;
      fs.eps = o.eps();
      fs.weight_decay = o.weight_decay();
      fs.bias_correction1 = 1 - std::pow(beta1, static_cast<double>(st.step_));
      fs.bias_correction2 = 1 - std::pow(beta2, static_cast<double>(st.step_));
      fs.decoupled = decoupled;
      fs.amsgrad = o.amsgrad();
      if (kernels::adam_step(p, grad, st.exp_avg_, st.exp_avg_sq_, st.max_exp_avg_sq_, fs)) continue;
      if (o.weight_decay() != 0) {
        if (decoupled) p.mul_(1 - o.lr() * o.weight_decay());
        else grad = grad.add(p, o.weight_decay());
      }
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(st.step_));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(st.step_));
      st.exp_avg_.mul_(beta1).add_(grad, 1 - beta1);
      st.exp_avg_sq_.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      Tensor second = st.exp_avg_sq_;
      if (o.amsgrad()) {
        st.max_exp_avg_sq_ = maximum(st.max_exp_avg_sq_, st.exp_avg_sq_);
        second = st.max_exp_avg_sq_;
      }
      Tensor denom = second.sqrt().div(std::sqrt(bias_correction2)).add_(o.eps());
      p.addcdiv_(st.exp_avg_, denom, -o.lr() / bias_correction1);
    }
  }
}

}  // namespace

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{}, std::make_unique<AdamOptions>(defaults)) {
  defaults.validate();
  for (const auto& g : param_groups) add_param_group(g);
}
std::unique_ptr<OptimizerParamState> Adam::load_param_state(const OptimizerValueMap& values,
                                                            const Tensor& param) const {
  return load_adam_state(values, param);
}
std::unique_ptr<OptimizerParamState> AdamW::load_param_state(const OptimizerValueMap& values,
                                                             const Tensor& param) const {
  return load_adam_state(values, param);
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  adam_step<AdamOptions>(param_groups_, state_, state_key, false);
  return loss;
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{}, std::make_unique<AdamWOptions>(defaults)) {
  defaults.validate();
  for (const auto& g : param_groups) add_param_group(g);
}
Tensor AdamW::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  adam_step<AdamWOptions>(param_groups_, state_, state_key, true);
  return loss;
}

}  // namespace optim
}  // namespace ember
