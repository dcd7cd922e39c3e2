// OneCycleLR: the 1cycle policy (warm up to max_lr, anneal far below), cycling momentum inversely.
#pragma once
#include <optional>
#include <string>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

// PyTorch's OneCycleLR arguments. max_lr, max_momentum and base_momentum take one value for all
// parameter groups or one per group. Give total_steps, or epochs and steps_per_epoch.
struct OneCycleLROptions {
  OneCycleLROptions(double max_lr) : max_lr_{max_lr} {}
  OneCycleLROptions(std::vector<double> max_lr) : max_lr_(std::move(max_lr)) {}
  OneCycleLROptions& max_lr(std::vector<double> v) { return max_lr_ = std::move(v), *this; }
  OneCycleLROptions& total_steps(std::optional<int64_t> v) { return total_steps_ = v, *this; }
  OneCycleLROptions& epochs(std::optional<int64_t> v) { return epochs_ = v, *this; }
  OneCycleLROptions& steps_per_epoch(std::optional<int64_t> v) { return steps_per_epoch_ = v, *this; }
  OneCycleLROptions& pct_start(double v) { return pct_start_ = v, *this; }
  // "cos" or "linear".
  OneCycleLROptions& anneal_strategy(std::string v) { return anneal_strategy_ = std::move(v), *this; }
  // Cycles SGD's and RMSprop's momentum, Adam's and AdamW's beta1.
  OneCycleLROptions& cycle_momentum(bool v) { return cycle_momentum_ = v, *this; }
  OneCycleLROptions& base_momentum(std::vector<double> v) { return base_momentum_ = std::move(v), *this; }
  OneCycleLROptions& max_momentum(std::vector<double> v) { return max_momentum_ = std::move(v), *this; }
  OneCycleLROptions& base_momentum(double v) { return base_momentum_ = {v}, *this; }
  OneCycleLROptions& max_momentum(double v) { return max_momentum_ = {v}, *this; }
  OneCycleLROptions& div_factor(double v) { return div_factor_ = v, *this; }
  OneCycleLROptions& final_div_factor(double v) { return final_div_factor_ = v, *this; }
  OneCycleLROptions& three_phase(bool v) { return three_phase_ = v, *this; }
  const std::vector<double>& max_lr() const { return max_lr_; }
  const std::optional<int64_t>& total_steps() const { return total_steps_; }
  const std::optional<int64_t>& epochs() const { return epochs_; }
  const std::optional<int64_t>& steps_per_epoch() const { return steps_per_epoch_; }
  double pct_start() const { return pct_start_; }
  const std::string& anneal_strategy() const { return anneal_strategy_; }
  bool cycle_momentum() const { return cycle_momentum_; }
  const std::vector<double>& base_momentum() const { return base_momentum_; }
  const std::vector<double>& max_momentum() const { return max_momentum_; }
  double div_factor() const { return div_factor_; }
  double final_div_factor() const { return final_div_factor_; }
  bool three_phase() const { return three_phase_; }

 private:
  std::vector<double> max_lr_;
  std::optional<int64_t> total_steps_, epochs_, steps_per_epoch_;
  double pct_start_ = 0.3;
  std::string anneal_strategy_ = "cos";
  bool cycle_momentum_ = true;
  std::vector<double> base_momentum_{0.85}, max_momentum_{0.95};
  double div_factor_ = 25., final_div_factor_ = 1e4;
  bool three_phase_ = false;
};

// Step it after every batch; stepping past total_steps throws.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);
  int64_t total_steps() const { return total_steps_; }

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // indices into Group::values
  };
  struct Group {
    // initial_lr, max_lr, min_lr, max_momentum, base_momentum
    double values[5];
  };
  std::vector<double> get_lrs() override;
  double anneal(double start, double end, double pct) const;
  int64_t total_steps_;
  bool cos_, cycle_momentum_;
  std::vector<Phase> phases_;
  std::vector<Group> groups_;
};

}  // namespace optim
}  // namespace ember
