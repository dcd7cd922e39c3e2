// Shape, view and indexing extras: views share storage, in-place forms equal the ops they stand
// for, the LibTorch spellings (torch::, aliases, packed accessors) and bad input with LibTorch's
// messages. Values against PyTorch are in ops.json (op_table_shape.h).
#include <gtest/gtest.h>

#include "../expect_error.h"
#include "ember/ember.h"

namespace {

using torch::Tensor;

bool shares(const Tensor& a, const Tensor& b) {
  return a.unsafeGetTensorImpl()->storage().get() == b.unsafeGetTensorImpl()->storage().get();
}
Tensor x34() { return torch::arange(12, torch::kDouble).reshape({3, 4}); }

TEST(ShapeExtra, ViewsShareStorage) {
  Tensor x = x34();
  for (const Tensor& v : {x.alias(), torch::alias(x), x.swapdims(0, 1), torch::swapaxes(x, 0, 1), x.moveaxis(0, 1),
                          x.moveaxis({0, 1}, {1, 0}), x.numpy_T(), x.unfold(1, 2, 1), x.as_strided({2, 2}, {1, 4}, 1),
                          x.broadcast_to({2, 3, 4}), x.ravel()}) {
    EXPECT_TRUE(shares(v, x));
  }
  // A write through the view is seen by the base.
  Tensor u = x.unfold(1, 2, 1);
  EXPECT_EQ(u.sizes().vec(), (std::vector<int64_t>{3, 3, 2}));
  u.select(0, 1).select(0, 2).fill_(-1.0);
  EXPECT_EQ(x[1][2].item<double>(), -1.0);
  EXPECT_EQ(x[1][3].item<double>(), -1.0);
  Tensor a = x.alias();
  a.add_(1.0);
  EXPECT_EQ(x[0][0].item<double>(), 1.0);
  // tensor_split and h/v/dsplit give views.
  for (const Tensor& p : x.tensor_split(3, 1)) EXPECT_TRUE(shares(p, x));
  EXPECT_TRUE(shares(x.hsplit(2)[1], x));
  // The gradient of a view flows back to its base.
  Tensor leaf = x34().requires_grad_();
  leaf.unfold(1, 2, 1).sum().backward();
  EXPECT_TRUE(leaf.grad().equal(torch::tensor({1.0, 2.0, 2.0, 1.0}, torch::kDouble).expand({3, 4})));
  Tensor leaf2 = x34().requires_grad_();
  (leaf2.alias() * 3).sum().backward();
  EXPECT_TRUE(leaf2.grad().equal(torch::full({3, 4}, 3.0, torch::kDouble)));
}

TEST(ShapeExtra, InPlaceRestridesAreViews) {
  Tensor x = x34();
  Tensor y = x.alias();
  Tensor& r = y.t_();
  EXPECT_EQ(&r, &y);
  EXPECT_TRUE(y.equal(x.t()));
  EXPECT_TRUE(shares(y, x));
  y.transpose_(0, 1);
  EXPECT_TRUE(y.equal(x));
  y.swapdims_(0, 1);
  EXPECT_TRUE(y.equal(x.transpose(0, 1)));
  y.swapaxes_(1, 0);
  EXPECT_TRUE(y.equal(x));
  Tensor z = x.alias();
  z.as_strided_({2, 2}, {4, 1}, 5);
  EXPECT_TRUE(z.equal(x.narrow(0, 1, 2).narrow(1, 1, 2)));
  torch::as_strided_(z, {3}, {1}, 0);
  EXPECT_TRUE(z.equal(torch::tensor({0.0, 1.0, 2.0}, torch::kDouble)));
  // In a graph, transpose_ keeps the gradient's geometry right.
  Tensor leaf = torch::arange(6, torch::kDouble).reshape({2, 3}).requires_grad_();
  Tensor h = leaf * 1;
  h.t_();
  (h * torch::arange(6, torch::kDouble).reshape({3, 2})).sum().backward();
  EXPECT_TRUE(leaf.grad().equal(torch::arange(6, torch::kDouble).reshape({3, 2}).t()));
  expect_error([] { torch::ones({2, 3}, torch::requires_grad()).t_(); },
               "a leaf Variable that requires grad is being used in an in-place operation.");
  expect_error([] { torch::ones({2, 3, 4}).t_(); }, "t_() expects a tensor with <= 2 dimensions, but self is 3D");
}

TEST(ShapeExtra, InPlaceFormsEqualTheirOps) {
  Tensor x = x34(), idx = torch::tensor({2, 0, 2}), src = torch::arange(12, torch::kDouble).reshape({3, 4}) * 0.5;
  auto check = [&](const std::function<Tensor&(Tensor&)>& inplace, const Tensor& want) {
    Tensor t = x.clone();
    Tensor& r = inplace(t);
    EXPECT_EQ(&r, &t);
    EXPECT_TRUE(t.equal(want));
  };
  check([&](Tensor& t) -> Tensor& { return t.index_add_(0, idx, src, 2); }, x.index_add(0, idx, src, 2));
  check([&](Tensor& t) -> Tensor& { return t.index_copy_(0, torch::tensor({2, 0}), src.narrow(0, 0, 2)); },
        x.index_copy(0, torch::tensor({2, 0}), src.narrow(0, 0, 2)));
  check([&](Tensor& t) -> Tensor& { return t.index_fill_(1, torch::tensor({-1}), 7.0); }, x.index_fill(1, torch::tensor({-1}), 7.0));
  check([&](Tensor& t) -> Tensor& { return t.index_fill_(1, torch::tensor({0}), torch::tensor(2.0, torch::kDouble)); },
        x.index_fill(1, torch::tensor({0}), torch::tensor(2.0, torch::kDouble)));
  check([&](Tensor& t) -> Tensor& { return t.index_reduce_(0, idx, src, "amax", false); }, x.index_reduce(0, idx, src, "amax", false));
  Tensor sidx = torch::tensor({{0, 1, 0, 2}});
  check([&](Tensor& t) -> Tensor& { return t.scatter_reduce_(0, sidx, src.narrow(0, 0, 1), "prod"); },
        x.scatter_reduce(0, sidx, src.narrow(0, 0, 1), "prod"));
  check([&](Tensor& t) -> Tensor& { return t.put_(torch::tensor({-1, 3}), torch::tensor({5.0, 6.0}, torch::kDouble), true); },
        x.put(torch::tensor({-1, 3}), torch::tensor({5.0, 6.0}, torch::kDouble), true));
  Tensor mask = x.gt(4);
  check([&](Tensor& t) -> Tensor& { return t.masked_scatter_(mask, src.reshape({-1})); }, x.masked_scatter(mask, src.reshape({-1})));
  check([&](Tensor& t) -> Tensor& { return t.tril_(1); }, x.tril(1));
  check([&](Tensor& t) -> Tensor& { return t.triu_(-1); }, x.triu(-1));
  check([&](Tensor& t) -> Tensor& { return torch::index_put_(t, {idx, torch::tensor({1, 1, 1})}, src.select(1, 0), true); },
        torch::index_put(x, {idx, torch::tensor({1, 1, 1})}, src.select(1, 0), true));
  check([&](Tensor& t) -> Tensor& { return t.fill_diagonal_(-2.0); },
        x.diagonal_scatter(torch::full({3}, -2.0, torch::kDouble)));
  // In place on a non-leaf records the op's backward; on a leaf requiring grad it is refused.
  Tensor leaf = x34().requires_grad_();
  Tensor y = leaf * 1;
  y.index_add_(0, idx, src);
  EXPECT_EQ(y.grad_fn()->name(), "IndexAddBackward0");
  expect_error([&] { leaf.index_fill_(0, idx, 1.0); }, "a leaf Variable that requires grad is being used in an in-place operation.",
               {leaf});
  // An integer tensor cannot take a floating source in place.
  Tensor ints = torch::zeros({3}, torch::kLong);
  expect_error([&] { ints.masked_scatter_(torch::ones({3}, torch::kBool), torch::ones({3})); },
               "masked_scatter: expected self and source to have same dtypes", {ints});
}

TEST(ShapeExtra, LibTorchSpellings) {
  Tensor x = x34();
  EXPECT_TRUE(torch::concatenate({x, x}, 1).equal(torch::cat({x, x}, 1)));
  EXPECT_TRUE(torch::row_stack({x, x}).equal(torch::vstack({x, x})));
  auto parts = torch::split_with_sizes(x, {1, 2}, 0);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(parts[1].equal(x.narrow(0, 1, 2)));
  EXPECT_TRUE(x.vsplit(3)[2].equal(x.narrow(0, 2, 1)));
  EXPECT_TRUE(x.vsplit(std::vector<int64_t>{1})[1].equal(x.narrow(0, 1, 2)));
  EXPECT_TRUE(torch::hsplit(x, {1, 3})[1].equal(x.narrow(1, 1, 2)));
  Tensor c = torch::arange(8).reshape({2, 2, 2});
  EXPECT_TRUE(c.dsplit(2)[1].equal(c.narrow(2, 1, 1)));
  EXPECT_TRUE(torch::dsplit(c, std::vector<int64_t>{1})[0].equal(c.narrow(2, 0, 1)));
  EXPECT_TRUE(x.tensor_split(torch::tensor({1, 3}), 1)[2].equal(x.narrow(1, 3, 1)));
  EXPECT_TRUE(x.tensor_split(torch::tensor(2))[0].equal(x.narrow(0, 0, 2)));
  EXPECT_EQ(torch::atleast_1d(torch::tensor(3.0)).sizes().vec(), (std::vector<int64_t>{1}));
  EXPECT_EQ(torch::atleast_2d(torch::ones({3})).sizes().vec(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(torch::atleast_3d(torch::ones({3})).sizes().vec(), (std::vector<int64_t>{1, 3, 1}));
  EXPECT_EQ(torch::atleast_2d({torch::ones({3}), torch::ones({2, 2})})[1].sizes().vec(), (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(x.narrow_copy(1, 1, 2).equal(x.narrow(1, 1, 2)));
  EXPECT_TRUE(x.narrow_copy(1, 1, 2).is_contiguous());
  EXPECT_TRUE(x.argwhere().equal(torch::nonzero(x)));
  auto nz = torch::nonzero_numpy(torch::tensor({{0, 3}, {4, 0}}));
  ASSERT_EQ(nz.size(), 2u);
  EXPECT_TRUE(nz[0].equal(torch::tensor({0, 1})));
  EXPECT_TRUE(nz[1].equal(torch::tensor({1, 0})));
  EXPECT_TRUE(torch::diag(torch::tensor({1, 2})).equal(torch::tensor({{1, 0}, {0, 2}})));
  EXPECT_TRUE(torch::moveaxis(x, 0, 1).equal(x.t()));
  EXPECT_TRUE(torch::swapdims(x, 1, 0).equal(x.t()));
  // Without return_inverse/return_counts those come back empty, as LibTorch returns them.
  auto [vals, inv, counts] = torch::unique_consecutive(torch::tensor({1, 1, 2}));
  EXPECT_TRUE(vals.equal(torch::tensor({1, 2})));
  EXPECT_EQ(inv.numel(), 0);
  EXPECT_EQ(counts.numel(), 0);
  // new_* take self's dtype unless told otherwise.
  Tensor i = torch::ones({2}, torch::kInt);
  EXPECT_EQ(i.new_zeros({3}).dtype(), torch::kInt);
  EXPECT_TRUE(i.new_ones({2, 2}).equal(torch::ones({2, 2}, torch::kInt)));
  EXPECT_TRUE(i.new_full({2}, 7).equal(torch::full({2}, 7, torch::kInt)));
  EXPECT_EQ(i.new_empty({4}, torch::kDouble).dtype(), torch::kDouble);
  Tensor s = i.new_empty_strided({2, 3}, {1, 2});
  EXPECT_EQ(s.strides().vec(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s.dtype(), torch::kInt);
  // tril/triu_indices and meshgrid's default indexing (ij).
  EXPECT_TRUE(torch::tril_indices(2, 2).equal(torch::tensor({{0, 1, 1}, {0, 0, 1}})));
  EXPECT_EQ(torch::triu_indices(2, 3, 0, torch::kInt).dtype(), torch::kInt);
  auto g = torch::meshgrid({torch::arange(2), torch::arange(3)});
  EXPECT_EQ(g[0].sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(torch::broadcast_tensors({x, torch::ones({4}, torch::kDouble)})[1].equal(torch::ones({3, 4}, torch::kDouble)));
  Tensor m = torch::tensor({{1.0, 2.0}}, torch::kDouble);
  EXPECT_TRUE(m.kron(m).equal(torch::kron(m, m)));
  EXPECT_TRUE(x.inner(x).equal(torch::inner(x, x)));
}

// The gradient of as_strided_scatter for self (ops.json holds only src's: PyTorch 1.13's is wrong
// there) against finite differences.
TEST(ShapeExtra, AsStridedScatterSelfGradient) {
  Tensor self = torch::arange(12, torch::kDouble).reshape({3, 4}).div(7).requires_grad_();
  Tensor src = torch::tensor({{0.5, -1.0}, {2.0, 0.25}}, torch::kDouble).requires_grad_();
  auto fn = [](const std::vector<Tensor>& in) { return in[0].as_strided_scatter(in[1], {2, 2}, {4, 2}, 1); };
  EXPECT_TRUE(torch::autograd::gradcheck(fn, {self, src}));
  EXPECT_TRUE(torch::autograd::gradgradcheck(fn, {self, src}));
  Tensor out = fn({self, src});
  out.backward(torch::ones({3, 4}, torch::kDouble));
  // The scattered places (0,1), (0,3), (1,1), (1,3) give self no gradient.
  EXPECT_TRUE(self.grad().equal(torch::tensor({{1.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 1.0, 0.0}, {1.0, 1.0, 1.0, 1.0}}, torch::kDouble)));
}

TEST(ShapeExtra, ResizeKeepsData) {
  Tensor x = torch::arange(6, torch::kFloat);
  const Tensor& r = x.resize_({2, 2});
  EXPECT_EQ(&r, &x);
  EXPECT_TRUE(x.equal(torch::tensor({{0.0f, 1.0f}, {2.0f, 3.0f}})));
  x.resize_({3, 3});
  EXPECT_EQ(x.sizes().vec(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(x.reshape({-1}).narrow(0, 0, 6).equal(torch::arange(6, torch::kFloat)));
  torch::resize_as_(x, torch::ones({1, 4}));
  EXPECT_TRUE(x.equal(torch::tensor({{0.0f, 1.0f, 2.0f, 3.0f}})));
  expect_error([] { torch::ones({2}, torch::requires_grad()).resize_({3}); }, "cannot resize variables that require grad");
  Tensor y = torch::ones({2});
  expect_error([&] { y.resize_({-1}); }, "Trying to create tensor with negative dimension -1", {y});
}

TEST(ShapeExtra, PackedAccessors) {
  Tensor x = x34().t();  // strided
  auto a = x.packed_accessor64<double, 2>();
  EXPECT_EQ(a.size(0), 4);
  EXPECT_EQ(a.stride(0), 1);
  EXPECT_EQ(a[3][2], x[3][2].item<double>());
  a[1][0] = 42.0;
  EXPECT_EQ(x[1][0].item<double>(), 42.0);
  auto b = x.packed_accessor32<double, 2, torch::RestrictPtrTraits>();
  static_assert(std::is_same_v<decltype(b.size(0)), int32_t>);
  double sum = 0;
  for (int32_t i = 0; i < b.size(0); ++i)
    for (int32_t j = 0; j < b.size(1); ++j) sum += b[i][j];
  EXPECT_DOUBLE_EQ(sum, x.sum().item<double>());
  Tensor x0 = x[0];
  torch::PackedTensorAccessor64<double, 1> row = x0.packed_accessor64<double, 1>();
  EXPECT_EQ(row[2], x[0][2].item<double>());
  expect_error([&] { x.packed_accessor64<double, 3>(); }, "TensorAccessor expected 3 dims but tensor has 2");
}

TEST(ShapeExtra, IndexOpsBadInput) {
  Tensor x = torch::arange(12.0).reshape({3, 4}), i = torch::tensor({0, 2});
  expect_error([&] { x.index_add(0, torch::tensor({0, 5}), torch::ones({2, 4})); }, "index out of range in self", {x});
  expect_error([&] { x.index_add(0, torch::tensor({-1, 0}), torch::ones({2, 4})); }, "index out of range in self", {x});
  expect_error([&] { x.index_add(0, torch::tensor({0.0, 1.0}), torch::ones({2, 4})); },
               "index_add_(): Expected dtype int32/int64 for index but got: Float");
  expect_error([&] { x.index_add(0, torch::tensor({{0, 1}}), torch::ones({2, 4})); },
               "index_add_(): Index is supposed to be a vector, but got dim: 2");
  expect_error([&] { x.index_add(0, i, torch::ones({2, 3})); },
               "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0");
  expect_error([&] { x.index_add(0, i, torch::ones({3, 4})); },
               "index_add_(): Number of indices (2) should be equal to source.size(dim): (3), for dim: 0");
  expect_error([&] { x.index_add(0, i, torch::ones({2, 4}, torch::kDouble)); },
               "index_add_(): self (Float) and source (Double) must have the same scalar type");
  expect_error([&] { x.index_copy(0, torch::tensor({0, 5}), torch::ones({2, 4})); },
               "index_copy_(): index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.index_copy(0, i.to(torch::kInt), torch::ones({2, 4})); },
               "index_copy_(): Expected a long tensor for index, but got Int");
  expect_error([&] { x.index_copy(0, i, torch::ones({2, 3})); },
               "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: 4 at dimension 0 "
               "and source slice shape: 3 at dimension 0.");
  expect_error([&] { x.index_fill(0, torch::tensor({0, 5}), 1.0); }, "index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.index_fill(0, i.to(torch::kInt), 1.0); }, "index_fill_(): Expected dtype int64 for index.");
  expect_error([&] { x.index_fill(0, i, torch::ones({2})); },
               "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).");
  expect_error([&] { x.index_reduce(0, i, torch::ones({2, 4}), "sum"); },
               "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got sum.");
  expect_error([&] { x.index_reduce(0, torch::tensor({0, 3}), torch::ones({2, 4}), "prod"); }, "index out of range in self");
  expect_error([&] { x.scatter_reduce(0, torch::tensor({{0}}), torch::ones({1, 1}), "foo"); },
               "reduce argument must be either sum, prod, mean, amax or amin");
  expect_error([&] { x.scatter_reduce(0, torch::tensor({{5}}), torch::ones({1, 1}), "sum"); },
               "index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.scatter_reduce(0, torch::tensor({{-1}}), torch::ones({1, 1}), "sum"); },
               "index -1 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.scatter_reduce(0, torch::tensor({{0}}, torch::kInt), torch::ones({1, 1}), "sum"); },
               "scatter(): Expected dtype int64 for index");
  expect_error([&] { x.scatter_reduce(0, torch::tensor({{0}}), torch::ones({1, 1}, torch::kDouble), "sum"); },
               "scatter(): Expected self.dtype to be equal to src.dtype");
  expect_error([&] { x.take(torch::tensor({12})); }, "out of range: tried to access index 12 on a tensor of 12 elements.");
  expect_error([&] { x.take(torch::tensor({-13})); }, "out of range: tried to access index -13 on a tensor of 12 elements.");
  expect_error([&] { x.take(torch::tensor({1}, torch::kInt)); }, "take(): Expected a long tensor for index, but got Int");
  expect_error([&] { torch::ones({0}).take(torch::tensor({0})); }, "take(): tried to take from an empty tensor");
  expect_error([&] { x.put_(torch::tensor({12}), torch::ones({1})); }, "out of range: tried to access index 12 on a tensor of 12 elements.",
               {x});
  expect_error([&] { x.put_(torch::tensor({1, 2}), torch::ones({3})); },
               "put_(): Expected source and index to have the same number of elements, but got source.numel() = 3, index.numel() = 2", {x});
  expect_error([&] { x.put(torch::tensor({1}), torch::ones({1}, torch::kDouble)); },
               "put_(): self and source expected to have the same dtype, but got self.dtype = Float and source.dtype = Double");
  expect_error([&] { x.masked_scatter(x.gt(2), torch::ones({3})); }, "Number of elements of source < number of ones in mask");
  expect_error([&] { x.masked_scatter(torch::ones({5}, torch::kBool), torch::ones({12})); },
               "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1");
  expect_error([&] { x.take_along_dim(torch::tensor({{0.0}}), 1); },
               "torch.take_along_dim(): dtype of indices should be Long but got Float");
  expect_error([&] { x.take_along_dim(torch::tensor({0}), 1); },
               "torch.take_along_dim(): input and indices should have the same number of dimensions, but got 2 dimensions for input, and 1 dimensions for indices");
  expect_error([&] { torch::index_put(x, {torch::tensor({5})}, torch::ones({4}), true); },
               "index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.repeat_interleave(torch::tensor({1, -1, 1}), 0); }, "repeats can not be negative");
  expect_error([&] { x.repeat_interleave(torch::tensor({1, 1}), 0); }, "repeats must have the same size as input along dim");
  expect_error([&] { x.repeat_interleave(torch::tensor({{1, 1, 1}}), 0); }, "repeats must be 0-dim or 1-dim tensor");
  expect_error([&] { torch::repeat_interleave(torch::tensor({1.0, 2.0})); }, "\"repeat_interleave_cpu\" not implemented for 'Float'");
  expect_error([&] { x.repeat_interleave(-1); }, "repeats can not be negative");
  expect_error([&] { x.repeat_interleave(torch::tensor({1, 2, 0}), 0, 2); }, "allocated size does not match required size");
}

TEST(ShapeExtra, ShapeOpsBadInput) {
  Tensor x = torch::arange(12.0).reshape({3, 4});
  expect_error([&] { x.select_scatter(torch::ones({3}), 0, 0); },
               "expected src to have a size equal to the slice of self. src size = [3], slice size = [4]");
  expect_error([&] { x.diagonal_scatter(torch::ones({4})); },
               "expected src to have a size equal to the slice of self. src size = [4], slice size = [3]");
  expect_error([&] { x.as_strided_scatter(torch::ones({4}), {2, 2}, {1, 1}); },
               "expected src to have a size equal to the slice of self. src size = [4], slice size = [2, 2]");
  expect_error([&] { x.roll({1, 2}, {0}); }, "shifts and dimensions must align. shifts: 2, dims:1");
  expect_error([&] { x.roll(torch::IntArrayRef{}); }, "`shifts` required");
  expect_error([&] { x.rot90(1, {0}); }, "expected total rotation dims == 2, but got dims = 1");
  expect_error([&] { x.rot90(1, {0, 0}); }, "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0");
  expect_error([&] { torch::ones({3}).rot90(); }, "expected total dims >= 2, but got total dims = 1");
  expect_error([&] { x.unfold(1, 5, 1); }, "maximum size for tensor at dimension 1 is 4 but size is 5");
  expect_error([&] { x.unfold(1, 2, 0); }, "step is 0 but must be > 0");
  EXPECT_EQ(torch::tensor(3.0).unfold(0, 1, 1).sizes().vec(), (std::vector<int64_t>{1}));
  expect_error([&] { torch::ones({2, 2, 2}).diag(); }, "matrix or a vector expected");
  expect_error([&] { x.diag_embed(0, 0, 0); }, "diagonal dimensions cannot be identical 0, 0");
  expect_error([&] { torch::ones({3}).fliplr(); }, "Input must be >= 2-d.");
  expect_error([&] { torch::tensor(1.0).flipud(); }, "Input must be >= 1-d.");
  expect_error([&] { torch::tensor(1.0).hsplit(1); },
               "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!");
  expect_error([&] { x.hsplit(3); },
               "torch.hsplit attempted to split along dimension 1, but the size of the dimension 4 is not divisible by the split_size 3!");
  expect_error([&] { torch::ones({4}).vsplit(2); },
               "torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 dimensions!");
  expect_error([&] { x.dsplit(2); }, "torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 dimensions!");
  expect_error([&] { x.tensor_split(0); }, "number of sections must be larger than 0, got 0");
  expect_error([&] { torch::tensor(1.0).tensor_split(1); },
               "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  expect_error([&] { x.tensor_split(torch::ones({2, 2}, torch::kLong)); },
               "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with 2 dims");
  expect_error([&] { x.tensor_split(torch::ones({2})); },
               "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Float");
  expect_error([&] { x.sum_to_size({2, 4}); }, "size {[2, 4]} is not expandable to size {[3, 4]}.");
  expect_error([&] { torch::meshgrid({torch::ones({2})}, "ab"); },
               "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: ab");
  expect_error([&] { torch::meshgrid({torch::ones({2, 2}), torch::ones({2})}, "ij"); },
               "torch.meshgrid: Expected 0D or 1D tensor in the tensor list");
  expect_error([&] { torch::meshgrid(std::vector<Tensor>{}, "ij"); }, "meshgrid expects a non-empty TensorList");
  expect_error([&] { torch::meshgrid({torch::ones({2}), torch::ones({2}, torch::kDouble)}, "ij"); },
               "meshgrid expects all tensors to have the same dtype");
  expect_error([&] { torch::block_diag({torch::ones({2, 2, 2})}); },
               "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 0 has 3 dimensions");
  expect_error([&] { torch::hstack(std::vector<Tensor>{}); }, "hstack expects a non-empty TensorList");
  expect_error([&] { torch::tril_indices(-1, 3); }, "row must be non-negative, got-1");
  expect_error([&] { torch::combinations(x); }, "Expect a 1D vector, but got shape [3, 4]");
  expect_error([&] { torch::combinations(torch::ones({3}), -1); }, "Expect a non-negative number, but got -1");
  expect_error([&] { torch::cartesian_prod({x}); }, "Expect a 1D vector, but got shape [3, 4]");
  expect_error([&] { torch::tensordot(x, x, {0}, {1}); },
               "contracted dimensions need to match, but first has size 3 in dim 0 and second has size 4 in dim 1");
  expect_error([&] { torch::tensordot(x, x, {0, 1}, {1}); }, "both dimension lists should have same length");
  expect_error([&] { torch::inner(x, torch::ones({3})); },
               "inner() the last dimension must match on both input tensors but got shapes [3, 4] and [3]");
  expect_error([&] { torch::einsum("ij,jk->ik", {x, x}); },
               "einsum(): subscript j has size 3 for operand 1 which does not broadcast with previously seen size 4");
  expect_error([&] { torch::einsum("ij,jk->ik", {x}); }, "einsum(): fewer operands were provided than specified in the equation");
  expect_error([&] { torch::einsum("ijk->ik", {x}); },
               "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given");
  expect_error([&] { torch::einsum("ij->ii", {x}); }, "einsum(): output subscript i appears more than once in the output");
  expect_error([&] { torch::einsum("ij->k", {x}); }, "einsum(): output subscript k does not appear in the equation for any input operand");
  expect_error([&] { torch::einsum("i1->i", {x}); },
               "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]");
  expect_error([&] { torch::ones({3}).fill_diagonal_(1); }, "dimensions must larger than 1");
  expect_error([&] { torch::ones({2, 3, 2}).fill_diagonal_(1); }, "all dimensions of input must be of equal length");
  expect_error([&] { x.new_empty_strided({2}, {-1}); }, "Storage size calculation overflowed with sizes=[2] and strides=[-1]");
  expect_error([&] { torch::unique_dim(x, 2); }, "Dimension out of range");
}

}  // namespace
