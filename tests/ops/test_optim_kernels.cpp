// The fused optimizer updates (kernels/cpu/optim.h) against a scalar reference that writes each
// formula as PyTorch's vectorised tensor ops round it (checked against torch 1.13: a.add(c, alpha)
// is fma(c, alpha, a), addcmul fma(value * t1, t2, a), addcdiv a + (value * t1) / t2; each scalar
// cast once to the element type; on a target without FMA the multiply-adds round twice): equal
// to the bit, for float and double, on every instruction set
// compiled in, lengths 0..70 and 1000, at several offsets within a cache line, over three steps,
// with every option on and off. Then through the optimizers: a fused step and the tensor-op step
// (forced by a non-contiguous parameter) give the same parameters, and the version counter moves.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "ember/ember.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/optim.h"
#include "ops/simd_targets.h"

namespace {
namespace k = ember::kernels;

// Whether the target under test has FMA (Highway's MulAdd rounds once there).
bool g_fma = true;
template <typename T>
T madd(T a, T b, T c) {  // a * b + c as the kernel's MulAdd rounds it
  return g_fma ? std::fma(a, b, c) : a * b + c;
}

template <typename T>
void sgd_ref(const k::SgdStep& s, T* p, const T* g, T* buf, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T d = g[i];
    if (s.weight_decay != 0) d = madd(p[i], static_cast<T>(s.weight_decay), d);
    if (s.momentum != 0) {
      buf[i] = s.first ? d : madd(d, static_cast<T>(1 - s.dampening), buf[i] * static_cast<T>(s.momentum));
      d = s.nesterov ? madd(buf[i], static_cast<T>(s.momentum), d) : buf[i];
    }
    p[i] = madd(d, static_cast<T>(-s.lr), p[i]);
  }
}

template <typename T>
void adam_ref(const k::AdamStep& s, T* p, const T* g, T* m, T* v, T* vmax, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if (s.weight_decay != 0) {
      if (s.decoupled) p[i] = p[i] * static_cast<T>(1 - s.lr * s.weight_decay);
      else gi = madd(p[i], static_cast<T>(s.weight_decay), gi);
    }
    m[i] = madd(gi, static_cast<T>(1 - s.beta1), m[i] * static_cast<T>(s.beta1));
    v[i] = madd(static_cast<T>(1 - s.beta2) * gi, gi, v[i] * static_cast<T>(s.beta2));
    T sec = v[i];
    if (s.amsgrad) {
      if (std::isnan(v[i]) || v[i] > vmax[i]) vmax[i] = v[i];
      sec = vmax[i];
    }
    const T denom = std::sqrt(sec) / static_cast<T>(std::sqrt(s.bias_correction2)) + static_cast<T>(s.eps);
    p[i] = p[i] + (static_cast<T>(-s.lr / s.bias_correction1) * m[i]) / denom;
  }
}

template <typename T>
void rmsprop_ref(const k::RmspropStep& s, T* p, const T* g, T* sq, T* ga, T* buf, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if (s.weight_decay != 0) gi = madd(p[i], static_cast<T>(s.weight_decay), gi);
    sq[i] = madd(static_cast<T>(1 - s.alpha) * gi, gi, sq[i] * static_cast<T>(s.alpha));
    T avg = sq[i];
    if (s.centered) {
      ga[i] = madd(gi, static_cast<T>(1 - s.alpha), ga[i] * static_cast<T>(s.alpha));
      avg = madd(T(-1) * ga[i], ga[i], sq[i]);
    }
    avg = std::sqrt(avg) + static_cast<T>(s.eps);
    if (s.momentum > 0) {
      buf[i] = buf[i] * static_cast<T>(s.momentum) + (T(1) * gi) / avg;
      p[i] = madd(buf[i], static_cast<T>(-s.lr), p[i]);
    } else {
      p[i] = p[i] + (static_cast<T>(-s.lr) * gi) / avg;
    }
  }
}

template <typename T>
void adagrad_ref(const k::AdagradStep& s, T* p, const T* g, T* sum, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if (s.weight_decay != 0) gi = madd(p[i], static_cast<T>(s.weight_decay), gi);
    sum[i] = madd(T(1) * gi, gi, sum[i]);
    p[i] = p[i] + (static_cast<T>(-s.clr) * gi) / (std::sqrt(sum[i]) + static_cast<T>(s.eps));
  }
}

