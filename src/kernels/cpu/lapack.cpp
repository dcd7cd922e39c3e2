// LAPACK and BLAS-3 triangular calls for the linear-algebra ops, through the Fortran symbols of
// OpenBLAS (Debian ships no LAPACKE for the OpenMP build, so the prototypes are declared here).
#include "kernels/cpu/lapack.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

extern "C" {
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda, const int* ipiv, float* b,
             const int* ldb, int* info, size_t trans_len);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info, size_t trans_len);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t uplo_len);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t uplo_len);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
             const int* lwork, int* info);
void sormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, const float* a,
             const int* lda, const float* tau, float* c, const int* ldc, float* work, const int* lwork, int* info,
             size_t side_len, size_t trans_len);
void dormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, const double* a,
             const int* lda, const double* tau, double* c, const int* ldc, double* work, const int* lwork, int* info,
             size_t side_len, size_t trans_len);
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_len, size_t uplo_len);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_len, size_t uplo_len);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u, const int* ldu,
             float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info, size_t jobz_len);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             size_t jobz_len);
}

namespace ember {
namespace kernels {
namespace lapack {

namespace {
template <typename T>
constexpr bool is_float() {
  return std::is_same_v<T, float>;
}
// OpenBLAS's threads come from OpenMP; ember's own pool does the parallel work, so BLAS runs on
// the calling thread (as in kernels.cpp's gemm).
void one_thread() {
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);
}
int workspace_size(double query) { return std::max(1, static_cast<int>(query)); }
}  // namespace

template <typename T>
int getrf(int m, int n, T* a, int* ipiv) {
  one_thread();
  int info = 0, lda = std::max(1, m);
  if constexpr (is_float<T>()) sgetrf_(&m, &n, a, &lda, ipiv, &info);
  else dgetrf_(&m, &n, a, &lda, ipiv, &info);
  return info;
}

template <typename T>
int getrs(bool transpose, int n, int nrhs, const T* lu, const int* ipiv, T* b) {
  one_thread();
  int info = 0, ld = std::max(1, n);
  const char t = transpose ? 'T' : 'N';
  if constexpr (is_float<T>()) sgetrs_(&t, &n, &nrhs, lu, &ld, ipiv, b, &ld, &info, 1);
  else dgetrs_(&t, &n, &nrhs, lu, &ld, ipiv, b, &ld, &info, 1);
  return info;
}

template <typename T>
int potrf(bool upper, int n, T* a) {
  one_thread();
  int info = 0, ld = std::max(1, n);
  const char u = upper ? 'U' : 'L';
  if constexpr (is_float<T>()) spotrf_(&u, &n, a, &ld, &info, 1);
  else dpotrf_(&u, &n, a, &ld, &info, 1);
  return info;
}

template <typename T>
int geqrf(int m, int n, T* a, T* tau) {
  one_thread();
  int info = 0, lda = std::max(1, m), lwork = -1;
  T query{};
  if constexpr (is_float<T>()) sgeqrf_(&m, &n, a, &lda, tau, &query, &lwork, &info);
  else dgeqrf_(&m, &n, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>()) sgeqrf_(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  else dgeqrf_(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

template <typename T>
int orgqr(int m, int n, int k, T* a, const T* tau) {
  one_thread();
  int info = 0, lda = std::max(1, m), lwork = -1;
  T query{};
  if constexpr (is_float<T>()) sorgqr_(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  else dorgqr_(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>()) sorgqr_(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  else dorgqr_(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

template <typename T>
int ormqr(bool left, bool transpose, int m, int n, int k, const T* a, const T* tau, T* c) {
  one_thread();
  int info = 0, lda = std::max(1, left ? m : n), ldc = std::max(1, m), lwork = -1;
  const char side = left ? 'L' : 'R', trans = transpose ? 'T' : 'N';
  T query{};
  if constexpr (is_float<T>()) sormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &query, &lwork, &info, 1, 1);
  else dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &query, &lwork, &info, 1, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>())
    sormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, work.data(), &lwork, &info, 1, 1);
  else dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, work.data(), &lwork, &info, 1, 1);
  return info;
}

template <typename T>
int syevd(bool vectors, bool upper, int n, T* a, T* w) {
  one_thread();
  int info = 0, lda = std::max(1, n), lwork = -1, liwork = -1, iquery = 0;
  const char jobz = vectors ? 'V' : 'N', uplo = upper ? 'U' : 'L';
  T query{};
  if constexpr (is_float<T>()) ssyevd_(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);
  else dsyevd_(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  liwork = std::max(1, iquery);
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  if constexpr (is_float<T>())
    ssyevd_(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  else dsyevd_(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  return info;
}

template <typename T>
int gesdd(char job, int m, int n, T* a, T* s, T* u, int ldu, T* vt, int ldvt) {
  one_thread();
  int info = 0, lda = std::max(1, m), lwork = -1;
  ldu = std::max(1, ldu);
  ldvt = std::max(1, ldvt);
  std::vector<int> iwork(static_cast<size_t>(8 * std::max(1, std::min(m, n))));
  T query{}, dummy{};
  if (!u) u = &dummy;
  if (!vt) vt = &dummy;
  if constexpr (is_float<T>()) sgesdd_(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info, 1);
  else dgesdd_(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info, 1);
  if (info != 0) return info;
  lwork = workspace_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  if constexpr (is_float<T>())
    sgesdd_(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
  else dgesdd_(&job, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
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
  lapack::one_thread();
  const auto side = left ? CblasLeft : CblasRight;
  const auto uplo = upper ? CblasUpper : CblasLower;
  const auto trans = transpose ? CblasTrans : CblasNoTrans;
  const auto diag = unit_diagonal ? CblasUnit : CblasNonUnit;
  if constexpr (std::is_same_v<T, float>)
    cblas_strsm(CblasRowMajor, side, uplo, trans, diag, m, n, 1.0f, a, lda, b, ldb);
  else
    cblas_dtrsm(CblasRowMajor, side, uplo, trans, diag, m, n, 1.0, a, lda, b, ldb);
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
