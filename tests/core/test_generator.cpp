// The generator's own Mersenne Twister against the standard library's std::mt19937.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "ember/core/generator.h"

namespace {

// Past three regenerations of the 624-word state, so every branch of the twist is used more than once,
// for seeds that exercise the top bit and zero.
TEST(Generator, MatchesStdMt19937) {
  for (uint64_t seed : {0ULL, 1ULL, 5489ULL, 67280421310721ULL, 0xffffffffULL, 0x123456789abcdefULL}) {
    ember::Generator gen(seed);
    std::mt19937 reference(static_cast<uint32_t>(seed));
    for (int i = 0; i < 3 * 624 + 7; ++i) ASSERT_EQ(gen.random(), reference()) << "seed " << seed << " draw " << i;
  }
}

TEST(Generator, ReseedingRestartsTheSequence) {
  ember::Generator gen(42);
  uint32_t first[700];
  for (auto& v : first) v = gen.random();
  gen.set_current_seed(42);
  for (uint32_t v : first) EXPECT_EQ(gen.random(), v);
  EXPECT_EQ(gen.current_seed(), 42u);
}

}  // namespace
