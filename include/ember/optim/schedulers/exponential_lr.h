// ExponentialLR: multiplies the learning rates by gamma every epoch.
#pragma once
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  std::vector<double> get_lrs() override;
  double gamma_;
};

}  // namespace optim
}  // namespace ember
