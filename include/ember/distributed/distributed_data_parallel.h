// DistributedDataParallel: PyTorch's DDP for C++ (LibTorch has none). Wraps a module; every rank
// starts from rank 0's parameters and buffers, and each backward pass all-reduces the gradients in
// size-bounded buckets while the rest of the backward pass runs, leaving in every param.grad the
// average over the ranks.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/distributed/process_group.h"

namespace ember {
namespace nn {
class Module;
}
namespace distributed {

struct DistributedDataParallelOptions {
  // Gradients are reduced in buckets of about this many MiB (PyTorch's bucket_cap_mb): larger ones
  // make fewer, more efficient collectives; smaller ones start communicating earlier in backward.
  DistributedDataParallelOptions& bucket_cap_mb(double v) { return bucket_cap_mb_ = v, *this; }
  // Broadcast rank 0's buffers (batch-norm statistics) at the start of each forward (PyTorch's
  // broadcast_buffers, on by default).
  DistributedDataParallelOptions& broadcast_buffers(bool v) { return broadcast_buffers_ = v, *this; }
  double bucket_cap_mb() const { return bucket_cap_mb_; }
  bool broadcast_buffers() const { return broadcast_buffers_; }

 private:
  double bucket_cap_mb_ = 25;
  bool broadcast_buffers_ = true;
};

// The module-independent part: the gradient buckets, the hooks and the collectives.
//
// How a step runs: forward() broadcasts rank 0's buffers (when the previous forward ran with grad
// enabled and outside no_sync, as PyTorch does), then calls the module. In backward, a hook on each
// parameter runs once its .grad is final (a post-accumulate-grad hook); it copies the gradient into
// its bucket, and a bucket whose parameters are all ready is all-reduced on the process group's
// progress thread while backward goes on. Buckets start in one fixed order on every rank (a ready
// bucket waits for the ones before it), so collectives always pair up. At the end of the backward
// pass (an engine callback) the remaining buckets are sent, all are waited for, and each param.grad
// receives the average over the ranks; when backward() returns, the gradients are ready for the
// optimizer.
//
// A parameter that receives no gradient in a pass (unused by this rank's forward) counts as zero
// towards the average; its .grad is set when any rank produced a gradient for it and stays
// undefined when none did, so no rank waits for a gradient that never comes (PyTorch needs
// find_unused_parameters=True for this; here it is always on, at the cost of one flag per
// parameter in each bucket).
class DistributedDataParallelBase {
 public:
  DistributedDataParallelBase(std::shared_ptr<nn::Module> module, intrusive_ptr<ProcessGroup> process_group,
                              DistributedDataParallelOptions options = {});
  virtual ~DistributedDataParallelBase();
  DistributedDataParallelBase(const DistributedDataParallelBase&) = delete;
  DistributedDataParallelBase& operator=(const DistributedDataParallelBase&) = delete;

  // While the guard lives, backward passes only accumulate into param.grad locally; the first
  // backward after it reduces the accumulated gradients (PyTorch's `with ddp.no_sync():`).
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallelBase& ddp);
    ~NoSyncGuard();
    NoSyncGuard(NoSyncGuard&& other) noexcept;
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(NoSyncGuard&&) = delete;

   private:
    DistributedDataParallelBase* ddp_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*this); }

  const intrusive_ptr<ProcessGroup>& process_group() const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  // The parameters of each bucket, as indices into parameters() (those that require grad), in the
  // order the buckets are reduced.
  std::vector<std::vector<size_t>> bucket_indices() const;
  // Broadcasts rank 0's buffers to every rank now (forward does this itself).
  void sync_buffers();

 protected:
  // Called by forward before the module runs.
  void pre_forward();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `ModuleType` is a module holder (`Net`, from TORCH_MODULE) or a std::shared_ptr to a module;
// forward(args...) and operator() call the module's own forward.
template <typename ModuleType>
class DistributedDataParallel : public DistributedDataParallelBase {
 public:
  DistributedDataParallel(ModuleType module, intrusive_ptr<ProcessGroup> process_group,
                          DistributedDataParallelOptions options = {})
      : DistributedDataParallelBase(as_module(module), std::move(process_group), options), module_(std::move(module)) {}

  template <typename... Args>
  decltype(auto) forward(Args&&... args) {
    pre_forward();
    return module_->forward(std::forward<Args>(args)...);
  }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) {
    return forward(std::forward<Args>(args)...);
  }
  ModuleType& module() { return module_; }
  const ModuleType& module() const { return module_; }

 private:
  template <typename M>
  static std::shared_ptr<nn::Module> as_module(const std::shared_ptr<M>& m) {
    return m;
  }
  template <typename Holder, typename = typename Holder::ContainedType>
  static std::shared_ptr<nn::Module> as_module(const Holder& h) {
    return h.ptr();
  }
  ModuleType module_;
};

}  // namespace distributed
}  // namespace ember
