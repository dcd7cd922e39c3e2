// TensorImpl: storage, offset, sizes and strides (inline), dtype, and a slot for autograd metadata.
#pragma once
#include <atomic>
#include <memory>

#include "ember/core/dtype.h"
#include "ember/core/intrusive_ptr.h"
#include "ember/core/shape.h"
#include "ember/core/storage.h"

namespace ember {

// Implemented by the autograd layer; core only owns it.
struct AutogradMetaInterface : Pooled {
  virtual ~AutogradMetaInterface() = default;
};

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Storage storage, ScalarType dtype, IntArrayRef sizes, IntArrayRef strides, int64_t offset)
      : storage_(std::move(storage)), offset_(offset), sizes_(sizes), strides_(strides), dtype_(dtype) {
    refresh();
  }
  // A new contiguous tensor of `sizes`, memory uninitialized.
  TensorImpl(ScalarType dtype, IntArrayRef sizes);

  const Storage& storage() const { return storage_; }
  int64_t storage_offset() const { return offset_; }
  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  ScalarType dtype() const { return dtype_; }
  bool is_contiguous() const { return is_contiguous_; }
  char* data() const {
    // An empty storage has no buffer; a view into it (e.g. a group of an empty batch) has none either.
    char* base = static_cast<char*>(storage_->data());
    return base ? base + offset_ * static_cast<int64_t>(element_size(dtype_)) : nullptr;
  }
  // Re-points this impl at new geometry (used by in-place shape changes such as squeeze_).
  void set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
    sizes_ = sizes;
    strides_ = strides;
    offset_ = offset;
    refresh();
  }
  void set_storage(Storage s, ScalarType dtype, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
    storage_ = std::move(s);
    dtype_ = dtype;
    set_geometry(sizes, strides, offset);
  }

  // A zero-dim tensor made from a C++ number (a "wrapped number" in PyTorch's promotion rules).
  bool is_wrapped_number() const { return wrapped_number_; }
  void set_wrapped_number(bool v) { wrapped_number_ = v; }
  // Made by a view op over another tensor's storage (Tensor::is_view).
  bool is_view() const { return is_view_; }
  void set_is_view(bool v) { is_view_ = v; }
  // The tensor whose storage this view shares (the root one), recorded by every view op, whether
  // or not anything requires grad: an in-place op on the view that brings in a tensor requiring
  // grad makes that base part of the graph (autograd::set_view_base). Kept here, not in the
  // autograd metadata, so a view of a tensor outside the graph allocates nothing more.
  TensorImpl* view_base() const { return view_base_.get(); }
  // `made_in_no_grad`: the view (or the view it was taken from) was made with grad mode off, so an
  // in-place op on it with grad mode on is refused, as in PyTorch (CreationMeta::NO_GRAD_MODE).
  // `multi_output`: it is (or was taken from) one of several views one op returned (split, chunk,
  // unbind), which PyTorch refuses to modify in place when that would be recorded
  // (CreationMeta::MULTI_OUTPUT_NODE). At most one of the two is set. `made_in_inference`: made in
  // inference mode (CreationMeta::INFERENCE_MODE), which also sets `made_in_no_grad` and only
  // changes the words of the error.
  void set_view_base(intrusive_ptr<TensorImpl> base, bool made_in_no_grad, bool multi_output, bool made_in_inference) {
    view_base_ = std::move(base);
    view_made_in_no_grad_ = made_in_no_grad;
    view_multi_output_ = multi_output;
    view_made_in_inference_ = made_in_inference;
    set_view_version(storage_->version());
  }
  bool view_made_in_no_grad() const { return view_made_in_no_grad_; }
  bool view_multi_output() const { return view_multi_output_; }
  bool view_made_in_inference() const { return view_made_in_inference_; }
  // The storage version at which a view's autograd history was last recorded. An in-place op on
  // the base or on another view of it moves the version on, and the view's history is then replayed
  // on the base's (autograd::refresh_view_history), as PyTorch's attr_version. Atomic (acquire /
  // release, plain loads and stores on x86) so that a thread seeing the new version sees the history
  // written before it.
  bool view_history_stale() const {
    return view_base_ && view_version_.load(std::memory_order_acquire) != storage_->version();
  }
  void set_view_version(uint32_t v) { view_version_.store(v, std::memory_order_release); }

  AutogradMetaInterface* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaInterface> m) { autograd_meta_ = std::move(m); }

 private:
  void refresh();
  // First, so that it sits in RefCounted's tail padding (after its 32-bit count): no bigger impl.
  std::atomic<uint32_t> view_version_{0};
  Storage storage_;
  int64_t offset_ = 0;
  DimVector sizes_;
  DimVector strides_;
  int64_t numel_ = 0;
  ScalarType dtype_;
  bool is_contiguous_ = true;
  bool wrapped_number_ = false;
  bool is_view_ = false;
  bool view_made_in_no_grad_ = false;
  bool view_multi_output_ = false;
  bool view_made_in_inference_ = false;
  std::unique_ptr<AutogradMetaInterface> autograd_meta_;
  intrusive_ptr<TensorImpl> view_base_;
};

}  // namespace ember
