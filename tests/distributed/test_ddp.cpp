// DistributedDataParallel under mpirun (2 and 4 ranks): training on N ranks with batch b per rank
// equals single-process training with batch N*b; no_sync accumulation equals one large step;
// checkpoints move between DDP and single-process runs; buffers follow rank 0; unused parameters
// neither hang nor get a gradient from nowhere. Every rank also computes the single-process
// reference itself (the data are the same everywhere), so the comparisons need no communication.
#include <gtest/gtest.h>
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "ember/distributed/distributed_data_parallel.h"
#include "expect_error.h"

namespace {

using ember::distributed::DistributedDataParallel;
using ember::distributed::DistributedDataParallelOptions;
using torch::Tensor;

c10::intrusive_ptr<c10d::ProcessGroupMPI>& ddp_group() {
  static auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI({}, std::chrono::seconds(20));
  return pg;
}
int rank() { return ddp_group()->getRank(); }
int size() { return ddp_group()->getSize(); }

// float32 throughout. Averaging N per-rank means and taking one mean over N*b examples differ
// only in the order of the float32 sums; after a few steps parameters of size ~1 agree to this.
constexpr double kTol = 2e-5;

struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc1(register_module("fc1", torch::nn::Linear(6, 16))),
        fc2(register_module("fc2", torch::nn::Linear(16, 8))),
        fc3(register_module("fc3", torch::nn::Linear(8, 3))) {}
  Tensor forward(const Tensor& x) { return fc3->forward(torch::tanh(fc2->forward(torch::tanh(fc1->forward(x))))); }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(Net);

Net make_net(uint64_t seed) {
  torch::manual_seed(seed);
  return Net();
}

double max_param_diff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

double max_grad_diff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i].grad().defined() && b[i].grad().defined()) << "parameter " << i;
    if (a[i].grad().defined() && b[i].grad().defined())
      worst = std::max(worst, (a[i].grad() - b[i].grad()).abs().max().item<double>());
  }
  return worst;
}

// Rows [rank * b, (rank + 1) * b) of a batch of N * b.
Tensor my_rows(const Tensor& batch, int64_t b) { return batch.slice(0, rank() * b, (rank() + 1) * b); }

// The same inputs on every rank: they depend on the seed only.
std::pair<Tensor, Tensor> data(uint64_t seed, int64_t steps, int64_t rows) {
  torch::manual_seed(seed);
  Tensor x = torch::randn({steps, rows, 6}), y = torch::randn({steps, rows, 3});
  return {x, y};
}

// A path every rank agrees on (rank 0's pid), in the temporary directory the ranks share.
std::string shared_path(const std::string& name) {
  std::vector<Tensor> pid{torch::full({1}, static_cast<int64_t>(getpid()), torch::kLong)};
  ddp_group()->broadcast(pid)->wait();
  return (std::filesystem::temp_directory_path() / ("ember_ddp_" + std::to_string(pid[0].item<int64_t>()) + "_" + name))
      .string();
}

TEST(DistributedDataParallel, StartsFromRankZerosParameters) {
  Net model = make_net(100 + static_cast<uint64_t>(rank()));  // a different init on each rank
  Net rank0 = make_net(100);
  if (rank() != 0) {
    EXPECT_GT(max_param_diff(model->parameters(), rank0->parameters()), 0.0);
  }
  DistributedDataParallel ddp(model, ddp_group());
  EXPECT_EQ(max_param_diff(model->parameters(), rank0->parameters()), 0.0);
  EXPECT_EQ(ddp.parameters().size(), 6u);
}

