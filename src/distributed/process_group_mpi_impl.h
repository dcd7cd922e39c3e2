// Private to the MPI process group: the MPI helpers, the signature exchange and the progress thread
// (process_group_mpi_progress.cpp), shared with the collectives (process_group_mpi.cpp).
#pragma once

#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/distributed/process_group_mpi.h"

namespace ember {
namespace distributed {
namespace mpi_detail {

using Clock = std::chrono::steady_clock;

// Every MPI call of the process goes through this lock, so MPI_THREAD_SERIALIZED suffices.
extern std::mutex g_mpi;

void check_mpi(int code, const char* what);
void init_mpi_once();
// "float", "long int": the names LibTorch prints for dtypes.
std::string dtype_name(ScalarType t);
MPI_Datatype mpi_type(ScalarType t);
const char* op_name(ReduceOp op);
MPI_Op mpi_op(ReduceOp op, ScalarType dtype, const char* collective);
int checked_count(int64_t n, const char* collective);
Tensor concat_flat(const std::vector<Tensor>& parts);
void split_flat(const Tensor& flat, const std::vector<Tensor>& parts);
void check_defined(const Tensor& t, const char* collective);
void check_single(const std::vector<Tensor>& tensors, const char* collective);
void check_same(const Tensor& a, const Tensor& b, const char* collective);

// A user tensor and the contiguous buffer MPI reads or writes: the tensor itself when it is
// contiguous, otherwise a packed copy (inputs) or a fresh buffer (outputs) copied back after.
struct Buffer {
  Tensor user, buf;
  static Buffer in(const Tensor& t);
  static Buffer out(const Tensor& t);
  void* ptr() const { return buf.data_ptr(); }
  void unpack() const {
    if (!buf.is_same(user)) user.copy_(buf);
  }
};

// What every rank must agree on before a collective runs.
struct Signature {
  int64_t op = 0, dtype = -1, numel = -1, root = -1, reduce = -1;
};

// Never freed: memory that posted MPI operations of a timed-out collective may still touch.
void keep_until_exit(std::shared_ptr<const void> owned);

// Nesting depth of guarded calls on this thread (alltoall calls alltoall_base): only the
// outermost one announces a failure to the other ranks.
extern thread_local int t_guard_depth;

}  // namespace mpi_detail

// A Work that, waited on without a time limit, runs its own collective on the waiting thread if the
// progress thread has not started it (ProcessGroupMPI::Impl::run_until).
class WorkMPI : public Work {
 public:
  WorkMPI(int rank, OpType type, std::weak_ptr<ProcessGroupMPI::Impl> group)
      : Work(rank, type), group_(std::move(group)) {}
  bool wait(std::chrono::milliseconds timeout = kNoTimeout) override;

 private:
  std::weak_ptr<ProcessGroupMPI::Impl> group_;
};

struct ProcessGroupMPI::Impl : std::enable_shared_from_this<ProcessGroupMPI::Impl> {
  MPI_Comm comm = MPI_COMM_NULL;
  // A duplicate of comm for the point-to-point messages of ring_allreduce, so that they can never
  // match the user's send/recv.
  MPI_Comm ring_comm = MPI_COMM_NULL;
  int rank = 0, size = 0;
  std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout;

  struct Task {
    intrusive_ptr<Work> work;
    const char* name;
    std::chrono::milliseconds timeout;
    std::function<std::vector<Tensor>()> run;
    std::function<int()> source;  // recvAnysource's sender
  };
  std::mutex m;  // guards queue and stop
  std::condition_variable cv;
  std::deque<Task> queue;
  bool stop = false;
  std::thread worker;

