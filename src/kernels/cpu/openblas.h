// OpenBLAS, loaded when a program first needs it: double-precision GEMM, the triangular solves and
// the LAPACK routines behind the linalg ops. Float GEMM is ember's own (sgemm.cpp), so a program
// that trains in float never maps OpenBLAS (35 MiB) or its Fortran and OpenMP runtimes.
//
// The prototypes come from cblas.h and, for LAPACK, are declared below (Debian ships no LAPACKE for
// the OpenMP build); they are used only for their types, never linked.
#pragma once

#include <cblas.h>

#include <cstddef>

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
namespace openblas {

// The entry points ember calls, resolved in the loaded library.
struct Api {
  decltype(&cblas_dgemm) dgemm;
  decltype(&cblas_strsm) strsm;
  decltype(&cblas_dtrsm) dtrsm;
  decltype(&sgetrf_) sgetrf;
  decltype(&dgetrf_) dgetrf;
  decltype(&sgetrs_) sgetrs;
  decltype(&dgetrs_) dgetrs;
  decltype(&spotrf_) spotrf;
  decltype(&dpotrf_) dpotrf;
  decltype(&sgeqrf_) sgeqrf;
  decltype(&dgeqrf_) dgeqrf;
  decltype(&sorgqr_) sorgqr;
  decltype(&dorgqr_) dorgqr;
  decltype(&sormqr_) sormqr;
  decltype(&dormqr_) dormqr;
  decltype(&ssyevd_) ssyevd;
  decltype(&dsyevd_) dsyevd;
  decltype(&sgesdd_) sgesdd;
  decltype(&dgesdd_) dgesdd;
  int (*omp_get_max_threads)();
  void (*omp_set_num_threads)(int);
};

// Loads OpenBLAS on the first call (an ember::Error naming the library when it cannot), then, on
// every call, holds the calling thread's OpenMP thread count at 1: OpenBLAS's OpenMP build takes
// its thread count from the caller, and ember's own pool does the parallel work.
const Api& api();

}  // namespace openblas
}  // namespace kernels
}  // namespace ember
