// Views made with grad mode off: they still record their base and share its version counter, and an
// in-place op on one with grad mode on is refused, as in PyTorch 1.13 (texts and numbers from it).
// And the views split, chunk and unbind return, whose in-place ops PyTorch 1.13 refuses likewise.
#include <gtest/gtest.h>

#include "ember/ember.h"
#include "expect_error.h"

using namespace ember;

namespace {
const std::string kNoGradView =
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use "
    "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
    "you want the inplace to be tracked).";
}  // namespace

// Before, such a view recorded no base: _base() did not exist, and the in-place ops below were
// accepted (on a base outside the graph, the view silently took a history its base never saw).
TEST(ViewNoGrad, RecordsItsBaseAndSharesTheVersion) {
  auto b = zeros({3});
  Tensor v, vv;
  {
    NoGradGuard ng;
    v = b.slice(0, 1);
    vv = v.slice(0, 0, 1);  // a view of the view: the base is the root
    v.add_(1);
  }
  EXPECT_TRUE(v.is_view());
  EXPECT_TRUE(v._base().is_same(b));
  EXPECT_TRUE(vv._base().is_same(b));
  EXPECT_EQ(b._version(), 1);
  EXPECT_EQ(v._version(), 1);
  EXPECT_EQ(error_of([&] { b._base(); }), "Can't get base of non-view Tensor");

  // Written with grad mode on but nothing requiring grad: allowed, even over an expanded base, whose
  // elements share memory (PyTorch 1.13: [2., 2., 2.], version 1).
  auto e = zeros({1}).expand({3});
  Tensor ve;
  {
    NoGradGuard ng;
    ve = e.slice(0, 0, 1);
  }
  ve.add_(2);
  EXPECT_TRUE(e.equal(tensor({2.f, 2.f, 2.f})));
  EXPECT_EQ(e._version(), 1);
}

TEST(ViewNoGrad, InplaceWithGradModeOnIsRefused) {
  auto x = tensor({1., 2., 3.}, requires_grad());
  auto a = x.clone();
  auto w = tensor({2., 2.}, requires_grad());
  Tensor v;
  {
    NoGradGuard ng;
    v = a.slice(0, 0, 2);
  }
  // The base requires grad: refused even with a plain number (PyTorch: v.mul_(2)).
  EXPECT_EQ(error_of([&] { v.mul_(2); }), kNoGradView);
  EXPECT_EQ(error_of([&] { v.mul_(w); }), kNoGradView);
  EXPECT_EQ(error_of([&] { v.copy_(w); }), kNoGradView);
  EXPECT_EQ(a._version(), 0);  // refused before anything was written
  EXPECT_TRUE(a.detach().equal(tensor({1., 2., 3.})));

  // A leaf requiring grad as the base: the no_grad message, not the leaf one.
  Tensor vl;
  {
    NoGradGuard ng;
    vl = x.slice(0, 0, 2);
  }
  EXPECT_EQ(error_of([&] { vl.mul_(2); }), kNoGradView);

  // A base outside the graph: refused when the op brings in a tensor requiring grad, allowed
  // otherwise (PyTorch: vb.mul_(w) raises, vc.mul_(2) does not).
  auto c = zeros({3});
  Tensor vc;
  {
    NoGradGuard ng;
    vc = c.slice(0, 0, 2);
  }
  EXPECT_EQ(error_of([&] { vc.mul_(w); }), kNoGradView);
  EXPECT_EQ(error_of([&] { vc.add_(w, 2); }), kNoGradView);
  EXPECT_EQ(error_of([&] { vc.copy_(w); }), kNoGradView);
  EXPECT_FALSE(vc.requires_grad());
  EXPECT_EQ(c._version(), 0);
  EXPECT_EQ(error_of([&] { vc.mul_(2); }), "<no error>");
  EXPECT_EQ(c._version(), 1);

  // Inside no_grad the same in-place op is fine and is not recorded.
  {
    NoGradGuard ng;
    v.mul_(2);
  }
  EXPECT_TRUE(a.detach().equal(tensor({2., 4., 3.})));
  EXPECT_EQ(std::string(a.grad_fn()->name()), "CloneBackward0");
}

// Written through a view under no_grad, the base saved for backward is caught at its new version.
TEST(ViewNoGrad, InplaceUnderNoGradBumpsTheBaseSavedForBackward) {
  auto x = tensor({1., 2., 3.}, requires_grad());
  auto y = x.clone();
  auto z = (y * y).sum();
  {
    NoGradGuard ng;
    y.slice(0, 1).mul_(10);
  }
  EXPECT_EQ(y._version(), 1);
  EXPECT_EQ(error_of([&] { z.backward(); }),
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[torch.FloatTensor [3]], which is output 0 of CloneBackward0, is at version 1; expected version 0 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True).");
}

