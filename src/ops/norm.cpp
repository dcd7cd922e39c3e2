// batch_norm, layer_norm, group_norm: one fused pass per channel / row for the statistics, then
// y = x * scale + shift; backward nodes written with public ops, so double backward works.
#include "ember/ops/norm.h"

#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "kernels/cpu/norm.h"
#include "ops/util.h"

namespace ember {

namespace {

// Shape (1, C, 1, ...) for broadcasting per-channel values against an input of `dim` dims.
DimVector channel_shape(int64_t dim, int64_t c) {
  DimVector s(static_cast<size_t>(dim), 1);
  s[1] = c;
  return s;
}

// Dims 0, 2, 3, ...: those batch_norm reduces over.
DimVector all_but_channel(int64_t dim) {
  DimVector d;
  d.push_back(0);
  for (int64_t i = 2; i < dim; ++i) d.push_back(i);
  return d;
}

// The gradient of xhat = (x - mean) * rstd with respect to x, given the gradient of xhat; mean and
// rstd are over `dims` of x. Written with public ops: differentiable again when xhat and rstd are.
Tensor normalized_input_grad(const Tensor& gxhat, const Tensor& xhat, const Tensor& rstd, IntArrayRef dims) {
  return gxhat.sub(gxhat.mean(dims, true)).sub(xhat.mul(gxhat.mul(xhat).mean(dims, true))).mul(rstd);
}

// mean and 1 / sqrt(biased var + eps) over `dims` of x, with history (for double backward).
std::pair<Tensor, Tensor> moments(const Tensor& x, IntArrayRef dims, double eps) {
  return {x.mean(dims, true), x.var(dims, false, true).add(eps).rsqrt()};
}

void check_param_dtype(const Tensor& input, const Tensor& p) {
  EMBER_CHECK(!p.defined() || p.dtype() == input.dtype(), "mixed dtype (CPU): expect parameter to have scalar type of ",
              to_string(input.dtype()));
}

// Sum over i < n of f(i) in double, in 8 independent partial sums (no serial add chain).
template <typename F>
double sum_of(int64_t n, const F& f) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += f(i + k);
  for (; i < n; ++i) acc[0] += f(i);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Row statistics of a contiguous row of n: mean and 1 / sqrt(biased var + eps), accumulated in
// double (PyTorch accumulates floats in double too).
template <typename T>
void row_moments(const T* x, int64_t n, double eps, T& mean, T& rstd) {
  const double m = n > 0 ? sum_of(n, [x](int64_t i) { return static_cast<double>(x[i]); }) / static_cast<double>(n) : 0;
  const double ss = sum_of(n, [x, m](int64_t i) {
    const double d = static_cast<double>(x[i]) - m;
    return d * d;
  });
  const double var = n > 0 ? ss / static_cast<double>(n) : 0;
  mean = static_cast<T>(m);
  rstd = static_cast<T>(1.0 / std::sqrt(std::max(var, 0.0) + eps));
}

// ---------------------------------------------------------------- batch_norm

struct NativeBatchNormBackward0 final : NamedNode<"NativeBatchNormBackward0"> {
  SavedVariable input, weight;
  Tensor mean, invstd;  // per channel, no history: the batch's (training) or the running ones (eval)
  bool training = true;
  double eps = 1e-5;
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    Tensor x = input.unpack(), w = weight.unpack();
    const int64_t C = x.size(1);
    if (!GradMode::is_enabled()) return fused(g, x, w);
    const DimVector dims = all_but_channel(x.dim()), bshape = channel_shape(x.dim(), C);
    Tensor m = mean.view(bshape), r = invstd.view(bshape);
    // With create_graph the batch statistics are rebuilt from x, so the graph sees how they depend on it.
    if (training) std::tie(m, r) = moments(x, dims, eps);
    Tensor xhat = x.sub(m).mul(r);
    Tensor gx, gw, gb;
    if (should_compute_output(0)) {
      Tensor gxhat = w.defined() ? g.mul(w.view(bshape)) : g;
      gx = training ? normalized_input_grad(gxhat, xhat, r, dims) : gxhat.mul(r);
    }
    if (should_compute_output(1)) gw = g.mul(xhat).sum(dims);
    if (should_compute_output(2)) gb = g.sum(dims);
    return {gx, gw, gb};
  }
  void release_variables() override {
    input.reset_data();
    weight.reset_data();
    mean.reset();
    invstd.reset();
  }
  // Without create_graph: per channel, one pass for sum(g) and sum(g (x - mean)), one for gx.
  variable_list fused(const Tensor& g_in, const Tensor& x_in, const Tensor& w_in) {
    Tensor g = contiguous_raw(g_in), x = contiguous_raw(x_in), w = w_in.defined() ? contiguous_raw(w_in) : Tensor();
    const int64_t N = x.size(0), C = x.size(1), L = x.numel() / (N * C);
    const double M = static_cast<double>(N * L);
    const bool need_x = should_compute_output(0), need_w = should_compute_output(1), need_b = should_compute_output(2);
    Tensor gx = need_x ? new_tensor(x.sizes(), x.dtype()) : Tensor();
    Tensor gw = need_w ? new_tensor({C}, x.dtype()) : Tensor(), gb = need_b ? new_tensor({C}, x.dtype()) : Tensor();
    visit_floating(x.dtype(), "batch_norm_backward", [&](auto tag) {
      using T = decltype(tag);
      const T *px = x.data_ptr<T>(), *pg = g.data_ptr<T>(), *pm = mean.data_ptr<T>(), *pr = invstd.data_ptr<T>();
      const T* pw = w.defined() ? w.template data_ptr<T>() : nullptr;
      kernels::parallel_for(0, C, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
          const T m = pm[c], r = pr[c], wc = pw ? pw[c] : T(1);
          double sg = 0, sgx = 0;
          for (int64_t i = 0; i < N; ++i) {
            const T *xr = px + (i * C + c) * L, *gr = pg + (i * C + c) * L;
            sg += sum_of(L, [gr](int64_t k) { return static_cast<double>(gr[k]); });
            sgx += sum_of(L, [xr, gr, m](int64_t k) { return static_cast<double>(gr[k]) * (xr[k] - m); });
          }
          if (need_b) gb.data_ptr<T>()[c] = static_cast<T>(sg);
          if (need_w) gw.data_ptr<T>()[c] = static_cast<T>(sgx * r);
          if (!need_x) continue;
          // training: w r (g - sum(g) / M - (x - m) r^2 sum(g (x - m)) / M); eval: w r g.
          const T scale = wc * r;
          const T mean_g = training ? static_cast<T>(sg / M) : T(0);
          const T coef = training ? static_cast<T>(sgx / M) * r * r : T(0);
          T* po = gx.data_ptr<T>();
          for (int64_t i = 0; i < N; ++i) {
            const int64_t off = (i * C + c) * L;
            // Eval reads no x: an infinite or NaN input still gets w r g (x * 0 would be NaN).
            if (!training)
              for (int64_t k = 0; k < L; ++k) po[off + k] = scale * pg[off + k];
            else
              for (int64_t k = 0; k < L; ++k) po[off + k] = scale * (pg[off + k] - mean_g - (px[off + k] - m) * coef);
          }
        }
      });
    });
    return {gx, gw, gb};
  }
};

