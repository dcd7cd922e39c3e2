// expect_error and error_of: the bad-input checks every test binary shares. Written against torch/torch.h only,
// so test files that also build against LibTorch itself can use it.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

// Runs f, expects c10::Error whose message contains `needle`, and that every watched tensor kept
// its values and its version counter.
inline void expect_error(const std::function<void()>& f, const std::string& needle,
                         std::vector<torch::Tensor> watched = {}) {
  std::vector<torch::Tensor> before;
  std::vector<int64_t> versions;
  for (auto& t : watched) before.push_back(t.detach().clone()), versions.push_back(t._version());
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << needle;
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
  for (size_t i = 0; i < watched.size(); ++i) {
    EXPECT_TRUE(watched[i].equal(before[i])) << "tensor " << i << " changed";
    EXPECT_EQ(watched[i]._version(), versions[i]) << "tensor " << i << " version changed";
  }
}

// The message of the c10::Error that f throws, or "<no error>": for a test that states the whole
// message.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what();
  }
  return "<no error>";
}
