// ProcessGroupMPI's machinery: the MPI helpers, the progress thread that runs queued collectives as
// non-blocking MPI calls polled against a deadline, the signature exchange, and the ring allreduce.
//
// Before every collective the ranks exchange a small signature (which collective, dtype, element
// count, root, reduce op) with one MPI_Iallgather, so a mismatch (different sizes, another
// collective) is an error on every rank rather than a hang or a silent wrong answer. A rank that
// never joins makes the collective time out; the group is unusable after that (a timed-out MPI
// collective cannot be cancelled), and every later call says so.
#include "process_group_mpi_impl.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace distributed {
namespace mpi_detail {

std::mutex g_mpi;
thread_local int t_guard_depth = 0;

namespace {
// OpenMPI 4.1's vectorised reductions (its `op/avx` component) add 8-bit integers with saturating
// instructions: MPI_SUM on MPI_UINT8_T gives 255 for 200 + 100 where PyTorch's uint8 sum wraps to
// 44 (MPI_PROD, and the wider types, wrap as they should). uint8 sums use this operation instead.
MPI_Op g_uint8_sum = MPI_OP_NULL;
void wrapping_uint8_sum(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const uint8_t*>(in);
  auto* b = static_cast<uint8_t*>(inout);
  for (int i = 0; i < *len; ++i) b[i] = static_cast<uint8_t>(a[i] + b[i]);
}
}  // namespace

void keep_until_exit(std::shared_ptr<const void> owned) {
  static std::mutex kept_mutex;
  static auto* kept = new std::vector<std::shared_ptr<const void>>;  // leaked on purpose
  std::lock_guard<std::mutex> lock(kept_mutex);
  kept->push_back(std::move(owned));
}

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
      if (done) return;
      if (g_uint8_sum != MPI_OP_NULL) MPI_Op_free(&g_uint8_sum);
      MPI_Finalize();
    });
  } else {
    MPI_Query_thread(&provided);
  }
  EMBER_CHECK(provided >= MPI_THREAD_SERIALIZED, "ProcessGroupMPI: MPI was initialized with thread support level ",
              provided, "; the process group needs MPI_THREAD_SERIALIZED or better (call MPI_Init_thread)");
  if (g_uint8_sum == MPI_OP_NULL) check_mpi(MPI_Op_create(wrapping_uint8_sum, 1, &g_uint8_sum), "MPI_Op_create");
}

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
      case ReduceOp::SUM: return dtype == kByte ? g_uint8_sum : MPI_SUM;
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

Buffer Buffer::in(const Tensor& t) {
  NoGradGuard no_grad;
  return {t, t.is_contiguous() ? t : t.contiguous()};
}

Buffer Buffer::out(const Tensor& t) { return {t, t.is_contiguous() ? t : empty(t.sizes(), t.options())}; }

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

// What goes on the wire: the signature, whether this rank's call was valid, and if not why (the
// start of its error message), so that every rank fails with the reason instead of waiting.
constexpr int kSigLen = 5;
constexpr size_t kReasonLen = 256;
struct WireSignature {
  int64_t fields[kSigLen];
  int64_t valid;
  char reason[kReasonLen];
};


}  // namespace mpi_detail

using namespace mpi_detail;

namespace {
// Set while this thread runs a task, so that a task waiting on an earlier Work (alltoall waits on
// its alltoall_base) does not try to run the queue again.
thread_local bool t_running_task = false;
}  // namespace

void ProcessGroupMPI::Impl::loop() {
  for (;;) {
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
      if (stop && queue.empty()) return;
    }
    std::lock_guard<std::mutex> run(run_mutex);
    Task task;
    {
      std::lock_guard<std::mutex> lock(m);
      if (queue.empty()) continue;  // a waiting thread ran it
      task = std::move(queue.front());
      queue.pop_front();
    }
    run_task(task);
  }
}

