// Generator: the CPU random engine (mt19937, as PyTorch's CPU generator) and manual_seed.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

namespace ember {

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
  std::mt19937 engine_;
  uint64_t seed_ = 0;
  std::optional<double> next_normal_;
  std::mutex mu_;
};

// The process-wide default CPU generator.
Generator& default_generator();
void manual_seed(uint64_t seed);
inline uint64_t initial_seed() { return default_generator().current_seed(); }

}  // namespace ember