// A view made under no_grad of a tensor that requires grad requires grad too, but is a leaf with no
// grad_fn whose gradient goes nowhere (PyTorch 1.13). Before, it did not require grad, so ops on it
// recorded nothing.
TEST(ViewNoGrad, ViewOfATensorThatRequiresGradRequiresGrad) {
  auto w = tensor({1.f, 2.f, 3.f}, requires_grad());
  for (bool leaf : {true, false}) {
    auto base = leaf ? w : w * 1;
    Tensor v;
    {
      NoGradGuard ng;
      v = base.slice(0, 0, 2);
    }
    EXPECT_TRUE(v.requires_grad());
    EXPECT_TRUE(v.is_leaf());
    EXPECT_FALSE(v.grad_fn());
    EXPECT_EQ(repr(v), "tensor([1., 2.], requires_grad=True)");
    auto y = v * 2;
    EXPECT_EQ(repr(y), "tensor([2., 4.], grad_fn=<MulBackward1>)");  // mul(Scalar), as LibTorch names it
    ASSERT_TRUE(y.grad_fn());
    EXPECT_FALSE(y.grad_fn()->next_edge(0).is_valid());
    y.sum().backward();
    EXPECT_FALSE(w.grad().defined());
    EXPECT_EQ(error_of([&] { v.backward(ones({2})); }),
              "element 0 of tensors does not require grad and does not have a grad_fn");
  }
}

// Once its base is written in place (with grad mode on or off), such a view cannot be used with
// grad mode on: its history would be ambiguous (PyTorch 1.13's error).
TEST(ViewNoGrad, BaseWrittenInPlaceMakesTheViewUnusable) {
  const std::string indirect =
      "A view was created in no_grad mode and its base or another view of its base has been modified inplace "
      "with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can "
      "clarify your code by moving both the view and the inplace either both inside the no_grad block (if you "
      "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).";
  auto w = tensor({1.f, 2.f, 3.f}, requires_grad());
  for (bool write_in_no_grad : {false, true}) {
    auto b = w * 1;
    Tensor v;
    {
      NoGradGuard ng;
      v = b.slice(0, 0, 2);
    }
    if (write_in_no_grad) {
      NoGradGuard ng;
      b.mul_(2);
    } else {
      b.mul_(2);
    }
    EXPECT_TRUE(v.requires_grad());
    EXPECT_EQ(error_of([&] { v.grad_fn(); }), indirect);
    EXPECT_EQ(error_of([&] { v.is_leaf(); }), indirect);
    EXPECT_EQ(error_of([&] { v + 1; }), indirect);
    NoGradGuard ng;
    EXPECT_TRUE((v + 1).equal(tensor({3.f, 5.f})));
  }

  // A base outside the graph that joins it through an in-place op.
  auto c = zeros({3});
  Tensor vc;
  {
    NoGradGuard ng;
    vc = c.slice(0, 0, 2);
  }
  c.copy_(w * 1);
  EXPECT_TRUE(vc.requires_grad());
  EXPECT_EQ(error_of([&] { vc * 1; }), indirect);
}

// In-place ops that bring in an operand requiring grad refuse a view made under no_grad before they
// write (as PyTorch 1.13 does for each): the base keeps its values and its version. Before, several
// wrote first and threw afterwards.
TEST(ViewNoGrad, InplaceOpsRefuseBeforeWriting) {
  auto w = tensor({1.f, 2.f, 3.f}, requires_grad());
  const auto i0 = tensor({0}, TensorOptions().dtype(kLong));
  const auto i1 = tensor({1}, TensorOptions().dtype(kLong));
  const auto mask = tensor({true, false});
  const std::vector<std::pair<std::string, std::function<void(Tensor&)>>> ops = {
      {"index_put_", [&](Tensor& v) { v.index_put_({i0}, w.slice(0, 0, 1)); }},
      {"scatter_", [&](Tensor& v) { v.scatter_(0, i1, w.slice(0, 0, 1)); }},
      {"masked_fill_", [&](Tensor& v) { v.masked_fill_(mask, w.sum()); }},
      {"index_copy_", [&](Tensor& v) { v.index_copy_(0, i1, w.slice(0, 0, 1)); }},
      {"index_add_", [&](Tensor& v) { v.index_add_(0, i1, w.slice(0, 0, 1)); }},
      {"masked_scatter_", [&](Tensor& v) { v.masked_scatter_(mask, w); }},
      {"put_", [&](Tensor& v) { v.put_(i1, w.slice(0, 0, 1)); }},
      {"lerp_", [&](Tensor& v) { v.lerp_(w.slice(0, 0, 2), 0.5); }},
      {"addcmul_", [&](Tensor& v) { v.addcmul_(w.slice(0, 0, 2), w.slice(0, 0, 2)); }},
      {"clamp_", [&](Tensor& v) { v.clamp_(w.slice(0, 0, 2)); }},
      {"fill_", [&](Tensor& v) { v.fill_(w.sum()); }},
      {"index_fill_", [&](Tensor& v) { v.index_fill_(0, i1, w.sum()); }},
  };
  for (const auto& [name, op] : ops) {
    const auto& run = op;
    auto d = zeros({3});
    Tensor v;
    {
      NoGradGuard ng;
      v = d.slice(0, 0, 2);
    }
    EXPECT_EQ(error_of([&] { run(v); }), kNoGradView) << name;
    EXPECT_TRUE(d.equal(zeros({3}))) << name << ": " << repr(d);
    EXPECT_EQ(d._version(), 0) << name;
    EXPECT_FALSE(v.requires_grad()) << name;
  }
  // A random fill with a probability tensor that requires grad refuses before it draws: the
  // generator is where it was. Before, bernoulli_ drew the uniforms first.
  auto p = full({2}, 0.5f, requires_grad());
  auto d = zeros({3});
  Tensor v;
  {
    NoGradGuard ng;
    v = d.slice(0, 0, 2);
  }
  manual_seed(7);
  EXPECT_EQ(error_of([&] { v.bernoulli_(p); }), kNoGradView);
  const Tensor after = rand({4});
  manual_seed(7);
  EXPECT_TRUE(after.equal(rand({4})));
  EXPECT_TRUE(d.equal(zeros({3})));
  EXPECT_EQ(d._version(), 0);
}

