// DistributedDataParallel: gradient buckets filled by post-accumulate-grad hooks, all-reduced on the
// process group's progress thread while backward runs, and written back at the end of the pass.
#include "ember/distributed/distributed_data_parallel.h"

#include <algorithm>
#include <exception>

#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/nn/module.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace distributed {
namespace {

// Broadcasts `tensors` from rank 0 into every rank's tensors in place: one collective per dtype,
// over a flat buffer packing them all (the collective's size check catches modules that differ).
void broadcast_coalesced(ProcessGroup& pg, const std::vector<Tensor>& tensors, const char* what, const char* hint) {
  NoGradGuard no_grad;
  std::vector<ScalarType> dtypes;
  for (const auto& t : tensors)
    if (std::find(dtypes.begin(), dtypes.end(), t.scalar_type()) == dtypes.end()) dtypes.push_back(t.scalar_type());
  for (ScalarType dtype : dtypes) {
    std::vector<Tensor> parts;
    for (const auto& t : tensors)
      if (t.scalar_type() == dtype) parts.push_back(t.reshape({-1}));
    std::vector<Tensor> flat{cat(parts, 0)};
    try {
      pg.broadcast(flat)->wait();
    } catch (const std::exception& e) {
      fail("DistributedDataParallel: broadcasting rank 0's ", what, " failed", hint, ": ", e.what());
    }
    int64_t at = 0;
    for (const auto& t : tensors) {
      if (t.scalar_type() != dtype) continue;
      t.copy_(flat[0].narrow(0, at, t.numel()).view(t.sizes()));
      at += t.numel();
    }
  }
}

}  // namespace

struct DistributedDataParallelBase::Impl {
  std::shared_ptr<nn::Module> module;
  intrusive_ptr<ProcessGroup> pg;
  DistributedDataParallelOptions options;
  std::vector<Tensor> params;  // those that require grad, in the module's order
  std::vector<unsigned> hooks;

  // A bucket's flat buffer holds its parameters' gradients one after another, then one flag per
  // parameter: 1 where this rank has a gradient for it. After the SUM all-reduce the flags count the
  // ranks that had one.
  struct Bucket {
    std::vector<size_t> members;
    std::vector<int64_t> offsets;
    int64_t grad_numel = 0;
    Tensor flat;
    size_t pending = 0;
    intrusive_ptr<Work> work;
  };
  std::vector<Bucket> buckets;
  std::vector<size_t> bucket_of, position_in_bucket;
  std::vector<char> ready;
  size_t next_launch = 0;
  bool pass_active = false;
  int no_sync_depth = 0;
  bool require_forward_param_sync = true;

  void build_buckets() {
    const double cap_bytes = options.bucket_cap_mb() * 1024 * 1024;
    bucket_of.assign(params.size(), 0);
    position_in_bucket.assign(params.size(), 0);
    double bytes = 0;
    // Backward produces gradients roughly from the last layer to the first, so buckets are filled
    // in reverse parameter order (as PyTorch's first iteration does).
    for (size_t k = params.size(); k-- > 0;) {
      const Tensor& p = params[k];
      const bool fresh = buckets.empty() || bytes >= cap_bytes ||
                         params[buckets.back().members.front()].scalar_type() != p.scalar_type();
      if (fresh) {
        buckets.emplace_back();
        bytes = 0;
      }
      Bucket& b = buckets.back();
      bucket_of[k] = buckets.size() - 1;
      position_in_bucket[k] = b.members.size();
      b.members.push_back(k);
      b.offsets.push_back(b.grad_numel);
      b.grad_numel += p.numel();
      bytes += static_cast<double>(p.numel()) * static_cast<double>(p.element_size());
    }
    for (auto& b : buckets) {
      b.flat = zeros({b.grad_numel + static_cast<int64_t>(b.members.size())},
                     TensorOptions().dtype(params[b.members.front()].scalar_type()));
      b.pending = b.members.size();
    }
    ready.assign(params.size(), 0);
  }

  // Copies parameter k's gradient (zeros when it has none) into its bucket.
  void mark_ready(size_t k) {
    NoGradGuard no_grad;
    Bucket& b = buckets[bucket_of[k]];
    const size_t pos = position_in_bucket[k];
    const Tensor& grad = params[k].grad();
    Tensor slot = b.flat.narrow(0, b.offsets[pos], params[k].numel());
    if (grad.defined()) {
      slot.copy_(grad.reshape({-1}));
    } else {
      slot.zero_();
    }
    b.flat.narrow(0, b.grad_numel + static_cast<int64_t>(pos), 1).fill_(grad.defined() ? 1 : 0);
    ready[k] = 1;
    --b.pending;
  }

