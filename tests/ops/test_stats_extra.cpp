// Factories, random sampling and statistics: the random ops held to their distributions
// (fixed seeds, so the checks are deterministic; each bound is about six standard errors of the
// estimate at the sample size used), reproducibility with a seeded generator, the LibTorch
// spellings and aliases, in-place forms, and bad input. Values of the deterministic ops are held
// to PyTorch in ops.json (op_table_stats.h).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "../expect_error.h"
#include "ember/ember.h"

namespace {

double mean_of(const torch::Tensor& t) { return t.to(torch::kDouble).mean().item<double>(); }
double var_of(const torch::Tensor& t) { return t.to(torch::kDouble).var().item<double>(); }
bool all_integers(const torch::Tensor& t) { return t.eq(t.floor()).all().item<bool>(); }

TEST(StatsRandom, ExponentialGeometricLogNormalCauchy) {
  torch::Generator gen(7);
  const int64_t n = 200000;
  // Exp(2): mean 0.5 (standard error 0.0011), variance 0.25 (0.0016).
  auto e = torch::empty({n}, torch::kDouble);
  torch::Tensor& same = e.exponential_(2.0, gen);
  EXPECT_EQ(&same, &e);
  EXPECT_GE(e.min().item<double>(), 0.0);
  EXPECT_NEAR(mean_of(e), 0.5, 0.007);
  EXPECT_NEAR(var_of(e), 0.25, 0.01);
  // Geometric(0.3) on {1, 2, ...}: mean 3.333 (0.0062), variance 7.778 (0.05).
  auto g = torch::empty({n}, torch::kFloat);
  g.geometric_(0.3, gen);
  EXPECT_GE(g.min().item<double>(), 1.0);
  EXPECT_TRUE(all_integers(g));
  EXPECT_NEAR(mean_of(g), 1 / 0.3, 0.04);
  EXPECT_NEAR(var_of(g), 0.7 / 0.09, 0.3);
  // geometric_ fills integer tensors too, as LibTorch's.
  auto gi = torch::empty({1000}, torch::kLong);
  gi.geometric_(0.5, gen);
  EXPECT_GE(gi.min().item<int64_t>(), 1);
  // log of LogNormal(0.5, 0.4): mean 0.5 (0.0009), std 0.4 (0.0006).
  auto l = torch::empty({n}, torch::kDouble);
  l.log_normal_(0.5, 0.4, gen);
  EXPECT_GT(l.min().item<double>(), 0.0);
  EXPECT_NEAR(mean_of(l.log()), 0.5, 0.006);
  EXPECT_NEAR(std::sqrt(var_of(l.log())), 0.4, 0.004);
  // Cauchy(1, 2): median 1 (0.007); half the mass within one scale of it (0.0011).
  auto c = torch::empty({n}, torch::kDouble);
  c.cauchy_(1.0, 2.0, gen);
  EXPECT_NEAR(c.median().item<double>(), 1.0, 0.045);
  EXPECT_NEAR(mean_of(c.gt(-1.0).logical_and(c.lt(3.0))), 0.5, 0.007);
  // Default arguments and the default generator.
  auto d = torch::empty({4});
  d.exponential_();
  d.cauchy_();
  d.log_normal_();
  EXPECT_TRUE(d.gt(0).all().item<bool>());
}

TEST(StatsRandom, PoissonAndBinomial) {
  torch::Generator gen(11);
  const int64_t n = 50000;
  auto rates = torch::tensor({0.5, 4.0, 30.0, 1000.0}, torch::kDouble);
  auto p = torch::poisson(rates.repeat({n, 1}), gen);
  EXPECT_TRUE(all_integers(p));
  EXPECT_GE(p.min().item<double>(), 0.0);
  // Standard errors of the means: 0.0032, 0.0089, 0.0245, 0.141; of the variances about 1% of them.
  const double mean_bound[] = {0.02, 0.06, 0.15, 0.9};
  for (int64_t j = 0; j < 4; ++j) {
    const double lam = rates[j].item<double>();
    EXPECT_NEAR(mean_of(p.select(1, j)), lam, mean_bound[j]) << "rate " << lam;
    EXPECT_NEAR(var_of(p.select(1, j)) / lam, 1.0, 0.04) << "rate " << lam;
  }
  EXPECT_EQ(torch::poisson(torch::zeros({3})).sum().item<double>(), 0.0);
  // Binomial(5, 0.3), (100, 0.7), (1000, 0.05): means 1.5, 70, 50; variances 1.05, 21, 47.5.
  auto count = torch::tensor({5.0, 100.0, 1000.0}).repeat({n, 1});
  auto prob = torch::tensor({0.3, 0.7, 0.05}).repeat({n, 1});
  auto b = torch::binomial(count, prob, gen);
  EXPECT_EQ(b.dtype(), torch::kFloat);
  EXPECT_TRUE(all_integers(b));
  EXPECT_TRUE(b.ge(0).all().item<bool>() && b.le(count).all().item<bool>());
  const double means[] = {1.5, 70, 50}, vars[] = {1.05, 21, 47.5}, bounds[] = {0.03, 0.13, 0.2};
  for (int64_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(mean_of(b.select(1, j)), means[j], bounds[j]) << j;
    EXPECT_NEAR(var_of(b.select(1, j)) / vars[j], 1.0, 0.04) << j;
  }
  // Certain outcomes, and broadcasting of count against prob.
  auto sure = torch::binomial(torch::tensor({7.0, 7.0}), torch::tensor({0.0, 1.0}));
  EXPECT_TRUE(sure.equal(torch::tensor({0.0f, 7.0f})));
  EXPECT_EQ(torch::binomial(torch::tensor({3.0, 4.0}), torch::tensor({0.5})).sizes().vec(), std::vector<int64_t>{2});
  // NaN parameters give NaN rather than looping.
  EXPECT_TRUE(std::isnan(torch::binomial(torch::tensor({3.0}), torch::tensor({NAN})).item<double>()));
}

TEST(StatsRandom, NormalOverloads) {
  torch::Generator gen(3);
  const int64_t n = 100000;
  auto mean = torch::tensor({1.0, -3.0}, torch::kDouble), std = torch::tensor({0.5, 2.0}, torch::kDouble);
  auto t = torch::normal(mean.repeat({n, 1}), std.repeat({n, 1}), gen);
  // Standard errors of the means 0.0016 and 0.0063, of the stds 0.0011 and 0.0045.
  EXPECT_NEAR(mean_of(t.select(1, 0)), 1.0, 0.01);
  EXPECT_NEAR(mean_of(t.select(1, 1)), -3.0, 0.04);
  EXPECT_NEAR(std::sqrt(var_of(t.select(1, 0))), 0.5, 0.007);
  EXPECT_NEAR(std::sqrt(var_of(t.select(1, 1))), 2.0, 0.027);
  auto a = torch::normal(torch::full({n}, 2.0), 3.0, gen);
  EXPECT_NEAR(mean_of(a), 2.0, 0.06);
  auto b = torch::normal(-1.0, torch::full({n}, 0.25), gen);
  EXPECT_NEAR(std::sqrt(var_of(b)), 0.25, 0.004);
  auto c = torch::normal(4.0, 0.5, {n}, gen, torch::kDouble);
  EXPECT_EQ(c.dtype(), torch::kDouble);
  EXPECT_NEAR(mean_of(c), 4.0, 0.005);
  EXPECT_EQ(torch::normal(0.0, 1.0, {2, 3}).dtype(), torch::kFloat);
  // mean and std broadcast.
  EXPECT_EQ(torch::normal(torch::zeros({2}), torch::ones({1, 2})).sizes().vec(), (std::vector<int64_t>{1, 2}));
  // The draws carry a zero gradient to their parameters, as PyTorch's.
  auto m = torch::zeros({3}, torch::requires_grad()), s = torch::ones({3}, torch::requires_grad());
  auto r = torch::normal(m, s);
  EXPECT_EQ(r.grad_fn()->name(), "NormalBackward3");
  r.sum().backward();
  EXPECT_TRUE(m.grad().equal(torch::zeros({3})));
  EXPECT_TRUE(s.grad().equal(torch::zeros({3})));
  EXPECT_EQ(torch::normal(m, 2.0).grad_fn()->name(), "NormalBackward1");
  EXPECT_EQ(torch::normal(1.0, s).grad_fn()->name(), "NormalBackward2");
  auto rate = torch::ones({2}, torch::requires_grad());
  EXPECT_EQ(torch::poisson(rate).grad_fn()->name(), "PoissonBackward0");
}

TEST(StatsRandom, MultinomialAndBernoulli) {
  torch::Generator gen(5);
  // With replacement: frequencies follow the normalized weights (standard error <= 0.0016).
  auto w = torch::tensor({0.2, 0.0, 1.2, 0.6});
  auto draws = torch::multinomial(w, 100000, true, gen);
  EXPECT_EQ(draws.dtype(), torch::kLong);
  EXPECT_EQ(draws.sizes().vec(), std::vector<int64_t>{100000});
  auto freq = torch::bincount(draws, std::nullopt, 4).to(torch::kDouble) / 100000.0;
  EXPECT_EQ(freq[1].item<double>(), 0.0);
  EXPECT_NEAR(freq[0].item<double>(), 0.1, 0.01);
  EXPECT_NEAR(freq[2].item<double>(), 0.6, 0.01);
  EXPECT_NEAR(freq[3].item<double>(), 0.3, 0.01);
  // Without replacement: distinct categories; the first pick follows the weights (0.0019), and a
  // zero-weight category comes only after every positive one.
  auto rows = torch::tensor({{1.0, 0.0, 2.0, 1.0}}).repeat({50000, 1});
  auto picks = rows.multinomial(4, false, gen);
  EXPECT_EQ(picks.sizes().vec(), (std::vector<int64_t>{50000, 4}));
  EXPECT_TRUE(picks.select(1, 3).eq(1).all().item<bool>());
  EXPECT_TRUE(std::get<0>(picks.sort(1)).equal(torch::arange(4).repeat({50000, 1})));
  auto first = torch::bincount(picks.select(1, 0), std::nullopt, 4).to(torch::kDouble) / 50000.0;
  EXPECT_NEAR(first[0].item<double>(), 0.25, 0.012);
  EXPECT_NEAR(first[2].item<double>(), 0.5, 0.012);
  EXPECT_TRUE(torch::multinomial(torch::ones({0, 3}), 2).sizes().vec() == (std::vector<int64_t>{0, 2}));
  // Bernoulli: probabilities per element (standard error 0.0013), a scalar p, in place.
  auto p = torch::tensor({0.2, 0.9}).repeat({100000, 1});
  auto bits = torch::bernoulli(p, gen);
  EXPECT_NEAR(mean_of(bits.select(1, 0)), 0.2, 0.008);
  EXPECT_NEAR(mean_of(bits.select(1, 1)), 0.9, 0.008);
  auto q = torch::empty({100000}, torch::kDouble).bernoulli(0.3, gen);
  EXPECT_EQ(q.dtype(), torch::kDouble);
  EXPECT_NEAR(mean_of(q), 0.3, 0.009);
  EXPECT_TRUE(p.bernoulli().lt(2).all().item<bool>());
  auto target = torch::full({3}, 7, torch::kLong);
  torch::Tensor& filled = target.bernoulli_(torch::tensor({0.0, 1.0, 1.0}));
  EXPECT_EQ(&filled, &target);
  EXPECT_TRUE(target.equal(torch::tensor({0, 1, 1})));
  auto half = torch::empty({100000});
  half.bernoulli_(0.5, gen);
  EXPECT_NEAR(mean_of(half), 0.5, 0.01);
}

TEST(StatsRandom, SeededGeneratorsReproduce) {
  auto draw = [](uint64_t seed) {
    torch::Generator gen(seed);
    std::vector<torch::Tensor> r;
    r.push_back(torch::poisson(torch::full({50}, 20.0), gen));
    r.push_back(torch::binomial(torch::full({50}, 40.0), torch::full({50}, 0.4), gen));
    r.push_back(torch::multinomial(torch::ones({10}), 5, false, gen));
    r.push_back(torch::multinomial(torch::ones({10}), 5, true, gen));
    r.push_back(torch::normal(torch::zeros({5}), 1.0, gen));
    r.push_back(torch::empty({5}).exponential_(1.0, gen));
    r.push_back(torch::randint(0, 100, {8}, gen));
    r.push_back(torch::randperm(20, gen));
    return r;
  };
  auto a = draw(42), b = draw(42), c = draw(43);
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i].equal(b[i])) << i;
    differ += !a[i].equal(c[i]);
  }
  EXPECT_GE(differ, 6);
  // randint/randperm with a generator: range, dtype, a permutation.
  torch::Generator gen(1);
  auto r = torch::randint(-3, 4, {1000}, gen, torch::kInt);
  EXPECT_EQ(r.dtype(), torch::kInt);
  EXPECT_EQ(r.min().item<int64_t>(), -3);
  EXPECT_EQ(r.max().item<int64_t>(), 3);
  EXPECT_TRUE(torch::randint(5, {10}, gen).lt(5).all().item<bool>());
  auto perm = torch::randperm(50, gen);
  EXPECT_TRUE(std::get<0>(perm.sort()).equal(torch::arange(50)));
}

