// Tensor methods LibTorch programs call that ember lacked (random_ without bounds, squeeze_(),
// memory formats); expected values and messages are PyTorch/LibTorch 1.13's.
#include <gtest/gtest.h>

#include <vector>

#include "../expect_error.h"
#include "ember/ember.h"

using namespace ember;

namespace {
template <typename T>
std::vector<T> elements(const Tensor& t) {
  Tensor c = t.contiguous();
  return std::vector<T>(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
}
}  // namespace

TEST(TensorApiMore, RandomWithoutBoundsDrawsAsPyTorch) {
  // torch.manual_seed(0), then these draws in this order (PyTorch 1.13).
  manual_seed(0);
  EXPECT_EQ(elements<float>(empty({4}).random_()), (std::vector<float>{8325664, 12888472, 1484222, 2214888}));
  EXPECT_EQ(elements<double>(empty({3}, kDouble).random_()),
            (std::vector<double>{4137753702977065.0, 8293357854226700.0, 5809860774058864.0}));
  EXPECT_EQ(elements<int64_t>(empty({3}, kLong).random_()),
            (std::vector<int64_t>{2691271404617651954, 8072059273656089175, 7226936298635050456}));
  EXPECT_EQ(elements<int32_t>(empty({3}, kInt).random_()), (std::vector<int32_t>{1991416408, 1171049868, 1646868794}));
  EXPECT_EQ(elements<uint8_t>(empty({3}, kByte).random_()), (std::vector<uint8_t>{193, 230, 39}));
  EXPECT_EQ(elements<bool>(empty({5}, kBool).random_()), (std::vector<bool>{true, false, false, true, true}));

  manual_seed(0);
  EXPECT_EQ(elements<float>(empty({4}).random_(10)), (std::vector<float>{4, 9, 3, 0}));
  EXPECT_EQ(elements<float>(empty({3}).random_(3, std::nullopt)), (std::vector<float>{5158010, 10638516, 8222684}));
}

TEST(TensorApiMore, RandomRefusesBoundsTheDtypeCannotHold) {
  Tensor u8 = zeros({3}, kByte);
  expect_error([&] { u8.random_(0, 1000); }, "to - 1 is out of bounds for unsigned char", {u8});
  expect_error([&] { u8.random_(-1, 10); }, "from is out of bounds for unsigned char", {u8});
  expect_error([&] { u8.random_(300); }, "to - 1 is out of bounds for unsigned char", {u8});
  expect_error([&] { zeros({3}, kInt).random_(0, int64_t{1} << 32); }, "to - 1 is out of bounds for int");
  expect_error([&] { zeros({3}, kBool).random_(0, 3); }, "to - 1 is out of bounds for bool");
  expect_error([&] { zeros({3}, kBool).random_(-1, 1); }, "from is out of bounds for bool");
  expect_error([&] { zeros({3}).random_(5, 5); },
               "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  expect_error([&] { zeros({3}).random_(0); }, "random_ expects 'from' to be less than 'to', but got from=0 >= to=0");
  // From a lower bound to the dtype's largest value.
  manual_seed(1);
  for (int32_t v : elements<int32_t>(zeros({50}, kInt).random_(-5, std::nullopt))) EXPECT_GE(v, -5);
  for (uint8_t v : elements<uint8_t>(zeros({50}, kByte).random_(250, std::nullopt))) EXPECT_GE(v, 250);
}

TEST(TensorApiMore, SqueezeInPlaceWithoutADim) {
  Tensor leaf = randn({1, 3, 1, 2}, TensorOptions().requires_grad(true));
  Tensor a = leaf.clone();
  Tensor& r = a.squeeze_();
  EXPECT_EQ(&r, &a);
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(a.grad_fn()->name(), "SqueezeBackward0");
  a.sum().backward();
  EXPECT_EQ(leaf.grad().sizes(), (std::vector<int64_t>{1, 3, 1, 2}));
}

TEST(TensorApiMore, ChannelsLastCopiesAndChecks) {
  Tensor x = arange(24, TensorOptions(kFloat)).reshape({2, 3, 2, 2});
  Tensor y = x.clone(MemoryFormat::ChannelsLast);
  EXPECT_EQ(y.strides(), (std::vector<int64_t>{12, 1, 6, 3}));
  EXPECT_TRUE(equal(y, x));
  EXPECT_FALSE(y.is_contiguous());
  EXPECT_TRUE(y.is_contiguous(MemoryFormat::ChannelsLast));
  EXPECT_FALSE(x.is_contiguous(MemoryFormat::ChannelsLast));
  EXPECT_EQ(x.contiguous(MemoryFormat::ChannelsLast).strides(), (std::vector<int64_t>{12, 1, 6, 3}));
  // Already channels-last: the same tensor back.
  EXPECT_EQ(y.contiguous(MemoryFormat::ChannelsLast).data_ptr(), y.data_ptr());
  EXPECT_EQ(y.contiguous().strides(), (std::vector<int64_t>{12, 4, 2, 1}));
  // Size-1 dims do not constrain the layout (PyTorch: True).
  EXPECT_TRUE(zeros({2, 1, 3, 1}).is_contiguous(MemoryFormat::ChannelsLast));
  Tensor w = arange(48, TensorOptions(kFloat)).reshape({2, 3, 2, 2, 2}).clone(MemoryFormat::ChannelsLast3d);
  EXPECT_EQ(w.strides(), (std::vector<int64_t>{24, 1, 12, 6, 3}));
  EXPECT_TRUE(w.is_contiguous(MemoryFormat::ChannelsLast3d));
  expect_error(
      [&] {
        zeros({2, 3, 4}).clone(MemoryFormat::ChannelsLast);
      },
      "required rank 4 tensor to use channels_last format");
  expect_error(
      [&] {
        zeros({2, 3, 4}).contiguous(MemoryFormat::ChannelsLast3d);
      },
      "required rank 5 tensor to use channels_last_3d format");
  expect_error([&] { x.contiguous(MemoryFormat::Preserve); },
               "preserve memory format is unsupported by the contiguous operator");
  // The copy is differentiable, and ops on it compute as on any strided tensor.
  Tensor leaf = x.clone().requires_grad_(true);
  Tensor c = leaf.clone(MemoryFormat::ChannelsLast);
  EXPECT_EQ(c.grad_fn()->name(), "CloneBackward0");
  (c * c).sum().backward();
  EXPECT_TRUE(equal(leaf.grad(), x * 2));
  EXPECT_TRUE(equal(clone(x, MemoryFormat::Contiguous), x));
}

TEST(TensorApiMore, Conv3dTakesAPaddingString) {
  Tensor x = (arange(24, TensorOptions(kFloat)) / 10).reshape({1, 1, 2, 3, 4});
  Tensor w = (arange(8, TensorOptions(kFloat)) - 3).reshape({1, 1, 2, 2, 2});
  auto expect_values = [](const Tensor& t, const std::vector<double>& want) {
    Tensor d = t.to(kDouble).reshape({-1});
    ASSERT_EQ(d.numel(), static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(d[static_cast<int64_t>(i)].item<double>(), want[i], 1e-5) << i;
  };
  // F.conv3d(x, w, b, 1, 'same') etc. in PyTorch 1.13: an even kernel puts the odd padding last.
  Tensor same = conv3d(x, w, full({1}, 0.5), 1, "same");
  EXPECT_EQ(same.sizes(), x.sizes());
  expect_values(same, {15.3, 15.7, 16.1, 6.1,  16.9, 17.3,  17.7,  6.1,  2.5,  2.3,   2.1,   -0.5,
                       -7.3, -7.9, -8.5, -5.9, -9.7, -10.3, -10.9, -7.5, -9.7, -10.2, -10.7, -6.4});
  expect_values(conv3d(x, w, {}, 1, "valid"), {14.8, 15.2, 15.6, 16.4, 16.8, 17.2});
  expect_values(conv3d(x, w, {}, 1, "same", {1, 2, 1}),
                {11.2, 11.8, 12.4, 5.0,  17.2, 17.6, 18.0, 6.4,  2.8,  2.6,  2.4,  -0.2,
                 -1.6, -1.7, -1.8, -1.9, -8.2, -8.8, -9.4, -6.8, -8.2, -8.7, -9.2, -5.7});
  expect_error([&] { conv3d(x, w, {}, 2, "same"); }, "padding='same' is not supported for strided convolutions");
  expect_error([&] { conv3d(x, w, {}, 1, "sam"); }, "Invalid padding string: 'sam'");
}
