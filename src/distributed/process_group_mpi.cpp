// ProcessGroupMPI: each collective is checked on the calling thread, queued, and run by the group's
// progress thread as non-blocking MPI calls polled against a deadline.
//
// Before every collective the ranks exchange a small signature (which collective, dtype, element
// count, root, reduce op) with one MPI_Iallgather, so a mismatch (different sizes, another
// collective) is an error on every rank rather than a hang or a silent wrong answer. A rank that
// never joins makes the collective time out; the group is unusable after that (a timed-out MPI
// collective cannot be cancelled), and every later call says so.
#include "ember/distributed/process_group_mpi.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <numeric>
#include <thread>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace distributed {
namespace {

using Clock = std::chrono::steady_clock;

// Every MPI call of the process goes through this lock, so MPI_THREAD_SERIALIZED suffices.
std::mutex g_mpi;

void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  fail("ProcessGroupMPI: ", what, " failed: ", std::string(text, static_cast<size_t>(len)));
}

void init_mpi_once() {
  std::lock_guard<std::mutex> lock(g_mpi);
  int finalized = 0;
  MPI_Finalized(&finalized);
  EMBER_CHECK(!finalized, "ProcessGroupMPI: MPI has already been finalized in this process");
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = 0;
  if (!initialized) {
    check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    std::atexit([] {
      std::lock_guard<std::mutex> exit_lock(g_mpi);
      int done = 0;
      MPI_Finalized(&done);
      if (!done) MPI_Finalize();
    });
  } else {
    MPI_Query_thread(&provided);
  }
  EMBER_CHECK(provided >= MPI_THREAD_SERIALIZED, "ProcessGroupMPI: MPI was initialized with thread support level ",
              provided, "; the process group needs MPI_THREAD_SERIALIZED or better (call MPI_Init_thread)");
}

// "float", "long int": the names LibTorch prints for dtypes.
std::string dtype_name(ScalarType t) { return detail::str_cat(TypeMeta(t)); }

MPI_Datatype mpi_type(ScalarType t) {
  switch (t) {
    case kFloat: return MPI_FLOAT;
    case kDouble: return MPI_DOUBLE;
    case kLong: return MPI_INT64_T;
    case kInt: return MPI_INT32_T;
    case kByte: return MPI_UINT8_T;
    case kBool: return MPI_C_BOOL;
    default: fail("ProcessGroupMPI: unsupported dtype ", dtype_name(t));
  }
}

const char* op_name(ReduceOp op) {
  switch (op.op_) {
    case ReduceOp::SUM: return "SUM";
    case ReduceOp::AVG: return "AVG";
    case ReduceOp::PRODUCT: return "PRODUCT";
    case ReduceOp::MIN: return "MIN";
    case ReduceOp::MAX: return "MAX";
    case ReduceOp::BAND: return "BAND";
    case ReduceOp::BOR: return "BOR";
    case ReduceOp::BXOR: return "BXOR";
    case ReduceOp::PREMUL_SUM: return "PREMUL_SUM";
    case ReduceOp::UNUSED: return "UNUSED";
  }
  return "?";
}

// The MPI operation for `op` on `dtype`, or an error naming the collective. AVG is a SUM followed
// by a division by the group size, so it needs a floating-point tensor. Bool tensors reduce
// logically: SUM, MAX and BOR are "any", PRODUCT, MIN and BAND "all", BXOR "odd count".
MPI_Op mpi_op(ReduceOp op, ScalarType dtype, const char* collective) {
  const bool is_float = dtype == kFloat || dtype == kDouble;
  if (dtype == kBool) {
    switch (op.op_) {
      case ReduceOp::SUM: case ReduceOp::MAX: case ReduceOp::BOR: return MPI_LOR;
      case ReduceOp::PRODUCT: case ReduceOp::MIN: case ReduceOp::BAND: return MPI_LAND;
      case ReduceOp::BXOR: return MPI_LXOR;
      default: break;
    }
  } else {
    switch (op.op_) {
      case ReduceOp::SUM: return MPI_SUM;
      case ReduceOp::AVG:
        if (is_float) return MPI_SUM;
        break;
      case ReduceOp::PRODUCT: return MPI_PROD;
      case ReduceOp::MIN: return MPI_MIN;
      case ReduceOp::MAX: return MPI_MAX;
      case ReduceOp::BAND: if (!is_float) return MPI_BAND; break;
      case ReduceOp::BOR: if (!is_float) return MPI_BOR; break;
      case ReduceOp::BXOR: if (!is_float) return MPI_BXOR; break;
      default: break;
    }
  }
  fail("ProcessGroupMPI ", collective, ": ReduceOp ", op_name(op), " is not supported for ", dtype_name(dtype), " tensors");
}

int checked_count(int64_t n, const char* collective) {
  EMBER_CHECK(n <= INT_MAX, "ProcessGroupMPI ", collective, ": ", n, " elements exceed MPI's count limit of ",
              INT_MAX, " per call");
  return static_cast<int>(n);
}

// A user tensor and the contiguous buffer MPI reads or writes: the tensor itself when it is
// contiguous, otherwise a packed copy (inputs) or a fresh buffer (outputs) copied back after.
struct Buffer {
  Tensor user, buf;
  static Buffer in(const Tensor& t) {
    NoGradGuard no_grad;
    return {t, t.is_contiguous() ? t : t.contiguous()};
  }
  static Buffer out(const Tensor& t) { return {t, t.is_contiguous() ? t : empty(t.sizes(), t.options())}; }
  void* ptr() const { return buf.data_ptr(); }
  void unpack() const {
    if (!buf.is_same(user)) user.copy_(buf);
  }
};

