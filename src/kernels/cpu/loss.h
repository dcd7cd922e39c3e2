// Loss kernels: the row loops of the negative log-likelihood (nll_loss on (n, c) input and its
// gradient). Autograd-free: raw pointers, sizes and strides.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {

// The index of the first of n targets (int64) that is neither ignore_index nor in [0, classes), or
// -1 when every target is.
int64_t nll_first_bad_target(const int64_t* target, int64_t n, int64_t classes, int64_t ignore_index);

// For each row i < n of x (element (i, j) at x[i * xs0 + j * xs1]) with target t_i, checked by
// nll_first_bad_target and ignored where it equals ignore_index:
//   safe_t[i] = ignored ? 0 : t_i
//   w[i]      = ignored ? 0 : (weight ? weight[t_i] : 1)   (unless w is null)
//   neg_w[i]  = -w[i]                       (so -0 where ignored)
//   loss[i]   = ignored ? 0 : x(i, t_i) * neg_w[i]
// the values PyTorch's nll_loss works with, each rounded once in T.
template <typename T>
void nll_rows(const T* x, int64_t xs0, int64_t xs1, const int64_t* target, const T* weight, int64_t n,
              int64_t ignore_index, int64_t* safe_t, T* w, T* neg_w, T* loss);

// The gradient of nll_rows' losses into grad ((n, classes) contiguous, all zero on entry): at
// (i, safe_t[i]) the coefficient neg_w[i] * g[i * gs] (gs 0 for one gradient of a reduced loss),
// divided by *total where total is given (a mean: 0 when *total is 0).
template <typename T>
void nll_backward_rows(T* grad, int64_t classes, const int64_t* safe_t, const T* neg_w, const T* g, int64_t gs,
                       int64_t n, const T* total);

}  // namespace kernels
}  // namespace ember
