// Tensor products: tensordot, inner, kron and einsum (split from shape_extra.cpp). einsum contracts
// its operands pairwise, each pair through one batched matrix product.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "ember/ops/indexing.h"
#include "ember/ops/linalg.h"
#include "ember/ops/shape_extra.h"
#include "ops/elementwise.h"
#include "ops/shape_extra_util.h"

namespace ember {

Tensor tensordot(const Tensor& a, const Tensor& b, IntArrayRef dims_a, IntArrayRef dims_b) {
  EMBER_CHECK(dims_a.size() == dims_b.size(), "both dimension lists should have same length");
  std::vector<bool> ca(static_cast<size_t>(a.dim()), false), cb(static_cast<size_t>(b.dim()), false);
  std::vector<int64_t> pa, pb;
  int64_t k = 1;
  // A contracted dim of size 1 on one side broadcasts: the other side is summed over it first (as
  // LibTorch does; ember keeps the dtype, where LibTorch's sum promotes integers to int64).
  Tensor ta = a, tb = b;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = maybe_wrap_dim(dims_a[i], a.dim()), db = maybe_wrap_dim(dims_b[i], b.dim());
    const int64_t sa = a.size(da), sb = b.size(db);
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1, "contracted dimensions need to match, but first has size ", sa,
                " in dim ", da, " and second has size ", sb, " in dim ", db);
    EMBER_CHECK(!ca[static_cast<size_t>(da)] && !cb[static_cast<size_t>(db)], "tensordot: a dimension is contracted twice");
    ca[static_cast<size_t>(da)] = cb[static_cast<size_t>(db)] = true;
    if (sb == 1 && sa != 1)
      ta = ta.sum(IntArrayRef(da), true, ta.dtype());
    else if (sa == 1 && sb != 1)
      tb = tb.sum(IntArrayRef(db), true, tb.dtype());
    else
      k *= sa;
  }
  std::vector<int64_t> order_a, order_b, out;
  int64_t fa = 1, fb = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!ca[static_cast<size_t>(d)]) order_a.push_back(d), out.push_back(a.size(d)), fa *= a.size(d);
  for (size_t i = 0; i < dims_a.size(); ++i) order_a.push_back(maybe_wrap_dim(dims_a[i], a.dim()));
  for (size_t i = 0; i < dims_b.size(); ++i) order_b.push_back(maybe_wrap_dim(dims_b[i], b.dim()));
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!cb[static_cast<size_t>(d)]) order_b.push_back(d), out.push_back(b.size(d)), fb *= b.size(d);
  Tensor am = ta.permute(order_a).reshape({fa, k}), bm = tb.permute(order_b).reshape({k, fb});
  return am.mm(bm).reshape(out);
}

Tensor inner(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) return a.mul(b);
  EMBER_CHECK(a.size(-1) == b.size(-1), "inner() the last dimension must match on both input tensors but got shapes ",
              a.sizes(), " and ", b.sizes());
  return tensordot(a, b, {-1}, {-1});
}

Tensor kron(const Tensor& a, const Tensor& b) {
  const int64_t nd = std::max(a.dim(), b.dim());
  DimVector va, vb, out;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t sa = i < nd - a.dim() ? 1 : a.size(i - (nd - a.dim()));
    const int64_t sb = i < nd - b.dim() ? 1 : b.size(i - (nd - b.dim()));
    va.push_back(sa);
    va.push_back(1);
    vb.push_back(1);
    vb.push_back(sb);
    out.push_back(sa * sb);
  }
  return unsafe_view(a.reshape(va).mul(b.reshape(vb)), out);
}

Tensor Tensor::kron(const Tensor& other) const { return ember::kron(*this, other); }
Tensor Tensor::inner(const Tensor& other) const { return ember::inner(*this, other); }

namespace {

constexpr int kLetters = 52;

int einsum_label(char c, size_t at) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  fail("einsum(): invalid subscript given at index ", at, " in the equation string, subscripts must be in [a-zA-Z]");
}
char label_char(int l) { return static_cast<char>(l < 26 ? 'A' + l : 'a' + (l - 26)); }

