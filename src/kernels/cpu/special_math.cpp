// Scalar special functions in double precision. Each follows PyTorch 1.13's conventions at poles,
// infinities and outside its domain (PyTorch takes most of them from Cephes); inside the domain
// they are computed from series, recurrences, continued fractions or libstdc++'s C++17 Bessel
// functions, to about double precision.
#include "kernels/cpu/special_math.h"

#include <cmath>
#include <limits>

namespace ember {
namespace kernels {
namespace special {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrtPi = 1.77245385090551602730;
constexpr double kSqrt2Pi = 2.50662827463100050242;

// exp(x * x) with x * x split into two exact parts, so a large square loses no digits.
double exp_square(double x) {
  const double hi = x * x;
  const double lo = std::fma(x, x, -hi);
  return std::exp(hi) * std::exp(lo);
}

// e^-x I_nu(x) and e^x K_nu(x) for large x (x >= 50): Hankel's asymptotic series, whose terms
// shrink quickly there; `sign` is -1 for I and +1 for K.
double scaled_bessel_asymptotic(double nu, double x, double sign) {
  const double mu = 4 * nu * nu;
  double term = 1, sum = 1;
  for (int k = 1; k < 60; ++k) {
    const double odd = 2.0 * k - 1;
    term *= sign * (mu - odd * odd) / (k * 8.0 * x);
    sum += term;
    if (std::fabs(term) < 1e-17 * std::fabs(sum)) break;
  }
  return sum;
}

}  // namespace

// ---------------------------------------------------------------- gamma family

double digamma(double x) {
  if (x == 0) return std::copysign(kInf, -x);
  if (x < 0) {
    if (x == std::trunc(x)) return kNaN;
    // Reflection; tan of the fractional part keeps the digits that tan(pi x) would lose.
    double whole;
    const double frac = std::modf(x, &whole);
    return digamma(1 - x) - kPi / std::tan(kPi * frac);
  }
  double acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  // Asymptotic series: log x - 1/(2x) - sum B_2k / (2k x^2k).
  const double z = 1 / (x * x);
  const double tail =
      z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))));
  return acc + std::log(x) - 0.5 / x - (x < 1e17 ? tail : 0.0);
}

double trigamma(double x) {
  double sign = 1, acc = 0;
  if (x < 0.5) {
    sign = -1;
    const double s = std::sin(kPi * x);
    acc -= kPi * kPi / (s * s);
    x = 1 - x;
  }
  for (int i = 0; i < 6; ++i) {
    acc += 1 / (x * x);
    x += 1;
  }
  const double z = 1 / (x * x);
  acc += (1 + 1 / (2 * x) + z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42)))) / x;
  return sign * acc;
}

double polygamma(int64_t n, double x) {
  if (n == 0) return digamma(x);
  if (n == 1) return trigamma(x);
  const double nd = static_cast<double>(n);
  return (n % 2 ? 1.0 : -1.0) * std::exp(std::lgamma(nd + 1)) * zeta(nd + 1, x);
}

double zeta(double x, double q) {
  if (x == 1) return kInf;
  if (x < 1) return kNaN;
  if (q <= 0) {
    if (q == std::floor(q)) return kInf;
    if (x != std::floor(x)) return kNaN;  // q^-x is not real
  }
  // Euler-Maclaurin: the first terms summed directly, the rest by the integral and Bernoulli
  // corrections. Each correction is a_j * b / ((2j)! / B_2j) with a_j the rising factorial of x.
  static const double kFactorialOverBernoulli[12] = {
      12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
      -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17,
      -7.1661652561756670113e18};
  double sum = std::pow(q, -x);
  double a = q, b = 0;
  int i = 0;
  while (i < 9 || a <= 9) {
    ++i;
    a += 1;
    b = std::pow(a, -x);
    sum += b;
    if (std::fabs(b / sum) < kEps) return sum;
  }
  const double w = a;
  sum += b * w / (x - 1);
  sum -= 0.5 * b;
  double rising = 1, k = 0;
  for (int j = 0; j < 12; ++j) {
    rising *= x + k;
    b /= w;
    const double t = rising * b / kFactorialOverBernoulli[j];
    sum += t;
    if (std::fabs(t / sum) < kEps) return sum;
    k += 1;
    rising *= x + k;
    b /= w;
    k += 1;
  }
  return sum;
}