// One contiguous buffer holding `parts` one after another (packed on the calling thread).
Tensor concat_flat(const std::vector<Tensor>& parts) {
  NoGradGuard no_grad;
  std::vector<Tensor> flat;
  flat.reserve(parts.size());
  for (const auto& p : parts) flat.push_back(p.reshape({-1}));
  return cat(flat, 0);
}

// Copies consecutive pieces of `flat` into `parts` (on the progress thread).
void split_flat(const Tensor& flat, const std::vector<Tensor>& parts) {
  int64_t at = 0;
  for (const auto& p : parts) {
    p.copy_(flat.narrow(0, at, p.numel()).view(p.sizes()));
    at += p.numel();
  }
}

void check_defined(const Tensor& t, const char* collective) {
  EMBER_CHECK(t.defined(), "ProcessGroupMPI ", collective, ": the tensor is undefined");
  mpi_type(t.scalar_type());
}

void check_single(const std::vector<Tensor>& tensors, const char* collective) {
  EMBER_CHECK(tensors.size() == 1, "MPI process group does not support multi-GPU collectives (", collective, " got ",
              tensors.size(), " tensors, expected 1)");
  check_defined(tensors[0], collective);
}

void check_same(const Tensor& a, const Tensor& b, const char* collective) {
  check_defined(b, collective);
  EMBER_CHECK(a.scalar_type() == b.scalar_type() && a.numel() == b.numel(), "ProcessGroupMPI ", collective,
              ": tensors are not equal in size or data type (", a.sizes(), " ", dtype_name(a.scalar_type()), " vs ", b.sizes(),
              " ", dtype_name(b.scalar_type()), ")");
}

// What every rank must agree on before a collective runs.
struct Signature {
  int64_t op = 0, dtype = -1, numel = -1, root = -1, reduce = -1;
};
constexpr int kSigLen = 5;
// What goes on the wire: the signature, whether this rank's call was valid, and if not why (the
// start of its error message), so that every rank fails with the reason instead of waiting.
constexpr size_t kReasonLen = 256;
struct WireSignature {
  int64_t fields[kSigLen];
  int64_t valid;
  char reason[kReasonLen];
};

// Nesting depth of guarded calls on this thread (alltoall calls alltoall_base): only the
// outermost one announces a failure to the other ranks.
thread_local int t_guard_depth = 0;

}  // namespace

struct ProcessGroupMPI::Impl {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0, size = 0;
  std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout;

  struct Task {
    intrusive_ptr<Work> work;
    const char* name;
    std::chrono::milliseconds timeout;
    std::function<std::vector<Tensor>()> run;
    std::function<int()> source;  // recvAnysource's sender
  };
  std::mutex m;
  std::condition_variable cv;
  std::deque<Task> queue;
  bool stop = false;
  std::string broken;  // set once a collective times out
  std::thread worker;

  // The task being run (progress thread only).
  const char* current = "";
  Clock::time_point deadline;
  std::chrono::milliseconds current_timeout{0};

