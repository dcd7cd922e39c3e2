// Fused optimizer updates (see optim.h): compiled once per Highway target (foreach_target.h
// re-includes this file), HWY_DYNAMIC_DISPATCH picks the best one at run time. Each update is one
// function template over a Highway descriptor: the full-width one for the body of the range and a
// one-lane one for its tail, so both run the same arithmetic.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/optim.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <cmath>

#include "kernels/cpu/optim.h"

#ifndef EMBER_OPTIM_SCALAR_ONCE
#define EMBER_OPTIM_SCALAR_ONCE
namespace ember {
namespace kernels {
namespace optim_detail {
// The scalars of a step, each cast once to the parameter's type.
template <typename T>
struct SgdK {
  T neg_lr, momentum, one_minus_dampening, weight_decay;
  bool has_wd, has_momentum, nesterov, first;
};
template <typename T>
struct AdamK {
  T neg_step_size, beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_bc2, eps, weight_decay, decay_factor;
  bool has_wd, decoupled, amsgrad;
};
template <typename T>
struct RmspropK {
  T neg_lr, alpha, one_minus_alpha, eps, weight_decay, momentum;
  bool has_wd, centered, has_momentum;
};
template <typename T>
struct AdagradK {
  T neg_clr, eps, weight_decay;
  bool has_wd;
};
}  // namespace optim_detail
}  // namespace kernels
}  // namespace ember
#endif

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace od = optim_detail;

// The three forms PyTorch's vectorised CPU kernels evaluate (checked against torch 1.13 to the
// bit): a.add(c, alpha) is one fused multiply-add, fma(c, alpha, a); a.addcmul(t1, t2, value) is
// fma(value * t1, t2, a); a.addcdiv(t1, t2, value) is a + (value * t1) / t2. On targets without
// FMA (SSE4, the emulated baseline) MulAdd rounds twice, as PyTorch's non-FMA builds do.
template <class V>
HWY_INLINE V AddScaled(V a, V alpha, V c) {  // a.add(c, alpha)
  return hn::MulAdd(c, alpha, a);
}
template <class V>
HWY_INLINE V AddCMul(V a, V value, V t1, V t2) {
  return hn::MulAdd(hn::Mul(value, t1), t2, a);
}
template <class V>
HWY_INLINE V AddCDiv(V a, V value, V t1, V t2) {
  return hn::Add(a, hn::Div(hn::Mul(value, t1), t2));
}

template <class D, typename T = hn::TFromD<D>>
HWY_INLINE void SgdAt(D d, const od::SgdK<T>& k, T* HWY_RESTRICT p, const T* HWY_RESTRICT g, T* HWY_RESTRICT buf,
                      size_t i) {
  const auto pv = hn::LoadU(d, p + i);
  auto dp = hn::LoadU(d, g + i);
  if (k.has_wd) dp = AddScaled(dp, hn::Set(d, k.weight_decay), pv);
  if (k.has_momentum) {
    auto b = dp;
    if (!k.first) b = AddScaled(hn::Mul(hn::LoadU(d, buf + i), hn::Set(d, k.momentum)), hn::Set(d, k.one_minus_dampening), dp);
    hn::StoreU(b, d, buf + i);
    dp = k.nesterov ? AddScaled(dp, hn::Set(d, k.momentum), b) : b;
  }
  hn::StoreU(AddScaled(pv, hn::Set(d, k.neg_lr), dp), d, p + i);
}

template <class D, typename T = hn::TFromD<D>>
HWY_INLINE void AdamAt(D d, const od::AdamK<T>& k, T* HWY_RESTRICT p, const T* HWY_RESTRICT g, T* HWY_RESTRICT m,
                       T* HWY_RESTRICT v, T* HWY_RESTRICT vmax, size_t i) {
  auto pv = hn::LoadU(d, p + i);
  auto gv = hn::LoadU(d, g + i);
  if (k.has_wd) {
    if (k.decoupled) pv = hn::Mul(pv, hn::Set(d, k.decay_factor));
    else gv = AddScaled(gv, hn::Set(d, k.weight_decay), pv);
  }
  const auto mv = AddScaled(hn::Mul(hn::LoadU(d, m + i), hn::Set(d, k.beta1)), hn::Set(d, k.one_minus_beta1), gv);
  const auto vv = AddCMul(hn::Mul(hn::LoadU(d, v + i), hn::Set(d, k.beta2)), hn::Set(d, k.one_minus_beta2), gv, gv);
  hn::StoreU(mv, d, m + i);
  hn::StoreU(vv, d, v + i);
  auto s = vv;
  if (k.amsgrad) {
    const auto old = hn::LoadU(d, vmax + i);
    s = hn::IfThenElse(hn::Or(hn::IsNaN(vv), hn::Gt(vv, old)), vv, old);
    hn::StoreU(s, d, vmax + i);
  }
  const auto denom = hn::Add(hn::Div(hn::Sqrt(s), hn::Set(d, k.sqrt_bc2)), hn::Set(d, k.eps));
  hn::StoreU(AddCDiv(pv, hn::Set(d, k.neg_step_size), mv, denom), d, p + i);
}