// N steps of SGD with momentum: DDP with b examples per rank against one process with all N * b,
// for one big bucket (the default 25 MiB) and for buckets of a few hundred bytes (several
// collectives in flight during backward). The averaged gradients too match at each step.
TEST(DistributedDataParallel, MatchesSingleProcessTrainingOnTheWholeBatch) {
  const int64_t b = 3, steps = 6;
  for (double cap : {25.0, 0.0001}) {
    SCOPED_TRACE("bucket_cap_mb " + std::to_string(cap));
    Net model = make_net(7 + static_cast<uint64_t>(rank())), reference = make_net(7);
    DistributedDataParallel ddp(model, ddp_group(), DistributedDataParallelOptions().bucket_cap_mb(cap));
    const auto buckets = ddp.bucket_indices();
    if (cap < 1) {
      EXPECT_GE(buckets.size(), 3u);
    } else {
      EXPECT_EQ(buckets.size(), 1u);
    }
    size_t covered = 0;
    for (const auto& bucket : buckets) covered += bucket.size();
    EXPECT_EQ(covered, 6u);
    torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    torch::optim::SGD ref_opt(reference->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    const auto xy = data(42, steps, size() * b);
    const Tensor x = xy.first, y = xy.second;
    for (int64_t s = 0; s < steps; ++s) {
      opt.zero_grad();
      torch::mse_loss(ddp.forward(my_rows(x[s], b)), my_rows(y[s], b)).backward();
      ref_opt.zero_grad();
      torch::mse_loss(reference->forward(x[s]), y[s]).backward();
      EXPECT_LT(max_grad_diff(model->parameters(), reference->parameters()), kTol) << "step " << s;
      opt.step();
      ref_opt.step();
    }
    EXPECT_LT(max_param_diff(model->parameters(), reference->parameters()), kTol);
    // The parameters moved: the comparison is not between two untouched models.
    EXPECT_GT(max_param_diff(model->parameters(), make_net(7)->parameters()), 1e-2);
  }
}

// K micro-batches, the first K-1 under no_sync: gradients stay local (each rank's own), and the
// last backward reduces the sum, giving one step on all K * N * b examples.
TEST(DistributedDataParallel, NoSyncAccumulationEqualsOneLargeStep) {
  const int64_t b = 2, K = 3;
  Net model = make_net(11), reference = make_net(11), local = make_net(11);
  DistributedDataParallel ddp(model, ddp_group(), DistributedDataParallelOptions().bucket_cap_mb(0.0003));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.01));
  torch::optim::Adam ref_opt(reference->parameters(), torch::optim::AdamOptions(0.01));
  const auto xy = data(43, K, size() * b);
    const Tensor x = xy.first, y = xy.second;
  opt.zero_grad();
  for (int64_t k = 0; k < K - 1; ++k) {
    auto guard = ddp.no_sync();
    torch::mse_loss(ddp.forward(my_rows(x[k], b)), my_rows(y[k], b)).backward();
    // Still this rank's own gradient.
    torch::mse_loss(local->forward(my_rows(x[k], b)), my_rows(y[k], b)).backward();
    EXPECT_LT(max_grad_diff(model->parameters(), local->parameters()), 1e-6) << "micro-batch " << k;
  }
  torch::mse_loss(ddp.forward(my_rows(x[K - 1], b)), my_rows(y[K - 1], b)).backward();
  opt.step();
  // One process, one backward over every example: K times the mean over K * N * b examples.
  ref_opt.zero_grad();
  (torch::mse_loss(reference->forward(x.reshape({-1, 6})), y.reshape({-1, 3})) * K).backward();
  EXPECT_LT(max_grad_diff(model->parameters(), reference->parameters()), kTol);
  ref_opt.step();
  EXPECT_LT(max_param_diff(model->parameters(), reference->parameters()), kTol);
}

ember::GenericDict checkpoint_of(const torch::nn::Module& model, const torch::optim::Optimizer& opt) {
  ember::GenericDict ck;
  ck.insert("model", ember::serialize::state_dict(model));
  ck.insert("optimizer", ember::serialize::optimizer_state_dict(opt));
  return ck;
}

