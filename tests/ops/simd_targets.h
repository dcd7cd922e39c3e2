// for_each_target: runs a kernel test's body once per SIMD instruction set that is compiled in and
// supported by this CPU, with dispatch restricted to it, then lifts the restriction.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>

#include "kernels/cpu/elementwise.h"

// `in_use`, where given, names the target the kernel file under test dispatched to: it must be the
// one forced.
template <typename F>
void for_each_target(int64_t (*in_use)(), const F& body) {
  struct Lift {  // also when an assertion returns early
    ~Lift() { ember::kernels::force_simd_target(0); }
  } lift;
  const auto targets = ember::kernels::simd_targets();
  ASSERT_FALSE(targets.empty());
  for (int64_t t : targets) {
    ember::kernels::force_simd_target(t);
    SCOPED_TRACE(ember::kernels::simd_target_name(t));
    if (in_use != nullptr) {
      ASSERT_EQ(in_use(), t);
    }
    body();
  }
}
template <typename F>
void for_each_target(const F& body) {
  for_each_target(nullptr, body);
}
