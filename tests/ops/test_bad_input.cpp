// Bad input: each call throws ember::Error with a message naming the problem, and leaves every
// tensor as it was.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

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
  expect_error([&] { a.clamp(std::optional<Scalar>(), std::optional<Scalar>()); }, "At least one of 'min' or 'max' must not be None", {a});
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

// Window parameters past int32 (PyTorch's kernels take ints) are refused by name, before any
// arithmetic on them can overflow (an int64 avg_pool2d used to divide by a wrapped pool size of 0).
TEST(BadInput, WindowParametersBeyondInt32) {
  const int64_t big = int64_t(1) << 32;
  auto xl = ones({1, 1, 4, 4}, TensorOptions(kLong)), xf = ones({1, 1, 4, 4});
  expect_error([&] { avg_pool2d(xl, {big}, {}, {big / 2}); }, "avg_pool2d: kernel_size must fit in a 32-bit int, but got [4294967296]", {xl});
  expect_error([&] { avg_pool2d(xf, {2}, {big}); }, "avg_pool2d: stride must fit in a 32-bit int", {xf});
  expect_error([&] { max_pool2d(xf, {big}, {}, {big / 2}); }, "max_pool2d: kernel_size must fit in a 32-bit int", {xf});
  expect_error([&] { max_pool2d(xf, {2}, {}, {0}, {big}); }, "max_pool2d: dilation must fit in a 32-bit int", {xf});
  auto x1 = ones({1, 1, 4});
  expect_error([&] { max_pool1d(x1, {big}, {}, {big / 2}); }, "max_pool1d: kernel_size must fit in a 32-bit int", {x1});
  expect_error([&] { max_pool1d(x1.requires_grad_(), {big}); }, "max_pool1d: kernel_size must fit in a 32-bit int", {x1});
  auto w = ones({1, 1, 2, 2});
  expect_error([&] { conv2d(xf, w, Tensor(), 1, big); }, "conv2d: padding must fit in a 32-bit int", {xf, w});
  expect_error([&] { conv2d(xf, w, Tensor(), 1, 0, -big); }, "conv2d: dilation must fit in a 32-bit int", {xf, w});
  expect_error([&] { conv1d(x1, ones({1, 1, 2}), Tensor(), big); }, "conv1d: stride must fit in a 32-bit int", {x1});
  expect_error([&] { conv_transpose2d(xf, w, Tensor(), 1, 0, 0, 1, big); }, "conv_transpose2d: dilation must fit in a 32-bit int", {xf, w});
  expect_error([&] { im2col(xf, {2}, {1}, {big}, {1}); }, "im2col: padding must fit in a 32-bit int", {xf});
}

// Sizes that would wrap int64 (or need more memory than a tensor may have) are errors, not hangs.
TEST(BadInput, HugeOutputSizes) {
  auto x = ones({1, 1, 4, 4}), w = ones({1, 1, 1, 1});
  const int64_t p = std::numeric_limits<int32_t>::max();
  // Output (2^32 + 2) x (2^32 + 2): its element count overflows int64.
  expect_error([&] { conv2d(x, w, Tensor(), 1, p); }, "im2col: size 4294967298 * 4294967298 is too large", {x, w});
  auto s = ones({1, 1, 1});
  expect_error([&] { replication_pad1d(s, {int64_t(1) << 40, 0}); }, "tensor of size [1, 1, 1099511627777] is too large to allocate", {s});
  expect_error([&] { replication_pad1d(s, {int64_t(1) << 62, 0}); }, "is too large to allocate", {s});
  expect_error([&] { replication_pad1d(s, {std::numeric_limits<int64_t>::max(), 1}); }, "replication_pad: padding", {s});
}

