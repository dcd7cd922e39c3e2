// The backward engine: discovers the graph from the roots, counts dependencies, then runs nodes
// in reverse creation order as their gradients become complete.
#include "ember/autograd/engine.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <typeinfo>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "autograd/inplace_grad.h"

namespace ember {
namespace autograd {

namespace {

// Pass ids: each backward call takes the next one (0 means "no pass" in Node::Scratch::owner).
std::atomic<uint64_t> g_epoch{0};

// This thread's identity for NodeMutex.
thread_local const char t_thread_token = 0;

// Threads in a backward pass (low bits), and kSolo while one of them runs alone. A thread whose
// outermost pass starts when no other thread is in one runs solo: no other thread's pass may start
// until it ends, so it claims nodes and runs them without atomic read-modify-writes or locks (a
// pass nested in it, on its thread, runs after the outer one stops, so it needs neither). Otherwise
// the pass claims nodes by compare-and-swap and runs each under the node's lock. A solo pass whose
// graph runs user code (a hook, a custom backward) stops being solo before it runs any node: that
// code may wait for a pass on another thread, which would wait for the solo one to end.
constexpr uint64_t kSolo = uint64_t{1} << 63;
std::atomic<uint64_t> g_passes{0};
thread_local bool t_in_pass = false;  // this thread is in a pass (set by its outermost one)
thread_local bool t_solo = false;     // ... and that pass runs solo

// Lets the passes waiting for this thread's solo pass start (and wakes them when there are some).
void leave_solo(uint64_t also_leaving) {
  if (!t_solo) return;
  t_solo = false;
  const uint64_t before = g_passes.fetch_sub(kSolo | also_leaving, std::memory_order_release);
  if ((before & ~kSolo) > 1) g_passes.notify_all();
}

class ConcurrencyScope {
 public:
  ConcurrencyScope() {
    if (t_in_pass) return;  // nested: as the outer pass
    outermost_ = true;
    t_in_pass = true;
    uint64_t none = 0;
    t_solo = g_passes.compare_exchange_strong(none, kSolo | 1, std::memory_order_acquire);
    if (t_solo) return;
    // Sleep until a solo pass on another thread ends (or stops being solo).
    uint64_t now = g_passes.fetch_add(1, std::memory_order_acquire) + 1;
    while (now & kSolo) {
      g_passes.wait(now, std::memory_order_acquire);
      now = g_passes.load(std::memory_order_acquire);
    }
  }
  ~ConcurrencyScope() {
    if (!outermost_) return;
    if (t_solo) leave_solo(1);
    else g_passes.fetch_sub(1, std::memory_order_release);
    t_in_pass = false;
  }
  ConcurrencyScope(const ConcurrencyScope&) = delete;
  ConcurrencyScope& operator=(const ConcurrencyScope&) = delete;