// Fills mean / invstd per channel of a contiguous (N, C, L) input and updates the running stats.
template <typename T>
void batch_stats(const Tensor& x, Tensor& mean, Tensor& invstd, const Tensor& running_mean, const Tensor& running_var,
                 double momentum, double eps) {
  const int64_t N = x.size(0), C = x.size(1), L = x.numel() / (N * C), n = N * L;
  const T* px = x.data_ptr<T>();
  T* pm = mean.data_ptr<T>();
  T* pr = invstd.data_ptr<T>();
  T* rm = running_mean.defined() ? running_mean.data_ptr<T>() : nullptr;
  T* rv = running_var.defined() ? running_var.data_ptr<T>() : nullptr;
  const T mom = static_cast<T>(momentum);
  kernels::parallel_for(0, C, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      double sum = 0;
      for (int64_t i = 0; i < N; ++i) {
        const T* row = px + (i * C + c) * L;
        sum += sum_of(L, [row](int64_t k) { return static_cast<double>(row[k]); });
      }
      const T m = static_cast<T>(sum / static_cast<double>(n));
      // Squares of differences taken in T and summed in double, as PyTorch's CPU kernel does.
      double ss = 0;
      for (int64_t i = 0; i < N; ++i) {
        const T* row = px + (i * C + c) * L;
        ss += sum_of(L, [row, m](int64_t k) {
          const T d = row[k] - m;
          return static_cast<double>(d * d);
        });
      }
      const T var_sum = static_cast<T>(ss);
      pm[c] = m;
      pr[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var_sum / static_cast<T>(n)) + eps));
      if (rm) rm[c] = mom * m + (T(1) - mom) * rm[c];
      if (rv) {
        const double unbiased = static_cast<double>(var_sum / static_cast<T>(n - 1));
        rv[c] = static_cast<T>(static_cast<double>(mom) * unbiased + static_cast<double>((T(1) - mom) * rv[c]));
      }
    }
  });
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps, bool cudnn_enabled) {
  (void)cudnn_enabled;
  EMBER_CHECK(input.dim() >= 2, "batch_norm: expected an input of at least 2 dims (N, C, *), got ", input.sizes());
  const int64_t C = input.size(1);
  auto check_numel = [&](const Tensor& t, const char* name) {
    EMBER_CHECK(!t.defined() || t.numel() == C, name, " should contain ", C, " elements not ", t.numel());
    // PyTorch reads these through 1-D accessors (its forward lets a 2-D weight through, then its
    // backward fails with this message); here every such parameter is refused up front.
    EMBER_CHECK(!t.defined() || t.dim() == 1, "TensorAccessor expected 1 dims but tensor has ", t.dim(),
                " (batch_norm: ", name, ")");
  };
  check_numel(running_mean, "running_mean");
  EMBER_CHECK(training || running_mean.defined(), "running_mean must be defined in evaluation mode");
  check_numel(running_var, "running_var");
  EMBER_CHECK(training || running_var.defined(), "running_var must be defined in evaluation mode");
  check_numel(weight, "weight");
  check_numel(bias, "bias");
  visit_floating(input.dtype(), "batch_norm", [](auto) {});
  for (const Tensor* p : {&weight, &bias, &running_mean, &running_var}) check_param_dtype(input, *p);
  for (const Tensor* p : {&running_mean, &running_var})
    EMBER_CHECK(!p->defined() || p->is_contiguous(), "batch_norm: running statistics must be contiguous");
  const int64_t per_channel = C > 0 ? input.numel() / C : 0;
  if (input.numel() == 0) {
    // As PyTorch: no statistics to take; the affine part still applies (and keeps the graph).
    Tensor out = input.clone();
    if (weight.defined()) out = out.mul(weight[0]);
    if (bias.defined()) out = out.add(bias[0]);
    return out;
  }

  Tensor x = contiguous_raw(input);
  Tensor mean = new_tensor({C}, input.dtype()), invstd = new_tensor({C}, input.dtype());
  Tensor out = new_tensor(input.sizes(), input.dtype());
  const int64_t N = x.size(0), L = per_channel / N;
  visit_floating(input.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    if (training) {
      batch_stats<T>(x, mean, invstd, running_mean, running_var, momentum, eps);
    } else {
      const T* rm = running_mean.data_ptr<T>();
      const T* rv = running_var.data_ptr<T>();
      T* pm = mean.data_ptr<T>();
      T* pr = invstd.data_ptr<T>();
      for (int64_t c = 0; c < C; ++c) {
        pm[c] = rm[c];
        pr[c] = T(1) / std::sqrt(rv[c] + static_cast<T>(eps));
      }
    }
    // y = x * alpha + beta with alpha = invstd * w and beta = b - mean * alpha, per channel.
    Tensor wc = weight.defined() ? contiguous_raw(weight) : Tensor(), bc = bias.defined() ? contiguous_raw(bias) : Tensor();
    const T* pw = wc.defined() ? wc.template data_ptr<T>() : nullptr;
    const T* pb = bc.defined() ? bc.template data_ptr<T>() : nullptr;
    const T* pm = mean.data_ptr<T>();
    const T* pr = invstd.data_ptr<T>();
    const T* px = x.data_ptr<T>();
    T* po = out.data_ptr<T>();
    kernels::parallel_for(0, N * C, std::max<int64_t>(1, kernels::kGrain / std::max<int64_t>(L, 1)),
                          [&](int64_t b, int64_t e) {
                            for (int64_t r = b; r < e; ++r) {
                              const int64_t c = r % C;
                              const T alpha = pr[c] * (pw ? pw[c] : T(1));
                              const T beta = (pb ? pb[c] : T(0)) - pm[c] * alpha;
                              const T* src = px + r * L;
                              T* dst = po + r * L;
                              for (int64_t k = 0; k < L; ++k) dst[k] = src[k] * alpha + beta;
                            }
                          });
  });
  if (any_requires_grad(input, weight, bias)) {
    auto n = make_node<NativeBatchNormBackward0>(input, weight, bias);
    n->input = save(input);
    n->weight = save(weight);
    n->mean = mean;
    n->invstd = invstd;
    n->training = training;
    n->eps = eps;
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- layer_norm

namespace {
struct NativeLayerNormBackward0 final : NamedNode<"NativeLayerNormBackward0"> {
  SavedVariable input, weight;
  Tensor mean, rstd;  // (leading dims..., 1, ..., 1), no history
  int64_t norm_dims = 1;
  double eps = 1e-5;
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    Tensor x = input.unpack(), w = weight.unpack();
    if (!GradMode::is_enabled()) return fused(g, x, w);
    const int64_t lead = x.dim() - norm_dims;
    DimVector dims, lead_dims;
    for (int64_t i = lead; i < x.dim(); ++i) dims.push_back(i);
    for (int64_t i = 0; i < lead; ++i) lead_dims.push_back(i);
    // With create_graph the statistics are rebuilt from x, so the graph sees how they depend on it.
    const auto [m, r] = moments(x, dims, eps);
    Tensor xhat = x.sub(m).mul(r);
    Tensor gx, gw, gb;
    if (should_compute_output(0)) gx = normalized_input_grad(w.defined() ? g.mul(w) : g, xhat, r, dims);
    if (should_compute_output(1)) gw = lead > 0 ? g.mul(xhat).sum(lead_dims) : g.mul(xhat);
    if (should_compute_output(2)) gb = lead > 0 ? g.sum(lead_dims) : g;
    return {gx, gw, gb};
  }
  void release_variables() override {
    input.reset_data();
    weight.reset_data();
    mean.reset();
    rstd.reset();
  }
  // Without create_graph: gx row by row in parallel; gw / gb as column sums over the rows.
  variable_list fused(const Tensor& g_in, const Tensor& x_in, const Tensor& w_in) {
    const DimVector param_shape(x_in.sizes().slice(static_cast<size_t>(x_in.dim() - norm_dims)));
    // A missing weight is ones, so the inner loops have no branch.
    Tensor g = contiguous_raw(g_in), x = contiguous_raw(x_in);
    Tensor w = w_in.defined() ? contiguous_raw(w_in) : ones(param_shape, TensorOptions(x_in.dtype()));
    const int64_t cols = w.numel(), rows = cols > 0 ? x.numel() / cols : 0;
    const bool need_x = should_compute_output(0), need_w = should_compute_output(1), need_b = should_compute_output(2);
    Tensor gx = need_x ? new_tensor(x.sizes(), x.dtype()) : Tensor();
    Tensor gw = need_w ? zeros(param_shape, TensorOptions(x.dtype())) : Tensor();
    Tensor gb = need_b ? zeros(param_shape, TensorOptions(x.dtype())) : Tensor();
    visit_floating(x.dtype(), "layer_norm_backward", [&](auto tag) {
      using T = decltype(tag);
      const T *px = x.data_ptr<T>(), *pg = g.data_ptr<T>(), *pm = mean.data_ptr<T>(), *pr = rstd.data_ptr<T>();
      const T* pw = w.data_ptr<T>();
      if (need_x) {
        T* po = gx.data_ptr<T>();
        const double n = static_cast<double>(cols);
        kernels::parallel_for(0, rows, std::max<int64_t>(1, kernels::kGrain / std::max<int64_t>(cols, 1)),
                              [&](int64_t b, int64_t e) {
                                for (int64_t r = b; r < e; ++r) {
                                  const T *xr = px + r * cols, *gr = pg + r * cols;
                                  const T m = pm[r], rs = pr[r];
                                  // gxhat = g w, xhat = (x - m) rs; gx = rs (gxhat - mean(gxhat) - xhat mean(gxhat xhat)).
                                  const T s1 = static_cast<T>(
                                      sum_of(cols, [&](int64_t j) { return static_cast<double>(gr[j] * pw[j]); }) / n);
                                  const T s2 = static_cast<T>(sum_of(cols, [&](int64_t j) {
                                                                return static_cast<double>(gr[j] * pw[j] *
                                                                                           ((xr[j] - m) * rs));
                                                              }) / n);
                                  T* orow = po + r * cols;
                                  for (int64_t j = 0; j < cols; ++j)
                                    orow[j] = rs * (gr[j] * pw[j] - s1 - (xr[j] - m) * rs * s2);
                                }
                              });
      }
      if (need_w || need_b) {
        // Column sums in double, one column block per task.
        T* ow = need_w ? gw.data_ptr<T>() : nullptr;
        T* ob = need_b ? gb.data_ptr<T>() : nullptr;
        kernels::parallel_for(0, cols, 64, [&](int64_t b, int64_t e) {
          std::vector<double> aw(static_cast<size_t>(e - b), 0.0), ab(static_cast<size_t>(e - b), 0.0);
          for (int64_t r = 0; r < rows; ++r) {
            const T *xr = px + r * cols, *gr = pg + r * cols;
            const T m = pm[r], rs = pr[r];
            for (int64_t j = b; j < e; ++j) {
              aw[static_cast<size_t>(j - b)] += static_cast<double>(gr[j] * ((xr[j] - m) * rs));
              ab[static_cast<size_t>(j - b)] += static_cast<double>(gr[j]);
            }
          }
          for (int64_t j = b; j < e; ++j) {
            if (ow) ow[j] = static_cast<T>(aw[static_cast<size_t>(j - b)]);
            if (ob) ob[j] = static_cast<T>(ab[static_cast<size_t>(j - b)]);
          }
        });
      }
    });
    return {gx, gw, gb};
  }
};
}  // namespace

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps, bool cudnn_enable) {
  (void)cudnn_enable;
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
                      "but got normalized_shape = ", normalized_shape);
  EMBER_CHECK(!weight.defined() || weight.sizes() == normalized_shape,
              "Expected weight to be of same shape as normalized_shape, but got weight of shape ", weight.sizes(),
              " and normalized_shape = ", normalized_shape);
  EMBER_CHECK(!bias.defined() || bias.sizes() == normalized_shape,
              "Expected bias to be of same shape as normalized_shape, but got bias of shape ", bias.sizes(),
              " and normalized_shape = ", normalized_shape);
  const int64_t nd = input.dim();
  bool match = nd >= k;
  for (int64_t i = 0; match && i < k; ++i) match = input.size(nd - k + i) == normalized_shape[static_cast<size_t>(i)];
  if (!match) {
    std::string want = "[*";
    for (int64_t s : normalized_shape) want += ", " + std::to_string(s);
    fail("Given normalized_shape=", normalized_shape, ", expected input with shape ", want, "], but got input of size",
         input.sizes());
  }
  visit_floating(input.dtype(), "LayerNormKernelImpl", [](auto) {});
  check_param_dtype(input, weight);
  check_param_dtype(input, bias);

  int64_t cols = 1;
  for (int64_t s : normalized_shape) cols *= s;
  const int64_t rows = cols > 0 ? input.numel() / cols : 0;
  DimVector stat_shape(input.sizes());
  for (int64_t i = nd - k; i < nd; ++i) stat_shape[static_cast<size_t>(i)] = 1;
  Tensor x = contiguous_raw(input);
  Tensor out = new_tensor(input.sizes(), input.dtype());
  Tensor mean = new_tensor(stat_shape, input.dtype()), rstd = new_tensor(stat_shape, input.dtype());
  Tensor wc = weight.defined() ? contiguous_raw(weight) : Tensor();
  Tensor bc = bias.defined() ? contiguous_raw(bias) : Tensor();
  visit_floating(input.dtype(), "LayerNormKernelImpl", [&](auto tag) {
    using T = decltype(tag);
    kernels::layer_norm_rows<T>(x.data_ptr<T>(), wc.defined() ? wc.data_ptr<T>() : nullptr,
                                bc.defined() ? bc.data_ptr<T>() : nullptr, out.data_ptr<T>(), mean.data_ptr<T>(),
                                rstd.data_ptr<T>(), rows, cols, eps);
  });
  if (any_requires_grad(input, weight, bias)) {
    auto n = make_node<NativeLayerNormBackward0>(input, weight, bias);
    n->input = save(input);
    n->weight = save(weight);
    n->mean = mean;
    n->rstd = rstd;
    n->norm_dims = k;
    n->eps = eps;
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- group_norm

namespace {
struct NativeGroupNormBackward0 final : NamedNode<"NativeGroupNormBackward0"> {
  SavedVariable input, weight;
  Tensor mean, rstd;  // (N, G, 1), no history
  int64_t groups = 1;
  double eps = 1e-5;
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    Tensor x = input.unpack(), w = weight.unpack();
    if (!GradMode::is_enabled()) return fused(g, x, w);
    const int64_t N = x.size(0), C = x.size(1);
    const DimVector dims = all_but_channel(x.dim()), bshape = channel_shape(x.dim(), C);
    int64_t per_group = C / groups;  // explicit, not -1: N may be 0
    for (int64_t d = 2; d < x.dim(); ++d) per_group *= x.size(d);
    const DimVector grouped{N, groups, per_group};
    Tensor xg = x.reshape(grouped);
    const auto [m, r] = moments(xg, {2}, eps);  // rebuilt from x, as in layer_norm
    Tensor xhat_g = xg.sub(m).mul(r);
    Tensor gx, gw, gb;
    if (should_compute_output(0)) {
      Tensor gxhat = (w.defined() ? g.mul(w.view(bshape)) : g).reshape(grouped);
      gx = normalized_input_grad(gxhat, xhat_g, r, {2}).reshape(x.sizes());
    }
    if (should_compute_output(1)) gw = g.mul(xhat_g.reshape(x.sizes())).sum(dims);
    if (should_compute_output(2)) gb = g.sum(dims);
    return {gx, gw, gb};
  }
  void release_variables() override {
    input.reset_data();
    weight.reset_data();
    mean.reset();
    rstd.reset();
  }
  // Without create_graph: per (n, c) sums of g and g x, then gx per (n, group) and gw / gb per c.
  variable_list fused(const Tensor& g_in, const Tensor& x_in, const Tensor& w_in) {
    Tensor g = contiguous_raw(g_in), x = contiguous_raw(x_in), w = w_in.defined() ? contiguous_raw(w_in) : Tensor();
    const int64_t N = x.size(0), C = x.size(1), G = groups, D = C / G, HW = N * C > 0 ? x.numel() / (N * C) : 0;
    const bool need_x = should_compute_output(0), need_w = should_compute_output(1), need_b = should_compute_output(2);
    Tensor gx = need_x ? new_tensor(x.sizes(), x.dtype()) : Tensor();
    Tensor gw = need_w ? new_tensor({C}, x.dtype()) : Tensor(), gb = need_b ? new_tensor({C}, x.dtype()) : Tensor();
    std::vector<double> sg(static_cast<size_t>(N * C)), sgx(static_cast<size_t>(N * C));
    visit_floating(x.dtype(), "group_norm_backward", [&](auto tag) {
      using T = decltype(tag);
      const T *px = x.data_ptr<T>(), *pg = g.data_ptr<T>(), *pm = mean.data_ptr<T>(), *pr = rstd.data_ptr<T>();
      const T* pw = w.defined() ? w.template data_ptr<T>() : nullptr;
      kernels::parallel_for(0, N * C, std::max<int64_t>(1, kernels::kGrain / std::max<int64_t>(HW, 1)),
                            [&](int64_t b, int64_t e) {
                              for (int64_t i = b; i < e; ++i) {
                                const T *xr = px + i * HW, *gr = pg + i * HW;
                                sg[static_cast<size_t>(i)] = sum_of(HW, [gr](int64_t k) { return static_cast<double>(gr[k]); });
                                sgx[static_cast<size_t>(i)] =
                                    sum_of(HW, [xr, gr](int64_t k) { return static_cast<double>(gr[k] * xr[k]); });
                              }
                            });
      if (need_x) {
        T* po = gx.data_ptr<T>();
        const double M = static_cast<double>(D * HW);
        kernels::parallel_for(0, N * G, 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            const int64_t n = i / G, grp = i % G;
            const double m = pm[i], rs = pr[i];
            // With gxhat = g w[c] and xhat = (x - m) rs: sums over the group of gxhat and gxhat xhat.
            double s1 = 0, s2 = 0;
            for (int64_t j = 0; j < D; ++j) {
              const size_t nc = static_cast<size_t>(n * C + grp * D + j);
              const double wc = pw ? static_cast<double>(pw[grp * D + j]) : 1.0;
              s1 += wc * sg[nc];
              s2 += wc * (sgx[nc] - m * sg[nc]) * rs;
            }
            const T a = static_cast<T>(s1 / M), bcoef = static_cast<T>(s2 / M);
            for (int64_t j = 0; j < D; ++j) {
              const int64_t c = grp * D + j, off = (n * C + c) * HW;
              const T wc = pw ? pw[c] : T(1), mt = pm[i], rt = pr[i];
              for (int64_t k = 0; k < HW; ++k)
                po[off + k] = rt * (pg[off + k] * wc - a - (px[off + k] - mt) * rt * bcoef);
            }
          }
        });
      }
      for (int64_t c = 0; c < C && (need_w || need_b); ++c) {
        double aw = 0, ab = 0;
        for (int64_t n = 0; n < N; ++n) {
          const size_t nc = static_cast<size_t>(n * C + c);
          const int64_t i = n * G + c / D;
          aw += (sgx[nc] - static_cast<double>(pm[i]) * sg[nc]) * static_cast<double>(pr[i]);
          ab += sg[nc];
        }
        if (need_w) gw.data_ptr<T>()[c] = static_cast<T>(aw);
        if (need_b) gb.data_ptr<T>()[c] = static_cast<T>(ab);
      }
    });
    return {gx, gw, gb};
  }
};
}  // namespace

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps,
                  bool cudnn_enabled) {
  (void)cudnn_enabled;
  EMBER_CHECK(input.dim() >= 2, "group_norm: expected an input of at least 2 dims (N, C, *), got ", input.sizes());
  const int64_t N = input.size(0), C = input.size(1);
  EMBER_CHECK(num_groups > 0, "Expected num groups to be greater than 0, got ", num_groups);
  EMBER_CHECK(C % num_groups == 0, "Expected number of channels in input to be divisible by num_groups, but got input "
                                   "of shape ", input.sizes(), " and num_groups=", num_groups);
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == C),
              "Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
              "shape ", weight.sizes(), " and input of shape ", input.sizes());
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.numel() == C),
              "Expected bias to be a vector of size equal to the number of channels in input, but got bias of "
              "shape ", bias.sizes(), " and input of shape ", input.sizes());
  visit_floating(input.dtype(), "GroupNormKernelImpl", [](auto) {});
  check_param_dtype(input, weight);
  check_param_dtype(input, bias);

  const int64_t G = num_groups, D = C / G, HW = N * C > 0 ? input.numel() / (N * C) : 0;
  Tensor x = contiguous_raw(input);
  Tensor out = new_tensor(input.sizes(), input.dtype());
  Tensor mean = new_tensor({N, G, 1}, input.dtype()), rstd = new_tensor({N, G, 1}, input.dtype());
  visit_floating(input.dtype(), "GroupNormKernelImpl", [&](auto tag) {
    using T = decltype(tag);
    Tensor wc = weight.defined() ? contiguous_raw(weight) : Tensor(), bc = bias.defined() ? contiguous_raw(bias) : Tensor();
    const T* pw = wc.defined() ? wc.template data_ptr<T>() : nullptr;
    const T* pb = bc.defined() ? bc.template data_ptr<T>() : nullptr;
    const T* px = x.data_ptr<T>();
    T* po = out.data_ptr<T>();
    T* pm = mean.data_ptr<T>();
    T* pr = rstd.data_ptr<T>();
    const int64_t len = D * HW;
    kernels::parallel_for(0, N * G, std::max<int64_t>(1, kernels::kGrain / std::max<int64_t>(len, 1)),
                          [&](int64_t b, int64_t e) {
                            for (int64_t i = b; i < e; ++i) {
                              row_moments(px + i * len, len, eps, pm[i], pr[i]);
                              const int64_t grp = i % G;
                              for (int64_t j = 0; j < D; ++j) {
                                const int64_t c = grp * D + j;
                                const T scale = pr[i] * (pw ? pw[c] : T(1));
                                const T shift = -scale * pm[i] + (pb ? pb[c] : T(0));
                                const T* src = px + (i * D + j) * HW;
                                T* dst = po + (i * D + j) * HW;
                                for (int64_t k = 0; k < HW; ++k) dst[k] = scale * src[k] + shift;
                              }
                            }
                          });
  });
  if (any_requires_grad(input, weight, bias)) {
    auto n = make_node<NativeGroupNormBackward0>(input, weight, bias);
    n->input = save(input);
    n->weight = save(weight);
    n->mean = mean;
    n->rstd = rstd;
    n->groups = G;
    n->eps = eps;
    set_history(out, n);
  }
  return out;
}

}  // namespace ember