namespace {

// x^a e^-x / Gamma(a + 1), formed in logs so that neither factor overflows.
double gamma_prefactor(double a, double x) { return std::exp(a * std::log(x) - x - std::lgamma(a + 1)); }

// P(a, x) by its power series; converges quickly for x < a + 1.
double lower_series(double a, double x) {
  double term = 1, sum = 1;
  for (int k = 1; k < 100000; ++k) {
    term *= x / (a + k);
    sum += term;
    if (term < sum * kEps * 0.5) break;
  }
  return gamma_prefactor(a, x) * sum;
}

// Q(a, x) by Legendre's continued fraction (modified Lentz); converges quickly for x > a + 1.
double upper_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  // x^a e^-x / Gamma(a) = a * gamma_prefactor.
  return std::exp(a * std::log(x) - x - std::lgamma(a)) * h;
}

}  // namespace

double gammainc(double a, double x) {
  if (x < 0 || a < 0) return kNaN;
  if (a == 0) return x > 0 ? 1.0 : kNaN;
  if (x == 0) return 0.0;
  if (std::isinf(a)) return std::isinf(x) ? kNaN : 0.0;
  if (std::isinf(x)) return 1.0;
  if (std::isnan(a) || std::isnan(x)) return kNaN;
  if (x < a + 1) return lower_series(a, x);
  return 1 - upper_fraction(a, x);
}

double gammaincc(double a, double x) {
  if (x < 0 || a < 0) return kNaN;
  if (a == 0) return x > 0 ? 0.0 : kNaN;
  if (x == 0) return 1.0;
  if (std::isinf(a)) return std::isinf(x) ? kNaN : 1.0;
  if (std::isinf(x)) return 0.0;
  if (std::isnan(a) || std::isnan(x)) return kNaN;
  if (x < a + 1) return 1 - lower_series(a, x);
  return upper_fraction(a, x);
}

// ---------------------------------------------------------------- error function family

double erfcx(double x) {
  if (std::isnan(x)) return x;
  if (x < 0) {
    if (x < -26.7) return kInf;
    return 2 * exp_square(x) - erfcx(-x);
  }
  if (x < 25) return exp_square(x) * std::erfc(x);
  if (std::isinf(x)) return 0.0;
  // 1/(x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2x^2)^k; at x >= 25 ten terms pass double precision.
  const double r = 1 / (2 * x * x);
  double term = 1, sum = 1;
  for (int k = 1; k < 12; ++k) {
    term *= -(2.0 * k - 1) * r;
    sum += term;
  }
  return sum / (x * kSqrtPi);
}

double ndtri(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // Near 1 the solution is minus that for 1 - p (exact there), as Cephes does.
  const bool upper = p > 1 - 0.1353352832366127;
  const double target = upper ? 1 - p : p;
  // First guess (Abramowitz & Stegun 26.2.23, |error| < 4.5e-4), then Halley's method on
  // Phi(x) = target, with Phi from erfc so that tail probabilities keep their digits.
  const double tail = target < 0.5 ? target : 1 - target;
  const double t = std::sqrt(-2 * std::log(tail));
  double x = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  if (target < 0.5) x = -x;
  for (int i = 0; i < 8; ++i) {
    const double f = 0.5 * std::erfc(-x / kSqrt2) - target;
    const double density = std::exp(-0.5 * x * x) / kSqrt2Pi;
    if (density == 0) break;
    const double u = f / density;
    const double step = u / (1 + 0.5 * x * u);
    x -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(x)) break;
  }
  return upper ? -x : x;
}

