// Learning-rate schedulers: LRScheduler and its PyTorch schedules, and ReduceLROnPlateauScheduler.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numbers>

#include "ember/optim/adam.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/schedulers/cosine_annealing_lr.h"
#include "ember/optim/schedulers/exponential_lr.h"
#include "ember/optim/schedulers/linear_lr.h"
#include "ember/optim/schedulers/lr_scheduler.h"
#include "ember/optim/schedulers/multi_step_lr.h"
#include "ember/optim/schedulers/one_cycle_lr.h"
#include "ember/optim/schedulers/reduce_on_plateau_scheduler.h"
#include "ember/optim/schedulers/step_lr.h"
#include "ember/optim/sgd.h"

namespace ember {
namespace optim {

// ---- LRScheduler ----

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  base_lrs_ = get_current_lrs();
  last_lr_ = base_lrs_;
}

void LRScheduler::step() {
  // Advance, compute, and only then change anything: a throwing get_lrs leaves all as it was.
  ++last_epoch_;
  try {
    set_optimizer_lrs(get_lrs());
  } catch (...) {
    --last_epoch_;
    throw;
  }
  ++step_count_;
  last_lr_ = get_current_lrs();
}

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const auto& g : optimizer_.param_groups()) lrs.push_back(g.options().get_lr());
  return lrs;
}

void LRScheduler::check_group_count() const {
  EMBER_CHECK(optimizer_.param_groups().size() == base_lrs_.size(),
              "the optimizer has ", optimizer_.param_groups().size(), " parameter groups but had ", base_lrs_.size(),
              " when the scheduler was made");
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& learning_rates) {
  EMBER_CHECK(learning_rates.size() == optimizer_.param_groups().size(),
              "Number of learning rates not equal to the number of param groups\n",
              "Number of learning rates given: ", learning_rates.size(),
              "\nNumber of param groups: ", optimizer_.param_groups().size());
  for (size_t i = 0; i < learning_rates.size(); ++i) optimizer_.param_groups()[i].options().set_lr(learning_rates[i]);
}

// ---- StepLR, MultiStepLR, ExponentialLR ----

StepLR::StepLR(Optimizer& optimizer, unsigned step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  step();
}
std::vector<double> StepLR::get_lrs() {
  check_group_count();
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  step();
}
std::vector<double> MultiStepLR::get_lrs() {
  check_group_count();
  std::vector<double> lrs = get_current_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (hits == 0) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, static_cast<double>(hits));
  return lrs;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) { step(); }
std::vector<double> ExponentialLR::get_lrs() {
  check_group_count();
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

// ---- CosineAnnealingLR ----

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  EMBER_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  step();
}
std::vector<double> CosineAnnealingLR::get_lrs() {
  check_group_count();
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) return lrs;
  const double e = static_cast<double>(last_epoch_), T = static_cast<double>(T_max_);
  // Python's modulo (never negative) of (last_epoch - 1 - T_max) by 2 T_max.
  int64_t m = (last_epoch_ - 1 - T_max_) % (2 * T_max_);
  if (m < 0) m += 2 * T_max_;
  for (size_t i = 0; i < lrs.size(); ++i) {
    if (m == 0)  // restarting from eta_min: the closed form's step, added
      lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    else
      lrs[i] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[i] - eta_min_) + eta_min_;
  }
  return lrs;
}

// ---- LinearLR ----

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  // PyTorch 1.13 lets start_factor be 0 and then divides by zero; later versions reject it.
  EMBER_CHECK(start_factor <= 1.0 && start_factor > 0,
              "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
  EMBER_CHECK(end_factor <= 1.0 && end_factor >= 0, "Ending multiplicative factor expected to be between 0 and 1.");
  step();
}
std::vector<double> LinearLR::get_lrs() {
  check_group_count();
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double ratio =
      1. + (end_factor_ - start_factor_) / (static_cast<double>(total_iters_) * start_factor_ +
                                            static_cast<double>(last_epoch_ - 1) * (end_factor_ - start_factor_));
  for (double& lr : lrs) lr *= ratio;
  return lrs;
}

// ---- OneCycleLR ----

