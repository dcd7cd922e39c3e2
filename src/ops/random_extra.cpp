// Random draws of LibTorch's API: normal (tensor parameters), poisson, binomial, multinomial,
// bernoulli with a probability or generator, and the in-place cauchy_/exponential_/geometric_/
// log_normal_ fills; randint/randperm with a generator. ember's generator is its own: the
// streams differ from PyTorch's, the distributions do not.
#include <cmath>
#include <limits>

#include "ember/ops/stats_extra.h"
#include "kernels/cpu/stats.h"
#include "ops/elementwise.h"
#include "ops/zero_grad.h"

namespace ember {

namespace {

Generator& pick(GeneratorRef g) { return g ? g->get() : default_generator(); }

// Uniform doubles in [0, 1) of `sizes`.
Tensor uniforms(IntArrayRef sizes, Generator& gen) {
  Tensor u = new_tensor(sizes, kDouble);
  kernels::uniform(u, 0, 1, gen);
  return u;
}

template <typename... Ts>
void record_zero_grad(const Tensor& out, const char* name, const Ts&... ins) {
  if (auto n = zero_grad_node(name, ins...)) set_history(out, n);
}

void check_floating(const Tensor& t, const char* kernel) {
  EMBER_CHECK(is_floating_type(t.dtype()), "\"", kernel, "\" not implemented for '", to_string(t.dtype()), "'");
}

// Writes `values` (any dtype, self's shape) into self as an in-place random fill; `node` (from
// zero_grad_node, made and checked before the draw) becomes self's history, so a tensor in the
// graph passes no gradient back through the values it had (PyTorch's UniformBackward0, ...).
Tensor& fill_from(const Tensor& self_const, const Tensor& values, const intrusive_ptr<Node>& node) {
  Tensor& self = const_cast<Tensor&>(self_const);
  kernels::copy(self, values);
  autograd::rebase_history(self, node);
  return self;
}

const char* kPRangeMessage =
    "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, "
    "please report an enhancement request to PyTorch.)";

void check_probabilities(const Tensor& p) {
  NoGradGuard no_grad;
  const Tensor pd = p.detach();
  EMBER_CHECK(pd.numel() == 0 || (pd.ge(0).all().item<bool>() && pd.le(1).all().item<bool>()), kPRangeMessage);
}

}  // namespace

// ---------------------------------------------------------------- normal, poisson, binomial

Tensor normal(const Tensor& mean, double stddev, GeneratorRef generator) {
  EMBER_CHECK(stddev >= 0, "normal expects std >= 0.0, but found std ", stddev);
  check_floating(mean, "normal_kernel_cpu");
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor eps = new_tensor(mean.sizes(), mean.dtype());
    kernels::normal(eps, 0, 1, pick(generator));
    out = eps.mul(stddev).add(mean.detach());
  }
  record_zero_grad(out, "NormalBackward1", mean);
  return out;
}
Tensor normal(double mean, const Tensor& std, GeneratorRef generator) {
  check_floating(std, "normal_kernel_cpu");
  EMBER_CHECK(std.numel() == 0 || std.detach().ge(0).all().item<bool>(), "normal expects all elements of std >= 0.0");
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor eps = new_tensor(std.sizes(), std.dtype());
    kernels::normal(eps, 0, 1, pick(generator));
    out = eps.mul(std.detach()).add(mean);
  }
  record_zero_grad(out, "NormalBackward2", std);
  return out;
}
Tensor normal(const Tensor& mean, const Tensor& std, GeneratorRef generator) {
  check_floating(mean, "normal_kernel_cpu");
  check_floating(std, "normal_kernel_cpu");
  EMBER_CHECK(std.numel() == 0 || std.detach().ge(0).all().item<bool>(), "normal expects all elements of std >= 0.0");
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor shape = mean.detach().add(std.detach());  // the broadcast shape and dtype
    Tensor eps = new_tensor(shape.sizes(), shape.dtype());
    kernels::normal(eps, 0, 1, pick(generator));
    out = eps.mul(std.detach()).add(mean.detach());
  }
  record_zero_grad(out, "NormalBackward3", mean, std);
  return out;
}
Tensor normal(double mean, double stddev, IntArrayRef size, GeneratorRef generator, const TensorOptions& options) {
  EMBER_CHECK(stddev >= 0, "normal expects std >= 0.0, but found std ", stddev);
  check_floating(empty({0}, TensorOptions(options.dtype())), "normal_kernel_cpu");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = randn(size, pick(generator), TensorOptions(options.dtype())).mul(stddev).add(mean);
  }
  if (options.requires_grad()) out.requires_grad_(true);
  return out;
}

