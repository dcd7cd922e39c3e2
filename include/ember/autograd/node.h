// Node (a backward function in the graph), Edge, SavedVariable and the per-tensor AutogradMeta.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/core/tensor.h"

namespace ember {
namespace autograd {

// LibTorch spells these torch::autograd::Variable / variable_list.
using Variable = Tensor;
using ::ember::tensor_list;
using ::ember::variable_list;

class Node;

// A lock that the thread holding it may take again: a pass nested in another on the same thread
// (from a hook) may run a node whose lock the outer pass holds (a leaf's AccumulateGrad running the
// leaf's hooks). Uncontended, one atomic exchange to take and a store to give back.
class NodeMutex {
 public:
  NodeMutex() = default;
  NodeMutex(const NodeMutex&) = delete;
  NodeMutex& operator=(const NodeMutex&) = delete;
  void lock();
  void unlock();

 private:
  std::atomic<const void*> holder_{nullptr};
  uint32_t depth_ = 0;
};

struct Edge {
  Edge() = default;
  Edge(intrusive_ptr<Node> fn, uint32_t nr) : function(std::move(fn)), input_nr(nr) {}
  bool is_valid() const { return static_cast<bool>(function); }
  intrusive_ptr<Node> function;
  uint32_t input_nr = 0;
};
using edge_list = std::vector<Edge>;

// A tensor hook; `fn` is cleared by remove_hook so the slot keeps its index.
struct Hook {
  std::function<Tensor(const Tensor&)> fn;
};
// A hook run on a leaf after its AccumulateGrad wrote .grad; `fn` is cleared on removal.
struct PostAccumulateGradHook {
  std::function<void(const Tensor&)> fn;
};

class Node : public RefCounted {
 public:
  Node();
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // grads[i] is the gradient w.r.t. this node's i-th forward output (undefined if none flowed);
  // returns one gradient per next edge.
  virtual variable_list apply(variable_list&& grads) = 0;
  virtual std::string name() const = 0;
  // Frees saved tensors once backward has used them (unless retain_graph).
  virtual void release_variables() {}
  // Whether apply may run code of the program's own (a custom backward, a hook), which may wait for
  // a backward pass on another thread: the engine then lets other threads' passes run beside this
  // one. A Node subclass whose apply can wait for another thread must return true.
  virtual bool runs_user_code() const { return false; }

