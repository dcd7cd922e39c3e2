// Finite differences and integration: diff, gradient, trapezoid and cumulative_trapezoid (split
// from stats_extra.cpp), compositions of differentiable ops as in ATen.
#include <cmath>
#include <limits>
#include <numeric>

#include "ember/ops/reduction_stats.h"
#include "ember/ops/stats_extra.h"
#include "ops/elementwise.h"

namespace ember {

Tensor diff(const Tensor& self, int64_t n, int64_t dim, const std::optional<Tensor>& prepend,
            const std::optional<Tensor>& append) {
  EMBER_CHECK(self.dim() >= 1, "diff expects input to be at least one-dimensional");
  EMBER_CHECK(n >= 0, "order must be non-negative but got ", n);
  const int64_t d = maybe_wrap_dim(dim, self.dim());
  auto check_extra = [&](const Tensor& t) {
    EMBER_CHECK(t.dim() == self.dim(), "diff expects prepend or append to be the same dimension as input");
    for (int64_t i = 0; i < self.dim(); ++i)
      if (i != d)
        EMBER_CHECK(t.size(i) == self.size(i), "diff expects the shape of tensor to prepend or append to match that "
                                               "of input except along the differencing dimension; input.size(",
                    i, ") = ", self.size(i), ", but got tensor.size(", i, ") = ", t.size(i));
  };
  std::vector<Tensor> parts;
  if (prepend && prepend->defined()) {
    check_extra(*prepend);
    parts.push_back(*prepend);
  }
  parts.push_back(self);
  if (append && append->defined()) {
    check_extra(*append);
    parts.push_back(*append);
  }
  Tensor x = parts.size() == 1 ? self : cat(parts, d);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = x.size(d);
    if (len == 0) break;
    Tensor hi = x.narrow(d, 1, len - 1), lo = x.narrow(d, 0, len - 1);
    x = x.dtype() == kBool ? hi.logical_xor(lo) : hi.sub(lo);
  }
  return x;
}