namespace {

enum { kInitialLr, kMaxLr, kMinLr, kMaxMomentum, kBaseMomentum };

// Which momentum OneCycleLR cycles for these options, if any: SGD's and RMSprop's momentum, the
// first beta of Adam and AdamW.
bool has_momentum(const OptimizerOptions& o) {
  return dynamic_cast<const SGDOptions*>(&o) || dynamic_cast<const RMSpropOptions*>(&o) ||
         dynamic_cast<const AdamOptions*>(&o) || dynamic_cast<const AdamWOptions*>(&o);
}
void set_momentum(OptimizerOptions& o, double m) {
  if (auto* sgd = dynamic_cast<SGDOptions*>(&o)) sgd->momentum(m);
  else if (auto* rms = dynamic_cast<RMSpropOptions*>(&o)) rms->momentum(m);
  else if (auto* adam = dynamic_cast<AdamOptions*>(&o)) adam->betas({m, std::get<1>(adam->betas())});
  else if (auto* adamw = dynamic_cast<AdamWOptions*>(&o)) adamw->betas({m, std::get<1>(adamw->betas())});
}

std::vector<double> per_group(const std::vector<double>& v, size_t groups, const char* name) {
  if (v.size() == 1) return std::vector<double>(groups, v[0]);
  EMBER_CHECK(v.size() == groups, "expected ", groups, " values for ", name, ", got ", v.size());
  return v;
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& o) : LRScheduler(optimizer) {
  const auto& t = o.total_steps();
  const auto& e = o.epochs();
  const auto& s = o.steps_per_epoch();
  EMBER_CHECK(t || e || s, "You must define either total_steps OR (epochs AND steps_per_epoch)");
  if (t) {
    EMBER_CHECK(*t > 0, "Expected positive integer total_steps, but got ", *t);
    total_steps_ = *t;
  } else {
    EMBER_CHECK(e && *e > 0, "Expected positive integer epochs, but got ", e ? std::to_string(*e) : "None");
    EMBER_CHECK(s && *s > 0, "Expected positive integer steps_per_epoch, but got ",
                s ? std::to_string(*s) : "None");
    total_steps_ = *e * *s;
  }
  const double total = static_cast<double>(total_steps_), pct = o.pct_start();
  if (o.three_phase()) {
    phases_ = {{pct * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {2 * pct * total - 2, kMaxLr, kInitialLr, kBaseMomentum, kMaxMomentum},
               {total - 1, kInitialLr, kMinLr, kMaxMomentum, kMaxMomentum}};
  } else {
    phases_ = {{pct * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {total - 1, kMaxLr, kMinLr, kBaseMomentum, kMaxMomentum}};
  }
  EMBER_CHECK(pct >= 0 && pct <= 1, "Expected float between 0 and 1 pct_start, but got ", pct);
  EMBER_CHECK(o.anneal_strategy() == "cos" || o.anneal_strategy() == "linear",
              "anneal_strategy must by one of 'cos' or 'linear', instead got ", o.anneal_strategy());
  cos_ = o.anneal_strategy() == "cos";
  const size_t n = optimizer.param_groups().size();
  const auto max_lrs = per_group(o.max_lr(), n, "max_lr");
  cycle_momentum_ = o.cycle_momentum();
  std::vector<double> max_momentums, base_momentums;
  if (cycle_momentum_) {
    EMBER_CHECK(has_momentum(optimizer.defaults()),
                "optimizer must support momentum with `cycle_momentum` option enabled");
    max_momentums = per_group(o.max_momentum(), n, "max_momentum");
    base_momentums = per_group(o.base_momentum(), n, "base_momentum");
  }
  // All checked: now the groups start the cycle.
  for (size_t i = 0; i < n; ++i) {
    Group g{};
    g.values[kInitialLr] = max_lrs[i] / o.div_factor();
    g.values[kMaxLr] = max_lrs[i];
    g.values[kMinLr] = g.values[kInitialLr] / o.final_div_factor();
    if (cycle_momentum_) {
      g.values[kMaxMomentum] = max_momentums[i];
      g.values[kBaseMomentum] = base_momentums[i];
      set_momentum(optimizer.param_groups()[i].options(), max_momentums[i]);
    }
    groups_.push_back(g);
    base_lrs_[i] = g.values[kInitialLr];
  }
  step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (cos_) {
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lrs() {
  check_group_count();
  const int64_t step_num = last_epoch_;
  EMBER_CHECK(step_num <= total_steps_, "Tried to step ", step_num + 1,
              " times. The specified number of total steps is ", total_steps_);
  // Find the phase (the same for every group), check it, then compute.
  double start_step = 0;
  size_t phase = 0;
  for (; phase + 1 < phases_.size(); ++phase) {
    if (static_cast<double>(step_num) <= phases_[phase].end_step) break;
    start_step = phases_[phase].end_step;
  }
  const Phase& ph = phases_[phase];
  EMBER_CHECK(ph.end_step != start_step, "OneCycleLR: phase ", phase, " of the schedule is empty (total_steps=",
              total_steps_, "), so step ", step_num, " cannot be placed in it: float division by zero");
  const double pct = (static_cast<double>(step_num) - start_step) / (ph.end_step - start_step);
  std::vector<double> lrs;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const double* v = groups_[i].values;
    lrs.push_back(anneal(v[ph.start_lr], v[ph.end_lr], pct));
    if (cycle_momentum_)
      set_momentum(optimizer_.param_groups()[i].options(), anneal(v[ph.start_momentum], v[ph.end_momentum], pct));
  }
  return lrs;
}

// ---- ReduceLROnPlateauScheduler ----

namespace {
void check_factor_and_min_lr(const Optimizer& optimizer, double factor, const std::vector<double>& min_lr) {
  EMBER_CHECK(factor < 1.0, "Factor should be < 1.0.");
  const size_t n = optimizer.param_groups().size();
  EMBER_CHECK(min_lr.empty() || min_lr.size() == n, "expected ", n, " min_lrs, got ", min_lr.size());
}
// Checks in PyTorch's order: factor, min_lr, mode.
ReduceLROnPlateauScheduler::SchedulerMode parse_mode(const Optimizer& optimizer, double factor,
                                                     const std::vector<double>& min_lr, const std::string& mode) {
  check_factor_and_min_lr(optimizer, factor, min_lr);
  EMBER_CHECK(mode == "min" || mode == "max", "mode ", mode, " is unknown!");
  return mode == "min" ? ReduceLROnPlateauScheduler::min : ReduceLROnPlateauScheduler::max;
}
ReduceLROnPlateauScheduler::ThresholdMode parse_threshold_mode(const std::string& mode) {
  EMBER_CHECK(mode == "rel" || mode == "abs", "threshold mode ", mode, " is unknown!");
  return mode == "rel" ? ReduceLROnPlateauScheduler::rel : ReduceLROnPlateauScheduler::abs;
}
}  // namespace

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode, double factor,
                                                       int patience, double threshold, ThresholdMode threshold_mode,
                                                       int cooldown, const std::vector<double>& min_lr, double eps,
                                                       bool verbose)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      eps_(eps),
      verbose_(verbose) {
  check_factor_and_min_lr(optimizer, factor, min_lr);
  if (min_lr.empty()) min_lrs_.assign(optimizer.param_groups().size(), 0.0);
  else min_lrs_ = min_lr;
  EMBER_CHECK(mode == min || mode == max, "mode ", static_cast<int>(mode), " is unknown!");
  EMBER_CHECK(threshold_mode == rel || threshold_mode == abs, "threshold mode ", static_cast<int>(threshold_mode),
              " is unknown!");
  best_ = mode == min ? INFINITY : -INFINITY;
  for (const auto& g : optimizer.param_groups()) last_lr_.push_back(g.options().get_lr());
}

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, const std::string& mode, double factor,
                                                       int patience, double threshold,
                                                       const std::string& threshold_mode, int cooldown,
                                                       const std::vector<double>& min_lr, double eps, bool verbose)
    : ReduceLROnPlateauScheduler(optimizer, parse_mode(optimizer, factor, min_lr, mode), factor, patience, threshold,
                                 parse_threshold_mode(threshold_mode), cooldown, min_lr, eps, verbose) {}

bool ReduceLROnPlateauScheduler::is_better(double a) const {
  if (mode_ == min && threshold_mode_ == rel) return a < best_ * (1. - threshold_);
  if (mode_ == min && threshold_mode_ == abs) return a < best_ - threshold_;
  if (mode_ == max && threshold_mode_ == rel) return a > best_ * (threshold_ + 1.);
  return a > best_ + threshold_;
}

void ReduceLROnPlateauScheduler::step(double metric) {
  EMBER_CHECK(optimizer_.param_groups().size() == min_lrs_.size(), "the optimizer has ",
              optimizer_.param_groups().size(), " parameter groups but had ", min_lrs_.size(),
              " when the scheduler was made");
  const int64_t epoch = ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (cooldown_counter_ > 0) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // bad epochs during cooldown do not count
  }
  if (num_bad_epochs_ > patience_) {
    reduce_lr(epoch);
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (const auto& g : optimizer_.param_groups()) last_lr_.push_back(g.options().get_lr());
}

void ReduceLROnPlateauScheduler::reduce_lr(int64_t epoch) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    const double old_lr = groups[i].options().get_lr();
    const double new_lr = std::max(old_lr * factor_, min_lrs_[i]);
    if (old_lr - new_lr > eps_) {
      groups[i].options().set_lr(new_lr);
      if (verbose_) {
        char line[128];
        std::snprintf(line, sizeof line, "Epoch %.5lld: reducing learning rate of group %zu to %.4e.",
                      static_cast<long long>(epoch), i, new_lr);
        std::cout << line << std::endl;
      }
    }
  }
}

}  // namespace optim
}  // namespace ember
