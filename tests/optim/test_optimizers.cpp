// Optimizers beyond the fixtures: the SGD/Adam checks moved from nn_tests, state_dict round trips,
// parameter groups, and LibTorch-style scheduler subclasses.
#include <sstream>

#include "optim/optim_test_util.h"

using namespace optim_test;
namespace optim = torch::optim;


TEST(Optim, SGDMatchesPyTorchAfterTenSteps) {
  struct Case {
    torch::optim::SGDOptions options;
    std::vector<double> want;
  };
  std::vector<Case> cases = {
      {torch::optim::SGDOptions(0.1), {-0.13112103958423857, 0.025455364254244387, 0.36236993208594898, -0.07599636575041635}},
      {torch::optim::SGDOptions(0.1).momentum(0.9),
       {0.03499161054902318, -0.51342363494950327, -0.89339013799965938, -0.93063207428761241}},
      {torch::optim::SGDOptions(0.1).momentum(0.9).dampening(0.1),
       {-0.061839165464611899, -0.58371433436330156, -0.93702175346961281, -0.51409538216543149}},
      {torch::optim::SGDOptions(0.05).weight_decay(0.01).momentum(0.5),
       {-0.1651066300343087, 0.071149902814347729, 0.35257371949657584, -0.031591975254923695}},
      {torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true),
       {0.01907748002249153, 0.061639186718620821, -0.4557000417538063, -0.062843247265523997}},
  };
  auto c = torch::tensor({{1.0, 2.0}, {0.5, 3.0}}, torch::kDouble);
  auto d = torch::tensor({{0.3, -0.2}, {0.1, 0.4}}, torch::kDouble);
  for (const auto& tc : cases) {
    auto w = torch::tensor({{0.5, -1.0}, {1.5, 2.0}}, torch::TensorOptions(torch::kDouble).requires_grad(true));
    torch::optim::SGD opt({w}, tc.options);
    for (int i = 0; i < 10; ++i) {
      opt.zero_grad();
      auto loss = (w * w * c).sum() + (w * d).sum() + w.sum().pow(2) * 0.1;
      loss.backward();
      opt.step();
    }
    auto got = flat(w);
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(got[i], tc.want[i], 1e-12 + 1e-5 * std::abs(tc.want[i]));
  }
}

TEST(Optim, AdamAndAdamWMatchPyTorchAfterTenSteps) {
  using torch::optim::AdamOptions;
  using torch::optim::AdamWOptions;
  auto c = torch::tensor({{1.0, 2.0}, {0.5, 3.0}}, torch::kDouble);
  auto d = torch::tensor({{0.3, -0.2}, {0.1, 0.4}}, torch::kDouble);
  auto run = [&](auto make_optimizer, const std::vector<double>& want) {
    auto w = torch::tensor({{0.5, -1.0}, {1.5, 2.0}}, torch::TensorOptions(torch::kDouble).requires_grad(true));
    auto opt = make_optimizer(w);
    for (int i = 0; i < 10; ++i) {
      opt.zero_grad();
      ((w * w * c).sum() + (w * d).sum() + w.sum().pow(2) * 0.1).backward();
      opt.step();
    }
    auto got = flat(w);
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 + 1e-6 * std::abs(want[i])) << i;
  };
  using torch::optim::Adam;
  using torch::optim::AdamW;
  run([](torch::Tensor w) { return Adam({w}, AdamOptions(0.1)); },
      {-0.37910144094646891, -0.076081107842160309, 0.53517012627277927, 1.0240215417737462});
  run([](torch::Tensor w) {
        return Adam({w}, AdamOptions(0.05).betas(std::make_tuple(0.8, 0.9)).eps(1e-6).weight_decay(0.1));
      },
      {0.019300020398227459, -0.51309736486815449, 1.0070691273347145, 1.5051102733298156});
  run([](torch::Tensor w) { return Adam({w}, AdamOptions(0.1).amsgrad(true)); },
      {-0.37908005444575188, -0.076081111813306346, 0.53517012221492177, 1.0240215412137248});
  run([](torch::Tensor w) { return AdamW({w}, AdamWOptions(0.1)); },
      {-0.37881086775713496, -0.071442538332440228, 0.52533423907246179, 1.0091350869349724});
  run([](torch::Tensor w) { return AdamW({w}, AdamWOptions(0.1).weight_decay(0.5).amsgrad(true)); },
      {-0.34846839702427501, 0.087790628965880357, 0.16228581559420896, 0.44745253627380754});
  auto p = torch::ones({1}, torch::requires_grad());
  EXPECT_THROW(Adam({p}, AdamOptions(0.1).betas(std::make_tuple(1.0, 0.999))), c10::Error);
  EXPECT_THROW(Adam({p}, AdamOptions(-1)), c10::Error);
  EXPECT_THROW(AdamW({p}, AdamWOptions(0.1).eps(-1)), c10::Error);
}