  const edge_list& next_edges() const { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  edge_list& mutable_next_edges() { return next_edges_; }
  uint32_t num_outputs() const { return static_cast<uint32_t>(next_edges_.size()); }
  // How many forward outputs this node produced, i.e. how many gradients it receives.
  uint32_t num_inputs() const { return num_inputs_; }
  void set_num_inputs(uint32_t n) { num_inputs_ = n; }
  bool should_compute_output(size_t i) const { return i < next_edges_.size() && next_edges_[i].is_valid(); }
  uint64_t sequence_nr() const { return sequence_nr_; }

  void add_pre_hook(uint32_t output_nr, std::shared_ptr<Hook> h) { pre_hooks_.emplace_back(output_nr, std::move(h)); }
  const std::vector<std::pair<uint32_t, std::shared_ptr<Hook>>>& pre_hooks() const { return pre_hooks_; }
  // Extra gradients captured for retain_grad (shared with the tensor's metadata).
  void add_retained_grad(uint32_t output_nr, std::shared_ptr<Tensor> slot) {
    retained_.emplace_back(output_nr, std::move(slot));
  }
  const std::vector<std::pair<uint32_t, std::shared_ptr<Tensor>>>& retained_grads() const { return retained_; }
  void remove_retained_grad(const Tensor* slot);

  // Engine bookkeeping of one backward pass for this node.
  struct PassState {
    int32_t dependencies = 0;
    int32_t pending = 0;  // scratch copy of dependencies for ordering
    bool needed = false;
    variable_list buffer;
  };
  // The pass state kept in the node, for the pass whose id is in `owner` (0: none). A pass that
  // finds it claimed by another one (a pass nested in that one on this thread, from a hook or a
  // custom function, or a pass on another thread) keeps its state for the node on the side, so
  // each backward call has its own, as each of PyTorch's has its own GraphTask.
  struct Scratch {
    std::atomic<uint64_t> owner{0};
    PassState state;
  } scratch;
  // Held while a backward pass runs this node (apply, release_variables), so passes on several
  // threads sharing it run it one at a time, as PyTorch's per-node mutex does.
  NodeMutex run_mutex;

 protected:
  edge_list next_edges_;
  uint32_t num_inputs_ = 1;
  uint64_t sequence_nr_;
  std::vector<std::pair<uint32_t, std::shared_ptr<Hook>>> pre_hooks_;
  std::vector<std::pair<uint32_t, std::shared_ptr<Tensor>>> retained_;
};

// A tensor saved for backward: remembers the version it had so an in-place change is caught.
// Outputs of the owning node are saved without their grad_fn to avoid a reference cycle.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // `owner` is the node doing the unpacking (re-attached as grad_fn of a saved output).
  Tensor unpack(Node* owner = nullptr) const;
  void reset_data();
  bool defined() const { return was_defined_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool was_defined_ = false;
  bool requires_grad_ = false;
  bool released_ = false;
  // For a saved input: the node that produced it, for the error message.
  intrusive_ptr<Node> grad_fn_for_msg_;
};

struct AutogradMeta : AutogradMetaInterface {
  Tensor grad_;
  intrusive_ptr<Node> grad_fn_;
  Node* grad_accumulator_ = nullptr;  // weak: cleared by the AccumulateGrad node's destructor
  uint32_t output_nr_ = 0;
  bool requires_grad_ = false;
  std::shared_ptr<Tensor> retained_grad_;  // set by retain_grad() on a non-leaf
  std::vector<std::shared_ptr<Hook>> hooks_;
  std::vector<std::shared_ptr<PostAccumulateGradHook>> post_accumulate_hooks_;
};

// Metadata of t, or nullptr.
inline AutogradMeta* meta_of(const Tensor& t) {
  return t.defined() ? static_cast<AutogradMeta*>(t.unsafeGetTensorImpl()->autograd_meta()) : nullptr;
}
AutogradMeta& materialize_meta(const Tensor& t);

// The edge gradients of t flow into: its grad_fn, or the AccumulateGrad of a leaf requiring grad.
Edge gradient_edge(const Tensor& t);
// Makes `node` the grad_fn of output `nr` of an op.
void set_history(const Tensor& out, const intrusive_ptr<Node>& node, uint32_t output_nr = 0);

// Whether an op records: grad mode is on, some input requires grad, inference mode is off (where
// nothing is recorded, even under AutoGradMode(true)), and some defined input is not an inference
// tensor (LibTorch dispatches an op on inference tensors alone past autograd).
inline bool compute_requires_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }
inline bool normal_input(const Tensor& t) { return t.defined() && !t.is_inference(); }
template <typename... Ts>
bool any_requires_grad(const Ts&... ts) {
  return GradMode::is_enabled() && (compute_requires_grad(ts) || ...) && !::ember::detail::inference_mode() &&
         (normal_input(ts) || ...);
}
bool any_requires_grad_list(TensorList ts);

// Creates node N with one next edge per input (an empty edge for inputs that need no gradient).
template <typename N, typename... Ts>
intrusive_ptr<N> make_node(const Ts&... inputs) {
  auto n = make_intrusive<N>();
  auto& e = n->mutable_next_edges();
  e.reserve(sizeof...(Ts));
  (e.push_back(gradient_edge(inputs)), ...);
  return n;
}
template <typename N>
intrusive_ptr<N> make_node_list(TensorList inputs) {
  auto n = make_intrusive<N>();
  auto& e = n->mutable_next_edges();
  e.reserve(inputs.size());
  for (const auto& t : inputs) e.push_back(gradient_edge(t));
  return n;
}

// Records that `view` shares `base`'s storage (the root base, when base is itself a view);
// `multi_output` for the views of an op that returns several (split, chunk, unbind).
void set_view_base(const Tensor& view, const Tensor& base, bool multi_output = false);
// For an in-place op on `self` with operands `others`: throws PyTorch's error when self is a view
// made with grad mode off, or one of several views an op returned together (split, chunk, unbind),
// grad mode is on now, and the op would be recorded (self, its base or an operand requires grad).
// check_inplace runs it for self alone.
void check_no_grad_view_inplace(const Tensor& self, std::initializer_list<Tensor> others);
// For in-place ops on `self`: throws PyTorch's error for a leaf that requires grad, and (unless
// `allow_overlap`, as for fill_/zero_/index_put_, which write one value per location) for a tensor
// whose elements share memory (a stride-0 dim of size > 1, e.g. after expand), where the op would
// be applied once per alias.
void check_inplace(const Tensor& self, bool allow_overlap = false);
// Throws LibTorch's error for an in-place write to an inference tensor outside inference mode
// (check_inplace starts with it; writers that skip check_inplace, as the fused optimizer steps, call
// it before they write).
void check_inference_inplace(const Tensor& self);
// A view whose base, or another view of it, was written in place since the view's history was
// recorded gets a new one: AsStridedBackward0 on the base's current history (PyTorch's grad_fn()
// on a view). Throws PyTorch's error for a view made under no_grad of a base that requires grad.
void refresh_view_history(const Tensor& view);
inline void sync_view_history(const Tensor& t) {
  if (t.defined() && t.unsafeGetTensorImpl()->view_history_stale()) refresh_view_history(t);
}
// Before an in-place op writes `self` and records `node` (when set) as its history: throws PyTorch's
// error for a view made under no_grad, so that a refused op has changed nothing. Every op that
// passes a node to rebase_history calls it first.
void check_rebase(const Tensor& self, const Node* node);
// A tensor hook's result replaces the gradient only with one of the same dtype and shape: throws
// LibTorch's "hook '<index>' has changed the type / size of value" otherwise.
void check_hook_result(const Tensor& grad, const Tensor& result, size_t index);
// After an in-place op: bumps the version and, when `node` is set, makes it self's new history
// (for a view of a tensor that requires grad: the base gets CopySlices, the view a view of it).
void rebase_history(const Tensor& self, const intrusive_ptr<Node>& node);

// Accumulates into the .grad of a leaf.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor variable);
  ~AccumulateGrad() override;
  variable_list apply(variable_list&& grads) override;
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  bool runs_user_code() const override;  // the leaf's hooks and post-accumulate hooks
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;
};

}  // namespace autograd
}  // namespace ember