template <class D, typename T = hn::TFromD<D>>
HWY_INLINE void RmspropAt(D d, const od::RmspropK<T>& k, T* HWY_RESTRICT p, const T* HWY_RESTRICT g,
                          T* HWY_RESTRICT sq, T* HWY_RESTRICT ga, T* HWY_RESTRICT buf, size_t i) {
  const auto pv = hn::LoadU(d, p + i);
  auto gv = hn::LoadU(d, g + i);
  if (k.has_wd) gv = AddScaled(gv, hn::Set(d, k.weight_decay), pv);
  const auto a = hn::Set(d, k.alpha), oma = hn::Set(d, k.one_minus_alpha);
  const auto sv = AddCMul(hn::Mul(hn::LoadU(d, sq + i), a), oma, gv, gv);
  hn::StoreU(sv, d, sq + i);
  auto avg = sv;
  if (k.centered) {
    const auto gav = AddScaled(hn::Mul(hn::LoadU(d, ga + i), a), oma, gv);
    hn::StoreU(gav, d, ga + i);
    avg = AddCMul(sv, hn::Set(d, T(-1)), gav, gav);
  }
  avg = hn::Add(hn::Sqrt(avg), hn::Set(d, k.eps));
  if (k.has_momentum) {
    const auto b = AddCDiv(hn::Mul(hn::LoadU(d, buf + i), hn::Set(d, k.momentum)), hn::Set(d, T(1)), gv, avg);
    hn::StoreU(b, d, buf + i);
    hn::StoreU(AddScaled(pv, hn::Set(d, k.neg_lr), b), d, p + i);
  } else {
    hn::StoreU(AddCDiv(pv, hn::Set(d, k.neg_lr), gv, avg), d, p + i);
  }
}

template <class D, typename T = hn::TFromD<D>>
HWY_INLINE void AdagradAt(D d, const od::AdagradK<T>& k, T* HWY_RESTRICT p, const T* HWY_RESTRICT g,
                          T* HWY_RESTRICT sum, size_t i) {
  const auto pv = hn::LoadU(d, p + i);
  auto gv = hn::LoadU(d, g + i);
  if (k.has_wd) gv = AddScaled(gv, hn::Set(d, k.weight_decay), pv);
  const auto sv = AddCMul(hn::LoadU(d, sum + i), hn::Set(d, T(1)), gv, gv);
  hn::StoreU(sv, d, sum + i);
  const auto stdv = hn::Add(hn::Sqrt(sv), hn::Set(d, k.eps));
  hn::StoreU(AddCDiv(pv, hn::Set(d, k.neg_clr), gv, stdv), d, p + i);
}

// Runs at(d, i) over full vectors of [0, n), then at(d1, i) with one lane for the tail.
template <typename T, class F>
HWY_INLINE void Sweep(size_t n, const F& at) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N) at(d, i);
  for (; i < n; ++i) at(d1, i);
}

// The lambdas are instantiated per descriptor type; they capture by reference and hold no vectors.
template <typename T>
void Sgd(const od::SgdK<T>& k, T* p, const T* g, T* buf, int64_t n) {
  Sweep<T>(static_cast<size_t>(n), [&](auto d, size_t i) HWY_ATTR { SgdAt(d, k, p, g, buf, i); });
}
template <typename T>
void Adam(const od::AdamK<T>& k, T* p, const T* g, T* m, T* v, T* vmax, int64_t n) {
  Sweep<T>(static_cast<size_t>(n), [&](auto d, size_t i) HWY_ATTR { AdamAt(d, k, p, g, m, v, vmax, i); });
}
template <typename T>
void Rmsprop(const od::RmspropK<T>& k, T* p, const T* g, T* sq, T* ga, T* buf, int64_t n) {
  Sweep<T>(static_cast<size_t>(n), [&](auto d, size_t i) HWY_ATTR { RmspropAt(d, k, p, g, sq, ga, buf, i); });
}
template <typename T>
void Adagrad(const od::AdagradK<T>& k, T* p, const T* g, T* sum, int64_t n) {
  Sweep<T>(static_cast<size_t>(n), [&](auto d, size_t i) HWY_ATTR { AdagradAt(d, k, p, g, sum, i); });
}

