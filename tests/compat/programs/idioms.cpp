// The LibTorch idioms of issue 9 in one program, written as LibTorch 1.13 users write them and built
// unchanged against ember (C++17) and against LibTorch (generate.sh); both must print idioms.expected.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

using namespace torch;  // nn::, optim::, autograd:: below resolve to one namespace each
using namespace torch::indexing;
namespace F = torch::nn::functional;

namespace {

// Numbers, not reprs: the two libraries print tensors differently on purpose.
void show(const std::string& what, const at::Tensor& t) {
  at::Tensor c = t.to(torch::kDouble).contiguous();
  std::printf("%s sizes=[", what.c_str());
  for (int64_t i = 0; i < c.dim(); ++i) std::printf("%s%lld", i ? "," : "", static_cast<long long>(c.size(i)));
  std::printf("] values=");
  const double* p = c.data_ptr<double>();
  for (int64_t i = 0; i < c.numel(); ++i) std::printf("%s%.6g", i ? "," : "", p[i]);
  std::printf("\n");
}

// Deterministic parameters, so both libraries start from the same weights.
void fill_parameters(nn::Module& module) {
  NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.copy_(torch::linspace(-0.5, 0.5, p.numel()).reshape(p.sizes()));
}

struct Net : nn::Module {
  Net() : fc1(register_module("fc1", nn::Linear(3, 4))), fc2(register_module("fc2", nn::Linear(4, 2))) {}
  Tensor forward(Tensor x) { return fc2->forward(F::relu(fc1->forward(x))); }
  nn::Linear fc1, fc2;
};

// In-place methods are const, so they work through a const reference.
void scale_in_place(const Tensor& t) {
  t.mul_(2).add_(1);
  t.clamp_(0, 6);
}

// A backward written for an optional bias returns three gradients even when apply got two tensors.
struct LinearFunction : public autograd::Function<LinearFunction> {
  static Tensor forward(autograd::AutogradContext* ctx, Tensor input, Tensor weight, Tensor bias = Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }
  static autograd::variable_list backward(autograd::AutogradContext* ctx, autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0], weight = saved[1], bias = saved[2];
    auto grad_output = grad_outputs[0];
    Tensor grad_input = grad_output.mm(weight), grad_weight = grad_output.t().mm(input), grad_bias;
    if (bias.defined()) grad_bias = grad_output.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};

}  // namespace