// Pooling needs non-empty non-batch dims (ATen's pool2d_shape_check).
TEST(BadInput, MaxPoolEmptyPlanes) {
  auto h0 = zeros({1, 1, 0, 4}), c0 = zeros({1, 0, 4, 4}), u0 = zeros({0, 4, 4});
  expect_error([&] { max_pool2d(h0, {2}, {}, {1}); },
               "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 0, 4]", {h0});
  expect_error([&] { max_pool2d(c0, {2}); },
               "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 0, 4, 4]", {c0});
  expect_error([&] { max_pool2d_with_indices(u0, {2}); }, "but got:[0, 4, 4]", {u0});
  expect_error([&] { max_pool1d(zeros({0, 4}), {2}); },
               "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[0, 4]");
  expect_error([&] { max_pool1d(zeros({0, 4}).requires_grad_(), {2}); }, "but got:[0, 4]");
}

// Empty channel counts: PyTorch's message, not a reshape error.
TEST(BadInput, ConvEmptyWeight) {
  auto x = ones({1, 2, 4, 4}), w = ones({0, 2, 3, 3});
  expect_error([&] { conv2d(x, w); },
               "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 2, 3, 3] instead", {x, w});
  auto xt = ones({1, 0, 4, 4}), wt = ones({0, 3, 3, 3});
  expect_error([&] { conv_transpose2d(xt, wt); },
               "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 3, 3, 3] instead", {xt, wt});
  expect_error([&] { conv2d(ones({1, 4, 4, 4}), ones({2, 2, 3, 3}), Tensor(), 1, 0, 1, 4); },
               "Given groups=4, expected weight to be at least 4 at dimension 0, but got weight of size [2, 2, 3, 3] instead");
}

// batch_norm's per-channel tensors are 1-D (PyTorch reads them through 1-D accessors).
TEST(BadInput, BatchNormParameterRank) {
  auto x = ones({4, 3}), w = ones({3, 1}), b = zeros({1, 3}), rm = zeros({3, 1}), rv = ones({3});
  expect_error([&] { batch_norm(x, w, Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5); },
               "TensorAccessor expected 1 dims but tensor has 2 (batch_norm: weight)", {x, w});
  expect_error([&] { batch_norm(x, Tensor(), b, Tensor(), Tensor(), true, 0.1, 1e-5); },
               "TensorAccessor expected 1 dims but tensor has 2 (batch_norm: bias)", {x, b});
  expect_error([&] { batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1, 1e-5); },
               "TensorAccessor expected 1 dims but tensor has 2 (batch_norm: running_mean)", {x, rm, rv});
  expect_error([&] { batch_norm(x, Tensor(), Tensor(), rv, rm, false, 0.1, 1e-5); },
               "(batch_norm: running_var)", {x, rm, rv});
}

// Int64 average pooling at the edges of the divisor arithmetic: no trap, no division by a wrapped
// pool size. (PyTorch 1.13 itself dies with SIGFPE on INT64_MIN / -1; ember negates with
// wraparound, as two's complement does.)
TEST(BadInput, AvgPoolInt64EdgeDivisors) {
  const int64_t lo = std::numeric_limits<int64_t>::min();
  auto x = full({1, 1, 1, 1}, Scalar(lo), TensorOptions(kLong));
  EXPECT_EQ(avg_pool2d(x, {1}, {}, {0}, false, true, -1).item<int64_t>(), lo);
  EXPECT_EQ(avg_pool2d(full({1, 1, 1, 1}, Scalar(int64_t(7)), TensorOptions(kLong)), {1}, {}, {0}, false, true, -1)
                .item<int64_t>(),
            -7);
  // The largest int32 kernel with half of it as padding: one window of k x k padded positions
  // (about 2^62) that divides the sum of 16 ones to 0.
  const int64_t k = std::numeric_limits<int32_t>::max();
  auto y = avg_pool2d(ones({1, 1, 4, 4}, TensorOptions(kLong)), {k}, {}, {k / 2});
  EXPECT_EQ(y.sizes(), IntArrayRef({1, 1, 1, 1}));
  EXPECT_EQ(y.item<int64_t>(), 0);
  auto yf = avg_pool2d(ones({1, 1, 4, 4}, TensorOptions(kDouble)), {k}, {}, {k / 2});
  EXPECT_DOUBLE_EQ(yf.item<double>(), 16.0 / (double(k) * double(k)));
}
