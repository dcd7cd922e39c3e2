// Tensor's math and shape methods: each forwards to the free function that defines the op.
#include "ember/ops/activation.h"
#include "ember/ops/indexing.h"
#include "ember/ops/linalg.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/reduction.h"
#include "ember/ops/shape.h"

namespace ember {

using T = Tensor;
using OptDtype = std::optional<ScalarType>;

T T::view(IntArrayRef s) const { return ember::view(*this, s); }
T T::reshape(IntArrayRef s) const { return ember::reshape(*this, s); }
T T::flatten(int64_t a, int64_t b) const { return ember::flatten(*this, a, b); }
T T::unflatten(int64_t d, IntArrayRef s) const { return ember::unflatten(*this, d, s); }
T T::squeeze() const { return ember::squeeze(*this); }
T T::squeeze(int64_t d) const { return ember::squeeze(*this, d); }
T T::unsqueeze(int64_t d) const { return ember::unsqueeze(*this, d); }
T T::transpose(int64_t a, int64_t b) const { return ember::transpose(*this, a, b); }
T T::t() const { return ember::t(*this); }
T T::permute(IntArrayRef d) const { return ember::permute(*this, d); }
T T::movedim(int64_t s, int64_t d) const { return ember::movedim(*this, s, d); }
T T::narrow(int64_t d, int64_t s, int64_t l) const { return ember::narrow(*this, d, s, l); }
T T::slice(int64_t d, std::optional<int64_t> s, std::optional<int64_t> e, int64_t st) const {
  return ember::slice(*this, d, s, e, st);
}
T T::select(int64_t d, int64_t i) const { return ember::select(*this, d, i); }
std::vector<T> T::chunk(int64_t c, int64_t d) const { return ember::chunk(*this, c, d); }
std::vector<T> T::split(int64_t s, int64_t d) const { return ember::split(*this, s, d); }
std::vector<T> T::split(IntArrayRef s, int64_t d) const { return ember::split(*this, s, d); }
std::vector<T> T::split_with_sizes(IntArrayRef s, int64_t d) const { return ember::split(*this, s, d); }
std::vector<T> T::unbind(int64_t d) const { return ember::unbind(*this, d); }
T T::repeat(IntArrayRef r) const { return ember::repeat(*this, r); }
T T::flip(IntArrayRef d) const { return ember::flip(*this, d); }
T T::tril(int64_t d) const { return ember::tril(*this, d); }
T T::triu(int64_t d) const { return ember::triu(*this, d); }
T T::diagonal(int64_t o, int64_t a, int64_t b) const { return ember::diagonal(*this, o, a, b); }

T T::add(const T& o, const Scalar& a) const { return ember::add(*this, o, a); }
T T::add(const Scalar& o, const Scalar& a) const { return ember::add(*this, o, a); }
T T::sub(const T& o, const Scalar& a) const { return ember::sub(*this, o, a); }
T T::sub(const Scalar& o, const Scalar& a) const { return ember::sub(*this, o, a); }
T T::mul(const T& o) const { return ember::mul(*this, o); }
T T::mul(const Scalar& o) const { return ember::mul(*this, o); }
T T::div(const T& o) const { return ember::div(*this, o); }
T T::div(const Scalar& o) const { return ember::div(*this, o); }
T T::addcmul(const T& a, const T& b, const Scalar& v) const { return ember::addcmul(*this, a, b, v); }
T T::addcdiv(const T& a, const T& b, const Scalar& v) const { return ember::addcdiv(*this, a, b, v); }
T T::lerp(const T& e, const Scalar& w) const { return ember::lerp(*this, e, w); }
T T::lerp(const T& e, const T& w) const { return ember::lerp(*this, e, w); }
T T::pow(const Scalar& e) const { return ember::pow(*this, e); }
T T::pow(const T& e) const { return ember::pow(*this, e); }
T T::square() const { return ember::square(*this); }
T T::neg() const { return ember::neg(*this); }
T T::exp() const { return ember::exp(*this); }
T T::log() const { return ember::log(*this); }
T T::log1p() const { return ember::log1p(*this); }
T T::sqrt() const { return ember::sqrt(*this); }
T T::rsqrt() const { return ember::rsqrt(*this); }
T T::abs() const { return ember::abs(*this); }
T T::sign() const { return ember::sign(*this); }
T T::sin() const { return ember::sin(*this); }
T T::cos() const { return ember::cos(*this); }
T T::tanh() const { return ember::tanh(*this); }
T T::sigmoid() const { return ember::sigmoid(*this); }
T T::relu() const { return ember::relu(*this); }
T T::reciprocal() const { return ember::reciprocal(*this); }
T T::erf() const { return ember::erf(*this); }
T T::floor() const { return ember::floor(*this); }
T T::ceil() const { return ember::ceil(*this); }
T T::round() const { return ember::round(*this); }
T T::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return ember::clamp(*this, lo, hi); }
T T::clamp_min(const Scalar& lo) const { return ember::clamp_min(*this, lo); }
T T::clamp_max(const Scalar& hi) const { return ember::clamp_max(*this, hi); }
T T::minimum(const T& o) const { return ember::minimum(*this, o); }
T T::maximum(const T& o) const { return ember::maximum(*this, o); }
T T::min(const T& o) const { return ember::minimum(*this, o); }
T T::max(const T& o) const { return ember::maximum(*this, o); }
T T::eq(const T& o) const { return ember::eq(*this, o); }
T T::eq(const Scalar& o) const { return ember::eq(*this, o); }
T T::ne(const T& o) const { return ember::ne(*this, o); }
T T::ne(const Scalar& o) const { return ember::ne(*this, o); }
T T::lt(const T& o) const { return ember::lt(*this, o); }
T T::lt(const Scalar& o) const { return ember::lt(*this, o); }
T T::le(const T& o) const { return ember::le(*this, o); }
T T::le(const Scalar& o) const { return ember::le(*this, o); }
T T::gt(const T& o) const { return ember::gt(*this, o); }
T T::gt(const Scalar& o) const { return ember::gt(*this, o); }
T T::ge(const T& o) const { return ember::ge(*this, o); }
T T::ge(const Scalar& o) const { return ember::ge(*this, o); }
T T::logical_and(const T& o) const { return ember::logical_and(*this, o); }
T T::logical_or(const T& o) const { return ember::logical_or(*this, o); }
T T::logical_xor(const T& o) const { return ember::logical_xor(*this, o); }
T T::logical_not() const { return ember::logical_not(*this); }
T T::isnan() const { return ember::isnan(*this); }
T T::isinf() const { return ember::isinf(*this); }
T T::isfinite() const { return ember::isfinite(*this); }
T T::where(const T& c, const T& o) const { return ember::where(c, *this, o); }
T T::softmax(int64_t d, OptDtype dt) const { return ember::softmax(*this, d, dt); }
T T::log_softmax(int64_t d, OptDtype dt) const { return ember::log_softmax(*this, d, dt); }

