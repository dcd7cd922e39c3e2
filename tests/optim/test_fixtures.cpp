// Every optimizer and option set, and every scheduler, replayed against PyTorch 1.13's numbers
// (tests/fixtures/optim.json).
#include <set>

#include "optim/optim_test_util.h"

using namespace optim_test;
namespace optim = torch::optim;

namespace {

// Reads the keys of `o`, failing the test on any key the option type does not know.
struct Keys {
  const json& o;
  std::set<std::string> known;
  bool has(const std::string& k) {
    known.insert(k);
    return o.contains(k);
  }
  double num(const std::string& k) { return o.at(k).get<double>(); }
  const json& req(const std::string& key) {
    known.insert(key);
    return o.at(key);
  }
  ~Keys() {
    for (const auto& [k, v] : o.items()) EXPECT_TRUE(known.count(k)) << "option " << k << " not replayed";
  }
};

optim::SGDOptions sgd_options(const json& o) {
  Keys k{o, {}};
  optim::SGDOptions r(k.has("lr") ? k.num("lr") : 0.1);
  if (k.has("momentum")) r.momentum(k.num("momentum"));
  if (k.has("dampening")) r.dampening(k.num("dampening"));
  if (k.has("weight_decay")) r.weight_decay(k.num("weight_decay"));
  if (k.has("nesterov")) r.nesterov(o["nesterov"].get<bool>());
  return r;
}
template <typename Options>
Options adam_options(const json& o) {
  Keys k{o, {}};
  Options r;
  if (k.has("lr")) r.lr(k.num("lr"));
  if (k.has("betas")) r.betas(std::make_tuple(o["betas"][0].get<double>(), o["betas"][1].get<double>()));
  if (k.has("eps")) r.eps(k.num("eps"));
  if (k.has("weight_decay")) r.weight_decay(k.num("weight_decay"));
  if (k.has("amsgrad")) r.amsgrad(o["amsgrad"].get<bool>());
  return r;
}
optim::RMSpropOptions rmsprop_options(const json& o) {
  Keys k{o, {}};
  optim::RMSpropOptions r;
  if (k.has("lr")) r.lr(k.num("lr"));
  if (k.has("alpha")) r.alpha(k.num("alpha"));
  if (k.has("eps")) r.eps(k.num("eps"));
  if (k.has("weight_decay")) r.weight_decay(k.num("weight_decay"));
  if (k.has("momentum")) r.momentum(k.num("momentum"));
  if (k.has("centered")) r.centered(o["centered"].get<bool>());
  return r;
}
optim::AdagradOptions adagrad_options(const json& o) {
  Keys k{o, {}};
  optim::AdagradOptions r;
  if (k.has("lr")) r.lr(k.num("lr"));
  if (k.has("lr_decay")) r.lr_decay(k.num("lr_decay"));
  if (k.has("weight_decay")) r.weight_decay(k.num("weight_decay"));
  if (k.has("initial_accumulator_value")) r.initial_accumulator_value(k.num("initial_accumulator_value"));
  if (k.has("eps")) r.eps(k.num("eps"));
  return r;
}
optim::LBFGSOptions lbfgs_options(const json& o) {
  Keys k{o, {}};
  optim::LBFGSOptions r;
  if (k.has("lr")) r.lr(k.num("lr"));
  if (k.has("max_iter")) r.max_iter(o["max_iter"].get<int64_t>());
  if (k.has("max_eval")) r.max_eval(o["max_eval"].get<int64_t>());
  if (k.has("tolerance_grad")) r.tolerance_grad(k.num("tolerance_grad"));
  if (k.has("tolerance_change")) r.tolerance_change(k.num("tolerance_change"));
  if (k.has("history_size")) r.history_size(o["history_size"].get<int64_t>());
  if (k.has("line_search_fn")) r.line_search_fn(o["line_search_fn"].get<std::string>());
  return r;
}

// The optimizer a case describes: one group = options as defaults over {w, b}; several = groups.
template <typename Opt, typename Options>
std::unique_ptr<optim::Optimizer> build(const json& groups, Problem& p, Options (*parse)(const json&)) {
  if (groups.size() == 1) return std::make_unique<Opt>(std::vector<torch::Tensor>{p.w, p.b}, parse(groups[0]["options"]));
  std::vector<optim::OptimizerParamGroup> gs;
  for (const auto& g : groups) {
    std::vector<torch::Tensor> params;
    for (const auto& name : g["params"]) params.push_back(name == "w" ? p.w : p.b);
    gs.emplace_back(params, std::make_unique<Options>(parse(g["options"])));
  }
  return std::make_unique<Opt>(gs, parse(groups[0]["options"]));
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, const json& groups, Problem& p) {
  if (name == "SGD") return build<optim::SGD>(groups, p, sgd_options);
  if (name == "Adam") return build<optim::Adam>(groups, p, adam_options<optim::AdamOptions>);
  if (name == "AdamW") return build<optim::AdamW>(groups, p, adam_options<optim::AdamWOptions>);
  if (name == "RMSprop") return build<optim::RMSprop>(groups, p, rmsprop_options);
  if (name == "Adagrad") return build<optim::Adagrad>(groups, p, adagrad_options);
  if (name == "LBFGS") return build<optim::LBFGS>(groups, p, lbfgs_options);
  ADD_FAILURE() << "unknown optimizer " << name;
  return nullptr;
}

std::string gtest_name(const json& c) { return c["name"].get<std::string>(); }

class OptimizerFixture : public ::testing::TestWithParam<int> {};

TEST_P(OptimizerFixture, StepsMatchPyTorch) {
  const json& c = fixture()["optimizers"][GetParam()];
  const std::string name = c["name"], kind = c["optimizer"];
  Problem p;
  auto opt = make_optimizer(kind, c["groups"], p);
  ASSERT_TRUE(opt);
  const int steps = c["steps"];
  for (int s = 0; s < steps; ++s) {
    double loss;
    if (kind == "LBFGS") {
      loss = opt->step([&] {
                  opt->zero_grad();
                  auto l = p.loss();
                  l.backward();
                  return l;
                })
                 .item<double>();
    } else {
      opt->zero_grad();
      auto l = p.loss();
      l.backward();
      opt->step();
      loss = l.item<double>();
    }
    const std::string at = name + " step " + std::to_string(s + 1);
    EXPECT_NEAR(loss, c["losses"][s].get<double>(), 1e-5 * std::abs(c["losses"][s].get<double>())) << at;
    expect_all_close(flat(p.w), c["params"][s]["w"].get<std::vector<double>>(), 1e-5, at + " w");
    expect_all_close(flat(p.b), c["params"][s]["b"].get<std::vector<double>>(), 1e-5, at + " b");
  }
  if (kind == "LBFGS") {
    auto st = opt->state_dict().state.at(0);
    EXPECT_EQ(std::get<int64_t>(st.at("func_evals")), c["func_evals"].get<int64_t>()) << name;
    EXPECT_EQ(std::get<int64_t>(st.at("n_iter")), c["n_iter"].get<int64_t>()) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, OptimizerFixture,
                         ::testing::Range(0, static_cast<int>(fixture()["optimizers"].size())),
                         [](const auto& info) { return gtest_name(fixture()["optimizers"][info.param]); });

TEST(OptimizerFixtureCoverage, EveryOptimizerHasCases) {
  std::set<std::string> kinds;
  for (const auto& c : fixture()["optimizers"]) kinds.insert(c["optimizer"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS"}));
}

// ---- schedulers ----

std::vector<double> doubles(const json& v) {
  if (v.is_array()) return v.get<std::vector<double>>();
  return {v.get<double>()};
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const std::string& kind, const json& a, optim::Optimizer& opt) {
  Keys k{a, {}};
  if (kind == "StepLR")
    return std::make_unique<optim::StepLR>(opt, k.req("step_size").get<unsigned>(), k.has("gamma") ? k.num("gamma") : 0.1);
  if (kind == "MultiStepLR")
    return std::make_unique<optim::MultiStepLR>(opt, k.req("milestones").get<std::vector<int64_t>>(),
                                                k.has("gamma") ? k.num("gamma") : 0.1);
  if (kind == "ExponentialLR") return std::make_unique<optim::ExponentialLR>(opt, k.req("gamma").get<double>());
  if (kind == "CosineAnnealingLR")
    return std::make_unique<optim::CosineAnnealingLR>(opt, k.req("T_max").get<int64_t>(),
                                                      k.has("eta_min") ? k.num("eta_min") : 0.0);
  if (kind == "LinearLR")
    return std::make_unique<optim::LinearLR>(opt, k.has("start_factor") ? k.num("start_factor") : 1.0 / 3,
                                             k.has("end_factor") ? k.num("end_factor") : 1.0,
                                             k.has("total_iters") ? a["total_iters"].get<int64_t>() : 5);
  if (kind == "OneCycleLR") {
    optim::OneCycleLROptions o(doubles(k.req("max_lr")));
    if (k.has("total_steps")) o.total_steps(a["total_steps"].get<int64_t>());
    if (k.has("epochs")) o.epochs(a["epochs"].get<int64_t>());
    if (k.has("steps_per_epoch")) o.steps_per_epoch(a["steps_per_epoch"].get<int64_t>());
    if (k.has("pct_start")) o.pct_start(k.num("pct_start"));
    if (k.has("anneal_strategy")) o.anneal_strategy(a["anneal_strategy"].get<std::string>());
    if (k.has("cycle_momentum")) o.cycle_momentum(a["cycle_momentum"].get<bool>());
    if (k.has("base_momentum")) o.base_momentum(doubles(a["base_momentum"]));
    if (k.has("max_momentum")) o.max_momentum(doubles(a["max_momentum"]));
    if (k.has("div_factor")) o.div_factor(k.num("div_factor"));
    if (k.has("final_div_factor")) o.final_div_factor(k.num("final_div_factor"));
    if (k.has("three_phase")) o.three_phase(a["three_phase"].get<bool>());
    return std::make_unique<optim::OneCycleLR>(opt, o);
  }
  ADD_FAILURE() << "unknown scheduler " << kind;
  return nullptr;
}

std::unique_ptr<optim::ReduceLROnPlateau> make_plateau(const json& a, optim::Optimizer& opt) {
  Keys k{a, {}};
  return std::make_unique<optim::ReduceLROnPlateau>(
      opt, k.has("mode") ? a["mode"].get<std::string>() : "min", k.has("factor") ? k.num("factor") : 0.1,
      k.has("patience") ? a["patience"].get<int>() : 10, k.has("threshold") ? k.num("threshold") : 1e-4,
      k.has("threshold_mode") ? a["threshold_mode"].get<std::string>() : "rel",
      k.has("cooldown") ? a["cooldown"].get<int>() : 0,
      k.has("min_lr") ? doubles(a["min_lr"]) : std::vector<double>{}, k.has("eps") ? k.num("eps") : 1e-8);
}

std::vector<double> momentums(const optim::Optimizer& opt) {
  std::vector<double> out;
  for (const auto& g : opt.param_groups()) {
    if (auto* s = dynamic_cast<const optim::SGDOptions*>(&g.options())) out.push_back(s->momentum());
    else if (auto* r = dynamic_cast<const optim::RMSpropOptions*>(&g.options())) out.push_back(r->momentum());
    else if (auto* a = dynamic_cast<const optim::AdamOptions*>(&g.options())) out.push_back(std::get<0>(a->betas()));
  }
  return out;
}

class SchedulerFixture : public ::testing::TestWithParam<int> {};

TEST_P(SchedulerFixture, LearningRatesMatchPyTorch) {
  const json& c = fixture()["schedulers"][GetParam()];
  const std::string name = c["name"], kind = c["scheduler"], opt_kind = c["optimizer"];
  auto w = torch::zeros({2}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  auto b = torch::zeros({1}, torch::TensorOptions(torch::kDouble).requires_grad(true));
  const auto group_lrs = c["group_lrs"].get<std::vector<double>>();
  std::unique_ptr<optim::Optimizer> opt;
  if (opt_kind == "SGD") {
    opt = std::make_unique<optim::SGD>(
        std::vector<optim::OptimizerParamGroup>{
            {{w}, std::make_unique<optim::SGDOptions>(optim::SGDOptions(group_lrs[0]).momentum(0.9))},
            {{b}, std::make_unique<optim::SGDOptions>(optim::SGDOptions(group_lrs[1]).momentum(0.9))}},
        optim::SGDOptions(0.1).momentum(0.9));
  } else if (opt_kind == "Adam") {
    opt = std::make_unique<optim::Adam>(std::vector<optim::OptimizerParamGroup>{
        {{w}, std::make_unique<optim::AdamOptions>(group_lrs[0])},
        {{b}, std::make_unique<optim::AdamOptions>(group_lrs[1])}});
  } else {
    ASSERT_EQ(opt_kind, "RMSprop");
    opt = std::make_unique<optim::RMSprop>(std::vector<optim::OptimizerParamGroup>{
        {{w}, std::make_unique<optim::RMSpropOptions>(group_lrs[0])},
        {{b}, std::make_unique<optim::RMSpropOptions>(group_lrs[1])}});
  }
  const json& lrs = c["lrs"];
  const json& moms = c["momentums"];
  auto check = [&](size_t i, const std::vector<double>& last) {
    const std::string at = name + " after " + std::to_string(i) + " steps";
    expect_all_close(last, lrs[i].get<std::vector<double>>(), 1e-12, at + " get_last_lr");
    expect_all_close(lrs_of(*opt), lrs[i].get<std::vector<double>>(), 1e-12, at + " lr");
    expect_all_close(momentums(*opt), moms[i].get<std::vector<double>>(), 1e-12, at + " momentum");
  };
  if (kind == "ReduceLROnPlateau") {
    auto sched = make_plateau(c["args"], *opt);
    check(0, sched->get_last_lr());
    for (size_t i = 0; i < 30; ++i) {
      opt->step();
      sched->step(c["metrics"][i].get<double>());
      check(i + 1, sched->get_last_lr());
    }
  } else {
    auto sched = make_scheduler(kind, c["args"], *opt);
    ASSERT_TRUE(sched);
    check(0, sched->get_last_lr());
    for (size_t i = 0; i < 30; ++i) {
      opt->step();
      sched->step();
      check(i + 1, sched->get_last_lr());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, SchedulerFixture,
                         ::testing::Range(0, static_cast<int>(fixture()["schedulers"].size())),
                         [](const auto& info) { return gtest_name(fixture()["schedulers"][info.param]); });

}  // namespace
