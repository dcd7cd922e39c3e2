// ember's thread pool (see parallel.h for why it is not OpenMP's) and the thread count.
#include "kernels/cpu/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/core/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EMBER_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define EMBER_CPU_RELAX() asm volatile("yield")
#else
#define EMBER_CPU_RELAX() ((void)0)
#endif

namespace ember {
namespace kernels {
namespace {

// 0: not set yet, use the default. Atomic: data-loader workers may ask while the main thread sets it.
std::atomic<int> g_threads{0};
thread_local bool t_in_region = false;
// Set in a forked child, whose pool workers stayed in the parent.
std::atomic<bool> g_forked{false};

// How long a waiting thread spins before it sleeps: long enough to bridge the gap between the
// back-to-back regions of one op sequence (tens of microseconds), short enough not to hold a core
// that another process's thread needs.
constexpr int kSpins = 2000;

using Body = void (*)(const void*, int64_t);

// The job is guarded by one mutex: regions have a few tasks (one per thread), so a lock per task
// costs nothing next to the task, and the claim can never mix up two regions.
class Pool {
 public:
  // Runs tasks [0, tasks) on `workers` pool threads plus the caller.
  void run(int workers, int64_t tasks, Body body, const void* ctx) {
    std::unique_lock<std::mutex> region(region_, std::try_to_lock);
    // Busy with another caller's region, or a forked child (the workers stay in the parent).
    if (!region.owns_lock() || forked_child()) {
      for (int64_t t = 0; t < tasks; ++t) body(ctx, t);
      return;
    }
    resize(workers);
    std::unique_lock<std::mutex> lock(m_);
    body_ = body;
    ctx_ = ctx;
    tasks_ = tasks;
    next_ = 0;
    remaining_ = tasks;
    error_ = nullptr;
    done_flag_.store(false, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    wake_.notify_all();
    t_in_region = true;
    work(lock);
    t_in_region = false;
    if (remaining_ > 0) {
      lock.unlock();
      for (int i = 0; i < kSpins && !done_flag_.load(std::memory_order_acquire); ++i) EMBER_CPU_RELAX();
      lock.lock();
      done_.wait(lock, [&] { return remaining_ == 0; });
    }
    if (error_) std::rethrow_exception(error_);
  }

  // Stops the workers (the next region starts the new count); waits for a region in flight.
  void stop_all() {
    std::lock_guard<std::mutex> region(region_);
    resize(0);
  }

 private:
  void resize(int workers) {
    if (static_cast<int>(threads_.size()) == workers) return;
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_ = false;
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { worker(); });
  }

  void worker() {
    t_in_region = true;
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen; ++i) EMBER_CPU_RELAX();
      std::unique_lock<std::mutex> lock(m_);
      wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
      work(lock);
    }
  }

  // Takes tasks until none is left; `lock` holds m_ except while a task runs.
  void work(std::unique_lock<std::mutex>& lock) {
    while (next_ < tasks_) {
      const int64_t t = next_++;
      lock.unlock();
      try {
        body_(ctx_, t);
      } catch (...) {
        lock.lock();
        if (!error_) error_ = std::current_exception();
        lock.unlock();
      }
      lock.lock();
      if (--remaining_ == 0) {
        done_flag_.store(true, std::memory_order_release);
        done_.notify_all();
      }
    }
  }

  // A flag set in the child by an atfork handler, where a getpid() per region would cost a system
  // call (several microseconds under a hypervisor) on every parallel op.
  static bool forked_child() {
    static const bool registered = [] {
      return pthread_atfork(nullptr, nullptr, [] { g_forked.store(true, std::memory_order_relaxed); }) == 0;
    }();
    return !registered || g_forked.load(std::memory_order_relaxed);
  }
  std::mutex region_;  // one region at a time
  std::mutex m_;       // guards everything below but the atomics
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
  Body body_ = nullptr;
  const void* ctx_ = nullptr;
  int64_t tasks_ = 0, next_ = 0, remaining_ = 0;
  std::exception_ptr error_;
  std::atomic<uint64_t> generation_{0};  // read without the lock by spinning workers
  std::atomic<bool> done_flag_{false};   // read without the lock by the spinning caller
};

// Never destroyed: workers may still be asleep in it while the program exits.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

// LibTorch's default: OMP_NUM_THREADS when it holds a positive count (the first of a list, as
// OpenMP reads it), else the cores this process may run on.
int default_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && (*end == '\0' || *end == ',') && n > 0 && n <= 4096) return static_cast<int>(n);
  }
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0) return CPU_COUNT(&cpus);
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = default_threads();
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}

bool in_parallel_region() { return t_in_region; }

namespace detail {
void run_tasks(int64_t tasks, void (*body)(const void*, int64_t), const void* ctx) {
  pool().run(num_threads() - 1, tasks, body, ctx);
}
}  // namespace detail

}  // namespace kernels

void set_num_threads(int64_t n) {
  EMBER_CHECK(n > 0, "Expected positive number of threads");
  EMBER_CHECK(!kernels::in_parallel_region(), "set_num_threads: cannot be called inside a parallel region");
  kernels::g_threads.store(static_cast<int>(n), std::memory_order_relaxed);
  kernels::pool().stop_all();
}
int64_t get_num_threads() { return kernels::num_threads(); }

}  // namespace ember