T T::sum(OptDtype dt) const { return ember::sum(*this, dt); }
T T::sum(IntArrayRef d, bool k, OptDtype dt) const { return ember::sum(*this, d, k, dt); }
T T::mean(OptDtype dt) const { return ember::mean(*this, dt); }
T T::mean(IntArrayRef d, bool k, OptDtype dt) const { return ember::mean(*this, d, k, dt); }
T T::prod(OptDtype dt) const { return ember::prod(*this, dt); }
T T::prod(int64_t d, bool k, OptDtype dt) const { return ember::prod(*this, d, k, dt); }
T T::max() const { return ember::max(*this); }
std::tuple<T, T> T::max(int64_t d, bool k) const { return ember::max(*this, d, k); }
T T::min() const { return ember::min(*this); }
std::tuple<T, T> T::min(int64_t d, bool k) const { return ember::min(*this, d, k); }
T T::amax(IntArrayRef d, bool k) const { return ember::amax(*this, d, k); }
T T::amin(IntArrayRef d, bool k) const { return ember::amin(*this, d, k); }
T T::argmax(std::optional<int64_t> d, bool k) const { return ember::argmax(*this, d, k); }
T T::argmin(std::optional<int64_t> d, bool k) const { return ember::argmin(*this, d, k); }
T T::var(bool u) const { return ember::var(*this, u); }
T T::var(IntArrayRef d, bool u, bool k) const { return ember::var(*this, d, u, k); }
T T::std(bool u) const { return ember::std(*this, u); }
T T::std(IntArrayRef d, bool u, bool k) const { return ember::std(*this, d, u, k); }
T T::var(int d) const { return ember::var(*this, d); }
T T::std(int d) const { return ember::std(*this, d); }
T T::norm(const Scalar& p) const { return ember::norm(*this, p); }
T T::norm(std::optional<Scalar> p, IntArrayRef d, bool k) const { return ember::norm(*this, p, d, k); }
T T::logsumexp(IntArrayRef d, bool k) const { return ember::logsumexp(*this, d, k); }
T T::cumsum(int64_t d, OptDtype dt) const { return ember::cumsum(*this, d, dt); }
T T::all() const { return ember::all(*this); }
T T::all(int64_t d, bool k) const { return ember::all(*this, d, k); }
T T::any() const { return ember::any(*this); }
T T::any(int64_t d, bool k) const { return ember::any(*this, d, k); }
bool T::equal(const T& o) const { return ember::equal(*this, o); }
bool T::allclose(const T& o, double r, double a, bool n) const { return ember::allclose(*this, o, r, a, n); }

T T::mm(const T& o) const { return ember::mm(*this, o); }
T T::bmm(const T& o) const { return ember::bmm(*this, o); }
T T::matmul(const T& o) const { return ember::matmul(*this, o); }
T T::addmm(const T& a, const T& b, const Scalar& be, const Scalar& al) const { return ember::addmm(*this, a, b, be, al); }
T T::dot(const T& o) const { return ember::dot(*this, o); }
T T::outer(const T& o) const { return ember::outer(*this, o); }
T T::mv(const T& v) const { return ember::mv(*this, v); }

}  // namespace ember
