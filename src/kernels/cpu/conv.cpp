// Convolution as im2col + GEMM, the images of a batch in chunks on each thread (each GEMM
// single-threaded inside the parallel region; small images several to a forward product), and max
// pooling.
//
// im2col copies whole runs: for a fixed channel and kernel tap, the taps of one output row read one
// input row at a fixed stride, so each (tap, output row) is a copy (stride 1; for float the rows of a
// plane go as one block of vector copies, conv_simd.cpp, queued and run in batches) or a strided
// gather between two zero-filled ends. The weight gradient reads the columns transposed (im2row)
// where windows are long enough for a vector copy each. A 1x1 convolution with stride 1 and no
// padding needs no columns at all: the image is its own column matrix. Float GEMMs go whole to
// ember's SGEMM, which needs no splitting into small blocks.
#include "kernels/cpu/conv.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_simd.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cpu/parallel.h"

namespace ember {
namespace kernels {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// The output columns [first, last) whose tap at offset `off` (= k * d - p) lands inside [0, size).
std::pair<int64_t, int64_t> valid_outputs(int64_t off, int64_t stride, int64_t size, int64_t out) {
  const int64_t first = off >= 0 ? 0 : std::min(out, ceil_div(-off, stride));
  const int64_t last = std::clamp(ceil_div(size - off, stride), first, out);
  return {first, last};
}

bool is_pointwise(const Conv2dShape& s) {
  return s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.ph == 0 && s.pw == 0;
}

}  // namespace

namespace {
// Float row copies and adds queued and run a batch at a time (run_row_blocks_f32), in the order
// given; the destructor runs what is left.
class RowBlocks {
 public:
  RowBlocks() = default;
  RowBlocks(const RowBlocks&) = delete;
  RowBlocks& operator=(const RowBlocks&) = delete;
  ~RowBlocks() { flush(); }
  void push(RowOp op, const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
    blocks_[static_cast<size_t>(n_++)] = RowBlock{op, src, dst, src_stride, dst_stride, rows, len};
    if (n_ == static_cast<int64_t>(blocks_.size())) flush();
  }
  void flush() {
    if (n_ > 0) run_row_blocks_f32(blocks_.data(), n_);
    n_ = 0;
  }

 private:
  std::array<RowBlock, 64> blocks_;
  int64_t n_ = 0;
};

// The valid output ranges of each kernel row ([oh0, oh1): the input row lies inside the image) and
// of each kernel column ([first, last)), found once per call instead of with divisions per plane.
struct TapRanges {
  std::vector<std::pair<int64_t, int64_t>> rows, cols;
  explicit TapRanges(const Conv2dShape& s) : rows(static_cast<size_t>(s.kh)), cols(static_cast<size_t>(s.kw)) {
    for (int64_t ki = 0; ki < s.kh; ++ki) rows[static_cast<size_t>(ki)] = valid_outputs(ki * s.dh - s.ph, s.sh, s.H, s.OH);
    for (int64_t kj = 0; kj < s.kw; ++kj) cols[static_cast<size_t>(kj)] = valid_outputs(kj * s.dw - s.pw, s.sw, s.W, s.OW);
  }
};
}  // namespace

namespace {
// im2col into a column matrix whose rows are ld >= OH * OW apart, so that the columns of several
// images can lie side by side.
template <typename T>
void im2col_into(const T* img, int64_t C, const Conv2dShape& s, T* cols, int64_t ld) {
  // One (channel, tap) plane of the columns at a time: the rows and columns that fall in the
  // padding are zeroed, the rest is copied. With stride 1 and an output as wide as the input
  // ("same" padding), consecutive output rows read consecutive input rows, so the plane is one copy
  // of a contiguous span whose few wrapped elements at the row ends are then zeroed.
  const int64_t L = s.OH * s.OW, OW = s.OW;
  const bool one_span = s.sw == 1 && s.sh == 1 && s.OW == s.W;
  const TapRanges ranges(s);
  RowBlocks queue;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ki = 0; ki < s.kh; ++ki)
      for (int64_t kj = 0; kj < s.kw; ++kj) {
        T* plane = cols + ((c * s.kh + ki) * s.kw + kj) * ld;
        const int64_t off = kj * s.dw - s.pw;
        const auto [first, last] = ranges.cols[static_cast<size_t>(kj)];
        auto [oh0, oh1] = ranges.rows[static_cast<size_t>(ki)];
        if (first >= last) oh1 = oh0;
        std::fill(plane, plane + oh0 * OW, T(0));
        std::fill(plane + std::max(oh0, oh1) * OW, plane + L, T(0));
        if (oh0 >= oh1) continue;
        // Input element of output (oh, ow), for rows in [oh0, oh1): row_base + oh * sh * W + off + ow * sw.
        const int64_t row_base = (c * s.H + ki * s.dh - s.ph) * s.W;
        if (one_span) {
          const int64_t begin = oh0 * OW + first, end = (oh1 - 1) * OW + last;
          std::memcpy(plane + begin, img + (row_base + off + begin), static_cast<size_t>(end - begin) * sizeof(T));
          // Column by column: the padded columns are few, and a short run per row would become a
          // memset call per row.
          for (int64_t ow = 0; ow < first; ++ow)
            for (int64_t oh = oh0; oh < oh1; ++oh) plane[oh * OW + ow] = T(0);
          for (int64_t ow = last; ow < OW; ++ow)
            for (int64_t oh = oh0; oh < oh1; ++oh) plane[oh * OW + ow] = T(0);
          continue;
        }
        if constexpr (std::is_same_v<T, float>) {
          if (s.sw == 1) {  // the valid block in one call, then the padded columns if any
            queue.push(RowOp::kCopy, img + (row_base + oh0 * s.sh * s.W + off + first), s.sh * s.W,
                       plane + (oh0 * OW + first), OW, oh1 - oh0, last - first);
            if (first > 0 || last < OW)
              for (int64_t oh = oh0; oh < oh1; ++oh) {
                std::fill(plane + oh * OW, plane + (oh * OW + first), T(0));
                std::fill(plane + (oh * OW + last), plane + (oh + 1) * OW, T(0));
              }
            continue;
          }
        }
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          T* dst = plane + oh * OW;
          const T* src = img + (row_base + oh * s.sh * s.W);
          for (int64_t ow = 0; ow < first; ++ow) dst[ow] = T(0);
          if (s.sw == 1)
            std::memcpy(dst + first, src + off + first, static_cast<size_t>(last - first) * sizeof(T));
          else
            for (int64_t ow = first; ow < last; ++ow) dst[ow] = src[off + ow * s.sw];
          for (int64_t ow = last; ow < OW; ++ow) dst[ow] = T(0);
        }
      }
}

}  // namespace

