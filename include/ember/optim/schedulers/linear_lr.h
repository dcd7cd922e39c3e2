// LinearLR: scales the learning rates by a factor going linearly from start_factor to end_factor.
#pragma once
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 private:
  std::vector<double> get_lrs() override;
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

}  // namespace optim
}  // namespace ember
