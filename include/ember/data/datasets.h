// Datasets (torch::data::datasets): BatchDataset, Dataset, StreamDataset, MapDataset and .map(),
// SharedBatchDataset, TensorDataset, and MNIST (IDX files, raw or gzip-compressed).
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/shape.h"
#include "ember/core/tensor.h"
#include "ember/data/example.h"

namespace ember {
namespace serialize {
class OutputArchive;
class InputArchive;
}  // namespace serialize

namespace data {
namespace datasets {

template <typename Source, typename Transform>
class MapDataset;
template <typename DatasetType, typename TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform);

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

// A dataset that answers a whole batch request at once. A stateful dataset (one that decides
// itself when an epoch ends) returns std::optional<Batch>, nullopt meaning "no more".
template <typename Self, typename Batch = std::vector<Example<>>, typename BatchRequest = ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  constexpr static bool is_stateful = detail::is_optional<BatchType>::value;

  virtual ~BatchDataset() = default;
  virtual Batch get_batch(BatchRequest request) = 0;
  virtual std::optional<size_t> size() const = 0;

  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) & {
    return datasets::map(static_cast<Self&>(*this), std::move(transform));
  }
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) && {
    return datasets::map(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

// A dataset indexed one example at a time; a batch is the examples at the requested indices.
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;

  virtual ExampleType get(size_t index) = 0;

  std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

// A dataset asked only for a number of examples (StreamSampler hands out batch sizes).
template <typename Self, typename Batch = std::vector<Example<>>>
using StreamDataset = BatchDataset<Self, Batch, size_t>;

namespace detail {
[[noreturn]] void serialization_unavailable(const char* what);
}  // namespace detail

// A dataset that keeps its own position (a stream, a file being read) and hands out batches until
// it has none left in this epoch; reset() starts the next epoch.
template <typename Self, typename Batch = std::vector<Example<>>, typename BatchRequest = size_t>
class StatefulDataset : public BatchDataset<Self, std::optional<Batch>, BatchRequest> {
 public:
  virtual void reset() = 0;
  // Checkpointing the position needs the archive API, which ember does not have yet.
  virtual void save(serialize::OutputArchive& /*archive*/) const { detail::serialization_unavailable("save"); }
  virtual void load(serialize::InputArchive& /*archive*/) { detail::serialization_unavailable("load"); }
};

namespace detail {
template <bool Stateful, typename T>
using optional_if_t = std::conditional_t<Stateful, std::optional<T>, T>;
}  // namespace detail

// A dataset whose batches pass through a transform (the result of .map()).
template <typename Source, typename Transform>
class MapDataset : public BatchDataset<MapDataset<Source, Transform>,
                                       detail::optional_if_t<Source::is_stateful, typename Transform::OutputBatchType>,
                                       typename Source::BatchRequestType> {
 public:
  using DatasetType = Source;
  using TransformType = Transform;
  using BatchRequestType = typename Source::BatchRequestType;
  using OutputBatchType = detail::optional_if_t<Source::is_stateful, typename Transform::OutputBatchType>;

  MapDataset(DatasetType dataset, TransformType transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}

  OutputBatchType get_batch(BatchRequestType request) override {
    if constexpr (Source::is_stateful) {
      auto batch = dataset_.get_batch(std::move(request));
      if (!batch) return std::nullopt;
      return transform_.apply_batch(std::move(*batch));
    } else {
      return transform_.apply_batch(dataset_.get_batch(std::move(request)));
    }
  }
  std::optional<size_t> size() const override { return dataset_.size(); }
  // Only for stateful sources, which have a reset().
  void reset() { dataset_.reset(); }

  const Source& dataset() noexcept { return dataset_; }
  const Transform& transform() noexcept { return transform_; }

 private:
  Source dataset_;
  Transform transform_;
};

template <typename DatasetType, typename TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform) {
  using Input = std::conditional_t<DatasetType::is_stateful, typename DatasetType::BatchType::value_type,
                                   typename DatasetType::BatchType>;
  static_assert(std::is_same_v<Input, typename TransformType::InputBatchType>,
                "map: the transform's input batch type must be the dataset's batch type");
  return {std::move(dataset), std::move(transform)};
}

// A dataset held by shared_ptr, so that copies (one per loader worker) share one underlying object.
template <typename Underlying>
class SharedBatchDataset : public BatchDataset<SharedBatchDataset<Underlying>, typename Underlying::BatchType,
                                               typename Underlying::BatchRequestType> {
 public:
  using BatchType = typename Underlying::BatchType;
  using BatchRequestType = typename Underlying::BatchRequestType;

  SharedBatchDataset(std::shared_ptr<Underlying> shared) : dataset_(std::move(shared)) {}  // NOLINT

  BatchType get_batch(BatchRequestType request) override { return dataset_->get_batch(std::move(request)); }
  std::optional<size_t> size() const override { return dataset_->size(); }
  void reset() { dataset_->reset(); }

  Underlying& operator*() { return *dataset_; }
  const Underlying& operator*() const { return *dataset_; }
  Underlying* operator->() { return dataset_.get(); }
  const Underlying* operator->() const { return dataset_.get(); }

 private:
  std::shared_ptr<Underlying> dataset_;
};

template <typename Underlying, typename... Args>
SharedBatchDataset<Underlying> make_shared_dataset(Args&&... args) {
  return std::make_shared<Underlying>(std::forward<Args>(args)...);
}

// Rows of one tensor as examples without targets.
struct TensorDataset : public Dataset<TensorDataset, TensorExample> {
  explicit TensorDataset(const std::vector<Tensor>& tensors);
  explicit TensorDataset(Tensor tensor);

  TensorExample get(size_t index) override;
  std::optional<size_t> size() const override;

  Tensor tensor;
};

// MNIST-format data (MNIST, Fashion-MNIST): the IDX files `{train,t10k}-{images-idx3,labels-idx1}-ubyte`
// under `root`, each raw or with a `.gz` suffix. Images are float [1, 28, 28] in [0, 1]; targets
// are int64 scalars. The pixels are kept as the file's bytes (a quarter of the memory) and each
// example is converted when asked for; images() makes the whole float tensor on its first call.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };

  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;
  bool is_train() const noexcept;
  // [N, 1, 28, 28] float32 (made on the first call and kept) and [N] int64.
  const Tensor& images() const;
  const Tensor& targets() const;

 private:
  Tensor pixels_;          // [N, 1, 28, 28] uint8, as read
  mutable Tensor images_;  // pixels_ / 255 in float, once images() has been called
  Tensor targets_;
  bool train_ = true;
};

}  // namespace datasets
}  // namespace data
}  // namespace ember
