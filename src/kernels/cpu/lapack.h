// LAPACK calls on one column-major matrix (OpenBLAS's bundled LAPACK), float and double; each
// returns LAPACK's info (0 on success) and allocates its own workspace.
#pragma once
#include <cstdint>

namespace ember {
namespace kernels {
namespace lapack {

// LU with partial pivoting of the m x n matrix a (lda = m); ipiv gets min(m, n) 1-based pivots.
template <typename T>
int getrf(int m, int n, T* a, int* ipiv);
// Solves op(A) X = B with A's LU from getrf (n x n); b is n x nrhs, overwritten by X.
template <typename T>
int getrs(bool transpose, int n, int nrhs, const T* lu, const int* ipiv, T* b);
// Cholesky factor of the n x n matrix a in place: its lower (or upper) triangle; the other is left as it was.
template <typename T>
int potrf(bool upper, int n, T* a);
// Householder QR: a (m x n) gets R above the diagonal and the reflectors below; tau min(m, n).
template <typename T>
int geqrf(int m, int n, T* a, T* tau);
// The first n columns of the product of k reflectors (a is m x n, as geqrf left it).
template <typename T>
int orgqr(int m, int n, int k, T* a, const T* tau);
// c (m x n) = op(Q) c or c op(Q), Q from k reflectors held in a (lda = left ? m : n).
template <typename T>
int ormqr(bool left, bool transpose, int m, int n, int k, const T* a, const T* tau, T* c);
// Eigenvalues (ascending) and, when vectors is set, eigenvectors (into a) of the symmetric n x n matrix a.
template <typename T>
int syevd(bool vectors, bool upper, int n, T* a, T* w);
// SVD of the m x n matrix a (destroyed): s min(m, n); u m x ucol, vt vrow x n (ucol = vrow = min(m, n)
// or m and n when full); u and vt may be null when not wanted.
template <typename T>
int gesdd(char job, int m, int n, T* a, T* s, T* u, int ldu, T* vt, int ldvt);

}  // namespace lapack

// Row-major triangular solve with BLAS trsm: op(A) X = alpha B (left) or X op(A) = alpha B; b overwritten.
template <typename T>
void trsm(bool left, bool upper, bool transpose, bool unit_diagonal, int64_t m, int64_t n, const T* a, int64_t lda,
          T* b, int64_t ldb);

}  // namespace kernels
}  // namespace ember

namespace ember {
namespace kernels {
namespace lapack {

// From getrf's output (n x n, column-major): the sign of det (+-1, or 0 when U has a zero pivot)
// and log|det|.
template <typename T>
void lu_slogdet(int n, const T* lu, const int* ipiv, T& sign, T& logabs);
// The row permutation that getrf's k pivots apply to m rows: row i of L U is row perm[i] of A.
void pivots_to_permutation(int m, int k, const int* ipiv, int64_t* perm);

}  // namespace lapack
}  // namespace kernels
}  // namespace ember
