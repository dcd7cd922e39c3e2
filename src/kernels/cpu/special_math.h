// Scalar special functions in double precision (gamma family, incomplete gamma, Hurwitz zeta,
// Bessel and Airy functions, the normal distribution, orthogonal polynomials). The special ops
// apply them elementwise; a float32 input is computed in double and rounded once.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {
namespace special {

double digamma(double x);
// PyTorch's trigamma: six recurrence steps and an asymptotic series truncated after x^-7.
double trigamma(double x);
// n >= 0; n == 0 is digamma, n == 1 trigamma.
double polygamma(int64_t n, double x);
// Hurwitz zeta(x, q) = sum_k (k + q)^-x, with Cephes' conventions off its domain.
double zeta(double x, double q);
// Regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x).
double gammainc(double a, double x);
double gammaincc(double a, double x);

double erfcx(double x);
double ndtri(double p);
double log_ndtr(double x);
double entr(double x);
double xlog1py(double x, double y);

double bessel_i0(double x);
double bessel_i1(double x);
double bessel_i0e(double x);
double bessel_i1e(double x);
double bessel_k0(double x);
double bessel_k1(double x);
double bessel_k0e(double x);
double bessel_k1e(double x);
double bessel_j0(double x);
double bessel_j1(double x);
double bessel_y0(double x);
double bessel_y1(double x);
double spherical_bessel_j0(double x);
double airy_ai(double x);

// Orthogonal polynomials of degree n (n is truncated to an integer; a negative degree gives 0).
enum class Poly { ChebyshevT, ChebyshevU, ChebyshevV, ChebyshevW, ShiftedT, ShiftedU, ShiftedV, ShiftedW,
                  HermiteH, HermiteHe, LaguerreL, LegendreP };
double polynomial(Poly kind, double x, double n);

}  // namespace special
}  // namespace kernels
}  // namespace ember
