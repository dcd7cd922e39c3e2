// compat/torch/torch.h: TORCH_MODULE holders, TORCH_ARG options, TORCH_CHECK errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

struct ScaleOptions {
  ScaleOptions(double factor) : factor_(factor) {}
  TORCH_ARG(double, factor);
  TORCH_ARG(bool, negate) = false;
};

struct ScaleImpl {
  explicit ScaleImpl(ScaleOptions o) : options(std::move(o)) {}
  torch::Tensor forward(const torch::Tensor& x) { return x * (options.negate() ? -options.factor() : options.factor()); }
  ScaleOptions options;
};
TORCH_MODULE(Scale);

struct CounterImpl {
  int calls = 0;
  int forward() { return ++calls; }
};
TORCH_MODULE(Counter);

}  // namespace

TEST(Compat, TorchModuleHolderSharesItsImpl) {
  Scale s(ScaleOptions(2.0).negate(true));
  auto y = s(torch::tensor({1.0, 2.0}));
  EXPECT_TRUE(y.equal(torch::tensor({-2.0, -4.0})));
  EXPECT_EQ(s->options.factor(), 2.0);
  Scale copy = s;
  copy->options.factor(3.0);
  EXPECT_EQ(s->options.factor(), 3.0);  // holders share one module
  Counter c;                            // default-constructed impl
  EXPECT_EQ(c(), 1);
  EXPECT_EQ(c(), 2);
  Scale empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_THROW(empty->options.factor(), c10::Error);
}

TEST(Compat, TorchCheckThrowsC10ErrorWithTheMessage) {
  try {
    TORCH_CHECK(1 + 1 == 3, "arithmetic is off: ", 1 + 1);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_STREQ(e.what(), "arithmetic is off: 2");
  }
  try {
    TORCH_CHECK(false);
    FAIL();
  } catch (const c10::Error& e) {
    // LibTorch 1.13's words for a check without a message.
    EXPECT_STREQ(e.what(),
                 "Expected false to be true, but got false.  (Could this error message be improved?  If so, please "
                 "report an enhancement request to PyTorch.)");
  }
}
