// nn::init: PyTorch's formulas for gains, fans and the initializers.
#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace nn {
namespace init {

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1 + param * param));
    default: return 1.0;  // linear, conv*, sigmoid
  }
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  EMBER_CHECK(tensor.dim() >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

namespace {
double fan(const Tensor& t, FanMode mode) {
  auto [in, out] = _calculate_fan_in_and_fan_out(t);
  return static_cast<double>(mode == FanMode::FanIn ? in : out);
}
}  // namespace

Tensor constant_(Tensor tensor, Scalar value) {
  NoGradGuard ng;
  return tensor.fill_(value);
}
Tensor zeros_(Tensor tensor) { return constant_(tensor, 0); }
Tensor ones_(Tensor tensor) { return constant_(tensor, 1); }
Tensor eye_(Tensor matrix) {
  EMBER_CHECK(matrix.dim() == 2, "Only tensors with 2 dimensions are supported");
  NoGradGuard ng;
  return matrix.copy_(eye(matrix.size(0), matrix.size(1), TensorOptions(matrix.dtype())));
}
Tensor uniform_(Tensor tensor, double low, double high) {
  NoGradGuard ng;
  return tensor.uniform_(low, high);
}
Tensor normal_(Tensor tensor, double mean, double std) {
  NoGradGuard ng;
  return tensor.normal_(mean, std);
}
Tensor xavier_uniform_(Tensor tensor, double gain) {
  if (tensor.numel() == 0) return tensor;  // PyTorch: initializing zero-element tensors is a no-op
  auto [in, out] = _calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(in + out));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}
Tensor xavier_normal_(Tensor tensor, double gain) {
  if (tensor.numel() == 0) return tensor;
  auto [in, out] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0, gain * std::sqrt(2.0 / static_cast<double>(in + out)));
}
Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(fan(tensor, mode));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}
Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, 0, calculate_gain(nonlinearity, a) / std::sqrt(fan(tensor, mode)));
}

namespace {
// Q of the reduced QR factorization of the m x n (m >= n) row-major matrix `a`, by Householder
// reflections in double precision, each column of Q multiplied by the sign of R's diagonal entry
// (which makes the factorization unique, so any QR method gives the same Q).
std::vector<double> sign_fixed_q(std::vector<double> a, int64_t m, int64_t n) {
  auto at = [&](int64_t i, int64_t j) -> double& { return a[static_cast<size_t>(i * n + j)]; };
  std::vector<std::vector<double>> vs(static_cast<size_t>(n));
  std::vector<double> r_diag(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    double norm = 0;
    for (int64_t i = k; i < m; ++i) norm += at(i, k) * at(i, k);
    norm = std::sqrt(norm);
    const double alpha = at(k, k) > 0 ? -norm : norm;  // reflect away from x to avoid cancellation
    std::vector<double> v(static_cast<size_t>(m - k));
    for (int64_t i = k; i < m; ++i) v[static_cast<size_t>(i - k)] = at(i, k);
    v[0] -= alpha;
    double vv = 0;
    for (double x : v) vv += x * x;
    if (vv > 0) {
      for (int64_t j = k; j < n; ++j) {
        double s = 0;
        for (int64_t i = k; i < m; ++i) s += v[static_cast<size_t>(i - k)] * at(i, j);
        s *= 2 / vv;
        for (int64_t i = k; i < m; ++i) at(i, j) -= s * v[static_cast<size_t>(i - k)];
      }
    } else {
      v.clear();  // the column is already reduced: the reflection is the identity
    }
    r_diag[static_cast<size_t>(k)] = at(k, k);
    vs[static_cast<size_t>(k)] = std::move(v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity, last reflection first.
  std::vector<double> q(static_cast<size_t>(m * n), 0.0);
  auto qat = [&](int64_t i, int64_t j) -> double& { return q[static_cast<size_t>(i * n + j)]; };
  for (int64_t i = 0; i < n; ++i) qat(i, i) = 1;
  for (int64_t k = n - 1; k >= 0; --k) {
    const auto& v = vs[static_cast<size_t>(k)];
    if (v.empty()) continue;
    double vv = 0;
    for (double x : v) vv += x * x;
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t i = k; i < m; ++i) s += v[static_cast<size_t>(i - k)] * qat(i, j);
      s *= 2 / vv;
      for (int64_t i = k; i < m; ++i) qat(i, j) -= s * v[static_cast<size_t>(i - k)];
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    const double d = r_diag[static_cast<size_t>(j)];
    const double sign = d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
    for (int64_t i = 0; i < m; ++i) qat(i, j) *= sign;
  }
  return q;
}
}  // namespace

Tensor orthogonal_(Tensor tensor, double gain) {
  EMBER_CHECK(tensor.dim() >= 2, "Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() == 0) return tensor;  // PyTorch: a no-op
  NoGradGuard ng;
  const int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  // PyTorch draws the rows x cols matrix in the tensor's dtype and factors its transpose when it
  // is wide, so the orthonormal vectors are the rows then.
  Tensor drawn = empty({rows, cols}, TensorOptions(tensor.dtype())).normal_(0, 1);
  const bool wide = rows < cols;
  Tensor a = contiguous(drawn.to(kDouble));
  if (wide) a = contiguous(a.t());
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  const double* ap = a.data_ptr<double>();
  std::vector<double> q = sign_fixed_q(std::vector<double>(ap, ap + m * n), m, n);
  Tensor qt = empty({m, n}, TensorOptions(kDouble));
  std::copy(q.begin(), q.end(), qt.data_ptr<double>());
  if (wide) qt = qt.t();
  tensor.view({rows, cols}).copy_(qt.to(tensor.dtype()));
  tensor.mul_(gain);
  return tensor;
}

void default_weight_and_bias_(Tensor weight, Tensor bias) {
  kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  const auto fan_in = std::get<0>(_calculate_fan_in_and_fan_out(weight));
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(bias, -bound, bound);
}

}  // namespace init
}  // namespace nn
}  // namespace ember