template <typename T>
void im2col(const T* img, int64_t C, const Conv2dShape& s, T* cols) {
  im2col_into(img, C, s, cols, s.OH * s.OW);
}

template <typename T>
void im2row(const T* img, int64_t C, const Conv2dShape& s, T* rows, int64_t ld) {
  // One (channel, kernel row) segment of kw taps at a time, over every output position, segments
  // in ascending order. Where the output column's whole window lies inside the input row and the
  // taps are adjacent (no dilation), a float window of up to 8 taps is one 8-float vector copy: its
  // surplus lands in the next segment, written later, or in the row's padding, so only a last
  // segment without that padding needs an exact tail. Taps in the padding give 0. The window copies
  // are queued: before anything else is written into the rows they cover, the queue is run. (The
  // columns next to the padding, written one float at a time, lie in other rows.)
  const int64_t OW = s.OW, kw = s.kw;
  const TapRanges ranges(s);
  const auto [first0, last0] = ranges.cols[0];
  const auto [first1, last1] = ranges.cols[static_cast<size_t>(kw - 1)];
  const int64_t full0 = std::max(first0, first1), full1 = std::max(full0, std::min(last0, last1));
  const bool windows = std::is_same_v<T, float> && s.dw == 1 && kw <= 8;
  const T* const end = img + C * s.H * s.W;
  RowBlocks queue;
  auto one = [&](const T* src, T* dst, int64_t ow) {  // output column ow's window, bounds checked
    for (int64_t kj = 0; kj < kw; ++kj) {
      const int64_t col = ow * s.sw - s.pw + kj * s.dw;
      dst[ow * ld + kj] = col >= 0 && col < s.W ? src[col] : T(0);
    }
  };
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ki = 0; ki < s.kh; ++ki) {
      const int64_t q = (c * s.kh + ki) * kw;
      for (int64_t oh = 0; oh < s.OH; ++oh) {
        T* dst = rows + oh * OW * ld + q;
        const int64_t r = oh * s.sh + ki * s.dh - s.ph;
        if (r < 0 || r >= s.H) {
          queue.flush();  // queued windows of earlier segments may spill into these rows
          for (int64_t ow = 0; ow < OW; ++ow) std::fill(dst + ow * ld, dst + ow * ld + kw, T(0));
          continue;
        }
        const T* src = img + (c * s.H + r) * s.W;
        for (int64_t ow = 0; ow < full0; ++ow) one(src, dst, ow);
        int64_t ow = full0;
        if constexpr (std::is_same_v<T, float>) {
          if (windows && q + 8 <= ld) {
            // Windows whose 8-float read stays inside the image (all but near the image's end).
            const int64_t room = (end - src) + s.pw - 8;  // ow * sw may reach this
            const int64_t stop = (full1 - 1) * s.sw <= room ? full1
                                 : room < 0                 ? ow
                                                            : std::min(full1, std::max(ow, room / s.sw + 1));
            if (stop > ow) queue.push(RowOp::kWindows, src + (ow * s.sw - s.pw), s.sw, dst + ow * ld, ld, stop - ow, 8);
            ow = stop;
          }
        }
        if (ow < full1) queue.flush();  // as above
        for (; ow < full1; ++ow) {
          const T* w = src + (ow * s.sw - s.pw);
          for (int64_t kj = 0; kj < kw; ++kj) dst[ow * ld + kj] = w[kj * s.dw];
        }
        for (ow = full1; ow < OW; ++ow) one(src, dst, ow);
      }
    }
}