namespace {

// The derivative along dim d: spacing is a number (h) or the coordinates along d.
Tensor gradient_along(const Tensor& y, int64_t d, const std::optional<double>& h, const Tensor& coords,
                      int64_t edge_order) {
  const int64_t n = y.size(d);
  EMBER_CHECK(n >= edge_order + 1, "torch.gradient expected each dimension size to be at least edge_order+1");
  auto at = [&](int64_t start, int64_t len) { return y.narrow(d, start, len); };
  // Coordinates shaped to broadcast along d.
  DimVector bshape(static_cast<size_t>(y.dim()), 1);
  auto along = [&](const Tensor& t) {
    bshape[static_cast<size_t>(d)] = t.numel();
    return t.reshape(bshape);
  };
  Tensor first, center, last;
  if (h) {
    center = at(2, n - 2).sub(at(0, n - 2)).div(2 * *h);
    if (edge_order == 1) {
      first = at(1, 1).sub(at(0, 1)).div(*h);
      last = at(n - 1, 1).sub(at(n - 2, 1)).div(*h);
    } else {
      first = at(0, 1).mul(-1.5).add(at(1, 1).mul(2)).sub(at(2, 1).mul(0.5)).div(*h);
      last = at(n - 3, 1).mul(0.5).sub(at(n - 2, 1).mul(2)).add(at(n - 1, 1).mul(1.5)).div(*h);
    }
  } else {
    EMBER_CHECK(coords.dim() == 1 && coords.numel() == n, "torch.gradient expected each tensor to be on the same "
                                                          "device and to match the size of the input along its dim, "
                                                          "but got spacing of size ",
                coords.sizes(), " for dimension ", d, " of size ", n);
    Tensor dx = coords.diff();
    Tensor dx1 = along(dx.narrow(0, 0, n - 2)), dx2 = along(dx.narrow(0, 1, n - 2));
    Tensor a = dx2.neg().div(dx1.mul(dx1.add(dx2)));
    Tensor b = dx2.sub(dx1).div(dx1.mul(dx2));
    Tensor c = dx1.div(dx2.mul(dx1.add(dx2)));
    center = a.mul(at(0, n - 2)).add(b.mul(at(1, n - 2))).add(c.mul(at(2, n - 2)));
    if (edge_order == 1) {
      first = at(1, 1).sub(at(0, 1)).div(dx[0]);
      last = at(n - 1, 1).sub(at(n - 2, 1)).div(dx[n - 2]);
    } else {
      Tensor e1 = dx[0], e2 = dx[1];
      Tensor fa = e1.mul(2).add(e2).neg().div(e1.mul(e1.add(e2)));
      Tensor fb = e1.add(e2).div(e1.mul(e2));
      Tensor fc = e1.neg().div(e2.mul(e1.add(e2)));
      first = at(0, 1).mul(fa).add(at(1, 1).mul(fb)).add(at(2, 1).mul(fc));
      Tensor l1 = dx[n - 3], l2 = dx[n - 2];
      Tensor la = l2.div(l1.mul(l1.add(l2)));
      Tensor lb = l2.add(l1).neg().div(l1.mul(l2));
      Tensor lc = l2.mul(2).add(l1).div(l2.mul(l1.add(l2)));
      last = at(n - 3, 1).mul(la).add(at(n - 2, 1).mul(lb)).add(at(n - 1, 1).mul(lc));
    }
  }
  return cat({first, center, last}, d);
}

std::vector<Tensor> gradient_impl(const Tensor& self, const std::vector<double>& hs, TensorList coords,
                                  std::optional<IntArrayRef> dims_in, int64_t edge_order) {
  EMBER_CHECK(edge_order == 1 || edge_order == 2, "torch.gradient only supports edge_order=1 and edge_order=2.");
  std::vector<int64_t> dims;
  if (dims_in) {
    for (int64_t x : *dims_in) dims.push_back(maybe_wrap_dim(x, self.dim()));
  } else {
    dims.resize(static_cast<size_t>(self.dim()));
    std::iota(dims.begin(), dims.end(), 0);
  }
  const size_t given = coords.empty() ? hs.size() : coords.size();
  EMBER_CHECK(given == 1 || given == dims.size(), "torch.gradient expected spacing to be unspecified, a scalar or a "
                                                  "list of length ",
              dims.size(), " but got a list of length ", given);
  std::vector<Tensor> out;
  for (size_t i = 0; i < dims.size(); ++i) {
    const size_t pick = given == 1 ? 0 : i;
    if (coords.empty()) out.push_back(gradient_along(self, dims[i], hs[pick], Tensor(), edge_order));
    else out.push_back(gradient_along(self, dims[i], std::nullopt, coords[pick], edge_order));
  }
  return out;
}

std::vector<double> doubles(ArrayRef<Scalar> s) {
  std::vector<double> r;
  for (const Scalar& v : s) r.push_back(v.toDouble());
  return r;
}
std::optional<IntArrayRef> one_dim(const std::optional<int64_t>& dim, int64_t& storage) {
  if (!dim) return std::nullopt;
  storage = *dim;
  return IntArrayRef(&storage, 1);
}

}  // namespace