 private:
  bool outermost_ = false;
};

// The callbacks of the backward pass running on this thread (nested passes each have their own).
thread_local std::vector<std::function<void()>>* t_callbacks = nullptr;

// The backward pass running on this thread, for inplace_grad_target: its epoch, and whether it
// accumulates into every leaf's .grad (backward() without inputs, no create_graph, no anomaly mode).
struct CurrentPass {
  uint64_t epoch = 0;
  bool accumulates = false;
};
thread_local CurrentPass t_pass;

struct PassScope {
  explicit PassScope(CurrentPass mine) : saved(t_pass) { t_pass = mine; }
  ~PassScope() { t_pass = saved; }
  PassScope(const PassScope&) = delete;
  PassScope& operator=(const PassScope&) = delete;
  CurrentPass saved;
};

struct CallbackScope {
  explicit CallbackScope(std::vector<std::function<void()>>* mine) : saved(t_callbacks) { t_callbacks = mine; }
  ~CallbackScope() { t_callbacks = saved; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
  std::vector<std::function<void()>>* saved;
};

Tensor ones_like_of(const Tensor& t) {
  auto impl = make_intrusive<TensorImpl>(t.dtype(), t.sizes());
  Tensor o(std::move(impl));
  o.fill_(1);
  return o;
}

bool has_nan(const Tensor& t) {
  if (!t.defined() || !t.is_floating_point()) return false;
  Tensor c = t.detach().contiguous();
  return visit_floating(t.dtype(), "anomaly check", [&](auto tag) {
    using T = decltype(tag);
    const T* p = c.data_ptr<T>();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (std::isnan(p[i])) return true;
    return false;
  });
}

void accumulate(Tensor& slot, Tensor g) {
  if (!g.defined()) return;
  slot = slot.defined() ? slot.add(g) : std::move(g);
}

struct Capture {
  Node* node;
  uint32_t input_nr;
  Tensor grad;
};

struct ByPriority {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

constexpr size_t kSpareBuffers = 64;

// The node lists of a backward pass. A thread's outermost pass reuses one set (kept with its
// capacity), so a small graph's backward allocates none of them; a pass started inside another
// (from a hook or a custom function) uses its own.
struct Workspace {
  std::vector<Node*> order;  // every node reached, in discovery order
  std::vector<Node*> stack;
  std::vector<Node*> ready;  // a heap by ByPriority
  // The state of the nodes whose own Scratch another pass holds.
  std::unordered_map<Node*, Node::PassState> side;
  // Emptied gradient buffers of nodes that ran, kept with their capacity for the next nodes reached
  // (most receive one gradient), so a step's backward allocates none once warm.
  std::vector<variable_list> spare;
  bool busy = false;
};
thread_local Workspace t_workspace;

class WorkspaceLease {
 public:
  WorkspaceLease() : ws_(t_workspace.busy ? &own_ : &t_workspace) { ws_->busy = true; }
  ~WorkspaceLease() {
    ws_->order.clear();
    ws_->stack.clear();
    ws_->ready.clear();
    ws_->side.clear();
    ws_->busy = false;
  }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;
  Workspace& operator*() const { return *ws_; }

 private:
  Workspace own_;
  Workspace* ws_;
};

// Gives back, when a pass ends (or throws), the Scratch of every node it claimed, emptied.
class ScratchRelease {
 public:
  ScratchRelease(const std::vector<Node*>& order, uint64_t epoch) : order_(order), epoch_(epoch) {}
  ~ScratchRelease() {
    for (Node* n : order_) {
      if (n->scratch.owner.load(std::memory_order_relaxed) != epoch_) continue;
      n->scratch.state.buffer.clear();
      n->scratch.owner.store(0, std::memory_order_release);
    }
  }
  ScratchRelease(const ScratchRelease&) = delete;
  ScratchRelease& operator=(const ScratchRelease&) = delete;