template <typename T>
void col2im(const T* cols, int64_t C, const Conv2dShape& s, T* img) {
  // The same walk as im2col, adding, with the channel as the inner loop: planes of neighbouring
  // taps add into the same image rows (shifted by an element or a row), and one right after the
  // other each short row's vector load would wait for the overlapping store just before it (no
  // store forwarding); planes of other channels touch other memory.
  const int64_t L = s.OH * s.OW, OW = s.OW;
  const TapRanges ranges(s);
  RowBlocks queue;
  for (int64_t kj = 0; kj < s.kw; ++kj)
    for (int64_t ki = 0; ki < s.kh; ++ki)
      for (int64_t c = 0; c < C; ++c) {
        const T* plane = cols + ((c * s.kh + ki) * s.kw + kj) * L;
        const int64_t off = kj * s.dw - s.pw;
        const auto [first, last] = ranges.cols[static_cast<size_t>(kj)];
        if (first >= last) continue;
        const auto [oh0, oh1] = ranges.rows[static_cast<size_t>(ki)];
        const int64_t row_base = (c * s.H + ki * s.dh - s.ph) * s.W;
        if constexpr (std::is_same_v<T, float>) {
          if (s.sw == 1) {
            if (oh0 < oh1)
              queue.push(RowOp::kAdd, plane + (oh0 * OW + first), OW, img + (row_base + oh0 * s.sh * s.W + off + first),
                         s.sh * s.W, oh1 - oh0, last - first);
            continue;
          }
        }
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          T* dst = img + (row_base + oh * s.sh * s.W);
          const T* src = plane + oh * OW;
          if (s.sw == 1)
            for (int64_t ow = first; ow < last; ++ow) dst[off + ow] += src[ow];
          else
            for (int64_t ow = first; ow < last; ++ow) dst[off + ow * s.sw] += src[ow];
        }
      }
}

namespace {

// col2im for the backward's own scratch columns, which it may overwrite. With stride 1 and an
// output as wide as the input, a plane's valid rows map to one contiguous span of the image (as in
// im2col); the plane's entries that wrap around a row end are zeroed first, so that adding the
// whole span leaves them out, and each plane is one long vectorised add instead of a short one
// per row. The taps outermost, as in col2im.
template <typename T>
void col2im_scratch(T* cols, int64_t C, const Conv2dShape& s, T* img) {
  if (!(s.sw == 1 && s.sh == 1 && s.OW == s.W)) {
    col2im(static_cast<const T*>(cols), C, s, img);
    return;
  }
  const int64_t L = s.OH * s.OW, OW = s.OW;
  const TapRanges ranges(s);
  RowBlocks queue;
  for (int64_t kj = 0; kj < s.kw; ++kj)
    for (int64_t ki = 0; ki < s.kh; ++ki)
      for (int64_t c = 0; c < C; ++c) {
        T* plane = cols + ((c * s.kh + ki) * s.kw + kj) * L;
        const int64_t off = kj * s.dw - s.pw;
        const auto [first, last] = ranges.cols[static_cast<size_t>(kj)];
        const auto [oh0, oh1] = ranges.rows[static_cast<size_t>(ki)];
        if (first >= last || oh0 >= oh1) continue;
        for (int64_t ow = 0; ow < first; ++ow)
          for (int64_t oh = oh0 + 1; oh < oh1; ++oh) plane[oh * OW + ow] = T(0);
        for (int64_t ow = last; ow < OW; ++ow)
          for (int64_t oh = oh0; oh + 1 < oh1; ++oh) plane[oh * OW + ow] = T(0);
        const int64_t begin = oh0 * OW + first, end = (oh1 - 1) * OW + last;
        T* dst = img + ((c * s.H + ki * s.dh - s.ph) * s.W + off + begin);
        const T* src = plane + begin;
        if constexpr (std::is_same_v<T, float>)
          queue.push(RowOp::kAdd, src, 0, dst, 0, 1, end - begin);
        else
          for (int64_t i = 0; i < end - begin; ++i) dst[i] += src[i];
      }
}

}  // namespace

