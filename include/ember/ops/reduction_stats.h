// More reductions (LibTorch's names): trace, cumprod, cummax/cummin, median/nanmedian, mode,
// kthvalue, std_mean/var_mean, nansum/nanmean, aminmax, count_nonzero.
#pragma once
#include <optional>
#include <tuple>

#include "ember/core/tensor.h"

namespace ember {

Tensor trace(const Tensor& x);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
// (values, indices): the running max/min along dim and where it was found.
std::tuple<Tensor, Tensor> cummax(const Tensor& x, int64_t dim);
std::tuple<Tensor, Tensor> cummin(const Tensor& x, int64_t dim);
// The lower median; NaN when a NaN is present (nanmedian ignores NaNs).
Tensor median(const Tensor& x);
std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor nanmedian(const Tensor& x);
std::tuple<Tensor, Tensor> nanmedian(const Tensor& x, int64_t dim, bool keepdim = false);
// The most frequent value along dim (the smallest of equally frequent ones).
std::tuple<Tensor, Tensor> mode(const Tensor& x, int64_t dim = -1, bool keepdim = false);
// The k-th smallest value along dim (k counts from 1).
std::tuple<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim = -1, bool keepdim = false);
// (std or var, mean), one pass.
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dim, bool unbiased = true, bool keepdim = false);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dim, bool unbiased = true, bool keepdim = false);
// C++-only overloads (gh-40287): an `int` is a dim.
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, int dim);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, int dim);
// Sum and mean that skip NaNs.
Tensor nansum(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor nansum(const Tensor& x, IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor nanmean(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor nanmean(const Tensor& x, IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
// (min, max) over dim, or over every element.
std::tuple<Tensor, Tensor> aminmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// The number of non-zero elements (int64) over `dim` (every dim when empty or nullopt).
Tensor count_nonzero(const Tensor& x, IntArrayRef dim);
Tensor count_nonzero(const Tensor& x, std::optional<int64_t> dim = std::nullopt);
// So that count_nonzero(x, 1) picks a dim without ambiguity between the two above.
Tensor count_nonzero(const Tensor& x, int64_t dim);

}  // namespace ember
