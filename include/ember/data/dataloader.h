// The data loader (torch::data): DataLoaderOptions, the batch Iterator, WorkerException, the
// stateless (sampler-driven) and stateful loaders, and make_data_loader.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/error.h"
#include "ember/data/samplers.h"

namespace ember {
namespace data {

struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}  // NOLINT(google-explicit-constructor)

  DataLoaderOptions& batch_size(size_t v) { return batch_size_ = v, *this; }
  // Background threads preparing batches; 0 prepares each batch on the calling thread when asked.
  DataLoaderOptions& workers(size_t v) { return workers_ = v, *this; }
  // Batches requested ahead of the consumer (default 2 * workers).
  DataLoaderOptions& max_jobs(std::optional<size_t> v) { return max_jobs_ = v, *this; }
  DataLoaderOptions& timeout(std::optional<std::chrono::milliseconds> v) { return timeout_ = v, *this; }
  // Yield batches in sampler order even when workers finish them out of order.
  DataLoaderOptions& enforce_ordering(bool v) { return enforce_ordering_ = v, *this; }
  DataLoaderOptions& drop_last(bool v) { return drop_last_ = v, *this; }

  const size_t& batch_size() const noexcept { return batch_size_; }
  size_t& batch_size() noexcept { return batch_size_; }
  const size_t& workers() const noexcept { return workers_; }
  size_t& workers() noexcept { return workers_; }
  const std::optional<size_t>& max_jobs() const noexcept { return max_jobs_; }
  std::optional<size_t>& max_jobs() noexcept { return max_jobs_; }
  const std::optional<std::chrono::milliseconds>& timeout() const noexcept { return timeout_; }
  std::optional<std::chrono::milliseconds>& timeout() noexcept { return timeout_; }
  const bool& enforce_ordering() const noexcept { return enforce_ordering_; }
  bool& enforce_ordering() noexcept { return enforce_ordering_; }
  const bool& drop_last() const noexcept { return drop_last_; }
  bool& drop_last() noexcept { return drop_last_; }

 private:
  size_t batch_size_ = 1;
  size_t workers_ = 0;
  std::optional<size_t> max_jobs_;
  std::optional<std::chrono::milliseconds> timeout_;
  bool enforce_ordering_ = true;
  bool drop_last_ = false;
};

// The options with defaults filled in, checked once when the loader is made.
struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(DataLoaderOptions options);

  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  std::optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

// What the caller receives when a worker thread's get_batch threw: the original exception is kept
// (rethrow it with std::rethrow_exception(e.original_exception)) and its message is repeated.
struct WorkerException : public Error {
  explicit WorkerException(std::exception_ptr original);

  std::exception_ptr original_exception;
  std::string message;
};

namespace detail {

// Type-erased requests and batches, so the thread machinery lives in one compiled file instead of
// in every program that includes this header.
struct Payload {
  virtual ~Payload() = default;
};
template <typename T>
struct Boxed final : Payload {
  explicit Boxed(T v) : value(std::move(v)) {}
  T value;
};
template <typename T>
std::unique_ptr<Payload> box(T value) {
  return std::make_unique<Boxed<T>>(std::move(value));
}
template <typename T>
T& unbox(Payload& p) {
  return static_cast<Boxed<T>&>(p).value;
}

// Worker threads fed through a job queue. Each job carries a sequence number; results are handed
// back in that order (or as they finish, when not ordered). Results of an earlier epoch are dropped.
class LoaderWorkers {
 public:
  // Called on worker i with a request; returns the batch, or null when a stateful dataset has none.
  using Work = std::function<std::unique_ptr<Payload>(std::unique_ptr<Payload> request)>;
  struct Result {
    std::unique_ptr<Payload> batch;
    std::exception_ptr error;
  };

  LoaderWorkers(std::vector<Work> work, size_t max_jobs, bool ordered,
                std::optional<std::chrono::milliseconds> timeout);
  ~LoaderWorkers();
  LoaderWorkers(const LoaderWorkers&) = delete;
  LoaderWorkers& operator=(const LoaderWorkers&) = delete;

  void new_epoch();
  bool has_room() const;
  void submit(std::unique_ptr<Payload> request);
  // The next result of this epoch, waiting for it; nullopt when no job is outstanding.
  std::optional<Result> next();
  // Drops queued jobs, lets running ones finish, and joins every thread.
  void join();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// What a range-for's iterators share: the batch-producing function and the current batch, fetched
// lazily so that begin() itself does no work until the loop looks at it.
template <typename Batch>
struct IteratorState {
  explicit IteratorState(std::function<std::optional<Batch>()> f) : next_batch(std::move(f)) {}
  void start() {
    if (started) return;
    batch = next_batch();
    started = true;  // only once the first batch arrived: a throw leaves the iterator retryable
  }
  std::function<std::optional<Batch>()> next_batch;
  std::optional<Batch> batch;
  bool started = false;
};

template <typename T>
struct identity {
  using type = T;
};

}  // namespace detail

// An input iterator over one epoch's batches; copies share their position.
template <typename Batch>
class Iterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch*;
  using reference = Batch&;
  using iterator_category = std::input_iterator_tag;

