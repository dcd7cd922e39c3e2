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

TEST(Examples, LogisticRegressionBothWaysAgreeAndMatchPyTorch) {
  std::string out = run(std::string(EMBER_EXAMPLES_DIR) + "/logistic_regression");
  // Losses of PyTorch 1.13 for the same seed, data, initial Linear and SGD(lr=0.5).
  for (const char* line : {"step   0  loss by hand 0.717912  by autograd 0.717912",
                           "step  20  loss by hand 0.179355  by autograd 0.179355",
                           "step  99  loss by hand 0.145001  by autograd 0.145001",
                           "weights agree to 1e-5 at every step: yes",
                           "model: torch::nn::Linear(in_features=4, out_features=1, bias=true)"}) {
    EXPECT_NE(out.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << out;
  }
}

// Float training runs on ember's own kernels: OpenBLAS (double GEMM, LAPACK) is neither a link
// dependency nor loaded. LD_DEBUG=libs makes the loader report every library it opens.
TEST(Examples, FloatTrainingNeitherLinksNorLoadsOpenBlas) {
  const std::string exe = std::string(EMBER_EXAMPLES_DIR) + "/logistic_regression";
  const std::string needed = run("readelf -d " + exe + " 2>&1");
  ASSERT_NE(needed.find("(NEEDED)"), std::string::npos) << needed;
  for (const char* lib : {"libopenblas", "libgomp", "libgfortran"})
    EXPECT_EQ(needed.find(lib), std::string::npos) << exe << " links " << lib << ":\n" << needed;
  const std::string loaded = run("LD_DEBUG=libs " + exe + " 2>&1 >/dev/null");
  ASSERT_NE(loaded.find("calling init"), std::string::npos) << "LD_DEBUG reported nothing:\n" << loaded;
  EXPECT_EQ(loaded.find("libopenblas"), std::string::npos) << loaded;
}

TEST(Examples, PolynomialRegressionReachesTheTargetLoss) {
  std::string out = run(std::string(EMBER_EXAMPLES_DIR) + "/polynomial_regression");
  const std::string key = "held-out loss ";
  auto at = out.find(key);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_LT(std::stod(out.substr(at + key.size())), 1e-3) << out;
}
