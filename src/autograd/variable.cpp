// Autograd state on tensors: requires_grad, grad, grad_fn, hooks, detach; saved variables;
// AccumulateGrad; history for out-of-place and in-place ops.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/grad_fn_name.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/node.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape_extra.h"
#include "ops/shape_extra_util.h"

namespace ember {
namespace detail {
const char* grad_fn_name(const Tensor& t) {
  autograd::sync_view_history(t);
  auto* m = autograd::meta_of(t);
  if (!m || !m->grad_fn_) return nullptr;
  thread_local std::string name;
  name = m->grad_fn_->name();
  constexpr std::string_view kNamespace = "torch::autograd::";
  if (name.compare(0, kNamespace.size(), kNamespace) == 0) name.erase(0, kNamespace.size());
  return name.c_str();
}
}  // namespace detail

namespace autograd {

namespace {
std::atomic<uint64_t> g_sequence{0};

// "torch.FloatTensor": how PyTorch names a tensor's type in autograd errors.
std::string type_name(const Tensor& t) {
  switch (t.dtype()) {
    case kFloat:
      return "torch.FloatTensor";
    case kDouble:
      return "torch.DoubleTensor";
    case kLong:
      return "torch.LongTensor";
    case kInt:
      return "torch.IntTensor";
    case kByte:
      return "torch.ByteTensor";
    default:
      return "torch.BoolTensor";
  }
}

// "torch.FloatTensor [2, 3]".
std::string type_and_shape(const Tensor& t) {
  std::ostringstream os;
  os << type_name(t) << " " << t.sizes();
  return os.str();
}

// PyTorch's error for an in-place op on a view made with grad mode off (CreationMeta NO_GRAD_MODE)
// or in inference mode (INFERENCE_MODE), that would now be recorded: on the view itself, or
// (`base_modified`) on its base or another view of it.
[[gnu::cold, noreturn]] void throw_no_grad_view(const TensorImpl* view, bool base_modified) {
  const bool inference = view->view_made_in_inference();
  detail::throw_error(std::string("A view was created in ") + (inference ? "inference mode" : "no_grad mode") +
                      (base_modified ? " and its base or another view of its base has been modified inplace"
                                     : " and is being modified inplace") +
                      (inference ? " in normal mode" : " with grad mode enabled") +
                      ". Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                      "code by moving both the view and the inplace either both inside the " +
                      (inference ? "inference_mode" : "no_grad") +
                      " block (if you don't want the inplace to be tracked) or both outside (if you want the inplace "
                      "to be tracked).");
}

// PyTorch's error for an in-place op recorded on one of several views an op returned (split,
// chunk, unbind), or (`indirect`) for using one after its base or another view of it was written.
[[gnu::cold, noreturn]] void throw_multi_output_view(const Tensor& view, bool indirect) {
  const char* what = indirect ? "its base or another view of its base has been" : "is being";
  const AutogradMeta* m = meta_of(view);
  std::string msg = m && m->grad_fn_ ? "Output " + std::to_string(m->output_nr_) + " of " + m->grad_fn_->name() +
                                           " is a view and " + what + " modified inplace."
                                     : std::string("A view was created in no_grad mode and ") + what +
                                           " modified inplace with grad mode enabled.";
  detail::throw_error(msg +
                      " This view is the output of a function that returns multiple views. Such functions do "
                      "not allow the output views to be modified inplace. You should replace the inplace "
                      "operation by an out-of-place one.");
}

// An in-place op on `self` that will be recorded: PyTorch's error for a view made with grad mode
// off, or one of several views an op returned.
void check_recorded_view_inplace(const Tensor& self) {
  const TensorImpl* impl = self.unsafeGetTensorImpl();
  if (impl->view_made_in_no_grad()) throw_no_grad_view(impl, false);
  if (impl->view_multi_output()) throw_multi_output_view(self, false);
}

// Held while a stale view's history is replaced, so two threads using the view do not both do it.
std::mutex g_view_refresh_mutex;

// The base recorded by set_view_base, or an undefined tensor.
Tensor view_base_of(const Tensor& t) {
  TensorImpl* b = t.unsafeGetTensorImpl()->view_base();
  return b ? Tensor(intrusive_ptr<TensorImpl>(b)) : Tensor();
}

Tensor shallow_alias(const Tensor& t) {
  EMBER_CHECK(t.defined(), detail::kUndefinedTensor);
  auto* impl = t.unsafeGetTensorImpl();
  auto out = make_intrusive<TensorImpl>(impl->storage(), impl->dtype(), impl->sizes(), impl->strides(),
                                        impl->storage_offset());
  return Tensor(std::move(out));
}
}  // namespace

Node::Node() : sequence_nr_(g_sequence.fetch_add(1, std::memory_order_relaxed)) {}
Node::~Node() = default;

[[gnu::cold]] void Node::remove_retained_grad(const Tensor* slot) {
  std::erase_if(retained_, [slot](const auto& r) { return r.second.get() == slot; });
}

AutogradMeta& materialize_meta(const Tensor& t) {
  auto* impl = t.unsafeGetTensorImpl();
  EMBER_CHECK(impl, "autograd: tensor is undefined");
  if (!impl->autograd_meta()) impl->set_autograd_meta(std::make_unique<AutogradMeta>());
  return *static_cast<AutogradMeta*>(impl->autograd_meta());
}

Edge gradient_edge(const Tensor& t) {
  sync_view_history(t);
  auto* m = meta_of(t);
  if (!m) return Edge();
  if (m->grad_fn_) return Edge(m->grad_fn_, m->output_nr_);
  if (!m->requires_grad_) return Edge();
  if (m->grad_accumulator_) return Edge(intrusive_ptr<Node>(m->grad_accumulator_), 0);
  auto acc = make_intrusive<AccumulateGrad>(t);
  m->grad_accumulator_ = acc.get();
  return Edge(std::move(acc), 0);
}

void set_history(const Tensor& out, const intrusive_ptr<Node>& node, uint32_t output_nr) {
  // Only floating results can carry gradients; an op asked for an integer result of an input that
  // requires grad (e.g. sum(dtype=kLong)) refuses, as LibTorch does, instead of returning a tensor
  // that claims requires_grad.
  EMBER_CHECK(is_floating_type(out.dtype()), node->name(), ": the result has dtype ", to_string(out.dtype()),
              ", which cannot require gradients, but an input requires grad; detach() the input or ask for a "
              "floating point dtype");
  auto& m = materialize_meta(out);
  m.grad_fn_ = node;
  m.output_nr_ = output_nr;
}

namespace {
// Whether two of t's elements may share a memory location: ordered by stride, each dimension must
// step past the whole extent of the ones below it (a sufficient test, exact for every layout that
// views and contiguous() produce).
bool overlaps_itself(IntArrayRef all_sizes, IntArrayRef all_strides) {
  DimVector sizes, strides;
  for (size_t d = 0; d < all_sizes.size(); ++d) {
    if (all_sizes[d] == 0) return false;
    if (all_sizes[d] > 1) sizes.push_back(all_sizes[d]), strides.push_back(all_strides[d]);
  }
  std::vector<size_t> order(sizes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return strides[x] < strides[y]; });
  int64_t extent = 1;  // elements spanned by the dimensions taken so far
  for (size_t i : order) {
    if (strides[i] < extent) return true;
    extent = strides[i] * sizes[i];
  }
  return false;
}
bool overlaps_itself(const Tensor& t) { return overlaps_itself(t.sizes(), t.strides()); }
}  // namespace

bool any_requires_grad_list(TensorList ts) {
  if (!GradMode::is_enabled() || InferenceMode::is_enabled()) return false;
  bool wanted = false, normal = false;
  for (const auto& t : ts) {
    wanted = wanted || compute_requires_grad(t);
    normal = normal || normal_input(t);
  }
  return wanted && normal;
}

void check_inference_inplace(const Tensor& self) {
  EMBER_CHECK(
      !self.unsafeGetTensorImpl()->storage()->is_inference() || InferenceMode::is_enabled(),
      "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a "
      "normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.");
}

void check_inplace(const Tensor& self, bool allow_overlap) {
  EMBER_CHECK(self.defined(), detail::kUndefinedTensor);  // every in-place op starts here
  check_inference_inplace(self);
  if (!allow_overlap && self.numel() > 0) {
    for (int64_t d = 0; d < self.dim(); ++d)
      EMBER_CHECK(self.stride(d) != 0 || self.size(d) <= 1,
                  "unsupported operation: more than one element of the written-to tensor refers to a single memory "
                  "location. Please clone() the tensor before performing the operation.");
  }
  if (!GradMode::is_enabled() || InferenceMode::is_enabled()) return;  // nothing is recorded
  check_no_grad_view_inplace(self, {});
  auto* m = meta_of(self);
  EMBER_CHECK(!(m && m->requires_grad_ && !m->grad_fn_),
              "a leaf Variable that requires grad is being used in an in-place operation.");
  // A view made in no_grad mode got this far only when the op is not recorded: no base to check.
  const Tensor base = self.unsafeGetTensorImpl()->view_made_in_no_grad() ? Tensor() : view_base_of(self);
  if (base.defined()) {
    // As PyTorch: a view that requires grad, of a base outside the graph (a leaf, which may not
    // itself require grad when the view was made from it and then marked with requires_grad_).
    auto* bm = meta_of(base);
    EMBER_CHECK(!(self.requires_grad() && !(bm && bm->grad_fn_)),
                "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    // Checked here, before the op writes anything, rather than when history is rebased: the base's
    // gradient is laid out with the base's own strides (CopySlices), which needs distinct elements.
    EMBER_CHECK(!overlaps_itself(base),
                "unsupported operation: an in-place operation on a view whose base tensor has several elements "
                "at one memory location (e.g. an expanded tensor). Please clone() the base first.");
  }
}

// Every view records its base (the root one), whether or not the base requires grad: an in-place
// op on the view that brings in a tensor requiring grad makes the base part of the graph too, as in
// PyTorch (`buf = zeros(...); buf[i].copy_(h)` then `buf.sum()`). A view made with grad mode off
// records it too (for _base(), and to refuse an in-place op on it with grad mode on), and so does
// every view taken from it. The base is held by the view's TensorImpl: no autograd metadata is made.
void set_view_base(const Tensor& view, const Tensor& base, bool multi_output) {
  TensorImpl* b = base.unsafeGetTensorImpl();
  TensorImpl* root = b->view_base();
  // As PyTorch's creation meta: grad mode off or several outputs mark the view; a plain view takes
  // what the view it was taken from had.
  const bool grad = GradMode::is_enabled(), inherit = grad && !multi_output && root != nullptr;
  // Inference mode marks every view made in it (a view of an inference tensor is one too, and
  // never reaches a recorded in-place op): no view made there is recorded, even with grad mode on.
  const bool inference = InferenceMode::is_enabled() || (inherit && b->view_made_in_inference());
  const bool no_grad = !grad || inference || (inherit && b->view_made_in_no_grad());
  const bool multi = !inference && ((grad && multi_output) || (inherit && b->view_multi_output()));
  view.unsafeGetTensorImpl()->set_view_base(intrusive_ptr<TensorImpl>(root ? root : b), no_grad, multi, inference);
}

void check_no_grad_view_inplace(const Tensor& self, std::initializer_list<Tensor> others) {
  if (!GradMode::is_enabled() || InferenceMode::is_enabled()) return;
  const TensorImpl* impl = self.unsafeGetTensorImpl();
  if (!impl->view_made_in_no_grad() && !impl->view_multi_output()) return;
  // PyTorch's view made in no_grad mode requires grad when its base does (Tensor::requires_grad).
  bool records = self.requires_grad();
  for (const Tensor& o : others) records = records || (o.defined() && o.requires_grad());
  if (records) check_recorded_view_inplace(self);
}

namespace {

// Whether a backward formula must be written with differentiable ops (create_graph).
bool builds_graph(const Tensor& g) { return GradMode::is_enabled() && g.requires_grad(); }

// Where a view sits inside its base: the base's sizes and strides, and the view's sizes, strides
// and offset relative to the base's first element. A gradient buffer laid out with the base's
// strides (make_buffer) holds the view's region at the view's own strides, whatever the base's
// layout, as long as no two of the base's elements share a location.
struct ViewGeometry {
  DimVector base_sizes, base_strides;
  DimVector sizes, strides;
  int64_t offset = 0;
  // Zeros in the base's layout; the returned tensor has the base's shape and strides.
  Tensor make_buffer(ScalarType dtype) const {
    int64_t extent = 1;
    for (size_t d = 0; d < base_sizes.size(); ++d) {
      if (base_sizes[d] == 0) extent = 0;
      if (extent) extent += (base_sizes[d] - 1) * base_strides[d];
    }
    Tensor flat(make_intrusive<TensorImpl>(dtype, IntArrayRef{extent}));
    {
      NoGradGuard ng;
      flat.zero_();
    }
    auto* impl = flat.unsafeGetTensorImpl();
    return Tensor(make_intrusive<TensorImpl>(impl->storage(), dtype, base_sizes, base_strides, 0));
  }
  // For each of the view's elements (row-major), the base's element it is, as an index into the
  // base's row-major order.
  Tensor base_indices() const {
    Tensor index = make_buffer(kLong);
    NoGradGuard ng;
    index.copy_(ops::positions(base_sizes));
    return in(index).reshape({-1});
  }
  // Whether two of the view's elements are one location (an expanded view).
  bool overlaps() const { return overlaps_itself(sizes, strides); }
  // The view's region of a buffer from make_buffer. The view may no longer lie inside its base (the
  // base was resized, or given other data, after the view was taken): PyTorch's as_strided check
  // then fails, and so does this one, before anything is read or written.
  Tensor in(const Tensor& buffer) const {
    auto* impl = buffer.unsafeGetTensorImpl();
    EMBER_CHECK(offset >= 0, "Tensor: invalid storage offset ", offset);
    int64_t last = offset;  // the view's last element, -1 when it has none
    for (size_t d = 0; d < sizes.size() && last >= 0; ++d)
      last = sizes[d] == 0 ? -1 : last + (sizes[d] - 1) * strides[d];
    const size_t itemsize = buffer.itemsize(), available = impl->storage()->nbytes();
    EMBER_CHECK(last < 0 || static_cast<size_t>(last + 1) * itemsize <= available, "setStorage: sizes ",
                IntArrayRef(sizes), ", strides ", IntArrayRef(strides), ", storage offset ", offset, ", and itemsize ",
                itemsize, " requiring a storage size of ", static_cast<size_t>(last + 1) * itemsize,
                " are out of bounds for storage of size ", available);
    return Tensor(make_intrusive<TensorImpl>(impl->storage(), impl->dtype(), sizes, strides, offset));
  }
};

// The base's backward after an in-place op `fn` on one of its views: the view's region of the
// gradient goes through fn, the rest passes unchanged.
class CopySlices final : public Node {
 public:
  intrusive_ptr<Node> fn;
  ViewGeometry view;
  // LibTorch's name() for the nodes it writes by hand carries their namespace (Python's repr
  // shows the type's name alone: grad_fn_name).
  std::string name() const override { return "torch::autograd::CopySlices"; }
  variable_list apply(variable_list&& g) override {
    variable_list r;
    Tensor out;
    if (builds_graph(g[0])) {
      // With public ops, so that create_graph differentiates through it.
      const Tensor idx = view.base_indices();
      const Tensor flat = g[0].reshape({-1});
      r = fn->apply({flat.index_select(0, idx).view(view.sizes)});
      Tensor region = r[0].defined() ? r[0].reshape({-1}) : flat.index_select(0, idx).mul(0);
      out = index_put(flat, {idx}, region).view(view.base_sizes);
    } else {
      out = view.make_buffer(g[0].dtype());
      Tensor region = view.in(out);
      {
        NoGradGuard ng;
        out.copy_(g[0]);
      }
      r = fn->apply({region.clone()});
      {
        NoGradGuard ng;
        if (r[0].defined()) region.copy_(r[0]);
        else region.zero_();
      }
      if (!out.is_contiguous()) out = out.contiguous();
    }
    variable_list result{std::move(out)};
    for (size_t i = 1; i < r.size(); ++i) result.push_back(r[i]);
    return result;
  }
  void release_variables() override { fn->release_variables(); }
};

// The view's own backward after such an op (or after one on its base): its gradient placed into
// zeros of the base's shape, summed where several of the view's elements are one of the base's.
class AsStridedBackward0 final : public Node {
 public:
  ScalarType dtype;
  ViewGeometry view;
  std::string name() const override { return "AsStridedBackward0"; }
  variable_list apply(variable_list&& g) override {
    if (builds_graph(g[0]) || view.overlaps()) {
      Tensor flat = index_add(zeros({numel_of(view.base_sizes)}, TensorOptions(dtype)), 0, view.base_indices(),
                              g[0].reshape({-1}));
      return {flat.view(view.base_sizes)};
    }
    Tensor out = view.make_buffer(dtype);
    NoGradGuard ng;
    view.in(out).copy_(g[0]);
    return {out.is_contiguous() ? out : out.contiguous()};
  }
};

ViewGeometry geometry_of(const Tensor& view, const Tensor& base) {
  return {DimVector(base.sizes()), DimVector(base.strides()), DimVector(view.sizes()), DimVector(view.strides()),
          view.storage_offset() - base.storage_offset()};
}

// self's history becomes `fn`; a gradient retained on self follows it (PyTorch's retains_grad hook
// moves with grad_fn), so it is the gradient of self's new value.
void replace_history(const Tensor& self, AutogradMeta& m, const intrusive_ptr<Node>& fn) {
  if (m.retained_grad_) {
    if (m.grad_fn_) m.grad_fn_->remove_retained_grad(m.retained_grad_.get());
    fn->add_retained_grad(0, m.retained_grad_);
  }
  m.grad_fn_ = fn;
  m.output_nr_ = 0;
  if (self.unsafeGetTensorImpl()->view_base()) self.unsafeGetTensorImpl()->set_view_version(self._version());
}

// The view's history as a view of its base's current history.
[[gnu::cold]] intrusive_ptr<Node> view_of_base_history(const Tensor& view, const Tensor& base) {
  auto fn = make_intrusive<AsStridedBackward0>();
  fn->dtype = base.dtype();
  fn->view = geometry_of(view, base);
  fn->mutable_next_edges().push_back(gradient_edge(base));
  return fn;
}

// In-place op `fn` on a view of `base`: base's history becomes CopySlices, the view's a view of it.
[[gnu::cold]] void rebase_view(const Tensor& self, const Tensor& base, AutogradMeta& m, const intrusive_ptr<Node>& fn) {
  auto cs = make_intrusive<CopySlices>();
  cs->fn = fn;
  cs->view = geometry_of(self, base);
  auto& edges = cs->mutable_next_edges();
  edges.push_back(gradient_edge(base));
  for (size_t i = 1; i < fn->next_edges().size(); ++i) edges.push_back(fn->next_edge(i));
  // Not set_history: as LibTorch, an in-place op that keeps an integer base's dtype but records a
  // node (ge_ with an operand requiring grad) gives the base history, as it does to a non-view.
  auto& bm = materialize_meta(base);
  bm.grad_fn_ = cs;
  bm.output_nr_ = 0;
  replace_history(self, m, view_of_base_history(self, base));
}

}  // namespace

void check_rebase(const Tensor& self, const Node* node) {
  if (node) check_recorded_view_inplace(self);
}

void rebase_history(const Tensor& self, const intrusive_ptr<Node>& node) {
  self.unsafeGetTensorImpl()->storage()->bump_version();
  if (!node) return;
  // The op called check_rebase before it wrote; this keeps any other path from giving the view a
  // history.
  check_rebase(self, node.get());
  auto& m = materialize_meta(self);
  if (const Tensor base = view_base_of(self); base.defined()) {
    rebase_view(self, base, m, node);
    return;
  }
  replace_history(self, m, node);
}

[[gnu::cold]] void refresh_view_history(const Tensor& view) {
  TensorImpl* impl = view.unsafeGetTensorImpl();
  const Tensor base = view_base_of(view);
  // As PyTorch: a view without history, of a base outside the graph, has nothing to replay (and its
  // version is left as it is, so it is replayed once the base joins the graph).
  if (!base.requires_grad()) {
    auto* m = meta_of(view);
    if (!m || !m->grad_fn_) return;
  }
  std::lock_guard<std::mutex> lock(g_view_refresh_mutex);
  if (!impl->view_history_stale()) return;  // another thread did it
  if (impl->view_made_in_no_grad()) throw_no_grad_view(impl, true);
  if (impl->view_multi_output()) throw_multi_output_view(view, true);
  // The gradient is laid out with the base's strides, which needs distinct elements (as CopySlices).
  EMBER_CHECK(!overlaps_itself(base),
              "unsupported operation: a view whose base tensor has several elements at one memory location (e.g. "
              "an expanded tensor) was used after an in-place operation on the base or on another view of it. "
              "Please clone() the base first.");
  replace_history(view, materialize_meta(view), view_of_base_history(view, base));
}

// ---- SavedVariable ----

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  EMBER_CHECK(!t.is_inference(),
              "Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal "
              "tensor and use it in autograd.");
  was_defined_ = true;
  is_output_ = is_output;
  version_ = t.unsafeGetTensorImpl()->storage()->version();
  auto* m = meta_of(t);
  // An output is saved just before its op makes it part of the graph: it will require grad.
  requires_grad_ = is_output || t.requires_grad();
  if (is_output) {
    data_ = shallow_alias(t);
    output_nr_ = m ? m->output_nr_ : 0;
  } else {
    data_ = t;
    if (m) grad_fn_for_msg_ = m->grad_fn_, output_nr_ = m->output_nr_;
  }
}

void SavedVariable::reset_data() {
  if (!was_defined_) return;
  data_.reset();
  grad_fn_for_msg_.reset();
  released_ = true;
}

Tensor SavedVariable::unpack(Node* owner) const {
  if (!was_defined_) return Tensor();
  EMBER_CHECK(!released_,
              "Trying to backward through the graph a second time (or directly access saved tensors after they "
              "have already been freed). Saved intermediate values of the graph are freed when you call "
              ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
              "graph a second time or if you need to access saved tensors after calling backward.");
  uint32_t now = data_.unsafeGetTensorImpl()->storage()->version();
  if (now != version_) {
    std::ostringstream msg;
    msg << "one of the variables needed for gradient computation has been modified by an inplace operation: ["
        << type_and_shape(data_) << "]";
    Node* fn = is_output_ ? owner : grad_fn_for_msg_.get();
    if (fn) msg << ", which is output " << output_nr_ << " of " << fn->name() << ",";
    msg << " is at version " << now << "; expected version " << version_ << " instead.";
    if (!AnomalyMode::is_enabled())
      msg << " Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
             "with torch.autograd.set_detect_anomaly(True).";
    else
      msg << " Hint: the backtrace further above shows the operation that failed to compute its gradient. "
             "The variable in question was changed in there or anywhere later. Good luck!";
    fail(msg.str());
  }
  if (!is_output_) return data_;
  // A saved output: give it back its history when a graph of the backward is being built.
  if (owner && requires_grad_ && GradMode::is_enabled()) {
    Tensor t = shallow_alias(data_);
    set_history(t, intrusive_ptr<Node>(owner), output_nr_);
    return t;
  }
  return data_;
}

// ---- AccumulateGrad ----

AccumulateGrad::AccumulateGrad(Tensor variable) : variable_(std::move(variable)) {
  sequence_nr_ = UINT64_MAX;
}

AccumulateGrad::~AccumulateGrad() {
  if (auto* m = meta_of(variable_)) {
    if (m->grad_accumulator_ == this) m->grad_accumulator_ = nullptr;
  }
}

bool AccumulateGrad::runs_user_code() const {
  const auto* m = meta_of(variable_);
  if (m == nullptr) return false;
  for (const auto& h : m->hooks_)
    if (h->fn) return true;
  for (const auto& h : m->post_accumulate_hooks_)
    if (h->fn) return true;
  return false;
}

void check_hook_result(const Tensor& grad, const Tensor& result, size_t index) {
  if (!result.defined()) return;  // no change
  if (result.dtype() != grad.dtype()) {
    fail("hook '", index, "' has changed the type of value (was ", type_name(grad), " got ", type_name(result), ")");
  }
  EMBER_CHECK(result.sizes() == grad.sizes(), "hook '", index, "' has changed the size of value");
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  Tensor g = std::move(grads[0]);
  // A leaf that stopped requiring grad after the graph was built gets nothing (LibTorch's rule).
  if (!g.defined() || !variable_.requires_grad()) return {};
  auto& m = materialize_meta(variable_);
  for (size_t i = 0; i < m.hooks_.size(); ++i) {
    const auto& h = m.hooks_[i];
    if (!h->fn) continue;
    Tensor r = h->fn(g);
    check_hook_result(g, r, i);
    if (r.defined()) g = r;
  }
  EMBER_CHECK(g.sizes() == variable_.sizes(), "AccumulateGrad: the gradient has shape ", g.sizes(),
              " but the leaf tensor has shape ", variable_.sizes());
  if (g.dtype() != variable_.dtype()) g = g.to(variable_.dtype());
  if (!m.grad_.defined()) {
    if (GradMode::is_enabled()) {
      m.grad_ = g;  // create_graph: keep the gradient's own history
    } else {
      auto* gi = g.unsafeGetTensorImpl();
      bool stealable = g.use_count() == 1 && gi->storage().use_count() == 1 && g.is_contiguous() && !g.requires_grad();
      m.grad_ = stealable ? g : g.detach().clone();
    }
  } else if (!GradMode::is_enabled()) {
    m.grad_.add_(g);
  } else {
    m.grad_ = m.grad_.add(g);
  }
  // By index: a hook may register another (the vector grows; the new one first runs next pass).
  const size_t post_hooks = m.post_accumulate_hooks_.size();
  for (size_t i = 0; i < post_hooks; ++i) {
    const std::shared_ptr<PostAccumulateGradHook> h = m.post_accumulate_hooks_[i];
    if (h->fn) h->fn(variable_);
  }
  return {};
}

unsigned register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook) {
  EMBER_CHECK(leaf.defined(), "register_post_accumulate_grad_hook: the tensor is undefined");
  EMBER_CHECK(leaf.requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
  EMBER_CHECK(leaf.is_leaf(), "post accumulate grad hooks cannot be registered on non-leaf tensors");
  EMBER_CHECK(static_cast<bool>(hook), "register_post_accumulate_grad_hook: the hook is empty");
  auto& m = materialize_meta(leaf);
  auto h = std::make_shared<PostAccumulateGradHook>();
  h->fn = std::move(hook);
  m.post_accumulate_hooks_.push_back(std::move(h));
  return static_cast<unsigned>(m.post_accumulate_hooks_.size() - 1);
}

void remove_post_accumulate_grad_hook(const Tensor& leaf, unsigned handle) {
  auto* m = meta_of(leaf);
  EMBER_CHECK(m && handle < m->post_accumulate_hooks_.size(), "Invalid index, no hook at position ", handle);
  m->post_accumulate_hooks_[handle]->fn = nullptr;
}

}  // namespace autograd

