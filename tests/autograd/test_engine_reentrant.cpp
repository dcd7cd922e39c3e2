// Backward passes that overlap over shared nodes: one started inside another (a hook or a custom
// function's backward calling grad), and passes running at once on several threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "ember/ember.h"
#include "expect_error.h"

using namespace ember;
using namespace ember::autograd;

namespace {
Tensor f64(const TensorDataContainer& v) { return tensor(v, TensorOptions().dtype(kDouble)); }

// The leaf InnerGrad's backward differentiates against (set by the test using it).
Tensor* g_inner_leaf = nullptr;
Tensor g_inner_result;

// Identity forward; its backward runs a nested grad() over its saved input's graph, which the outer
// pass also runs through.
struct InnerGrad : public Function<InnerGrad> {
  static Tensor forward(AutogradContext* ctx, Tensor h) {
    ctx->save_for_backward({h});
    return h * 1;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    Tensor h = ctx->get_saved_variables()[0];
    AutoGradMode enable(true);
    g_inner_result = grad({h}, {*g_inner_leaf}, {g[0]}, /*retain_graph=*/true)[0];
    return {g[0]};
  }
};

// Runs backward over a graph of its own on another thread and waits for it (10 s at most, so a
// deadlock fails the test instead of hanging it). True when that pass finished with the right gradient.
bool backward_on_another_thread() {
  auto result = std::make_shared<std::promise<double>>();
  std::future<double> done = result->get_future();
  std::thread([result] {  // detached: a deadlocked pass must not block the test's end as well
    auto v = f64({2.}).requires_grad_();
    (v * v).sum().backward();
    result->set_value(v.grad().item<double>());
  }).detach();
  return done.wait_for(std::chrono::seconds(10)) == std::future_status::ready && done.get() == 4.;
}

struct WaitsForAnotherThread : public Function<WaitsForAnotherThread> {
  static Tensor forward(AutogradContext*, Tensor h) { return h * 1; }
  static variable_list backward(AutogradContext*, variable_list g) {
    EXPECT_TRUE(backward_on_another_thread());
    return {g[0]};
  }
};
}  // namespace

// A hook on an intermediate runs grad() over a graph sharing y's MulBackward0 and x's AccumulateGrad
// with the outer pass, which has already counted their dependencies. Before, the nested pass reset
// those counts (per-node state shared by both passes) and the outer pass never reached x: x.grad
// stayed undefined. Numbers from PyTorch 1.13.
TEST(EngineReentrant, HookRunsGradOverSharedNodes) {
  auto x = f64({1., 2., 3.}).requires_grad_();
  auto y = x * x;
  auto z = y * 3;
  auto w = (y * y).sum();
  Tensor inner;
  z.register_hook([&](const Tensor& g) {
    inner = grad({w}, {x}, {}, /*retain_graph=*/true)[0];
    return g;
  });
  z.sum().backward();
  ASSERT_TRUE(inner.defined());
  EXPECT_TRUE(inner.equal(f64({4., 32., 108.})));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_TRUE(x.grad().equal(f64({6., 12., 18.})));
}

// The same through a custom function's backward (PyTorch 1.13: inner [2, 4, 6], leaf.grad [4, 8, 12]).
TEST(EngineReentrant, CustomBackwardRunsGradOverSharedNodes) {
  auto leaf = f64({1., 2., 3.}).requires_grad_();
  g_inner_leaf = &leaf;
  g_inner_result = Tensor();
  auto h = leaf * leaf;
  auto out = InnerGrad::apply(h) + h;
  out.sum().backward();
  g_inner_leaf = nullptr;
  ASSERT_TRUE(g_inner_result.defined());
  EXPECT_TRUE(g_inner_result.equal(f64({2., 4., 6.})));
  g_inner_result = Tensor();
  ASSERT_TRUE(leaf.grad().defined());
  EXPECT_TRUE(leaf.grad().equal(f64({4., 8., 12.})));
}