namespace {

// The forward multiplies the weight by the columns of this many output positions at least, several
// small images side by side, where the weight (O x K) is larger than one image's output (O x L): the
// weight is packed once per product instead of once per image, at the cost of copying the product
// out image by image. (A small image's product alone spent as long packing as multiplying.)
constexpr int64_t kForwardColumns = 256;

// Rows of im2row are this much longer than their C * kh * kw taps, so that every window is one
// vector copy (im2row).
constexpr int64_t kRowPadding = 8;

// Whether the weight gradient reads im2row's rows (as they lie) or im2col's columns (which the
// product's packer transposes, 4 x 4 at a time). A window copy costs about one vector store
// whatever its length, so rows pay where windows are long: with 5 taps the rows won, with 3 (and
// padded columns, copied one float at a time) they took twice as long as columns and the packer.
bool weight_grad_from_rows(const Conv2dShape& s) { return s.dw == 1 && s.kw >= 4 && s.kw <= 8; }

// Elements of one image's columns (none for a pointwise convolution), of the backward's scratch per
// chunk (the columns, or im2row's rows with their padding where the weight gradient reads those),
// and of the weight; how many images one forward product takes, and the forward's scratch per chunk
// of images: their columns and, for more than one image, the product before it is copied out image
// by image. INT64_MAX where a size overflows.
struct ConvSizes {
  int64_t cols, rows, weight, batch, forward;
};
ConvSizes conv_sizes(const Conv2dShape& s) {
  const int64_t K = s.C / s.groups * s.kh * s.kw, L = s.OH * s.OW;
  ConvSizes z{is_pointwise(s) ? 0 : s.groups * K * L, 0, s.O * K, 1, 0};
  z.rows = z.cols;
  if (z.cols > 0 && weight_grad_from_rows(s) && __builtin_mul_overflow(s.groups * K + kRowPadding, L, &z.rows))
    z.rows = std::numeric_limits<int64_t>::max();
  if (z.cols > 0 && K > L) z.batch = std::clamp<int64_t>(ceil_div(kForwardColumns, L), 1, std::max<int64_t>(s.N, 1));
  int64_t cols = 0, prod = 0;
  if (__builtin_mul_overflow(z.batch, z.cols, &cols) ||
      __builtin_mul_overflow(z.batch > 1 ? z.batch : 0, s.O * L, &prod) || __builtin_add_overflow(cols, prod, &z.forward))
    z.forward = std::numeric_limits<int64_t>::max();
  return z;
}

// How many chunks of images a workspace of `size` elements holds (see conv2d_workspace), at most
// one per thread: the thread count may have changed since the caller sized it.
int64_t chunks_for(const Conv2dShape& s, bool backward, int64_t size) {
  const ConvSizes z = conv_sizes(s);
  int64_t per_chunk = z.forward;
  if (backward && __builtin_add_overflow(z.rows, z.weight, &per_chunk)) per_chunk = std::numeric_limits<int64_t>::max();
  const int64_t spare = backward ? z.weight : 0;
  const int64_t fit = per_chunk == 0 ? s.N : (size + spare) / per_chunk;
  return std::max<int64_t>(1, std::min(chunk_count(s.N), fit));
}

// The sum of p[0, n) in double, over eight lanes so that the compiler vectorises it.
template <typename T>
double sum_in_double(const T* p, int64_t n) {
  double lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += static_cast<double>(p[i + j]);
  double acc = 0;
  for (double v : lanes) acc += v;
  for (; i < n; ++i) acc += static_cast<double>(p[i]);
  return acc;
}

int64_t gemm_workspace(const Conv2dShape& s, bool backward) {
  // Per chunk of images, the forward's scratch or the backward's columns; for backward also a
  // weight-gradient sum per chunk but the first.
  const ConvSizes z = conv_sizes(s);
  const int64_t chunks = chunk_count(s.N);
  int64_t cols = 0, sums = 0, total = 0;
  if (__builtin_mul_overflow(chunks, backward ? z.rows : z.forward, &cols) ||
      __builtin_mul_overflow(backward ? chunks - 1 : 0, z.weight, &sums) || __builtin_add_overflow(cols, sums, &total))
    return std::numeric_limits<int64_t>::max();
  return total;
}

// The direct kernels' plan for float; im2col + GEMM throughout for double.
template <typename T>
DirectPlan plan_for(const Conv2dShape& s) {
  if constexpr (std::is_same_v<T, float>)
    return conv2d_direct_plan(s);
  else
    return {};
}
}  // namespace