void ProcessGroupMPI::Impl::run_task(Task& task) {
  NoGradGuard no_grad;
  t_running_task = true;
  try {
    EMBER_CHECK(broken.empty(), "ProcessGroupMPI ", task.name, ": the process group is unusable: ", broken);
    current = task.name;
    current_timeout = task.timeout;
    deadline = Clock::now() + task.timeout;
    std::vector<Tensor> outputs = task.run();
    task.work->finish(std::move(outputs), task.source ? task.source() : -1);
  } catch (...) {
    // A collective that timed out may still have MPI operations posted on the tensors its task holds.
    keep_if_broken(std::make_shared<std::function<std::vector<Tensor>()>>(std::move(task.run)));
    task.work->finishWithError(std::current_exception());
  }
  t_running_task = false;
}

void ProcessGroupMPI::Impl::run_until(const Work* work) {
  if (t_running_task) return;
  std::unique_lock<std::mutex> run(run_mutex, std::try_to_lock);
  if (!run.owns_lock()) return;  // another thread is running tasks; it will get to this one
  {
    // Under run_mutex a Work that is still queued is not running anywhere; once it has left the
    // queue it has completed.
    std::lock_guard<std::mutex> lock(m);
    if (std::none_of(queue.begin(), queue.end(), [&](const Task& t) { return t.work.get() == work; })) return;
  }
  // It stays queued until this thread takes it: tasks leave the queue only under run_mutex, and
  // enqueue only appends. So the front is taken until it is `work`, with no further search.
  for (;;) {
    Task task;
    {
      std::lock_guard<std::mutex> lock(m);
      task = std::move(queue.front());
      queue.pop_front();
    }
    const bool last = task.work.get() == work;
    run_task(task);
    if (last) return;
  }
}

bool WorkMPI::wait(std::chrono::milliseconds timeout) {
  if (timeout == kNoTimeout && !isCompleted()) {
    if (auto group = group_.lock()) group->run_until(this);
  }
  return Work::wait(timeout);
}

