// Softmax and log-softmax: one fused, max-subtracted pass per row; backward in public ops.
#include "ember/ops/activation.h"

#include <cmath>

#include "ops/util.h"

namespace ember {

namespace {

struct SoftmaxBackward final : Node {
  bool log;
  int64_t dim;
  ScalarType dtype;
  SavedVariable result;
  std::string name() const override { return log ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
  variable_list apply(variable_list&& g) override {
    Tensor y = result.unpack(this);
    Tensor r = log ? g[0].sub(y.exp().mul(g[0].sum({dim}, true)))
                   : g[0].sub(g[0].mul(y).sum({dim}, true)).mul(y);
    return {r.dtype() == dtype ? r : r.to(dtype)};
  }
  void release_variables() override { result.reset_data(); }
};

Tensor softmax_impl(const Tensor& x_in, int64_t dim, std::optional<ScalarType> dtype, bool log) {
  Tensor x = dtype ? x_in.to(*dtype) : x_in;
  EMBER_CHECK(is_floating_type(x.dtype()), log ? "\"log_softmax_lastdim_kernel_impl\"" : "\"softmax_lastdim_kernel_impl\"",
              " not implemented for '", to_string(x.dtype()), "'");
  const int64_t d = maybe_wrap_dim(dim, x.dim());
  Tensor xc = contiguous_raw(x);
  Tensor out = new_tensor(x.sizes(), x.dtype());
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  visit_floating(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* p = xc.data_ptr<T>();
    T* o = out.data_ptr<T>();
    kernels::parallel_for(0, outer * inner, 256, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t base = (r / inner) * n * inner + r % inner;
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t k = 0; k < n; ++k) mx = std::max(mx, p[base + k * inner]);
        if (std::isinf(mx)) mx = 0;
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(p[base + k * inner] - mx));
        if (log) {
          const T lse = static_cast<T>(std::log(sum));
          for (int64_t k = 0; k < n; ++k) o[base + k * inner] = p[base + k * inner] - mx - lse;
        } else {
          for (int64_t k = 0; k < n; ++k)
            o[base + k * inner] = static_cast<T>(std::exp(static_cast<double>(p[base + k * inner] - mx)) / sum);
        }
      }
    });
  });
  if (any_requires_grad(x)) {
    auto node = make_node<SoftmaxBackward>(x);
    node->log = log;
    node->dim = d;
    node->dtype = x.dtype();
    node->result = save_output(out);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) { return softmax_impl(x, dim, dtype, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(x, dim, dtype, true);
}

}  // namespace ember