Tensor poisson(const Tensor& rates, GeneratorRef generator) {
  check_floating(rates, "poisson_cpu");
  EMBER_CHECK(rates.numel() == 0 || rates.detach().ge(0).all().item<bool>(),
              "invalid Poisson rate, expected rate to be non-negative");
  Tensor out = new_tensor(rates.sizes(), rates.dtype());
  kernels::poisson(contiguous_raw(rates.detach()), out, pick(generator));
  record_zero_grad(out, "PoissonBackward0", rates);
  return out;
}

Tensor binomial(const Tensor& count, const Tensor& prob, GeneratorRef generator) {
  check_floating(count, "binomial_cpu");
  EMBER_CHECK(prob.dtype() == count.dtype(), "Found dtype ", to_string(prob.dtype()), " but expected ",
              to_string(count.dtype()));
  NoGradGuard no_grad;
  Tensor shape = count.detach().add(prob.detach());
  Tensor c = contiguous_raw(count.detach().expand(shape.sizes()));
  Tensor p = contiguous_raw(prob.detach().expand(shape.sizes()));
  Tensor out = new_tensor(shape.sizes(), count.dtype());
  kernels::binomial(c, p, out, pick(generator));
  return out;
}

// ---------------------------------------------------------------- bernoulli

Tensor bernoulli(const Tensor& p, GeneratorRef generator) {
  EMBER_CHECK(p.is_floating_point(), "bernoulli: expected a floating point tensor of probabilities");
  check_probabilities(p);
  NoGradGuard no_grad;
  return uniforms(p.sizes(), pick(generator)).lt(p.detach()).to(p.dtype());
}
Tensor bernoulli(const Tensor& self, double p, GeneratorRef generator) {
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  NoGradGuard no_grad;
  return uniforms(self.sizes(), pick(generator)).lt(p).to(self.dtype());
}

