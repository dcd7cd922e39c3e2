// Factories, random sampling and statistics (LibTorch's names): window functions, logspace,
// range, empty_strided; normal/poisson/binomial/multinomial draws; bincount, histc, histogram(dd),
// bucketize/searchsorted, msort, quantile, cov/corrcoef, dist/cdist, logcumsumexp, diff,
// gradient, trapezoid, vander, renorm.
#pragma once
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "ember/core/generator.h"
#include "ember/core/tensor.h"

namespace ember {

// ---- factories
// Windows of `window_length` points; periodic windows are the first N of an N+1-point symmetric one.
Tensor bartlett_window(int64_t window_length, const TensorOptions& options = {});
Tensor bartlett_window(int64_t window_length, bool periodic, const TensorOptions& options = {});
Tensor blackman_window(int64_t window_length, const TensorOptions& options = {});
Tensor blackman_window(int64_t window_length, bool periodic, const TensorOptions& options = {});
Tensor hann_window(int64_t window_length, const TensorOptions& options = {});
Tensor hann_window(int64_t window_length, bool periodic, const TensorOptions& options = {});
// alpha - beta * cos(2 pi n / (N - 1)).
Tensor hamming_window(int64_t window_length, const TensorOptions& options = {});
Tensor hamming_window(int64_t window_length, bool periodic, const TensorOptions& options = {});
Tensor hamming_window(int64_t window_length, bool periodic, double alpha, const TensorOptions& options = {});
Tensor hamming_window(int64_t window_length, bool periodic, double alpha, double beta,
                      const TensorOptions& options = {});
Tensor kaiser_window(int64_t window_length, const TensorOptions& options = {});
Tensor kaiser_window(int64_t window_length, bool periodic, const TensorOptions& options = {});
Tensor kaiser_window(int64_t window_length, bool periodic, double beta, const TensorOptions& options = {});
// base ** linspace(start, end, steps).
Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base = 10.0,
                const TensorOptions& options = {});
// start, start + step, ... up to and including end (deprecated in LibTorch, kept for old code).
Tensor range(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor range(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options = {});
// Uninitialized memory with the given strides.
Tensor empty_strided(IntArrayRef size, IntArrayRef stride, const TensorOptions& options = {});

// ---- random draws (the default generator unless one is given)
Tensor normal(const Tensor& mean, double std = 1, GeneratorRef generator = std::nullopt);
Tensor normal(double mean, const Tensor& std, GeneratorRef generator = std::nullopt);
Tensor normal(const Tensor& mean, const Tensor& std, GeneratorRef generator = std::nullopt);
Tensor normal(double mean, double std, IntArrayRef size, GeneratorRef generator = std::nullopt,
              const TensorOptions& options = {});
Tensor poisson(const Tensor& rates, GeneratorRef generator = std::nullopt);
Tensor binomial(const Tensor& count, const Tensor& prob, GeneratorRef generator = std::nullopt);
Tensor bernoulli(const Tensor& p, GeneratorRef generator);
Tensor bernoulli(const Tensor& self, double p, GeneratorRef generator = std::nullopt);
// Category indices drawn from each row of non-negative weights.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false,
                   GeneratorRef generator = std::nullopt);
Tensor randint(int64_t high, IntArrayRef size, GeneratorRef generator, const TensorOptions& options = kLong);
Tensor randint(int64_t low, int64_t high, IntArrayRef size, GeneratorRef generator,
               const TensorOptions& options = kLong);
Tensor randperm(int64_t n, GeneratorRef generator, const TensorOptions& options = kLong);

// ---- counting, binning, searching
Tensor bincount(const Tensor& self, const std::optional<Tensor>& weights = std::nullopt, int64_t minlength = 0);
Tensor histc(const Tensor& self, int64_t bins = 100, const Scalar& min = 0, const Scalar& max = 0);
// (hist, bin_edges).
std::tuple<Tensor, Tensor> histogram(const Tensor& self, const Tensor& bins,
                                     const std::optional<Tensor>& weight = std::nullopt, bool density = false);
std::tuple<Tensor, Tensor> histogram(const Tensor& self, int64_t bins = 100,
                                     std::optional<ArrayRef<double>> range = std::nullopt,
                                     const std::optional<Tensor>& weight = std::nullopt, bool density = false);
