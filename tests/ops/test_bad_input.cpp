// Bad input: each call throws ember::Error with a message naming the problem, and leaves every
// tensor as it was.
#include <gtest/gtest.h>

#include "ember/ember.h"
#include "../expect_error.h"

using namespace ember;
using namespace ember::indexing;

namespace {


Tensor m23() { return arange(6, TensorOptions(kFloat)).reshape({2, 3}); }

}  // namespace

TEST(BadInput, Broadcasting) {
  auto a = ones({2, 3}), b = ones({2, 4});
  expect_error([&] { a + b; }, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", {a, b});
  expect_error([&] { a * b; }, "must match the size of tensor b (4)", {a, b});
  expect_error([&] { where(ones({2, 3}, kBool), a, b); }, "must match", {a, b});
  expect_error([&] { a.add_(ones({4, 2, 3})); }, "doesn't match the broadcast shape", {a});
  expect_error([&] { minimum(a, b); }, "must match", {a, b});
  expect_error([&] { mse_loss(a, b); }, "must match", {a, b});
}

TEST(BadInput, Dims) {
  auto a = m23();
  expect_error([&] { a.sum(2); }, "Dimension out of range (expected to be in range of [-2, 1], but got 2)", {a});
  expect_error([&] { a.size(-3); }, "Dimension out of range", {a});
  expect_error([&] { a.transpose(0, 5); }, "Dimension out of range", {a});
  expect_error([&] { a.softmax(3); }, "Dimension out of range", {a});
  expect_error([&] { a.select(0, 2); }, "select(): index 2 out of range for tensor of size [2, 3] at dimension 0", {a});
  expect_error([&] { a.narrow(1, 2, 5); }, "start (2) + length (5) exceeds dimension size (3).", {a});
  expect_error([&] { a.permute({0, 0}); }, "duplicate dims", {a});
  expect_error([&] { a.permute({0}); }, "does not match the length of the desired ordering", {a});
  expect_error([&] { a.flatten(1, 0); }, "start_dim cannot come after end_dim", {a});
  expect_error([&] { a.squeeze(4); }, "Dimension out of range", {a});
  expect_error([&] { a.unsqueeze(4); }, "Dimension out of range", {a});
  expect_error([&] { a.sum(std::vector<int64_t>{0, 0}); }, "appears multiple times", {a});
  expect_error([&] { tensor(1.0).size(0); }, "dimension specified as 0 but tensor has no dimensions");
  expect_error([&] { a.chunk(0); }, "chunk expects `chunks` to be greater than 0", {a});
  expect_error([&] { a.split(std::vector<int64_t>{1, 1}, 1); }, "split_with_sizes expects split_sizes to sum exactly to 3", {a});
  expect_error([&] { cat(std::vector<Tensor>{a, ones({3, 2})}, 0); }, "Sizes of tensors must match except in dimension 0", {a});
  expect_error([&] { cat(std::vector<Tensor>{}, 0); }, "expected a non-empty list of Tensors");
  expect_error([&] { stack(std::vector<Tensor>{a, ones({3})}); }, "stack expects each tensor to be equal size", {a});
}

TEST(BadInput, Views) {
  auto a = m23();
  auto t = a.t();
  expect_error([&] { t.view({6}); }, "view size is not compatible with input tensor's size and stride", {a});
  expect_error([&] { a.view({4}); }, "shape '[4]' is invalid for input of size 6", {a});
  expect_error([&] { a.view({-1, -1}); }, "only one dimension can be inferred", {a});
  expect_error([&] { a.reshape({5, -1}); }, "shape '[5, -1]' is invalid for input of size 6", {a});
  expect_error([&] { a.expand({3, 3}); }, "The expanded size of the tensor (3) must match the existing size (2)", {a});
  expect_error([&] { a.expand({3}); }, "must be greater or equal to the number of dimensions", {a});
  expect_error([&] { a.repeat({2}); }, "Number of dimensions of repeat dims can not be smaller", {a});
  expect_error([&] { ones({2, 2, 2}).t(); }, "t() expects a tensor with <= 2 dimensions, but self is 3D");
  expect_error([&] { a.tril().sum(); ones({3}).tril(); }, "must have at least 2 dimensions");
}

TEST(BadInput, LinearAlgebra) {
  auto a = m23(), b = ones({2, 2});
  expect_error([&] { a.mm(b); }, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)", {a, b});
  expect_error([&] { a.mm(ones({3})); }, "mat2 must be a matrix", {a});
  expect_error([&] { a.mm(ones({3, 2}, kDouble)); }, "expected mat1 and mat2 to have the same dtype, but got: float32 != float64", {a});
  expect_error([&] { ones({3}).dot(ones({4})); }, "inconsistent tensor size", {});
  expect_error([&] { a.dot(a); }, "1D tensors expected, but got 2D and 2D tensors", {a});
  expect_error([&] { ones({2, 2, 3}).bmm(ones({3, 3, 2})); }, "batch1 and batch2 must have same number of batches");
  expect_error([&] { a.matmul(ones({2})); }, "size mismatch", {a});
  expect_error([&] { ones({2, 2, 3}).matmul(ones({2, 2, 3})); }, "Expected size for first two dimensions of batch2 tensor");
  expect_error([&] { tensor(1.0).matmul(a); }, "both arguments to matmul need to be at least 1D");
}

TEST(BadInput, ScalarsAndDtypes) {
  auto a = m23();
  expect_error([&] { a.item(); }, "a Tensor with 6 elements cannot be converted to Scalar", {a});
  expect_error([&] { a.data_ptr<double>(); }, "expected scalar type Double but found Float", {a});
  auto i = arange(3);
  expect_error([&] { i.add_(1.5); }, "result type Float can't be cast to the desired output type Long", {i});
  expect_error([&] { i.mean(); }, "mean(): could not infer output dtype", {i});
  expect_error([&] { i.requires_grad_(); }, "only Tensors of floating point dtype can require gradients", {i});
  auto bb = ones({2}, kBool);
  expect_error([&] { bb - bb; }, "Subtraction, the `-` operator, with two bool tensors is not supported", {bb});
  expect_error([&] { -bb; }, "Negation, the `-` operator, on a bool tensor is not supported", {bb});
  expect_error([&] { i.pow(-1); }, "Integers to negative integer powers are not allowed.", {i});
  expect_error([&] { i.add(i, 0.5); }, "For integral input tensors, argument alpha must not be a floating point number.", {i});
  expect_error([&] { where(a, a, a); }, "where expected condition to be a boolean tensor", {a});
  expect_error([&] { a.clamp(std::nullopt, std::nullopt); }, "At least one of 'min' or 'max' must not be None", {a});
  expect_error([&] { i.softmax(0); }, "not implemented for 'Long'", {i});
  expect_error([&] { ones({2}) & ones({2}); }, "\"bitwise_and_cpu\" not implemented for 'Float'");
}

TEST(BadInput, Factories) {
  expect_error([] { zeros({2, -1}); }, "Trying to create tensor with negative dimension -1: [2, -1]");
  expect_error([] { empty({int64_t(1) << 40, int64_t(1) << 30}); }, "too large to allocate");
  expect_error([] { arange(0, 10, 0); }, "step must be nonzero");
  expect_error([] { arange(10, 0, 1); }, "upper bound and larger bound inconsistent with step sign");
  expect_error([] { linspace(0, 1, -1); }, "number of steps must be non-negative");
  expect_error([] { eye(-1); }, "n must be greater or equal to 0, got -1");
  expect_error([] { randint(5, 5, {2}); }, "random_ expects 'from' to be less than 'to'");
  expect_error([] { zeros({2}, Device(kCUDA)); }, "Torch not compiled with CUDA enabled");
  expect_error([] { Device("tpu"); }, "Expected one of cpu, cuda device type at start of device string: tpu");
  auto a = m23();
  expect_error([&] { a.normal_(0, -1); }, "normal expects std >= 0.0, but found std -1", {a});
  expect_error([&] { a.uniform_(1, 0); }, "uniform_ expects to return a [from, to) range", {a});
  expect_error([&] { a.copy_(ones({3, 2})); }, "must match", {a});
  expect_error([&] { a.fill_(ones({2})); }, "fill_ only supports 0-dimension value tensor", {a});
  expect_error([&] { Tensor().dim(); }, "tensor is undefined");
  expect_error([] { tensor({{1., 2.}, {3.}}); }, "Expected all sub-lists to have sizes");
}

TEST(BadInput, Reductions) {
  auto e = empty({0});
  expect_error([&] { e.max(); }, "Expected reduction dim to be specified for input.numel() == 0");
  expect_error([&] { e.argmax(); }, "argmax(): Expected reduction dim to be specified for input.numel() == 0.");
  expect_error([&] { empty({2, 0}).max(1); }, "Expected reduction dim 1 to have non-zero size.");
  auto i = arange(3);
  expect_error([&] { i.var(); }, "var(): input dtype should be either floating point or complex. Got Long instead.", {i});
  expect_error([&] { i.norm(); }, "Expected a floating point or complex tensor as input. Got Long", {i});
}

TEST(BadInput, Autograd) {
  auto x = tensor({1., 2.}, requires_grad());
  auto y = x * 2;
  expect_error([&] { y.requires_grad_(false); }, "you can only change requires_grad flags of leaf variables.");
  expect_error([&] { y.backward(ones({3})); }, "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).");
  expect_error([&] { autograd::grad({y.sum()}, {tensor(1.0)}); }, "One of the differentiated Tensors does not require grad");
  expect_error([&] { x.remove_hook(7); }, "Invalid index, no hook at position 7");
  expect_error([&] { tensor(1.0).retain_grad(); }, "can't retain_grad on Tensor that has requires_grad=False");
  expect_error([&] { x.mul_(2); }, "a leaf Variable that requires grad is being used in an in-place operation.", {x});
  expect_error([&] { x.zero_(); }, "a leaf Variable that requires grad is being used in an in-place operation.", {x});
}