// ---------------------------------------------------------------- multinomial

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, GeneratorRef generator) {
  EMBER_CHECK(probs.dim() == 1 || probs.dim() == 2, "prob_dist must be 1 or 2 dim");
  EMBER_CHECK(is_floating_type(probs.dtype()), "multinomial only supports floating-point dtypes for input, got: ",
              to_string(probs.dtype()));
  EMBER_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  const int64_t n_cat = probs.size(-1);
  EMBER_CHECK(replacement || num_samples <= n_cat,
              "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  EMBER_CHECK(n_cat <= (int64_t(1) << 24), "number of categories cannot exceed 2^24");
  NoGradGuard no_grad;
  Tensor p = probs.detach().to(kDouble).reshape({-1, n_cat});
  const int64_t rows = p.size(0);
  DimVector out_shape{num_samples};
  if (probs.dim() == 2) out_shape.insert(0, rows);
  if (rows == 0) return zeros(out_shape, TensorOptions(kLong));
  EMBER_CHECK(p.isfinite().all().item<bool>() && p.ge(0).all().item<bool>(),
              "probability tensor contains either `inf`, `nan` or element < 0");
  Tensor sums = p.sum(IntArrayRef(1), true);
  EMBER_CHECK(sums.gt(0).all().item<bool>(), "invalid multinomial distribution (sum of probabilities <= 0)");
  Generator& gen = pick(generator);
  Tensor idx;
  if (!replacement || num_samples == 1) {
    // Without replacement: the k largest p / E with E ~ Exp(1) are a weighted draw of k distinct
    // categories (zero-weight ones only after every positive one, as ATen).
    Tensor e = uniforms(p.sizes(), gen).neg().log1p().neg();
    idx = std::get<1>(p.div(e).topk(num_samples, -1));
  } else {
    // With replacement: inverse CDF, the CDF scaled so that its last value is exactly 1.
    Tensor cdf = p.cumsum(1);
    cdf = cdf.div(cdf.narrow(1, n_cat - 1, 1));
    idx = searchsorted(cdf, uniforms({rows, num_samples}, gen), false, true).clamp_max(n_cat - 1);
  }
  return idx.reshape(out_shape).contiguous();
}

// ---------------------------------------------------------------- randint, randperm

Tensor randint(int64_t high, IntArrayRef size, GeneratorRef generator, const TensorOptions& options) {
  return randint(0, high, size, generator, options);
}
Tensor randint(int64_t low, int64_t high, IntArrayRef size, GeneratorRef generator, const TensorOptions& options) {
  check_device(options.device(), "randint");
  EMBER_CHECK(low < high, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor t = new_tensor(size, kLong);
  kernels::random_int(t, low, high, pick(generator));
  return options.dtype() == kLong ? t : t.to(options.dtype());
}
Tensor randperm(int64_t n, GeneratorRef generator, const TensorOptions& options) {
  check_device(options.device(), "randperm");
  EMBER_CHECK(n >= 0, "n must be non-negative, got", n);
  Tensor t = new_tensor({n}, kLong);
  kernels::randperm(t, pick(generator));
  return options.dtype() == kLong ? t : t.to(options.dtype());
}

// ---------------------------------------------------------------- Tensor methods

using T = Tensor;

T T::bernoulli(GeneratorRef generator) const { return ember::bernoulli(*this, generator); }
T T::bernoulli(double p, GeneratorRef generator) const { return ember::bernoulli(*this, p, generator); }
T& T::bernoulli_(const T& p, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  check_floating(p, "bernoulli_tensor_cpu_p_");
  check_probabilities(p);
  const auto node = zero_grad_node("BernoulliBackward1", *this, p);
  NoGradGuard no_grad;
  Tensor probs = p.detach().expand(sizes());
  return fill_from(*this, uniforms(sizes(), pick(generator)).lt(probs), node);
}
T& T::bernoulli_(double p, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  const auto node = zero_grad_node("BernoulliBackward2", *this);
  NoGradGuard no_grad;
  return fill_from(*this, uniforms(sizes(), pick(generator)).lt(p), node);
}
T& T::cauchy_(double median, double sigma, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  check_floating(*this, "cauchy_cpu");
  const auto node = zero_grad_node("CauchyBackward0", *this);
  NoGradGuard no_grad;
  return fill_from(*this, uniforms(sizes(), pick(generator)).sub(0.5).mul(M_PI).tan().mul(sigma).add(median), node);
}
T& T::exponential_(double lambd, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  check_floating(*this, "exponential_cpu");
  EMBER_CHECK(lambd >= 0, "exponential_ expects lambda >= 0.0, but found lambda=", lambd);
  const auto node = zero_grad_node("ExponentialBackward0", *this);
  NoGradGuard no_grad;
  Tensor u = uniforms(sizes(), pick(generator));
  if (lambd == 0) return fill_from(*this, full_like(u, std::numeric_limits<double>::infinity()), node);
  // -log(1 - u) / lambda: u in [0, 1), so the draw is finite and >= 0.
  return fill_from(*this, u.neg().log1p().neg().div(lambd), node);
}
T& T::geometric_(double p, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  EMBER_CHECK(dtype() != kBool, "\"geometric_cpu\" not implemented for 'Bool'");
  EMBER_CHECK(p > 0 && p < 1, "geometric_ expects p to be in (0, 1), but got p=", p);
  const auto node = zero_grad_node("GeometricBackward0", *this);
  NoGradGuard no_grad;
  // The number of trials up to the first success: floor(log(1 - u) / log(1 - p)) + 1 >= 1.
  Tensor u = uniforms(sizes(), pick(generator));
  return fill_from(*this, u.neg().log1p().div(std::log1p(-p)).floor().add(1), node);
}
T& T::log_normal_(double mean, double stddev, GeneratorRef generator) const {
  autograd::check_inplace(*this);
  check_floating(*this, "log_normal_cpu");
  EMBER_CHECK(stddev > 0, "log_normal_ expects std > 0.0, but found std=", stddev);
  const auto node = zero_grad_node("LogNormalBackward0", *this);
  NoGradGuard no_grad;
  Tensor z = new_tensor(sizes(), kDouble);
  kernels::normal(z, mean, stddev, pick(generator));
  return fill_from(*this, z.exp(), node);
}
T T::multinomial(int64_t num_samples, bool replacement, GeneratorRef generator) const {
  return ember::multinomial(*this, num_samples, replacement, generator);
}

}  // namespace ember