template <typename T>
int64_t conv2d_workspace(const Conv2dShape& s, bool backward) {
  const DirectPlan plan = plan_for<T>(s);
  const int direct_parts = backward ? (plan.input_grad != DirectPath::kGemm) + (plan.weight_grad != DirectPath::kGemm)
                                    : (plan.forward != DirectPath::kGemm);
  const int parts = backward ? 2 : 1;
  // The backward's direct and GEMM parts run one after the other, each in the whole workspace.
  return std::max(direct_parts < parts ? gemm_workspace(s, backward) : 0,
                  direct_parts > 0 ? conv2d_direct_workspace(s, plan, backward) : 0);
}

template <typename T>
void conv2d_forward(const T* x, const T* w, const T* bias, const Conv2dShape& s, T* out, T* workspace,
                    int64_t workspace_size) {
  if constexpr (std::is_same_v<T, float>) {
    if (const DirectPlan plan = plan_for<T>(s); plan.forward != DirectPath::kGemm)
      return conv2d_direct_forward(x, w, bias, s, plan, out, workspace, workspace_size);
  }
  const int64_t L = s.OH * s.OW, cg = s.C / s.groups, og = s.O / s.groups, K = cg * s.kh * s.kw;
  const ConvSizes z = conv_sizes(s);
  const int64_t image = s.C * s.H * s.W;
  for_chunks(s.N, chunks_for(s, false, workspace_size), [&](int64_t chunk, int64_t b, int64_t e) {
    T* cols = workspace + chunk * z.forward;
    T* prod = cols + z.batch * z.cols;  // (O, images * L) when a product takes several images
    for (int64_t n = b; n < e; n += z.batch) {
      const int64_t images = std::min(z.batch, e - n), ld = images * L;
      if (z.cols)
        for (int64_t i = 0; i < images; ++i) im2col_into(x + (n + i) * image, s.C, s, cols + i * L, ld);
      const T* cn = z.cols ? cols : x + n * image;
      T* on = images == 1 ? out + n * s.O * L : prod;
      if (bias)
        for (int64_t o = 0; o < s.O; ++o) std::fill(on + o * ld, on + (o + 1) * ld, bias[o]);
      for (int64_t gi = 0; gi < s.groups; ++gi)
        gemm<T>(false, false, og, ld, K, T(1), w + gi * og * K, K, cn + gi * K * ld, ld, bias ? T(1) : T(0),
                on + gi * og * ld, ld);
      if (images > 1)
        for (int64_t i = 0; i < images; ++i)
          for (int64_t o = 0; o < s.O; ++o) std::copy_n(prod + o * ld + i * L, L, out + ((n + i) * s.O + o) * L);
    }
  });
}

namespace {
// img (C, H, W) = col2im of the backward's scratch columns: gathered in registers where the float
// kernel can (stride 1, no dilation; each image row one store, against one short add per columns
// row and tap), else added into the zeroed image.
template <typename T>
void col2im_backward(T* cols, const Conv2dShape& s, T* img) {
  if constexpr (std::is_same_v<T, float>) {
    if (s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 &&
        col2im_gather_f32(cols, s.C, s.H, s.W, s.OH, s.OW, s.kh, s.kw, s.ph, s.pw, img))
      return;
  }
  std::fill(img, img + s.C * s.H * s.W, T(0));
  col2im_scratch(cols, s.C, s, img);
}
}  // namespace

namespace {
// gb (O) = gout (N, O, OH, OW) summed over all but the channels, in double.
template <typename T>
void bias_grad(const T* gout, const Conv2dShape& s, T* gb) {
  const int64_t L = s.OH * s.OW;
  parallel_for(0, s.O, 1, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      double acc = 0;
      for (int64_t n = 0; n < s.N; ++n) acc += sum_in_double(gout + (n * s.O + o) * L, L);
      gb[o] = static_cast<T>(acc);
    }
  });
}
}  // namespace

