// ProcessGroupMPI: LibTorch's c10d MPI backend on OpenMPI. Collectives are queued to one progress
// thread per group, which runs them with non-blocking MPI calls under a deadline, so a backward pass
// can overlap communication and a rank that never joins makes wait() throw instead of hanging.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "ember/distributed/process_group.h"

namespace ember {
namespace distributed {

class ProcessGroupMPI : public ProcessGroup {
 public:
  struct Impl;
  ProcessGroupMPI(int rank, int size, std::unique_ptr<Impl> impl);
  ~ProcessGroupMPI() override;

  // MPI_Init_thread (once per process, MPI_THREAD_SERIALIZED or better), then a communicator of
  // `ranks` (every rank of MPI_COMM_WORLD when empty). Every rank of the world must call it; a
  // rank outside `ranks` gets a null pointer, as in LibTorch.
  static intrusive_ptr<ProcessGroupMPI> createProcessGroupMPI(std::vector<int> ranks = {});
  // ember: the same, with the timeout every collective gets unless its options set one (LibTorch's
  // MPI group has none; ProcessGroup::Options' default is 30 minutes, as here).
  static intrusive_ptr<ProcessGroupMPI> createProcessGroupMPI(std::vector<int> ranks,
                                                              std::chrono::milliseconds timeout);

  const std::string getBackendName() const override { return "mpi"; }
  std::chrono::milliseconds timeout() const;
  // Ends every process of the job (MPI_Abort), as LibTorch's.
  void abort();

  intrusive_ptr<Work> broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts = BroadcastOptions()) override;
  intrusive_ptr<Work> allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts = AllreduceOptions()) override;
  intrusive_ptr<Work> allreduce_coalesced(std::vector<Tensor>& tensors,
                                          const AllreduceCoalescedOptions& opts = AllreduceCoalescedOptions()) override;
  intrusive_ptr<Work> reduce(std::vector<Tensor>& tensors, const ReduceOptions& opts = ReduceOptions()) override;
  intrusive_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputTensors, std::vector<Tensor>& inputTensors,
                                const AllgatherOptions& opts = AllgatherOptions()) override;
  intrusive_ptr<Work> _allgather_base(Tensor& outputBuffer, Tensor& inputBuffer,
                                      const AllgatherOptions& opts = AllgatherOptions()) override;
  intrusive_ptr<Work> gather(std::vector<std::vector<Tensor>>& outputTensors, std::vector<Tensor>& inputTensors,
                             const GatherOptions& opts = GatherOptions()) override;
  intrusive_ptr<Work> scatter(std::vector<Tensor>& outputTensors, std::vector<std::vector<Tensor>>& inputTensors,
                              const ScatterOptions& opts = ScatterOptions()) override;
  intrusive_ptr<Work> reduce_scatter(std::vector<Tensor>& outputTensors, std::vector<std::vector<Tensor>>& inputTensors,
                                     const ReduceScatterOptions& opts = ReduceScatterOptions()) override;
  intrusive_ptr<Work> alltoall_base(Tensor& outputTensor, Tensor& inputTensor, std::vector<int64_t>& outputSplitSizes,
                                    std::vector<int64_t>& inputSplitSizes,
                                    const AllToAllOptions& opts = AllToAllOptions()) override;
  intrusive_ptr<Work> alltoall(std::vector<Tensor>& outputTensors, std::vector<Tensor>& inputTensors,
                               const AllToAllOptions& opts = AllToAllOptions()) override;
  intrusive_ptr<Work> send(std::vector<Tensor>& tensors, int dstRank, int tag) override;
  intrusive_ptr<Work> recv(std::vector<Tensor>& tensors, int srcRank, int tag) override;
  intrusive_ptr<Work> recvAnysource(std::vector<Tensor>& tensors, int tag) override;
  intrusive_ptr<Work> barrier(const BarrierOptions& opts = BarrierOptions()) override;

 private:
  // Shared with the group's Work handles, which may run a queued collective (on the waiting thread).
  std::shared_ptr<Impl> impl_;
};

}  // namespace distributed
}  // namespace ember
