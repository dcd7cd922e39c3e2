// Conv2d (PyTorch's default initialization) and MaxPool2d.
#include "ember/nn/conv.h"

#include "ember/nn/init.h"
#include "ember/ops/factory.h"

namespace ember {
namespace nn {

Conv2dImpl::Conv2dImpl(const Conv2dOptions& options_) : options(options_) { reset(); }

void Conv2dImpl::reset() {
  const auto& o = options;
  EMBER_CHECK(o.in_channels() > 0 && o.out_channels() > 0, "Conv2d: in_channels and out_channels must be positive, got ",
              o.in_channels(), " and ", o.out_channels());
  EMBER_CHECK(o.groups() > 0, "Conv2d: groups must be a positive integer");
  EMBER_CHECK(o.in_channels() % o.groups() == 0, "in_channels must be divisible by groups");
  EMBER_CHECK(o.out_channels() % o.groups() == 0, "out_channels must be divisible by groups");
  weight = register_parameter(
      "weight", empty({o.out_channels(), o.in_channels() / o.groups(), o.kernel_size()[0], o.kernel_size()[1]}));
  bias = register_parameter("bias", o.bias() ? empty({o.out_channels()}) : Tensor(), o.bias());
  reset_parameters();
}

void Conv2dImpl::reset_parameters() { init::default_weight_and_bias_(weight, bias); }

void Conv2dImpl::pretty_print(std::ostream& s) const {
  const auto& o = options;
  s << "torch::nn::Conv2d(" << o.in_channels() << ", " << o.out_channels() << ", kernel_size=" << o.kernel_size()
    << ", stride=" << o.stride();
  if (o.padding() != DimVector{0, 0}) s << ", padding=" << o.padding();
  if (o.dilation() != DimVector{1, 1}) s << ", dilation=" << o.dilation();
  if (o.groups() != 1) s << ", groups=" << o.groups();
  if (!o.bias()) s << ", bias=false";
  s << ")";
}

Tensor Conv2dImpl::forward(const Tensor& input) {
  return conv2d(input, weight, bias, options.stride(), options.padding(), options.dilation(), options.groups());
}

void MaxPool2dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "torch::nn::MaxPool2d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}

}  // namespace nn
}  // namespace ember