// `slots` tensors of n elements at `offset` within a larger buffer each, filled from gen; those from
// index positive_from on hold non-negative values.
template <typename T>
std::vector<torch::Tensor> make(int slots, int64_t n, int64_t offset, std::mt19937& gen, int positive_from) {
  std::vector<torch::Tensor> r;
  std::normal_distribution<double> dist(0.0, 1.0);
  const auto dt = sizeof(T) == 4 ? torch::kFloat : torch::kDouble;
  for (int i = 0; i < slots; ++i) {
    auto base = torch::empty({n + offset + 1}, dt);
    T* b = base.template data_ptr<T>();
    for (int64_t j = 0; j < n + offset + 1; ++j) {
      const double x = dist(gen);
      b[j] = static_cast<T>(i >= positive_from ? std::abs(x) : x);
    }
    r.push_back(base.narrow(0, offset, n));
  }
  return r;
}

std::vector<double> flat(const torch::Tensor& t) {
  auto d = t.to(torch::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Runs `fused` on tensors and `ref` on copies of their data for three steps, and compares all.
template <typename T>
void compare(int slots, int positive_from, const std::function<void(std::vector<torch::Tensor>&, int)>& fused,
             const std::function<void(std::vector<std::vector<T>>&, int64_t, int)>& ref, const std::string& what) {
  std::mt19937 gen(11);
  std::vector<int64_t> lengths;
  for (int64_t n = 0; n <= 70; ++n) lengths.push_back(n);
  lengths.push_back(1000);
  for (int64_t n : lengths)
    for (int64_t offset : {0, 1, 3, 15}) {
      auto ts = make<T>(slots, n, offset, gen, positive_from);
      std::vector<std::vector<T>> copy;
      for (auto& t : ts) copy.emplace_back(t.template data_ptr<T>(), t.template data_ptr<T>() + n);
      for (int step = 1; step <= 3; ++step) {
        fused(ts, step);
        ref(copy, n, step);
      }
      for (size_t i = 0; i < ts.size(); ++i)
        for (int64_t j = 0; j < n; ++j) {
          const T a = ts[i].template data_ptr<T>()[j], b = copy[i][static_cast<size_t>(j)];
          ASSERT_TRUE(a == b || (std::isnan(a) && std::isnan(b)))
              << what << " n=" << n << " offset=" << offset << " tensor " << i << " at " << j << ": " << a << " vs " << b;
        }
    }
}

template <typename F>
void on_every_target(const F& f) {
  for_each_target([&] {
    const std::string name = k::simd_target_name(k::simd_target_in_use());
    g_fma = name.find("AVX") != std::string::npos || name.find("NEON") != std::string::npos ||
            name.find("SVE") != std::string::npos;
    f();
  });
  g_fma = true;
}

template <typename T>
void all_optimizers() {
  // slots: p, g, then state.
  for (double wd : {0.0, 0.01})
    for (double mom : {0.0, 0.9})
      for (double damp : {0.0, 0.25})
        for (bool nesterov : {false, true}) {
          if (nesterov && (mom == 0 || damp != 0)) continue;
          k::SgdStep s;
          s.lr = 0.1, s.momentum = mom, s.dampening = damp, s.weight_decay = wd, s.nesterov = nesterov;
          compare<T>(
              3, 99,
              [&](std::vector<torch::Tensor>& t, int step) {
                k::SgdStep f = s;
                f.first = step == 1;
                ASSERT_TRUE(k::sgd_step(t[0], t[1], mom != 0 ? t[2] : torch::Tensor(), f));
              },
              [&](std::vector<std::vector<T>>& c, int64_t n, int step) {
                k::SgdStep f = s;
                f.first = step == 1;
                sgd_ref(f, c[0].data(), c[1].data(), c[2].data(), n);
              },
              "sgd");
        }
  for (bool decoupled : {false, true})
    for (bool amsgrad : {false, true})
      for (double wd : {0.0, 0.05}) {
        k::AdamStep s;
        s.lr = 0.01, s.beta1 = 0.9, s.beta2 = 0.999, s.eps = 1e-8, s.weight_decay = wd;
        s.decoupled = decoupled, s.amsgrad = amsgrad;
        auto with_step = [s](int step) {
          k::AdamStep f = s;
          f.bias_correction1 = 1 - std::pow(s.beta1, step);
          f.bias_correction2 = 1 - std::pow(s.beta2, step);
          return f;
        };
        compare<T>(
            5, 3,  // v and vmax start non-negative
            [&](std::vector<torch::Tensor>& t, int step) {
              ASSERT_TRUE(k::adam_step(t[0], t[1], t[2], t[3], amsgrad ? t[4] : torch::Tensor(), with_step(step)));
            },
            [&](std::vector<std::vector<T>>& c, int64_t n, int step) {
              adam_ref(with_step(step), c[0].data(), c[1].data(), c[2].data(), c[3].data(), c[4].data(), n);
            },
            "adam");
      }
  for (bool centered : {false, true})
    for (double mom : {0.0, 0.5})
      for (double wd : {0.0, 0.1}) {
        k::RmspropStep s;
        s.lr = 0.01, s.alpha = 0.99, s.eps = 1e-8, s.weight_decay = wd, s.momentum = mom, s.centered = centered;
        // Slot 2 (square_avg) non-negative; a centered square_avg below grad_avg^2 gives NaN in both.
        compare<T>(
            5, 2,
            [&](std::vector<torch::Tensor>& t, int) {
              ASSERT_TRUE(k::rmsprop_step(t[0], t[1], t[2], centered ? t[3] : torch::Tensor(),
                                          mom > 0 ? t[4] : torch::Tensor(), s));
            },
            [&](std::vector<std::vector<T>>& c, int64_t n, int) {
              rmsprop_ref(s, c[0].data(), c[1].data(), c[2].data(), c[3].data(), c[4].data(), n);
            },
            "rmsprop");
      }
  for (double wd : {0.0, 0.1}) {
    k::AdagradStep s;
    s.clr = 0.05, s.eps = 1e-10, s.weight_decay = wd;
    compare<T>(
        3, 2, [&](std::vector<torch::Tensor>& t, int) { ASSERT_TRUE(k::adagrad_step(t[0], t[1], t[2], s)); },
        [&](std::vector<std::vector<T>>& c, int64_t n, int) { adagrad_ref(s, c[0].data(), c[1].data(), c[2].data(), n); },
        "adagrad");
  }
}

TEST(FusedOptimizerSteps, FloatMatchesTheScalarFormulasBitForBit) { on_every_target([] { all_optimizers<float>(); }); }
TEST(FusedOptimizerSteps, DoubleMatchesTheScalarFormulasBitForBit) { on_every_target([] { all_optimizers<double>(); }); }

TEST(FusedOptimizerSteps, RefusesWhatItCannotFuse) {
  auto p = torch::zeros({4, 3});
  auto g = torch::ones({4, 3});
  k::SgdStep s;
  s.lr = 0.1;
  EXPECT_FALSE(k::sgd_step(p.t(), g.t(), torch::Tensor(), s));           // non-contiguous
  EXPECT_FALSE(k::sgd_step(p, g.to(torch::kDouble), torch::Tensor(), s));  // mixed dtypes
  EXPECT_FALSE(k::sgd_step(p.to(torch::kInt), g.to(torch::kInt), torch::Tensor(), s));
  s.momentum = 0.9;
  EXPECT_FALSE(k::sgd_step(p, g, torch::Tensor(), s));  // momentum without a buffer
  EXPECT_FALSE(k::sgd_step(p, g, torch::zeros({12}), s));  // buffer of another shape
}

// A fused optimizer step and the tensor-op path (a transposed, non-contiguous parameter) agree.
template <typename Opt, typename Options>
void fused_equals_unfused(const Options& options) {
  torch::manual_seed(5);
  auto w0 = torch::randn({6, 5});
  auto a = w0.clone().requires_grad_(true);
  auto b = w0.t().contiguous().t().requires_grad_(true);  // w0's values, column-major
  ASSERT_FALSE(b.is_contiguous());
  Opt oa({a}, options), ob({b}, options);
  for (int step = 0; step < 4; ++step) {
    auto x = torch::randn({5});
    for (auto* pair : {&oa, &ob}) pair->zero_grad();
    (a.mv(x).pow(2).sum()).backward();
    (b.mv(x).pow(2).sum()).backward();
    const auto va = a._version();
    oa.step();
    ob.step();
    EXPECT_GT(a._version(), va);
    const auto fa = flat(a), fb = flat(b.contiguous());
    for (size_t i = 0; i < fa.size(); ++i) ASSERT_NEAR(fa[i], fb[i], 2e-6 * (1 + std::abs(fb[i]))) << "step " << step;
  }
}

TEST(FusedOptimizerSteps, OptimizersGiveTheTensorOpResults) {
  namespace optim = torch::optim;
  fused_equals_unfused<optim::SGD>(optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01));
  fused_equals_unfused<optim::SGD>(optim::SGDOptions(0.1).momentum(0.5).dampening(0.3));
  fused_equals_unfused<optim::SGD>(optim::SGDOptions(0.1));
  fused_equals_unfused<optim::Adam>(optim::AdamOptions(0.01).amsgrad(true).weight_decay(0.1));
  fused_equals_unfused<optim::AdamW>(optim::AdamWOptions(0.01).weight_decay(0.1));
  fused_equals_unfused<optim::RMSprop>(optim::RMSpropOptions(0.01).centered(true).momentum(0.5).weight_decay(0.1));
  fused_equals_unfused<optim::RMSprop>(optim::RMSpropOptions(0.01));
  fused_equals_unfused<optim::Adagrad>(optim::AdagradOptions(0.1).lr_decay(0.01).weight_decay(0.1));
}

}  // namespace