  // Starts every complete bucket whose predecessors have all started: the same order on every rank.
  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& b = buckets[next_launch++];
      std::vector<Tensor> t{b.flat};
      b.work = pg->allreduce(t);
    }
  }

  void on_grad_ready(size_t k) {
    if (no_sync_depth > 0) return;
    if (!pass_active) {
      pass_active = true;
      autograd::queue_callback([this] { finish_pass(); });
    }
    if (ready[k]) return;
    mark_ready(k);
    launch_ready();
  }

  // At the end of backward: unused parameters count as zero, the remaining buckets start, and every
  // gradient becomes the average over the ranks.
  void finish_pass() {
    std::exception_ptr error;
    try {
      for (size_t k = 0; k < params.size(); ++k)
        if (!ready[k]) mark_ready(k);
      launch_ready();
    } catch (...) {
      error = std::current_exception();
    }
    for (auto& b : buckets) {
      try {
        if (b.work) b.work->wait();
      } catch (...) {
        if (!error) error = std::current_exception();
      }
      b.work.reset();
      b.pending = b.members.size();
    }
    std::fill(ready.begin(), ready.end(), 0);
    next_launch = 0;
    pass_active = false;
    if (error) std::rethrow_exception(error);

    NoGradGuard no_grad;
    const int world = pg->getSize();
    for (auto& b : buckets) {
      b.flat.narrow(0, 0, b.grad_numel).div_(world);
      const Tensor counts = b.flat.narrow(0, b.grad_numel, static_cast<int64_t>(b.members.size())).to(kDouble).contiguous();
      const double* count = counts.data_ptr<double>();
      for (size_t pos = 0; pos < b.members.size(); ++pos) {
        if (count[pos] == 0) continue;  // no rank has a gradient: .grad stays as it is (undefined)
        const Tensor& p = params[b.members[pos]];
        Tensor average = b.flat.narrow(0, b.offsets[pos], p.numel()).view(p.sizes());
        Tensor& grad = p.mutable_grad();
        if (grad.defined()) {
          grad.copy_(average);
        } else {
          grad = average.clone();
        }
      }
    }
  }
};

DistributedDataParallelBase::DistributedDataParallelBase(std::shared_ptr<nn::Module> module,
                                                         intrusive_ptr<ProcessGroup> process_group,
                                                         DistributedDataParallelOptions options)
    : impl_(std::make_unique<Impl>()) {
  EMBER_CHECK(module != nullptr, "DistributedDataParallel: the module is null");
  EMBER_CHECK(process_group, "DistributedDataParallel: the process group is null");
  EMBER_CHECK(options.bucket_cap_mb() > 0, "DistributedDataParallel: bucket_cap_mb must be positive, got ",
              options.bucket_cap_mb());
  Impl& im = *impl_;
  im.module = std::move(module);
  im.pg = std::move(process_group);
  im.options = options;
  for (const auto& p : im.module->parameters())
    if (p.requires_grad()) im.params.push_back(p);
  EMBER_CHECK(!im.params.empty(),
              "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a "
              "gradient.");
  for (const auto& p : im.params)
    EMBER_CHECK(p.is_floating_point(), "DistributedDataParallel: parameter of dtype ", p.dtype(),
                " cannot be averaged over ranks");
  // Every rank starts from rank 0's state (PyTorch broadcasts parameters and buffers here too).
  std::vector<Tensor> state = im.module->parameters();
  for (const auto& b : im.module->buffers()) state.push_back(b);
  broadcast_coalesced(*im.pg, state, "parameters and buffers", " (do the ranks build the same module?)");
  im.build_buckets();
  Impl* raw = impl_.get();
  for (size_t k = 0; k < im.params.size(); ++k)
    im.hooks.push_back(
        autograd::register_post_accumulate_grad_hook(im.params[k], [raw, k](const Tensor&) { raw->on_grad_ready(k); }));
}

DistributedDataParallelBase::~DistributedDataParallelBase() {
  for (size_t k = 0; k < impl_->params.size(); ++k)
    autograd::remove_post_accumulate_grad_hook(impl_->params[k], impl_->hooks[k]);
}

DistributedDataParallelBase::NoSyncGuard::NoSyncGuard(DistributedDataParallelBase& ddp) : ddp_(&ddp) {
  ++ddp_->impl_->no_sync_depth;
}
DistributedDataParallelBase::NoSyncGuard::NoSyncGuard(NoSyncGuard&& other) noexcept : ddp_(other.ddp_) {
  other.ddp_ = nullptr;
}
DistributedDataParallelBase::NoSyncGuard::~NoSyncGuard() {
  if (ddp_) --ddp_->impl_->no_sync_depth;
}

const intrusive_ptr<ProcessGroup>& DistributedDataParallelBase::process_group() const { return impl_->pg; }

std::vector<Tensor> DistributedDataParallelBase::parameters(bool recurse) const {
  return impl_->module->parameters(recurse);
}

std::vector<std::vector<size_t>> DistributedDataParallelBase::bucket_indices() const {
  std::vector<std::vector<size_t>> out;
  for (const auto& b : impl_->buckets) out.push_back(b.members);
  return out;
}

void DistributedDataParallelBase::sync_buffers() {
  std::vector<Tensor> buffers = impl_->module->buffers();
  if (!buffers.empty() && impl_->pg->getSize() > 1) broadcast_coalesced(*impl_->pg, buffers, "buffers", "");
}

void DistributedDataParallelBase::pre_forward() {
  Impl& im = *impl_;
  EMBER_CHECK(!im.pass_active,
              "DistributedDataParallel: the previous backward pass stopped before its gradients were reduced (it "
              "threw), so the ranks are no longer in step");
  // As PyTorch: buffers are broadcast unless the previous forward ran without grad or in no_sync.
  if (im.require_forward_param_sync && im.options.broadcast_buffers()) sync_buffers();
  im.require_forward_param_sync = GradMode::is_enabled() && im.no_sync_depth == 0;
}

}  // namespace distributed
}  // namespace ember
