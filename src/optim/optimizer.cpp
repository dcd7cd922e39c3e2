// Optimizer base and SGD.
#include "ember/optim/optimizer.h"

#include <sstream>

#include "ember/autograd/grad_mode.h"
#include "ember/optim/sgd.h"

namespace ember {
namespace optim {

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

std::string Optimizer::state_key(const Tensor& p) {
  std::ostringstream os;
  os << static_cast<const void*>(p.unsafeGetTensorImpl());
  return os.str();
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

Tensor SGD::step(LossClosure closure) {
  Tensor loss = evaluate(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor d_p = p.grad();
      if (o.weight_decay() != 0) d_p = d_p.add(p, o.weight_decay());
      if (o.momentum() != 0) {
        auto& slot = state_[state_key(p)];
        if (!slot) {
          auto st = std::make_unique<SGDParamState>();
          st->momentum_buffer(d_p.clone());
          slot = std::move(st);
        } else {
          auto& buf = static_cast<SGDParamState&>(*slot).momentum_buffer_;
          buf.mul_(o.momentum()).add_(d_p, 1 - o.dampening());
        }
        const Tensor& buf = static_cast<SGDParamState&>(*slot).momentum_buffer();
        d_p = o.nesterov() ? d_p.add(buf, o.momentum()) : buf;
      }
      p.add_(d_p, -o.lr());
    }
  }
  return loss;
}

}  // namespace optim
}  // namespace ember