  void loop() {
    NoGradGuard no_grad;
    for (;;) {
      Task task;
      {
        // The next collective often follows at once (DDP's buckets, a wait() then the next call):
        // look for it for a moment, yielding, before sleeping until notified.
        const auto poll_until = Clock::now() + std::chrono::microseconds(200);
        while (Clock::now() < poll_until) {
          {
            std::lock_guard<std::mutex> poll(m);
            if (stop || !queue.empty()) break;
          }
          std::this_thread::yield();
        }
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return stop || !queue.empty(); });
        if (queue.empty()) return;
        task = std::move(queue.front());
        queue.pop_front();
      }
      try {
        EMBER_CHECK(broken.empty(), "ProcessGroupMPI ", task.name, ": the process group is unusable: ", broken);
        current = task.name;
        current_timeout = task.timeout;
        deadline = Clock::now() + task.timeout;
        std::vector<Tensor> outputs = task.run();
        task.work->finish(std::move(outputs), task.source ? task.source() : -1);
      } catch (...) {
        task.work->finishWithError(std::current_exception());
      }
    }
  }

  intrusive_ptr<Work> enqueue(OpType type, const char* name, std::chrono::milliseconds opt_timeout,
                              std::function<std::vector<Tensor>()> run, std::function<int()> source = nullptr) {
    auto work = make_intrusive<Work>(rank, type);
    const auto t = opt_timeout == kUnsetTimeout ? timeout : opt_timeout;
    EMBER_CHECK(t > std::chrono::milliseconds(0), "ProcessGroupMPI ", name, ": the timeout must be positive, got ",
                t.count(), " ms");
    {
      std::lock_guard<std::mutex> lock(m);
      queue.push_back(Task{work, name, t, std::move(run), std::move(source)});
    }
    cv.notify_one();
    return work;
  }

  // Polls `request` until it completes or the collective's deadline passes. A non-blocking MPI
  // collective advances only inside MPI calls, one step of its schedule per MPI_Test, so the polling
  // pace bounds its speed: spin first, then poll with a yield in between (a collective between ready
  // ranks runs at full speed), and after 2 ms (a rank is late, or the message is large) poll every
  // 50 us or so, which leaves the cores to the computation being overlapped.
  MPI_Status complete(MPI_Request& request) {
    MPI_Status status{};
    int spins = 0;
    const auto started = Clock::now();
    auto pause = std::chrono::microseconds(1);
    for (;;) {
      int done = 0;
      {
        std::lock_guard<std::mutex> lock(g_mpi);
        check_mpi(MPI_Test(&request, &done, &status), current);
      }
      if (done) return status;
      const auto now = Clock::now();
      if (now > deadline) {
        broken = detail::str_cat(current, " timed out after ", current_timeout.count(), " ms on rank ", rank, " of ",
                                 size, " (a rank of the group did not join it: it may have failed, or called "
                                 "another collective)");
        fail("ProcessGroupMPI ", broken);
      }
      if (++spins <= 200) continue;
      if (now - started < std::chrono::milliseconds(2)) {
        std::this_thread::yield();
        continue;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(50));
    }
  }

  template <typename Start>
  MPI_Status run_request(Start start) {
    MPI_Request request = MPI_REQUEST_NULL;
    {
      std::lock_guard<std::mutex> lock(g_mpi);
      check_mpi(start(&request), current);
    }
    return complete(request);
  }

  // Every rank's signature (rank-major), after checking that all ranks run the same collective on
  // matching tensors.
  // With `failure` set, this rank's call was invalid: the other ranks learn why and fail too.
  std::vector<int64_t> agree(const Signature& mine, const std::string* failure = nullptr) {
    WireSignature local{};
    const int64_t fields[kSigLen] = {mine.op, mine.dtype, mine.numel, mine.root, mine.reduce};
    std::copy(fields, fields + kSigLen, local.fields);
    local.valid = failure ? 0 : 1;
    if (failure) failure->copy(local.reason, kReasonLen - 1);
    std::vector<WireSignature> wire(static_cast<size_t>(size));
    run_request([&](MPI_Request* r) {
      return MPI_Iallgather(&local, sizeof(WireSignature), MPI_BYTE, wire.data(), sizeof(WireSignature), MPI_BYTE,
                            comm, r);
    });
    std::string failed;
    for (int r = 0; r < size; ++r) {
      const WireSignature& w = wire[static_cast<size_t>(r)];
      if (w.valid) continue;
      const std::string reason(w.reason, strnlen(w.reason, kReasonLen));
      failed += detail::str_cat(failed.empty() ? "" : "; ", "rank ", r, ": ", reason);
    }
    if (!failed.empty()) {
      if (failure) fail(*failure);
      fail("ProcessGroupMPI ", current, " on rank ", rank, ": the call failed on another rank (", failed, ")");
    }
    std::vector<int64_t> all(static_cast<size_t>(kSigLen) * size);
    for (int r = 0; r < size; ++r)
      std::copy(wire[static_cast<size_t>(r)].fields, wire[static_cast<size_t>(r)].fields + kSigLen,
                all.begin() + static_cast<std::ptrdiff_t>(r) * kSigLen);
    auto field = [&](int r, int f) { return all[static_cast<size_t>(r) * kSigLen + f]; };
    auto disagree = [&](int f, const char* what, auto show) {
      for (int r = 1; r < size; ++r) {
        if (field(r, f) == field(0, f)) continue;
        std::string per_rank;
        for (int q = 0; q < size; ++q) per_rank += detail::str_cat(q ? ", " : "", "rank ", q, ": ", show(field(q, f)));
        fail("ProcessGroupMPI ", current, ": ranks disagree on ", what, " (", per_rank, ")");
      }
    };
    disagree(0, "the collective", [](int64_t v) { return opTypeToString(static_cast<OpType>(v)); });
    disagree(1, "the dtype", [](int64_t v) { return dtype_name(static_cast<ScalarType>(v)); });
    disagree(2, "the number of elements", [](int64_t v) { return detail::str_cat(v); });
    disagree(3, "the root rank", [](int64_t v) { return detail::str_cat(v); });
    disagree(4, "the reduce op", [](int64_t v) { return std::string(op_name(ReduceOp(static_cast<ReduceOp::RedOpType>(v)))); });
    return all;
  }

  Signature sig(OpType type, const Tensor* t, int64_t root = -1, int64_t reduce = -1) const {
    Signature s;
    s.op = static_cast<int64_t>(type);
    if (t) {
      s.dtype = static_cast<int64_t>(t->scalar_type());
      s.numel = t->numel();
    }
    s.root = root;
    s.reduce = reduce;
    return s;
  }

  // Runs a collective's argument checks and enqueueing on the calling thread. When they throw, the
  // error still reaches the caller at once, and a stand-in joins the signature exchange of that
  // collective, so that the other ranks fail with this rank's reason instead of timing out.
  template <typename Body>
  intrusive_ptr<Work> guarded(OpType type, const char* name, Body&& body) {
    ++t_guard_depth;
    try {
      intrusive_ptr<Work> work = body();
      --t_guard_depth;
      return work;
    } catch (const std::exception& e) {
      if (--t_guard_depth == 0) {
        auto reason = std::make_shared<std::string>(e.what());
        enqueue(type, name, kUnsetTimeout, [this, type, reason]() -> std::vector<Tensor> {
          agree(sig(type, nullptr), reason.get());
          return {};
        });
      }
      throw;
    }
  }

  void check_rank(int64_t r, const char* collective, const char* what) const {
    EMBER_CHECK(r >= 0 && r < size, "ProcessGroupMPI ", collective, ": ", what, " ", r,
                " is out of range for a group of ", size, " ranks");
  }

  // AVG is SUM then a division by the group size.
  void finish_reduce(const Tensor& buf, ReduceOp op) const {
    if (op.op_ == ReduceOp::AVG) buf.div_(size);
  }
};

ProcessGroupMPI::ProcessGroupMPI(int rank, int size, std::unique_ptr<Impl> impl)
    : ProcessGroup(rank, size), impl_(std::move(impl)) {
  impl_->worker = std::thread([this] { impl_->loop(); });
}

