// Pooled: the objects made and dropped by the dozen in every step (tensor impls, storages, autograd
// nodes and metadata) take their memory from a per-thread cache of blocks by size, which costs a
// few instructions where malloc and free cost a hundred (src/core/allocator.cpp).
#pragma once
#include <cstddef>
#include <new>

namespace ember {
namespace detail {
void* pooled_allocate(std::size_t nbytes);
void pooled_free(void* p, std::size_t nbytes) noexcept;
}  // namespace detail

// A base whose derived classes' `new` and `delete` go through the cache. `delete` through a base
// pointer hands back the size of the object's own class, so every class here needs a virtual
// destructor somewhere in its bases (RefCounted and AutogradMetaInterface have one).
struct Pooled {
  static void* operator new(std::size_t nbytes) { return detail::pooled_allocate(nbytes); }
  static void operator delete(void* p, std::size_t nbytes) noexcept { detail::pooled_free(p, nbytes); }
  // Over-aligned classes and placement new keep the global forms.
  static void* operator new(std::size_t nbytes, std::align_val_t a) { return ::operator new(nbytes, a); }
  // (The global sized forms exist only with -fsized-deallocation, which clang leaves off.)
  static void operator delete(void* p, std::align_val_t a) noexcept { ::operator delete(p, a); }
  static void* operator new(std::size_t, void* where) noexcept { return where; }
  static void operator delete(void*, void*) noexcept {}
};

}  // namespace ember