// A DDP run's checkpoint (written by rank 0) resumes in a single process, and a single-process
// checkpoint resumes under DDP (only rank 0 even loads the weights: construction broadcasts them);
// both continue exactly as the run they came from.
TEST(DistributedDataParallel, CheckpointsMoveBetweenDdpAndSingleProcess) {
  const int64_t b = 2, steps = 3;
  const auto xy = data(44, 2 * steps, size() * b);
    const Tensor x = xy.first, y = xy.second;
  const std::string from_ddp = shared_path("from_ddp.pt"), from_single = shared_path("from_single.pt");
  {
    Net model = make_net(21);
    DistributedDataParallel ddp(model, ddp_group());
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.01));
    auto step = [&](int64_t s) {
      opt.zero_grad();
      torch::mse_loss(ddp.forward(my_rows(x[s], b)), my_rows(y[s], b)).backward();
      opt.step();
    };
    for (int64_t s = 0; s < steps; ++s) step(s);
    if (rank() == 0) ember::serialize::save_ivalue(checkpoint_of(*model, opt), from_ddp);
    ddp_group()->barrier()->wait();
    // Every rank resumes it alone and continues on the whole batches.
    Net single = make_net(999);
    torch::optim::Adam single_opt(single->parameters(), torch::optim::AdamOptions(0.5));
    const auto ck = ember::serialize::load_ivalue(from_ddp).toGenericDict();
    ember::serialize::load_state_dict(*single, ck.at("model"), true, from_ddp);
    ember::serialize::load_optimizer_state_dict(single_opt, ck.at("optimizer"), from_ddp);
    EXPECT_EQ(max_param_diff(single->parameters(), model->parameters()), 0.0);
    for (int64_t s = steps; s < 2 * steps; ++s) {
      step(s);
      single_opt.zero_grad();
      torch::mse_loss(single->forward(x[s]), y[s]).backward();
      single_opt.step();
    }
    EXPECT_LT(max_param_diff(single->parameters(), model->parameters()), kTol);
  }
  {
    Net reference = make_net(22);
    torch::optim::Adam ref_opt(reference->parameters(), torch::optim::AdamOptions(0.01));
    auto ref_step = [&](int64_t s) {
      ref_opt.zero_grad();
      torch::mse_loss(reference->forward(x[s]), y[s]).backward();
      ref_opt.step();
    };
    for (int64_t s = 0; s < steps; ++s) ref_step(s);
    if (rank() == 0) ember::serialize::save_ivalue(checkpoint_of(*reference, ref_opt), from_single);
    ddp_group()->barrier()->wait();
    Net model = make_net(500 + static_cast<uint64_t>(rank()));
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.5));
    const auto ck = ember::serialize::load_ivalue(from_single).toGenericDict();
    if (rank() == 0) ember::serialize::load_state_dict(*model, ck.at("model"), true, from_single);
    ember::serialize::load_optimizer_state_dict(opt, ck.at("optimizer"), from_single);
    DistributedDataParallel ddp(model, ddp_group());
    EXPECT_EQ(max_param_diff(model->parameters(), reference->parameters()), 0.0);
    for (int64_t s = steps; s < 2 * steps; ++s) {
      opt.zero_grad();
      torch::mse_loss(ddp.forward(my_rows(x[s], b)), my_rows(y[s], b)).backward();
      opt.step();
      ref_step(s);
    }
    EXPECT_LT(max_param_diff(model->parameters(), reference->parameters()), kTol);
  }
  ddp_group()->barrier()->wait();
  if (rank() == 0) {
    std::remove(from_ddp.c_str());
    std::remove(from_single.c_str());
  }
}

struct NormNetImpl : torch::nn::Module {
  NormNetImpl()
      : fc(register_module("fc", torch::nn::Linear(6, 4))), bn(register_module("bn", torch::nn::BatchNorm1d(4))) {}
  Tensor forward(const Tensor& x) { return bn->forward(fc->forward(x)); }
  torch::nn::Linear fc;
  torch::nn::BatchNorm1d bn;
};
TORCH_MODULE(NormNet);

std::vector<Tensor> snapshot(const std::vector<Tensor>& ts) {
  std::vector<Tensor> out;
  for (const auto& t : ts) out.push_back(t.clone());
  return out;
}