ProcessGroupMPI::~ProcessGroupMPI() {
  {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
  std::lock_guard<std::mutex> lock(g_mpi);
  int finalized = 0;
  MPI_Finalized(&finalized);
  // A timed-out collective still holds the communicator; freeing it then could block.
  if (!finalized && impl_->broken.empty()) MPI_Comm_free(&impl_->comm);
}

intrusive_ptr<ProcessGroupMPI> ProcessGroupMPI::createProcessGroupMPI(std::vector<int> ranks) {
  return createProcessGroupMPI(std::move(ranks), kProcessGroupDefaultTimeout);
}

intrusive_ptr<ProcessGroupMPI> ProcessGroupMPI::createProcessGroupMPI(std::vector<int> ranks,
                                                                      std::chrono::milliseconds timeout) {
  EMBER_CHECK(timeout > std::chrono::milliseconds(0), "ProcessGroupMPI: the timeout must be positive, got ",
              timeout.count(), " ms");
  init_mpi_once();
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  {
    std::lock_guard<std::mutex> lock(g_mpi);
    int world = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    if (ranks.empty()) {
      check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &impl->comm), "MPI_Comm_dup");
    } else {
      std::vector<int> sorted = ranks;
      std::sort(sorted.begin(), sorted.end());
      for (size_t i = 0; i < sorted.size(); ++i) {
        EMBER_CHECK(sorted[i] >= 0 && sorted[i] < world, "ProcessGroupMPI: rank ", sorted[i],
                    " is out of range for MPI_COMM_WORLD of size ", world);
        EMBER_CHECK(i == 0 || sorted[i] != sorted[i - 1], "ProcessGroupMPI: rank ", sorted[i], " is listed twice");
      }
      MPI_Group world_group, group;
      check_mpi(MPI_Comm_group(MPI_COMM_WORLD, &world_group), "MPI_Comm_group");
      check_mpi(MPI_Group_incl(world_group, static_cast<int>(ranks.size()), ranks.data(), &group), "MPI_Group_incl");
      const int code = MPI_Comm_create(MPI_COMM_WORLD, group, &impl->comm);
      MPI_Group_free(&group);
      MPI_Group_free(&world_group);
      check_mpi(code, "MPI_Comm_create");
    }
    if (impl->comm == MPI_COMM_NULL) return {};
    MPI_Comm_set_errhandler(impl->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(impl->comm, &impl->rank);
    MPI_Comm_size(impl->comm, &impl->size);
  }
  const int rank = impl->rank, size = impl->size;
  return make_intrusive<ProcessGroupMPI>(rank, size, std::move(impl));
}

std::chrono::milliseconds ProcessGroupMPI::timeout() const { return impl_->timeout; }

void ProcessGroupMPI::abort() {
  std::lock_guard<std::mutex> lock(g_mpi);
  MPI_Abort(impl_->comm == MPI_COMM_NULL ? MPI_COMM_WORLD : impl_->comm, EXIT_FAILURE);
}