// Double backward inside a hook: grad with create_graph, then the gradient of that gradient, both
// through nodes the outer pass shares (PyTorch 1.13: [3, 12, 27], [6, 12, 18], x.grad [6, 12, 18]).
TEST(EngineReentrant, DoubleBackwardInsideAHook) {
  auto x = f64({1., 2., 3.}).requires_grad_();
  auto y = x * x;
  auto z = y * 3;
  auto w = (y * x).sum();
  Tensor gx, ggx;
  z.register_hook([&](const Tensor& g) {
    AutoGradMode enable(true);
    gx = grad({w}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    ggx = grad({gx.sum()}, {x}, {}, /*retain_graph=*/true)[0];
    gx = gx.detach();
    return g;
  });
  z.sum().backward();
  ASSERT_TRUE(gx.defined() && ggx.defined());
  EXPECT_TRUE(gx.equal(f64({3., 12., 27.})));
  EXPECT_TRUE(ggx.equal(f64({6., 12., 18.})));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_TRUE(x.grad().equal(f64({6., 12., 18.})));
}

// A nested pass without retain_graph frees the shared node's saved tensors; the outer pass then
// fails as PyTorch's does, instead of running on state the nested pass left behind.
TEST(EngineReentrant, NestedPassFreeingSharedNodesFailsTheOuterOne) {
  auto x = f64({1., 2., 3.}).requires_grad_();
  auto y = x * x;
  auto z = y * 3;
  auto w = (y * x).sum();
  z.register_hook([&](const Tensor& g) {
    grad({w}, {x});
    return g;
  });
  EXPECT_NE(error_of([&] { z.sum().backward(); }).find("Trying to backward through the graph a second time"),
            std::string::npos);
}

// Passes on two threads at once over a graph they share (y's nodes, x's AccumulateGrad, and an mm
// whose weight gradient may be added straight into W.grad), as PyTorch allows with retain_graph.
// grad() results must be exact on every call, and backward() must accumulate every call's gradient
// into the shared leaves (integers in float64, so the order of the additions does not matter).
// Before, both passes kept their counts and buffers in the same nodes: wrong or missing gradients.
namespace {
// with_hook: a hook on the shared intermediate, so that a pass which began alone (solo) gives that
// up before running any node, while the other thread's pass may already be running over the nodes.
void concurrent_passes_over_a_shared_graph(bool with_hook) {
  auto x = f64({1., 2., 3.}).requires_grad_();
  auto W = arange(6., TensorOptions().dtype(kDouble)).view({3, 2}).requires_grad_();
  W.mutable_grad() = zeros({3, 2}, TensorOptions().dtype(kDouble));  // lets mm add into W.grad in place
  auto h = x * x + x;
  std::atomic<int> hook_calls{0};
  if (with_hook) h.register_hook([&](const Tensor&) { hook_calls++; });
  auto y = h.view({1, 3}).mm(W);  // [1, 2]
  constexpr int kThreads = 2, kCalls = 2000;
  std::atomic<int> wrong{0};
  std::atomic<int> errors{0};
  std::atomic<int> started{0};
  std::vector<Tensor> tops;
  for (int t = 0; t < kThreads; ++t) tops.push_back((y * static_cast<double>(t + 1)).sum());
  // d top_t / dx = (t+1) * (2x + 1) * (W's row sums): (2x + 1) = [3, 5, 7], row sums [1, 5, 9].
  const Tensor expect_x = f64({3. * 1, 5. * 5, 7. * 9});
  auto worker = [&](int t) {
    started++;
    while (started.load() < kThreads) std::this_thread::yield();  // start together
    try {
      for (int i = 0; i < kCalls; ++i) {
        Tensor gx = grad({tops[t]}, {x}, {}, /*retain_graph=*/true)[0];
        if (!gx.equal(expect_x * static_cast<double>(t + 1))) wrong++;
        backward({tops[t]}, {}, /*retain_graph=*/true);
      }
    } catch (const Error&) {
      errors++;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  // Every call added (t+1) times its gradient: kCalls * (1 + 2) in all.
  const double total = kCalls * 3.;
  EXPECT_TRUE(x.grad().equal(expect_x * total));
  // dW = x2^T [1, 1] with x2 = x * x + x = [2, 6, 12].
  EXPECT_TRUE(W.grad().equal(f64({2., 2., 6., 6., 12., 12.}).view({3, 2}) * total));
  EXPECT_EQ(hook_calls.load(), with_hook ? 2 * kThreads * kCalls : 0);
}
}  // namespace

TEST(EngineReentrant, ConcurrentPassesOverASharedGraph) { concurrent_passes_over_a_shared_graph(false); }
TEST(EngineReentrant, ConcurrentPassesWithAHookOverASharedGraph) { concurrent_passes_over_a_shared_graph(true); }

// User code that a pass runs (a hook on an intermediate or on a leaf, a post-accumulate hook, a
// custom function's backward, a queued callback) may start a backward on another thread and wait
// for it, as in PyTorch. Before, a pass that began with no other pass running ran alone and made
// every other thread's pass wait for its end: the two threads waited for each other forever.
TEST(EngineReentrant, UserCodeInAPassMayWaitForAPassOnAnotherThread) {
  auto x = f64({1., 2.}).requires_grad_();
  int ran = 0;
  auto check = [&] {
    ran++;
    EXPECT_TRUE(backward_on_another_thread());
  };
  {
    auto y = x * 3;
    y.register_hook([&](const Tensor&) { check(); });
    y.sum().backward();
  }
  {
    auto w = f64({1., 2.}).requires_grad_();
    w.register_hook([&](const Tensor&) { check(); });
    (w * x).sum().backward();
  }
  {
    auto w = f64({1., 2.}).requires_grad_();
    register_post_accumulate_grad_hook(w, [&](const Tensor&) { check(); });
    (w * x).sum().backward();
  }
  {
    auto y = (x * 2).sum();
    y.register_hook([&](const Tensor&) { queue_callback(check); });
    y.backward();
  }
  EXPECT_EQ(ran, 4);
  WaitsForAnotherThread::apply(x * 2).sum().backward();
  // x.grad: 3 + w + w + 2 + 2 from the five passes, w = [1, 2].
  EXPECT_TRUE(x.grad().equal(f64({9., 11.})));
}
