// The size limit every new tensor is checked against (private to src/): ops that build index
// tables or other per-element helpers check their output against it before allocating them.
#pragma once
#include "ember/core/dtype.h"
#include "ember/core/shape.h"

namespace ember {

// Throws ember::Error when a tensor of `sizes` and `dtype` may not be allocated (a negative size,
// or more bytes than the allocation limit).
void check_allocatable(ScalarType dtype, IntArrayRef sizes);

}  // namespace ember
