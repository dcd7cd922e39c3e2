// Samplers: sequential, random (randperm on the default generator), distributed shards, stream;
// their state saved and loaded under LibTorch's archive keys.
#include "ember/data/samplers.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/serialize/archive.h"

namespace ember {
namespace data {
namespace samplers {

namespace detail {
void check_replicas(size_t num_replicas, size_t rank) {
  EMBER_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be at least 1, got 0");
  EMBER_CHECK(rank < num_replicas, "DistributedSampler: rank ", rank, " is out of range for ", num_replicas,
              " replicas (expected 0 <= rank < num_replicas)");
}
}  // namespace detail

namespace {

// LibTorch stores each counter as an int64 tensor (a buffer).
void write_count(serialize::OutputArchive& archive, const char* key, size_t value) {
  archive.write(key, scalar_tensor(static_cast<int64_t>(value), kLong), /*is_buffer=*/true);
}

// The counter under `key`: one integer element in [lo, hi], or an error naming the sampler, the key
// and what is wrong.
size_t read_count(serialize::InputArchive& archive, const char* sampler, const char* key, size_t lo, size_t hi) {
  Tensor t;
  archive.read(key, t, /*is_buffer=*/true);
  EMBER_CHECK(t.numel() == 1 && is_integral_type(t.dtype(), /*include_bool=*/false), sampler, "::load: '", key,
              "' must hold one integer, got a tensor of dtype ", to_string(t.dtype()), " and shape ", t.sizes());
  const int64_t v = t.item<int64_t>();
  EMBER_CHECK(v >= 0 && static_cast<uint64_t>(v) >= lo && static_cast<uint64_t>(v) <= hi, sampler, "::load: '", key,
              "' is ", v, ", expected a value in [", lo, ", ", hi, "]");
  return static_cast<size_t>(v);
}

constexpr size_t kAnyCount = static_cast<size_t>(std::numeric_limits<int64_t>::max());

}  // namespace

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

void SequentialSampler::save(serialize::OutputArchive& archive) const { write_count(archive, "index", index_); }

void SequentialSampler::load(serialize::InputArchive& archive) {
  index_ = read_count(archive, "SequentialSampler", "index", 0, size_);
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

void RandomSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "index", static_cast<size_t>(index_));
  archive.write("indices", indices_, /*is_buffer=*/true);
}

void RandomSampler::load(serialize::InputArchive& archive) {
  Tensor loaded;
  archive.read("indices", loaded, /*is_buffer=*/true);
  EMBER_CHECK(loaded.dim() == 1 && (loaded.dtype() == kLong || loaded.dtype() == kInt),
              "RandomSampler::load: 'indices' must be a 1-D Long or Int tensor, got a tensor of dtype ",
              to_string(loaded.dtype()), " and shape ", loaded.sizes());
  const int64_t n = loaded.numel();
  EMBER_CHECK(index_dtype_ != kInt || n <= (int64_t(1) << 31), "RandomSampler::load: ", n,
              " indices do not fit in index_dtype ", index_dtype_);
  const size_t index = read_count(archive, "RandomSampler", "index", 0, static_cast<size_t>(n));
  // A permutation of 0..n-1, as reset() draws: anything else would hand out wrong examples.
  Tensor perm = loaded.to(kLong).contiguous();
  const int64_t* p = perm.data_ptr<int64_t>();
  std::vector<bool> seen(static_cast<size_t>(n), false);
  for (int64_t i = 0; i < n; ++i) {
    EMBER_CHECK(p[i] >= 0 && p[i] < n && !seen[static_cast<size_t>(p[i])], "RandomSampler::load: 'indices' is not a ",
                "permutation of 0..", n - 1, " (", p[i], " at position ", i, ")");
    seen[static_cast<size_t>(p[i])] = true;
  }
  indices_ = loaded.to(index_dtype_).clone();
  index_ = static_cast<int64_t>(index);
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

void DistributedRandomSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "sample_index_", sample_index_);
  write_count(archive, "epoch_", epoch_);
}

void DistributedRandomSampler::load(serialize::InputArchive& archive) {
  // Both read and checked before anything changes; the shard's bounds depend on the size and rank only.
  const size_t epoch = read_count(archive, "DistributedRandomSampler", "epoch_", 0, kAnyCount);
  const size_t sample_index =
      read_count(archive, "DistributedRandomSampler", "sample_index_", begin_index_, end_index_);
  epoch_ = epoch;
  reset(size_);  // the epoch's permutation
  sample_index_ = sample_index;
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

void DistributedSequentialSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "sample_index_", sample_index_);
}

void DistributedSequentialSampler::load(serialize::InputArchive& archive) {
  sample_index_ = read_count(archive, "DistributedSequentialSampler", "sample_index_", begin_index_, end_index_);
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

void StreamSampler::save(serialize::OutputArchive& archive) const {
  write_count(archive, "examples_retrieved_so_far", examples_retrieved_so_far_);
}

void StreamSampler::load(serialize::InputArchive& archive) {
  examples_retrieved_so_far_ = read_count(archive, "StreamSampler", "examples_retrieved_so_far", 0, epoch_size_);
}

}  // namespace samplers
}  // namespace data
}  // namespace ember
