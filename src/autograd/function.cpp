// Custom functions: wiring outputs into the graph and running the user's backward.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "ember/autograd/function.h"
#include "ember/ops/factory.h"

namespace ember {
namespace autograd {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> res(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  std::string s = status == 0 ? res.get() : name;
  // "ember::autograd::CppNode<X>" reads as LibTorch's "torch::autograd::CppNode<X>".
  const std::string prefix = "ember::autograd::";
  if (s.rfind(prefix, 0) == 0) s = "torch::autograd::" + s.substr(prefix.size());
  return s;
}

variable_list AutogradContext::get_saved_variables() const {
  variable_list out;
  for (const auto& s : saved_) out.push_back(s.unpack(node_));
  return out;
}

void CppNodeBase::wire(std::vector<Tensor*>& outputs, const variable_list& inputs) {
  auto& e = mutable_next_edges();
  for (const auto& t : inputs) e.push_back(gradient_edge(t));
  set_num_inputs(static_cast<uint32_t>(outputs.size()));
  for (uint32_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = *outputs[i];
    output_sizes.emplace_back(out.defined() ? DimVector(out.sizes()) : DimVector());
    output_dtypes.push_back(out.defined() ? out.dtype() : kFloat);
    if (!out.defined()) continue;
    bool non_diff = false;
    for (auto* p : ctx.non_differentiable_) non_diff = non_diff || p == out.unsafeGetTensorImpl();
    // An input returned as is becomes a new tensor sharing its data, so the input keeps its history.
    for (const auto& in : inputs)
      if (in.is_same(out)) out = out.detach();
    if (!non_diff && is_floating_type(out.dtype())) set_history(out, intrusive_ptr<Node>(this), i);
  }
  for (const auto& t : ctx.to_save_) {
    bool is_output = false;
    for (auto* o : outputs) is_output = is_output || (t.defined() && o->unsafeGetTensorImpl() == t.unsafeGetTensorImpl());
    ctx.saved_.emplace_back(t, is_output);
  }
  ctx.to_save_.clear();
}

variable_list CppNodeBase::run(variable_list&& grads, variable_list (*backward)(AutogradContext*, variable_list)) {
  if (ctx.materialize_grads_) {
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined() && i < output_sizes.size()) grads[i] = zeros(output_sizes[i], TensorOptions(output_dtypes[i]));
  }
  variable_list r = backward(&ctx, std::move(grads));
  const size_t num_args = arg_is_tensor.size();
  // As LibTorch: more gradients than forward arguments are fine when the extra ones are all
  // undefined (a backward written for a defaulted `bias = Tensor()` argument, say).
  if (r.size() > num_args) {
    bool extras_undefined = true;
    for (size_t i = num_args; i < r.size(); ++i) extras_undefined = extras_undefined && !r[i].defined();
    if (extras_undefined) r.resize(num_args);
  }
  size_t num_tensors = 0;
  for (bool b : arg_is_tensor) num_tensors += b;
  EMBER_CHECK(r.size() == num_args || r.size() == num_tensors, "function ", name(),
              " returned an incorrect number of gradients (expected ", num_args, ", got ", r.size(), ")");
  if (r.size() == num_tensors) return r;
  variable_list out;
  for (size_t i = 0; i < num_args; ++i) {
    if (arg_is_tensor[i]) out.push_back(r[i]);
    else EMBER_CHECK(!r[i].defined(), "function ", name(), " returned a gradient different than None at position ",
                     i + 1, ", but the corresponding forward input was not a Variable");
  }
  return out;
}

}  // namespace autograd
}  // namespace ember