// a and b (one rank R, size 1 where a label is absent) multiplied and summed over sum_dims (kept
// as size 1), through one batched matrix product. A dim of size 0 is a real dim, not a broadcast one.
Tensor sumproduct_pair(Tensor a, Tensor b, const std::vector<bool>& sum_dims) {
  const int64_t r = a.dim();
  // Nothing summed: a broadcast product, as LibTorch's (so bools multiply too).
  if (std::find(sum_dims.begin(), sum_dims.end(), true) == sum_dims.end()) return a.mul(b);
  std::vector<int64_t> batch, lo, ro, contracted, rest_a, rest_b;
  for (int64_t k = 0; k < r; ++k) {
    const int64_t sa = a.size(k), sb = b.size(k);
    if (sum_dims[static_cast<size_t>(k)]) {
      if (sa != 1 && sb != 1) {
        contracted.push_back(k);
        continue;
      }
      if (sa != 1) a = a.sum(IntArrayRef(k), true);
      if (sb != 1) b = b.sum(IntArrayRef(k), true);
      rest_a.push_back(k);
      rest_b.push_back(k);
    } else if (sa != 1 && sb != 1) {
      batch.push_back(k);
    } else if (sa != 1) {
      lo.push_back(k);
      rest_b.push_back(k);
    } else if (sb != 1) {
      ro.push_back(k);
      rest_a.push_back(k);
    } else {
      rest_a.push_back(k);
      rest_b.push_back(k);
    }
  }
  auto prod = [](const Tensor& t, const std::vector<int64_t>& ds) {
    int64_t p = 1;
    for (int64_t d : ds) p *= t.size(d);
    return p;
  };
  auto concat = [](std::initializer_list<const std::vector<int64_t>*> parts) {
    std::vector<int64_t> v;
    for (const auto* p : parts) v.insert(v.end(), p->begin(), p->end());
    return v;
  };
  const int64_t nb = prod(a, batch), nl = prod(a, lo), nk = prod(a, contracted), nr = prod(b, ro);
  Tensor am = a.permute(concat({&batch, &lo, &contracted, &rest_a})).reshape({nb, nl, nk});
  // rest_a holds ro dims too (size 1 in a), so a's permutation covers every dim; likewise for b.
  Tensor bm = b.permute(concat({&batch, &contracted, &ro, &rest_b})).reshape({nb, nk, nr});
  Tensor res = am.bmm(bm);
  DimVector sizes;
  for (int64_t d : batch) sizes.push_back(a.size(d));
  for (int64_t d : lo) sizes.push_back(a.size(d));
  for (int64_t d : ro) sizes.push_back(b.size(d));
  res = res.view(sizes);
  // Back to rank R in label order, size 1 where no dim of the product is.
  std::vector<int64_t> kept = concat({&batch, &lo, &ro});
  std::vector<int64_t> order(kept.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return kept[static_cast<size_t>(x)] < kept[static_cast<size_t>(y)]; });
  res = res.permute(order);
  std::vector<bool> present(static_cast<size_t>(r), false);
  for (int64_t d : kept) present[static_cast<size_t>(d)] = true;
  for (int64_t k = 0; k < r; ++k)
    if (!present[static_cast<size_t>(k)]) res = res.unsqueeze(k);
  return res;
}

}  // namespace

