// Custom autograd functions: Function<T> with static forward(ctx, args...) / backward(ctx, grads),
// AutogradContext (saved tensors, saved_data, needs_input_grad) and IValue.
#pragma once
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <variant>

#include "ember/autograd/node.h"

namespace ember {
namespace autograd {

// A value kept in ctx->saved_data: double, int, bool, string, int list or tensor.
class IValue {
 public:
  IValue() = default;
  IValue(double v) : v_(v) {}
  IValue(float v) : v_(static_cast<double>(v)) {}
  IValue(int64_t v) : v_(v) {}
  IValue(int v) : v_(static_cast<int64_t>(v)) {}
  IValue(bool v) : v_(v) {}
  IValue(std::string v) : v_(std::move(v)) {}
  IValue(const char* v) : v_(std::string(v)) {}
  IValue(Tensor v) : v_(std::move(v)) {}
  IValue(std::vector<int64_t> v) : v_(std::move(v)) {}
  bool isDouble() const { return std::holds_alternative<double>(v_); }
  bool isInt() const { return std::holds_alternative<int64_t>(v_); }
  bool isBool() const { return std::holds_alternative<bool>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  bool isTensor() const { return std::holds_alternative<Tensor>(v_); }
  bool isIntList() const { return std::holds_alternative<std::vector<int64_t>>(v_); }
  bool isNone() const { return std::holds_alternative<std::monostate>(v_); }
  double toDouble() const { return get<double>("Double"); }
  int64_t toInt() const { return get<int64_t>("Int"); }
  bool toBool() const { return get<bool>("Bool"); }
  const std::string& toStringRef() const { return get<std::string>("String"); }
  Tensor toTensor() const { return get<Tensor>("Tensor"); }
  std::vector<int64_t> toIntVector() const { return get<std::vector<int64_t>>("IntList"); }

 private:
  template <typename V>
  const V& get(const char* want) const {
    EMBER_CHECK(std::holds_alternative<V>(v_), "Expected ", want, " but got ", kind());
    return std::get<V>(v_);
  }
  const char* kind() const {
    static const char* names[] = {"None", "Double", "Int", "Bool", "String", "Tensor", "IntList"};
    return names[v_.index()];
  }
  std::variant<std::monostate, double, int64_t, bool, std::string, Tensor, std::vector<int64_t>> v_;
};

class AutogradContext {
 public:
  std::unordered_map<std::string, IValue> saved_data;
  void save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }
  variable_list get_saved_variables() const;
  void mark_non_differentiable(const variable_list& outputs) {
    for (const auto& t : outputs) non_differentiable_.push_back(t.unsafeGetTensorImpl());
  }
  void mark_dirty(const variable_list&) {}
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  // Whether the i-th tensor argument of forward needs a gradient.
  bool needs_input_grad(size_t i) const { return i < needs_.size() && needs_[i]; }

  // Engine side (used by Function<T>::apply and its node).
  variable_list to_save_;
  std::vector<SavedVariable> saved_;
  std::vector<TensorImpl*> non_differentiable_;
  std::vector<bool> needs_;
  bool materialize_grads_ = true;
  Node* node_ = nullptr;
};

// The shared, non-template part of a custom function's node.
class CppNodeBase : public Node {
 public:
  AutogradContext ctx;
  std::vector<bool> arg_is_tensor;        // one per forward argument after ctx
  std::vector<DimVector> output_sizes;    // to materialize missing gradients as zeros
  std::vector<ScalarType> output_dtypes;
  std::string name_;
  std::string name() const override { return name_; }
  bool runs_user_code() const override { return true; }
  void release_variables() override {
    for (auto& s : ctx.saved_) s.reset_data();
  }
  // Calls the user's backward on materialized grads and maps its result onto next edges.
  variable_list run(variable_list&& grads, variable_list (*backward)(AutogradContext*, variable_list));
  // Sets histories of outputs and saves the tensors of save_for_backward.
  void wire(std::vector<Tensor*>& outputs, const variable_list& inputs);
};

std::string demangle(const char* name);

template <class T>
struct CppNode final : CppNodeBase {
  variable_list apply(variable_list&& grads) override {
    return run(std::move(grads), [](AutogradContext* c, variable_list g) { return T::backward(c, std::move(g)); });
  }
};

template <class T>
struct Function {
  template <typename... Args>
  static auto apply(Args&&... args);
};

namespace detail {
template <typename A>
void collect_tensor(const A& a, variable_list& tensors, std::vector<bool>& is_tensor) {
  if constexpr (std::is_same_v<std::decay_t<A>, Tensor>) {
    tensors.push_back(a);
    is_tensor.push_back(true);
  } else {
    is_tensor.push_back(false);
  }
}
inline void collect_outputs(Tensor& t, std::vector<Tensor*>& out) { out.push_back(&t); }
inline void collect_outputs(variable_list& ts, std::vector<Tensor*>& out) {
  for (auto& t : ts) out.push_back(&t);
}
}  // namespace detail

template <class T>
template <typename... Args>
auto Function<T>::apply(Args&&... args) {
  auto node = make_intrusive<CppNode<T>>();
  node->name_ = demangle(typeid(CppNode<T>).name());
  variable_list inputs;
  (detail::collect_tensor(args, inputs, node->arg_is_tensor), ...);
  const bool record = any_requires_grad_list(inputs);
  for (const auto& t : inputs) node->ctx.needs_.push_back(record && t.defined() && t.requires_grad());
  node->ctx.node_ = node.get();
  using R = decltype(T::forward(&node->ctx, std::forward<Args>(args)...));
  R out;
  {
    AutoGradMode no_grad(false);
    out = T::forward(&node->ctx, std::forward<Args>(args)...);
  }
  if (record) {
    std::vector<Tensor*> outputs;
    detail::collect_outputs(out, outputs);
    node->wire(outputs, inputs);
  }
  return out;
}

}  // namespace autograd
}  // namespace ember
