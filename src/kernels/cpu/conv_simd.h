// Vector pieces of the convolution and pooling kernels (conv.cpp), float only: row-block copies and
// adds for im2col/col2im, window copies for im2row, and the 2x2 stride-2 max pool and its backward.
// Compiled per Highway target, chosen at run time. Private to the kernel layer and its tests.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// Row copies for im2col, im2row and col2im, run a batch at a time with one dispatch: those of small
// images make hundreds of calls per image, each of a few rows, where the dispatch cost as much as
// the rows. Each block, in order:
//   kCopy: rows x len, dst[r * dst_stride + i] = src[r * src_stride + i];
//   kAdd: the same with +=;
//   kWindows: rows windows of 8 floats, dst[r * dst_stride + j] = src[r * src_stride + j], j < 8
//     (len unused). A convolution window of up to 8 taps is one vector: the caller lets it read 8
//     floats from every source row and lets it overwrite the floats past the useful ones (they are
//     written again later), which saves a tail per short row.
// kCopy and kAdd never touch memory outside their rows.
enum class RowOp : int32_t { kCopy, kAdd, kWindows };
struct RowBlock {
  RowOp op;
  const float* src;
  float* dst;
  int64_t src_stride, dst_stride, rows, len;
};
void run_row_blocks_f32(const RowBlock* blocks, int64_t count);
// col2im for stride 1 and no dilation, writing (not adding) every element of img (C, H, W) once:
// img[c][y][x] = the sum over taps (a, b) of cols[(c * kh + a) * kw + b][(y - a + ph) * OW + x - b + pw],
// where that row and column exist. Reads nothing outside those columns. Returns false, touching
// nothing, on targets without fault-free masked loads (before AVX2); col2im serves there.
bool col2im_gather_f32(const float* cols, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh,
                       int64_t kw, int64_t ph, int64_t pw, float* img);
// One (H, W) plane, 2x2 windows of stride 2, no padding, 2 * OH <= H and 2 * OW <= W: val (OH, OW)
// gets each window's maximum, NaN taken over any number (the last NaN in scan order), and ind the
// flat index h * W + w of the picked element when not null.
void max_pool2x2_f32(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind);
// Its backward on `planes` consecutive (H, W) planes, W < INT32_MAX: each 2x2 block of g (rows
// < 2 * OH, columns < 2 * OW) written once, gout + 0 at the element that ind (as max_pool2x2_f32
// wrote it, per plane) names and 0 at the other three. Rows and columns past the blocks are not
// touched.
void max_pool2x2_backward_f32(const float* gout, const int64_t* ind, int64_t planes, int64_t H, int64_t W, int64_t OH,
                              int64_t OW, float* g);
// The backward's rule for one window, in rows r0 and r1 (W apart) from its left column: v + 0 (so
// -0 gives +0, as the sum does) at the element `at` from the corner (0, 1, W or W + 1), 0 at the
// other three.
template <typename T>
inline void unpool2x2_window(T v, int64_t at, int64_t W, T* r0, T* r1) {
  v = v + T(0);
  r0[0] = at == 0 ? v : T(0);
  r0[1] = at == 1 ? v : T(0);
  r1[0] = at == W ? v : T(0);
  r1[1] = at == W + 1 ? v : T(0);
}

}  // namespace kernels
}  // namespace ember
