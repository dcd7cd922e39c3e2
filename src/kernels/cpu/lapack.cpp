// LAPACK and BLAS-3 triangular calls for the linear-algebra ops, through the Fortran symbols of
// OpenBLAS (loaded on first use, openblas.h).
#include "kernels/cpu/lapack.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/cpu/openblas.h"

namespace ember {
namespace kernels {
namespace lapack {

namespace {
template <typename T>
constexpr bool is_float() {
  return std::is_same_v<T, float>;
}
int workspace_size(double query) { return std::max(1, static_cast<int>(query)); }
}  // namespace

template <typename T>
int getrf(int m, int n, T* a, int* ipiv) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, m);
  if constexpr (is_float<T>()) blas.sgetrf(&m, &n, a, &lda, ipiv, &info);
  else blas.dgetrf(&m, &n, a, &lda, ipiv, &info);
  return info;
}

template <typename T>
int getrs(bool transpose, int n, int nrhs, const T* lu, const int* ipiv, T* b) {
  const openblas::Api& blas = openblas::api();
  int info = 0, ld = std::max(1, n);
  const char t = transpose ? 'T' : 'N';
  if constexpr (is_float<T>()) blas.sgetrs(&t, &n, &nrhs, lu, &ld, ipiv, b, &ld, &info, 1);
  else blas.dgetrs(&t, &n, &nrhs, lu, &ld, ipiv, b, &ld, &info, 1);
  return info;
}

template <typename T>
int potrf(bool upper, int n, T* a) {
  const openblas::Api& blas = openblas::api();
  int info = 0, ld = std::max(1, n);
  const char u = upper ? 'U' : 'L';
  if constexpr (is_float<T>()) blas.spotrf(&u, &n, a, &ld, &info, 1);
  else blas.dpotrf(&u, &n, a, &ld, &info, 1);
  return info;
}

template <typename T>
int geqrf(int m, int n, T* a, T* tau) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, m), lwork = -1;
  T query{};
  if constexpr (is_float<T>()) blas.sgeqrf(&m, &n, a, &lda, tau, &query, &lwork, &info);
  else blas.dgeqrf(&m, &n, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>()) blas.sgeqrf(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  else blas.dgeqrf(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

template <typename T>
int orgqr(int m, int n, int k, T* a, const T* tau) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, m), lwork = -1;
  T query{};
  if constexpr (is_float<T>()) blas.sorgqr(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  else blas.dorgqr(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>()) blas.sorgqr(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  else blas.dorgqr(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

template <typename T>
int ormqr(bool left, bool transpose, int m, int n, int k, const T* a, const T* tau, T* c) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, left ? m : n), ldc = std::max(1, m), lwork = -1;
  const char side = left ? 'L' : 'R', trans = transpose ? 'T' : 'N';
  T query{};
  if constexpr (is_float<T>()) blas.sormqr(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &query, &lwork, &info, 1, 1);
  else blas.dormqr(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &query, &lwork, &info, 1, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>())
    blas.sormqr(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, work.data(), &lwork, &info, 1, 1);
  else blas.dormqr(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, work.data(), &lwork, &info, 1, 1);
  return info;
}

template <typename T>
int syevd(bool vectors, bool upper, int n, T* a, T* w) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, n), lwork = -1, liwork = -1, iquery = 0;
  const char jobz = vectors ? 'V' : 'N', uplo = upper ? 'U' : 'L';
  T query{};
  if constexpr (is_float<T>()) blas.ssyevd(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);
  else blas.dsyevd(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  liwork = std::max(1, iquery);
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  if constexpr (is_float<T>())
    blas.ssyevd(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  else blas.dsyevd(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  return info;
}

template <typename T>
int gesdd(char job, int m, int n, T* a, T* s, T* u, int ldu, T* vt, int ldvt) {
  const openblas::Api& blas = openblas::api();
  int info = 0, lda = std::max(1, m), lwork = -1;
  ldu = std::max(1, ldu);
  ldvt = std::max(1, ldvt);
  std::vector<int> iwork(static_cast<size_t>(8 * std::max(1, std::min(m, n))));
  T query{}, dummy{};
  if (!u) u = &dummy;
  if (!vt) vt = &dummy;
  if constexpr (is_float<T>()) blas.sgesdd(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info, 1);
  else blas.dgesdd(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>())
    blas.sgesdd(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
  else blas.dgesdd(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
  return info;
}

template int getrf<float>(int, int, float*, int*);
template int getrs<float>(bool, int, int, const float*, const int*, float*);
template int potrf<float>(bool, int, float*);
template int geqrf<float>(int, int, float*, float*);
template int orgqr<float>(int, int, int, float*, const float*);
template int ormqr<float>(bool, bool, int, int, int, const float*, const float*, float*);
template int syevd<float>(bool, bool, int, float*, float*);
template int gesdd<float>(char, int, int, float*, float*, float*, int, float*, int);
template int getrf<double>(int, int, double*, int*);
template int getrs<double>(bool, int, int, const double*, const int*, double*);
template int potrf<double>(bool, int, double*);
template int geqrf<double>(int, int, double*, double*);
template int orgqr<double>(int, int, int, double*, const double*);
template int ormqr<double>(bool, bool, int, int, int, const double*, const double*, double*);
template int syevd<double>(bool, bool, int, double*, double*);
template int gesdd<double>(char, int, int, double*, double*, double*, int, double*, int);

}  // namespace lapack

template <typename T>
void trsm(bool left, bool upper, bool transpose, bool unit_diagonal, int64_t m, int64_t n, const T* a, int64_t lda,
          T* b, int64_t ldb) {
  if (m == 0 || n == 0) return;
  const openblas::Api& blas = openblas::api();
  const auto side = left ? CblasLeft : CblasRight;
  const auto uplo = upper ? CblasUpper : CblasLower;
  const auto trans = transpose ? CblasTrans : CblasNoTrans;
  const auto diag = unit_diagonal ? CblasUnit : CblasNonUnit;
  if constexpr (std::is_same_v<T, float>)
    blas.strsm(CblasRowMajor, side, uplo, trans, diag, m, n, 1.0f, a, lda, b, ldb);
  else
    blas.dtrsm(CblasRowMajor, side, uplo, trans, diag, m, n, 1.0, a, lda, b, ldb);
}
template void trsm<float>(bool, bool, bool, bool, int64_t, int64_t, const float*, int64_t, float*, int64_t);
template void trsm<double>(bool, bool, bool, bool, int64_t, int64_t, const double*, int64_t, double*, int64_t);

}  // namespace kernels
}  // namespace ember

namespace ember {
namespace kernels {
namespace lapack {

template <typename T>
void lu_slogdet(int n, const T* lu, const int* ipiv, T& sign, T& logabs) {
  T s = 1, l = 0;
  for (int i = 0; i < n; ++i) {
    const T d = lu[static_cast<int64_t>(i) * n + i];
    if (ipiv[i] != i + 1) s = -s;
    if (d < 0) s = -s;
    if (d == 0) s = 0;
    l += std::log(std::abs(d));
  }
  sign = s;
  logabs = l;
}
template void lu_slogdet<float>(int, const float*, const int*, float&, float&);
template void lu_slogdet<double>(int, const double*, const int*, double&, double&);

void pivots_to_permutation(int m, int k, const int* ipiv, int64_t* perm) {
  for (int i = 0; i < m; ++i) perm[i] = i;
  for (int i = 0; i < k; ++i) std::swap(perm[i], perm[ipiv[i] - 1]);
}

}  // namespace lapack
}  // namespace kernels
}  // namespace ember