std::vector<Tensor> gradient(const Tensor& self, const std::optional<Scalar>& spacing, std::optional<int64_t> dim,
                             int64_t edge_order) {
  int64_t d = 0;
  return gradient_impl(self, {spacing ? spacing->toDouble() : 1.0}, {}, one_dim(dim, d), edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, const Scalar& spacing, IntArrayRef dim, int64_t edge_order) {
  return gradient_impl(self, {spacing.toDouble()}, {}, dim, edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, IntArrayRef dim, int64_t edge_order) {
  return gradient_impl(self, {1.0}, {}, dim, edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, ArrayRef<Scalar> spacing, std::optional<int64_t> dim,
                             int64_t edge_order) {
  int64_t d = 0;
  return gradient_impl(self, doubles(spacing), {}, one_dim(dim, d), edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, ArrayRef<Scalar> spacing, IntArrayRef dim, int64_t edge_order) {
  return gradient_impl(self, doubles(spacing), {}, dim, edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, TensorList spacing, std::optional<int64_t> dim, int64_t edge_order) {
  int64_t d = 0;
  EMBER_CHECK(!spacing.empty(), "torch.gradient expected spacing to be unspecified, a scalar or a list of length ",
              self.dim(), " but got a list of length 0");
  return gradient_impl(self, {}, spacing, one_dim(dim, d), edge_order);
}
std::vector<Tensor> gradient(const Tensor& self, TensorList spacing, IntArrayRef dim, int64_t edge_order) {
  EMBER_CHECK(!spacing.empty(), "torch.gradient expected spacing to be unspecified, a scalar or a list of length ",
              dim.size(), " but got a list of length 0");
  return gradient_impl(self, {}, spacing, dim, edge_order);
}

namespace {
// The sample spacings along dim d of y, from x (1-D, or broadcasting with y).
Tensor spacings_of(const Tensor& y, const Tensor& x, int64_t d, const char* op) {
  if (x.dim() == 1) {
    EMBER_CHECK(x.size(0) == y.size(d), op, ": There must be one `x` value for each sample point");
    DimVector shape(static_cast<size_t>(y.dim()), 1);
    shape[static_cast<size_t>(d)] = x.size(0) - 1;
    return x.diff().reshape(shape);
  }
  return x.diff(1, d - y.dim());
}
}  // namespace

Tensor trapezoid(const Tensor& y, const Scalar& dx, int64_t dim) {
  EMBER_CHECK(y.dim() > 0, "Dimension specified as ", dim, " but tensor has no dimensions");
  const int64_t d = maybe_wrap_dim(dim, y.dim());
  if (y.size(d) == 0) {
    DimVector shape;
    for (int64_t i = 0; i < y.dim(); ++i)
      if (i != d) shape.push_back(y.size(i));
    return zeros(shape, TensorOptions(promote_types(y.dtype(), dx.isFloatingPoint() ? get_default_dtype() : kLong)));
  }
  return y.sum(IntArrayRef(d)).sub(y.select(d, 0).add(y.select(d, -1)).mul(0.5)).mul(dx);
}
Tensor trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  EMBER_CHECK(y.dim() > 0, "Dimension specified as ", dim, " but tensor has no dimensions");
  const int64_t d = maybe_wrap_dim(dim, y.dim());
  const int64_t n = y.size(d);
  if (n == 0) {
    DimVector shape;
    for (int64_t i = 0; i < y.dim(); ++i)
      if (i != d) shape.push_back(y.size(i));
    return zeros(shape, TensorOptions(promote_types(y.dtype(), x.dtype())));
  }
  Tensor dxs = spacings_of(y, x, d, "trapezoid");
  return dxs.mul(y.narrow(d, 1, n - 1).add(y.narrow(d, 0, n - 1))).sum(IntArrayRef(d)).div(2.);
}
Tensor trapz(const Tensor& y, const Tensor& x, int64_t dim) { return trapezoid(y, x, dim); }
Tensor trapz(const Tensor& y, double dx, int64_t dim) { return trapezoid(y, Scalar(dx), dim); }

Tensor cumulative_trapezoid(const Tensor& y, const Scalar& dx, int64_t dim) {
  EMBER_CHECK(y.dim() > 0, "Dimension specified as ", dim, " but tensor has no dimensions");
  const int64_t d = maybe_wrap_dim(dim, y.dim());
  const int64_t n = y.size(d);
  const int64_t m = std::max<int64_t>(n - 1, 0);
  Tensor pairs = n == 0 ? y.narrow(d, 0, 0) : y.narrow(d, 1, m).add(y.narrow(d, 0, m));
  return pairs.mul(dx.toDouble() / 2.).cumsum(d);
}
Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  EMBER_CHECK(y.dim() > 0, "Dimension specified as ", dim, " but tensor has no dimensions");
  const int64_t d = maybe_wrap_dim(dim, y.dim());
  const int64_t n = y.size(d);
  if (n == 0) return y.narrow(d, 0, 0).mul(x.sum());
  Tensor dxs = spacings_of(y, x, d, "cumulative_trapezoid");
  return dxs.mul(y.narrow(d, 1, n - 1).add(y.narrow(d, 0, n - 1))).cumsum(d).div(2.);
}

Tensor Tensor::diff(int64_t n, int64_t dim, const std::optional<Tensor>& prepend,
                    const std::optional<Tensor>& append) const {
  return ember::diff(*this, n, dim, prepend, append);
}

}  // namespace ember
