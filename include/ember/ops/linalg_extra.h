// Linear algebra beyond the products of linalg.h, LibTorch's names: the add*-product family, LU,
// Cholesky, triangular solve, QR, symmetric eigendecomposition, SVD and what is built on them
// (inverse, pinv, lstsq, matrix rank, norms, cond), matrix power and exponential, cross products.
// Every op takes batches (..., m, n) of float or double matrices; the torch::linalg:: spellings
// are in ember::linalg below.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

// ---- products
Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor& addmv_(Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
              const Scalar& alpha = 1);
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
               const Scalar& alpha = 1);
Tensor vdot(const Tensor& self, const Tensor& other);
Tensor chain_matmul(TensorList matrices);
Tensor linalg_multi_dot(TensorList tensors);
Tensor linalg_matmul(const Tensor& self, const Tensor& other);
Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim = -1);
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim = std::nullopt);
Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim = -1);
Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N = std::nullopt);
Tensor linalg_diagonal(const Tensor& A, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
Tensor matrix_power(const Tensor& self, int64_t n);
Tensor linalg_matrix_power(const Tensor& self, int64_t n);
Tensor matrix_exp(const Tensor& self);
Tensor linalg_matrix_exp(const Tensor& self);

// ---- LU: determinants, inverse, solve
Tensor linalg_det(const Tensor& A);
Tensor det(const Tensor& self);
std::tuple<Tensor, Tensor> linalg_slogdet(const Tensor& A);
std::tuple<Tensor, Tensor> slogdet(const Tensor& self);
Tensor logdet(const Tensor& self);
std::tuple<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors = false);
Tensor linalg_inv(const Tensor& A);
Tensor inverse(const Tensor& self);
std::tuple<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left = true, bool check_errors = false);
Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left = true);
std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& A, bool pivot = true, bool check_errors = false);
std::tuple<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot = true);
std::tuple<Tensor, Tensor, Tensor> linalg_lu(const Tensor& A, bool pivot = true);
Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left = true, bool adjoint = false);
Tensor lu_solve(const Tensor& self, const Tensor& LU_data, const Tensor& LU_pivots);
std::tuple<Tensor, Tensor, Tensor> lu_unpack(const Tensor& LU_data, const Tensor& LU_pivots, bool unpack_data = true,
                                             bool unpack_pivots = true);

// ---- Cholesky and triangular solves
std::tuple<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper = false, bool check_errors = false);
Tensor linalg_cholesky(const Tensor& A, bool upper = false);
Tensor cholesky(const Tensor& self, bool upper = false);
Tensor cholesky_solve(const Tensor& self, const Tensor& input2, bool upper = false);
Tensor cholesky_inverse(const Tensor& self, bool upper = false);
Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left = true, bool unitriangular = false);
// (solution, a copy of A), LibTorch's argument order: self is B.
std::tuple<Tensor, Tensor> triangular_solve(const Tensor& self, const Tensor& A, bool upper = true, bool transpose = false,
                                            bool unitriangular = false);

// ---- QR and Householder reflectors
std::tuple<Tensor, Tensor> linalg_qr(const Tensor& A, std::string_view mode = "reduced");
std::tuple<Tensor, Tensor> qr(const Tensor& self, bool some = true);
std::tuple<Tensor, Tensor> geqrf(const Tensor& self);
Tensor linalg_householder_product(const Tensor& input, const Tensor& tau);
Tensor orgqr(const Tensor& self, const Tensor& input2);
Tensor ormqr(const Tensor& self, const Tensor& input2, const Tensor& input3, bool left = true, bool transpose = false);

// ---- symmetric eigendecomposition and SVD
std::tuple<Tensor, Tensor> linalg_eigh(const Tensor& A, std::string_view UPLO = "L");
Tensor linalg_eigvalsh(const Tensor& A, std::string_view UPLO = "L");
// Deprecated in LibTorch 1.13 and kept there: eigenvalues ascending, and eigenvectors (empty unless asked).
std::tuple<Tensor, Tensor> symeig(const Tensor& self, bool eigenvectors = false, bool upper = true);
std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& A, bool full_matrices = true,
                                              std::optional<std::string_view> driver = std::nullopt);
Tensor linalg_svdvals(const Tensor& A, std::optional<std::string_view> driver = std::nullopt);
// (U, S, V) with V not transposed, as LibTorch's svd.
std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& self, bool some = true, bool compute_uv = true);
Tensor linalg_pinv(const Tensor& A, double rcond = 1e-15, bool hermitian = false);
Tensor linalg_pinv(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian = false);
Tensor pinverse(const Tensor& self, double rcond = 1e-15);
// (solution, residuals, rank, singular_values) as the CPU default driver gelsy gives them:
// residuals and singular values are empty.
std::tuple<Tensor, Tensor, Tensor, Tensor> linalg_lstsq(const Tensor& A, const Tensor& B,
                                                        std::optional<double> rcond = std::nullopt,
                                                        std::optional<std::string_view> driver = std::nullopt);