 private:
  const std::vector<Node*>& order_;
  uint64_t epoch_;
};

// Runs backward from `roots`. When `captures` is non-empty only the nodes leading to them run,
// and the gradients reaching them are stored there instead of in any .grad.
void execute(const edge_list& roots, variable_list root_grads, bool keep_graph, bool create_graph,
             std::vector<Capture>& captures, bool accumulate_leaves) {
  AutoGradMode mode(create_graph);
  std::vector<std::function<void()>> callbacks;
  CallbackScope callback_scope(&callbacks);
  ConcurrencyScope concurrency;
  const bool claim_solo = t_solo;
  // A solo pass is the only one taking an id now (the others wait in ConcurrencyScope).
  const uint64_t epoch = claim_solo ? g_epoch.load(std::memory_order_relaxed) + 1
                                    : g_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
  if (claim_solo) g_epoch.store(epoch, std::memory_order_relaxed);
  bool user_code = false;  // (solo passes) some node reached has a hook or runs user code
  PassScope pass_scope(CurrentPass{epoch, accumulate_leaves && captures.empty() && !create_graph &&
                                            !AnomalyMode::is_enabled()});
  WorkspaceLease lease;
  std::vector<Node*>& order = (*lease).order;
  std::vector<Node*>& stack = (*lease).stack;
  std::vector<Node*>& ready = (*lease).ready;
  std::unordered_map<Node*, Node::PassState>& side = (*lease).side;
  std::vector<variable_list>& spare = (*lease).spare;
  ScratchRelease release(order, epoch);
  // This pass's state for a node it reached: the node's own, or the one on the side.
  auto state = [&](Node* n) -> Node::PassState& {
    if (n->scratch.owner.load(std::memory_order_relaxed) == epoch) return n->scratch.state;
    return side.find(n)->second;
  };
  auto reached = [&](Node* n) {
    return n->scratch.owner.load(std::memory_order_relaxed) == epoch || (!side.empty() && side.count(n) != 0);
  };
  auto touch = [&](Node* n) -> Node::PassState& {
    if (n->scratch.owner.load(std::memory_order_relaxed) == epoch) return n->scratch.state;
    Node::PassState* s = nullptr;
    if (!side.empty()) {
      if (auto it = side.find(n); it != side.end()) return it->second;
    }
    if (claim_solo && !user_code) user_code = !n->pre_hooks().empty() || n->runs_user_code();
    uint64_t free = 0;
    if (claim_solo ? n->scratch.owner.load(std::memory_order_relaxed) == 0
                   : n->scratch.owner.compare_exchange_strong(free, epoch, std::memory_order_acquire,
                                                              std::memory_order_relaxed)) {
      if (claim_solo) n->scratch.owner.store(epoch, std::memory_order_relaxed);
      s = &n->scratch.state;
    } else {
      s = &side[n];
    }
    s->dependencies = 0;
    s->needed = captures.empty();
    if (!spare.empty() && s->buffer.capacity() == 0) {
      s->buffer = std::move(spare.back());
      spare.pop_back();
    }
    s->buffer.assign(n->num_inputs(), Tensor());
    order.push_back(n);
    stack.push_back(n);
    return *s;
  };
  for (const auto& e : roots) touch(e.function.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const auto& e : n->next_edges()) {
      if (!e.is_valid()) continue;
      touch(e.function.get()).dependencies++;
    }
  }
  if (!captures.empty()) {
    for (auto& c : captures) {
      if (reached(c.node)) state(c.node).needed = true;
    }
    // A node is needed when any of its children is: walk a topological order (parents before
    // children, Kahn's algorithm on a copy of the counts) backwards.
    std::vector<Node*> topo;
    for (Node* n : order) {
      Node::PassState& s = state(n);
      s.pending = s.dependencies;
    }
    for (Node* n : order)
      if (state(n).pending == 0) topo.push_back(n);
    for (size_t i = 0; i < topo.size(); ++i)
      for (const auto& e : topo[i]->next_edges())
        if (e.is_valid() && --state(e.function.get()).pending == 0) topo.push_back(e.function.get());
    for (size_t i = topo.size(); i-- > 0;) {
      Node* n = topo[i];
      for (const auto& e : n->next_edges())
        if (e.is_valid() && state(e.function.get()).needed) state(n).needed = true;
    }
  }
  if (user_code) leave_solo(0);  // the claims above are published by its release
  const bool solo = t_solo;
  for (size_t i = 0; i < roots.size(); ++i)
    accumulate(state(roots[i].function.get()).buffer[roots[i].input_nr], root_grads[i]);