  // A null state is the past-the-end sentinel.
  explicit Iterator(std::shared_ptr<detail::IteratorState<Batch>> state) : state_(std::move(state)) {}

  Iterator& operator++() {
    EMBER_CHECK(state_, "Incrementing the DataLoader's past-the-end iterator is not allowed");
    state_->start();
    EMBER_CHECK(state_->batch.has_value(), "Attempted to increment iterator past the end");
    state_->batch = state_->next_batch();
    return *this;
  }
  Batch& operator*() {
    EMBER_CHECK(state_, "Dereferencing the DataLoader's past-the-end iterator is not allowed");
    state_->start();
    EMBER_CHECK(state_->batch.has_value(), "Attempted to dereference iterator that was past the end");
    return *state_->batch;
  }
  Batch* operator->() { return &**this; }
  bool operator==(const Iterator& other) const {
    if (state_ == other.state_) return true;
    if (state_ && other.state_) return false;
    auto& valid = state_ ? *state_ : *other.state_;
    valid.start();
    return !valid.batch.has_value();
  }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  std::shared_ptr<detail::IteratorState<Batch>> state_;
};

// What both loaders share: epochs, prefetching through the workers, and iteration.
template <typename Dataset, typename Batch, typename BatchRequest>
class DataLoaderBase {
 public:
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;

  virtual ~DataLoaderBase() { join(); }
  DataLoaderBase(const DataLoaderBase&) = delete;
  DataLoaderBase& operator=(const DataLoaderBase&) = delete;

  // Starts a new epoch. Iterators of the previous epoch stop being usable; its batches still being
  // prepared are discarded.
  Iterator<Batch> begin() {
    EMBER_CHECK(!joined_, "DataLoader: begin() was called after join(); this loader has no workers left");
    const uint64_t epoch = ++epoch_;
    if (workers_) workers_->new_epoch();
    reset();
    if (workers_) prefetch(options_.max_jobs);
    return Iterator<Batch>(std::make_shared<detail::IteratorState<Batch>>([this, epoch] { return this->next(epoch); }));
  }
  Iterator<Batch> end() { return Iterator<Batch>(nullptr); }

  // Stops the workers; the destructor does this too.
  void join() {
    if (workers_) workers_->join();
    joined_ = true;
  }
  const FullDataLoaderOptions& options() const noexcept { return options_; }

 protected:
  explicit DataLoaderBase(DataLoaderOptions options, std::unique_ptr<Dataset> main_thread_dataset = nullptr)
      : options_(std::move(options)), main_thread_dataset_(std::move(main_thread_dataset)) {}

  virtual std::optional<BatchRequest> get_batch_request() = 0;
  virtual void reset() = 0;

  void start_workers(std::vector<detail::LoaderWorkers::Work> work) {
    workers_ = std::make_unique<detail::LoaderWorkers>(std::move(work), options_.max_jobs, options_.enforce_ordering,
                                                       options_.timeout);
  }

  const FullDataLoaderOptions options_;
  std::unique_ptr<Dataset> main_thread_dataset_;

 private:
  std::optional<Batch> next(uint64_t epoch) {
    EMBER_CHECK(!joined_, "DataLoader: the loader was joined while an iterator was still in use");
    EMBER_CHECK(epoch == epoch_,
                "DataLoader: this iterator belongs to an earlier epoch; begin() has started a new one since");
    if (!workers_) {
      auto request = get_batch_request();
      if (!request) return std::nullopt;
      return main_thread_dataset_->get_batch(std::move(*request));
    }
    while (auto result = workers_->next()) {
      if (result->error) {
        prefetch(1);  // the epoch goes on after the failed batch if the caller catches
        throw WorkerException(result->error);
      }
      if (result->batch) {
        prefetch(1);
        return std::move(detail::unbox<Batch>(*result->batch));
      }
      // A stateful dataset ran dry on this job: nothing to replace it with.
    }
    return std::nullopt;
  }

  void prefetch(size_t jobs) {
    for (size_t i = 0; i < jobs && workers_->has_room(); ++i) {
      auto request = get_batch_request();
      if (!request) break;
      workers_->submit(detail::box(std::move(*request)));
    }
  }

  std::unique_ptr<detail::LoaderWorkers> workers_;
  uint64_t epoch_ = 0;
  bool joined_ = false;
};

