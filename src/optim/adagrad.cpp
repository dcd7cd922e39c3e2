// Adagrad: steps scaled by the root of the accumulated squared gradients (PyTorch 1.13).
#include "ember/optim/adagrad.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "kernels/cpu/optim.h"

namespace ember {
namespace optim {

OptimizerValueMap AdagradOptions::to_values() const {
  return {{"lr", lr_},
          {"lr_decay", lr_decay_},
          {"weight_decay", weight_decay_},
          {"initial_accumulator_value", initial_accumulator_value_},
          {"eps", eps_}};
}
void AdagradOptions::from_values(const OptimizerValueMap& v) {
  AdagradOptions o(detail::get_double(v, "lr"));
  o.lr_decay(detail::get_double(v, "lr_decay"))
      .weight_decay(detail::get_double(v, "weight_decay"))
      .initial_accumulator_value(detail::get_double(v, "initial_accumulator_value"))
      .eps(detail::get_double(v, "eps"));
  *this = o;
}
OptimizerValueMap AdagradParamState::to_values() const {
  OptimizerValueMap v{{"step", step_}};
  detail::put_tensor(v, "sum", sum_);
  return v;
}

namespace {
std::unique_ptr<OptimizerParamState> fresh_state(const Tensor& p, const AdagradOptions& o) {
  auto st = std::make_unique<AdagradParamState>();
  NoGradGuard no_grad;
  st->sum_ = full_like(p, o.initial_accumulator_value());
  return st;
}
}  // namespace

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{}, std::make_unique<AdagradOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.lr_decay() >= 0, "Invalid lr_decay value: ", defaults.lr_decay());
  EMBER_CHECK(defaults.weight_decay() >= 0, "Invalid weight_decay value: ", defaults.weight_decay());
  EMBER_CHECK(defaults.initial_accumulator_value() >= 0, "Invalid initial_accumulator_value value: ",
              defaults.initial_accumulator_value());
  EMBER_CHECK(defaults.eps() >= 0, "Invalid epsilon value: ", defaults.eps());
  for (const auto& g : param_groups) add_param_group(g);
  // PyTorch fills every sum with the constructor's initial_accumulator_value, whatever a group says.
  for (const auto& g : param_groups_)
    for (const auto& p : g.params()) state_[state_key(p)] = fresh_state(p, defaults);
}

std::unique_ptr<OptimizerParamState> Adagrad::load_param_state(const OptimizerValueMap& values,
                                                               const Tensor& param) const {
  auto st = std::make_unique<AdagradParamState>();
  st->step_ = detail::get_int(values, "step");
  st->sum_ = detail::get_tensor_like(values, "sum", param);
  return st;
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state_[state_key(p)];
      // Groups added after construction get their state on first use.
      if (!slot) slot = fresh_state(p, o);
      auto& st = static_cast<AdagradParamState&>(*slot);
      st.step_ += 1;
      const double clr = o.lr() / (1 + static_cast<double>(st.step_ - 1) * o.lr_decay());
      kernels::AdagradStep fs;  // one pass where the tensors allow; the same values as the ops below
      fs.clr = clr;
      fs.eps = o.eps();
      fs.weight_decay = o.weight_decay();
      if (kernels::adagrad_step(p, p.grad(), st.sum_, fs)) continue;
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      st.sum_.addcmul_(grad, grad, 1);
      Tensor std = st.sum_.sqrt().add_(o.eps());
      p.addcdiv_(grad, std, -clr);
    }
  }
  return loss;
}

}  // namespace optim
}  // namespace ember
