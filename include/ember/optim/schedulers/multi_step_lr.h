// MultiStepLR: multiplies the learning rates by gamma at each milestone epoch.
#pragma once
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

class MultiStepLR : public LRScheduler {
 public:
  // A milestone listed n times multiplies by gamma^n, as in PyTorch.
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  std::vector<int64_t> milestones_;
  double gamma_;
};

}  // namespace optim
}  // namespace ember
