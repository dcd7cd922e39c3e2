// Bad optimizer and scheduler arguments: each throws c10::Error with PyTorch's message (where it
// has one) and leaves parameters, gradients and learning rates as they were.
#include "optim/optim_test_util.h"

using namespace optim_test;
namespace optim = torch::optim;

namespace {

torch::Tensor param() {
  auto p = torch::tensor({1.0, -2.0, 3.0}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  (p * p).sum().backward();
  return p;
}

}  // namespace

TEST(OptimBadInput, OptimizerOptions) {
  auto p = param();
  auto g = p.grad();
  std::vector<torch::Tensor> w{p, g};
  expect_error([&] { optim::SGD({p}, optim::SGDOptions(-1)); }, "Invalid learning rate: -1", w);
  expect_error([&] { optim::SGD({p}, optim::SGDOptions(0.1).momentum(-0.5)); }, "Invalid momentum value: -0.5", w);
  expect_error([&] { optim::SGD({p}, optim::SGDOptions(0.1).weight_decay(-1)); }, "Invalid weight_decay value: -1", w);
  expect_error([&] { optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)); },
               "Nesterov momentum requires a momentum and zero dampening", w);
  expect_error([&] { optim::SGD({p}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); },
               "Nesterov momentum requires a momentum and zero dampening", w);
  expect_error([&] { optim::Adam({p}, optim::AdamOptions(-0.1)); }, "Invalid learning rate: -0.1", w);
  expect_error([&] { optim::Adam({p}, optim::AdamOptions(0.1).betas(std::make_tuple(1.0, 0.999))); },
               "Invalid beta parameter at index 0: 1", w);
  expect_error([&] { optim::AdamW({p}, optim::AdamWOptions(0.1).betas(std::make_tuple(0.9, -0.1))); },
               "Invalid beta parameter at index 1: -0.1", w);
  expect_error([&] { optim::Adam({p}, optim::AdamOptions(0.1).eps(-1e-8)); }, "Invalid epsilon value: -1e-08", w);
  expect_error([&] { optim::AdamW({p}, optim::AdamWOptions(0.1).weight_decay(-0.01)); },
               "Invalid weight_decay value: -0.01", w);
  expect_error([&] { optim::RMSprop({p}, optim::RMSpropOptions(-1)); }, "Invalid learning rate: -1", w);
  expect_error([&] { optim::RMSprop({p}, optim::RMSpropOptions().eps(-1)); }, "Invalid epsilon value: -1", w);
  expect_error([&] { optim::RMSprop({p}, optim::RMSpropOptions().momentum(-1)); }, "Invalid momentum value: -1", w);
  expect_error([&] { optim::RMSprop({p}, optim::RMSpropOptions().weight_decay(-1)); },
               "Invalid weight_decay value: -1", w);
  expect_error([&] { optim::RMSprop({p}, optim::RMSpropOptions().alpha(-0.5)); }, "Invalid alpha value: -0.5", w);
  expect_error([&] { optim::Adagrad({p}, optim::AdagradOptions(-1)); }, "Invalid learning rate: -1", w);
  expect_error([&] { optim::Adagrad({p}, optim::AdagradOptions().lr_decay(-1)); }, "Invalid lr_decay value: -1", w);
  expect_error([&] { optim::Adagrad({p}, optim::AdagradOptions().weight_decay(-1)); },
               "Invalid weight_decay value: -1", w);
  expect_error([&] { optim::Adagrad({p}, optim::AdagradOptions().initial_accumulator_value(-1)); },
               "Invalid initial_accumulator_value value: -1", w);
  expect_error([&] { optim::Adagrad({p}, optim::AdagradOptions().eps(-1)); }, "Invalid epsilon value: -1", w);
}

TEST(OptimBadInput, ParameterGroups) {
  auto p = param(), q = param();
  std::vector<torch::Tensor> w{p, q, p.grad(), q.grad()};
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  expect_error([&] { opt.add_param_group(optim::OptimizerParamGroup({q, p})); },
               "some parameters appear in more than one parameter group", w);
  EXPECT_EQ(opt.param_groups().size(), 1u);
  expect_error(
      [&] {
        optim::Adam({optim::OptimizerParamGroup({p}), optim::OptimizerParamGroup({p})}, optim::AdamOptions(0.1));
      },
      "some parameters appear in more than one parameter group", w);
  expect_error([&] { opt.add_param_group(optim::OptimizerParamGroup({p * 2})); }, "can't optimize a non-leaf Tensor",
               w);
  EXPECT_EQ(opt.param_groups().size(), 1u);
  expect_error([&] { opt.add_param_group(optim::OptimizerParamGroup({q}, std::make_unique<optim::AdamOptions>())); },
               "parameter group options are of a different type than the optimizer's defaults", w);
  EXPECT_EQ(opt.param_groups().size(), 1u);
  expect_error([&] { optim::LBFGS({optim::OptimizerParamGroup({p}), optim::OptimizerParamGroup({q})}); },
               "LBFGS doesn't support per-parameter options (parameter groups)", w);
}

