// parallel_for over an index range on ember's own thread pool (small ranges run inline), and the
// thread count shared with BLAS.
//
// Why not OpenMP: libgomp's workers spin-wait (OMP_WAIT_POLICY=active by default, settable only
// by the environment before the process starts). On a machine whose cores are shared with other
// work, a spinning worker holds a core that the thread it waits for needs; a CNN training step
// measured 5-7x slower at 2 threads than at 1 that way. The pool's workers spin briefly, then
// sleep on a condition variable. BLAS runs single-threaded; kernels::gemm splits large products
// over the pool itself, so one pool serves everything.
#pragma once
#include <algorithm>
#include <cstdint>

namespace ember {
namespace kernels {

int num_threads();
// True inside a parallel_for body (on any thread): nested calls run inline.
bool in_parallel_region();

namespace detail {
// Runs body(ctx, t) for t in [0, tasks) on the pool and the calling thread; rethrows the first
// exception a task threw once all have finished. Runs every task inline when the pool is busy
// with another caller's region.
void run_tasks(int64_t tasks, void (*body)(const void* ctx, int64_t t), const void* ctx);
}  // namespace detail

// Tasks per thread a range is cut into (each still at least one grain): a thread that the OS
// preempts on a shared machine then holds up a small part of the range, not half of it, since the
// others take the remaining tasks.
constexpr int64_t kTasksPerThread = 4;

// Calls fn(begin, end) on chunks of at least `grain` indices (but for a range of under two
// grains, cut in two); runs inline when the range is no larger than one grain, when only one
// thread is set, or inside another parallel region.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& fn) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int nt = num_threads();
  if (n <= grain || nt <= 1 || in_parallel_region()) {
    fn(begin, end);
    return;
  }
  struct Ctx {
    const F& fn;
    int64_t begin, end, step;
  } ctx{fn, begin, end, 0};
  const int64_t chunks = std::min<int64_t>(nt * kTasksPerThread, std::max<int64_t>(2, n / grain));
  ctx.step = (n + chunks - 1) / chunks;
  detail::run_tasks(
      chunks,
      [](const void* p, int64_t t) {
        const Ctx& c = *static_cast<const Ctx*>(p);
        const int64_t b = c.begin + t * c.step, e = std::min(c.end, b + c.step);
        if (b < e) c.fn(b, e);
      },
      &ctx);
}

// Per-thread chunks of a batch, for kernels that give each chunk its own scratch: how many chunks
// n items split into (one per thread, one inside a parallel region, at most n, at least 1).
inline int64_t chunk_count(int64_t n) {
  return std::max<int64_t>(1, std::min<int64_t>(n, in_parallel_region() ? 1 : num_threads()));
}

// Splits [0, n) into `chunks` contiguous chunks and runs fn(chunk, begin, end) for each, in
// parallel. The split depends only on n and chunks, so per-chunk partial results summed in chunk
// order are reproducible.
template <typename F>
void for_chunks(int64_t n, int64_t chunks, const F& fn) {
  parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) fn(c, n * c / chunks, n * (c + 1) / chunks);
  });
}

}  // namespace kernels
}  // namespace ember
