// CPU kernels of the statistics and sampling family: sorted search, counting and binning,
// log-cumulative-sum-exp, Poisson/binomial/integer draws and the Kaiser window. Inputs are
// contiguous; the ops in src/ops/stats_extra.cpp and random_extra.cpp prepare them.
#pragma once
#include <cstdint>
#include <vector>

#include "ember/core/generator.h"
#include "ember/core/tensor.h"

namespace ember {
namespace kernels {

// For each of `vals` (rows of k values): the insertion point in its row of `bounds` (rows of m
// ascending values of vals' dtype; one row shared by all when bound_rows == 1), read through `sorter`
// (int64, bounds' shape) when defined. right: the first place whose value is > v (else >= v).
// Results go to `out` (int64 or int32, vals' numel).
void searchsorted(const Tensor& bounds, int64_t bound_rows, int64_t m, const Tensor& vals, int64_t k,
                  const Tensor& sorter, bool right, const Tensor& out);

// out[x[i]] += 1 (int64 out) or += w[i] (out in w's dtype); x int64, n >= 0 and < out.numel().
void bincount(const Tensor& x, const Tensor& weights, const Tensor& out);

// Binning rules of histogramdd: histc's linear position, histogram's linear position corrected
// against the edges, and a binary search of given edges.
enum class BinRule { Linear, LinearWithSearch, Search };
// x: (n, d) floating, weights (n) or undefined, hist: d dims (bins[i] each), edges[i]: bins[i]+1
// ascending values; all of x's dtype. Elements outside the edges (and NaN) are left out; one equal
// to the last edge goes to the last bin.
void histogramdd(const Tensor& x, const Tensor& weights, const Tensor& hist, const std::vector<Tensor>& edges,
                 BinRule rule);

// out = log(cumsum(exp(src))) along the middle axis of (outer, n, inner), without overflow.
void logcumsumexp(const Tensor& src, const Tensor& out, int64_t outer, int64_t n, int64_t inner);

// Draws (each into a contiguous tensor of the rates' floating dtype).
void poisson(const Tensor& rates, const Tensor& out, Generator& gen);
void binomial(const Tensor& count, const Tensor& prob, const Tensor& out, Generator& gen);
// Uniform integers in [from, to) into an int64 tensor.
void random_int(const Tensor& out, int64_t from, int64_t to, Generator& gen);
// A uniform random permutation of 0..n-1 into int64 `out` (n elements).
void randperm(const Tensor& out, Generator& gen);

// I0(beta * sqrt(1 - ((i - c) / c)^2)) / I0(beta) for i < n, c = denom / 2, into double `out`.
void kaiser_window(const Tensor& out, int64_t denom, double beta);

}  // namespace kernels
}  // namespace ember
