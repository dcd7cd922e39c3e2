// Shared by the optim tests: the fixture problem, JSON helpers, and the bad-input check.
#pragma once
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>
#include "../expect_error.h"

namespace optim_test {

using json = nlohmann::json;

inline const json& fixture() {
  static json j = [] {
    std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/optim.json");
    return json::parse(in);
  }();
  return j;
}

inline torch::Tensor tensor_from(const json& j) {
  std::vector<double> v = j["values"].get<std::vector<double>>();
  return torch::tensor(v, torch::kDouble).reshape(j["shape"].get<std::vector<int64_t>>());
}

inline std::vector<double> flat(const torch::Tensor& t) {
  return t.detach().to(torch::kDouble).contiguous().to_vector<double>();
}

// The fixture problem: parameters w (2x3) and b (3) at their start values, and its loss.
struct Problem {
  torch::Tensor X, T, w, b;
  Problem() {
    const json& p = fixture()["problem"];
    X = tensor_from(p["X"]);
    T = tensor_from(p["T"]);
    w = tensor_from(p["w"]).requires_grad_(true);
    b = tensor_from(p["b"]).requires_grad_(true);
  }
  torch::Tensor loss() const {
    return (torch::tanh(X.mm(w) + b) - T).pow(2).mean() + w.pow(4).sum() * 0.05 + torch::log1p(b.pow(2)).sum() * 0.1;
  }
};

// Values equal within a relative tolerance (and an absolute floor for values near zero).
inline void expect_all_close(const std::vector<double>& got, const std::vector<double>& want, double rel,
                             const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], rel * std::abs(want[i]) + 1e-14) << what << " [" << i << "]";
}


inline std::vector<double> lrs_of(const torch::optim::Optimizer& opt) {
  std::vector<double> out;
  for (const auto& g : opt.param_groups()) out.push_back(g.options().get_lr());
  return out;
}

}  // namespace optim_test
