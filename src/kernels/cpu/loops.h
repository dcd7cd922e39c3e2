// The generic strided loop: walks N operands of one shape (inputs already broadcast, stride 0 where
// expanded), coalescing dims, with a contiguous fast path; pointwise and reduction kernels on top.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>

#include "ember/core/tensor.h"
#include "kernels/cpu/parallel.h"

namespace ember {
namespace kernels {

// Elements per parallel task: kGrain for work of a few nanoseconds an element (exp, tanh, ...),
// kGrainCheap for memory-bound work of well under one (copy, fill, add, compare): at 2 threads on
// a shared 2-core machine, splitting a 32768-element add (about 3 us) costs more in waking and
// waiting for the other thread than it saves.
constexpr int64_t kGrain = 32768;
constexpr int64_t kGrainCheap = 1 << 17;

// Operand geometry in bytes, dims coalesced where every operand allows it.
template <size_t N>
struct Geometry {
  DimVector sizes;
  std::array<DimVector, N> strides;  // byte strides
};

template <size_t N>
Geometry<N> make_geometry(IntArrayRef sizes, const std::array<IntArrayRef, N>& elem_strides,
                          const std::array<int64_t, N>& elem_sizes) {
  Geometry<N> g;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    bool merge = !g.sizes.empty();
    for (size_t k = 0; k < N && merge; ++k)
      merge = g.strides[k].back() == elem_strides[k][d] * elem_sizes[k] * sizes[d];
    if (merge) {
      g.sizes.back() *= sizes[d];
      for (size_t k = 0; k < N; ++k) g.strides[k].back() = elem_strides[k][d] * elem_sizes[k];
    } else {
      g.sizes.push_back(sizes[d]);
      for (size_t k = 0; k < N; ++k) g.strides[k].push_back(elem_strides[k][d] * elem_sizes[k]);
    }
  }
  if (g.sizes.empty()) {
    g.sizes.push_back(1);
    for (size_t k = 0; k < N; ++k) g.strides[k].push_back(0);
  }
  return g;
}

// Calls inner(ptrs, inner_strides, n) for each run along the innermost dim, for the linear
// element range [begin, end) of the iteration space.
template <size_t N, typename F>
void for_each_run(const Geometry<N>& g, std::array<char*, N> base, int64_t begin, int64_t end, F&& inner) {
  const size_t nd = g.sizes.size();
  const int64_t inner_size = g.sizes[nd - 1];
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = g.strides[k][nd - 1];
  DimVector idx(nd, 0);
  // Position `begin` in the N-d counter.
  int64_t rem = begin;
  for (size_t d = nd; d-- > 0;) {
    idx[d] = rem % g.sizes[d];
    rem /= g.sizes[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    std::array<char*, N> p = base;
    for (size_t d = 0; d < nd; ++d)
      for (size_t k = 0; k < N; ++k) p[k] += idx[d] * g.strides[k][d];
    int64_t n = std::min(inner_size - idx[nd - 1], end - pos);
    inner(p, inner_strides, n);
    pos += n;
    idx[nd - 1] += n;
    for (size_t d = nd - 1; d > 0 && idx[d] >= g.sizes[d]; --d) {
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

// True for one value expanded to a shape (every stride 0).
inline bool is_broadcast_value(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.stride(d) != 0 && t.size(d) != 1) return false;
  return true;
}

// out[i] = f(in[i]...) for tensors of the same shape; Out/In are the element types.
template <typename Out, typename... In, typename F, typename... Ts>
void pointwise(const Tensor& out, const F& f, const Ts&... in) {
  static_assert(sizeof...(In) == sizeof...(Ts), "one element type per input tensor");
  constexpr size_t N = 1 + sizeof...(In);
  const int64_t numel = out.numel();
  if (numel == 0) return;
  std::array<char*, N> base{static_cast<char*>(out.data_ptr()), static_cast<char*>(in.data_ptr())...};
  using Idx = std::index_sequence_for<In...>;
  if (out.is_contiguous() && (in.is_contiguous() && ...)) {
    parallel_for(0, numel, kGrainCheap, [&](int64_t b, int64_t e) {
      [&]<size_t... J>(std::index_sequence<J...>) {
        Out* o = reinterpret_cast<Out*>(base[0]);
        std::tuple<const In*...> ip{reinterpret_cast<const In*>(base[J + 1])...};
        for (int64_t i = b; i < e; ++i) o[i] = f(std::get<J>(ip)[i]...);
      }(Idx{});
    });
    return;
  }
  // Dense operands mixed with broadcast single values (x * 0.9, where(mask, g, 0)): still one
  // flat loop; the compiler unswitches the per-operand choice out of it.
  if (out.is_contiguous() && ((in.is_contiguous() || is_broadcast_value(in)) && ...)) {
    const std::array<bool, N - 1> single{is_broadcast_value(in)...};
    parallel_for(0, numel, kGrainCheap, [&](int64_t b, int64_t e) {
      [&]<size_t... J>(std::index_sequence<J...>) {
        Out* o = reinterpret_cast<Out*>(base[0]);
        std::tuple<const In*...> ip{reinterpret_cast<const In*>(base[J + 1])...};
        for (int64_t i = b; i < e; ++i) o[i] = f(std::get<J>(ip)[single[J] ? 0 : i]...);
      }(Idx{});
    });
    return;
  }
  auto g = make_geometry<N>(out.sizes(), {out.strides(), in.strides()...},
                            {static_cast<int64_t>(sizeof(Out)), static_cast<int64_t>(sizeof(In))...});
  parallel_for(0, numel_of(g.sizes), kGrainCheap, [&](int64_t b, int64_t e) {
    for_each_run<N>(g, base, b, e, [&](std::array<char*, N> p, const std::array<int64_t, N>& s, int64_t n) {
      [&]<size_t... J>(std::index_sequence<J...>) {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<Out*>(p[0] + i * s[0]) =
              f(*reinterpret_cast<const std::tuple_element_t<J, std::tuple<In...>>*>(p[J + 1] + i * s[J + 1])...);
      }(Idx{});
    });
  });
}

// acc[j] = combine(acc[j], in[i]) where `acc` has the input's shape with stride 0 on reduced dims.
// Runs serially: reduced elements of one output may be spread over the whole range.
template <typename Acc, typename In, typename F>
void reduce_into(const Tensor& acc_view, const Tensor& in, const F& combine) {
  if (in.numel() == 0) return;
  std::array<char*, 2> base{static_cast<char*>(acc_view.data_ptr()), static_cast<char*>(in.data_ptr())};
  auto g = make_geometry<2>(in.sizes(), {acc_view.strides(), in.strides()},
                            {static_cast<int64_t>(sizeof(Acc)), static_cast<int64_t>(sizeof(In))});
  for_each_run<2>(g, base, 0, numel_of(g.sizes), [&](std::array<char*, 2> p, const std::array<int64_t, 2>& s, int64_t n) {
    if (s[0] == 0) {
      Acc a = *reinterpret_cast<Acc*>(p[0]);
      for (int64_t i = 0; i < n; ++i) a = combine(a, *reinterpret_cast<const In*>(p[1] + i * s[1]));
      *reinterpret_cast<Acc*>(p[0]) = a;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        Acc* a = reinterpret_cast<Acc*>(p[0] + i * s[0]);
        *a = combine(*a, *reinterpret_cast<const In*>(p[1] + i * s[1]));
      }
    }
  });
}

}  // namespace kernels
}  // namespace ember
