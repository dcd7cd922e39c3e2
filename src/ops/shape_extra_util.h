// Private to src/ops/shape_extra.cpp, src/ops/indexing_extra.cpp and src/autograd/variable.cpp
// (a view's element positions in its base): take and put by row-major element position, the two
// differentiable primitives the *_scatter, diag, roll and index_* ops are written with.
#pragma once
#include "ember/core/tensor.h"

namespace ember {
namespace ops {

// arange(prod(sizes)) shaped as `sizes`: the row-major position of every element (int64).
Tensor positions(IntArrayRef sizes);
// self's elements at the row-major positions `index` (int64, each in range), shaped as index;
// recorded as backward node `name`.
Tensor take_positions(const Tensor& self, const Tensor& index, const char* name);
// A contiguous copy of self with source's elements (row-major, as many as index has, self's dtype)
// written, or added when `accumulate`, at the positions `index`; recorded as `name`.
Tensor put_positions(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate, const char* name);
// An in-place op as LibTorch does it: `self` takes the values (and history) of r, computed out of
// place from self; a result dtype that cannot be cast into self is refused.
Tensor& write_back(Tensor& self, const Tensor& r);

}  // namespace ops
}  // namespace ember
