// Storage: a refcounted block of bytes from the caching allocator (or a user's blob), with the
// version counter that every view of it shares.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>

#include "ember/core/intrusive_ptr.h"

namespace ember {

// Aligned to 64 bytes; freed blocks are kept by size class and handed out again, so a
// training step reuses memory instead of calling malloc each time.
void* cpu_allocate(size_t nbytes);
void cpu_free(void* p, size_t nbytes);
// Returns every cached block to the system.
void empty_cache();

namespace detail {
// This thread's inference mode (set by autograd::InferenceMode, read here so that core needs no
// autograd): storage allocated while it is on belongs to inference tensors.
bool inference_mode();
void set_inference_mode(bool on);
}  // namespace detail

class StorageImpl : public RefCounted {
 public:
  // Up to kInlineBytes (a scalar, a few values) live inside the object, so a scalar op allocates
  // no separate block (except under AddressSanitizer, which then sees every block's bounds).
  explicit StorageImpl(size_t nbytes);
  StorageImpl(void* data, size_t nbytes, std::function<void(void*)> deleter)
      : data_(data),
        nbytes_(nbytes),
        deleter_(std::move(deleter)),
        external_(true),
        inference_(detail::inference_mode()) {}
  StorageImpl(const StorageImpl&) = delete;
  StorageImpl& operator=(const StorageImpl&) = delete;
  ~StorageImpl() override {
    if (external_) {
      if (deleter_) deleter_(data_);
    } else if (data_ && data_ != inline_) {
      cpu_free(data_, nbytes_);
    }
  }
  static constexpr size_t kInlineBytes = 16;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  // In-place writes bump this; saved tensors remember it to detect modification.
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }
  // Allocated (or wrapped) in inference mode: every tensor on it, views included, is an inference
  // tensor (LibTorch: a non-view tensor made in inference mode, and every view of one).
  bool is_inference() const { return inference_; }

 private:
  void* data_;
  size_t nbytes_;
  std::function<void(void*)> deleter_;
  bool external_ = false;
  bool inference_;
  std::atomic<uint32_t> version_{0};
  alignas(16) unsigned char inline_[kInlineBytes];
};

using Storage = intrusive_ptr<StorageImpl>;

}  // namespace ember