TEST(StatsRandom, BadInput) {
  auto f = torch::ones({3}), l = torch::ones({3}, torch::kLong);
  expect_error([&] { f.exponential_(-1); }, "exponential_ expects lambda >= 0.0, but found lambda=-1", {f});
  expect_error([&] { f.geometric_(0); }, "geometric_ expects p to be in (0, 1), but got p=0", {f});
  expect_error([&] { f.geometric_(1); }, "geometric_ expects p to be in (0, 1), but got p=1", {f});
  expect_error([&] { f.log_normal_(1, 0); }, "log_normal_ expects std > 0.0, but found std=0", {f});
  expect_error([&] { l.exponential_(); }, "\"exponential_cpu\" not implemented for 'Long'", {l});
  expect_error([&] { l.cauchy_(); }, "\"cauchy_cpu\" not implemented for 'Long'", {l});
  expect_error([&] { l.log_normal_(); }, "\"log_normal_cpu\" not implemented for 'Long'", {l});
  expect_error([&] { torch::bernoulli(torch::tensor({1.5})); },
               "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  expect_error([&] { torch::bernoulli(torch::tensor({-0.5})); },
               "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  expect_error([&] { f.bernoulli(1.5); }, "bernoulli_ expects p to be in [0, 1], but got p=1.5", {f});
  expect_error([&] { f.bernoulli_(torch::tensor({2.0, 0.0, 0.0})); }, "Expected p_in >= 0 && p_in <= 1", {f});
  expect_error([&] { torch::multinomial(torch::tensor({1.0, 0.0, 0.0}), 4); },
               "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  expect_error([&] { torch::multinomial(torch::tensor({1.0, -1.0}), 1); },
               "probability tensor contains either `inf`, `nan` or element < 0");
  expect_error([&] { torch::multinomial(torch::tensor({1.0, NAN}), 1); },
               "probability tensor contains either `inf`, `nan` or element < 0");
  expect_error([&] { torch::multinomial(torch::tensor({0.0, 0.0}), 1); },
               "invalid multinomial distribution (sum of probabilities <= 0)");
  expect_error([&] { torch::multinomial(torch::ones({2, 2, 2}), 1); }, "prob_dist must be 1 or 2 dim");
  expect_error([&] { torch::multinomial(l, 1); }, "multinomial only supports floating-point dtypes for input, got: Long");
  expect_error([&] { torch::multinomial(f, 0); }, "cannot sample n_sample <= 0 samples");
  expect_error([&] { torch::poisson(torch::tensor({-1.0})); }, "invalid Poisson rate, expected rate to be non-negative");
  expect_error([&] { torch::poisson(torch::tensor({NAN})); }, "invalid Poisson rate, expected rate to be non-negative");
  expect_error([&] { torch::poisson(l); }, "\"poisson_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::binomial(l, f); }, "\"binomial_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::normal(f, -1.0); }, "normal expects std >= 0.0, but found std -1");
  expect_error([&] { torch::normal(0.0, torch::tensor({-1.0, 1.0})); }, "normal expects all elements of std >= 0.0");
  expect_error([&] { torch::normal(torch::zeros({2}), torch::ones({3})); },
               "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
  expect_error([&] { torch::normal(0.0, -1.0, {2}); }, "normal expects std >= 0.0, but found std -1");
  expect_error([&] { torch::normal(l, 1.0); }, "\"normal_kernel_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::randint(3, 3, {2}, std::nullopt); }, "random_ expects 'from' to be less than 'to'");
  auto leaf = torch::ones({2}, torch::requires_grad());
  expect_error([&] { leaf.exponential_(); }, "a leaf Variable that requires grad is being used in an in-place operation.");
  expect_error([&] { leaf.bernoulli_(0.5, std::nullopt); }, "a leaf Variable that requires grad");
}

TEST(StatsExtra, AliasesMethodsAndInPlace) {
  auto y = torch::tensor({{1.0, 3.0, 2.0, 5.0}, {0.5, -1.0, 4.0, 2.0}});
  auto x = torch::tensor({0.0, 1.0, 3.0, 4.0});
  EXPECT_TRUE(torch::trapz(y).equal(torch::trapezoid(y)));
  EXPECT_TRUE(torch::trapz(y, x).equal(torch::trapezoid(y, x)));
  EXPECT_TRUE(torch::trapz(y, 0.5, 0).equal(torch::trapezoid(y, 0.5, 0)));
  EXPECT_TRUE(y.msort().equal(std::get<0>(y.sort(0))));
  EXPECT_TRUE(y.diff().equal(torch::diff(y)));
  EXPECT_TRUE(y.logcumsumexp(1).equal(torch::logcumsumexp(y, 1)));
  EXPECT_TRUE(y.quantile(0.3, 1).equal(torch::quantile(y, 0.3, 1)));
  EXPECT_TRUE(y.cov().equal(torch::cov(y)));
  EXPECT_TRUE(y.corrcoef().equal(torch::corrcoef(y)));
  EXPECT_TRUE(y.dist(y * 2, 3).equal(torch::dist(y, y * 2, 3)));
  EXPECT_TRUE(y.histc(4).equal(torch::histc(y, 4)));
  EXPECT_TRUE(torch::bucketize(torch::tensor({1, 4, 9}), torch::tensor({1, 3, 5, 7}))
                  .equal(torch::searchsorted(torch::tensor({1, 3, 5, 7}), torch::tensor({1, 4, 9}))));
  EXPECT_EQ(torch::bucketize(3, torch::tensor({1, 2, 5})).item<int64_t>(), 2);
  EXPECT_EQ(torch::searchsorted(torch::tensor({1.0, 2.0, 5.0}), 2.5).dim(), 0);
  EXPECT_EQ(torch::searchsorted(torch::tensor({1.0, 2.0, 5.0}), 2.5).item<int64_t>(), 2);
  // histogram's hist equals histc's over the same range and bins; histogramdd of one column too.
  auto data = torch::tensor({0.3, 1.2, 1.9, 2.2, 2.2, 0.1, 3.0});
  auto [hist, edges] = data.histogram(3, std::vector<double>{0.0, 3.0});
  EXPECT_TRUE(hist.equal(data.histc(3, 0, 3)));
  EXPECT_TRUE(edges.allclose(torch::tensor({0.0, 1.0, 2.0, 3.0})));
  auto [hdd, edd] = torch::histogramdd(data.reshape({-1, 1}), std::vector<int64_t>{3},
                                       std::vector<double>{0.0, 3.0});
  EXPECT_TRUE(hdd.equal(hist));
  // A density integrates to one.
  auto pts = torch::tensor({{0.0, 1.0}, {0.5, 0.5}, {1.0, 2.0}, {0.25, 1.5}}, torch::kDouble);
  auto [dens, dedges] = torch::histogramdd(pts, 2, std::nullopt, std::nullopt, true);
  auto area = dedges[0].diff().unsqueeze(1) * dedges[1].diff().unsqueeze(0);
  EXPECT_NEAR((dens * area).sum().item<double>(), 1.0, 1e-12);
  auto tensor_bins = std::vector<torch::Tensor>{torch::tensor({0.0, 0.5, 1.0}, torch::kDouble),
                                                torch::tensor({0.0, 1.0, 2.0}, torch::kDouble)};
  auto [hb, eb] = torch::histogramdd(pts, tensor_bins);
  EXPECT_TRUE(hb.equal(torch::tensor({{0.0, 2.0}, {1.0, 1.0}}, torch::kDouble)));
  // renorm_ writes into the tensor and returns it; its gradient is renorm's.
  auto r = torch::tensor({{3.0, 4.0}, {0.3, 0.4}}, torch::kDouble);
  auto want = torch::renorm(r, 2, 0, 1.0);
  auto target = r.clone();
  torch::Tensor& out = target.renorm_(2, 0, 1.0);
  EXPECT_EQ(&out, &target);
  EXPECT_TRUE(target.equal(want));
  EXPECT_TRUE(target[1].equal(r[1]));
  auto leaf = r.clone().requires_grad_(true);
  auto leaf2 = r.clone().requires_grad_(true);
  auto inplace = leaf * 1;
  inplace.renorm_(2, 0, 1.0);
  inplace.pow(2).sum().backward();
  torch::renorm(leaf2, 2, 0, 1.0).pow(2).sum().backward();
  EXPECT_TRUE(leaf.grad().allclose(leaf2.grad()));
  expect_error([&] { leaf.renorm_(2, 0, 1.0); }, "a leaf Variable that requires grad", {leaf});
  // Bool diff is exclusive or, as LibTorch's.
  EXPECT_TRUE(torch::diff(torch::tensor({true, false, false, true})).equal(torch::tensor({true, false, true})));
}

TEST(StatsExtra, FactoryEdges) {
  EXPECT_EQ(torch::hann_window(0).numel(), 0);
  EXPECT_TRUE(torch::hamming_window(1).equal(torch::ones({1})));
  EXPECT_TRUE(torch::kaiser_window(5, torch::requires_grad()).requires_grad());
  EXPECT_EQ(torch::blackman_window(4, torch::kDouble).dtype(), torch::kDouble);
  EXPECT_TRUE(torch::logspace(0, 3, 4, 2.0, torch::kLong).equal(torch::tensor({1, 2, 4, 8})));
  EXPECT_EQ(torch::logspace(0, 1, 0).numel(), 0);
  EXPECT_TRUE(torch::range(0, 3, torch::kLong).equal(torch::tensor({0, 1, 2, 3})));
  EXPECT_TRUE(torch::range(3, 0, -1).equal(torch::tensor({3.0f, 2.0f, 1.0f, 0.0f})));
  auto s = torch::empty_strided({2, 3}, {1, 2});
  EXPECT_EQ(s.strides().vec(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s.sizes().vec(), (std::vector<int64_t>{2, 3}));
  s.fill_(1.0);
  EXPECT_EQ(s.sum().item<double>(), 6.0);
  EXPECT_EQ(torch::empty_strided({0, 3}, {3, 1}).numel(), 0);
  // Empty, 0-d and non-contiguous inputs.
  EXPECT_TRUE(torch::histc(torch::ones({0}), 4).equal(torch::zeros({4})));
  EXPECT_TRUE(torch::bincount(torch::ones({0}, torch::kLong), std::nullopt, 3).equal(torch::zeros({3}, torch::kLong)));
  EXPECT_TRUE(torch::searchsorted(torch::ones({0}), torch::tensor({1.0, 2.0})).equal(torch::zeros({2}, torch::kLong)));
  EXPECT_TRUE(torch::logcumsumexp(torch::tensor(2.5), 0).equal(torch::tensor(2.5)));
  auto big = torch::tensor({1000.0, 1000.0}, torch::kDouble).logcumsumexp(0);
  EXPECT_NEAR(big[1].item<double>(), 1000.0 + std::log(2.0), 1e-12);
  auto t = torch::arange(12, torch::kDouble).reshape({3, 4}).t();
  EXPECT_TRUE(t.quantile(0.3, 1).equal(t.contiguous().quantile(0.3, 1)));
  EXPECT_TRUE(torch::cov(t).allclose(torch::cov(t.contiguous())));
  EXPECT_TRUE(torch::diff(t, 1, 0).equal(torch::diff(t.contiguous(), 1, 0)));
  // cdist: the matrix-product path (past 25 rows) agrees with the direct one.
  auto a = torch::linspace(-2, 2, 90, torch::kDouble).reshape({30, 3}).sin();
  auto b = torch::linspace(-1, 3, 60, torch::kDouble).reshape({20, 3}).cos();
  EXPECT_TRUE(torch::cdist(a, b).allclose(torch::cdist(a, b, 2, 2), 1e-9, 1e-9));
  EXPECT_EQ(torch::cdist(torch::ones({2, 1, 3, 2}), torch::ones({3, 5, 2})).sizes().vec(),
            (std::vector<int64_t>{2, 3, 3, 5}));
  // gradient with evenly spaced coordinates equals a scalar spacing.
  auto g = torch::tensor({1.0, 4.0, 9.0, 16.0, 25.0}, torch::kDouble);
  auto coords = torch::tensor({0.0, 0.5, 1.0, 1.5, 2.0}, torch::kDouble);
  for (int64_t eo : {1, 2}) {
    auto by_coords = torch::gradient(g, torch::TensorList(&coords, 1), std::nullopt, eo)[0];
    auto by_step = torch::gradient(g, torch::Scalar(0.5), torch::IntArrayRef({0}), eo)[0];
    EXPECT_TRUE(by_coords.allclose(by_step, 1e-12, 1e-12)) << eo;
  }
  EXPECT_EQ(torch::gradient(torch::ones({3, 4}), torch::IntArrayRef({1})).size(), 1u);
  EXPECT_EQ(torch::vander(torch::tensor({1.0, 2.0}), 0).sizes().vec(), (std::vector<int64_t>{2, 0}));
}

TEST(StatsExtra, BadInput) {
  auto f = torch::ones({2, 3}), l = torch::tensor({1, 2});
  expect_error([&] { torch::bincount(torch::tensor({1, -1})); }, "bincount only supports 1-d non-negative integral inputs.");
  expect_error([&] { torch::bincount(torch::tensor({{1}})); }, "bincount only supports 1-d non-negative integral inputs.");
  expect_error([&] { torch::bincount(torch::tensor({1.0})); }, "\"bincount_cpu\" not implemented for 'Float'");
  expect_error([&] { torch::bincount(l, torch::tensor({1.0})); }, "weights should be 1-d and have the same length as input");
  expect_error([&] { torch::bincount(l, std::nullopt, -1); }, "minlength should be >= 0");
  expect_error([&] { torch::histc(l); }, "\"histogram_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::histc(f, 0); }, "torch.histogram(): bins must be > 0, but got 0 for dimension 0");
  expect_error([&] { torch::histc(f, 4, 3, 1); }, "torch.histc: max must be larger than min");
  expect_error([&] { torch::histc(torch::tensor({1.0, INFINITY}), 4); }, "torch.histc: range of [1, inf] is not finite");
  expect_error([&] { torch::histogram(f, 0); }, "torch.histogram(): bins must be > 0, but got 0 for dimension 0");
  expect_error([&] { torch::histogram(l, 2); }, "\"histogramdd\" not implemented for 'Long'");
  expect_error([&] { torch::histogram(f, 2, std::vector<double>{3.0, 1.0}); },
               "torch.histogramdd: min should not exceed max, but got min 3 max 1 for dimension 0");
  expect_error([&] { torch::histogram(f, 2, std::nullopt, torch::ones({2})); },
               "if weight tensor is provided it should have the same shape as the input tensor");
  expect_error([&] { torch::histogram(f, torch::ones({1, 2})); }, "bins tensor should have one dimension");
  expect_error([&] { torch::histogramdd(torch::ones({3}), std::vector<int64_t>{2}); },
               "torch.histogramdd: input tensor should have at least 2 dimensions");
  auto seq = torch::tensor({1, 2});
  expect_error([&] { torch::searchsorted(seq, torch::tensor({1}), false, true, "left"); },
               "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  expect_error([&] { torch::searchsorted(seq, torch::tensor({1}), false, false, "bad"); },
               "torch.searchsorted(): side can only be 'left' or 'right' but got bad");
  expect_error([&] { torch::searchsorted(torch::tensor({{1, 2}, {3, 4}}), torch::tensor({{1}, {2}, {3}})); },
               "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions");
  expect_error([&] { torch::searchsorted(seq, torch::tensor({1}), false, false, std::nullopt, torch::tensor({0})); },
               "torch.searchsorted(): boundary and sorter must have the same size");
  expect_error([&] { torch::searchsorted(seq, torch::tensor({1}), false, false, std::nullopt, torch::tensor({0, 5})); },
               "torch.searchsorted(): sorter index out of range");
  expect_error([&] { torch::bucketize(torch::tensor({1}), torch::tensor({{1, 2}})); },
               "boundaries tensor must be 1 dimension, but got dim(2)");
  expect_error([&] { torch::quantile(torch::tensor({1.0, 2.0}), 1.5); }, "quantile() q must be in the range [0, 1] but got 1.5");
  expect_error([&] { torch::quantile(l, 0.5); }, "quantile() input tensor must be either float or double dtype");
  expect_error([&] { torch::quantile(torch::ones({0}), 0.5); }, "quantile() input tensor must be non-empty");
  expect_error([&] { torch::quantile(torch::ones({2, 0}), 0.5, 1); }, "quantile() input tensor must be non-empty");
  expect_error([&] { torch::quantile(f, 0.5, std::nullopt, false, "foo"); },
               "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got foo");
  expect_error([&] { torch::quantile(f, torch::tensor({{0.5f}})); }, "quantile() q must be a scalar or 1D tensor");
  expect_error([&] { torch::quantile(f, torch::tensor({0.5}, torch::kDouble)); },
               "quantile() q tensor must be same dtype as the input tensor");
  expect_error([&] { torch::quantile(f, torch::tensor({-0.5f})); }, "quantile() q values must be in the range [0, 1]");
  expect_error([&] { torch::quantile(f, 0.5, 3); }, "Dimension out of range");
  expect_error([&] { torch::cov(torch::ones({2, 2, 2})); },
               "cov(): expected input to have two or fewer dimensions but got an input with 3 dimensions");
  expect_error([&] { torch::cov(f, 1, torch::tensor({1.0, 2.0, 3.0})); },
               "cov(): expected fweights to have integral dtype but got fweights with Float dtype");
  expect_error([&] { torch::cov(f, 1, torch::tensor({1, 2})); },
               "cov(): expected fweights to have the same numel as there are observations in the input but got 2 != 3");
  expect_error([&] { torch::cov(f, 1, torch::tensor({{1, 2, 1}})); },
               "cov(): expected fweights to have one or fewer dimensions but got fweights with 2 dimensions");
  expect_error([&] { torch::cov(f, 1, torch::tensor({1, -2, 1})); }, "cov(): fweights cannot be negative");
  expect_error([&] { torch::cov(f, 1, std::nullopt, torch::tensor({1, 2, 1})); },
               "cov(): expected aweights to have floating point dtype but got aweights with Long dtype");
  expect_error([&] { torch::cov(f, 1, std::nullopt, torch::tensor({1.0, -2.0, 1.0})); }, "cov(): aweights cannot be negative");
  expect_error([&] { torch::cov(torch::tensor({true, false})); }, "cov(): bool dtype is not supported for input");
  expect_error([&] { torch::corrcoef(torch::ones({2, 3, 1})); },
               "corrcoef(): expected input to have two or fewer dimensions but got an input with 3 dimensions");
  expect_error([&] { torch::dist(l, l); }, "norm(): input dtype should be either floating point or complex. Got Long instead.");
  expect_error([&] { torch::dist(torch::ones({2}), torch::ones({3})); },
               "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
  expect_error([&] { torch::cdist(torch::ones({2}), torch::ones({2})); }, "cdist only supports at least 2D tensors, X1 got: 1D");
  expect_error([&] { torch::cdist(f, torch::ones({2, 4})); }, "X1 and X2 must have the same number of columns. X1: 3 X2: 4");
  expect_error([&] { torch::cdist(f, f, -1); }, "cdist only supports non-negative p values");
  expect_error([&] { torch::cdist(torch::ones({2, 3}, torch::kLong), torch::ones({2, 3}, torch::kLong)); },
               "cdist only supports floating-point dtypes, X1 got: Long");
  expect_error([&] { torch::cdist(f, f, 2, 3); }, "possible modes: 0, 1, 2, but was: 3");
  expect_error([&] { torch::cdist(f, torch::ones({2, 3}, torch::kDouble)); }, "expected scalar type Float but found Double");
  expect_error([&] { torch::logcumsumexp(l, 0); }, "\"logcumsumexp_out_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::logcumsumexp(f, 2); }, "Dimension out of range");
  expect_error([&] { torch::diff(torch::tensor(1.0)); }, "diff expects input to be at least one-dimensional");
  expect_error([&] { torch::diff(f, 1, -1, torch::ones({2})); }, "diff expects prepend or append to be the same dimension as input");
  expect_error([&] { torch::diff(f, 1, 0, torch::ones({1, 2})); },
               "diff expects the shape of tensor to prepend or append to match that of input except along the "
               "differencing dimension; input.size(1) = 3, but got tensor.size(1) = 2");
  expect_error([&] { torch::trapezoid(torch::ones({3}), torch::ones({2})); },
               "trapezoid: There must be one `x` value for each sample point");
  expect_error([&] { torch::trapezoid(torch::tensor(1.0)); }, "Dimension specified as -1 but tensor has no dimensions");
  expect_error([&] { torch::renorm(f, -1, 0, 1); }, "renorm: non-positive-norm not supported");
  expect_error([&] { torch::renorm(f, 2, 0, -1); }, "renorm: expected maxnorm to be >= 0 but got -1");
  expect_error([&] { torch::renorm(torch::ones({2}), 2, 0, 1); }, "renorm: input needs at least 2 dimensions, got 1 dimensions");
  expect_error([&] { torch::vander(f); }, "x must be a one-dimensional tensor.");
  expect_error([&] { torch::vander(torch::ones({2}), -1); }, "N must be non-negative.");
  expect_error([&] { torch::gradient(torch::ones({1})); }, "torch.gradient expected each dimension size to be at least edge_order+1");
  expect_error([&] { torch::gradient(torch::ones({3}), std::nullopt, std::nullopt, 3); },
               "torch.gradient only supports edge_order=1 and edge_order=2.");
  std::vector<torch::Scalar> three{1.0, 2.0, 3.0};
  expect_error([&] { torch::gradient(torch::ones({3, 3}), torch::ArrayRef<torch::Scalar>(three)); },
               "torch.gradient expected spacing to be unspecified, a scalar or a list of length 2 but got a list of length 3");
  expect_error([&] { torch::logspace(0, 2, -1); }, "number of steps must be non-negative");
  expect_error([&] { torch::range(0, 3, 0); }, "step must be nonzero");
  expect_error([&] { torch::range(3, 0); }, "upper bound and lower bound inconsistent with step sign");
  expect_error([&] { torch::hann_window(-1); }, "hann_window requires non-negative window_length, got window_length=-1");
  expect_error([&] { torch::hann_window(3, torch::kLong); }, "hann_window expects floating point dtypes");
  expect_error([&] { torch::empty_strided({2, 3}, {1}); }, "dimensionality of sizes (2) must match dimensionality of strides (1)");
}

}  // namespace