using autograd::AutogradMeta;
using autograd::materialize_meta;
using autograd::meta_of;

// ---- Tensor's autograd methods ----

bool Tensor::requires_grad() const {
  auto* m = meta_of(*this);
  if (m && (m->requires_grad_ || m->grad_fn_)) return true;
  // A view requires grad when its base does, as in PyTorch: also one made under no_grad (a leaf
  // whose gradient goes nowhere), and one whose base joined the graph after it was made. Not a view
  // of an inference tensor: LibTorch's view op on it ran past autograd.
  const TensorImpl* base = defined() ? unsafeGetTensorImpl()->view_base() : nullptr;
  if (base && base->storage()->is_inference()) return false;
  const auto* bm = base ? static_cast<const AutogradMeta*>(base->autograd_meta()) : nullptr;
  return bm && (bm->requires_grad_ || bm->grad_fn_);
}

const Tensor& Tensor::requires_grad_(bool requires_grad) const {
  auto* m = meta_of(mutable_self());
  if (m && m->grad_fn_) {
    EMBER_CHECK(requires_grad,
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
                "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    return mutable_self();
  }
  EMBER_CHECK(!requires_grad || is_floating_type(dtype()),
              "only Tensors of floating point dtype can require gradients");
  EMBER_CHECK(!requires_grad || !is_inference() || InferenceMode::is_enabled(),
              "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  if (!requires_grad && !m) return mutable_self();
  materialize_meta(mutable_self()).requires_grad_ = requires_grad;
  return mutable_self();
}
const Tensor& Tensor::set_requires_grad(bool r) const { return requires_grad_(r); }

bool Tensor::is_leaf() const {
  autograd::sync_view_history(*this);
  auto* m = meta_of(*this);
  return !m || !m->grad_fn_;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  auto* m = meta_of(*this);
  if (!m) return undefined;
  if (m->retained_grad_) return *m->retained_grad_;
  return m->grad_;
}

Tensor& Tensor::mutable_grad() const {
  auto& m = materialize_meta(*this);
  if (m.retained_grad_) return *m.retained_grad_;
  return m.grad_;
}

void Tensor::set_grad(const Tensor& g) const {
  if (g.defined()) {
    EMBER_CHECK(g.sizes() == sizes(), "assigned grad has data of a different size");
    EMBER_CHECK(g.dtype() == dtype(), "assigned grad has data of a different type");
  }
  mutable_grad() = g;
}

intrusive_ptr<autograd::Node> Tensor::grad_fn() const {
  autograd::sync_view_history(*this);
  auto* m = meta_of(*this);
  return m ? m->grad_fn_ : intrusive_ptr<autograd::Node>();
}

uint32_t Tensor::output_nr() const {
  auto* m = meta_of(*this);
  return m ? m->output_nr_ : 0;
}

int64_t Tensor::_version() const {
  EMBER_CHECK(defined(), detail::kUndefinedTensor);
  EMBER_CHECK(!is_inference(), "Inference tensors do not track version counter.");
  return unsafeGetTensorImpl()->storage()->version();
}

Tensor Tensor::_base() const {
  TensorImpl* b = unsafeGetTensorImpl()->view_base();
  EMBER_CHECK(b != nullptr, "Can't get base of non-view Tensor");
  return Tensor(intrusive_ptr<TensorImpl>(b));
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      std::optional<TensorList> inputs) const {
  variable_list in;
  if (inputs) {
    EMBER_CHECK(!inputs->empty(), "'inputs' argument to backward() cannot be empty.");
    in = inputs->vec();
  }
  autograd::backward({*this}, {gradient}, retain_graph, create_graph, in);
}

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  autograd::sync_view_history(*this);
  auto& m = materialize_meta(*this);
  if (!m.grad_fn_ || m.retained_grad_) return;  // leaves keep .grad anyway
  m.retained_grad_ = std::make_shared<Tensor>();
  m.grad_fn_->add_retained_grad(m.output_nr_, m.retained_grad_);
}

bool Tensor::retains_grad() const {
  auto* m = meta_of(*this);
  return m && m->retained_grad_ != nullptr;
}

unsigned Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
  autograd::sync_view_history(*this);
  auto& m = materialize_meta(*this);
  auto h = std::make_shared<autograd::Hook>();
  h->fn = std::move(hook);
  if (m.grad_fn_) m.grad_fn_->add_pre_hook(m.output_nr_, h);
  m.hooks_.push_back(h);
  return static_cast<unsigned>(m.hooks_.size() - 1);
}

