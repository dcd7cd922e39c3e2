// Collective communication: LibTorch's c10d process-group API (ReduceOp, the *Options structs, Work,
// ProcessGroup), backend-neutral. The MPI backend is in process_group_mpi.h.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "ember/core/intrusive_ptr.h"
#include "ember/core/tensor.h"

namespace ember {
namespace distributed {

// 0 means "wait as long as it takes" to Work::wait; kUnsetTimeout in an Options struct means "the
// process group's own timeout".
constexpr auto kNoTimeout = std::chrono::milliseconds(0);
constexpr auto kUnsetTimeout = std::chrono::milliseconds(-1);
constexpr auto kProcessGroupDefaultTimeout = std::chrono::milliseconds(30 * 60 * 1000);

enum class OpType : std::uint8_t {
  BROADCAST = 0,
  ALLREDUCE = 1,
  ALLREDUCE_COALESCED = 2,
  REDUCE = 3,
  ALLGATHER = 4,
  _ALLGATHER_BASE = 5,
  ALLGATHER_COALESCED = 6,
  GATHER = 7,
  SCATTER = 8,
  REDUCE_SCATTER = 9,
  ALLTOALL_BASE = 10,
  ALLTOALL = 11,
  SEND = 12,
  RECV = 13,
  RECVANYSOURCE = 14,
  BARRIER = 15,
  _REDUCE_SCATTER_BASE = 16,
  UNKNOWN = 100,
};
std::string opTypeToString(OpType op);

struct ReduceOp {
  enum RedOpType : std::uint8_t { SUM = 0, AVG = 1, PRODUCT = 2, MIN = 3, MAX = 4, BAND = 5, BOR = 6, BXOR = 7, PREMUL_SUM = 8, UNUSED = 9 };
  ReduceOp() = default;
  ReduceOp(RedOpType op) : op_(op) {}  // NOLINT: implicit, as LibTorch's
  operator RedOpType() const { return op_; }
  RedOpType op_ = SUM;
};

struct BroadcastOptions {
  int64_t rootRank = 0;
  int64_t rootTensor = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct AllreduceOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct AllreduceCoalescedOptions : AllreduceOptions {};
struct ReduceOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  int64_t rootRank = 0;
  int64_t rootTensor = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct AllgatherOptions {
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct GatherOptions {
  int64_t rootRank = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct ScatterOptions {
  int64_t rootRank = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct ReduceScatterOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct AllToAllOptions {
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct BarrierOptions {
  std::vector<int64_t> device_ids;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

// The handle a collective returns. It completes once, with success or an exception; wait() blocks
// until then and rethrows the exception (an ember::Error naming the collective and the rank).
class Work : public RefCounted {
 public:
  explicit Work(int rank = -1, OpType opType = OpType::UNKNOWN);
  ~Work() override;
  virtual bool isCompleted();
  virtual bool isSuccess() const;
  virtual std::exception_ptr exception() const;
  // The rank a recvAnysource received from; -1 before it completes or for other collectives.
  virtual int sourceRank() const;
  // The output tensors of the collective.
  virtual std::vector<Tensor> result();
  virtual void synchronize();
  // Blocks until the work completes and rethrows its exception. With a timeout > 0, throws an
  // ember::Error if it has not completed by then (the collective itself keeps its own deadline).
  virtual bool wait(std::chrono::milliseconds timeout = kNoTimeout);
  virtual void abort();
  OpType retrieveOpType() const { return opType_; }

  // Called by the backend, once.
  void finish(std::vector<Tensor> outputs, int sourceRank = -1);
  void finishWithError(std::exception_ptr error);

 protected:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool completed_ = false;
  std::exception_ptr exception_;
  std::vector<Tensor> outputs_;
  int sourceRank_ = -1;
  const int rank_;
  OpType opType_;
};

class ProcessGroup : public RefCounted {
 public:
  // The spelling before LibTorch 1.13 moved Work out of the class.
  using Work = ::ember::distributed::Work;

  struct Options : RefCounted {
    explicit Options(std::string backend, std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout)
        : timeout(timeout), backend(std::move(backend)) {}
    std::chrono::milliseconds timeout;
    const std::string backend;
  };

  ProcessGroup(int rank, int size);
  ~ProcessGroup() override;
  int getRank() const { return rank_; }
  int getSize() const { return size_; }
  virtual const std::string getBackendName() const = 0;

  // Each collective, as in LibTorch: the base class refuses with "ProcessGroup <backend> does not
  // support <collective>".
  virtual intrusive_ptr<Work> broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts = BroadcastOptions());
  virtual intrusive_ptr<Work> allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts = AllreduceOptions());
  virtual intrusive_ptr<Work> allreduce_coalesced(std::vector<Tensor>& tensors,
                                                  const AllreduceCoalescedOptions& opts = AllreduceCoalescedOptions());
  virtual intrusive_ptr<Work> reduce(std::vector<Tensor>& tensors, const ReduceOptions& opts = ReduceOptions());
  virtual intrusive_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputTensors, std::vector<Tensor>& inputTensors,
                                        const AllgatherOptions& opts = AllgatherOptions());
  virtual intrusive_ptr<Work> _allgather_base(Tensor& outputBuffer, Tensor& inputBuffer,
                                              const AllgatherOptions& opts = AllgatherOptions());
  virtual intrusive_ptr<Work> gather(std::vector<std::vector<Tensor>>& outputTensors, std::vector<Tensor>& inputTensors,
                                     const GatherOptions& opts = GatherOptions());
  virtual intrusive_ptr<Work> scatter(std::vector<Tensor>& outputTensors, std::vector<std::vector<Tensor>>& inputTensors,
                                      const ScatterOptions& opts = ScatterOptions());
  virtual intrusive_ptr<Work> reduce_scatter(std::vector<Tensor>& outputTensors,
                                             std::vector<std::vector<Tensor>>& inputTensors,
                                             const ReduceScatterOptions& opts = ReduceScatterOptions());
  virtual intrusive_ptr<Work> alltoall_base(Tensor& outputTensor, Tensor& inputTensor,
                                            std::vector<int64_t>& outputSplitSizes,
                                            std::vector<int64_t>& inputSplitSizes,
                                            const AllToAllOptions& opts = AllToAllOptions());
  virtual intrusive_ptr<Work> alltoall(std::vector<Tensor>& outputTensors, std::vector<Tensor>& inputTensors,
                                       const AllToAllOptions& opts = AllToAllOptions());
  virtual intrusive_ptr<Work> send(std::vector<Tensor>& tensors, int dstRank, int tag);
  virtual intrusive_ptr<Work> recv(std::vector<Tensor>& tensors, int srcRank, int tag);
  virtual intrusive_ptr<Work> recvAnysource(std::vector<Tensor>& tensors, int tag);
  virtual intrusive_ptr<Work> barrier(const BarrierOptions& opts = BarrierOptions());

 protected:
  [[noreturn]] void unsupported(const char* what) const;
  const int rank_;
  const int size_;
};

}  // namespace distributed
}  // namespace ember