// The last dim of self holds the coordinates of each point.
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, IntArrayRef bins,
                                                    std::optional<ArrayRef<double>> range = std::nullopt,
                                                    const std::optional<Tensor>& weight = std::nullopt,
                                                    bool density = false);
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, int64_t bins,
                                                    std::optional<ArrayRef<double>> range = std::nullopt,
                                                    const std::optional<Tensor>& weight = std::nullopt,
                                                    bool density = false);
std::tuple<Tensor, std::vector<Tensor>> histogramdd(const Tensor& self, TensorList bins,
                                                    std::optional<ArrayRef<double>> range = std::nullopt,
                                                    const std::optional<Tensor>& weight = std::nullopt,
                                                    bool density = false);
Tensor bucketize(const Tensor& self, const Tensor& boundaries, bool out_int32 = false, bool right = false);
Tensor bucketize(const Scalar& self, const Tensor& boundaries, bool out_int32 = false, bool right = false);
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& self, bool out_int32 = false, bool right = false,
                    std::optional<std::string_view> side = std::nullopt,
                    const std::optional<Tensor>& sorter = std::nullopt);
Tensor searchsorted(const Tensor& sorted_sequence, const Scalar& self, bool out_int32 = false, bool right = false,
                    std::optional<std::string_view> side = std::nullopt,
                    const std::optional<Tensor>& sorter = std::nullopt);

// ---- statistics
Tensor msort(const Tensor& self);
// interpolation: linear, lower, higher, midpoint or nearest. A 1-D q puts its dim first.
Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                std::string_view interpolation = "linear");
Tensor quantile(const Tensor& self, double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                std::string_view interpolation = "linear");
Tensor nanquantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim = std::nullopt,
                   bool keepdim = false, std::string_view interpolation = "linear");
Tensor nanquantile(const Tensor& self, double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                   std::string_view interpolation = "linear");
// Rows are variables, columns observations.
Tensor cov(const Tensor& self, int64_t correction = 1, const std::optional<Tensor>& fweights = std::nullopt,
           const std::optional<Tensor>& aweights = std::nullopt);
Tensor corrcoef(const Tensor& self);
// The p-norm of self - other.
Tensor dist(const Tensor& self, const Tensor& other, const Scalar& p = 2);
// p-norm distances between the rows of x1 (..., r1, m) and of x2 (..., r2, m). compute_mode: 0 (or
// nullopt) uses a matrix product for p = 2 past 25 rows, 1 always, 2 never.
Tensor cdist(const Tensor& x1, const Tensor& x2, double p = 2, std::optional<int64_t> compute_mode = std::nullopt);
Tensor logcumsumexp(const Tensor& self, int64_t dim);
Tensor diff(const Tensor& self, int64_t n = 1, int64_t dim = -1, const std::optional<Tensor>& prepend = std::nullopt,
            const std::optional<Tensor>& append = std::nullopt);
// Central differences inside, one-sided ones of order edge_order at the ends.
std::vector<Tensor> gradient(const Tensor& self, const std::optional<Scalar>& spacing = std::nullopt,
                             std::optional<int64_t> dim = std::nullopt, int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, const Scalar& spacing, IntArrayRef dim, int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, IntArrayRef dim, int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, ArrayRef<Scalar> spacing, std::optional<int64_t> dim = std::nullopt,
                             int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, ArrayRef<Scalar> spacing, IntArrayRef dim, int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, TensorList spacing, std::optional<int64_t> dim = std::nullopt,
                             int64_t edge_order = 1);
std::vector<Tensor> gradient(const Tensor& self, TensorList spacing, IntArrayRef dim, int64_t edge_order = 1);
Tensor trapezoid(const Tensor& y, const Tensor& x, int64_t dim = -1);
Tensor trapezoid(const Tensor& y, const Scalar& dx = 1, int64_t dim = -1);
Tensor trapz(const Tensor& y, const Tensor& x, int64_t dim = -1);
Tensor trapz(const Tensor& y, double dx = 1, int64_t dim = -1);
Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim = -1);
Tensor cumulative_trapezoid(const Tensor& y, const Scalar& dx = 1, int64_t dim = -1);
// Columns x^(N-1) ... x^0 (x^0 ... x^(N-1) when increasing).
Tensor vander(const Tensor& x, std::optional<int64_t> N = std::nullopt, bool increasing = false);
// Each slice along dim whose p-norm exceeds maxnorm scaled down to norm maxnorm.
Tensor renorm(const Tensor& self, const Scalar& p, int64_t dim, const Scalar& maxnorm);

}  // namespace ember