namespace {

bool is_lbfgs(const optim::Optimizer& opt) { return dynamic_cast<const optim::LBFGS*>(&opt) != nullptr; }

void run_steps(optim::Optimizer& opt, Problem& p, int n) {
  for (int i = 0; i < n; ++i) {
    auto closure = [&] {
      opt.zero_grad();
      auto l = p.loss();
      l.backward();
      return l;
    };
    if (is_lbfgs(opt)) {
      opt.step(closure);
    } else {
      closure();
      opt.step();
    }
  }
}

// Each optimizer with options that give it every kind of state; `lr` differs between the saved and
// the reloaded optimizer so that loading the options is checked too.
std::unique_ptr<optim::Optimizer> make(const std::string& kind, Problem& p, double lr) {
  std::vector<torch::Tensor> params{p.w, p.b};
  if (kind == "SGD") return std::make_unique<optim::SGD>(params, optim::SGDOptions(lr).momentum(0.9).nesterov(true));
  if (kind == "Adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions(lr).amsgrad(true));
  if (kind == "AdamW") return std::make_unique<optim::AdamW>(params, optim::AdamWOptions(lr).weight_decay(0.1));
  if (kind == "RMSprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(lr).momentum(0.5).centered(true));
  if (kind == "Adagrad") return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions(lr).lr_decay(0.1));
  return std::make_unique<optim::LBFGS>(
      params, optim::LBFGSOptions(lr * 10).max_iter(4).history_size(3).line_search_fn("strong_wolfe"));
}

}  // namespace

TEST(OptimStateDict, ReloadedOptimizerContinuesWithIdenticalSteps) {
  for (std::string kind : {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS"}) {
    Problem p1;
    auto a = make(kind, p1, 0.05);
    run_steps(*a, p1, 3);
    const auto saved = a->state_dict();
    const auto w_at = p1.w.detach().clone(), b_at = p1.b.detach().clone();
    // The original moves on; the dict is a snapshot and must not move with it.
    run_steps(*a, p1, 3);
    for (int again = 0; again < 2; ++again) {
      Problem q;
      {
        torch::NoGradGuard no_grad;
        q.w.copy_(w_at);
        q.b.copy_(b_at);
      }
      auto b = make(kind, q, 0.01);
      b->load_state_dict(saved);
      EXPECT_EQ(lrs_of(*b), lrs_of(*a)) << kind;
      run_steps(*b, q, 3);
      EXPECT_EQ(flat(q.w), flat(p1.w)) << kind;
      EXPECT_EQ(flat(q.b), flat(p1.b)) << kind;
    }
  }
}

TEST(OptimStateDict, LaidOutAsPyTorch) {
  Problem p;
  auto extra = torch::ones({2}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  optim::SGD opt({p.w, p.b}, optim::SGDOptions(0.1).momentum(0.9));
  opt.add_param_group(optim::OptimizerParamGroup({extra}, std::make_unique<optim::SGDOptions>(0.5)));
  run_steps(opt, p, 1);
  auto sd = opt.state_dict();
  ASSERT_EQ(sd.param_groups.size(), 2u);
  EXPECT_EQ(sd.param_groups[0].params, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(sd.param_groups[1].params, (std::vector<int64_t>{2}));
  const auto& o = sd.param_groups[0].options;
  EXPECT_EQ(std::get<double>(o.at("lr")), 0.1);
  EXPECT_EQ(std::get<double>(o.at("momentum")), 0.9);
  EXPECT_EQ(std::get<bool>(o.at("nesterov")), false);
  EXPECT_EQ(std::get<double>(sd.param_groups[1].options.at("lr")), 0.5);
  // extra had no gradient: no state for it.
  ASSERT_EQ(sd.state.size(), 2u);
  const auto& buf = std::get<torch::Tensor>(sd.state.at(0).at("momentum_buffer"));
  EXPECT_EQ(buf.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(buf.equal(p.w.grad()));  // the first momentum buffer is the gradient itself

  optim::Adam adam({p.w, p.b}, optim::AdamOptions(0.1).betas(std::make_tuple(0.8, 0.9)));
  run_steps(adam, p, 2);
  auto ad = adam.state_dict();
  EXPECT_EQ(std::get<std::vector<double>>(ad.param_groups[0].options.at("betas")), (std::vector<double>{0.8, 0.9}));
  EXPECT_EQ(std::get<int64_t>(ad.state.at(1).at("step")), 2);
  EXPECT_EQ(ad.state.at(1).count("max_exp_avg_sq"), 0u);  // no amsgrad: no such tensor
}

TEST(OptimStateDict, MismatchedDictIsRejectedAndChangesNothing) {
  Problem p;
  optim::Adam opt({p.w, p.b}, optim::AdamOptions(0.1));
  run_steps(opt, p, 2);
  const auto before = opt.state_dict();
  auto exp_avg = std::get<torch::Tensor>(before.state.at(0).at("exp_avg"));
  auto check_unchanged = [&] {
    auto now = opt.state_dict();
    EXPECT_EQ(std::get<double>(now.param_groups[0].options.at("lr")), 0.1);
    EXPECT_TRUE(std::get<torch::Tensor>(now.state.at(0).at("exp_avg")).equal(exp_avg));
    EXPECT_EQ(std::get<int64_t>(now.state.at(0).at("step")), 2);
  };

  Problem q;
  optim::Adam two_groups({q.w}, optim::AdamOptions(0.3));
  two_groups.add_param_group(optim::OptimizerParamGroup({q.b}));
  expect_error([&] { opt.load_state_dict(two_groups.state_dict()); },
               "loaded state dict has a different number of parameter groups");
  check_unchanged();

  optim::Adam one_param({q.w}, optim::AdamOptions(0.3));
  expect_error([&] { opt.load_state_dict(one_param.state_dict()); },
               "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
  check_unchanged();

  auto bad = before;
  bad.param_groups[0].options["lr"] = 0.5;
  bad.state.at(1)["exp_avg"] = torch::zeros({7}, torch::kDouble);  // b has shape [3]
  expect_error([&] { opt.load_state_dict(bad); }, "loaded state dict entry 'exp_avg' has shape [7]");
  check_unchanged();

  bad = before;
  bad.param_groups[0].options["lr"] = 0.5;
  bad.param_groups[0].options.erase("eps");
  expect_error([&] { opt.load_state_dict(bad); }, "loaded state dict has no entry 'eps'");
  check_unchanged();

  // An SGD dict does not fit Adam's options.
  optim::SGD sgd({q.w, q.b}, optim::SGDOptions(0.2));
  expect_error([&] { opt.load_state_dict(sgd.state_dict()); }, "loaded state dict has no entry 'betas'");
  check_unchanged();
}

TEST(OptimParamGroups, SecondGroupWithItsOwnLearningRate) {
  Problem p, q;
  // Two groups (w at lr 0.1, b at lr 0.4) step each parameter as two separate optimizers would.
  optim::SGD grouped({p.w}, optim::SGDOptions(0.1).momentum(0.9));
  grouped.add_param_group(
      optim::OptimizerParamGroup({p.b}, std::make_unique<optim::SGDOptions>(optim::SGDOptions(0.4))));
  EXPECT_EQ(lrs_of(grouped), (std::vector<double>{0.1, 0.4}));
  EXPECT_EQ(grouped.size(), 2u);
  optim::SGD only_w({q.w}, optim::SGDOptions(0.1).momentum(0.9));
  optim::SGD only_b({q.b}, optim::SGDOptions(0.4));
  for (int i = 0; i < 3; ++i) {
    grouped.zero_grad();
    p.loss().backward();
    grouped.step();
    only_w.zero_grad();
    only_b.zero_grad();
    q.loss().backward();
    only_w.step();
    only_b.step();
  }
  EXPECT_EQ(flat(p.w), flat(q.w));
  EXPECT_EQ(flat(p.b), flat(q.b));
  // A group without options takes a copy of the defaults.
  auto extra = torch::ones({1}, torch::requires_grad());
  grouped.add_param_group(optim::OptimizerParamGroup({extra}));
  EXPECT_EQ(lrs_of(grouped), (std::vector<double>{0.1, 0.4, 0.1}));
}

TEST(OptimParamGroups, AdagradStateForALaterGroup) {
  // Adagrad creates its sums at construction; a group added later gets them on first use.
  Problem p;
  optim::Adagrad opt({p.w}, optim::AdagradOptions(0.1).initial_accumulator_value(0.5));
  opt.add_param_group(optim::OptimizerParamGroup({p.b}));
  EXPECT_EQ(opt.state_dict().state.size(), 1u);
  run_steps(opt, p, 1);
  auto sd = opt.state_dict();
  ASSERT_EQ(sd.state.size(), 2u);
  const auto& g = p.b.grad();
  EXPECT_TRUE(std::get<torch::Tensor>(sd.state.at(1).at("sum")).allclose(g * g + 0.5, 1e-15, 0));
}

// A scheduler written for LibTorch: overrides get_lrs() and reads step_count_, which starts at 0
// because the base constructor does not step.
class HalveEveryOtherStep : public optim::LRScheduler {
 public:
  explicit HalveEveryOtherStep(optim::Optimizer& o) : LRScheduler(o) {}

 private:
  std::vector<double> get_lrs() override {
    auto lrs = get_current_lrs();
    if (step_count_ % 2 == 1)
      for (double& lr : lrs) lr /= 2;
    return lrs;
  }
};

TEST(Schedulers, LibTorchStyleSubclass) {
  auto w = torch::zeros({1}, torch::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  HalveEveryOtherStep sched(opt);
  EXPECT_EQ(sched.get_last_lr(), (std::vector<double>{1.0}));
  std::vector<double> seen;
  for (int i = 0; i < 4; ++i) {
    sched.step();
    seen.push_back(sched.get_last_lr()[0]);
  }
  EXPECT_EQ(seen, (std::vector<double>{1.0, 0.5, 0.5, 0.25}));
  EXPECT_EQ(lrs_of(opt), (std::vector<double>{0.25}));
}

TEST(Schedulers, StepLRCountsEpochsAsPyTorch) {
  // PyTorch: after k step() calls the rate is lr * gamma^(k / step_size) (LibTorch 1.13 lags one).
  auto w = torch::zeros({1}, torch::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  optim::StepLR sched(opt, 2, 0.5);
  std::vector<double> seen{sched.get_last_lr()[0]};
  for (int i = 0; i < 5; ++i) {
    sched.step();
    seen.push_back(lrs_of(opt)[0]);
  }
  EXPECT_EQ(seen, (std::vector<double>{1.0, 1.0, 0.5, 0.5, 0.25, 0.25}));
}

TEST(Schedulers, ReduceLROnPlateauEnumSignatureAndVerbose) {
  auto w = torch::zeros({1}, torch::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  optim::ReduceLROnPlateauScheduler sched(opt, optim::ReduceLROnPlateauScheduler::max, 0.5, 0, 1e-4,
                                          optim::ReduceLROnPlateauScheduler::abs, 0, {}, 1e-8, true);
  testing::internal::CaptureStdout();
  sched.step(1.0);
  sched.step(1.0);  // not better by more than 1e-4: with patience 0 the rate halves
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "Epoch 00002: reducing learning rate of group 0 to 5.0000e-01.\n");
  EXPECT_EQ(sched.get_last_lr(), (std::vector<double>{0.5}));
}

// LibTorch code reads and writes per-parameter state through state(), keyed by the TensorImpl's
// address as a string, with TORCH_ARG-style getters and setters on the state structs.
TEST(OptimState, LibTorchStyleAccessAndSetters) {
  auto w = torch::tensor({1.0, -2.0}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  torch::optim::Adam adam({w}, torch::optim::AdamOptions(0.1));
  (w * w).sum().backward();
  adam.step();
  std::ostringstream key;
  key << static_cast<const void*>(w.unsafeGetTensorImpl());
  auto& state = static_cast<torch::optim::AdamParamState&>(*adam.state().at(key.str()));
  EXPECT_EQ(state.step(), 1);
  state.step(0).exp_avg(torch::zeros_like(w)).exp_avg_sq(torch::zeros_like(w));
  // Reset state makes the next step a first step again: w moves by lr * sign(grad).
  auto before = w.detach().clone();
  adam.zero_grad();
  (w * w).sum().backward();
  adam.step();
  EXPECT_EQ(state.step(), 1);
  EXPECT_TRUE(torch::allclose(w.detach(), before - 0.1 * torch::sign(before), 1e-12, 1e-9));
}
