// Samplers: sequential, random (randperm on the default generator), distributed shards, stream.
#include "ember/data/samplers.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "ember/core/error.h"
#include "ember/ops/factory.h"

namespace ember {
namespace data {
namespace samplers {

namespace detail {
void serialization_unavailable(const char* what) {
  fail("Sampler::", what, ": saving and loading sampler state is not supported yet (ember has no archive API)");
}
void check_replicas(size_t num_replicas, size_t rank) {
  EMBER_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be at least 1, got 0");
  EMBER_CHECK(rank < num_replicas, "DistributedSampler: rank ", rank, " is out of range for ", num_replicas,
              " replicas (expected 0 <= rank < num_replicas)");
}
}  // namespace detail

// ---------------------------------------------------------------- SequentialSampler

SequentialSampler::SequentialSampler(size_t size) : size_(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  const size_t n = std::min(batch_size, size_ - index_);
  if (n == 0) return std::nullopt;
  std::vector<size_t> indices(n);
  std::iota(indices.begin(), indices.end(), index_);
  index_ += n;
  return indices;
}

size_t SequentialSampler::index() const noexcept { return index_; }

// ---------------------------------------------------------------- RandomSampler

RandomSampler::RandomSampler(int64_t size, ScalarType index_dtype) : index_dtype_(index_dtype) {
  EMBER_CHECK(size >= 0, "RandomSampler: size must be non-negative, got ", size);
  EMBER_CHECK(index_dtype == kLong || index_dtype == kInt, "RandomSampler: index_dtype must be Long or Int, got ",
              index_dtype);
  reset(static_cast<size_t>(size));
}

RandomSampler::~RandomSampler() = default;

void RandomSampler::reset(std::optional<size_t> new_size) {
  const int64_t n = new_size ? static_cast<int64_t>(*new_size) : indices_.numel();
  EMBER_CHECK(n >= 0, "RandomSampler: size ", *new_size, " is too large");
  const int64_t limit = index_dtype_ == kInt ? (int64_t(1) << 31) : n;
  EMBER_CHECK(n <= limit, "RandomSampler: ", n, " indices do not fit in index_dtype ", index_dtype_);
  indices_ = randperm(n, index_dtype_);
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  const int64_t remaining = indices_.numel() - index_;
  const int64_t n = static_cast<int64_t>(std::min<uint64_t>(batch_size, static_cast<uint64_t>(remaining)));
  if (n == 0) return std::nullopt;
  Tensor slice = indices_.slice(0, index_, index_ + n).to(kLong).contiguous();
  const int64_t* p = slice.data_ptr<int64_t>();
  std::vector<size_t> out(p, p + n);
  index_ += n;
  return out;
}

size_t RandomSampler::index() const noexcept { return static_cast<size_t>(index_); }

// ---------------------------------------------------------------- DistributedRandomSampler

DistributedRandomSampler::DistributedRandomSampler(size_t size, size_t num_replicas, size_t rank, bool allow_duplicates)
    : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
  reset(size_);
}

void DistributedRandomSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  populate_indices();
  // Seeded by the epoch alone so that every rank draws the same permutation without talking to the
  // others; std::shuffle with mt19937, as LibTorch, so shards agree with a LibTorch build.
  std::mt19937 engine(static_cast<std::mt19937::result_type>(epoch_));
  std::shuffle(all_indices_.begin(), all_indices_.end(), engine);
  sample_index_ = begin_index_;
}

void DistributedRandomSampler::populate_indices() {
  const size_t local = local_sample_count();
  const size_t total = num_replicas_ == 1 ? size_ : local * num_replicas_;
  all_indices_.resize(total);
  std::iota(all_indices_.begin(), all_indices_.end(), size_t(0));
  // Padding repeats the data set from its start (modulo, so even more replicas than examples work).
  for (size_t i = size_; i < total; ++i) all_indices_[i] = i % size_;
  begin_index_ = rank_ * local;
  end_index_ = begin_index_ + local;
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedRandomSampler::next(size_t batch_size) {
  const size_t n = std::min(batch_size, end_index_ - sample_index_);
  if (n == 0) return std::nullopt;
  std::vector<size_t> out(all_indices_.begin() + static_cast<std::ptrdiff_t>(sample_index_),
                          all_indices_.begin() + static_cast<std::ptrdiff_t>(sample_index_ + n));
  sample_index_ += n;
  return out;
}

size_t DistributedRandomSampler::index() const noexcept { return sample_index_; }

// ---------------------------------------------------------------- DistributedSequentialSampler

DistributedSequentialSampler::DistributedSequentialSampler(size_t size, size_t num_replicas, size_t rank,
                                                           bool allow_duplicates)
    : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
  populate_indices();
}

void DistributedSequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size && *new_size != size_) {
    size_ = *new_size;
    populate_indices();
  } else {
    sample_index_ = begin_index_;
  }
}

void DistributedSequentialSampler::populate_indices() {
  begin_index_ = rank_ * local_sample_count();
  end_index_ = begin_index_ + local_sample_count();
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedSequentialSampler::next(size_t batch_size) {
  const size_t n = std::min(batch_size, end_index_ - sample_index_);
  if (n == 0) return std::nullopt;
  std::vector<size_t> out(n);
  // Past the end (padding for the last ranks) the shard wraps to the start of the data set.
  for (size_t i = 0; i < n; ++i) out[i] = (sample_index_ + i) % size_;
  sample_index_ += n;
  return out;
}

size_t DistributedSequentialSampler::index() const noexcept { return sample_index_; }

// ---------------------------------------------------------------- StreamSampler

StreamSampler::StreamSampler(size_t epoch_size) : epoch_size_(epoch_size) {}

void StreamSampler::reset(std::optional<size_t> new_size) {
  if (new_size) epoch_size_ = *new_size;
  examples_retrieved_so_far_ = 0;
}

std::optional<BatchSize> StreamSampler::next(size_t batch_size) {
  const size_t n = std::min(batch_size, epoch_size_ - examples_retrieved_so_far_);
  if (n == 0) return std::nullopt;
  examples_retrieved_so_far_ += n;
  return BatchSize(n);
}

}  // namespace samplers
}  // namespace data
}  // namespace ember
