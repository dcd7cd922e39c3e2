// clone() of the built-in optimizers' options and parameter states (OptimizerCloneableOptions,
// OptimizerCloneableParamState), compiled once here; their headers declare these `extern template`.
// SGDOptions::clone, which would otherwise make std::make_unique<SGDOptions> in every program, too.
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/lbfgs.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"

namespace ember {
namespace optim {

template struct OptimizerCloneableParamState<SGDParamState>;
template struct OptimizerCloneableParamState<AdamParamState>;
template struct OptimizerCloneableOptions<LBFGSOptions>;
template struct OptimizerCloneableParamState<LBFGSParamState>;
template struct OptimizerCloneableOptions<RMSpropOptions>;
template struct OptimizerCloneableParamState<RMSpropParamState>;
template struct OptimizerCloneableOptions<AdagradOptions>;
template struct OptimizerCloneableParamState<AdagradParamState>;

std::unique_ptr<OptimizerOptions> SGDOptions::clone() const { return std::make_unique<SGDOptions>(*this); }

}  // namespace optim
}  // namespace ember
