// clone() (Cloneable<Impl>) of the pooling and unpooling modules, compiled once here; their
// headers declare these instantiations `extern template`, so programs that include them compile none.
// ember.h: some of these headers rely on declarations it brings in first (as torch/torch.h does).
#include "ember/ember.h"
#include "ember/nn/pooling.h"
#include "ember/nn/pooling_extra.h"
#include "ember/nn/pooling_unpool.h"

namespace ember {
namespace nn {

template class Cloneable<MaxPool1dImpl>;
template class Cloneable<MaxPool2dImpl>;
template class Cloneable<AvgPool2dImpl>;
template class Cloneable<AdaptiveAvgPool2dImpl>;
template class Cloneable<LPPool1dImpl>;
template class Cloneable<LPPool2dImpl>;
template class Cloneable<AvgPool1dImpl>;
template class Cloneable<AdaptiveAvgPool1dImpl>;
template class Cloneable<AdaptiveMaxPool1dImpl>;
template class Cloneable<AdaptiveMaxPool2dImpl>;
template class Cloneable<AdaptiveAvgPool3dImpl>;
template class Cloneable<MaxPool3dImpl>;
template class Cloneable<AvgPool3dImpl>;
template class Cloneable<MaxUnpool1dImpl>;
template class Cloneable<MaxUnpool2dImpl>;
template class Cloneable<MaxUnpool3dImpl>;
template class Cloneable<AdaptiveMaxPool3dImpl>;
template class Cloneable<FractionalMaxPool2dImpl>;
template class Cloneable<FractionalMaxPool3dImpl>;

}  // namespace nn
}  // namespace ember
