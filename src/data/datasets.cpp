// TensorDataset (the rows of one tensor as examples) and what StatefulDataset cannot do yet.
#include "ember/data/datasets.h"

#include "ember/core/error.h"
#include "ember/ops/shape.h"

namespace ember {
namespace data {
namespace datasets {

namespace detail {
void serialization_unavailable(const char* what) {
  fail("StatefulDataset::", what, ": saving and loading dataset state is not supported yet (ember has no archive API)");
}
}  // namespace detail

TensorDataset::TensorDataset(const std::vector<Tensor>& tensors) : TensorDataset(stack(tensors)) {}

TensorDataset::TensorDataset(Tensor t) : tensor(std::move(t)) {
  EMBER_CHECK(tensor.defined() && tensor.dim() > 0, "TensorDataset: expected a tensor with at least one dimension",
              tensor.defined() ? ", got a 0-dim tensor" : ", got an undefined tensor");
}

TensorExample TensorDataset::get(size_t index) {
  EMBER_CHECK(index < static_cast<size_t>(tensor.size(0)), "TensorDataset: index ", index,
              " is out of range for a data set of ", tensor.size(0), " examples");
  return tensor[static_cast<int64_t>(index)];
}

std::optional<size_t> TensorDataset::size() const { return static_cast<size_t>(tensor.size(0)); }

}  // namespace datasets
}  // namespace data
}  // namespace ember
