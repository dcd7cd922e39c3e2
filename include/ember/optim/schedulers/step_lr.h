// StepLR: multiplies the learning rates by gamma every step_size epochs.
#pragma once
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, unsigned step_size, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  unsigned step_size_;
  double gamma_;
};

}  // namespace optim
}  // namespace ember
