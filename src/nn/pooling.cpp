// Pooling modules' printing (LibTorch's format) and functional::_list_with_default.
#include "ember/nn/pooling.h"

namespace ember {
namespace nn {

namespace functional {
std::vector<int64_t> _list_with_default(ArrayRef<std::optional<int64_t>> out_size, IntArrayRef defaults) {
  EMBER_CHECK(defaults.size() > out_size.size(), "Input dimension should be at least ", out_size.size() + 1);
  std::vector<int64_t> ret;
  const IntArrayRef tail = defaults.slice(defaults.size() - out_size.size());
  for (size_t i = 0; i < out_size.size(); ++i) ret.push_back(out_size[i].value_or(tail[i]));
  return ret;
}
}  // namespace functional

void MaxPool1dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::MaxPool1d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}

void MaxPool2dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::MaxPool2d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}

void AvgPool2dImpl::pretty_print(std::ostream& s) const {
  s << "torch::nn::AvgPool2d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ")";
}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& s) const {
  s << "torch::nn::AdaptiveAvgPool2d(output_size=" << options.output_size() << ")";
}

}  // namespace nn
}  // namespace ember