template <typename T>
void conv2d_backward(const T* x, const T* w, const T* gout, const Conv2dShape& s, T* gx, T* gw, T* gb, T* workspace,
                     int64_t workspace_size) {
  if constexpr (std::is_same_v<T, float>) {
    const DirectPlan plan = plan_for<T>(s);
    T* direct_gx = plan.input_grad != DirectPath::kGemm ? gx : nullptr;
    T* direct_gw = plan.weight_grad != DirectPath::kGemm ? gw : nullptr;
    if (direct_gx || direct_gw) {
      conv2d_direct_backward(x, w, gout, s, plan, direct_gx, direct_gw, workspace, workspace_size);
      if (direct_gx) gx = nullptr;  // what is left comes from im2col + GEMM, below
      if (direct_gw) gw = nullptr;
    }
  }
  if (!gx && !gw) {
    if (gb) bias_grad(gout, s, gb);
    return;
  }
  const int64_t L = s.OH * s.OW, cg = s.C / s.groups, og = s.O / s.groups, K = cg * s.kh * s.kw;
  const int64_t image = s.C * s.H * s.W;
  const ConvSizes z = conv_sizes(s);
  const int64_t chunks = chunks_for(s, true, workspace_size);
  // The weight gradient sums over images: each chunk of images sums into its own buffer (the
  // first chunk into gw itself), added up in chunk order at the end (reproducible for a given
  // thread count). (Accumulating the transposed product, columns x gout^T, ran 135 against 107
  // GFLOP/s for 32 x 144 x 196 on OpenBLAS's SkylakeX kernels, but changes the rounding of the
  // weight gradient, which Adam amplifies where a gradient is near zero; not taken.)
  T* sums = workspace + chunks * z.rows;
  if (gw) std::fill(gw, gw + z.weight, T(0));
  if (gw) std::fill(sums, sums + (chunks - 1) * z.weight, T(0));
  for_chunks(s.N, chunks, [&](int64_t chunk, int64_t b, int64_t e) {
    T* cols = workspace + chunk * z.rows;
    T* gw_chunk = chunk == 0 ? gw : sums + (chunk - 1) * z.weight;
    for (int64_t n = b; n < e; ++n) {
      const T* gn = gout + n * s.O * L;
      if (gw) {
        const T* xn = x + n * image;
        if (z.cols && weight_grad_from_rows(s)) {  // gout (og, L) times the rows (L, K) of each group, as they lie
          const int64_t ld = s.groups * K + kRowPadding;
          im2row(xn, s.C, s, cols, ld);
          for (int64_t gi = 0; gi < s.groups; ++gi)
            gemm<T>(false, false, og, K, L, T(1), gn + gi * og * L, L, cols + gi * K, ld, T(1), gw_chunk + gi * og * K, K);
        } else {  // gout times the columns (K, L) transposed; a pointwise image is its own columns
          if (z.cols) im2col(xn, s.C, s, cols);
          const T* cn = z.cols ? cols : xn;
          for (int64_t gi = 0; gi < s.groups; ++gi)
            gemm<T>(false, true, og, K, L, T(1), gn + gi * og * L, L, cn + gi * K * L, L, T(1), gw_chunk + gi * og * K,
                    K);
        }
      }
      if (gx) {
        T* gxn = gx + n * image;
        T* cn = z.cols ? cols : gxn;
        for (int64_t gi = 0; gi < s.groups; ++gi)
          gemm<T>(true, false, K, L, og, T(1), w + gi * og * K, K, gn + gi * og * L, L, T(0), cn + gi * K * L, L);
        if (z.cols) col2im_backward(cols, s, gxn);
      }
    }
  });
  if (gw)
    for (int64_t c = 1; c < chunks; ++c)
      for (int64_t i = 0; i < z.weight; ++i) gw[i] += sums[(c - 1) * z.weight + i];
  if (gb) bias_grad(gout, s, gb);
}

