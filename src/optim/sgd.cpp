// SGD: momentum, dampening, weight decay and Nesterov momentum, as PyTorch updates them.
#include "ember/optim/sgd.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "kernels/cpu/optim.h"

namespace ember {
namespace optim {

OptimizerValueMap SGDOptions::to_values() const {
  return {{"lr", lr_}, {"momentum", momentum_}, {"dampening", dampening_}, {"weight_decay", weight_decay_},
          {"nesterov", nesterov_}};
}
void SGDOptions::from_values(const OptimizerValueMap& v) {
  SGDOptions o(detail::get_double(v, "lr"));
  o.momentum(detail::get_double(v, "momentum"))
      .dampening(detail::get_double(v, "dampening"))
      .weight_decay(detail::get_double(v, "weight_decay"))
      .nesterov(detail::get_bool(v, "nesterov"));
  *this = o;
}
OptimizerValueMap SGDParamState::to_values() const {
  OptimizerValueMap v;
  detail::put_tensor(v, "momentum_buffer", momentum_buffer_);
  return v;
}

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{}, std::make_unique<SGDOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.momentum() >= 0, "Invalid momentum value: ", defaults.momentum());
  EMBER_CHECK(defaults.weight_decay() >= 0, "Invalid weight_decay value: ", defaults.weight_decay());
  EMBER_CHECK(!defaults.nesterov() || (defaults.momentum() > 0 && defaults.dampening() == 0),
              "Nesterov momentum requires a momentum and zero dampening");
  for (const auto& g : param_groups) add_param_group(g);
}

std::unique_ptr<OptimizerParamState> SGD::load_param_state(const OptimizerValueMap& values,
                                                           const Tensor& param) const {
  auto st = std::make_unique<SGDParamState>();
  st->momentum_buffer_ = detail::get_optional_tensor_like(values, "momentum_buffer", param);
  return st;
}

namespace {
// One pass over p, its gradient and its momentum buffer (kernels/cpu/optim.h), where the tensors
// allow; false leaves the step to the tensor ops of SGD::step, which compute the same values.
bool fused_step(const Tensor& p, const SGDOptions& o, std::unique_ptr<OptimizerParamState>* slot) {
  kernels::SgdStep s;
  s.lr = o.lr();
  s.momentum = o.momentum();
  s.dampening = o.dampening();
  s.weight_decay = o.weight_decay();
  s.nesterov = o.nesterov();
  Tensor buf;
  if (o.momentum() != 0) {
    buf = *slot ? static_cast<SGDParamState&>(**slot).momentum_buffer_ : Tensor();
    s.first = !buf.defined();
    if (s.first) buf = empty_like(p);
  }
  if (!kernels::sgd_step(p, p.grad(), buf, s)) return false;
  if (o.momentum() != 0 && s.first) {
    if (!*slot) *slot = std::make_unique<SGDParamState>();
    static_cast<SGDParamState&>(**slot).momentum_buffer_ = buf;
  }
  return true;
}
}  // namespace

Tensor SGD::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (fused_step(p, o, o.momentum() != 0 ? &state_[state_key(p)] : nullptr)) continue;
      Tensor d_p = p.grad();
      if (o.weight_decay() != 0) d_p = d_p.add(p, o.weight_decay());
      if (o.momentum() != 0) {
        auto& slot = state_[state_key(p)];
        if (!slot) slot = std::make_unique<SGDParamState>();
        auto& buf = static_cast<SGDParamState&>(*slot).momentum_buffer_;
        // The first step with momentum starts the buffer at the gradient itself.
        if (!buf.defined()) buf = d_p.clone();
        else buf.mul_(o.momentum()).add_(d_p, 1 - o.dampening());
        d_p = o.nesterov() ? d_p.add(buf, o.momentum()) : buf;
      }
      p.add_(d_p, -o.lr());
    }
  }
  return loss;
}

}  // namespace optim
}  // namespace ember