int main() {
  std::cout << "-- using namespace torch\n";
  Net net;
  fill_parameters(net);
  optim::Adam optimizer(net.parameters(), optim::AdamOptions(0.1));
  Tensor x = torch::linspace(-1, 1, 12).reshape({4, 3});
  Tensor y = torch::linspace(0, 1, 8).reshape({4, 2});
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    Tensor loss = F::mse_loss(net.forward(x), y);
    loss.backward();
    optimizer.step();
    std::printf("step %d loss %.6f\n", step, loss.item<double>());
  }
  at::Tensor a_ones = at::ones({2, 3});
  c10::ScalarType st = at::kFloat;
  c10::IntArrayRef sz = a_ones.sizes();
  c10::Device dev(c10::kCPU);
  std::cout << "at/c10: " << st << " " << sz << " " << dev << "\n";

  std::cout << "-- const in-place\n";
  Tensor w = torch::ones({2}, torch::requires_grad());
  (w * 3).sum().backward();
  show("w.grad()", w.grad());
  w.grad().zero_();
  show("w.grad() after zero_", w.grad());
  Tensor s = torch::tensor({-1.0, 0.5, 4.0});
  scale_in_place(s);
  show("scale_in_place", s);

  std::cout << "-- assignment to temporaries\n";
  Tensor m = torch::arange(6, torch::kFloat).reshape({2, 3});
  m[0] = 5;
  m[1][2] = -1;
  m.index({Slice(), 0}) = torch::tensor({7.0f, 8.0f});
  m.index({Slice(0, 1), Slice(1, None)}) = torch::tensor({{9.0f, 10.0f}});
  show("m", m);
  Tensor p = torch::ones({3}, torch::requires_grad());
  p.data() = p.data() / 4;
  show("p", p);
  std::cout << "p.requires_grad " << p.requires_grad() << "\n";

  std::cout << "-- to\n";
  Tensor c = m.to(torch::kCPU);
  Tensor d = m.to(torch::kCPU, torch::kDouble);
  Tensor e = d.to(m.dtype());
  Tensor f = m.to(torch::Device(torch::kCPU));
  std::cout << c.dtype() << " " << d.dtype() << " " << e.dtype() << " " << f.device() << "\n";

  std::cout << "-- custom Function\n";
  Tensor in = torch::linspace(-1, 1, 6).reshape({2, 3}).requires_grad_();
  Tensor weight = torch::linspace(0, 1, 12).reshape({4, 3}).requires_grad_();
  Tensor out = LinearFunction::apply(in, weight);
  out.sum().backward();
  show("out", out);
  show("in.grad", in.grad());
  show("weight.grad", weight.grad());
  Tensor bias = torch::ones({4}, torch::requires_grad());
  LinearFunction::apply(in, weight, bias).pow(2).sum().backward();
  show("bias.grad", bias.grad());

  std::cout << "-- Sequential and AnyModule\n";
  nn::Sequential seq({{"fc1", nn::Linear(3, 4)}, {"relu", nn::ReLU()}, {"fc2", nn::Linear(4, 2)}});
  fill_parameters(*seq);
  for (const auto& item : seq->named_parameters()) std::cout << item.key() << " ";
  std::cout << "\n";
  std::shared_ptr<nn::LinearImpl> fc1 = seq->ptr<nn::LinearImpl>(0);
  nn::LinearImpl& fc2 = seq->at<nn::LinearImpl>(2);
  std::cout << "fc1 " << fc1->weight.sizes() << " fc2 " << fc2.weight.sizes() << "\n";
  show("seq(x)", seq->forward(x));
  nn::Sequential tail(nn::Tanh(), nn::Linear(2, 1));
  seq->extend(*tail);
  fill_parameters(*seq);
  std::cout << "size " << seq->size() << "\n";
  show("extended seq(x)", seq->forward(x));
  std::cout << seq << "\n";
  nn::AnyModule any(nn::Linear(3, 2));
  fill_parameters(*any.ptr());
  show("any.forward(x)", any.forward(x));
  std::cout << "any.get<nn::Linear>() " << any.get<nn::Linear>()->options.out_features() << "\n";

  std::cout << "-- 1.13 signatures\n";
  Tensor g = torch::tensor({1.5f, 2.5f});
  float* gp = g.data<float>();
  std::cout << gp[1] << " " << g.type().scalarType() << " " << g.type().toString() << " " << g.toString() << " "
            << g.is_variable() << "\n";
  show("2 < t", 2 < torch::tensor({1, 2, 3}));
  show("2 == t", 2 == torch::tensor({1, 2, 3}));
  show("torch::ger", torch::ger(torch::tensor({1.0, 2.0}), torch::tensor({3.0, 4.0, 5.0})));
  torch::optional<int64_t> none = torch::nullopt;
  c10::optional<double> some = 2.5;
  std::cout << none.has_value() << " " << *some << "\n";
  show("smooth_l1_loss beta 0.5",
       F::smooth_l1_loss(torch::tensor({0.0, 0.2, 3.0}), torch::zeros({3}, torch::kF64),
                         F::SmoothL1LossFuncOptions(torch::kNone), 0.5));
  std::cout << torch::ones({1}, torch::kF32).dtype() << " " << torch::ones({1}, torch::kF64).dtype() << " "
            << torch::ones({1}, torch::kI64).dtype() << " " << torch::ones({1}, torch::kI32).dtype() << "\n";

  std::cout << "-- text\n";
  std::cout << torch::ones({1}).dtype() << " | " << torch::ones({1}, torch::kDouble).dtype() << " | "
            << torch::arange(3).dtype() << " | " << torch::ones({1}, torch::kBool).dtype() << " | "
            << torch::ones({1}, torch::kByte).dtype() << "\n";
  std::cout << c10::Scalar(2.5) << " " << c10::Scalar(3) << " " << c10::Scalar(true) << " "
            << torch::tensor({7}).item() << "\n";
  std::cout << c10::str("a", 1, " ", 2.5) << " " << torch::str("b", 2) << " " << c10::toString(torch::kFloat)
            << "\n";
  TORCH_CHECK_EQ(1 + 1, 2);
  TORCH_CHECK_NE(1, 2) << "not shown";
  TORCH_CHECK_LT(1, 2);
  TORCH_CHECK_LE(2, 2);
  TORCH_CHECK_GT(3, 2);
  TORCH_CHECK_GE(3, 3);
  try {
    TORCH_CHECK(x.dim() == 3);
  } catch (const c10::Error& err) {
    std::cout << err.msg() << "\n";
  }
  try {
    TORCH_CHECK(x.dim() == 3, "x has ", x.dim(), " dims");
  } catch (const c10::Error& err) {
    std::cout << err.msg() << "\n";
  }
  {
    c10::InferenceMode guard;
    Tensor z = w * 2;
    std::cout << "inference mode: requires_grad " << z.requires_grad() << "\n";
  }

  std::cout << "-- cuda\n";
  std::cout << torch::cuda::is_available() << " " << torch::cuda::device_count() << " "
            << torch::cuda::cudnn_is_available() << "\n";
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  net.to(device);
  show("on device", net.forward(x.to(device)));
  try {
    x.to(torch::kCUDA);
    std::cout << "moved to CUDA\n";
  } catch (const c10::Error&) {
    std::cout << "moving to CUDA throws c10::Error\n";
  }
}
