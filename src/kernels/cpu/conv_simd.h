// Vector pieces of the convolution and pooling kernels (conv.cpp), float only: row-block copies and
// adds for im2col/col2im, and the 2x2 stride-2 max pool. Compiled per Highway target, chosen at run
// time. Private to the kernel layer and its tests.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// rows x len block: dst[r * dst_stride + i] = src[r * src_stride + i].
void copy_rows_f32(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len);
// rows x len block: dst[r * dst_stride + i] += src[r * src_stride + i].
void add_rows_f32(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len);
// One (H, W) plane, 2x2 windows of stride 2, no padding, 2 * OH <= H and 2 * OW <= W: val (OH, OW)
// gets each window's maximum, NaN taken over any number (the last NaN in scan order), and ind the
// flat index h * W + w of the picked element when not null.
void max_pool2x2_f32(const float* img, int64_t W, int64_t OH, int64_t OW, float* val, int64_t* ind);

}  // namespace kernels
}  // namespace ember