double log_ndtr(double x) {
  const double t = x / kSqrt2;
  if (x < -1) return std::log(erfcx(-t) / 2) - t * t;
  return std::log1p(-std::erfc(t) / 2);
}

double entr(double x) {
  if (std::isnan(x)) return x;
  if (x > 0) return -x * std::log(x);
  if (x == 0) return 0.0;
  return -kInf;
}

double xlog1py(double x, double y) {
  if (std::isnan(y)) return kNaN;
  if (x == 0) return 0.0;
  return x * std::log1p(y);
}

// ---------------------------------------------------------------- Bessel functions

double bessel_i0e(double x) {
  if (std::isnan(x)) return x;
  const double ax = std::fabs(x);
  if (std::isinf(ax)) return 0.0;
  if (ax > 50) return scaled_bessel_asymptotic(0, ax, -1) / std::sqrt(2 * kPi * ax);
  return std::cyl_bessel_i(0.0, ax) * std::exp(-ax);
}

double bessel_i1e(double x) {
  if (std::isnan(x)) return x;
  const double ax = std::fabs(x);
  if (std::isinf(ax)) return std::copysign(0.0, x);
  double v;
  if (ax > 50) v = scaled_bessel_asymptotic(1, ax, -1) / std::sqrt(2 * kPi * ax);
  else v = ax == 0 ? 0.0 : std::cyl_bessel_i(1.0, ax) * std::exp(-ax);
  return x < 0 ? -v : v;
}

double bessel_i0(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  const double ax = std::fabs(x);
  if (ax > 50) return bessel_i0e(ax) * std::exp(ax);
  return std::cyl_bessel_i(0.0, ax);
}

double bessel_i1(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  const double ax = std::fabs(x);
  if (ax == 0) return x;
  const double v = ax > 50 ? bessel_i1e(ax) * std::exp(ax) : std::cyl_bessel_i(1.0, ax);
  return x < 0 ? -v : v;
}

double bessel_k0e(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return kInf;
  if (std::isinf(x)) return 0.0;
  if (x > 50) return scaled_bessel_asymptotic(0, x, 1) * std::sqrt(kPi / (2 * x));
  return std::cyl_bessel_k(0.0, x) * std::exp(x);
}

double bessel_k1e(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return kInf;
  if (std::isinf(x)) return 0.0;
  if (x > 50) return scaled_bessel_asymptotic(1, x, 1) * std::sqrt(kPi / (2 * x));
  return std::cyl_bessel_k(1.0, x) * std::exp(x);
}

double bessel_k0(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return kInf;
  if (x > 50) return bessel_k0e(x) * std::exp(-x);
  return std::cyl_bessel_k(0.0, x);
}

double bessel_k1(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return kInf;
  if (x > 50) return bessel_k1e(x) * std::exp(-x);
  return std::cyl_bessel_k(1.0, x);
}

double bessel_j0(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  return std::cyl_bessel_j(0.0, std::fabs(x));
}

double bessel_j1(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  if (x == 0) return x;
  const double v = std::cyl_bessel_j(1.0, std::fabs(x));
  return x < 0 ? -v : v;
}

double bessel_y0(double x) {
  if (std::isnan(x) || x < 0 || std::isinf(x)) return kNaN;
  if (x == 0) return -kInf;
  return std::cyl_neumann(0.0, x);
}

double bessel_y1(double x) {
  if (std::isnan(x) || x < 0 || std::isinf(x)) return kNaN;
  if (x == 0) return -kInf;
  // Near 0, Y1(x) = -2 / (pi x) to double precision; libstdc++'s series would overflow on the way.
  if (x < 1e-150) return -2 / (kPi * x);
  return std::cyl_neumann(1.0, x);
}

