// Inference mode and inference tensors, as LibTorch 1.13 (c10::InferenceMode): the flags, texts and
// values here were read from LibTorch programs doing the same. Before, InferenceMode only turned
// grad mode off: is_inference() was false for every tensor and none of these errors was raised.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "ember/ember.h"
#include "expect_error.h"

using namespace ember;

namespace {
std::vector<float> values(const Tensor& t) {
  Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

const std::string kInplace =
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal "
    "tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.";
const std::string kSaved =
    "Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor "
    "and use it in autograd.";
const std::string kVersion = "Inference tensors do not track version counter.";
const std::string kRequiresGrad =
    "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.";
const std::string kClarify =
    ". Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
    "both the view and the inplace either both inside the inference_mode block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked).";
}  // namespace

TEST(InferenceMode, ModesNestAndRestore) {
  EXPECT_FALSE(InferenceMode::is_enabled());
  {
    NoGradGuard ng;
    EXPECT_FALSE(InferenceMode::is_enabled());  // no_grad is not inference mode
  }
  {
    InferenceMode im;
    EXPECT_TRUE(InferenceMode::is_enabled());
    EXPECT_FALSE(GradMode::is_enabled());
    {
      InferenceMode off(false);
      EXPECT_FALSE(InferenceMode::is_enabled());
      EXPECT_TRUE(GradMode::is_enabled());
      EXPECT_FALSE(ones({2}).is_inference());
    }
    EXPECT_TRUE(InferenceMode::is_enabled());
    EXPECT_FALSE(GradMode::is_enabled());
  }
  EXPECT_FALSE(InferenceMode::is_enabled());
  EXPECT_TRUE(GradMode::is_enabled());
}

// A new tensor made inside is an inference tensor; a view is one when its base is.
TEST(InferenceMode, WhichTensorsAreInferenceTensors) {
  Tensor normal = ones({2, 3});
  float buf[6] = {1, 2, 3, 4, 5, 6};
  Tensor inf, view_of_inf, view_of_normal, detached, blob, sum, cloned;
  {
    InferenceMode im;
    inf = ones({2, 3});
    view_of_inf = inf.view({3, 2});
    view_of_normal = normal.view({3, 2});
    detached = normal.detach();
    blob = from_blob(buf, {6});
    sum = normal + 1;
    cloned = normal.clone();
  }
  EXPECT_TRUE(inf.is_inference());
  EXPECT_TRUE(view_of_inf.is_inference());
  EXPECT_FALSE(view_of_normal.is_inference());
  EXPECT_FALSE(detached.is_inference());
  EXPECT_TRUE(blob.is_inference());
  EXPECT_TRUE(sum.is_inference());
  EXPECT_TRUE(cloned.is_inference());
  EXPECT_FALSE(normal.is_inference());
  // Outside: a view of an inference tensor is one, a new result is not.
  EXPECT_TRUE(inf.view({6}).is_inference());
  EXPECT_FALSE((inf + 1).is_inference());
  EXPECT_FALSE(inf.clone().is_inference());
  EXPECT_TRUE(inf.is_leaf());
  EXPECT_FALSE(inf.requires_grad());
}

// Outside inference mode an inference tensor is read-only, and the refused write changes nothing
// (LibTorch writes first and throws after).
TEST(InferenceMode, InferenceTensorsAreReadOnlyOutside) {
  Tensor inf, view;
  {
    InferenceMode im;
    inf = ones({3});
    view = inf.view({3});
    inf.add_(1);  // allowed inside
  }
  EXPECT_EQ(error_of([&] { inf.add_(5); }), kInplace);
  EXPECT_EQ(error_of([&] { view.mul_(2); }), kInplace);
  EXPECT_EQ(error_of([&] { inf.copy_(zeros({3})); }), kInplace);
  EXPECT_EQ(error_of([&] { inf.zero_(); }), kInplace);
  EXPECT_EQ(error_of([&] { inf.fill_(7); }), kInplace);
  EXPECT_EQ(error_of([&] { inf.detach().add_(1); }), kInplace);
  {
    NoGradGuard ng;  // no_grad does not lift it
    EXPECT_EQ(error_of([&] { inf.add_(5); }), kInplace);
  }
  EXPECT_EQ(values(inf), (std::vector<float>{2, 2, 2}));
  // Reading it, and writing it into a normal tensor, are fine.
  Tensor normal = zeros({3});
  normal.add_(inf);
  EXPECT_EQ(values(normal), (std::vector<float>{2, 2, 2}));
}

TEST(InferenceMode, VersionAndRequiresGrad) {
  Tensor inf, rg;
  {
    InferenceMode im;
    inf = ones({3});
    EXPECT_EQ(error_of([&] { inf._version(); }), kVersion);
    rg = ones({3});
    rg.requires_grad_();  // allowed inside
  }
  EXPECT_TRUE(rg.requires_grad());
  EXPECT_TRUE(rg.is_leaf());
  EXPECT_EQ(error_of([&] { inf._version(); }), kVersion);
  EXPECT_EQ(error_of([&] { inf.requires_grad_(); }), kRequiresGrad);
  EXPECT_EQ(error_of([&] { inf.set_requires_grad(true); }), kRequiresGrad);
  EXPECT_FALSE(inf.requires_grad());
  inf.requires_grad_(false);  // allowed
  // A normal tensor written in place inside inference mode still counts the write.
  Tensor normal = ones({3});
  {
    InferenceMode im;
    normal.add_(0);
  }
  EXPECT_EQ(normal._version(), 1);
}

TEST(InferenceMode, NothingIsRecordedInside) {
  Tensor w = ones({3}, requires_grad());
  Tensor y, z;
  {
    InferenceMode im;
    y = w * w;
    AutoGradMode on(true);  // grad mode on, but still inside inference mode
    EXPECT_TRUE(GradMode::is_enabled());
    z = w * 3;
    Tensor leaf = ones({3}, requires_grad());
    leaf.add_(1);  // no leaf check: nothing would be recorded
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_FALSE(z.requires_grad());
  EXPECT_TRUE(z.is_inference());
}

// An inference tensor used with normal tensors requiring grad: fine unless the op must save it.
TEST(InferenceMode, InferenceTensorsAndAutograd) {
  Tensor w = ones({3}, requires_grad());
  Tensor inf, rg, idx;
  {
    InferenceMode im;
    inf = full({3}, 2.0);
    rg = ones({3});
    rg.requires_grad_();
    idx = zeros({2}, TensorOptions(kLong));
  }
  EXPECT_EQ(error_of([&] { w* inf; }), kSaved);
  EXPECT_EQ(error_of([&] { inf* w; }), kSaved);
  EXPECT_EQ(error_of([&] { w.matmul(inf); }), kSaved);
  EXPECT_EQ(error_of([&] { w.index_select(0, idx); }), kSaved);
  Tensor x = w * 2;
  EXPECT_EQ(error_of([&] { x.mul_(inf); }), kSaved);
  EXPECT_EQ(values(x), (std::vector<float>{2, 2, 2}));  // refused before the write
  // add saves nothing: recorded, and w gets its gradient.
  Tensor s = w + inf;
  EXPECT_TRUE(s.requires_grad());
  EXPECT_FALSE(s.is_inference());
  s.sum().backward();
  EXPECT_EQ(values(w.grad()), (std::vector<float>{1, 1, 1}));
  // A leaf inference tensor that requires grad gets a gradient through an op with a normal tensor...
  Tensor n = full({3}, 3.0);
  Tensor r = rg * n;
  EXPECT_TRUE(r.requires_grad());
  r.sum().backward();
  EXPECT_EQ(values(rg.grad()), (std::vector<float>{3, 3, 3}));
  // ...but an op on inference tensors alone records nothing (LibTorch dispatches it past autograd).
  EXPECT_FALSE(rg.exp().requires_grad());
  EXPECT_FALSE((rg * rg).requires_grad());
  EXPECT_FALSE(cat({rg, rg}).requires_grad());
  EXPECT_TRUE(cat({rg, n}).requires_grad());
}

// A view of a normal tensor made in inference mode stays normal, but an in-place op on it that would
// be recorded is refused, with inference mode's words (CreationMeta::INFERENCE_MODE).
TEST(InferenceMode, ViewsMadeInsideOfTensorsThatRequireGrad) {
  Tensor w = ones({3}, requires_grad());
  Tensor x = w * 2;
  Tensor a, b, c, d;
  {
    InferenceMode im;
    a = x.view({3});
    b = x.view({3});
    c = a.view({3});
  }
  {
    NoGradGuard ng;
    InferenceMode im;
    d = x.view({3});
  }
  const std::string modified = "A view was created in inference mode and is being modified inplace in normal mode";
  EXPECT_EQ(error_of([&] { c.add_(1); }), modified + kClarify);
  EXPECT_EQ(error_of([&] { d.add_(1); }), modified + kClarify);
  EXPECT_EQ(error_of([&] { c.view({3}).add_(1); }), modified + kClarify);  // LibTorch: an internal assert
  EXPECT_EQ(values(x), (std::vector<float>{2, 2, 2}));
  x.add_(1);
  EXPECT_EQ(error_of([&] { a * 2; }),
            "A view was created in inference mode and its base or another view of its base has been modified inplace "
            "in normal mode" +
                kClarify);
  // Made under InferenceMode(false), a view is an ordinary one.
  Tensor f;
  {
    InferenceMode im;
    InferenceMode off(false);
    f = x.view({3});
  }
  f.add_(1);
  EXPECT_TRUE(f.requires_grad());
  // A view of a tensor that does not require grad may be written: nothing is recorded.
  Tensor plain = zeros({3}), v;
  {
    InferenceMode im;
    v = plain.view({3});
  }
  v.add_(1);
  EXPECT_EQ(values(plain), (std::vector<float>{1, 1, 1}));
}

// A model built in inference mode has inference parameters that may require grad. Used outside,
// only the bias gets a gradient, as in LibTorch: linear reads the weight through a view (t()), and a
// view of an inference tensor does not require grad. The optimizer's in-place update of the bias is
// refused before anything is written (LibTorch 1.13's Adam, RMSprop and Adagrad refuse it too; its
// SGD writes through data(), which slips past the check).
TEST(InferenceMode, ParametersMadeInside) {
  Tensor in = ones({4, 3});
  for (bool momentum : {false, true}) {
    nn::Linear lin(nullptr);
    {
      InferenceMode im;
      lin = nn::Linear(3, 2);
    }
    EXPECT_TRUE(lin->weight.is_inference());
    EXPECT_TRUE(lin->weight.requires_grad());
    EXPECT_FALSE(lin->weight.t().requires_grad());
    Tensor y = lin(in);
    EXPECT_TRUE(y.requires_grad());
    y.sum().backward();
    EXPECT_FALSE(lin->weight.grad().defined());
    ASSERT_TRUE(lin->bias.grad().defined());
    EXPECT_EQ(values(lin->bias.grad()), (std::vector<float>{4, 4}));
    const std::vector<float> before = values(lin->bias);
    optim::SGD sgd(lin->parameters(), optim::SGDOptions(0.1).momentum(momentum ? 0.9 : 0));
    EXPECT_EQ(error_of([&] { sgd.step(); }), kInplace);
    EXPECT_EQ(values(lin->bias), before);
  }
}