void SgdF32(const od::SgdK<float>& k, float* p, const float* g, float* b, int64_t n) { Sgd(k, p, g, b, n); }
void SgdF64(const od::SgdK<double>& k, double* p, const double* g, double* b, int64_t n) { Sgd(k, p, g, b, n); }
void AdamF32(const od::AdamK<float>& k, float* p, const float* g, float* m, float* v, float* vm, int64_t n) {
  Adam(k, p, g, m, v, vm, n);
}
void AdamF64(const od::AdamK<double>& k, double* p, const double* g, double* m, double* v, double* vm, int64_t n) {
  Adam(k, p, g, m, v, vm, n);
}
void RmspropF32(const od::RmspropK<float>& k, float* p, const float* g, float* s, float* a, float* b, int64_t n) {
  Rmsprop(k, p, g, s, a, b, n);
}
void RmspropF64(const od::RmspropK<double>& k, double* p, const double* g, double* s, double* a, double* b,
                int64_t n) {
  Rmsprop(k, p, g, s, a, b, n);
}
void AdagradF32(const od::AdagradK<float>& k, float* p, const float* g, float* s, int64_t n) { Adagrad(k, p, g, s, n); }
void AdagradF64(const od::AdagradK<double>& k, double* p, const double* g, double* s, int64_t n) {
  Adagrad(k, p, g, s, n);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "ember/autograd/node.h"
#include "kernels/cpu/loops.h"
#include "kernels/cpu/parallel.h"

namespace ember {
namespace kernels {

HWY_EXPORT(SgdF32);
HWY_EXPORT(SgdF64);
HWY_EXPORT(AdamF32);
HWY_EXPORT(AdamF64);
HWY_EXPORT(RmspropF32);
HWY_EXPORT(RmspropF64);
HWY_EXPORT(AdagradF32);
HWY_EXPORT(AdagradF64);

namespace {
// Elements per parallel task (each element reads and writes 3-5 arrays): a 200K-element update
// (the MLP's first layer, about 40 us) measured slower split over 2 threads on a shared machine,
// so updates split from 256K elements on.
constexpr int64_t kOptimGrain = 2 * kGrainCheap;

// p and every defined tensor in `others` (undefined ones must not be needed): contiguous, p's
// dtype (float or double) and size.
bool fusable(const Tensor& p, std::initializer_list<const Tensor*> others) {
  if (!p.defined() || (p.dtype() != kFloat && p.dtype() != kDouble) || !p.is_contiguous()) return false;
  for (const Tensor* t : others)
    if (!t->defined() || t->dtype() != p.dtype() || !t->is_contiguous() || t->sizes() != p.sizes()) return false;
  return true;
}

template <typename T>
T* ptr(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// Refuses, before anything is written, what an in-place op refuses: an inference tensor outside
// inference mode.
void check_writable(std::initializer_list<const Tensor*> written) {
  for (const Tensor* t : written)
    if (t->defined()) autograd::check_inference_inplace(*t);
}

void bump(std::initializer_list<const Tensor*> written) {
  for (const Tensor* t : written)
    if (t->defined()) autograd::rebase_history(*t, nullptr);
}

template <typename F>
void run(int64_t n, const F& f) {
  parallel_for(0, n, kOptimGrain, f);
}
}  // namespace

bool sgd_step(const Tensor& p, const Tensor& grad, const Tensor& buf, const SgdStep& s) {
  const bool mom = s.momentum != 0;
  if (!(mom ? fusable(p, {&grad, &buf}) : fusable(p, {&grad}))) return false;
  check_writable({&p, &buf});
  const int64_t n = p.numel();
  const auto go = [&](auto tag) {
    using T = decltype(tag);
    const optim_detail::SgdK<T> k{static_cast<T>(-s.lr), static_cast<T>(s.momentum), static_cast<T>(1 - s.dampening),
                                  static_cast<T>(s.weight_decay), s.weight_decay != 0, mom, s.nesterov, s.first};
    T* pp = p.data_ptr<T>();
    const T* gp = grad.data_ptr<T>();
    T* bp = mom ? buf.data_ptr<T>() : nullptr;
    run(n, [&](int64_t b, int64_t e) {
      if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(SgdF32)(k, pp + b, gp + b, bp ? bp + b : nullptr, e - b);
      else HWY_DYNAMIC_DISPATCH(SgdF64)(k, pp + b, gp + b, bp ? bp + b : nullptr, e - b);
    });
  };
  if (p.dtype() == kFloat) go(float());
  else go(double());
  bump({&p, &buf});
  return true;
}

bool adam_step(const Tensor& p, const Tensor& grad, const Tensor& m, const Tensor& v, const Tensor& vmax,
               const AdamStep& s) {
  if (!(s.amsgrad ? fusable(p, {&grad, &m, &v, &vmax}) : fusable(p, {&grad, &m, &v}))) return false;
  check_writable({&p, &m, &v, &vmax});
  const int64_t n = p.numel();
  const auto go = [&](auto tag) {
    using T = decltype(tag);
    const optim_detail::AdamK<T> k{static_cast<T>(-s.lr / s.bias_correction1),
                                   static_cast<T>(s.beta1),
                                   static_cast<T>(1 - s.beta1),
                                   static_cast<T>(s.beta2),
                                   static_cast<T>(1 - s.beta2),
                                   static_cast<T>(std::sqrt(s.bias_correction2)),
                                   static_cast<T>(s.eps),
                                   static_cast<T>(s.weight_decay),
                                   static_cast<T>(1 - s.lr * s.weight_decay),
                                   s.weight_decay != 0,
                                   s.decoupled,
                                   s.amsgrad};
    T* pp = p.data_ptr<T>();
    const T* gp = grad.data_ptr<T>();
    T* mp = m.data_ptr<T>();
    T* vp = v.data_ptr<T>();
    T* xp = s.amsgrad ? vmax.data_ptr<T>() : nullptr;
    run(n, [&](int64_t b, int64_t e) {
      T* x = xp ? xp + b : nullptr;
      if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(AdamF32)(k, pp + b, gp + b, mp + b, vp + b, x, e - b);
      else HWY_DYNAMIC_DISPATCH(AdamF64)(k, pp + b, gp + b, mp + b, vp + b, x, e - b);
    });
  };
  if (p.dtype() == kFloat) go(float());
  else go(double());
  bump({&p, &m, &v});
  if (s.amsgrad) bump({&vmax});
  return true;
}

bool rmsprop_step(const Tensor& p, const Tensor& grad, const Tensor& sq, const Tensor& ga, const Tensor& buf,
                  const RmspropStep& s) {
  const bool mom = s.momentum > 0;
  if (!fusable(p, {&grad, &sq}) || (s.centered && !fusable(p, {&ga})) || (mom && !fusable(p, {&buf}))) return false;
  check_writable({&p, &sq, &ga, &buf});
  const int64_t n = p.numel();
  const auto go = [&](auto tag) {
    using T = decltype(tag);
    const optim_detail::RmspropK<T> k{static_cast<T>(-s.lr),  static_cast<T>(s.alpha),        static_cast<T>(1 - s.alpha),
                                      static_cast<T>(s.eps),  static_cast<T>(s.weight_decay), static_cast<T>(s.momentum),
                                      s.weight_decay != 0,    s.centered,                     mom};
    T* pp = p.data_ptr<T>();
    const T* gp = grad.data_ptr<T>();
    T* sp = sq.data_ptr<T>();
    T* ap = s.centered ? ga.data_ptr<T>() : nullptr;
    T* bp = mom ? buf.data_ptr<T>() : nullptr;
    run(n, [&](int64_t b, int64_t e) {
      T* a = ap ? ap + b : nullptr;
      T* bb = bp ? bp + b : nullptr;
      if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(RmspropF32)(k, pp + b, gp + b, sp + b, a, bb, e - b);
      else HWY_DYNAMIC_DISPATCH(RmspropF64)(k, pp + b, gp + b, sp + b, a, bb, e - b);
    });
  };
  if (p.dtype() == kFloat) go(float());
  else go(double());
  bump({&p, &sq});
  if (s.centered) bump({&ga});
  if (mom) bump({&buf});
  return true;
}

bool adagrad_step(const Tensor& p, const Tensor& grad, const Tensor& sum, const AdagradStep& s) {
  if (!fusable(p, {&grad, &sum})) return false;
  check_writable({&p, &sum});
  const int64_t n = p.numel();
  const auto go = [&](auto tag) {
    using T = decltype(tag);
    const optim_detail::AdagradK<T> k{static_cast<T>(-s.clr), static_cast<T>(s.eps), static_cast<T>(s.weight_decay),
                                      s.weight_decay != 0};
    T* pp = p.data_ptr<T>();
    const T* gp = grad.data_ptr<T>();
    T* sp = sum.data_ptr<T>();
    run(n, [&](int64_t b, int64_t e) {
      if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(AdagradF32)(k, pp + b, gp + b, sp + b, e - b);
      else HWY_DYNAMIC_DISPATCH(AdagradF64)(k, pp + b, gp + b, sp + b, e - b);
    });
  };
  if (p.dtype() == kFloat) go(float());
  else go(double());
  bump({&p, &sum});
  return true;
}

}  // namespace kernels
}  // namespace ember
#endif  // HWY_ONCE
