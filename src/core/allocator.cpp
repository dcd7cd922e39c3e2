// The caching CPU allocator: 64-byte aligned blocks kept in power-of-two size classes for reuse.
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/storage.h"

namespace ember {
namespace {

// Under AddressSanitizer every block goes back to the system so use-after-free is caught.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

constexpr size_t kAlign = 64;
constexpr int kClasses = 28;                   // 64 B .. 4 GiB
constexpr size_t kLargestCached = size_t(1) << 26;  // blocks past 64 MiB go straight back
constexpr size_t kCacheLimit = size_t(1) << 30;     // at most 1 GiB held in free lists

int size_class(size_t nbytes) {
  size_t c = kAlign;
  int k = 0;
  while (c < nbytes) {
    c <<= 1;
    ++k;
  }
  return k;
}

struct Cache {
  std::mutex mu;
  std::vector<void*> free_lists[kClasses];
  size_t held = 0;
  ~Cache() {
    for (auto& l : free_lists)
      for (void* p : l) std::free(p);
  }
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: tensors may outlive static destruction
  return *c;
}

void* raw_alloc(size_t bytes) {
  void* p = std::aligned_alloc(kAlign, bytes);
  if (!p) fail("DefaultCPUAllocator: not enough memory: you tried to allocate ", bytes, " bytes.");
  return p;
}

}  // namespace

void* cpu_allocate(size_t nbytes) {
  if (kSanitized || nbytes > kLargestCached) return raw_alloc((nbytes + kAlign - 1) / kAlign * kAlign);
  int k = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    auto& l = c.free_lists[k];
    if (!l.empty()) {
      void* p = l.back();
      l.pop_back();
      c.held -= kAlign << k;
      return p;
    }
  }
  return raw_alloc(kAlign << k);
}

void cpu_free(void* p, size_t nbytes) {
  if (kSanitized || nbytes > kLargestCached) {
    std::free(p);
    return;
  }
  int k = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.held + (kAlign << k) <= kCacheLimit) {
      c.free_lists[k].push_back(p);
      c.held += kAlign << k;
      return;
    }
  }
  std::free(p);
}

StorageImpl::StorageImpl(size_t nbytes)
    : data_(nbytes == 0                                  ? nullptr
            : !kSanitized && nbytes <= sizeof(inline_) ? static_cast<void*>(inline_)
                                                         : cpu_allocate(nbytes)),
      nbytes_(nbytes) {}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  for (auto& l : c.free_lists) {
    for (void* p : l) std::free(p);
    l.clear();
  }
  c.held = 0;
}

}  // namespace ember