intrusive_ptr<Work> ProcessGroupMPI::Impl::enqueue(OpType type, const char* name, std::chrono::milliseconds opt_timeout,
                                                   std::function<std::vector<Tensor>()> run,
                                                   std::function<int()> source) {
  auto work = make_intrusive<WorkMPI>(rank, type, weak_from_this());
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

// A non-blocking MPI operation advances only inside MPI calls, one step per MPI_Test, so the polling
// pace bounds its speed: spin first, then poll with a yield in between (a collective between ready
// ranks runs at full speed), and after 2 ms (a rank is late, or the message is large) poll every
// 50 us or so, which leaves the cores to the computation being overlapped.
void ProcessGroupMPI::Impl::complete(int n, MPI_Request* requests, MPI_Status* statuses) {
  int spins = 0;
  const auto started = Clock::now();
  auto pause = std::chrono::microseconds(1);
  for (;;) {
    int done = 0;
    {
      std::lock_guard<std::mutex> lock(g_mpi);
      check_mpi(MPI_Testall(n, requests, &done, statuses), current);
    }
    if (done) return;
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

void ProcessGroupMPI::Impl::allreduce(void* data, int count, ScalarType dtype, MPI_Op op) {
  const MPI_Datatype type = mpi_type(dtype);
  const int elem_size = static_cast<int>(element_size(dtype));
  // libnbc's MPI_Iallreduce reduces in place with a binomial tree below 4 ranks (one rank sends
  // everything, the other reduces and sends it all back), about 1.3-1.5x the time of the blocking
  // MPI_Allreduce from 1 MB up; the ring moves half as much per rank and matches MPI_Allreduce.
  // Small messages (latency-bound) and counts below the group size stay with MPI.
  if (size > 1 && count >= size && static_cast<int64_t>(count) * elem_size >= (int64_t{64} << 10)) {
    ring_allreduce(static_cast<char*>(data), count, elem_size, type, op);
    return;
  }
  run_request([&](MPI_Request* r) { return MPI_Iallreduce(MPI_IN_PLACE, data, count, type, op, comm, r); });
}

void ProcessGroupMPI::Impl::ring_allreduce(char* data, int count, int elem_size, MPI_Datatype type, MPI_Op op) {
  // Block b: elements [begin(b), begin(b + 1)), sizes differing by at most one.
  auto begin = [&](int b) { return static_cast<int>(static_cast<int64_t>(count) * b / size); };
  auto len = [&](int b) { return begin(b + 1) - begin(b); };
  auto at = [&](int b) { return data + static_cast<int64_t>(begin(b)) * elem_size; };
  const int right = (rank + 1) % size, left = (rank + size - 1) % size;
  // The largest block: floor and ceiling of count / size alternate.
  auto scratch =
      std::make_shared<std::vector<char>>(static_cast<size_t>((count + size - 1) / size) * static_cast<size_t>(elem_size));
  // One exchange: send block `out` to the right, receive the left's block into `into`.
  auto exchange = [&](int out, char* into, int into_len) {
    MPI_Request requests[2];
    {
      std::lock_guard<std::mutex> lock(g_mpi);
      check_mpi(MPI_Irecv(into, into_len, type, left, 0, ring_comm, &requests[0]), current);
      check_mpi(MPI_Isend(at(out), len(out), type, right, 0, ring_comm, &requests[1]), current);
    }
    MPI_Status statuses[2];
    complete(2, requests, statuses);
  };
  // Reduce-scatter: at step s this rank sends its partial sum of block (rank - s) and adds the
  // left's partial sum of block (rank - s - 1) into its own; after size - 1 steps it holds the
  // whole sum of block rank + 1.
  try {
    for (int s = 0; s < size - 1; ++s) {
      const int out = (rank - s + size) % size, in = (rank - s - 1 + size) % size;
      exchange(out, scratch->data(), len(in));
      std::lock_guard<std::mutex> lock(g_mpi);
      check_mpi(MPI_Reduce_local(scratch->data(), at(in), len(in), type, op), current);
    }
  } catch (...) {
    keep_if_broken(scratch);  // a receive into it may still be posted
    throw;
  }
  // Allgather: pass the finished blocks around the ring.
  for (int s = 0; s < size - 1; ++s) {
    const int out = (rank + 1 - s + size) % size, in = (rank - s + size) % size;
    exchange(out, at(in), len(in));
  }
}

std::vector<int64_t> ProcessGroupMPI::Impl::agree(const Signature& mine, const std::string* failure) {
  // Both buffers outlive a timeout: the allgather stays posted on them.
  struct Buffers {
    WireSignature local{};
    std::vector<WireSignature> wire;
  };
  auto buffers = std::make_shared<Buffers>();
  WireSignature& local = buffers->local;
  std::vector<WireSignature>& wire = buffers->wire;
  const int64_t fields[kSigLen] = {mine.op, mine.dtype, mine.numel, mine.root, mine.reduce};
  std::copy(fields, fields + kSigLen, local.fields);
  local.valid = failure ? 0 : 1;
  if (failure) failure->copy(local.reason, kReasonLen - 1);
  wire.resize(static_cast<size_t>(size));
  try {
    run_request([&](MPI_Request* r) {
      return MPI_Iallgather(&local, sizeof(WireSignature), MPI_BYTE, wire.data(), sizeof(WireSignature), MPI_BYTE,
                            comm, r);
    });
  } catch (...) {
    keep_if_broken(buffers);
    throw;
  }
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


Signature ProcessGroupMPI::Impl::sig(OpType type, const Tensor* t, int64_t root, int64_t reduce) const {
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


void ProcessGroupMPI::Impl::check_rank(int64_t r, const char* collective, const char* what) const {
  EMBER_CHECK(r >= 0 && r < size, "ProcessGroupMPI ", collective, ": ", what, " ", r,
              " is out of range for a group of ", size, " ranks");
}


}  // namespace distributed
}  // namespace ember
