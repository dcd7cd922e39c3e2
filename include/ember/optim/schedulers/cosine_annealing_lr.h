// CosineAnnealingLR: cosine annealing from the base rates to eta_min over T_max epochs (and back).
#pragma once
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember {
namespace optim {

// Uses PyTorch's recursive form (each rate from the previous one), so the numbers are PyTorch's
// and changes made to the rates from outside carry through.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);

 private:
  std::vector<double> get_lrs() override;
  int64_t T_max_;
  double eta_min_;
};

}  // namespace optim
}  // namespace ember
