// How much of DistributedDataParallel's communication the backward pass hides, on the Fashion-MNIST
// CNN (examples/fashion_mnist_common.h) with random data, under mpirun:
//   mpirun -np 2 build/bench/distributed/ddp_overlap [--batch 64] [--steps 30] [--threads 1]
// For each bucket size it times, per training step (best of --steps, slowest rank):
//   local    forward + backward + step under no_sync (no communication at all);
//   ddp      the same step with DDP reducing gradients during backward;
//   comm     one all-reduce of all the gradients (what DDP sends), alone;
//   exposed  the part of the reduction that the backward pass did not hide: from the moment the
//            last gradient is ready on the slowest rank (no reduction can end before it) to the
//            return of backward(), which waits for every bucket (median of --steps, slowest rank;
//            the ranks share the machine's monotonic clock);
// hidden = 1 - exposed / comm: 1 when the reduction ends with the backward pass, 0 when none of it
// overlaps. (ddp - local also counts the ranks waiting for each other, which on shared cores is
// most of it, so it is printed but not used.)
// Buffers are not broadcast here (broadcast_buffers off), so only the gradient reduction is timed.
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../../examples/fashion_mnist_common.h"
#include "ember/autograd/engine.h"
#include "ember/distributed/distributed_data_parallel.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
  int64_t batch = 64;
  int steps = 30, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--batch") == 0) batch = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::max(2, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
  }
  torch::set_num_threads(threads);
  auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI();
  const int rank = pg->getRank();
  torch::manual_seed(1 + static_cast<uint64_t>(rank));
  const torch::Tensor x = torch::randn({batch, 1, 28, 28}), y = torch::randint(0, 10, {batch});
  auto slowest = [&](double v) {
    std::vector<torch::Tensor> t{torch::tensor({v}, torch::kDouble)};
    c10d::AllreduceOptions opts;
    opts.reduceOp = c10d::ReduceOp::MAX;
    pg->allreduce(t, opts)->wait();
    return t[0].item<double>();
  };
  if (rank == 0)
    std::printf("%-14s %8s %9s %9s %9s %11s %7s\n", "bucket_cap_mb", "buckets", "local ms", "ddp ms", "comm ms",
                "exposed ms", "hidden");
  for (double cap : {25.0, 0.5, 0.1}) {
    fashion_mnist::Cnn model;
    ember::distributed::DistributedDataParallel ddp(
        model, pg, ember::distributed::DistributedDataParallelOptions().bucket_cap_mb(cap).broadcast_buffers(false));
    torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.01));
    // When each step's last gradient became ready (hooks run after DDP's own, which start buckets).
    double last_ready = 0;
    for (const auto& p : model->parameters())
      ember::autograd::register_post_accumulate_grad_hook(p, [&](const torch::Tensor&) { last_ready = now(); });
    double backward_done = 0;
    auto step = [&] {
      opt.zero_grad();
      torch::cross_entropy_loss(ddp.forward(x), y).backward();
      backward_done = now();
      opt.step();
    };
    double local = 1e30, with_ddp = 1e30, comm = 1e30;
    std::vector<double> exposed;
    for (int s = 0; s < steps; ++s) {
      pg->barrier()->wait();
      double t0 = now();
      {
        auto guard = ddp.no_sync();
        step();
      }
      local = std::min(local, now() - t0);
      pg->barrier()->wait();
      t0 = now();
      step();
      with_ddp = std::min(with_ddp, now() - t0);
      exposed.push_back(backward_done - slowest(last_ready));
      std::vector<torch::Tensor> grads;
      for (const auto& p : model->parameters()) grads.push_back(p.grad().reshape({-1}));
      std::vector<torch::Tensor> flat{torch::cat(grads)};
      pg->barrier()->wait();
      t0 = now();
      pg->allreduce(flat)->wait();
      comm = std::min(comm, now() - t0);
    }
    std::nth_element(exposed.begin(), exposed.begin() + static_cast<std::ptrdiff_t>(exposed.size() / 2), exposed.end());
    const double exposed_median = slowest(exposed[exposed.size() / 2]);
    local = slowest(local);
    with_ddp = slowest(with_ddp);
    comm = slowest(comm);
    if (rank == 0)
      std::printf("%-14g %8zu %9.2f %9.2f %9.3f %11.3f %7.2f\n", cap, ddp.bucket_indices().size(), local * 1e3,
                  with_ddp * 1e3, comm * 1e3, exposed_median * 1e3, 1.0 - exposed_median / comm);
  }
  return 0;
}
