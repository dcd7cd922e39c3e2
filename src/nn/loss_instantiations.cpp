// clone() (Cloneable<Impl>) of the loss and distance modules, compiled once here; their
// headers declare these instantiations `extern template`, so programs that include them compile none.
// ember.h: some of these headers rely on declarations it brings in first (as torch/torch.h does).
#include "ember/ember.h"
#include "ember/nn/distance.h"
#include "ember/nn/loss.h"
#include "ember/nn/loss_extra.h"

namespace ember {
namespace nn {

template class Cloneable<MSELossImpl>;
template class Cloneable<BCELossImpl>;
template class Cloneable<NLLLossImpl>;
template class Cloneable<CrossEntropyLossImpl>;
template class Cloneable<L1LossImpl>;
template class Cloneable<SmoothL1LossImpl>;
template class Cloneable<HuberLossImpl>;
template class Cloneable<BCEWithLogitsLossImpl>;
template class Cloneable<KLDivLossImpl>;
template class Cloneable<MarginRankingLossImpl>;
template class Cloneable<CosineEmbeddingLossImpl>;
template class Cloneable<SoftMarginLossImpl>;
template class Cloneable<HingeEmbeddingLossImpl>;
template class Cloneable<MultiMarginLossImpl>;
template class Cloneable<MultiLabelMarginLossImpl>;
template class Cloneable<MultiLabelSoftMarginLossImpl>;
template class Cloneable<PoissonNLLLossImpl>;
template class Cloneable<TripletMarginLossImpl>;
template class Cloneable<CTCLossImpl>;
template class Cloneable<CosineSimilarityImpl>;
template class Cloneable<PairwiseDistanceImpl>;

}  // namespace nn
}  // namespace ember