Tensor einsum(std::string_view equation, TensorList tensors, std::optional<IntArrayRef> /*path: ember picks its own order*/) {
  const std::string eq(equation);
  const size_t arrow = eq.find("->");
  const size_t lhs_end = arrow == std::string::npos ? eq.size() : arrow;
  // The input terms.
  std::vector<std::vector<int>> terms;
  std::vector<bool> term_ell;
  size_t begin = 0;
  while (true) {
    size_t comma = eq.find(',', begin);
    size_t end = comma == std::string::npos || comma > lhs_end ? lhs_end : comma;
    size_t b = begin, e = end;
    while (b < e && eq[b] == ' ') ++b;
    while (e > b && eq[e - 1] == ' ') --e;
    std::string cleaned;
    bool ell = false;
    std::vector<int> labels;
    for (size_t i = b; i < e; ++i) {
      if (eq[i] == ' ') continue;
      if (eq[i] == '.') {
        EMBER_CHECK(!ell, "einsum(): found '.' for operand ", terms.size(), " for which an ellipsis was already found");
        EMBER_CHECK(i + 2 < e && eq[i + 1] == '.' && eq[i + 2] == '.', "einsum(): found '.' for operand ", terms.size(),
                    " that is not part of any ellipsis");
        ell = true;
        labels.push_back(-1);
        i += 2;
      } else {
        labels.push_back(einsum_label(eq[i], i));
      }
    }
    terms.push_back(labels);
    term_ell.push_back(ell);
    if (end == lhs_end) break;
    begin = end + 1;
  }
  EMBER_CHECK(terms.size() <= tensors.size(), "einsum(): fewer operands were provided than specified in the equation");
  EMBER_CHECK(terms.size() >= tensors.size(), "einsum(): more operands were provided than specified in the equation");
  const size_t nops = tensors.size();
  // Ellipsis dims of each operand, right-aligned onto labels kLetters + j.
  int64_t ell_dims = 0;
  for (size_t i = 0; i < nops; ++i) {
    const int64_t letters = static_cast<int64_t>(terms[i].size()) - (term_ell[i] ? 1 : 0);
    if (term_ell[i]) {
      EMBER_CHECK(letters <= tensors[i].dim(), "einsum(): the number of subscripts in the equation (", letters,
                  ") is more than the number of dimensions (", tensors[i].dim(), ") for operand ", i);
      ell_dims = std::max(ell_dims, tensors[i].dim() - letters);
    } else {
      EMBER_CHECK(letters == tensors[i].dim(), "einsum(): the number of subscripts in the equation (", letters,
                  ") does not match the number of dimensions (", tensors[i].dim(), ") for operand ", i,
                  " and no ellipsis was given");
    }
  }
  const int total = kLetters + static_cast<int>(ell_dims);
  std::vector<std::vector<int>> dim_labels(nops);
  std::vector<int64_t> label_size(static_cast<size_t>(total), -1), occurrences(static_cast<size_t>(total), 0),
      operands_with(static_cast<size_t>(total), 0);
  for (size_t i = 0; i < nops; ++i) {
    const int64_t e = tensors[i].dim() - (static_cast<int64_t>(terms[i].size()) - (term_ell[i] ? 1 : 0));
    for (int l : terms[i]) {
      if (l >= 0) {
        dim_labels[i].push_back(l);
      } else {
        for (int64_t j = 0; j < e; ++j) dim_labels[i].push_back(kLetters + static_cast<int>(ell_dims - e + j));
      }
    }
    std::vector<bool> seen(static_cast<size_t>(total), false);
    std::vector<int64_t> size_here(static_cast<size_t>(total), -1);
    for (size_t k = 0; k < dim_labels[i].size(); ++k) {
      const int l = dim_labels[i][k];
      const int64_t sz = tensors[i].size(static_cast<int64_t>(k));
      int64_t& first = size_here[static_cast<size_t>(l)];
      EMBER_CHECK(first == -1 || first == sz, "einsum(): subscript ", label_char(l), " is repeated for operand ", i,
                  " but the sizes don't match, ", sz, " != ", first);
      first = sz;
      int64_t& known = label_size[static_cast<size_t>(l)];
      if (known == -1 || known == 1) {
        known = sz;
      } else if (sz != 1 && sz != known) {
        if (l < kLetters)
          fail("einsum(): subscript ", label_char(l), " has size ", sz, " for operand ", i,
               " which does not broadcast with previously seen size ", known);
        fail("einsum(): operands do not broadcast with remapped shapes (original->remapped)");
      }
      ++occurrences[static_cast<size_t>(l)];
      if (!seen[static_cast<size_t>(l)]) ++operands_with[static_cast<size_t>(l)];
      seen[static_cast<size_t>(l)] = true;
    }
  }
  // The output labels.
  std::vector<int> out_labels;
  std::vector<bool> in_output(static_cast<size_t>(total), false);
  if (arrow == std::string::npos) {
    for (int j = 0; j < ell_dims; ++j) out_labels.push_back(kLetters + j);
    for (int l = 0; l < kLetters; ++l)
      if (occurrences[static_cast<size_t>(l)] == 1) out_labels.push_back(l);
  } else {
    bool ell = false;
    for (size_t i = arrow + 2; i < eq.size(); ++i) {
      if (eq[i] == ' ') continue;
      if (eq[i] == '.') {
        EMBER_CHECK(!ell && i + 2 < eq.size() && eq[i + 1] == '.' && eq[i + 2] == '.',
                    "einsum(): found '.' for output but an ellipsis (...) was already found");
        ell = true;
        for (int j = 0; j < ell_dims; ++j) out_labels.push_back(kLetters + j);
        i += 2;
        continue;
      }
      const int l = einsum_label(eq[i], i);
      EMBER_CHECK(occurrences[static_cast<size_t>(l)] > 0, "einsum(): output subscript ", eq[i],
                  " does not appear in the equation for any input operand");
      EMBER_CHECK(!in_output[static_cast<size_t>(l)], "einsum(): output subscript ", eq[i],
                  " appears more than once in the output");
      in_output[static_cast<size_t>(l)] = true;
      out_labels.push_back(l);
    }
  }
  for (int l : out_labels) in_output[static_cast<size_t>(l)] = true;
  // The global order: output labels, then the labels summed over.
  std::vector<int> order = out_labels;
  for (int l = 0; l < total; ++l)
    if (occurrences[static_cast<size_t>(l)] > 0 && !in_output[static_cast<size_t>(l)]) order.push_back(l);
  const int64_t rank = static_cast<int64_t>(order.size());
  // Each operand: diagonals for repeated labels, its private labels summed, then aligned to `order`.
  std::vector<Tensor> aligned;
  for (size_t i = 0; i < nops; ++i) {
    Tensor t = tensors[i];
    std::vector<int> labs = dim_labels[i];
    for (bool again = true; again;) {
      again = false;
      for (size_t p = 0; p < labs.size() && !again; ++p)
        for (size_t q = p + 1; q < labs.size() && !again; ++q)
          if (labs[p] == labs[q]) {
            const int l = labs[p];
            t = t.diagonal(0, static_cast<int64_t>(p), static_cast<int64_t>(q));
            labs.erase(labs.begin() + static_cast<std::ptrdiff_t>(q));
            labs.erase(labs.begin() + static_cast<std::ptrdiff_t>(p));
            labs.push_back(l);
            again = true;
          }
    }
    for (int64_t k = static_cast<int64_t>(labs.size()) - 1; k >= 0; --k) {
      const int l = labs[static_cast<size_t>(k)];
      if (!in_output[static_cast<size_t>(l)] && operands_with[static_cast<size_t>(l)] == 1 && nops > 1) {
        t = t.sum(IntArrayRef(k));
        labs.erase(labs.begin() + k);
      }
    }
    std::vector<int64_t> perm;
    std::vector<bool> present(static_cast<size_t>(rank), false);
    for (int64_t g = 0; g < rank; ++g) {
      auto it = std::find(labs.begin(), labs.end(), order[static_cast<size_t>(g)]);
      if (it != labs.end()) {
        perm.push_back(it - labs.begin());
        present[static_cast<size_t>(g)] = true;
      }
    }
    t = t.permute(perm);
    for (int64_t g = 0; g < rank; ++g)
      if (!present[static_cast<size_t>(g)]) t = t.unsqueeze(g);
    aligned.push_back(t);
  }
  Tensor result = aligned[0];
  if (nops == 1) {
    std::vector<int64_t> sum_dims;
    for (int64_t g = static_cast<int64_t>(out_labels.size()); g < rank; ++g) sum_dims.push_back(g);
    if (!sum_dims.empty()) result = result.sum(sum_dims, true);
  }
  for (size_t i = 1; i < nops; ++i) {
    std::vector<bool> sum_dims(static_cast<size_t>(rank), false);
    for (int64_t g = static_cast<int64_t>(out_labels.size()); g < rank; ++g) {
      bool later = false;
      for (size_t j = i + 1; j < nops; ++j)
        if (std::count(dim_labels[j].begin(), dim_labels[j].end(), order[static_cast<size_t>(g)])) later = true;
      sum_dims[static_cast<size_t>(g)] = !later;
    }
    result = sumproduct_pair(result, aligned[i], sum_dims);
  }
  DimVector out_sizes;
  for (size_t g = 0; g < out_labels.size(); ++g) out_sizes.push_back(result.size(static_cast<int64_t>(g)));
  return result.reshape(out_sizes);
}

}  // namespace ember