double spherical_bessel_j0(double x) {
  if (std::isnan(x)) return x;
  if (std::isinf(x)) return 0.0;
  if (std::fabs(x) < 0.5) {
    // sin(x)/x by its Taylor series: 1 - x^2/3! + x^4/5! - ...
    const double z = x * x;
    double term = 1, sum = 1;
    for (int k = 1; k < 12; ++k) {
      term *= -z / ((2.0 * k) * (2.0 * k + 1));
      sum += term;
    }
    return sum;
  }
  return std::sin(x) / x;
}

double airy_ai(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  if (x > 103.892) return 0.0;
  const double ax = std::fabs(x);
  if (ax <= 2) {
    // Maclaurin series: Ai(x) = c1 f(x) - c2 g(x).
    constexpr double c1 = 0.355028053887817239260, c2 = 0.258819403792806798405;
    const double x3 = x * x * x;
    double f = 1, g = x, tf = 1, tg = x;
    for (int k = 1; k < 40; ++k) {
      tf *= x3 / ((3.0 * k - 1) * (3.0 * k));
      tg *= x3 / ((3.0 * k) * (3.0 * k + 1));
      f += tf;
      g += tg;
      if (std::fabs(tf) < 1e-18 * std::fabs(f) && std::fabs(tg) < 1e-18 * std::fabs(g)) break;
    }
    return c1 * f - c2 * g;
  }
  const double zeta_arg = 2.0 / 3.0 * ax * std::sqrt(ax);
  if (x > 0) return std::sqrt(x / 3) * std::cyl_bessel_k(1.0 / 3, zeta_arg) / kPi;
  return std::sqrt(ax) / 2 * (std::cyl_bessel_j(1.0 / 3, zeta_arg) - std::cyl_neumann(1.0 / 3, zeta_arg) / std::sqrt(3.0));
}

// ---------------------------------------------------------------- orthogonal polynomials

double polynomial(Poly kind, double x, double n_value) {
  // The degree is the integer part of n; NaN and out-of-range degrees count as negative, as the
  // hardware conversion PyTorch relies on makes them.
  if (!(n_value > -1) || !(n_value < 9.2e18)) return 0.0;
  const int64_t n = static_cast<int64_t>(n_value);
  if (n < 0) return 0.0;
  switch (kind) {
    case Poly::ShiftedT: return polynomial(Poly::ChebyshevT, 2 * x - 1, n_value);
    case Poly::ShiftedU: return polynomial(Poly::ChebyshevU, 2 * x - 1, n_value);
    case Poly::ShiftedV: return polynomial(Poly::ChebyshevV, 2 * x - 1, n_value);
    case Poly::ShiftedW: return polynomial(Poly::ChebyshevW, 2 * x - 1, n_value);
    default: break;
  }
  if (n == 0) return 1.0;
  double prev = 1, cur = 0;
  switch (kind) {
    case Poly::ChebyshevT: cur = x; break;
    case Poly::ChebyshevU: cur = 2 * x; break;
    case Poly::ChebyshevV: cur = 2 * x - 1; break;
    case Poly::ChebyshevW: cur = 2 * x + 1; break;
    case Poly::HermiteH: cur = 2 * x; break;
    case Poly::HermiteHe: cur = x; break;
    case Poly::LaguerreL: cur = 1 - x; break;
    case Poly::LegendreP: cur = x; break;
    default: break;
  }
  for (int64_t k = 1; k < n; ++k) {
    const double kd = static_cast<double>(k);
    double next;
    switch (kind) {
      case Poly::HermiteH: next = 2 * x * cur - 2 * kd * prev; break;
      case Poly::HermiteHe: next = x * cur - kd * prev; break;
      case Poly::LaguerreL: next = ((2 * kd + 1 - x) * cur - kd * prev) / (kd + 1); break;
      case Poly::LegendreP: next = ((2 * kd + 1) * x * cur - kd * prev) / (kd + 1); break;
      default: next = 2 * x * cur - prev; break;  // the four Chebyshev kinds share one recurrence
    }
    prev = cur;
    cur = next;
  }
  return cur;
}

}  // namespace special
}  // namespace kernels
}  // namespace ember