// Batch-norm statistics: each rank's forward updates its own; the next forward first takes rank
// 0's, unless the previous forward ran without grad (PyTorch's rule), or broadcast_buffers is off.
TEST(DistributedDataParallel, BuffersFollowRankZeroAtEachForward) {
  torch::manual_seed(3);
  NormNet model;
  DistributedDataParallel ddp(model, ddp_group());
  torch::manual_seed(60 + static_cast<uint64_t>(rank()));
  Tensor x = torch::randn({5, 6}) * (rank() + 1);
  auto rank0_buffers = [&] {
    std::vector<Tensor> out = snapshot(model->buffers());
    for (auto& t : out) {
      std::vector<Tensor> one{t};
      ddp_group()->broadcast(one)->wait();
    }
    return out;
  };
  auto expect_buffers = [&](const std::vector<Tensor>& want, const char* when) {
    const auto have = model->buffers();
    ASSERT_EQ(have.size(), want.size());
    for (size_t i = 0; i < have.size(); ++i) EXPECT_TRUE(torch::equal(have[i], want[i])) << when << ", buffer " << i;
  };
  ddp.forward(x).sum().backward();  // training mode: running statistics of this rank's batch
  const auto mine = snapshot(model->buffers());
  const auto leader = rank0_buffers();
  if (rank() != 0) {
    EXPECT_FALSE(torch::equal(mine[0], leader[0]));
  }
  model->eval();  // no update of the statistics: what forward leaves is what it broadcast
  ddp.forward(x);
  expect_buffers(leader, "after a forward that followed a grad-enabled one");
  model->train();
  {
    torch::NoGradGuard no_grad;
    ddp.forward(x);  // broadcasts (the previous forward had grad), then updates locally
  }
  const auto local = snapshot(model->buffers());
  model->eval();
  ddp.forward(x);
  expect_buffers(local, "after a forward that followed a no-grad one");

  torch::manual_seed(3);
  NormNet quiet;
  DistributedDataParallel ddp_quiet(quiet, ddp_group(), DistributedDataParallelOptions().broadcast_buffers(false));
  ddp_quiet.forward(x).sum().backward();
  const auto quiet_local = snapshot(quiet->buffers());
  quiet->eval();
  ddp_quiet.forward(x);
  for (size_t i = 0; i < quiet_local.size(); ++i) EXPECT_TRUE(torch::equal(quiet->buffers()[i], quiet_local[i]));
}

struct BranchyImpl : torch::nn::Module {
  BranchyImpl()
      : a(register_module("a", torch::nn::Linear(4, 2))),
        b(register_module("b", torch::nn::Linear(4, 2))),
        never(register_module("never", torch::nn::Linear(4, 2))) {}
  Tensor forward(const Tensor& x, bool use_b) { return use_b ? a->forward(x) + b->forward(x) : a->forward(x); }
  torch::nn::Linear a, b, never;
};
TORCH_MODULE(Branchy);

// Rank 1 alone uses branch b; nobody uses `never`. Backward completes on every rank (no wait for a
// gradient that never comes): b's gradient is rank 1's divided by N, everywhere; `never` keeps an
// undefined gradient; a's is the average as usual.
TEST(DistributedDataParallel, UnusedParametersCountAsZeroAndDoNotHang) {
  torch::manual_seed(5);
  Branchy model;
  DistributedDataParallel ddp(model, ddp_group(), DistributedDataParallelOptions().bucket_cap_mb(0.00003));
  EXPECT_GE(ddp.bucket_indices().size(), 3u);
  auto input = [](int r) {
    torch::manual_seed(70 + static_cast<uint64_t>(r));
    return torch::randn({3, 4});
  };
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& p : model->parameters()) p.mutable_grad() = Tensor();
    ddp.forward(input(rank()), rank() == 1).sum().backward();
    // d(sum(W x + c))/dW = a row of column sums of x for each output; dc = rows of x.
    Tensor a_grad = torch::zeros({2, 4});
    for (int r = 0; r < size(); ++r) a_grad += input(r).sum(0).expand({2, 4});
    a_grad /= size();
    ASSERT_TRUE(model->a->weight.grad().defined());
    EXPECT_TRUE(torch::allclose(model->a->weight.grad(), a_grad, 1e-5, 1e-6));
    ASSERT_TRUE(model->b->weight.grad().defined());
    EXPECT_TRUE(torch::allclose(model->b->weight.grad(), input(1).sum(0).expand({2, 4}) / size(), 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(model->b->bias.grad(), torch::full({2}, 3.0f / static_cast<float>(size()))));
    EXPECT_FALSE(model->never->weight.grad().defined());
    EXPECT_FALSE(model->never->bias.grad().defined());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(DistributedDataParallel, BadArguments) {
  Net model;
  expect_error([&] { DistributedDataParallel ddp(model, ddp_group(), DistributedDataParallelOptions().bucket_cap_mb(0)); },
               "bucket_cap_mb must be positive");
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  expect_error([&] { DistributedDataParallel ddp(model, ddp_group()); },
               "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.");
  // Modules that differ between ranks are caught at construction, on every rank.
  torch::nn::Linear lin(3, rank() == 0 ? 2 : 3);
  expect_error([&] { DistributedDataParallel ddp(lin, ddp_group()); }, "do the ranks build the same module?");
}

}  // namespace