void Tensor::remove_hook(unsigned pos) const {
  auto* m = meta_of(*this);
  EMBER_CHECK(m && pos < m->hooks_.size(), "Invalid index, no hook at position ", pos);
  m->hooks_[pos]->fn = nullptr;
}

Tensor Tensor::detach() const {
  Tensor out = autograd::shallow_alias(*this);
  return out;
}

Tensor& Tensor::detach_() const {
  EMBER_CHECK(defined(), detail::kUndefinedTensor);
  EMBER_CHECK(!unsafeGetTensorImpl()->is_view(),
              "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for "
              "training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence "
              "detach_() cannot be called on these gradients. To fix this error, please refer to the "
              "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
  auto* m = meta_of(mutable_self());
  if (m) {
    m->grad_fn_.reset();
    m->requires_grad_ = false;
    m->output_nr_ = 0;
  }
  return mutable_self();
}

Tensor Tensor::data() const { return detach(); }

void Tensor::set_data(const Tensor& new_data) const {
  EMBER_CHECK(new_data.defined(), "set_data: new data is undefined");
  EMBER_CHECK(defined(), detail::kUndefinedTensor);
  EMBER_CHECK(!requires_grad() || is_floating_type(new_data.dtype()),
              "data set to a tensor that requires gradients must be floating point or complex dtype");
  auto* src = new_data.unsafeGetTensorImpl();
  unsafeGetTensorImpl()->set_storage(src->storage(), src->dtype(), src->sizes(), src->strides(), src->storage_offset());
}

}  // namespace ember