  auto push_ready = [&](Node* n, Node::PassState& s) {
    s.dependencies = -1;  // queued
    ready.push_back(n);
    std::push_heap(ready.begin(), ready.end(), ByPriority());
  };
  for (const auto& e : roots) {
    Node* n = e.function.get();
    Node::PassState& s = state(n);
    if (s.dependencies == 0) push_ready(n, s);
  }
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), ByPriority());
    Node* n = ready.back();
    ready.pop_back();
    Node::PassState& ns = state(n);
    variable_list grads = std::move(ns.buffer);
    ns.buffer.clear();
    if (!n->pre_hooks().empty()) {
      std::vector<size_t> hooks_seen(grads.size(), 0);  // each hook's index among its tensor's hooks
      for (const auto& [nr, hook] : n->pre_hooks()) {
        if (nr >= grads.size()) continue;
        const size_t index = hooks_seen[nr]++;
        if (!hook->fn || !grads[nr].defined()) continue;
        Tensor r = hook->fn(grads[nr]);
        check_hook_result(grads[nr], r, index);
        if (r.defined()) grads[nr] = r;
      }
    }
    for (const auto& [nr, slot] : n->retained_grads()) {
      if (nr >= grads.size() || !grads[nr].defined()) continue;
      if (!slot->defined()) *slot = create_graph ? grads[nr] : grads[nr].detach().clone();
      else *slot = slot->add(grads[nr]);
    }
    bool captured_here = false;
    for (auto& c : captures) {
      if (c.node == n) {
        accumulate(c.grad, grads[c.input_nr]);
        captured_here = true;
      }
    }
    // A captured leaf's gradient is returned, not accumulated (the type test runs only then).
    if (!ns.needed || ((captured_here || !accumulate_leaves) && dynamic_cast<AccumulateGrad*>(n) != nullptr)) {
      continue;
    }
    bool any = false;
    for (const auto& g : grads) any = any || g.defined();
    variable_list outputs;
    {
      std::unique_lock<NodeMutex> lock(n->run_mutex, std::defer_lock);
      if (!solo) lock.lock();
      if (any) outputs = n->apply(std::move(grads));
      if (!keep_graph) n->release_variables();
    }
    // apply takes the gradients by rvalue reference; a node that left the vector in place gives it back.
    grads.clear();
    if (grads.capacity() != 0 && spare.size() < kSpareBuffers) spare.push_back(std::move(grads));
    if (AnomalyMode::is_enabled()) {
      for (size_t i = 0; i < outputs.size(); ++i)
        EMBER_CHECK(!has_nan(outputs[i]), "Function '", n->name(), "' returned nan values in its ", i, "th output.");
    }
    const auto& edges = n->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.is_valid()) continue;
      Node* child = e.function.get();
      Node::PassState& cs = state(child);
      if (!cs.needed) continue;
      if (i < outputs.size()) accumulate(cs.buffer[e.input_nr], std::move(outputs[i]));
      if (--cs.dependencies == 0) push_ready(child, cs);
    }
  }
  // (The buffers left, of nodes that did not run, go with ScratchRelease and the lease.)
  // A callback may queue another, which grows the vector: index, and move each out before calling.
  if (!callbacks.empty()) leave_solo(0);  // queued by user code (already not solo but for a Node
                                           // subclass that does not say it runs user code)
  for (size_t i = 0; i < callbacks.size(); ++i) {
    std::function<void()> callback = std::move(callbacks[i]);
    callback();
  }
}

edge_list root_edges(const variable_list& tensors, const variable_list& grad_tensors, variable_list& grads) {
  EMBER_CHECK(grad_tensors.empty() || grad_tensors.size() == tensors.size(), "got ", grad_tensors.size(),
              " gradients for ", tensors.size(), " tensors");
  edge_list roots;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.defined(), "backward: element ", i, " of tensors is undefined");
    Edge e = gradient_edge(t);
    EMBER_CHECK(e.is_valid(), "element ", i, " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_tensors.empty() ? Tensor() : grad_tensors[i];
    if (!g.defined()) {
      EMBER_CHECK(t.numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = ones_like_of(t);
    } else {
      std::ostringstream a, b;
      a << g.sizes();
      b << t.sizes();
      EMBER_CHECK(g.sizes() == t.sizes(), "Mismatch in shape: grad_output[", i, "] has a shape of torch.Size(",
                  a.str(), ") and output[", i, "] has a shape of torch.Size(", b.str(), ").");
    }
    roots.push_back(std::move(e));
    grads.push_back(std::move(g));
  }
  return roots;
}

// One capture per input; `keep` holds the nodes (a leaf's AccumulateGrad may be new) for the pass.
std::vector<Capture> captures_for(const variable_list& inputs, std::vector<intrusive_ptr<Node>>& keep) {
  std::vector<Capture> caps;
  for (const auto& in : inputs) {
    EMBER_CHECK(in.defined() && in.requires_grad(), "One of the differentiated Tensors does not require grad");
    Edge e = gradient_edge(in);
    caps.push_back(Capture{e.function.get(), e.input_nr, Tensor()});
    keep.push_back(std::move(e.function));
  }
  return caps;
}

// The child reached through next edge `output` of `node`, when this pass runs it (with its state
// in the node) and `node` is the only producer of its gradient (nothing has reached its buffer
// yet), and it has no hooks.
Node* sole_child(const Node& node, size_t output, uint64_t epoch) {
  if (output >= node.num_outputs()) return nullptr;
  const Edge& e = node.next_edge(output);
  if (!e.is_valid()) return nullptr;
  Node* c = e.function.get();
  if (c->scratch.owner.load(std::memory_order_relaxed) != epoch) return nullptr;
  const Node::PassState& s = c->scratch.state;
  if (!s.needed || s.dependencies != 1 || c->num_inputs() != 1 || s.buffer.size() != 1 || s.buffer[0].defined() ||
      !c->pre_hooks().empty() || !c->retained_grads().empty())
    return nullptr;
  return c;
}

}  // namespace

