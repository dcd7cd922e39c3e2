// Runs the example and the LibTorch compatibility program and checks every line they print
// against PyTorch's / LibTorch's output.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>

namespace {
std::string run(const std::string& cmd) {
  std::array<char, 512> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  return out;
}
}  // namespace

TEST(Examples, SeedWalkthroughPrintsPyTorchsValues) {
  std::string out = run(std::string(EMBER_EXAMPLES_DIR) + "/seed_autograd");
  EXPECT_EQ(out,
            "w.grad() = tensor(40.)\n"
            "a.grad() = tensor([36., 81.])  (dQ/da = 9a^2)\n"
            "b.grad() = tensor([-12.,  -8.])  (dQ/db = -2b)\n"
            "loss = tensor(6.2568e-05, grad_fn=<MseLossBackward0>)\n"
            "loss.grad_fn()->name() = MseLossBackward0\n");
}

TEST(Examples, LibTorchProgramPrintsWhatLibTorchPrints) {
  std::ifstream in(std::string(EMBER_FIXTURE_DIR) + "/../compat/expected.txt");
  ASSERT_TRUE(in) << "missing tests/compat/expected.txt";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(run(EMBER_COMPAT_PROGRAM), want.str());
}
