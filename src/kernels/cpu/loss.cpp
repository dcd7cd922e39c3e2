// Loss kernels: see loss.h.
#include "kernels/cpu/loss.h"

namespace ember {
namespace kernels {

int64_t nll_first_bad_target(const int64_t* target, int64_t n, int64_t classes, int64_t ignore_index) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = target[i];
    if (t != ignore_index && (t < 0 || t >= classes)) return i;
  }
  return -1;
}

template <typename T>
void nll_rows(const T* x, int64_t xs0, int64_t xs1, const int64_t* target, const T* weight, int64_t n,
              int64_t ignore_index, int64_t* safe_t, T* w, T* neg_w, T* loss) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = target[i];
    const bool ignored = t == ignore_index;
    safe_t[i] = ignored ? 0 : t;
    const T wi = ignored ? T(0) : weight != nullptr ? weight[t] : T(1);
    if (w != nullptr) w[i] = wi;
    neg_w[i] = -wi;
    loss[i] = ignored ? T(0) : x[i * xs0 + t * xs1] * neg_w[i];
  }
}

template <typename T>
void nll_backward_rows(T* grad, int64_t classes, const int64_t* safe_t, const T* neg_w, const T* g, int64_t gs,
                       int64_t n, const T* total) {
  for (int64_t i = 0; i < n; ++i) {
    T coef = neg_w[i] * g[i * gs];
    if (total != nullptr) coef = *total == T(0) ? T(0) : coef / *total;
    grad[i * classes + safe_t[i]] = coef;
  }
}

template void nll_rows<float>(const float*, int64_t, int64_t, const int64_t*, const float*, int64_t, int64_t, int64_t*,
                              float*, float*, float*);
template void nll_rows<double>(const double*, int64_t, int64_t, const int64_t*, const double*, int64_t, int64_t,
                               int64_t*, double*, double*, double*);
template void nll_backward_rows<float>(float*, int64_t, const int64_t*, const float*, const float*, int64_t, int64_t,
                                       const float*);
template void nll_backward_rows<double>(double*, int64_t, const int64_t*, const double*, const double*, int64_t,
                                        int64_t, const double*);

}  // namespace kernels
}  // namespace ember
