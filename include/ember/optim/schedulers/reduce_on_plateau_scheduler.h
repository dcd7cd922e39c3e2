// ReduceLROnPlateauScheduler: lowers the learning rates when a metric stops improving.
#pragma once
#include <string>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember {
namespace optim {

// LibTorch's signature (from LibTorch 2.0; 1.13 has none) with PyTorch's Python semantics: a
// metric improves when it beats the best by more than threshold (relative or absolute); after more
// than `patience` epochs without improvement each rate is multiplied by factor (not below min_lr,
// and only when that changes it by more than eps), then `cooldown` epochs are ignored.
class ReduceLROnPlateauScheduler {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  // min_lr: empty (0 for every group), or one value per parameter group.
  ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min, double factor = 0.1, int patience = 10,
                             double threshold = 1e-4, ThresholdMode threshold_mode = rel, int cooldown = 0,
                             const std::vector<double>& min_lr = std::vector<double>(), double eps = 1e-8,
                             bool verbose = false);
  // PyTorch's spelling of the modes: "min"/"max" and "rel"/"abs".
  ReduceLROnPlateauScheduler(Optimizer& optimizer, const std::string& mode, double factor = 0.1, int patience = 10,
                             double threshold = 1e-4, const std::string& threshold_mode = "rel", int cooldown = 0,
                             const std::vector<double>& min_lr = std::vector<double>(), double eps = 1e-8,
                             bool verbose = false);
  virtual ~ReduceLROnPlateauScheduler() = default;

  void step(double metric);
  // The learning rates after the last step (the optimizer's at construction before any).
  const std::vector<double>& get_last_lr() const { return last_lr_; }

 private:
  bool is_better(double a) const;
  void reduce_lr(int64_t epoch);

  Optimizer& optimizer_;
  SchedulerMode mode_;
  double factor_;
  int patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int cooldown_;
  std::vector<double> min_lrs_;
  double eps_;
  bool verbose_;
  double best_;
  int cooldown_counter_ = 0;
  int num_bad_epochs_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};
using ReduceLROnPlateau = ReduceLROnPlateauScheduler;

}  // namespace optim
}  // namespace ember
