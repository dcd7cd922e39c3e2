// ProcessGroupMPI's collectives: each is checked on the calling thread, then queued to the group's
// progress thread (process_group_mpi_progress.cpp), which agrees on its signature with the other
// ranks and runs it as non-blocking MPI calls polled against a deadline.
#include "ember/distributed/process_group_mpi.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <numeric>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "process_group_mpi_impl.h"

namespace ember {
namespace distributed {

using namespace mpi_detail;

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
  // A thread waiting on a Work may still be running the last task.
  std::lock_guard<std::mutex> run(impl_->run_mutex);
  std::lock_guard<std::mutex> lock(g_mpi);
  int finalized = 0;
  MPI_Finalized(&finalized);
  // A timed-out collective still holds the communicator; freeing it then could block.
  if (!finalized && impl_->broken.empty()) {
    MPI_Comm_free(&impl_->ring_comm);
    MPI_Comm_free(&impl_->comm);
  }
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
    check_mpi(MPI_Comm_dup(impl->comm, &impl->ring_comm), "MPI_Comm_dup");
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
      im->allreduce(b.ptr(), count, b.buf.scalar_type(), op);
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
                         im->allreduce(flat.data_ptr(), count, flat.scalar_type(), op);
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
      // mine, then everyone's; both outlive a timeout, when the allgather stays posted on them.
      auto counts = std::make_shared<std::pair<std::vector<int>, std::vector<int>>>();
      std::vector<int>& mine = counts->first;
      std::vector<int>& all = counts->second;
      mine = ex.send_counts;
      mine.insert(mine.end(), ex.recv_counts.begin(), ex.recv_counts.end());
      mine.push_back(static_cast<int>(in.buf.scalar_type()));
      all.resize(mine.size() * static_cast<size_t>(n));
      const int len = static_cast<int>(mine.size());
      try {
        im->run_request([&](MPI_Request* r) {
          return MPI_Iallgather(mine.data(), len, MPI_INT, all.data(), len, MPI_INT, im->comm, r);
        });
      } catch (...) {
        im->keep_if_broken(counts);
        throw;
      }
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
