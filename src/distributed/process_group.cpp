// Work and the ProcessGroup base class: completion, waiting, and the "does not support" defaults.
#include "ember/distributed/process_group.h"

#include <thread>

#include "ember/core/error.h"

namespace ember {
namespace distributed {

std::string opTypeToString(OpType op) {
  switch (op) {
    case OpType::BROADCAST: return "BROADCAST";
    case OpType::ALLREDUCE: return "ALLREDUCE";
    case OpType::ALLREDUCE_COALESCED: return "ALLREDUCE_COALESCED";
    case OpType::REDUCE: return "REDUCE";
    case OpType::ALLGATHER: return "ALLGATHER";
    case OpType::_ALLGATHER_BASE: return "_ALLGATHER_BASE";
    case OpType::ALLGATHER_COALESCED: return "ALLGATHER_COALESCED";
    case OpType::GATHER: return "GATHER";
    case OpType::SCATTER: return "SCATTER";
    case OpType::REDUCE_SCATTER: return "REDUCE_SCATTER";
    case OpType::ALLTOALL_BASE: return "ALLTOALL_BASE";
    case OpType::ALLTOALL: return "ALLTOALL";
    case OpType::SEND: return "SEND";
    case OpType::RECV: return "RECV";
    case OpType::RECVANYSOURCE: return "RECVANYSOURCE";
    case OpType::BARRIER: return "BARRIER";
    case OpType::_REDUCE_SCATTER_BASE: return "_REDUCE_SCATTER_BASE";
    case OpType::UNKNOWN: return "UNKNOWN";
  }
  fail("Unknown op type: ", static_cast<int>(op));
}

Work::Work(int rank, OpType opType) : rank_(rank), opType_(opType) {}
Work::~Work() = default;

bool Work::isCompleted() {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

bool Work::isSuccess() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ && !exception_;
}

std::exception_ptr Work::exception() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return exception_;
}

int Work::sourceRank() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sourceRank_;
}

std::vector<Tensor> Work::result() {
  std::lock_guard<std::mutex> lock(mutex_);
  return outputs_;
}

void Work::synchronize() {}

bool Work::wait(std::chrono::milliseconds timeout) {
  // A collective between ready ranks often completes within microseconds of being queued: poll for
  // a moment (yielding the core) before sleeping on the condition variable, whose wake-up costs tens
  // of microseconds on a busy machine.
  const auto poll_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  while (std::chrono::steady_clock::now() < poll_until) {
    {
      std::lock_guard<std::mutex> poll(mutex_);
      if (completed_) break;
    }
    std::this_thread::yield();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (timeout > kNoTimeout) {
    EMBER_CHECK(cv_.wait_for(lock, timeout, [this] { return completed_; }), "Work::wait: ", opTypeToString(opType_),
                " on rank ", rank_, " did not complete within ", timeout.count(), " ms");
  } else {
    cv_.wait(lock, [this] { return completed_; });
  }
  if (exception_) std::rethrow_exception(exception_);
  return true;
}

void Work::abort() { fail("Work::abort not implemented."); }

void Work::finish(std::vector<Tensor> outputs, int sourceRank) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outputs_ = std::move(outputs);
    sourceRank_ = sourceRank;
    completed_ = true;
  }
  cv_.notify_all();
}

void Work::finishWithError(std::exception_ptr error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    exception_ = std::move(error);
    completed_ = true;
  }
  cv_.notify_all();
}

ProcessGroup::ProcessGroup(int rank, int size) : rank_(rank), size_(size) {}
ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::unsupported(const char* what) const {
  fail("ProcessGroup ", getBackendName(), " does not support ", what);
}

intrusive_ptr<Work> ProcessGroup::broadcast(std::vector<Tensor>&, const BroadcastOptions&) { unsupported("broadcast"); }
intrusive_ptr<Work> ProcessGroup::allreduce(std::vector<Tensor>&, const AllreduceOptions&) { unsupported("allreduce"); }
intrusive_ptr<Work> ProcessGroup::allreduce_coalesced(std::vector<Tensor>&, const AllreduceCoalescedOptions&) {
  unsupported("allreduce_coalesced");
}
intrusive_ptr<Work> ProcessGroup::reduce(std::vector<Tensor>&, const ReduceOptions&) { unsupported("reduce"); }
intrusive_ptr<Work> ProcessGroup::allgather(std::vector<std::vector<Tensor>>&, std::vector<Tensor>&,
                                            const AllgatherOptions&) {
  unsupported("allgather");
}
intrusive_ptr<Work> ProcessGroup::_allgather_base(Tensor&, Tensor&, const AllgatherOptions&) {
  unsupported("_allgather_base");
}
intrusive_ptr<Work> ProcessGroup::gather(std::vector<std::vector<Tensor>>&, std::vector<Tensor>&, const GatherOptions&) {
  unsupported("gather");
}
intrusive_ptr<Work> ProcessGroup::scatter(std::vector<Tensor>&, std::vector<std::vector<Tensor>>&, const ScatterOptions&) {
  unsupported("scatter");
}
intrusive_ptr<Work> ProcessGroup::reduce_scatter(std::vector<Tensor>&, std::vector<std::vector<Tensor>>&,
                                                 const ReduceScatterOptions&) {
  unsupported("reduce_scatter");
}
intrusive_ptr<Work> ProcessGroup::alltoall_base(Tensor&, Tensor&, std::vector<int64_t>&, std::vector<int64_t>&,
                                                const AllToAllOptions&) {
  unsupported("alltoall_base");
}
intrusive_ptr<Work> ProcessGroup::alltoall(std::vector<Tensor>&, std::vector<Tensor>&, const AllToAllOptions&) {
  unsupported("alltoall");
}
intrusive_ptr<Work> ProcessGroup::send(std::vector<Tensor>&, int, int) { unsupported("send"); }
intrusive_ptr<Work> ProcessGroup::recv(std::vector<Tensor>&, int, int) { unsupported("recv"); }
intrusive_ptr<Work> ProcessGroup::recvAnysource(std::vector<Tensor>&, int) { unsupported("recvAnysource"); }
intrusive_ptr<Work> ProcessGroup::barrier(const BarrierOptions&) { unsupported("barrier"); }

}  // namespace distributed
}  // namespace ember
