// Winograd's F(2 x 2, 3 x 3) for the 3 x 3 correlations of the direct convolution (conv_direct.cpp):
// the forward, the input gradient and the weight gradient, stride 1, no dilation, one group. Each
// 2 x 2 block of outputs ("tile") is computed from the 4 x 4 block of the padded input under it:
// V = B^T d B per input channel, U = G g G^T per weight, then for each of the 16 points p the
// product M[p] (tiles x outputs) = V[p] (tiles x inputs) * U[p] (inputs x outputs), and
// Y = A^T M A. That is 16 multiplications per input and output channel where the correlation takes
// 36 (2.25x fewer); the transforms are additions. With
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1]
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). Errors stay within a
// few units in the last place of the largest output: the transforms add at most four terms, and G
// only halves. A non-finite input or weight would leak into the other outputs of its tile
// (inf - inf), so callers take it only where all_finite says the operands are finite. The
// transforms' intermediate values reach about 10 times a direct sum's largest term, so operands
// within that factor of the largest float may overflow where the direct sums would not.
// Private to the kernel layer.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// One correlation: x (C, H, W) zero-padded by `top` rows and `left` columns on each side, with
// weights (O, C, 3, 3), into y (O, OH, OW), OH = H + 2 * top - 2 and OW = W + 2 * left - 2.
struct WinogradShape {
  int64_t C, H, W, top, left, O, OH, OW;
};

// Floats of the transformed weight and bias (winograd_weight), and of one chunk's scratch
// (winograd_image); both depend on the SIMD target's vector width. INT64_MAX on overflow.
int64_t winograd_weight_size(const WinogradShape& s);
int64_t winograd_scratch_size(const WinogradShape& s);
// The weight transformed for s: from w (O, C, 3, 3), or with `flip` from the input gradient's view of
// the forward's weight (C, O, 3, 3) flipped in both directions; bias (O) or null for none.
void winograd_weight(const WinogradShape& s, const float* w, bool flip, const float* bias, float* u);
// y from x for one image; scratch (winograd_scratch_size floats) must be zeroed before a chunk's
// first image and is then reused as it is (the padding stays 0).
void winograd_image(const WinogradShape& s, const float* x, const float* u, float* scratch, float* y);
// The weight gradient of the correlation s over a batch: each chunk of images sums, image by image,
// x (C, H, W) with its output gradient gy (O, OH, OW) into its du (winograd_grad_size floats, zeroed
// first; the scratch as for winograd_image); winograd_weight_grad adds the `chunks` du, `stride`
// floats apart, and transforms the sum into gw (O, C, 3, 3): for each tile, the points of
// (A gy A^T) times those of V, and gw = G^T (that sum) G.
int64_t winograd_grad_size(const WinogradShape& s);
void winograd_grad_image(const WinogradShape& s, const float* x, const float* gy, float* scratch, float* du);
void winograd_weight_grad(const WinogradShape& s, const float* du, int64_t chunks, int64_t stride, float* gw);
// Whether n floats from p are all finite.
bool all_finite(const float* p, int64_t n);

}  // namespace kernels
}  // namespace ember
