// Allreduce bandwidth through c10d::ProcessGroupMPI against MPI_Allreduce called directly, on the
// same float32 buffers, under mpirun:
//   mpirun -np 2 build/bench/distributed/allreduce_bandwidth [--reps N]
// Rank 0 prints, per size, the best time of each and the bus bandwidth (2 (n-1)/n * bytes / time, the
// usual figure for a ring allreduce), and the ratio ProcessGroupMPI / MPI (1.0 = no overhead).
#include <mpi.h>
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
  int reps = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
  torch::set_num_threads(1);
  // Creating the group initializes MPI (thread-serialized); the direct calls below then share it.
  auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI();
  const int rank = pg->getRank(), size = pg->getSize();
  if (rank == 0)
    std::printf("%-6s %14s %14s %12s %12s %8s\n", "size", "MPI us", "PG us", "MPI GB/s", "PG GB/s", "PG/MPI");
  for (const int64_t bytes : {int64_t(1) << 20, int64_t(64) << 20}) {
    const int64_t n = bytes / 4;
    torch::Tensor t = torch::ones({n});
    std::vector<float> raw(static_cast<size_t>(n), 1.0f);
    double best_mpi = 1e30, best_pg = 1e30;
    // Alternate the two so that drift in the machine's load hits both alike.
    for (int r = 0; r < reps + 2; ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now();
      MPI_Allreduce(MPI_IN_PLACE, raw.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      const double mpi = now() - t0;
      MPI_Barrier(MPI_COMM_WORLD);
      std::vector<torch::Tensor> ts{t};
      t0 = now();
      pg->allreduce(ts)->wait();
      const double via_pg = now() - t0;
      if (r >= 2) {  // the first rounds warm up connections and pages
        best_mpi = std::min(best_mpi, mpi);
        best_pg = std::min(best_pg, via_pg);
      }
      // Keep the values finite and small: reset after each round.
      std::fill(raw.begin(), raw.end(), 1.0f);
      t.fill_(1);
    }
    // Each rank's best may differ; the slowest rank's is the collective's time.
    double local[2] = {best_mpi, best_pg}, worst[2];
    MPI_Reduce(local, worst, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      const double bus = 2.0 * (size - 1) / size * static_cast<double>(bytes) / 1e9;
      std::printf("%-6s %14.1f %14.1f %12.2f %12.2f %8.2f\n", bytes == (1 << 20) ? "1MB" : "64MB", worst[0] * 1e6,
                  worst[1] * 1e6, bus / worst[0], bus / worst[1], worst[0] / worst[1]);
    }
  }
  return 0;
}