Tensor linalg_matrix_rank(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian = false);
Tensor linalg_matrix_rank(const Tensor& A, double tol, bool hermitian = false);
Tensor linalg_matrix_rank(const Tensor& A, bool hermitian = false);
Tensor linalg_tensorinv(const Tensor& self, int64_t ind = 2);
Tensor linalg_tensorsolve(const Tensor& self, const Tensor& other, std::optional<std::vector<int64_t>> dims = std::nullopt);

// ---- norms and condition numbers
Tensor linalg_vector_norm(const Tensor& x, const Scalar& ord = 2, std::optional<std::vector<int64_t>> dim = std::nullopt,
                          bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor linalg_matrix_norm(const Tensor& A, const Scalar& ord, IntArrayRef dim = {-2, -1}, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt);
Tensor linalg_matrix_norm(const Tensor& A, std::string_view ord = "fro", IntArrayRef dim = {-2, -1}, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt);
Tensor linalg_norm(const Tensor& x, const std::optional<Scalar>& ord = std::nullopt,
                   std::optional<std::vector<int64_t>> dim = std::nullopt, bool keepdim = false,
                   std::optional<ScalarType> dtype = std::nullopt);
Tensor linalg_norm(const Tensor& x, std::string_view ord, std::optional<std::vector<int64_t>> dim = std::nullopt,
                   bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor frobenius_norm(const Tensor& self);
Tensor frobenius_norm(const Tensor& self, IntArrayRef dim, bool keepdim = false);
Tensor nuclear_norm(const Tensor& self, bool keepdim = false);
Tensor nuclear_norm(const Tensor& self, IntArrayRef dim, bool keepdim = false);
Tensor linalg_cond(const Tensor& A, const std::optional<Scalar>& p = std::nullopt);
Tensor linalg_cond(const Tensor& A, std::string_view p);
// A string literal names a norm ("fro", "nuc"), never a Scalar through its bool conversion.
inline Tensor linalg_matrix_norm(const Tensor& A, const char* ord, IntArrayRef dim = {-2, -1}, bool keepdim = false,
                                 std::optional<ScalarType> dtype = std::nullopt) {
  return linalg_matrix_norm(A, std::string_view(ord), dim, keepdim, dtype);
}
inline Tensor linalg_norm(const Tensor& x, const char* ord, std::optional<std::vector<int64_t>> dim = std::nullopt,
                          bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) {
  return linalg_norm(x, std::string_view(ord), std::move(dim), keepdim, dtype);
}
inline Tensor linalg_cond(const Tensor& A, const char* p) { return linalg_cond(A, std::string_view(p)); }

// torch::linalg:: (LibTorch's torch/linalg.h): the same functions without the prefix.
namespace linalg {
inline Tensor cholesky(const Tensor& A) { return ::ember::linalg_cholesky(A); }
inline Tensor det(const Tensor& A) { return ::ember::linalg_det(A); }
inline Tensor linalg_det(const Tensor& A) { return ::ember::linalg_det(A); }
inline std::tuple<Tensor, Tensor> slogdet(const Tensor& A) { return ::ember::linalg_slogdet(A); }
inline Tensor inv(const Tensor& A) { return ::ember::linalg_inv(A); }
inline std::tuple<Tensor, Tensor> inv_ex(const Tensor& A, bool check_errors = false) { return ::ember::linalg_inv_ex(A, check_errors); }
inline Tensor solve(const Tensor& A, const Tensor& B, bool left = true) { return ::ember::linalg_solve(A, B, left); }
inline std::tuple<Tensor, Tensor> solve_ex(const Tensor& A, const Tensor& B, bool left = true, bool check_errors = false) {
  return ::ember::linalg_solve_ex(A, B, left, check_errors);
}
inline Tensor solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left = true, bool unitriangular = false) {
  return ::ember::linalg_solve_triangular(A, B, upper, left, unitriangular);
}
inline std::tuple<Tensor, Tensor> lu_factor(const Tensor& A, bool pivot = true) { return ::ember::linalg_lu_factor(A, pivot); }
inline std::tuple<Tensor, Tensor, Tensor> lu(const Tensor& A, bool pivot = true) { return ::ember::linalg_lu(A, pivot); }
inline std::tuple<Tensor, Tensor> qr(const Tensor& A, std::string_view mode = "reduced") { return ::ember::linalg_qr(A, mode); }
inline std::tuple<Tensor, Tensor> eigh(const Tensor& A, std::string_view uplo = "L") { return ::ember::linalg_eigh(A, uplo); }
inline Tensor eigvalsh(const Tensor& A, std::string_view uplo = "L") { return ::ember::linalg_eigvalsh(A, uplo); }
inline Tensor householder_product(const Tensor& input, const Tensor& tau) { return ::ember::linalg_householder_product(input, tau); }
inline std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool full_matrices = true,
                                              std::optional<std::string_view> driver = std::nullopt) {
  return ::ember::linalg_svd(A, full_matrices, driver);
}
inline Tensor svdvals(const Tensor& A, std::optional<std::string_view> driver = std::nullopt) {
  return ::ember::linalg_svdvals(A, driver);
}
inline Tensor pinv(const Tensor& A, double rcond = 1e-15, bool hermitian = false) { return ::ember::linalg_pinv(A, rcond, hermitian); }
inline std::tuple<Tensor, Tensor, Tensor, Tensor> lstsq(const Tensor& A, const Tensor& B, std::optional<double> cond = std::nullopt,
                                                        std::optional<std::string_view> driver = std::nullopt) {
  return ::ember::linalg_lstsq(A, B, cond, driver);
}
inline Tensor matrix_rank(const Tensor& A, bool hermitian = false) { return ::ember::linalg_matrix_rank(A, hermitian); }
inline Tensor matrix_rank(const Tensor& A, double tol, bool hermitian = false) { return ::ember::linalg_matrix_rank(A, tol, hermitian); }
inline Tensor matrix_rank(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian = false) {
  return ::ember::linalg_matrix_rank(A, atol, rtol, hermitian);
}
inline Tensor matrix_power(const Tensor& A, int64_t n) { return ::ember::linalg_matrix_power(A, n); }
inline Tensor matrix_exp(const Tensor& A) { return ::ember::linalg_matrix_exp(A); }
inline Tensor multi_dot(TensorList tensors) { return ::ember::linalg_multi_dot(tensors); }
inline Tensor tensorinv(const Tensor& A, int64_t ind = 2) { return ::ember::linalg_tensorinv(A, ind); }
inline Tensor tensorsolve(const Tensor& A, const Tensor& B, std::optional<std::vector<int64_t>> dims = std::nullopt) {
  return ::ember::linalg_tensorsolve(A, B, std::move(dims));
}
inline Tensor vector_norm(const Tensor& x, const Scalar& ord = 2, std::optional<std::vector<int64_t>> dim = std::nullopt,
                          bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_vector_norm(x, ord, std::move(dim), keepdim, dtype);
}
inline Tensor matrix_norm(const Tensor& A, const Scalar& ord, IntArrayRef dim = {-2, -1}, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_matrix_norm(A, ord, dim, keepdim, dtype);
}
inline Tensor matrix_norm(const Tensor& A, std::string_view ord = "fro", IntArrayRef dim = {-2, -1}, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_matrix_norm(A, ord, dim, keepdim, dtype);
}
inline Tensor norm(const Tensor& x, const std::optional<Scalar>& ord = std::nullopt,
                   std::optional<std::vector<int64_t>> dim = std::nullopt, bool keepdim = false,
                   std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_norm(x, ord, std::move(dim), keepdim, dtype);
}
inline Tensor norm(const Tensor& x, std::string_view ord, std::optional<std::vector<int64_t>> dim = std::nullopt,
                   bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_norm(x, ord, std::move(dim), keepdim, dtype);
}
inline Tensor linalg_norm(const Tensor& x, const std::optional<Scalar>& ord = std::nullopt,
                          std::optional<std::vector<int64_t>> dim = std::nullopt, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_norm(x, ord, std::move(dim), keepdim, dtype);
}
inline Tensor linalg_norm(const Tensor& x, std::string_view ord, std::optional<std::vector<int64_t>> dim = std::nullopt,
                          bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_norm(x, ord, std::move(dim), keepdim, dtype);
}
inline Tensor cond(const Tensor& A, const std::optional<Scalar>& p = std::nullopt) { return ::ember::linalg_cond(A, p); }
inline Tensor cond(const Tensor& A, std::string_view p) { return ::ember::linalg_cond(A, p); }
inline Tensor cond(const Tensor& A, const char* p) { return ::ember::linalg_cond(A, std::string_view(p)); }
inline Tensor matrix_norm(const Tensor& A, const char* ord, IntArrayRef dim = {-2, -1}, bool keepdim = false,
                          std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_matrix_norm(A, std::string_view(ord), dim, keepdim, dtype);
}
inline Tensor norm(const Tensor& x, const char* ord, std::optional<std::vector<int64_t>> dim = std::nullopt,
                   bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) {
  return ::ember::linalg_norm(x, std::string_view(ord), std::move(dim), keepdim, dtype);
}
inline Tensor cross(const Tensor& a, const Tensor& b, int64_t dim = -1) { return ::ember::linalg_cross(a, b, dim); }
inline Tensor vecdot(const Tensor& x, const Tensor& y, int64_t dim = -1) { return ::ember::linalg_vecdot(x, y, dim); }
inline Tensor matmul(const Tensor& a, const Tensor& b) { return ::ember::linalg_matmul(a, b); }
inline Tensor vander(const Tensor& x, std::optional<int64_t> N = std::nullopt) { return ::ember::linalg_vander(x, N); }
inline Tensor diagonal(const Tensor& A, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1) {
  return ::ember::linalg_diagonal(A, offset, dim1, dim2);
}
}  // namespace linalg

}  // namespace ember
