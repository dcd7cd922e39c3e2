// Fixture ops of the shape, view and indexing extras (index_add ... unique_dim), run by the op table
// in op_table.h. Index tensors arrive as inputs without grad; "self_t"/"source_t" say the fixture
// transposed that input inside the op (a non-contiguous operand).
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

inline std::optional<ember::Tensor> run_shape_op(const std::string& op, const std::vector<ember::Tensor>& in,
                                                 const nlohmann::json& a) {
  using ember::Tensor;
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  auto i64 = [&](const char* k) { return a[k].get<int64_t>(); };
  auto vec = [&](const char* k) { return a[k].get<std::vector<int64_t>>(); };
  auto flag = [&](const char* k) { return has(k) && a[k].get<bool>(); };
  const Tensor x = flag("self_t") ? in[0].t() : in[0];
  auto source = [&](size_t i) { return flag("source_t") ? in[i].t() : in[i]; };
  auto pick = [&](const std::vector<Tensor>& parts) { return parts[static_cast<size_t>(i64("part"))]; };
  auto pick3 = [&](const std::tuple<Tensor, Tensor, Tensor>& r) {
    const int64_t p = i64("part");
    return p == 0 ? std::get<0>(r) : (p == 1 ? std::get<1>(r) : std::get<2>(r));
  };
  auto scalar = [&](const char* k) -> ember::Scalar {
    if (a[k].is_boolean()) return a[k].get<bool>();
    if (a[k].is_number_integer()) return a[k].get<int64_t>();
    return a[k].get<double>();
  };
  auto tensors = [&]() { return std::vector<Tensor>(in.begin(), in.end()); };
  std::optional<Tensor> r;
  if (op == "index_add") r = x.index_add(i64("dim"), in[1], source(2), has("alpha") ? scalar("alpha") : ember::Scalar(1));
  else if (op == "index_copy") r = x.index_copy(i64("dim"), in[1], source(2));
  else if (op == "index_fill") r = flag("value_tensor") ? x.index_fill(i64("dim"), in[1], in[2]) : x.index_fill(i64("dim"), in[1], scalar("value"));
  else if (op == "index_reduce")
    r = x.index_reduce(i64("dim"), in[1], in[2], a["reduce"].get<std::string>(), a["include_self"].get<bool>());
  else if (op == "scatter_reduce")
    r = x.scatter_reduce(i64("dim"), in[1], in[2], a["reduce"].get<std::string>(), a["include_self"].get<bool>());
  else if (op == "put") r = x.put(in[1], in[2], a["accumulate"].get<bool>());
  else if (op == "take") r = x.take(in[1]);
  else if (op == "take_along_dim") r = has("dim") ? ember::take_along_dim(x, in[1], i64("dim")) : ember::take_along_dim(x, in[1]);
  else if (op == "masked_scatter") r = x.masked_scatter(in[1], in[2]);
  else if (op == "index_put_list") {
    std::vector<std::optional<Tensor>> idx;
    if (flag("leading_none")) idx.push_back(std::nullopt);
    for (size_t i = 1; i + 1 < in.size(); ++i) idx.push_back(in[i]);
    r = ember::index_put(x, idx, in.back(), a["accumulate"].get<bool>());
  } else if (op == "slice_scatter") {
    std::optional<int64_t> start, end;
    if (has("start")) start = i64("start");
    if (has("end")) end = i64("end");
    r = x.slice_scatter(in[1], i64("dim"), start, end, i64("step"));
  } else if (op == "select_scatter") r = x.select_scatter(in[1], i64("dim"), i64("index"));
  else if (op == "diagonal_scatter") r = x.diagonal_scatter(in[1], i64("offset"));
  else if (op == "as_strided_scatter") r = x.as_strided_scatter(in[1], vec("size"), vec("stride"), i64("offset"));
  else if (op == "diag") r = x.diag(i64("diagonal"));
  else if (op == "diagflat") r = x.diagflat(i64("offset"));
  else if (op == "diag_embed") r = x.diag_embed(i64("offset"), i64("dim1"), i64("dim2"));
  else if (op == "block_diag") r = ember::block_diag(tensors());
  else if (op == "roll") r = has("dims") ? x.roll(vec("shifts"), vec("dims")) : x.roll(vec("shifts"));
  else if (op == "rot90") r = x.rot90(i64("k"), vec("dims"));
  else if (op == "tile") r = x.tile(vec("dims"));
  else if (op == "unfold") r = x.unfold(i64("dim"), i64("size"), i64("step"));
  else if (op == "repeat_interleave") {
    std::optional<int64_t> dim;
    if (has("dim")) dim = i64("dim");
    r = has("repeats") ? x.repeat_interleave(i64("repeats"), dim) : x.repeat_interleave(in[1], dim);
  } else if (op == "repeat_interleave_index") r = ember::repeat_interleave(x);
  else if (op == "hstack") r = ember::hstack(tensors());
  else if (op == "vstack") r = ember::vstack(tensors());
  else if (op == "dstack") r = ember::dstack(tensors());
  else if (op == "column_stack") r = ember::column_stack(tensors());
  else if (op == "tensor_split")
    r = pick(has("sections") ? x.tensor_split(i64("sections"), i64("dim")) : x.tensor_split(ember::IntArrayRef(vec("indices")), i64("dim")));
  else if (op == "meshgrid") r = pick(ember::meshgrid(tensors(), a["indexing"].get<std::string>()));
  else if (op == "broadcast_tensors") r = pick(ember::broadcast_tensors(tensors()));
  else if (op == "atleast_3d") r = ember::atleast_3d(x);
  else if (op == "einsum") r = ember::einsum(a["equation"].get<std::string>(), tensors());
  else if (op == "tensordot") r = ember::tensordot(in[0], in[1], vec("dims_a"), vec("dims_b"));
  else if (op == "kron") r = ember::kron(in[0], in[1]);
  else if (op == "inner") r = ember::inner(in[0], in[1]);
  else if (op == "cartesian_prod") r = ember::cartesian_prod(tensors());
  else if (op == "combinations") r = ember::combinations(x, i64("r"), a["with_replacement"].get<bool>());
  else if (op == "sum_to_size") r = x.sum_to_size(vec("size"));
  else if (op == "ravel") r = x.ravel();
  else if (op == "fliplr") r = x.fliplr();
  else if (op == "flipud") r = x.flipud();
  else if (op == "moveaxis") r = x.moveaxis(ember::IntArrayRef(vec("source")), ember::IntArrayRef(vec("destination")));
  else if (op == "swapdims") r = x.swapdims(i64("dim0"), i64("dim1"));
  else if (op == "inplace_tri") {
    Tensor t = x * 1;
    r = a["method"] == "tril_" ? t.tril_(i64("diagonal")) : t.triu_(i64("diagonal"));
  } else if (op == "fill_diagonal_") {
    Tensor t = x * 1;
    r = t.fill_diagonal_(scalar("value"), a["wrap"].get<bool>());
  } else if (op == "narrow_copy") r = x.narrow_copy(i64("dim"), i64("start"), i64("length"));
  else if (op == "argwhere") r = x.argwhere();
  else if (op == "tril_indices") r = ember::tril_indices(i64("row"), i64("col"), i64("offset"));
  else if (op == "triu_indices") r = ember::triu_indices(i64("row"), i64("col"), i64("offset"));
  else if (op == "unique_consecutive") r = pick3(ember::unique_consecutive(x, true, true));
  else if (op == "unique_dim") r = pick3(ember::unique_dim(x, i64("dim"), true, true, true));
  else if (op == "unique_dim_consecutive") r = pick3(ember::unique_dim_consecutive(x, i64("dim"), true, true));
  if (r && flag("to_long")) r = r->to(ember::kLong);
  return r;
}

}  // namespace ember_test