// Draws each batch's request from a sampler; with workers, each worker owns a copy of the dataset.
template <typename Dataset, typename Sampler>
class StatelessDataLoader
    : public DataLoaderBase<Dataset, typename Dataset::BatchType, typename Sampler::BatchRequestType> {
 public:
  using super = DataLoaderBase<Dataset, typename Dataset::BatchType, typename Sampler::BatchRequestType>;
  using typename super::BatchRequestType;
  using typename super::BatchType;

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : super(std::move(options)), sampler_(std::move(sampler)) {
    if (this->options_.workers == 0) {
      this->main_thread_dataset_ = std::make_unique<Dataset>(std::move(dataset));
      return;
    }
    std::vector<detail::LoaderWorkers::Work> work;
    for (size_t w = 0; w < this->options_.workers; ++w) {
      work.emplace_back([copy = dataset](std::unique_ptr<detail::Payload> request) mutable {
        return detail::box<BatchType>(copy.get_batch(std::move(detail::unbox<BatchRequestType>(*request))));
      });
    }
    this->start_workers(std::move(work));
  }

 private:
  void reset() override { sampler_.reset(std::nullopt); }
  std::optional<BatchRequestType> get_batch_request() override {
    auto request = sampler_.next(this->options_.batch_size);
    if (!request) return std::nullopt;
    const size_t n = request->size();
    if (n < this->options_.batch_size && this->options_.drop_last) return std::nullopt;
    EMBER_CHECK(n > 0, "DataLoader: the sampler returned an empty batch request");
    return request;
  }

  Sampler sampler_;
};

// Asks a stateful dataset for batch_size examples until it returns nullopt; the workers share the
// one dataset, which must therefore be safe to call from several threads.
template <typename Dataset>
class StatefulDataLoader
    : public DataLoaderBase<Dataset, typename Dataset::BatchType::value_type, typename Dataset::BatchRequestType> {
 public:
  using super = DataLoaderBase<Dataset, typename Dataset::BatchType::value_type, typename Dataset::BatchRequestType>;
  using typename super::BatchRequestType;
  using typename super::BatchType;

  StatefulDataLoader(Dataset dataset, DataLoaderOptions options)
      : super(std::move(options), std::make_unique<Dataset>(std::move(dataset))) {
    if (this->options_.workers == 0) return;
    Dataset* shared = this->main_thread_dataset_.get();
    std::vector<detail::LoaderWorkers::Work> work;
    for (size_t w = 0; w < this->options_.workers; ++w) {
      work.emplace_back([shared](std::unique_ptr<detail::Payload> request) -> std::unique_ptr<detail::Payload> {
        auto batch = shared->get_batch(std::move(detail::unbox<BatchRequestType>(*request)));
        if (!batch) return nullptr;
        return detail::box<BatchType>(std::move(*batch));
      });
    }
    this->start_workers(std::move(work));
  }

 private:
  void reset() override { this->main_thread_dataset_->reset(); }
  std::optional<BatchRequestType> get_batch_request() override { return this->options_.batch_size; }
};

// A loader over `dataset` whose batches `sampler` chooses.
template <typename Dataset, typename Sampler>
std::enable_if_t<!Dataset::is_stateful, std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>> make_data_loader(
    Dataset dataset, Sampler sampler, DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                                 std::move(options));
}

// The same with the sampler type named first: make_data_loader<SequentialSampler>(dataset, sampler, options).
template <typename Sampler, typename Dataset>
std::enable_if_t<!Dataset::is_stateful, std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>> make_data_loader(
    Dataset dataset, typename detail::identity<Sampler>::type sampler, DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                                 std::move(options));
}

namespace detail {
[[noreturn]] void unsized_dataset();
}  // namespace detail

// A loader whose sampler (random by default) is made for the dataset's size.
template <typename Sampler = samplers::RandomSampler, typename Dataset>
std::enable_if_t<!Dataset::is_stateful && std::is_constructible_v<Sampler, size_t>,
                 std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>>
make_data_loader(Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<size_t> size = dataset.size();
  if (!size) detail::unsized_dataset();
  Sampler sampler(*size);
  return make_data_loader(std::move(dataset), std::move(sampler), std::move(options));
}

// A loader over a stateful dataset, which itself says when the epoch ends.
template <typename Dataset, typename = std::enable_if_t<Dataset::is_stateful>>
std::unique_ptr<StatefulDataLoader<Dataset>> make_data_loader(Dataset dataset,
                                                              DataLoaderOptions options = DataLoaderOptions()) {
  return std::make_unique<StatefulDataLoader<Dataset>>(std::move(dataset), std::move(options));
}

}  // namespace data
}  // namespace ember
