// Helpers shared by the indexing op files (indexing.cpp, selection.cpp): position walks, mask and
// index range checks, broadcast tests.
#pragma once
#include <array>
#include <optional>
#include <vector>

#include "ops/elementwise.h"

namespace ember {
namespace ops {


// Visits every position of `sizes` in row-major order; f(off, pos) gets one element offset per
// operand (from that operand's element strides) and the position itself.
template <size_t N, typename F>
inline void walk(IntArrayRef sizes, const std::array<DimVector, N>& strides, const F& f) {
  if (numel_of(sizes) == 0) return;
  const size_t nd = sizes.size();
  DimVector pos(nd, 0);
  std::array<int64_t, N> off{};
  if (nd == 0) {
    f(off, pos);
    return;
  }
  // The innermost dim runs as a plain loop; the outer dims advance as a counter.
  const size_t last = nd - 1;
  const int64_t inner = sizes[last];
  std::array<int64_t, N> step;
  for (size_t k = 0; k < N; ++k) step[k] = strides[k][last];
  while (true) {
    std::array<int64_t, N> o = off;
    for (int64_t i = 0; i < inner; ++i) {
      pos[last] = i;
      f(o, pos);
      for (size_t k = 0; k < N; ++k) o[k] += step[k];
    }
    pos[last] = 0;
    size_t d = last;
    while (d-- > 0) {
      if (++pos[d] < sizes[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
        break;
      }
      pos[d] = 0;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * (sizes[d] - 1);
    }
    if (d == static_cast<size_t>(-1)) return;
  }
}

// A zero-dim tensor seen as one element of one dim (PyTorch's ensure_nonempty_dim for gather/scatter).
inline Tensor as_1d(const Tensor& t) {
  if (t.dim() > 0) return t;
  return raw_view(t, IntArrayRef({int64_t(1)}), IntArrayRef({int64_t(1)}), t.storage_offset());
}

inline bool shares_storage(const Tensor& a, const Tensor& b) {
  return a.unsafeGetTensorImpl()->storage().get() == b.unsafeGetTensorImpl()->storage().get();
}
inline Tensor copy_raw(const Tensor& t) {
  Tensor out = new_tensor(t.sizes(), t.dtype());
  kernels::copy(out, t);
  return out;
}
// A zero-dim tensor of `dtype` holding `v`.
inline Tensor scalar_of(const Scalar& v, ScalarType dtype) {
  Tensor t = new_tensor({}, dtype);
  kernels::fill(t, v);
  return t;
}

// `shape` broadcast with `other`, or nothing when they do not broadcast.
inline std::optional<DimVector> try_broadcast(IntArrayRef a, IntArrayRef b) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}
inline bool broadcastable_to(IntArrayRef from, IntArrayRef to) {
  auto b = try_broadcast(from, to);
  return b && b->ref() == to;
}
// PyTorch's expand error, for a value copied into a view of shape `to`.
inline void check_expandable(IntArrayRef from, IntArrayRef to) {
  EMBER_CHECK(from.size() <= to.size(), "index_put_: value tensor of shape ", from,
              " cannot be broadcast to indexing result of shape ", to);
  const size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    EMBER_CHECK(from[i] == to[off + i] || from[i] == 1, "The expanded size of the tensor (", to[off + i],
                ") must match the existing size (", from[i], ") at non-singleton dimension ", off + i,
                ".  Target sizes: ", to, ".  Tensor sizes: ", from);
}

// A uint8 mask (deprecated in LibTorch) is read as 0/1; any other value is refused, not taken as true.
inline void check_byte_mask_values(const Tensor& mask) {
  if (mask.dtype() != kByte || mask.numel() == 0) return;
  NoGradGuard ng;
  EMBER_CHECK(mask.le(1).all().item<bool>(), "Mask tensor can take 0 and 1 values only");
}

// Throws PyTorch's message for an index outside [0, size) (gather, scatter: no wrapping).
inline void check_index_range(const Tensor& index, int64_t dim, int64_t size) {
  const int64_t* p = index.data_ptr<int64_t>();
  walk<1>(index.sizes(), {DimVector(index.strides())}, [&](const std::array<int64_t, 1>& off, const DimVector&) {
    int64_t v = p[off[0]];
    EMBER_CHECK(v >= 0 && v < size, "index ", v, " is out of bounds for dimension ", dim, " with size ", size);
  });
}

// Row-major element offsets of every position of `sizes` under `strides`.
inline std::vector<int64_t> offsets_of(IntArrayRef sizes, IntArrayRef strides) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(numel_of(sizes)));
  walk<1>(sizes, {DimVector(strides)},
          [&](const std::array<int64_t, 1>& off, const DimVector&) { out.push_back(off[0]); });
  return out;
}

}  // namespace ops
}  // namespace ember
