// Per-target pieces shared by the elementwise kernel files (elementwise.cpp, elementwise_gelu.cpp):
// the loop that applies a vector op and recomputes its special lanes with the scalar reference.
// Included after hwy/foreach_target.h, so once per target: the include guard toggles with
// HWY_TARGET_TOGGLE (Highway's convention for -inl.h headers).
#if defined(EMBER_KERNELS_CPU_ELEMENTWISE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EMBER_KERNELS_CPU_ELEMENTWISE_INL_H_
#undef EMBER_KERNELS_CPU_ELEMENTWISE_INL_H_
#else
#define EMBER_KERNELS_CPU_ELEMENTWISE_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstring>

#include "kernels/cpu/elementwise.h"

HWY_BEFORE_NAMESPACE();
namespace ember {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <typename T>
constexpr bool kIsF32 = sizeof(T) == 4;

// The vector for memory-bound loops (one or two loads, a store and an instruction or two per
// vector): at most 256 bits. Zen 4 runs each 512-bit op as two 256-bit halves, and there an add of
// 2^20 floats from L3 took 1.15x as long with 512-bit loads as with 256-bit ones, whatever the
// unrolling (relu 1.1x); loads alone (a sum) ran at the same speed either way. Compute-bound loops
// (exp, tanh, ...) keep the full width.
template <typename T>
using StreamTag = hn::CappedTag<T, 32 / sizeof(T)>;

// Lanes below `bound`, or NaN: where 1 / (1 + exp(-x))-type ops overflow their exponential, or an
// op leaves its fitted range.
template <class D, class V>
auto BelowOrNaN(D d, V x, double bound) {
  using T = hn::TFromD<D>;
  return hn::Not(hn::Ge(x, hn::Set(d, static_cast<T>(bound))));
}

// out[i] = Op(x[i]), or Op(x[i], g[i]) for a backward op (kGrad: x is then the forward's input or
// result and g the incoming gradient), a vector at a time, straight from memory. Lanes where
// Op::Special(x) holds (only looked for when Op::kSpecial) are recomputed by the scalar reference;
// the tail goes through buffers padded with 1, inside every op's domain. D is the vector type:
// StreamTag for the memory-bound ops, the full width for the others.
template <class Op, bool kGrad, class D, typename T>
HWY_INLINE void SpecialLanesLoop(D d, const T* HWY_RESTRICT x, const T* HWY_RESTRICT g, T* out, size_t n) {
  const size_t N = hn::Lanes(d);
  HWY_ALIGN T xb[hn::MaxLanes(D())];
  HWY_ALIGN T gb[hn::MaxLanes(D())];
  HWY_ALIGN T ob[hn::MaxLanes(D())];
  HWY_ALIGN T mask_buf[hn::MaxLanes(D())];
  const auto load_g = [&](size_t at) {
    if constexpr (kGrad) return hn::LoadU(d, g + at);
    else return hn::Zero(d);  // unused
  };
  const auto apply = [&](const auto xv, const auto gv) {
    if constexpr (kGrad) return Op::Apply(d, xv, gv);
    else return Op::Apply(d, xv);
  };
  // Writes r's first `count` lanes to dst, the special ones recomputed.
  const auto fix = [&](const auto xv, const auto gv, const auto r, T* dst, size_t count) {
    hn::Store(xv, d, xb);
    if constexpr (kGrad) hn::Store(gv, d, gb);
    hn::Store(r, d, ob);
    hn::Store(hn::VecFromMask(d, Op::Special(d, xv)), d, mask_buf);
    for (size_t j = 0; j < count; ++j) {
      T m;
      std::memcpy(&m, &mask_buf[j], sizeof(T));
      if (m == T(0) && !std::isnan(m)) continue;
      if constexpr (kGrad) ob[j] = unary_backward_reference(Op::kOp, xb[j], gb[j]);
      else ob[j] = unary_reference(Op::kOp, xb[j]);
    }
    std::memcpy(dst, ob, count * sizeof(T));
  };
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto xv = hn::LoadU(d, x + i);
    const auto gv = load_g(i);
    const auto r = apply(xv, gv);
    if (Op::kSpecial && !hn::AllFalse(d, Op::Special(d, xv))) fix(xv, gv, r, out + i, N);
    else hn::StoreU(r, d, out + i);
  }
  if (i < n) {
    const size_t rest = n - i;
    for (size_t j = 0; j < N; ++j) {
      xb[j] = j < rest ? x[i + j] : T(1);
      if constexpr (kGrad) gb[j] = j < rest ? g[i + j] : T(1);
    }
    const auto xv = hn::Load(d, xb);
    const auto gv = kGrad ? hn::Load(d, gb) : hn::Zero(d);
    fix(xv, gv, apply(xv, gv), out + i, rest);
  }
}
template <class Op, typename T>
HWY_INLINE void UnaryLoop(const T* x, T* y, size_t n) {
  const hn::ScalableTag<T> d;
  SpecialLanesLoop<Op, false>(d, x, static_cast<const T*>(nullptr), y, n);
}
// The same for an op that is bound by memory (relu, neg, abs).
template <class Op, typename T>
HWY_INLINE void StreamUnaryLoop(const T* x, T* y, size_t n) {
  const StreamTag<T> d;
  SpecialLanesLoop<Op, false>(d, x, static_cast<const T*>(nullptr), y, n);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ember
HWY_AFTER_NAMESPACE();

#endif  // include guard, toggled per target
