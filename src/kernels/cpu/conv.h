// Convolution and pooling kernels on raw, contiguous NCHW buffers (float and double). They know
// nothing of tensors or autograd: src/ops/conv.cpp and pool.cpp check arguments, allocate and
// record the graph, then call these.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// The geometry of a 2-D convolution or sliding window (1-D ones run with height 1).
struct Conv2dShape {
  int64_t N, C, H, W;                     // input
  int64_t O, groups;                      // output channels; the weight is (O, C / groups, kh, kw)
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;  // kernel, stride, padding, dilation
  int64_t OH, OW;                         // output
};

// One image: img (C, H, W) to columns (C * kh * kw, OH * OW); taps in the padding give 0.
template <typename T>
void im2col(const T* img, int64_t C, const Conv2dShape& s, T* cols);
// The same columns transposed, one row per output position: rows (OH * OW, C * kh * kw), ld >=
// C * kh * kw apart. The weight gradient's product reads them as they lie, with no transposing
// pack. Elements past C * kh * kw in a row may be overwritten; with ld >= C * kh * kw + 8 every
// window of a float row is copied as one vector.
template <typename T>
void im2row(const T* img, int64_t C, const Conv2dShape& s, T* rows, int64_t ld);
// The adjoint: columns (C * kh * kw, OH * OW) added into img (C, H, W).
template <typename T>
void col2im(const T* cols, int64_t C, const Conv2dShape& s, T* img);

// Scratch elements that conv2d_forward (backward = false) or conv2d_backward needs to use every
// thread, allocated by the caller; INT64_MAX when the count overflows. The kernels take the
// workspace's size and use no more threads than it has room for.
template <typename T>
int64_t conv2d_workspace(const Conv2dShape& s, bool backward);
// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C / groups, kh, kw)) + bias (O) if not null.
template <typename T>
void conv2d_forward(const T* x, const T* w, const T* bias, const Conv2dShape& s, T* out, T* workspace,
                    int64_t workspace_size);
// Gradients of conv2d_forward from gout (N, O, OH, OW): gx (N, C, H, W), gw (shaped as w) and gb
// (O), each skipped when null, all overwritten.
template <typename T>
void conv2d_backward(const T* x, const T* w, const T* gout, const Conv2dShape& s, T* gx, T* gw, T* gb, T* workspace,
                     int64_t workspace_size);

// Integer convolutions (int64 data, read and written as uint64): products and sums wrap modulo
// 2^64 as LibTorch's integer kernels wrap in their own width, so the low bits (what a narrower
// integer dtype keeps) are the same. conv2d_forward_int: as conv2d_forward. conv_transpose2d_int:
// out (N, s.C, s.H, s.W) = the transposed convolution of x (N, s.O, H, W) by w (s.O, s.C / groups,
// kh, kw), no bias, where s is the geometry of the forward convolution that maps out's image to
// s.OH x s.OW windows (s.OH >= H, s.OW >= W: windows past the input's extent get nothing).
void conv2d_forward_int(const uint64_t* x, const uint64_t* w, const uint64_t* bias, const Conv2dShape& s,
                        uint64_t* out);
void conv_transpose2d_int(const uint64_t* x, int64_t H, int64_t W, const uint64_t* w, const Conv2dShape& s,
                          uint64_t* out);

// Max pooling over each of `planes` (H, W) planes: values and the flat index (h * W + w) of the
// picked element, -1 for a window wholly in the padding. A NaN is picked over any number.
template <typename T>
void max_pool2d_forward(const T* x, int64_t planes, const Conv2dShape& s, T* values, int64_t* indices);
// gx (planes, H, W) = 0, then each gout element added at its index (skipped where -1). s is the
// forward's geometry (window, stride, padding, dilation, sizes). Where max_pool_is_2x2(s), each
// window's 2x2 block is written once (gout + 0 at the index, so -0 gives +0 as the sum does, and 0
// elsewhere) and only the rows and columns no window covers are zeroed; an index outside its own
// window, which the forward never records, then contributes nothing.
template <typename T>
void max_pool2d_backward(const T* gout, const int64_t* indices, int64_t planes, const Conv2dShape& s, T* gx);

// 2x2 windows of stride 2, no padding or dilation, none leaving the image: the windows tile the
// top-left (2 * OH, 2 * OW) block of each plane without overlapping.
inline bool max_pool_is_2x2(const Conv2dShape& s) {
  return s.kh == 2 && s.kw == 2 && s.sh == 2 && s.sw == 2 && s.ph == 0 && s.pw == 0 && s.dh == 1 && s.dw == 1 &&
         2 * s.OH <= s.H && 2 * s.OW <= s.W;
}

}  // namespace kernels
}  // namespace ember
