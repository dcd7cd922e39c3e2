// A LibTorch program, unchanged: built against ember::torch_compat by the tests and, to make
// expected.txt, against Debian's LibTorch 1.13 (see generate.sh). It prints numbers, not reprs,
// so both builds print the same text.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <vector>

namespace {

void show(const char* what, const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kDouble).contiguous();
  std::printf("%s sizes=[", what);
  for (int64_t i = 0; i < c.dim(); ++i) std::printf("%s%lld", i ? "," : "", static_cast<long long>(c.size(i)));
  std::printf("] values=");
  const double* p = c.data_ptr<double>();
  for (int64_t i = 0; i < c.numel(); ++i) std::printf("%s%.6g", i ? "," : "", p[i]);
  std::printf("\n");
}

// y = x^2 with a hand-written backward.
struct Square : public torch::autograd::Function<Square> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x) {
    ctx->save_for_backward({x});
    ctx->saved_data["scale"] = 2.0;
    return x * x;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto x = ctx->get_saved_variables()[0];
    return {grads[0] * ctx->saved_data["scale"].toDouble() * x};
  }
};

}  // namespace

int main() {
  using namespace torch::indexing;
  torch::Tensor x = torch::arange(12, torch::TensorOptions().dtype(torch::kFloat)).reshape({3, 4});
  show("x", x);
  show("x[1]", x[1]);
  show("x.index({Slice(), 2})", x.index({Slice(), 2}));
  show("x.index({Slice(1, None), Slice(None, None, 2)})", x.index({Slice(1, None), Slice(None, None, 2)}));
  show("x.index({x > 5})", x.index({x > 5}));
  show("x.t().matmul(x)", x.t().matmul(x));
  show("x.sum(1)", x.sum(1));
  show("x.mean(0, true)", x.mean(0, true));
  auto mx = x.max(1);
  show("max values", std::get<0>(mx));
  show("max indices", std::get<1>(mx));
  show("softmax", torch::softmax(x.index({0}), 0));
  show("cat", torch::cat({x.index({0}), x.index({2})}, 0));
  show("stack", torch::stack({x.index({0}), x.index({2})}, 1));
  show("where", torch::where(x > 4, x, torch::zeros_like(x)));
  show("clamp", x.clamp(2, 9));
  show("int promotion", torch::arange(3) + 0.5);
  show("division of ints", torch::arange(4) / 2);

  torch::Tensor w = torch::tensor({0.5, -1.5, 2.0}, torch::requires_grad());
  torch::Tensor loss = torch::mse_loss(w.exp(), torch::ones({3}));
  loss.backward();
  show("loss", loss);
  show("w.grad", w.grad());
  std::cout << "loss grad_fn " << loss.grad_fn()->name() << "\n";
  // The nodes LibTorch writes by hand carry their namespace in name().
  torch::Tensor b = w * w;
  b.narrow(0, 0, 2).mul_(3);
  std::cout << "in-place on a view: " << b.grad_fn()->name() << ", next "
            << b.grad_fn()->next_edges()[0].function->name() << "\n";
  // In-place ops with a C++ number record the Scalar overload's node.
  torch::Tensor c = w * w;
  c.add_(1).mul_(2).sub_(0.5).div_(4);
  std::cout << "in-place with numbers: " << c.grad_fn()->name();
  for (auto f = c.grad_fn()->next_edges()[0].function; f && f->name() != "MulBackward0";
       f = f->next_edges()[0].function)
    std::cout << " <- " << f->name();
  std::cout << "\n";
  torch::Tensor d = w * w, e = w * w, f = w * w;
  d.clamp_min_(0.5);
  e.clamp_max_(1.5);
  f.fill_(torch::tensor(2.0));
  std::cout << "clamp_min_, clamp_max_, fill_(tensor): " << d.grad_fn()->name() << " " << e.grad_fn()->name() << " "
            << f.grad_fn()->name() << "\n";
  torch::Tensor fill_value = torch::tensor(2.0, torch::requires_grad()), filled = torch::zeros({3});
  filled.fill_(fill_value);
  (filled * torch::tensor({1.0, 2.0, 3.0})).sum().backward();
  show("fill_ value grad", fill_value.grad());
  torch::Tensor lo = torch::tensor({1.0, 5.0, -2.0}, torch::requires_grad()), hi = torch::tensor({3.0, 4.0, -2.0});
  torch::Tensor both = torch::min(lo, hi) + lo.max(hi);
  both.sum().backward();
  show("min(a, b) + a.max(b)", both);
  show("its gradient (ties split)", lo.grad());
  std::cout << "binary min's node " << torch::min(lo, hi).grad_fn()->name() << "\n";
  show("lerp_ with a weight tensor",
       torch::tensor({1.0, 2.0}).lerp_(torch::tensor({3.0, -4.0}), torch::tensor({0.25, 0.75})));

  torch::Tensor v = torch::tensor({1.0, 2.0, 3.0}, torch::requires_grad());
  auto y = (v * v * v).sum();
  auto g = torch::autograd::grad({y}, {v}, {}, true, true)[0];
  show("dy/dv", g);
  auto gg = torch::autograd::grad({g.sum()}, {v})[0];
  show("d2y/dv2", gg);

  torch::Tensor s = torch::tensor({1.0, -2.0}, torch::requires_grad());
  Square::apply(s).sum().backward();
  show("custom function grad", s.grad());

  {
    torch::NoGradGuard no_grad;
    auto z = v * 2;
    std::cout << "requires_grad under NoGradGuard " << z.requires_grad() << "\n";
  }
  try {
    TORCH_CHECK(x.dim() == 3, "expected a 3-D tensor, got ", x.dim(), "-D");
  } catch (const c10::Error& e) {
    std::cout << "caught c10::Error\n";
  }
  std::cout << "cuda available " << torch::cuda::is_available() << "\n";
  return 0;
}