intrusive_ptr<Work> ProcessGroupMPI::broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts) {
  return impl_->guarded(OpType::BROADCAST, "broadcast", [&]() -> intrusive_ptr<Work> {
    check_single(tensors, "broadcast");
    impl_->check_rank(opts.rootRank, "broadcast", "rootRank");
    const int count = checked_count(tensors[0].numel(), "broadcast");
    Buffer b = Buffer::in(tensors[0]);
    Impl* im = impl_.get();
    const int root = static_cast<int>(opts.rootRank);
    return im->enqueue(OpType::BROADCAST, "broadcast", opts.timeout, [im, b, count, root] {
      im->agree(im->sig(OpType::BROADCAST, &b.user, root));
      const MPI_Datatype type = mpi_type(b.buf.scalar_type());
      im->run_request([&](MPI_Request* r) { return MPI_Ibcast(b.ptr(), count, type, root, im->comm, r); });
      b.unpack();
      return std::vector<Tensor>{b.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts) {
  return impl_->guarded(OpType::ALLREDUCE, "allreduce", [&]() -> intrusive_ptr<Work> {
    check_single(tensors, "allreduce");
    const MPI_Op op = mpi_op(opts.reduceOp, tensors[0].scalar_type(), "allreduce");
    const int count = checked_count(tensors[0].numel(), "allreduce");
    Buffer b = Buffer::in(tensors[0]);
    Impl* im = impl_.get();
    const ReduceOp reduce = opts.reduceOp;
    return im->enqueue(OpType::ALLREDUCE, "allreduce", opts.timeout, [im, b, count, op, reduce] {
      im->agree(im->sig(OpType::ALLREDUCE, &b.user, -1, reduce.op_));
      const MPI_Datatype type = mpi_type(b.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Iallreduce(MPI_IN_PLACE, b.ptr(), count, type, op, im->comm, r);
      });
      im->finish_reduce(b.buf, reduce);
      b.unpack();
      return std::vector<Tensor>{b.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::allreduce_coalesced(std::vector<Tensor>& tensors,
                                                         const AllreduceCoalescedOptions& opts) {
  return impl_->guarded(OpType::ALLREDUCE_COALESCED, "allreduce_coalesced", [&]() -> intrusive_ptr<Work> {
    EMBER_CHECK(!tensors.empty(), "ProcessGroupMPI allreduce_coalesced: requires at least one tensor");
    for (const auto& t : tensors) {
      check_defined(t, "allreduce_coalesced");
      EMBER_CHECK(t.scalar_type() == tensors[0].scalar_type(),
                  "ProcessGroupMPI allreduce_coalesced: all tensors must have the same dtype, got ",
                  dtype_name(tensors[0].scalar_type()), " and ", dtype_name(t.scalar_type()));
    }
    const MPI_Op op = mpi_op(opts.reduceOp, tensors[0].scalar_type(), "allreduce_coalesced");
    Tensor flat = concat_flat(tensors);
    const int count = checked_count(flat.numel(), "allreduce_coalesced");
    Impl* im = impl_.get();
    const ReduceOp reduce = opts.reduceOp;
    std::vector<Tensor> outs = tensors;
    return im->enqueue(OpType::ALLREDUCE_COALESCED, "allreduce_coalesced", opts.timeout,
                       [im, flat, outs, count, op, reduce] {
                         im->agree(im->sig(OpType::ALLREDUCE_COALESCED, &flat, -1, reduce.op_));
                         const MPI_Datatype type = mpi_type(flat.scalar_type());
                         im->run_request([&](MPI_Request* r) {
                           return MPI_Iallreduce(MPI_IN_PLACE, flat.data_ptr(), count, type, op, im->comm, r);
                         });
                         im->finish_reduce(flat, reduce);
                         split_flat(flat, outs);
                         return outs;
                       });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::reduce(std::vector<Tensor>& tensors, const ReduceOptions& opts) {
  return impl_->guarded(OpType::REDUCE, "reduce", [&]() -> intrusive_ptr<Work> {
    check_single(tensors, "reduce");
    impl_->check_rank(opts.rootRank, "reduce", "rootRank");
    const MPI_Op op = mpi_op(opts.reduceOp, tensors[0].scalar_type(), "reduce");
    const int count = checked_count(tensors[0].numel(), "reduce");
    Buffer b = Buffer::in(tensors[0]);
    Impl* im = impl_.get();
    const ReduceOp reduce = opts.reduceOp;
    const int root = static_cast<int>(opts.rootRank);
    return im->enqueue(OpType::REDUCE, "reduce", opts.timeout, [im, b, count, op, reduce, root] {
      im->agree(im->sig(OpType::REDUCE, &b.user, root, reduce.op_));
      const MPI_Datatype type = mpi_type(b.buf.scalar_type());
      const bool is_root = im->rank == root;
      im->run_request([&](MPI_Request* r) {
        return MPI_Ireduce(is_root ? MPI_IN_PLACE : b.ptr(), b.ptr(), count, type, op, root, im->comm, r);
      });
      if (is_root) {
        im->finish_reduce(b.buf, reduce);
        b.unpack();
      }
      return std::vector<Tensor>{b.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::allgather(std::vector<std::vector<Tensor>>& outputTensors,
                                               std::vector<Tensor>& inputTensors, const AllgatherOptions& opts) {
  return impl_->guarded(OpType::ALLGATHER, "allgather", [&]() -> intrusive_ptr<Work> {
    check_single(inputTensors, "allgather");
    EMBER_CHECK(outputTensors.size() == 1, "MPI process group does not support multi-GPU collectives (allgather got ",
                outputTensors.size(), " output lists, expected 1)");
    EMBER_CHECK(static_cast<int>(outputTensors[0].size()) == getSize(),
                "ProcessGroupMPI allgather: the number of output tensors (", outputTensors[0].size(),
                ") should equal the group size (", getSize(), ")");
    for (const auto& o : outputTensors[0]) check_same(inputTensors[0], o, "allgather");
    const int count = checked_count(inputTensors[0].numel(), "allgather");
    checked_count(inputTensors[0].numel() * getSize(), "allgather");
    Buffer in = Buffer::in(inputTensors[0]);
    Tensor flat = empty({inputTensors[0].numel() * getSize()}, inputTensors[0].options());
    std::vector<Tensor> outs = outputTensors[0];
    Impl* im = impl_.get();
    return im->enqueue(OpType::ALLGATHER, "allgather", opts.timeout, [im, in, flat, outs, count] {
      im->agree(im->sig(OpType::ALLGATHER, &in.user));
      const MPI_Datatype type = mpi_type(flat.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Iallgather(in.ptr(), count, type, flat.data_ptr(), count, type, im->comm, r);
      });
      split_flat(flat, outs);
      return outs;
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::_allgather_base(Tensor& outputBuffer, Tensor& inputBuffer,
                                                     const AllgatherOptions& opts) {
  return impl_->guarded(OpType::_ALLGATHER_BASE, "_allgather_base", [&]() -> intrusive_ptr<Work> {
    check_defined(inputBuffer, "_allgather_base");
    check_defined(outputBuffer, "_allgather_base");
    EMBER_CHECK(outputBuffer.scalar_type() == inputBuffer.scalar_type() &&
                    outputBuffer.numel() == inputBuffer.numel() * getSize(),
                "ProcessGroupMPI _allgather_base: the output must hold group size (", getSize(),
                ") times the input's elements of its dtype, got ", outputBuffer.sizes(), " ", dtype_name(outputBuffer.scalar_type()),
                " for input ", inputBuffer.sizes(), " ", dtype_name(inputBuffer.scalar_type()));
    const int count = checked_count(inputBuffer.numel(), "_allgather_base");
    checked_count(outputBuffer.numel(), "_allgather_base");
    Buffer in = Buffer::in(inputBuffer), out = Buffer::out(outputBuffer);
    Impl* im = impl_.get();
    return im->enqueue(OpType::_ALLGATHER_BASE, "_allgather_base", opts.timeout, [im, in, out, count] {
      im->agree(im->sig(OpType::_ALLGATHER_BASE, &in.user));
      const MPI_Datatype type = mpi_type(in.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Iallgather(in.ptr(), count, type, out.ptr(), count, type, im->comm, r);
      });
      out.unpack();
      return std::vector<Tensor>{out.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::gather(std::vector<std::vector<Tensor>>& outputTensors,
                                            std::vector<Tensor>& inputTensors, const GatherOptions& opts) {
  return impl_->guarded(OpType::GATHER, "gather", [&]() -> intrusive_ptr<Work> {
    check_single(inputTensors, "gather");
    impl_->check_rank(opts.rootRank, "gather", "rootRank");
    const bool is_root = getRank() == opts.rootRank;
    if (is_root) {
      EMBER_CHECK(outputTensors.size() == 1 && static_cast<int>(outputTensors[0].size()) == getSize(),
                  "ProcessGroupMPI gather: the root needs one list of group size (", getSize(), ") output tensors");
      for (const auto& o : outputTensors[0]) check_same(inputTensors[0], o, "gather");
    } else {
      EMBER_CHECK(outputTensors.empty() || (outputTensors.size() == 1 && outputTensors[0].empty()),
                  "ProcessGroupMPI gather: output tensors should be empty on a rank that is not the root");
    }
    const int count = checked_count(inputTensors[0].numel(), "gather");
    checked_count(inputTensors[0].numel() * getSize(), "gather");
    Buffer in = Buffer::in(inputTensors[0]);
    Tensor flat = is_root ? empty({inputTensors[0].numel() * getSize()}, inputTensors[0].options()) : Tensor();
    std::vector<Tensor> outs = is_root ? outputTensors[0] : std::vector<Tensor>{};
    Impl* im = impl_.get();
    const int root = static_cast<int>(opts.rootRank);
    return im->enqueue(OpType::GATHER, "gather", opts.timeout, [im, in, flat, outs, count, root] {
      im->agree(im->sig(OpType::GATHER, &in.user, root));
      const MPI_Datatype type = mpi_type(in.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Igather(in.ptr(), count, type, flat.defined() ? flat.data_ptr() : nullptr, count, type, root,
                           im->comm, r);
      });
      if (flat.defined()) split_flat(flat, outs);
      return outs;
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::scatter(std::vector<Tensor>& outputTensors,
                                             std::vector<std::vector<Tensor>>& inputTensors,
                                             const ScatterOptions& opts) {
  return impl_->guarded(OpType::SCATTER, "scatter", [&]() -> intrusive_ptr<Work> {
    check_single(outputTensors, "scatter");
    impl_->check_rank(opts.rootRank, "scatter", "rootRank");
    const bool is_root = getRank() == opts.rootRank;
    if (is_root) {
      EMBER_CHECK(inputTensors.size() == 1 && static_cast<int>(inputTensors[0].size()) == getSize(),
                  "ProcessGroupMPI scatter: the root needs one list of group size (", getSize(), ") input tensors");
      for (const auto& i : inputTensors[0]) check_same(outputTensors[0], i, "scatter");
    } else {
      EMBER_CHECK(inputTensors.empty() || (inputTensors.size() == 1 && inputTensors[0].empty()),
                  "ProcessGroupMPI scatter: input tensors should be empty on a rank that is not the root");
    }
    const int count = checked_count(outputTensors[0].numel(), "scatter");
    checked_count(outputTensors[0].numel() * getSize(), "scatter");
    Tensor flat = is_root ? concat_flat(inputTensors[0]) : Tensor();
    Buffer out = Buffer::out(outputTensors[0]);
    Impl* im = impl_.get();
    const int root = static_cast<int>(opts.rootRank);
    return im->enqueue(OpType::SCATTER, "scatter", opts.timeout, [im, flat, out, count, root] {
      im->agree(im->sig(OpType::SCATTER, &out.user, root));
      const MPI_Datatype type = mpi_type(out.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Iscatter(flat.defined() ? flat.data_ptr() : nullptr, count, type, out.ptr(), count, type, root,
                            im->comm, r);
      });
      out.unpack();
      return std::vector<Tensor>{out.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::reduce_scatter(std::vector<Tensor>& outputTensors,
                                                    std::vector<std::vector<Tensor>>& inputTensors,
                                                    const ReduceScatterOptions& opts) {
  return impl_->guarded(OpType::REDUCE_SCATTER, "reduce_scatter", [&]() -> intrusive_ptr<Work> {
    check_single(outputTensors, "reduce_scatter");
    EMBER_CHECK(inputTensors.size() == 1 && static_cast<int>(inputTensors[0].size()) == getSize(),
                "ProcessGroupMPI reduce_scatter: needs one list of group size (", getSize(), ") input tensors");
    for (const auto& i : inputTensors[0]) check_same(outputTensors[0], i, "reduce_scatter");
    const MPI_Op op = mpi_op(opts.reduceOp, outputTensors[0].scalar_type(), "reduce_scatter");
    const int count = checked_count(outputTensors[0].numel(), "reduce_scatter");
    checked_count(outputTensors[0].numel() * getSize(), "reduce_scatter");
    Tensor flat = concat_flat(inputTensors[0]);
    Buffer out = Buffer::out(outputTensors[0]);
    Impl* im = impl_.get();
    const ReduceOp reduce = opts.reduceOp;
    return im->enqueue(OpType::REDUCE_SCATTER, "reduce_scatter", opts.timeout, [im, flat, out, count, op, reduce] {
      im->agree(im->sig(OpType::REDUCE_SCATTER, &out.user, -1, reduce.op_));
      const MPI_Datatype type = mpi_type(out.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Ireduce_scatter_block(flat.data_ptr(), out.ptr(), count, type, op, im->comm, r);
      });
      im->finish_reduce(out.buf, reduce);
      out.unpack();
      return std::vector<Tensor>{out.user};
    });
  });
}

namespace {

// Element counts and displacements of an all-to-all, checked against every other rank's.
struct Exchange {
  std::vector<int> send_counts, send_displs, recv_counts, recv_displs;
};

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

}  // namespace

// Sends block j of the input to rank j and receives rank j's block for this rank into block j of the
// output. Blocks are rows of dim 0 (equal shares when the split sizes are empty).
intrusive_ptr<Work> ProcessGroupMPI::alltoall_base(Tensor& outputTensor, Tensor& inputTensor,
                                                   std::vector<int64_t>& outputSplitSizes,
                                                   std::vector<int64_t>& inputSplitSizes, const AllToAllOptions& opts) {
  return impl_->guarded(OpType::ALLTOALL_BASE, "alltoall_base", [&]() -> intrusive_ptr<Work> {
    check_defined(inputTensor, "alltoall_base");
    check_defined(outputTensor, "alltoall_base");
    EMBER_CHECK(inputTensor.scalar_type() == outputTensor.scalar_type(),
                "ProcessGroupMPI alltoall_base: input and output dtypes differ (", dtype_name(inputTensor.scalar_type()),
                " and ", dtype_name(outputTensor.scalar_type()), ")");
    const int n = getSize();
    auto counts = [&](const Tensor& t, const std::vector<int64_t>& splits, const char* which) {
      EMBER_CHECK(t.dim() >= 1, "ProcessGroupMPI alltoall_base: the ", which, " tensor needs at least one dimension");
      const int64_t rows = t.size(0);
      const int64_t row = rows == 0 ? 0 : t.numel() / rows;
      std::vector<int> c(static_cast<size_t>(n));
      if (splits.empty()) {
        EMBER_CHECK(rows % n == 0, "ProcessGroupMPI alltoall_base: the ", which, " tensor's first dimension (", rows,
                    ") must be divisible by the group size (", n, ") when no split sizes are given");
        for (auto& x : c) x = checked_count(rows / n * row, "alltoall_base");
      } else {
        EMBER_CHECK(static_cast<int>(splits.size()) == n, "ProcessGroupMPI alltoall_base: ", which, " split sizes have ",
                    splits.size(), " entries for a group of ", n, " ranks");
        int64_t sum = 0;
        for (int i = 0; i < n; ++i) {
          EMBER_CHECK(splits[i] >= 0, "ProcessGroupMPI alltoall_base: negative ", which, " split size ", splits[i]);
          sum += splits[i];
          c[i] = checked_count(splits[i] * row, "alltoall_base");
        }
        EMBER_CHECK(sum == rows, "ProcessGroupMPI alltoall_base: ", which, " split sizes sum to ", sum,
                    " but the tensor has ", rows, " rows");
      }
      checked_count(t.numel(), "alltoall_base");
      return c;
    };
    Exchange ex;
    ex.send_counts = counts(inputTensor, inputSplitSizes, "input");
    ex.recv_counts = counts(outputTensor, outputSplitSizes, "output");
    ex.send_displs = displacements(ex.send_counts);
    ex.recv_displs = displacements(ex.recv_counts);
    Buffer in = Buffer::in(inputTensor), out = Buffer::out(outputTensor);
    Impl* im = impl_.get();
    return im->enqueue(OpType::ALLTOALL_BASE, "alltoall_base", opts.timeout, [im, in, out, ex] {
      im->agree(im->sig(OpType::ALLTOALL_BASE, nullptr));
      // Every rank's send and receive counts, so that what i sends to j is what j expects from i.
      const int n = im->size;
      std::vector<int> mine(ex.send_counts);
      mine.insert(mine.end(), ex.recv_counts.begin(), ex.recv_counts.end());
      mine.push_back(static_cast<int>(in.buf.scalar_type()));
      std::vector<int> all(mine.size() * static_cast<size_t>(n));
      const int len = static_cast<int>(mine.size());
      im->run_request([&](MPI_Request* r) {
        return MPI_Iallgather(mine.data(), len, MPI_INT, all.data(), len, MPI_INT, im->comm, r);
      });
      for (int i = 0; i < n; ++i) {
        EMBER_CHECK(all[static_cast<size_t>(i) * len + 2 * n] == all[2 * n], "ProcessGroupMPI alltoall_base: ranks disagree on the dtype (rank 0: ",
                    dtype_name(static_cast<ScalarType>(all[2 * n])), ", rank ", i, ": ",
                    dtype_name(static_cast<ScalarType>(all[static_cast<size_t>(i) * len + 2 * n])), ")");
        for (int j = 0; j < n; ++j) {
          const int sent = all[static_cast<size_t>(i) * len + j], expected = all[static_cast<size_t>(j) * len + n + i];
          EMBER_CHECK(sent == expected, "ProcessGroupMPI alltoall_base: rank ", i, " sends ", sent,
                      " elements to rank ", j, ", which expects ", expected);
        }
      }
      const MPI_Datatype type = mpi_type(in.buf.scalar_type());
      im->run_request([&](MPI_Request* r) {
        return MPI_Ialltoallv(in.ptr(), ex.send_counts.data(), ex.send_displs.data(), type, out.ptr(),
                              ex.recv_counts.data(), ex.recv_displs.data(), type, im->comm, r);
      });
      out.unpack();
      return std::vector<Tensor>{out.user};
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::alltoall(std::vector<Tensor>& outputTensors, std::vector<Tensor>& inputTensors,
                                              const AllToAllOptions& opts) {
  return impl_->guarded(OpType::ALLTOALL, "alltoall", [&]() -> intrusive_ptr<Work> {
    const int n = getSize();
    EMBER_CHECK(static_cast<int>(inputTensors.size()) == n && static_cast<int>(outputTensors.size()) == n,
                "ProcessGroupMPI alltoall: needs group size (", n, ") input and output tensors, got ",
                inputTensors.size(), " and ", outputTensors.size());
    for (int i = 0; i < n; ++i) {
      check_defined(inputTensors[i], "alltoall");
      check_defined(outputTensors[i], "alltoall");
      EMBER_CHECK(inputTensors[i].scalar_type() == inputTensors[0].scalar_type() &&
                      outputTensors[i].scalar_type() == inputTensors[0].scalar_type(),
                  "ProcessGroupMPI alltoall: all tensors must have one dtype");
    }
    // The same exchange as alltoall_base over flat buffers, one row per element.
    std::vector<int64_t> in_splits, out_splits;
    for (int i = 0; i < n; ++i) {
      in_splits.push_back(inputTensors[i].numel());
      out_splits.push_back(outputTensors[i].numel());
    }
    Tensor in = concat_flat(inputTensors);
    int64_t out_total = std::accumulate(out_splits.begin(), out_splits.end(), int64_t{0});
    Tensor out = empty({out_total}, inputTensors[0].options());
    auto inner = alltoall_base(out, in, out_splits, in_splits, opts);
    // Unpacking waits for the flat exchange, on the progress thread, in queue order.
    std::vector<Tensor> outs = outputTensors;
    Impl* im = impl_.get();
    return im->enqueue(OpType::ALLTOALL, "alltoall", opts.timeout, [inner, out, outs] {
      inner->wait();
      split_flat(out, outs);
      return outs;
    });
  });
}

intrusive_ptr<Work> ProcessGroupMPI::send(std::vector<Tensor>& tensors, int dstRank, int tag) {
  check_single(tensors, "send");
  impl_->check_rank(dstRank, "send", "dstRank");
  EMBER_CHECK(tag >= 0, "ProcessGroupMPI send: the tag must be non-negative, got ", tag);
  const int count = checked_count(tensors[0].numel(), "send");
  Buffer b = Buffer::in(tensors[0]);
  Impl* im = impl_.get();
  return im->enqueue(OpType::SEND, "send", kUnsetTimeout, [im, b, count, dstRank, tag] {
    const MPI_Datatype type = mpi_type(b.buf.scalar_type());
    im->run_request([&](MPI_Request* r) { return MPI_Isend(b.ptr(), count, type, dstRank, tag, im->comm, r); });
    return std::vector<Tensor>{b.user};
  });
}

namespace {

std::vector<Tensor> receive(ProcessGroupMPI::Impl* im, const Buffer& b, int count, int source, int tag, int* from);

}  // namespace

intrusive_ptr<Work> ProcessGroupMPI::recv(std::vector<Tensor>& tensors, int srcRank, int tag) {
  check_single(tensors, "recv");
  impl_->check_rank(srcRank, "recv", "srcRank");
  EMBER_CHECK(tag >= 0, "ProcessGroupMPI recv: the tag must be non-negative, got ", tag);
  const int count = checked_count(tensors[0].numel(), "recv");
  Buffer b = Buffer::out(tensors[0]);
  Impl* im = impl_.get();
  return im->enqueue(OpType::RECV, "recv", kUnsetTimeout,
                     [im, b, count, srcRank, tag] { return receive(im, b, count, srcRank, tag, nullptr); });
}

intrusive_ptr<Work> ProcessGroupMPI::recvAnysource(std::vector<Tensor>& tensors, int tag) {
  check_single(tensors, "recvAnysource");
  EMBER_CHECK(tag >= 0, "ProcessGroupMPI recvAnysource: the tag must be non-negative, got ", tag);
  const int count = checked_count(tensors[0].numel(), "recvAnysource");
  Buffer b = Buffer::out(tensors[0]);
  Impl* im = impl_.get();
  auto from = std::make_shared<int>(-1);
  return im->enqueue(
      OpType::RECVANYSOURCE, "recvAnysource", kUnsetTimeout,
      [im, b, count, tag, from] { return receive(im, b, count, MPI_ANY_SOURCE, tag, from.get()); },
      [from] { return *from; });
}

namespace {

std::vector<Tensor> receive(ProcessGroupMPI::Impl* im, const Buffer& b, int count, int source, int tag, int* from) {
  const MPI_Datatype type = mpi_type(b.buf.scalar_type());
  MPI_Status status{};
  try {
    status = im->run_request([&](MPI_Request* r) { return MPI_Irecv(b.ptr(), count, type, source, tag, im->comm, r); });
  } catch (const Error&) {
    // MPI reports a message longer than the buffer as an error of the receive.
    if (!im->broken.empty()) throw;
    fail("ProcessGroupMPI recv: the message from rank ", source, " (tag ", tag, ") is longer than the ", count,
         " elements of the receiving tensor");
  }
  int got = 0;
  MPI_Get_count(&status, type, &got);
  EMBER_CHECK(got == count, "ProcessGroupMPI recv: expected ", count, " elements from rank ", status.MPI_SOURCE,
              " (tag ", tag, "), got ", got);
  if (from) *from = status.MPI_SOURCE;
  b.unpack();
  return {b.user};
}

}  // namespace

intrusive_ptr<Work> ProcessGroupMPI::barrier(const BarrierOptions& opts) {
  return impl_->guarded(OpType::BARRIER, "barrier", [&]() -> intrusive_ptr<Work> {
    Impl* im = impl_.get();
    return im->enqueue(OpType::BARRIER, "barrier", opts.timeout, [im] {
      im->agree(im->sig(OpType::BARRIER, nullptr));
      im->run_request([&](MPI_Request* r) { return MPI_Ibarrier(im->comm, r); });
      return std::vector<Tensor>{};
    });
  });
}

}  // namespace distributed
}  // namespace ember
