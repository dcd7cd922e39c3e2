// RMSprop: square-average normalised steps, optionally centered and with momentum (PyTorch 1.13).
#include "ember/optim/rmsprop.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "kernels/cpu/optim.h"

namespace ember {
namespace optim {

OptimizerValueMap RMSpropOptions::to_values() const {
  return {{"lr", lr_},         {"alpha", alpha_},       {"eps", eps_},
          {"weight_decay", weight_decay_}, {"momentum", momentum_}, {"centered", centered_}};
}
void RMSpropOptions::from_values(const OptimizerValueMap& v) {
  RMSpropOptions o(detail::get_double(v, "lr"));
  o.alpha(detail::get_double(v, "alpha"))
      .eps(detail::get_double(v, "eps"))
      .weight_decay(detail::get_double(v, "weight_decay"))
      .momentum(detail::get_double(v, "momentum"))
      .centered(detail::get_bool(v, "centered"));
  *this = o;
}
OptimizerValueMap RMSpropParamState::to_values() const {
  OptimizerValueMap v{{"step", step_}};
  detail::put_tensor(v, "square_avg", square_avg_);
  detail::put_tensor(v, "momentum_buffer", momentum_buffer_);
  detail::put_tensor(v, "grad_avg", grad_avg_);
  return v;
}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{}, std::make_unique<RMSpropOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.eps() >= 0, "Invalid epsilon value: ", defaults.eps());
  EMBER_CHECK(defaults.momentum() >= 0, "Invalid momentum value: ", defaults.momentum());
  EMBER_CHECK(defaults.weight_decay() >= 0, "Invalid weight_decay value: ", defaults.weight_decay());
  EMBER_CHECK(defaults.alpha() >= 0, "Invalid alpha value: ", defaults.alpha());
  for (const auto& g : param_groups) add_param_group(g);
}

std::unique_ptr<OptimizerParamState> RMSprop::load_param_state(const OptimizerValueMap& values,
                                                               const Tensor& param) const {
  auto st = std::make_unique<RMSpropParamState>();
  st->step_ = detail::get_int(values, "step");
  st->square_avg_ = detail::get_tensor_like(values, "square_avg", param);
  st->momentum_buffer_ = detail::get_optional_tensor_like(values, "momentum_buffer", param);
  st->grad_avg_ = detail::get_optional_tensor_like(values, "grad_avg", param);
  return st;
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const RMSpropOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state_[state_key(p)];
      if (!slot) {
        auto st = std::make_unique<RMSpropParamState>();
        st->square_avg_ = zeros_like(p);
        slot = std::move(st);
      }
      auto& st = static_cast<RMSpropParamState&>(*slot);
      // Buffers appear when their option is on (also when it is switched on later, e.g. by OneCycleLR).
      if (o.momentum() > 0 && !st.momentum_buffer_.defined()) st.momentum_buffer_ = zeros_like(p);
      if (o.centered() && !st.grad_avg_.defined()) st.grad_avg_ = zeros_like(p);
      st.step_ += 1;
      kernels::RmspropStep fs;  // one pass where the tensors allow; the same values as the ops below
      fs.lr = o.lr();
      fs.alpha = o.alpha();
      fs.eps = o.eps();
      fs.weight_decay = o.weight_decay();
      fs.momentum = o.momentum();
      fs.centered = o.centered();
      if (kernels::rmsprop_step(p, p.grad(), st.square_avg_, st.grad_avg_, st.momentum_buffer_, fs)) continue;

      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      st.square_avg_.mul_(o.alpha()).addcmul_(grad, grad, 1 - o.alpha());
      Tensor avg;
      if (o.centered()) {
        st.grad_avg_.mul_(o.alpha()).add_(grad, 1 - o.alpha());
        avg = st.square_avg_.addcmul(st.grad_avg_, st.grad_avg_, -1).sqrt_();
      } else {
        avg = st.square_avg_.sqrt();
      }
      avg.add_(o.eps());
      if (o.momentum() > 0) {
        st.momentum_buffer_.mul_(o.momentum()).addcdiv_(grad, avg);
        p.add_(st.momentum_buffer_, -o.lr());
      } else {
        p.addcdiv_(grad, avg, -o.lr());
      }
    }
  }
  return loss;
}

}  // namespace optim
}  // namespace ember