namespace {

// With kIndices false (no gradient needed) the indices are neither computed nor written.
template <bool kIndices, typename T>
void max_pool2d_planes(const T* x, int64_t planes, const Conv2dShape& s, T* values, int64_t* indices) {
  const int64_t H = s.H, W = s.W, OH = s.OH, OW = s.OW;
  // A 2x2 window of stride 2 that never leaves the image: four loads, no bounds, no branches.
  const bool two_by_two = max_pool_is_2x2(s);
  parallel_for(0, planes, 1, [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const T* img = x + plane * H * W;
      T* val = values + plane * OH * OW;
      int64_t* ind = kIndices ? indices + plane * OH * OW : nullptr;
      (void)ind;
      if constexpr (std::is_same_v<T, float>) {
        if (two_by_two) {
          max_pool2x2_f32(img, W, OH, OW, val, kIndices ? ind : nullptr);
          continue;
        }
      }
      for (int64_t oh = 0; oh < OH; ++oh) {
        if (two_by_two) {
          const T* r0 = img + 2 * oh * W;
          const T* r1 = r0 + W;
          for (int64_t ow = 0; ow < OW; ++ow) {
            // The window's rule below, unrolled: v is taken when v > best or v is NaN.
            T best = r0[2 * ow];
            int64_t at = 0;
            const T v1 = r0[2 * ow + 1], v2 = r1[2 * ow], v3 = r1[2 * ow + 1];
            bool take = (v1 > best) | (v1 != v1);
            best = take ? v1 : best;
            at = take ? 1 : at;
            take = (v2 > best) | (v2 != v2);
            best = take ? v2 : best;
            at = take ? W : at;
            take = (v3 > best) | (v3 != v3);
            best = take ? v3 : best;
            at = take ? W + 1 : at;
            val[oh * OW + ow] = best;
            if constexpr (kIndices) ind[oh * OW + ow] = 2 * oh * W + 2 * ow + at;
          }
          continue;
        }
        for (int64_t ow = 0; ow < OW; ++ow) {
          // Scan order; a NaN always takes over, so the last NaN of the window wins, as in PyTorch.
          T best = -std::numeric_limits<T>::infinity();
          // Stays -1 (value -inf) for a window wholly in the padding, which dilation allows.
          // LibTorch 1.13 reports an index there that is no element of the window, and its
          // backward sends the window's gradient to that unrelated element; ember sends none.
          int64_t best_i = -1;
          // Only the taps inside the image are visited, so a huge kernel costs no more than the image.
          const int64_t h0 = oh * s.sh - s.ph, w0 = ow * s.sw - s.pw;
          const auto [ki0, ki1] = valid_outputs(h0, s.dh, H, s.kh);
          const auto [kj0, kj1] = valid_outputs(w0, s.dw, W, s.kw);
          for (int64_t ki = ki0; ki < ki1; ++ki)
            for (int64_t kj = kj0; kj < kj1; ++kj) {
              const int64_t i = (h0 + ki * s.dh) * W + w0 + kj * s.dw;
              const T v = img[i];
              if (v > best || best_i < 0 || std::isnan(v)) {
                best = v;
                best_i = i;
              }
            }
          val[oh * OW + ow] = best;
          if constexpr (kIndices) ind[oh * OW + ow] = best_i;
        }
      }
    }
  });
}

}  // namespace

template <typename T>
void max_pool2d_forward(const T* x, int64_t planes, const Conv2dShape& s, T* values, int64_t* indices) {
  if (indices)
    max_pool2d_planes<true>(x, planes, s, values, indices);
  else
    max_pool2d_planes<false>(x, planes, s, values, indices);
}

namespace {

// One plane's 2x2 blocks (2 * OH rows, 2 * OW columns of g), each written once from its window's
// gradient and index: the scalar rule of max_pool2x2_backward_f32, for double and for widths whose
// in-window offsets would not fit its 32-bit codes.
template <typename T>
void max_unpool2x2_plane(const T* go, const int64_t* ind, int64_t W, int64_t OH, int64_t OW, T* g) {
  for (int64_t oh = 0; oh < OH; ++oh) {
    T* r0 = g + 2 * oh * W;
    T* r1 = r0 + W;
    for (int64_t ow = 0; ow < OW; ++ow)
      unpool2x2_window(go[oh * OW + ow], ind[oh * OW + ow] - (2 * oh * W + 2 * ow), W, r0 + 2 * ow, r1 + 2 * ow);
  }
}

}  // namespace

