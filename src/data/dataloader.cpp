// The loader's compiled half: option checks, WorkerException, and the worker threads with their
// job queue and result reordering.
#include "ember/data/dataloader.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

namespace ember {
namespace data {

FullDataLoaderOptions::FullDataLoaderOptions(DataLoaderOptions options)
    : batch_size(options.batch_size()),
      workers(options.workers()),
      max_jobs(options.max_jobs().value_or(2 * options.workers())),
      timeout(options.timeout()),
      enforce_ordering(options.enforce_ordering()),
      drop_last(options.drop_last()) {
  EMBER_CHECK(batch_size > 0, "DataLoaderOptions: batch_size must be positive, got 0");
  EMBER_CHECK(workers == 0 || max_jobs > 0, "DataLoaderOptions: max_jobs must be at least 1 with ", workers,
              " workers, got 0 (no batch could ever be requested)");
  EMBER_CHECK(!timeout || timeout->count() > 0, "DataLoaderOptions: timeout must be positive, got ",
              timeout ? timeout->count() : 0, " ms");
}

namespace {
std::string worker_message(const std::exception_ptr& original) {
  std::string message = "Caught exception in DataLoader worker thread.";
  try {
    std::rethrow_exception(original);
  } catch (const std::exception& e) {
    message += " Original message: ";
    message += e.what();
  } catch (...) {
    message += " (The exception is not a std::exception.)";
  }
  return message;
}
}  // namespace

WorkerException::WorkerException(std::exception_ptr original)
    : Error(worker_message(original)), original_exception(std::move(original)), message(what()) {}

namespace detail {

void unsized_dataset() { fail("Expected the dataset to be sized in order to construct the Sampler"); }

struct LoaderWorkers::State {
  struct Job {
    uint64_t epoch;
    size_t sequence;
    std::unique_ptr<Payload> request;
  };

  std::vector<Work> work;
  size_t max_jobs;
  bool ordered;
  std::optional<std::chrono::milliseconds> timeout;

  std::mutex mu;
  std::condition_variable job_ready, result_ready;
  std::deque<Job> jobs;
  std::map<size_t, Result> results;  // by sequence number, so the next one in order is found at once
  uint64_t epoch = 0;
  size_t next_sequence = 0;  // given to the next submitted job
  size_t next_result = 0;    // the sequence number the consumer waits for when ordered
  size_t outstanding = 0;    // submitted this epoch and not yet handed out
  bool stopping = false;
  std::vector<std::thread> threads;

  void run(size_t worker) {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      job_ready.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (stopping) return;
      Job job = std::move(jobs.front());
      jobs.pop_front();
      lock.unlock();
      Result result;
      try {
        result.batch = work[worker](std::move(job.request));
      } catch (...) {
        result.error = std::current_exception();
      }
      lock.lock();
      if (job.epoch == epoch) {
        results.emplace(job.sequence, std::move(result));
        result_ready.notify_one();
      } else {
        // A batch of an epoch that was abandoned; let it go without holding the lock.
        lock.unlock();
        result = Result();
        lock.lock();
      }
    }
  }
};

LoaderWorkers::LoaderWorkers(std::vector<Work> work, size_t max_jobs, bool ordered,
                             std::optional<std::chrono::milliseconds> timeout)
    : state_(std::make_unique<State>()) {
  state_->work = std::move(work);
  state_->max_jobs = max_jobs;
  state_->ordered = ordered;
  state_->timeout = timeout;
  State* s = state_.get();
  try {
    for (size_t i = 0; i < s->work.size(); ++i) s->threads.emplace_back([s, i] { s->run(i); });
  } catch (const std::system_error& e) {
    join();
    fail("DataLoader: could not start worker thread ", state_->threads.size() + 1, " of ", state_->work.size(), ": ",
         e.what());
  }
}

LoaderWorkers::~LoaderWorkers() { join(); }

void LoaderWorkers::join() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopping && state_->threads.empty()) return;
    state_->stopping = true;
    state_->jobs.clear();
    state_->results.clear();
    state_->outstanding = 0;
  }
  state_->job_ready.notify_all();
  for (auto& t : state_->threads) t.join();
  state_->threads.clear();
}

void LoaderWorkers::new_epoch() {
  std::deque<State::Job> dropped_jobs;
  std::map<size_t, Result> dropped_results;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    ++state_->epoch;
    dropped_jobs.swap(state_->jobs);
    dropped_results.swap(state_->results);
    state_->next_sequence = 0;
    state_->next_result = 0;
    state_->outstanding = 0;
  }
}

bool LoaderWorkers::has_room() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return !state_->stopping && state_->outstanding < state_->max_jobs;
}

void LoaderWorkers::submit(std::unique_ptr<Payload> request) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    EMBER_CHECK(!state_->stopping, "DataLoader: a batch was requested after the workers were joined");
    state_->jobs.push_back({state_->epoch, state_->next_sequence++, std::move(request)});
    ++state_->outstanding;
  }
  state_->job_ready.notify_one();
}

std::optional<LoaderWorkers::Result> LoaderWorkers::next() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.outstanding == 0) return std::nullopt;
  auto ready = [&] { return s.ordered ? s.results.count(s.next_result) > 0 : !s.results.empty(); };
  if (s.timeout) {
    if (!s.result_ready.wait_for(lock, *s.timeout, ready))
      fail("Timeout in DataLoader queue while waiting for next batch (timeout was ", s.timeout->count(), " ms)");
  } else {
    s.result_ready.wait(lock, ready);
  }
  auto it = s.ordered ? s.results.find(s.next_result) : s.results.begin();
  Result result = std::move(it->second);
  s.results.erase(it);
  --s.outstanding;
  if (s.ordered) ++s.next_result;
  return result;
}

}  // namespace detail
}  // namespace data
}  // namespace ember