  // Held by whichever thread runs tasks: the progress thread, or a thread waiting on a Work that
  // nobody has started yet (see run_until). Tasks leave the queue only under it, so they run one at
  // a time and in queue order, the same order on every rank. The members below are its to use.
  std::mutex run_mutex;
  const char* current = "";  // the running task's name
  mpi_detail::Clock::time_point deadline;
  std::chrono::milliseconds current_timeout{0};
  std::string broken;  // set once a collective times out
  // Called with what the running collective's MPI operations read or write (its tensors, its
  // scratch and signature buffers) as it fails: after a timeout they may still be posted, so this
  // keeps them until the process ends, and a late message lands in memory that is still ours.
  void keep_if_broken(std::shared_ptr<const void> owned) {
    if (!broken.empty()) mpi_detail::keep_until_exit(std::move(owned));
  }

  // The progress thread's loop: runs queued tasks in order until stop.
  void loop();
  // Runs one task (run_mutex held), completing its Work with the outputs or the error.
  void run_task(Task& task);
  // Called by a thread about to wait for `work` without a time limit: when no other thread is
  // running tasks, runs the queue up to and including `work` on the calling thread. A collective
  // that the caller waits for at once then never passes between threads, which on busy cores costs
  // a scheduler round each way.
  void run_until(const Work* work);
  intrusive_ptr<Work> enqueue(OpType type, const char* name, std::chrono::milliseconds opt_timeout,
                              std::function<std::vector<Tensor>()> run, std::function<int()> source = nullptr);
  // Polls `requests` until all complete or the collective's deadline passes.
  void complete(int n, MPI_Request* requests, MPI_Status* statuses);

  template <typename Start>
  MPI_Status run_request(Start start) {
    MPI_Request request = MPI_REQUEST_NULL;
    {
      std::lock_guard<std::mutex> lock(mpi_detail::g_mpi);
      mpi_detail::check_mpi(start(&request), current);
    }
    MPI_Status status{};
    complete(1, &request, &status);
    return status;
  }

  // In-place allreduce of `count` elements at `data`: ring_allreduce where it applies, else
  // MPI_Iallreduce, polled against the deadline either way.
  void allreduce(void* data, int count, ScalarType dtype, MPI_Op op);
  // Reduce-scatter then allgather around the ring of ranks, from point-to-point messages and
  // MPI_Reduce_local (MPI's own vectorised reduction). Each block is reduced once, along one chain,
  // and then copied, so every rank gets bit-identical results.
  void ring_allreduce(char* data, int count, int elem_size, MPI_Datatype type, MPI_Op op);

  // Every rank's signature (rank-major), after checking that all ranks run the same collective on
  // matching tensors. With `failure` set, this rank's call was invalid: the other ranks learn why
  // and fail too.
  std::vector<int64_t> agree(const mpi_detail::Signature& mine, const std::string* failure = nullptr);
  mpi_detail::Signature sig(OpType type, const Tensor* t, int64_t root = -1, int64_t reduce = -1) const;

  // Runs a collective's argument checks and enqueueing on the calling thread. When they throw, the
  // error still reaches the caller at once, and a stand-in joins the signature exchange of that
  // collective, so that the other ranks fail with this rank's reason instead of timing out.
  template <typename Body>
  intrusive_ptr<Work> guarded(OpType type, const char* name, Body&& body) {
    ++mpi_detail::t_guard_depth;
    try {
      intrusive_ptr<Work> work = body();
      --mpi_detail::t_guard_depth;
      return work;
    } catch (const std::exception& e) {
      if (--mpi_detail::t_guard_depth == 0) {
        auto reason = std::make_shared<std::string>(e.what());
        enqueue(type, name, kUnsetTimeout, [this, type, reason]() -> std::vector<Tensor> {
          agree(sig(type, nullptr), reason.get());
          return {};
        });
      }
      throw;
    }
  }

  void check_rank(int64_t r, const char* collective, const char* what) const;
  // AVG is SUM then a division by the group size.
  void finish_reduce(const Tensor& buf, ReduceOp op) const {
    if (op.op_ == ReduceOp::AVG) buf.div_(size);
  }
};

}  // namespace distributed
}  // namespace ember
