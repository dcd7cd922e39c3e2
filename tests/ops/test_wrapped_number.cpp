// Arithmetic with a C++ number: the shortcuts (scalar_simd in pointwise.cpp, binary_kernel's
// wrapped-number path in ops/elementwise.h) give exactly what the general broadcast path gives for
// the same number held in a plain 0-d tensor of the tensor's dtype, on both sides of the operator,
// for every length class; and they step aside for what they do not cover (other dtypes,
// non-contiguous tensors, autograd), which still gives PyTorch's values and dtypes.
#include <gtest/gtest.h>

#include <vector>

#include "ember/ember.h"

using namespace ember;

namespace {
bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.sizes() == b.sizes() && a.equal(b);
}
}  // namespace

TEST(WrappedNumber, EqualsThePlainZeroDimPath) {
  manual_seed(3);
  for (ScalarType dt : {kFloat, kDouble}) {
    for (int64_t n : {0, 1, 5, 16, 17, 33, 1000, 70001}) {
      SCOPED_TRACE(n);
      const Tensor t = randn({n}, TensorOptions().dtype(dt));
      const Tensor c = full({}, 2.75, TensorOptions().dtype(dt));  // a plain 0-d tensor: not a wrapped number
      EXPECT_TRUE(same(t + 2.75, add(t, c)));
      EXPECT_TRUE(same(add(t, 2.75, 0.5), add(t, c, 0.5)));
      EXPECT_TRUE(same(t - 2.75, sub(t, c)));
      EXPECT_TRUE(same(t * 2.75, mul(t, c)));
      EXPECT_TRUE(same(t / 2.75, div(t, c)));
      EXPECT_TRUE(same(2.75 - t, sub(c, t)));  // number first: rsub
      EXPECT_TRUE(same(rsub(t, 2.75, 3), sub(c, t, 3)));
      EXPECT_TRUE(same(2.75 + t, add(c, t)));
      EXPECT_TRUE(same(t * 3, mul(t, full({}, 3.0, TensorOptions().dtype(dt)))));  // an integer number
    }
  }
}

TEST(WrappedNumber, OtherCasesKeepPyTorchsDtypesAndValues) {
  const Tensor i = arange(6, TensorOptions().dtype(kLong));
  EXPECT_EQ((i + 1.5).dtype(), get_default_dtype());
  EXPECT_TRUE((2.5 - i).allclose(tensor({2.5, 1.5, 0.5, -0.5, -1.5, -2.5}).to(get_default_dtype())));
  EXPECT_EQ((i * 2).dtype(), kLong);
  const Tensor f = arange(12, TensorOptions().dtype(kFloat)).reshape({3, 4}).t();  // not contiguous
  EXPECT_TRUE(same(f * 2, mul(f, full({}, 2.0, TensorOptions().dtype(kFloat)))));
  EXPECT_TRUE(same(1 - f, sub(full({}, 1.0, TensorOptions().dtype(kFloat)), f)));
  const Tensor h = arange(4, TensorOptions().dtype(kDouble)).to(kFloat);
  EXPECT_EQ((h * 1e300).dtype(), kFloat);  // the number is cast to the tensor's dtype (inf), as PyTorch does
  EXPECT_TRUE(std::isinf((h * 1e300)[1].item<float>()));
  // Under autograd the number's side gets no gradient and the tensor's is scaled.
  auto w = randn({5}).requires_grad_();
  rsub(w, 4.0, 2).sum().backward();
  EXPECT_TRUE(w.grad().allclose(full({5}, -2.0)));
  auto v = randn({5}).requires_grad_();
  auto u = v * 1;  // a non-leaf requiring grad: in place through the tensor path
  u.sub_(0.5, 3);
  u.sum().backward();
  EXPECT_TRUE(v.grad().allclose(ones({5})));
}