// The views one op returns several of (split, chunk, unbind): PyTorch 1.13 refuses to modify one in
// place where the op would be recorded, and refuses to use one once its base or a sibling was
// written; with grad mode off, or nothing requiring grad, both are allowed. Texts and cases from
// PyTorch 1.13. Before, ember allowed all of them.
TEST(ViewMultiOutput, InplaceRecordedOrAfterTheBaseWasWrittenIsRefused) {
  const std::string multi =
      " This view is the output of a function that returns multiple views. Such functions do not allow the output "
      "views to be modified inplace. You should replace the inplace operation by an out-of-place one.";
  auto w = tensor({1.f, 2.f, 3.f, 4.f}, requires_grad());

  // In place on a piece, recorded: refused before anything is written.
  auto b = w * 1;
  auto pieces = b.chunk(2);
  EXPECT_EQ(error_of([&] { pieces[1].add_(1); }),
            "Output 1 of SplitBackward0 is a view and is being modified inplace." + multi);
  EXPECT_EQ(b._version(), 0);
  EXPECT_TRUE(b.detach().equal(tensor({1.f, 2.f, 3.f, 4.f})));
  auto rows = (w * 1).view({2, 2}).unbind(0);
  EXPECT_EQ(error_of([&] { rows[0].mul_(2); }),
            "Output 0 of UnbindBackward0 is a view and is being modified inplace." + multi);
  auto sized = (w * 1).split(std::vector<int64_t>{1, 3});
  EXPECT_EQ(error_of([&] { sized[1].zero_(); }),
            "Output 1 of SplitWithSizesBackward0 is a view and is being modified inplace." + multi);
  // A view of a piece inherits the rule, under its own node's name.
  auto part = (w * 1).split(2)[0].view({2});
  EXPECT_EQ(error_of([&] { part.add_(1); }),
            "Output 0 of ViewBackward0 is a view and is being modified inplace." + multi);
  // A piece of a tensor outside the graph, written with an operand that requires grad.
  auto plain = zeros({3}).chunk(3);
  EXPECT_EQ(error_of([&] { plain[0].add_(w.slice(0, 0, 1)); }),
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled." + multi);

  // Not recorded: allowed, and the base sees the write.
  {
    NoGradGuard ng;
    pieces[0].add_(10);
  }
  zeros({3}).chunk(3)[1].add_(1);
  auto free = zeros({4});
  free.split(2)[1].fill_(5);
  EXPECT_TRUE(free.equal(tensor({0.f, 0.f, 5.f, 5.f})));

  // A piece used after its base or a sibling was written: refused, directly or through an op.
  const std::string indirect = " is a view and its base or another view of its base has been modified inplace.";
  EXPECT_EQ(error_of([&] { pieces[1].grad_fn(); }), "Output 1 of SplitBackward0" + indirect + multi);
  EXPECT_EQ(error_of([&] { pieces[1] * 2; }), "Output 1 of SplitBackward0" + indirect + multi);
  auto c = w * 1;
  auto cols = c.unbind(0);
  c.mul_(2);
  EXPECT_EQ(error_of([&] { cols[3].sum(); }), "Output 3 of UnbindBackward0" + indirect + multi);
  // The base itself stays usable, with PyTorch's gradient.
  c.sum().backward();
  EXPECT_TRUE(w.grad().equal(tensor({2.f, 2.f, 2.f, 2.f})));
  // An untouched piece is used as before.
  auto d = w * 1;
  auto halves = d.split(2);
  (halves[0] * 3).sum().backward();
  EXPECT_TRUE(w.grad().equal(tensor({5.f, 5.f, 2.f, 2.f})));
}
