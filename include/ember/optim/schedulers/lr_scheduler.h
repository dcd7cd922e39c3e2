// LRScheduler: the base of the epoch-driven learning-rate schedulers (LibTorch's interface).
#pragma once
#include <cstdint>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

// A scheduler sets each parameter group's learning rate on step(). ember's schedulers follow
// PyTorch's Python semantics, which LibTorch 1.13's StepLR does not: constructing one performs the
// first step (epoch 0; LinearLR and OneCycleLR change the learning rate there), and each step()
// then advances one epoch, so after k calls the rates are PyTorch's after k calls. A subclass
// written for LibTorch (overriding get_lrs(), reading step_count_) works unchanged: the base
// constructor does not step, step() calls get_lrs() then counts.
class LRScheduler {
 public:
  // The optimizer must outlive the scheduler.
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  void step();
  // The learning rates of the parameter groups after the last step (PyTorch's get_last_lr()).
  const std::vector<double>& get_last_lr() const { return last_lr_; }

 protected:
  // The new learning rate of each parameter group, read after last_epoch_ has advanced.
  virtual std::vector<double> get_lrs() = 0;
  // The optimizer's learning rates now, one per group.
  std::vector<double> get_current_lrs() const;
  // Throws when parameter groups were added or removed since the scheduler was made.
  void check_group_count() const;

  // step() calls so far (LibTorch's counter; includes the constructor's first step).
  unsigned step_count_ = 0;
  // PyTorch's last_epoch: -1 before the first step, 0 after construction, +1 per step().
  int64_t last_epoch_ = -1;
  // The learning rates when the scheduler was made (PyTorch's base_lrs).
  std::vector<double> base_lrs_;
  Optimizer& optimizer_;

 private:
  void set_optimizer_lrs(const std::vector<double>& learning_rates);
  std::vector<double> last_lr_;
};

}  // namespace optim
}  // namespace ember
