// Generator: the CPU random engine (mt19937, as PyTorch's CPU generator) and manual_seed.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace ember {

namespace detail {
// The 32-bit Mersenne Twister, MT19937 (Matsumoto and Nishimura, 1998): the sequence std::mt19937
// gives for the same seed. Written out here because <random> alone is about a sixth of what the
// compiler reads for torch/torch.h.
class MersenneTwister {
 public:
  void seed(uint32_t value) {
    state_[0] = value;
    for (uint32_t i = 1; i < kN; ++i) state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + i;
    next_ = kN;
  }
  uint32_t operator()() {
    if (next_ == kN) regenerate();
    uint32_t y = state_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }

 private:
  static constexpr uint32_t kN = 624, kM = 397;
  // The top bit of `upper` joined to the low 31 bits of `lower`, shifted, and the twist matrix
  // applied when the joined word is odd.
  static uint32_t twist(uint32_t upper, uint32_t lower) {
    const uint32_t y = (upper & 0x80000000u) | (lower & 0x7fffffffu);
    return (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
  }
  void regenerate() {
    uint32_t i = 0;
    for (; i < kN - kM; ++i) state_[i] = state_[i + kM] ^ twist(state_[i], state_[i + 1]);
    for (; i < kN - 1; ++i) state_[i] = state_[i + kM - kN] ^ twist(state_[i], state_[i + 1]);
    state_[kN - 1] = state_[kM - 1] ^ twist(state_[kN - 1], state_[0]);
    next_ = 0;
  }
  uint32_t state_[kN] = {};
  uint32_t next_ = kN;
};
}  // namespace detail

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) { set_current_seed(seed); }
  void set_current_seed(uint64_t seed) {
    seed_ = seed;
    engine_.seed(static_cast<uint32_t>(seed));
    next_normal_.reset();
  }
  uint64_t current_seed() const { return seed_; }
  uint32_t random() { return static_cast<uint32_t>(engine_()); }
  uint64_t random64() {
    uint64_t hi = random();
    uint64_t lo = random();
    return (hi << 32) | lo;
  }
  // Uniform in [0, 1) with 24 random bits for float and 53 for double, as PyTorch draws them.
  float uniform_float() { return static_cast<float>(random() & ((1u << 24) - 1)) * 0x1.0p-24f; }
  double uniform_double() { return static_cast<double>(random64() & ((1ULL << 53) - 1)) * 0x1.0p-53; }
  std::mutex& mutex() { return mu_; }
  std::optional<double>& cached_normal() { return next_normal_; }

 private:
  detail::MersenneTwister engine_;
  uint64_t seed_ = 0;
  std::optional<double> next_normal_;
  std::mutex mu_;
};

// The process-wide default CPU generator.
Generator& default_generator();
void manual_seed(uint64_t seed);
inline uint64_t initial_seed() { return default_generator().current_seed(); }

}  // namespace ember
