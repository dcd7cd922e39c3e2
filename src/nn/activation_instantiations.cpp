// clone() (Cloneable<Impl>) of the activation and dropout modules, compiled once here; their
// headers declare these instantiations `extern template`, so programs that include them compile none.
// ember.h: some of these headers rely on declarations it brings in first (as torch/torch.h does).
#include "ember/ember.h"
#include "ember/nn/activation.h"
#include "ember/nn/activation_extra.h"

namespace ember {
namespace nn {

template class Cloneable<ReLUImpl>;
template class Cloneable<LeakyReLUImpl>;
template class Cloneable<ELUImpl>;
template class Cloneable<GELUImpl>;
template class Cloneable<SiLUImpl>;
template class Cloneable<SigmoidImpl>;
template class Cloneable<TanhImpl>;
template class Cloneable<SoftmaxImpl>;
template class Cloneable<LogSoftmaxImpl>;
template class Cloneable<DropoutImpl>;
template class Cloneable<Dropout2dImpl>;
template class Cloneable<SoftplusImpl>;
template class Cloneable<HardtanhImpl>;
template class Cloneable<ReLU6Impl>;
template class Cloneable<MishImpl>;
template class Cloneable<SELUImpl>;
template class Cloneable<CELUImpl>;
template class Cloneable<GLUImpl>;
template class Cloneable<SoftminImpl>;
template class Cloneable<LogSigmoidImpl>;
template class Cloneable<ThresholdImpl>;
template class Cloneable<SoftsignImpl>;
template class Cloneable<TanhshrinkImpl>;
template class Cloneable<SoftshrinkImpl>;
template class Cloneable<HardshrinkImpl>;
template class Cloneable<PReLUImpl>;
template class Cloneable<RReLUImpl>;
template class Cloneable<Softmax2dImpl>;
template class Cloneable<AlphaDropoutImpl>;
template class Cloneable<FeatureAlphaDropoutImpl>;

}  // namespace nn
}  // namespace ember
