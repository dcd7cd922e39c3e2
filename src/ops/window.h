// Sliding-window geometry shared by the convolution and pooling families (private to src/ops).
#pragma once
#include <array>
#include <cstdint>
#include <limits>

#include "ember/core/dtype.h"
#include "ember/core/error.h"
#include "ember/core/shape.h"

namespace ember {
namespace ops {

// The integer convolutions LibTorch 1.13's CPU kernels take: int64 in every kernel, the other
// integer types only in the plain (neither transposed nor dilated) ones, bool in none. The rest is
// refused with the name of the kernel LibTorch would have picked.
inline void check_conv_dtype(ScalarType dt, bool transposed, bool dilated, int dims) {
  if (is_floating_type(dt) || (dt == kLong) || (dt != kBool && !transposed && !dilated)) return;
  const char* kernel = transposed  ? (dims == 3 ? "slow_conv_transpose3d_out_cpu" : "slow_conv_transpose2d_out_cpu")
                       : dilated   ? "slow_conv_dilated<>"
                       : dims == 3 ? "compute_columns3d"
                                   : "slow_conv2d_cpu";
  EMBER_CHECK(false, "\"", kernel, "\" not implemented for '", to_string(dt), "'");
}

// Kernel, dilation, padding and stride of a 2-D window (1-D ops use height 1).
struct Window {
  std::array<int64_t, 2> k, d, p, s;
};

// An int pair from 1 or 2 values (LibTorch's ExpandingArray<2>).
inline std::array<int64_t, 2> pair_of(IntArrayRef v, const char* what, const char* op) {
  EMBER_CHECK(v.size() == 1 || v.size() == 2, op, ": ", what, " must have 1 or 2 values, got ", v);
  return {v[0], v.size() == 2 ? v[1] : v[0]};
}

// Window parameters must fit in int32, as PyTorch's kernels take them as int; larger ones would
// make the window arithmetic (pool sizes, spans, output sizes) overflow.
inline void check_int32(const char* op, const char* what, IntArrayRef v) {
  for (int64_t x : v)
    EMBER_CHECK(x >= std::numeric_limits<int32_t>::min() && x <= std::numeric_limits<int32_t>::max(), op, ": ",
                what, " must fit in a 32-bit int, but got ", v);
}

inline Window window_of(const char* op, IntArrayRef kernel, IntArrayRef dilation, IntArrayRef padding,
                        IntArrayRef stride) {
  Window w{pair_of(kernel, "kernel_size", op), pair_of(dilation, "dilation", op), pair_of(padding, "padding", op),
           pair_of(stride, "stride", op)};
  check_int32(op, "kernel_size", kernel);
  check_int32(op, "dilation", dilation);
  check_int32(op, "padding", padding);
  check_int32(op, "stride", stride);
  for (int i = 0; i < 2; ++i) {
    EMBER_CHECK(w.k[i] > 0, op, ": kernel size should be greater than zero, but got ", kernel);
    EMBER_CHECK(w.s[i] > 0, op, ": stride should be greater than zero, but got ", stride);
    EMBER_CHECK(w.d[i] > 0, op, ": dilation should be greater than zero, but got ", dilation);
    EMBER_CHECK(w.p[i] >= 0, op, ": padding should be non-negative, but got ", padding);
  }
  return w;
}

// a * b for sizes, as an error where it overflows int64 (a wrapped size could look small).
inline int64_t checked_mul(const char* op, int64_t a, int64_t b) {
  int64_t r = 0;
  EMBER_CHECK(!__builtin_mul_overflow(a, b, &r), op, ": size ", a, " * ", b, " is too large");
  return r;
}

// Floor division (rounds toward negative infinity, as ATen's div_rtn).
inline int64_t div_floor(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// ATen's pooling_output_shape; with ceil_mode the last window must start inside the input or the
// left padding.
inline int64_t out_size(int64_t in, int64_t k, int64_t d, int64_t p, int64_t s, bool ceil_mode = false) {
  const int64_t o = div_floor(in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
  if (ceil_mode && (o - 1) * s >= in + p) return o - 1;
  return o;
}

}  // namespace ops
}  // namespace ember