TEST(OptimBadInput, LBFGSStep) {
  auto p = param();
  std::vector<torch::Tensor> w{p, p.grad()};
  optim::LBFGS opt({p});
  expect_error([&] { opt.step(nullptr); }, "LBFGS requires a closure function", w);
  EXPECT_TRUE(opt.state().empty());
  int calls = 0;
  auto closure = [&] {
    ++calls;
    return (p * p).sum();
  };
  optim::LBFGS bad_search({p}, optim::LBFGSOptions().line_search_fn("backtracking"));
  expect_error([&] { bad_search.step(closure); }, "only 'strong_wolfe' is supported", w);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(bad_search.state().empty());
}

TEST(SchedulerBadInput, Arguments) {
  auto p = param();
  optim::SGD opt({p}, optim::SGDOptions(0.1).momentum(0.9));
  std::vector<torch::Tensor> w{p, p.grad()};
  auto unchanged = [&] {
    EXPECT_EQ(lrs_of(opt), (std::vector<double>{0.1}));
    EXPECT_EQ(static_cast<const optim::SGDOptions&>(opt.param_groups()[0].options()).momentum(), 0.9);
  };
  using optim::OneCycleLROptions;
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0)); },
               "You must define either total_steps OR (epochs AND steps_per_epoch)", w);
  unchanged();
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).total_steps(0)); },
               "Expected positive integer total_steps, but got 0", w);
  unchanged();
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).epochs(-2).steps_per_epoch(3)); },
               "Expected positive integer epochs, but got -2", w);
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).epochs(2)); },
               "Expected positive integer steps_per_epoch, but got None", w);
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).total_steps(10).pct_start(1.5)); },
               "Expected float between 0 and 1 pct_start, but got 1.5", w);
  unchanged();
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).total_steps(10).anneal_strategy("cosine")); },
               "anneal_strategy must by one of 'cos' or 'linear', instead got cosine", w);
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions({1.0, 2.0}).total_steps(10)); },
               "expected 1 values for max_lr, got 2", w);
  expect_error([&] { optim::OneCycleLR(opt, OneCycleLROptions(1.0).total_steps(10).max_momentum({0.9, 0.8})); },
               "expected 1 values for max_momentum, got 2", w);
  unchanged();
  optim::Adagrad adagrad({p});
  expect_error([&] { optim::OneCycleLR(adagrad, OneCycleLROptions(1.0).total_steps(10)); },
               "optimizer must support momentum with `cycle_momentum` option enabled", w);
  EXPECT_EQ(lrs_of(adagrad), (std::vector<double>{0.01}));

  expect_error([&] { optim::LinearLR(opt, 0.0); },
               "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.", w);
  expect_error([&] { optim::LinearLR(opt, 1.5); },
               "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.", w);
  expect_error([&] { optim::LinearLR(opt, 0.5, 1.2); }, "Ending multiplicative factor expected to be between 0 and 1.",
               w);
  unchanged();
  expect_error([&] { optim::StepLR(opt, 0); }, "StepLR: step_size must be positive, got 0", w);
  expect_error([&] { optim::CosineAnnealingLR(opt, 0); }, "CosineAnnealingLR: T_max must be positive, got 0", w);
  unchanged();

  expect_error([&] { optim::ReduceLROnPlateau(opt, "minimum"); }, "mode minimum is unknown!", w);
  expect_error([&] { optim::ReduceLROnPlateau(opt, "min", 0.1, 10, 1e-4, "relative"); },
               "threshold mode relative is unknown!", w);
  expect_error([&] { optim::ReduceLROnPlateau(opt, "max", 1.0); }, "Factor should be < 1.0.", w);
  expect_error([&] { optim::ReduceLROnPlateauScheduler(opt, optim::ReduceLROnPlateauScheduler::min, 2.0); },
               "Factor should be < 1.0.", w);
  expect_error([&] { optim::ReduceLROnPlateau(opt, "min", 0.1, 10, 1e-4, "rel", 0, {0.1, 0.2}); },
               "expected 1 min_lrs, got 2", w);
  unchanged();
}

TEST(SchedulerBadInput, SteppingPastTheEnd) {
  // OneCycleLR refuses a step past total_steps and leaves rate, momentum and its count as they were.
  auto p = param();
  optim::SGD opt({p}, optim::SGDOptions(0.1).momentum(0.9));
  optim::OneCycleLR sched(opt, optim::OneCycleLROptions(1.0).total_steps(3));
  for (int i = 0; i < 3; ++i) sched.step();
  const auto lrs = lrs_of(opt);
  const double momentum = static_cast<const optim::SGDOptions&>(opt.param_groups()[0].options()).momentum();
  for (int again = 0; again < 2; ++again) {
    expect_error([&] { sched.step(); }, "Tried to step 5 times. The specified number of total steps is 3", {p});
    EXPECT_EQ(lrs_of(opt), lrs);
    EXPECT_EQ(sched.get_last_lr(), lrs);
    EXPECT_EQ(static_cast<const optim::SGDOptions&>(opt.param_groups()[0].options()).momentum(), momentum);
  }
  // A parameter group added after the scheduler was made cannot be scheduled.
  auto q = param();
  optim::SGD opt2({p}, optim::SGDOptions(0.1));
  optim::ExponentialLR exp_sched(opt2, 0.5);
  opt2.add_param_group(optim::OptimizerParamGroup({q}));
  expect_error([&] { exp_sched.step(); }, "the optimizer has 2 parameter groups but had 1 when the scheduler was made",
               {p, q});
  EXPECT_EQ(lrs_of(opt2), (std::vector<double>{0.1, 0.1}));
}