void NodeMutex::lock() {
  const void* me = &t_thread_token;
  if (holder_.load(std::memory_order_relaxed) == me) {
    ++depth_;
    return;
  }
  const void* none = nullptr;
  while (!holder_.compare_exchange_weak(none, me, std::memory_order_acquire, std::memory_order_relaxed)) {
    none = nullptr;
    std::this_thread::yield();
  }
  depth_ = 1;
}

void NodeMutex::unlock() {
  if (--depth_ == 0) holder_.store(nullptr, std::memory_order_release);
}

InplaceGrad inplace_grad_target(const Node& node, size_t output, ScalarType dtype) {
  const CurrentPass pass = t_pass;
  if (!pass.accumulates || node.scratch.owner.load(std::memory_order_relaxed) != pass.epoch) return {};
  Node* c = sole_child(node, output, pass.epoch);
  if (c == nullptr) return {};
  auto* acc = dynamic_cast<AccumulateGrad*>(c);
  bool transposed = false;
  if (acc == nullptr) {  // one t() view between: its only edge must lead to the leaf
    if (typeid(*c) != typeid(TBackward0)) return {};
    c = sole_child(*c, 0, pass.epoch);
    acc = c != nullptr ? dynamic_cast<AccumulateGrad*>(c) : nullptr;
    if (acc == nullptr) return {};
    transposed = true;
  }
  std::unique_lock<NodeMutex> lock(acc->run_mutex, std::defer_lock);
  if (!t_solo) lock.lock();
  const Tensor& leaf = acc->variable();
  const AutogradMeta* m = meta_of(leaf);
  if (m == nullptr || (transposed && leaf.dim() != 2) || leaf.dtype() != dtype || acc->runs_user_code()) return {};
  const Tensor& g = m->grad_;
  if (!g.defined() || g.dtype() != dtype || g.sizes() != leaf.sizes() || !g.is_contiguous() || g.requires_grad())
    return {};
  return {g, transposed, std::move(lock)};
}

void queue_callback(std::function<void()> callback) {
  EMBER_CHECK(t_callbacks != nullptr, "Final callbacks can only be installed during backward pass.");
  EMBER_CHECK(static_cast<bool>(callback), "queue_callback: the callback is empty");
  t_callbacks->push_back(std::move(callback));
}

void backward(const variable_list& tensors, const variable_list& grad_tensors, std::optional<bool> retain_graph,
              bool create_graph, const variable_list& inputs) {
  variable_list grads;
  edge_list roots = root_edges(tensors, grad_tensors, grads);
  bool keep = retain_graph.value_or(create_graph);
  if (inputs.empty()) {
    std::vector<Capture> none;
    execute(roots, std::move(grads), keep, create_graph, none, true);
    return;
  }
  // Accumulate only into the given inputs (leaves or not).
  std::vector<intrusive_ptr<Node>> nodes;
  auto caps = captures_for(inputs, nodes);
  execute(roots, std::move(grads), keep, create_graph, caps, false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!caps[i].grad.defined()) continue;
    Tensor& slot = inputs[i].mutable_grad();
    Tensor g = create_graph ? caps[i].grad : caps[i].grad.detach();
    if (!slot.defined()) slot = create_graph ? g : g.clone();
    else if (create_graph) slot = slot.add(g);
    else slot.add_(g);
  }
}

variable_list grad(const variable_list& outputs, const variable_list& inputs, const variable_list& grad_outputs,
                   std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  variable_list grads;
  edge_list roots = root_edges(outputs, grad_outputs, grads);
  EMBER_CHECK(!inputs.empty(), "grad requires at least one input");
  std::vector<intrusive_ptr<Node>> nodes;
  auto caps = captures_for(inputs, nodes);
  execute(roots, std::move(grads), retain_graph.value_or(create_graph), create_graph, caps, false);
  variable_list result;
  for (size_t i = 0; i < caps.size(); ++i) {
    EMBER_CHECK(caps[i].grad.defined() || allow_unused,
                "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True "
                "if this is the desired behavior.");
    Tensor g = caps[i].grad;
    if (g.defined() && !create_graph) g = g.detach();
    result.push_back(g);
  }
  return result;
}

}  // namespace autograd
}  // namespace ember
