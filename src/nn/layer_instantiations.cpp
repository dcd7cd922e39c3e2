// clone() (Cloneable<Impl>) of the linear, convolution, embedding, normalization, padding and other
// layers, compiled once here; their headers declare these instantiations `extern template`, so
// programs that include them compile none.
// ember.h: some of these headers rely on declarations it brings in first (as torch/torch.h does).
#include "ember/ember.h"
#include "ember/nn/conv.h"
#include "ember/nn/embedding.h"
#include "ember/nn/embedding_bag.h"
#include "ember/nn/fold.h"
#include "ember/nn/instancenorm.h"
#include "ember/nn/layers_more.h"
#include "ember/nn/linear.h"
#include "ember/nn/local_response_norm.h"
#include "ember/nn/normalization.h"
#include "ember/nn/padding_extra.h"
#include "ember/nn/pixelshuffle.h"
#include "ember/nn/upsampling.h"

namespace ember {
namespace nn {

template class Cloneable<LinearImpl>;
template class Cloneable<IdentityImpl>;
template class Cloneable<FlattenImpl>;
template class Cloneable<UnflattenImpl>;
template class Cloneable<Conv1dImpl>;
template class Cloneable<Conv2dImpl>;
template class Cloneable<ConvTranspose2dImpl>;
template class Cloneable<Conv3dImpl>;
template class Cloneable<ConvTranspose1dImpl>;
template class Cloneable<ConvTranspose3dImpl>;
template class Cloneable<EmbeddingImpl>;
template class Cloneable<EmbeddingBagImpl>;
template class Cloneable<FoldImpl>;
template class Cloneable<UnfoldImpl>;
template class Cloneable<Dropout3dImpl>;
template class Cloneable<BilinearImpl>;
template class Cloneable<TripletMarginWithDistanceLossImpl>;
template class Cloneable<LocalResponseNormImpl>;
template class Cloneable<BatchNorm1dImpl>;
template class Cloneable<BatchNorm2dImpl>;
template class Cloneable<BatchNorm3dImpl>;
template class Cloneable<LayerNormImpl>;
template class Cloneable<GroupNormImpl>;
template class Cloneable<InstanceNorm1dImpl>;
template class Cloneable<InstanceNorm2dImpl>;
template class Cloneable<InstanceNorm3dImpl>;
template class Cloneable<PixelShuffleImpl>;
template class Cloneable<PixelUnshuffleImpl>;
template class Cloneable<UpsampleImpl>;
template class Cloneable<ZeroPad2dImpl>;
template class Cloneable<ReflectionPad1dImpl>;
template class Cloneable<ReflectionPad2dImpl>;
template class Cloneable<ReflectionPad3dImpl>;
template class Cloneable<ReplicationPad1dImpl>;
template class Cloneable<ReplicationPad2dImpl>;
template class Cloneable<ReplicationPad3dImpl>;
template class Cloneable<ConstantPad1dImpl>;
template class Cloneable<ConstantPad2dImpl>;
template class Cloneable<ConstantPad3dImpl>;

}  // namespace nn
}  // namespace ember
