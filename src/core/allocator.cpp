// The caching CPU allocator: 64-byte aligned blocks kept in power-of-two size classes for reuse;
// and the per-thread cache of small blocks behind Pooled.
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/pooled.h"
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

// The per-thread block cache behind Pooled: a free list per 16-byte size class up to 1 KiB, each
// holding at most 64 blocks. A block freed on another thread joins that thread's lists. Trivially
// destructible, so reaching it needs no guard; the reaper, armed by a thread's first cached
// allocation, gives the blocks back when the thread ends (later frees go straight to the system).
constexpr size_t kPoolGranule = 16;
constexpr size_t kPoolLargest = 1024;
constexpr size_t kPoolBins = kPoolLargest / kPoolGranule;
constexpr uint32_t kPoolBinCap = 64;

struct FreeBlock {
  FreeBlock* next;
};
struct PoolBins {
  FreeBlock* head[kPoolBins];
  uint32_t count[kPoolBins];
  bool armed;   // this thread's reaper is registered
  bool closed;  // ... and has run
};
thread_local PoolBins t_pool;

struct PoolReaper {
  bool armed = false;
  ~PoolReaper() {
    for (size_t b = 0; b < kPoolBins; ++b) {
      while (FreeBlock* f = t_pool.head[b]) {
        t_pool.head[b] = f->next;
        ::operator delete(f);
      }
      t_pool.count[b] = 0;
    }
    t_pool.closed = true;
  }
};
thread_local PoolReaper t_reaper;

bool pool_takes(size_t nbytes) { return !kSanitized && nbytes != 0 && nbytes <= kPoolLargest; }

}  // namespace

namespace detail {

void* pooled_allocate(size_t nbytes) {
  if (!pool_takes(nbytes)) return ::operator new(nbytes);
  const size_t bin = (nbytes - 1) / kPoolGranule;
  PoolBins& pool = t_pool;
  if (FreeBlock* f = pool.head[bin]) {
    pool.head[bin] = f->next;
    --pool.count[bin];
    return f;
  }
  if (!pool.armed && !pool.closed) {
    t_reaper.armed = true;  // constructs the reaper, which registers its destructor
    pool.armed = true;
  }
  return ::operator new((bin + 1) * kPoolGranule);
}

void pooled_free(void* p, size_t nbytes) noexcept {
  if (!pool_takes(nbytes)) {
    ::operator delete(p);
    return;
  }
  const size_t bin = (nbytes - 1) / kPoolGranule;
  PoolBins& pool = t_pool;
  if (!pool.armed || pool.closed || pool.count[bin] >= kPoolBinCap) {
    ::operator delete(p);
    return;
  }
  auto* f = static_cast<FreeBlock*>(p);
  f->next = pool.head[bin];
  pool.head[bin] = f;
  ++pool.count[bin];
}

}  // namespace detail

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
    : data_(nbytes == 0                                ? nullptr
            : !kSanitized && nbytes <= sizeof(inline_) ? static_cast<void*>(inline_)
                                                       : cpu_allocate(nbytes)),
      nbytes_(nbytes),
      inference_(detail::inference_mode()) {}

namespace detail {
namespace {
thread_local bool t_inference_mode = false;
}
bool inference_mode() { return t_inference_mode; }
void set_inference_mode(bool on) { t_inference_mode = on; }
}  // namespace detail

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
