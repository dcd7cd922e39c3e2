// Linear algebra on LAPACK: PyTorch's error texts (singular, non-square, integer input), empty
// batches and 0 x 0 matrices, the LibTorch spellings and aliases, in-place forms, and gradchecks of
// the ops whose fixtures hold values only.
#include <gtest/gtest.h>

#include <cmath>

#include "../expect_error.h"
#include "ember/ember.h"

namespace {

using torch::Tensor;
namespace L = torch::linalg;

Tensor A3() { return torch::tensor({{4.0, 1.0, -0.5}, {0.3, 3.0, 0.7}, {-0.2, 0.6, 5.0}}); }
Tensor singular3() { return torch::tensor({{1.0, 2.0, 3.0}, {2.0, 4.0, 6.0}, {0.5, -1.0, 2.0}}); }

TEST(Linalg, SingularAndShapeErrorsUsePyTorchTexts) {
  Tensor s = singular3(), a = A3();
  expect_error([&] { L::inv(s); },
               "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix "
               "is singular.", {s});
  expect_error([&] { L::inv(torch::stack({a, s})); },
               "linalg.inv: (Batch element 1): The diagonal element 2 is zero");
  expect_error([&] { L::inv(torch::ones({2, 3})); }, "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices");
  expect_error([&] { L::inv(torch::ones({3})); }, "linalg.inv: The input tensor A must have at least 2 dimensions.");
  expect_error([&] { L::det(torch::ones({2, 2}, torch::kLong)); },
               "linalg.det: Expected a floating point or complex tensor as input. Got Long");
  expect_error([&] { L::solve(s, torch::ones({3})); },
               "torch.linalg.solve: The solver failed because the input matrix is singular.");
  expect_error([&] { L::solve(a, torch::ones({2, 2})); },
               "linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 2x2)");
  expect_error([&] { L::solve(a.to(torch::kFloat), torch::ones({3, 1}, torch::kDouble)); },
               "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead");
  expect_error([&] { L::cholesky(-torch::eye(3)); },
               "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the "
               "leading minor of order 1 is not positive-definite).");
  expect_error([&] { torch::cholesky(torch::stack({torch::eye(2), torch::zeros({2, 2})})); },
               "cholesky: (Batch element 1): The factorization could not be completed");
  expect_error([&] { L::lu_factor(s); },
               "torch.linalg.lu_factor: U[3,3] is zero and using it on lu_solve would result in a division by zero.");
  expect_error([&] { L::qr(a, "x"); }, "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or 'complete'");
  expect_error([&] { L::eigh(a, "X"); }, "Expected UPLO argument to be 'L' or 'U', but got X");
  expect_error([&] { L::eigh(torch::ones({2, 2}, torch::kLong)); }, "\"linalg_eigh_cpu\" not implemented for 'Long'");
  expect_error([&] { L::svd(torch::full({2, 2}, NAN)); },
               "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values.");
  expect_error([&] { L::matrix_norm(a, 3); }, "linalg.matrix_norm: Order 3 not supported.");
  expect_error([&] { L::matrix_norm(a, "abc"); }, "linalg.matrix_norm: Order abc not supported.");
  expect_error([&] { L::matrix_norm(a, "fro", {1, 1}); }, "linalg.matrix_norm: dims must be different. Got (1, 1)");
  expect_error([&] { L::vector_norm(torch::empty({0}), INFINITY); },
               "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity");
  expect_error([&] { L::vector_norm(torch::ones({2}, torch::kLong)); },
               "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long");
  expect_error([&] { L::lstsq(torch::ones({3, 2}), torch::ones({2, 2})); },
               "torch.linalg.lstsq: input.size(-2) should match other.size(-2)");
  expect_error([&] { L::lstsq(torch::ones({3, 2}), torch::ones({3, 2}), std::nullopt, "x"); },
               "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)");
  expect_error([&] { L::multi_dot({a}); }, "multi_dot(): expected at least 2 tensors but got 1");
  expect_error([&] { L::multi_dot({a, torch::ones({2, 3, 3})}); }, "multi_dot(): the last tensor must be 1D or 2D but got 3D");
  expect_error([&] { L::cross(torch::ones({2, 2}), torch::ones({2, 2})); },
               "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2");
  expect_error([&] { L::solve_triangular(torch::ones({2, 2}, torch::kLong), torch::ones({2, 2}, torch::kLong), true); },
               "\"triangular_solve_cpu\" not implemented for 'Long'");
  expect_error([&] { torch::addr(torch::ones({2, 2}), torch::ones({2, 2}), torch::ones({2})); },
               "addr: Expected 1-D argument vec1, but got 2-D");
  expect_error([&] { torch::addbmm(torch::ones({2, 2}), torch::ones({2, 2, 3}), torch::ones({3, 3, 2})); },
               "batch1 and batch2 must have same number of batches, got 2 and 3");
  expect_error([&] { L::tensorinv(torch::ones({2, 3}), 1); },
               "Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), but got 3 != 2");
  expect_error([&] { L::matrix_exp(torch::ones({2, 2}, torch::kLong)); },
               "matrix_exp: Expected a floating point or complex tensor as input. Got Long");
  expect_error([&] { L::matrix_power(torch::ones({2, 2}, torch::kLong), -1); },
               "linalg.inv: Expected a floating point or complex tensor as input. Got Long");
}

TEST(Linalg, EmptyBatchesAndZeroByZero) {
  EXPECT_EQ(L::det(torch::empty({0, 0})).item<float>(), 1.0f);
  EXPECT_EQ(L::inv(torch::empty({2, 0, 0})).sizes().vec(), (std::vector<int64_t>{2, 0, 0}));
  EXPECT_EQ(L::det(torch::empty({0, 3, 3})).sizes().vec(), (std::vector<int64_t>{0}));
  auto [sign, logabs] = L::slogdet(torch::empty({0, 0}));
  EXPECT_EQ(sign.item<float>(), 1.0f);
  EXPECT_EQ(logabs.item<float>(), 0.0f);
  auto [U, S, Vh] = L::svd(torch::empty({0, 3}));
  EXPECT_EQ(U.sizes().vec(), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(S.sizes().vec(), (std::vector<int64_t>{0}));
  EXPECT_TRUE(Vh.equal(torch::eye(3)));
  EXPECT_EQ(L::solve(torch::empty({0, 2, 2}), torch::empty({0, 2, 1})).sizes().vec(), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(L::vector_norm(torch::empty({0})).item<float>(), 0.0f);
  EXPECT_EQ(L::eigvalsh(torch::empty({2, 0, 0})).sizes().vec(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(L::cholesky(torch::empty({0, 0})).sizes().vec(), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(L::matrix_exp(torch::empty({0, 0})).sizes().vec(), (std::vector<int64_t>{0, 0}));
}

TEST(Linalg, NonContiguousInputsAndFactorsRebuildTheMatrix) {
  Tensor a = A3();
  EXPECT_TRUE(L::det(a.mT()).allclose(L::det(a)));
  EXPECT_TRUE(L::inv(a.mT()).allclose(L::inv(a).mT()));
  auto [P, Lo, Up] = L::lu(a.mT());
  EXPECT_TRUE(P.matmul(Lo).matmul(Up).allclose(a.mT()));
  Tensor tall = torch::tensor({{1.0, 2.0}, {3.0, -1.0}, {0.5, 0.25}});
  auto [Q, R] = L::qr(tall, "complete");
  EXPECT_EQ(Q.sizes().vec(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(Q.matmul(R).allclose(tall));
  EXPECT_TRUE(Q.mT().matmul(Q).allclose(torch::eye(3), 1e-5, 1e-6));
  auto [lv, V] = L::eigh(a + a.mT());
  EXPECT_TRUE((V * lv.unsqueeze(0)).matmul(V.mT()).allclose(a + a.mT(), 1e-5, 1e-5));
  auto [U, S, Vh] = L::svd(tall.mT());
  EXPECT_TRUE((U * S.unsqueeze(0)).matmul(Vh.narrow(0, 0, 2)).allclose(tall.mT(), 1e-5, 1e-5));
  auto [LU, piv] = L::lu_factor(a);
  auto [P2, L2, U2] = torch::lu_unpack(LU, piv);
  EXPECT_TRUE(P2.matmul(L2).matmul(U2).allclose(a));
  Tensor b = torch::tensor({{1.0}, {2.0}, {3.0}});
  EXPECT_TRUE(torch::lu_solve(b, LU, piv).allclose(L::solve(a, b)));
  // geqrf + ormqr apply Q^T; householder_product builds Q.
  auto [qa, tau] = tall.geqrf();
  Tensor q = L::householder_product(qa, tau);
  EXPECT_TRUE(torch::ormqr(qa, tau, tall, true, true).narrow(0, 0, 2).allclose(R.narrow(0, 0, 2), 1e-5, 1e-5));
  EXPECT_TRUE(q.allclose(std::get<0>(L::qr(tall)), 1e-5, 1e-6));
}

TEST(Linalg, AliasesAndOldSpellings) {
  Tensor a = A3().to(torch::kDouble), b = torch::tensor({{1.0, 0.5}, {-2.0, 1.0}, {0.25, 3.0}}, torch::kDouble);
  EXPECT_TRUE(torch::det(a).equal(L::det(a)));
  EXPECT_TRUE(a.det().equal(torch::linalg_det(a)));
  EXPECT_TRUE(a.inverse().equal(L::inv(a)));
  EXPECT_TRUE(torch::pinverse(a).equal(L::pinv(a)));
  EXPECT_TRUE(a.logdet().allclose(std::get<1>(a.slogdet())));
  EXPECT_TRUE(a.mH().equal(a.mT()));
  EXPECT_TRUE(a.matrix_H().equal(a.mT()));
  EXPECT_TRUE(L::matmul(a, b).equal(torch::matmul(a, b)));
  EXPECT_TRUE(L::diagonal(a).equal(a.diagonal(0, -2, -1)));
  EXPECT_TRUE(torch::inverse(a).matmul(a).allclose(torch::eye(3, torch::kDouble)));
  EXPECT_TRUE(torch::matrix_power(a, 2).allclose(a.matmul(a)));
  EXPECT_TRUE(a.matrix_power(0).equal(torch::eye(3, torch::kDouble)));
  auto [U, S, V] = a.svd();
  auto [U2, S2, Vh2] = L::svd(a, false);
  EXPECT_TRUE(V.equal(Vh2.mT()));
  auto [Uz, Sz, Vz] = torch::svd(b, true, false);
  EXPECT_TRUE(Uz.equal(torch::zeros({3, 3}, torch::kDouble)) && Vz.equal(torch::zeros({2, 2}, torch::kDouble)));
  EXPECT_TRUE(Sz.allclose(L::svdvals(b)));
  auto [e, v] = (a + a.mT()).symeig(true, false);
  EXPECT_TRUE(e.allclose(L::eigvalsh(a + a.mT())));
  EXPECT_EQ(std::get<1>((a + a.mT()).symeig()).numel(), 0);
  EXPECT_TRUE(a.cross(b.narrow(1, 0, 1).expand({3, 3})).equal(L::cross(a, b.narrow(1, 0, 1).expand({3, 3}), 0)));
  EXPECT_TRUE(a.cholesky_solve(torch::linalg_cholesky(a.matmul(a.mT()))).allclose(L::solve(a.matmul(a.mT()), a)));
  EXPECT_TRUE(std::get<1>(b.triangular_solve(a)).equal(a));
  EXPECT_EQ(L::matrix_rank(singular3()).item<int64_t>(), 2);
  EXPECT_TRUE(torch::chain_matmul({a, b}).equal(a.mm(b)));
  EXPECT_TRUE(torch::vdot(b.select(1, 0), b.select(1, 1)).equal(torch::dot(b.select(1, 0), b.select(1, 1))));
  EXPECT_TRUE(torch::nuclear_norm(a).allclose(L::svdvals(a).sum()));
  EXPECT_TRUE(torch::frobenius_norm(a).allclose(L::norm(a)));
  EXPECT_TRUE(L::norm(a, "fro").allclose(L::vector_norm(a)));
  EXPECT_TRUE(L::cond(singular3(), "fro").isinf().item<bool>());
  // lstsq: the gelsd driver also gives singular values, rank and residuals (overdetermined, full rank).
  Tensor tall = torch::tensor({{1.0, 2.0}, {3.0, -1.0}, {0.5, 0.25}}, torch::kDouble);
  auto [x, residuals, rank, sv] = L::lstsq(tall, b, std::nullopt, "gelsd");
  EXPECT_EQ(rank.item<int64_t>(), 2);
  EXPECT_TRUE(sv.allclose(L::svdvals(tall)));
  EXPECT_TRUE(residuals.allclose((tall.matmul(x) - b).pow(2).sum(0)));
  auto [x2, r2, rank2, sv2] = L::lstsq(tall, b);
  EXPECT_EQ(r2.numel(), 0);
  EXPECT_EQ(sv2.numel(), 0);
}

TEST(Linalg, InPlaceFormsWriteIntoSelf) {
  Tensor m = torch::tensor({{1.0, 2.0}, {3.0, 4.0}}), v = torch::tensor({0.5, -1.0});
  Tensor s = torch::tensor({1.0, 1.0});
  Tensor& r = s.addmv_(m, v, 2.0, 0.5);
  EXPECT_EQ(&r, &s);
  EXPECT_TRUE(s.equal(torch::addmv(torch::tensor({1.0, 1.0}), m, v, 2.0, 0.5)));
  Tensor s2 = torch::ones({2, 2});
  s2.addr_(v, v);
  EXPECT_TRUE(s2.equal(torch::addr(torch::ones({2, 2}), v, v)));
  Tensor b1 = torch::ones({3, 2, 2}), b2 = torch::ones({3, 2, 2}) * 0.5;
  Tensor s3 = torch::ones({2, 2});
  s3.addbmm_(b1, b2);
  EXPECT_TRUE(s3.equal(torch::addbmm(torch::ones({2, 2}), b1, b2)));
  Tensor s4 = torch::ones({3, 2, 2});
  s4.baddbmm_(b1, b2, 0.0);
  EXPECT_TRUE(s4.equal(torch::bmm(b1, b2)));
  Tensor s5 = torch::ones({2, 2});
  s5.addmm_(m, m, 1.0, -1.0);
  EXPECT_TRUE(s5.equal(torch::addmm(torch::ones({2, 2}), m, m, 1.0, -1.0)));
  Tensor si = torch::ones({2}, torch::kLong);
  expect_error([&] { si.addmv_(m, v); }, "expected self and mat to have the same dtype", {si});
  // In-place on a non-leaf keeps the history: the gradient reaches the operands.
  Tensor w = torch::tensor({{1.0, 2.0}, {3.0, 4.0}}, torch::requires_grad());
  Tensor y = torch::zeros({2}) * 1;
  y.addmv_(w, v);
  y.sum().backward();
  EXPECT_TRUE(w.grad().equal(torch::tensor({{0.5, -1.0}, {0.5, -1.0}})));
}

TEST(Linalg, GradcheckOfOpsWithoutGradientFixtures) {
  using ember::autograd::gradcheck;
  auto opts = torch::TensorOptions(torch::kDouble).requires_grad(true);
  Tensor a = A3().to(torch::kDouble) / 4;
  a.requires_grad_(true);
  Tensor tall = torch::tensor({{2.0, 0.3, -0.1}, {0.4, 1.5, 0.2}, {-0.3, 0.1, 1.8}, {0.6, -0.5, 0.3}}, opts);
  Tensor tau = torch::tensor({1.2, 0.7}, opts);
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::householder_product(x[0], x[1]); }, {tall, tau}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::tensorinv(x[0].reshape({3, 3}), 1); }, {a}));
  Tensor b = torch::tensor({0.5, -0.25, 1.0}, opts);
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::tensorsolve(x[0], x[1]); }, {a, b}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::cond(x[0], "fro"); }, {a}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::cond(x[0], 1); }, {a}));
  Tensor c = torch::tensor({{0.5, -0.25, 1.0}, {1.5, 0.5, -1.0}}, opts);
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::solve(x[0], x[1], false); }, {a, c}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return L::matrix_power(x[0], -3); }, {a}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return x[0].logdet(); }, {a}));
  EXPECT_TRUE(gradcheck([](const ember::variable_list& x) { return x[0].cross(x[1], 1); },
                        {a, torch::tensor({{0.5, 1.0, -2.0}}, opts)}));
}

TEST(Linalg, DerivativesPyTorchDoesNotImplementEitherRaiseItsError) {
  Tensor a = torch::tensor({{2.0, 1.0}, {0.5, 3.0}}, torch::requires_grad());
  // clang 14 cannot capture structured bindings in a lambda, so the results are named tensors.
  Tensor qa = std::get<0>(a.geqrf());
  expect_error([&] { qa.sum().backward(); }, "the derivative for 'geqrf' is not implemented.");
  Tensor r = torch::ormqr(a, torch::tensor({1.5}), torch::eye(2));
  expect_error([&] { r.sum().backward(); }, "the derivative for 'ormqr' is not implemented.");
  Tensor R = std::get<1>(L::qr(a, "r"));
  expect_error([&] { R.sum().backward(); }, "The derivative of linalg.qr depends on Q, which is not computed when mode='r'.");
}

}  // namespace
