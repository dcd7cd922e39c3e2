// CPU kernels of the statistics and sampling family (see stats.h).
#include "kernels/cpu/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace ember {
namespace kernels {

void searchsorted(const Tensor& bounds, int64_t bound_rows, int64_t m, const Tensor& vals, int64_t k,
                  const Tensor& sorter, bool right, const Tensor& out) {
  const int64_t* s = sorter.defined() ? sorter.data_ptr<int64_t>() : nullptr;
  const int64_t n = vals.numel();
  visit_dtype(bounds.dtype(), "searchsorted", [&](auto tag) {
    using T = decltype(tag);
    const T* b = bounds.data_ptr<T>();
    const T* v = vals.data_ptr<T>();
    auto write = [&](auto* o) {
      using O = std::remove_pointer_t<decltype(o)>;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t row = bound_rows == 1 ? 0 : i / k;
        const T* rb = b + row * m;
        const int64_t* rs = s ? s + row * m : nullptr;
        const T val = v[i];
        // ATen's comparisons, so that a NaN value lands after every boundary.
        int64_t lo = 0, hi = m;
        while (lo < hi) {
          const int64_t mid = lo + (hi - lo) / 2;
          const T mv = rs ? rb[rs[mid]] : rb[mid];
          const bool go_right = right ? !(mv > val) : !(mv >= val);
          if (go_right)
            lo = mid + 1;
          else
            hi = mid;
        }
        o[i] = static_cast<O>(lo);
      }
    };
    if (out.dtype() == kInt)
      write(out.data_ptr<int32_t>());
    else
      write(out.data_ptr<int64_t>());
  });
}

void bincount(const Tensor& x, const Tensor& weights, const Tensor& out) {
  const int64_t* p = x.data_ptr<int64_t>();
  const int64_t n = x.numel();
  if (!weights.defined()) {
    int64_t* o = out.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i) ++o[p[i]];
    return;
  }
  visit_floating(out.dtype(), "bincount", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* w = weights.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) o[p[i]] += w[i];
  });
}

void histogramdd(const Tensor& x, const Tensor& weights, const Tensor& hist, const std::vector<Tensor>& edges,
                 BinRule rule) {
  visit_floating(x.dtype(), "histogramdd", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = x.size(0), d = x.size(1);
    const T* px = x.data_ptr<T>();
    const T* pw = weights.defined() ? weights.data_ptr<T>() : nullptr;
    T* ph = hist.data_ptr<T>();
    std::vector<const T*> e(static_cast<size_t>(d));
    std::vector<int64_t> bins(static_cast<size_t>(d)), stride(static_cast<size_t>(d));
    int64_t st = 1;
    for (int64_t j = d - 1; j >= 0; --j) {
      const auto ju = static_cast<size_t>(j);
      e[ju] = edges[ju].template data_ptr<T>();
      bins[ju] = edges[ju].numel() - 1;
      stride[ju] = st;
      st *= bins[ju];
    }
    for (int64_t i = 0; i < n; ++i) {
      int64_t at = 0;
      bool inside = true;
      for (int64_t j = 0; j < d && inside; ++j) {
        const auto ju = static_cast<size_t>(j);
        const T v = px[i * d + j];
        const T* ej = e[ju];
        const int64_t nb = bins[ju];
        const T left = ej[0], right = ej[nb];
        if (!(v >= left && v <= right)) {
          inside = false;
          break;
        }
        int64_t pos;
        if (rule == BinRule::Search) {
          pos = std::upper_bound(ej, ej + nb + 1, v) - ej - 1;
        } else {
          pos = static_cast<int64_t>((v - left) * static_cast<T>(nb) / (right - left));
          if (rule == BinRule::LinearWithSearch) {
            pos = std::clamp<int64_t>(pos, 0, nb - 1);
            if (v < ej[pos]) --pos;
            else if (pos + 1 <= nb - 1 && v >= ej[pos + 1]) ++pos;
          }
        }
        pos = std::clamp<int64_t>(pos, 0, nb - 1);  // the last edge closes the last bin
        at += pos * stride[ju];
      }
      if (inside) ph[at] += pw ? pw[i] : T(1);
    }
  });
}

void logcumsumexp(const Tensor& src, const Tensor& out, int64_t outer, int64_t n, int64_t inner) {
  visit_floating(src.dtype(), "logcumsumexp", [&](auto tag) {
    using T = decltype(tag);
    const T* s = src.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t c = 0; c < inner; ++c) {
        double acc = -std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < n; ++i) {
          const int64_t at = (a * n + i) * inner + c;
          const double v = static_cast<double>(s[at]);
          if (std::isnan(v) || std::isnan(acc)) {
            acc = std::numeric_limits<double>::quiet_NaN();
          } else {
            const double lo = std::min(acc, v), hi = std::max(acc, v);
            // Equal infinities stay as they are (log(e^inf + e^inf) = inf, -inf stays -inf).
            if (lo != hi || std::isfinite(lo)) acc = hi + std::log1p(std::exp(lo - hi));
          }
          o[at] = static_cast<T>(acc);
        }
      }
  });
}