template <typename T>
void max_pool2d_backward(const T* gout, const int64_t* indices, int64_t planes, const Conv2dShape& s, T* gx) {
  const int64_t in = s.H * s.W, out = s.OH * s.OW;
  if (max_pool_is_2x2(s)) {
    const int64_t W = s.W, OH = s.OH, OW = s.OW;
    const bool simd = std::is_same_v<T, float> && W < std::numeric_limits<int32_t>::max();
    parallel_for(0, planes, 1, [&](int64_t b, int64_t e) {
      if constexpr (std::is_same_v<T, float>) {
        if (simd) max_pool2x2_backward_f32(gout + b * out, indices + b * out, e - b, s.H, W, OH, OW, gx + b * in);
      }
      for (int64_t plane = b; plane < e; ++plane) {
        T* g = gx + plane * in;
        if (!simd) max_unpool2x2_plane(gout + plane * out, indices + plane * out, W, OH, OW, g);
        // What no window covers: the last column of an odd width, the last row of an odd height.
        if (2 * OW < W)
          for (int64_t h = 0; h < 2 * OH; ++h) std::fill(g + h * W + 2 * OW, g + (h + 1) * W, T(0));
        std::fill(g + 2 * OH * W, g + in, T(0));
      }
    });
    return;
  }
  parallel_for(0, planes, 1, [&](int64_t b, int64_t e) {
    std::fill(gx + b * in, gx + e * in, T(0));
    for (int64_t plane = b; plane < e; ++plane) {
      T* g = gx + plane * in;
      for (int64_t i = plane * out; i < (plane + 1) * out; ++i)
        if (indices[i] >= 0) g[indices[i]] += gout[i];
    }
  });
}

void conv2d_forward_int(const uint64_t* x, const uint64_t* w, const uint64_t* bias, const Conv2dShape& s,
                        uint64_t* out) {
  const int64_t cg = s.C / s.groups, og = s.O / s.groups, K = cg * s.kh * s.kw, L = s.OH * s.OW;
  parallel_for(0, s.N, 1, [&](int64_t b, int64_t e) {
    std::vector<uint64_t> cols(static_cast<size_t>(K * L));
    for (int64_t n = b; n < e; ++n)
      for (int64_t g = 0; g < s.groups; ++g) {
        im2col(x + (n * s.C + g * cg) * s.H * s.W, cg, s, cols.data());
        for (int64_t o = g * og; o < (g + 1) * og; ++o) {
          uint64_t* y = out + (n * s.O + o) * L;
          std::fill(y, y + L, bias ? bias[o] : 0);
          for (int64_t k = 0; k < K; ++k) {
            const uint64_t wk = w[o * K + k];
            const uint64_t* c = cols.data() + k * L;
            for (int64_t l = 0; l < L; ++l) y[l] += wk * c[l];
          }
        }
      }
  });
}

void conv_transpose2d_int(const uint64_t* x, int64_t H, int64_t W, const uint64_t* w, const Conv2dShape& s,
                          uint64_t* out) {
  const int64_t cg = s.O / s.groups, og = s.C / s.groups, K = og * s.kh * s.kw, L = s.OH * s.OW;
  parallel_for(0, s.N, 1, [&](int64_t b, int64_t e) {
    std::vector<uint64_t> cols(static_cast<size_t>(K * L));
    for (int64_t n = b; n < e; ++n) {
      std::fill(out + n * s.C * s.H * s.W, out + (n + 1) * s.C * s.H * s.W, uint64_t{0});
      for (int64_t g = 0; g < s.groups; ++g) {
        // cols (og * kh * kw, OH * OW) = w_g^T x_g, at the windows the input covers.
        std::fill(cols.begin(), cols.end(), uint64_t{0});
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
          const uint64_t* img = x + (n * s.O + c) * H * W;
          for (int64_t k = 0; k < K; ++k) {
            const uint64_t wk = w[c * K + k];
            uint64_t* col = cols.data() + k * L;
            for (int64_t h = 0; h < H; ++h)
              for (int64_t v = 0; v < W; ++v) col[h * s.OW + v] += wk * img[h * W + v];
          }
        }
        col2im(cols.data(), og, s, out + (n * s.C + g * og) * s.H * s.W);
      }
    }
  });
}

#define EMBER_CONV_KERNELS(T)                                                                           \
  template int64_t conv2d_workspace<T>(const Conv2dShape&, bool);                                       \
  template void im2col<T>(const T*, int64_t, const Conv2dShape&, T*);                                   \
  template void im2row<T>(const T*, int64_t, const Conv2dShape&, T*, int64_t);                          \
  template void col2im<T>(const T*, int64_t, const Conv2dShape&, T*);                                   \
  template void conv2d_forward<T>(const T*, const T*, const T*, const Conv2dShape&, T*, T*, int64_t);   \
  template void conv2d_backward<T>(const T*, const T*, const T*, const Conv2dShape&, T*, T*, T*, T*, int64_t); \
  template void max_pool2d_forward<T>(const T*, int64_t, const Conv2dShape&, T*, int64_t*);             \
  template void max_pool2d_backward<T>(const T*, const int64_t*, int64_t, const Conv2dShape&, T*);
EMBER_CONV_KERNELS(float)
EMBER_CONV_KERNELS(double)
#undef EMBER_CONV_KERNELS

}  // namespace kernels
}  // namespace ember
