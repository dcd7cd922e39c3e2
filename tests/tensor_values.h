// values / expect_values: a tensor's elements as doubles, and an element-wise check of them, shared
// by the test binaries (written against torch/torch.h only, as expect_error.h).
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

inline std::vector<double> values(const torch::Tensor& t) {
  torch::Tensor d = t.detach().to(torch::kDouble).contiguous().reshape({-1});
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// As many elements as `want`, each within `tol` of it; a NaN expects NaN and an infinity itself.
inline void expect_values(const torch::Tensor& t, const std::vector<double>& want, double tol = 1e-6) {
  std::vector<double> got = values(t);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << ": " << got[i];
    else if (std::isinf(want[i]))
      EXPECT_EQ(got[i], want[i]) << "element " << i;
    else
      EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
  }
}