namespace {

double uniform01(Generator& gen) { return gen.uniform_double(); }

// Knuth's product of uniforms for small rates, Hormann's PTRS (transformed rejection) for rates of
// 10 and more.
double draw_poisson(double lam, Generator& gen) {
  if (lam <= 0) return 0;
  if (!std::isfinite(lam)) return lam;
  if (lam < 10) {
    const double limit = std::exp(-lam);
    double k = 0;
    double prod = uniform01(gen);
    while (prod > limit) {
      ++k;
      prod *= uniform01(gen);
    }
    return k;
  }
  const double slam = std::sqrt(lam), loglam = std::log(lam);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  while (true) {
    const double u = uniform01(gen) - 0.5, v = uniform01(gen);
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -lam + k * loglam - std::lgamma(k + 1))
      return k;
  }
}

// Successes of n trials with p <= 0.5: waiting times between successes when n p is small,
// Hormann's BTRS otherwise.
double draw_binomial_low(double n, double p, Generator& gen) {
  if (n <= 0 || p <= 0) return 0;
  if (n * p < 10) {
    const double logq = std::log1p(-p);
    double x = 0, sum = 0;
    while (true) {
      const double u = uniform01(gen);
      sum += std::ceil(std::log1p(-u) / logq);
      if (sum > n || !(sum == sum)) break;
      x += 1;
    }
    return std::min(x, n);
  }
  const double q = 1 - p, spq = std::sqrt(n * p * q);
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
  const double vr = 0.92 - 4.2 / b, alpha = (2.83 + 5.1 / b) * spq, lpq = std::log(p / q);
  const double m = std::floor((n + 1) * p), h = std::lgamma(m + 1) + std::lgamma(n - m + 1);
  while (true) {
    const double u = uniform01(gen) - 0.5;
    double v = uniform01(gen);
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = std::log(v * alpha / (a / (us * us) + b));
    if (v <= h - std::lgamma(k + 1) - std::lgamma(n - k + 1) + (k - m) * lpq) return k;
  }
}

}  // namespace

void poisson(const Tensor& rates, const Tensor& out, Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  visit_floating(rates.dtype(), "poisson", [&](auto tag) {
    using T = decltype(tag);
    const T* r = rates.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < rates.numel(); ++i) o[i] = static_cast<T>(draw_poisson(static_cast<double>(r[i]), gen));
  });
}

void binomial(const Tensor& count, const Tensor& prob, const Tensor& out, Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  visit_floating(out.dtype(), "binomial", [&](auto tag) {
    using T = decltype(tag);
    const T* c = count.data_ptr<T>();
    const T* p = prob.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) {
      const double n = std::floor(static_cast<double>(c[i])), pi = std::clamp(static_cast<double>(p[i]), 0.0, 1.0);
      // No draw is defined for a NaN or infinite count or a NaN probability.
      if (!std::isfinite(n) || std::isnan(static_cast<double>(p[i]))) {
        o[i] = std::numeric_limits<T>::quiet_NaN();
        continue;
      }
      o[i] = static_cast<T>(pi <= 0.5 ? draw_binomial_low(n, pi, gen) : n - draw_binomial_low(n, 1 - pi, gen));
    }
  });
}

void random_int(const Tensor& out, int64_t from, int64_t to, Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  int64_t* p = out.data_ptr<int64_t>();
  const uint64_t range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  for (int64_t i = 0; i < out.numel(); ++i)
    p[i] = static_cast<int64_t>(static_cast<uint64_t>(from) +
                                (range >= (1ULL << 32) ? gen.random64() : gen.random()) % range);
}

void randperm(const Tensor& out, Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  int64_t* p = out.data_ptr<int64_t>();
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const uint64_t left = static_cast<uint64_t>(n - i);
    const int64_t z = static_cast<int64_t>((left >= (1ULL << 32) ? gen.random64() : gen.random()) % left);
    std::swap(p[i], p[z + i]);
  }
}

namespace {
// The modified Bessel function I0 by its power series (converges for every real x).
double bessel_i0(double x) {
  const double q = x * x / 4;
  double term = 1, sum = 1;
  for (int k = 1; k < 500; ++k) {
    term *= q / (double(k) * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
}  // namespace

void kaiser_window(const Tensor& out, int64_t denom, double beta) {
  double* o = out.data_ptr<double>();
  const double c = static_cast<double>(denom) / 2, norm = bessel_i0(beta);
  for (int64_t i = 0; i < out.numel(); ++i) {
    const double r = (static_cast<double>(i) - c) / c;
    o[i] = bessel_i0(beta * std::sqrt(std::max(0.0, 1 - r * r))) / norm;
  }
}

}  // namespace kernels
}  // namespace ember
