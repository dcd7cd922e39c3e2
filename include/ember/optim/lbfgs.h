// L-BFGS with an optional strong-Wolfe line search, as PyTorch 1.13 runs it; step needs a closure.
#pragma once
#include <deque>
#include <optional>
#include <string>

#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

struct LBFGSOptions : OptimizerCloneableOptions<LBFGSOptions> {
  LBFGSOptions(double lr = 1) : lr_(lr) {}
  LBFGSOptions& lr(double v) { return lr_ = v, *this; }
  LBFGSOptions& max_iter(int64_t v) { return max_iter_ = v, *this; }
  // Unset: LBFGS sets it to max_iter * 5 / 4.
  LBFGSOptions& max_eval(std::optional<int64_t> v) { return max_eval_ = v, *this; }
  LBFGSOptions& tolerance_grad(double v) { return tolerance_grad_ = v, *this; }
  LBFGSOptions& tolerance_change(double v) { return tolerance_change_ = v, *this; }
  LBFGSOptions& history_size(int64_t v) { return history_size_ = v, *this; }
  // Unset (no line search: fixed steps of lr) or "strong_wolfe".
  LBFGSOptions& line_search_fn(std::optional<std::string> v) { return line_search_fn_ = std::move(v), *this; }
  double lr() const { return lr_; }
  int64_t max_iter() const { return max_iter_; }
  const std::optional<int64_t>& max_eval() const { return max_eval_; }
  double tolerance_grad() const { return tolerance_grad_; }
  double tolerance_change() const { return tolerance_change_; }
  int64_t history_size() const { return history_size_; }
  const std::optional<std::string>& line_search_fn() const { return line_search_fn_; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  // Unset optionals are left out, as PyTorch's None.
  OptimizerValueMap to_values() const override;
  void from_values(const OptimizerValueMap& values) override;

 private:
  double lr_;
  int64_t max_iter_ = 20;
  std::optional<int64_t> max_eval_;
  double tolerance_grad_ = 1e-7, tolerance_change_ = 1e-9;
  int64_t history_size_ = 100;
  std::optional<std::string> line_search_fn_;
};

// L-BFGS keeps one state for all parameters, stored under the first parameter (as PyTorch).
struct LBFGSParamState : OptimizerCloneableParamState<LBFGSParamState> {
  int64_t func_evals_ = 0, n_iter_ = 0;
  double t_ = 0, prev_loss_ = 0;
  Tensor d_, H_diag_, prev_flat_grad_;
  std::deque<Tensor> old_dirs_, old_stps_, ro_;
  std::optional<std::vector<Tensor>> al_;
  int64_t func_evals() const { return func_evals_; }
  int64_t n_iter() const { return n_iter_; }
  double t() const { return t_; }
  double prev_loss() const { return prev_loss_; }
  const Tensor& d() const { return d_; }
  const Tensor& H_diag() const { return H_diag_; }
  const Tensor& prev_flat_grad() const { return prev_flat_grad_; }
  const std::deque<Tensor>& old_dirs() const { return old_dirs_; }
  const std::deque<Tensor>& old_stps() const { return old_stps_; }
  const std::deque<Tensor>& ro() const { return ro_; }
  const std::optional<std::vector<Tensor>>& al() const { return al_; }
  OptimizerValueMap to_values() const override;
};

class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults = {});
  LBFGS(std::vector<Tensor> params, LBFGSOptions defaults = {})
      : LBFGS(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  // Runs up to max_iter iterations, calling the closure (which must zero the gradients, compute the
  // loss and call backward) as often as they need; returns the first loss.
  Tensor step(LossClosure closure) override;

 protected:
  std::unique_ptr<OptimizerParamState> load_param_state(const OptimizerValueMap& values,
                                                        const Tensor& param) const override;

 private:
  int64_t numel() const;
  Tensor gather_flat_grad() const;
  void add_grad(double step_size, const Tensor& update);
  std::vector<Tensor> clone_params() const;
  void set_params(const std::vector<Tensor>& values);
  // Loss and flat gradient at x + t * d; leaves the parameters at x.
  std::pair<double, Tensor> directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                 double t, const Tensor& d);
};

// Compiled once in the library (src/optim/optim_instantiations.cpp).
extern template struct OptimizerCloneableOptions<LBFGSOptions>;
extern template struct OptimizerCloneableParamState<LBFGSParamState>;

}  // namespace optim
}  // namespace ember
