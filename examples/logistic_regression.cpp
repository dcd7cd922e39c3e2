// The seed note's logistic regression, trained two ways on the same data from the same start:
// by hand (forward, backward and the update written out, no autograd), and by autograd
// (nn::Linear + sigmoid + BCELoss + optim::SGD). The two sets of weights must agree at every step.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

namespace {

// The seed's module: w (dim x 1) and b, x given as (dim, m) columns; backward and optimize by hand.
struct HandLR : torch::nn::Module {
  HandLR(const torch::Tensor& w0, const torch::Tensor& b0, double lr) : w(w0.clone()), b(b0.clone()), lr(lr) {}

  torch::Tensor forward(const torch::Tensor& x) {
    auto z = torch::mm(w.t(), x) + b;  // (1, m); the seed forgot the bias
    return 1 / (1 + torch::exp(-z));
  }
  void backward(const torch::Tensor& x, const torch::Tensor& yhat, const torch::Tensor& y) {
    const double m = static_cast<double>(x.size(1));
    dw = (1 / m) * torch::mm(x, (yhat - y).t());
    db = (1 / m) * torch::sum(yhat - y);
  }
  void optimize() {
    w = w - lr * dw;
    b = b - lr * db;
  }

  torch::Tensor w, b, dw, db;
  double lr;
};

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 100;
  const int64_t dim = 4, m = 200;
  const double lr = 0.5;
  torch::manual_seed(0);

  // Two Gaussian classes: label 1 around +0.75, label 0 around -0.75 in every coordinate.
  auto labels = (torch::arange(m) < m / 2).to(torch::kFloat);  // (m): first half class 1
  auto x_rows = torch::randn({m, dim}) + (labels.unsqueeze(1) * 1.5 - 0.75);
  auto y_row = labels.unsqueeze(0);                         // (1, m)

  torch::nn::Linear linear(dim, 1);
  torch::nn::BCELoss bce;
  torch::optim::SGD sgd(linear->parameters(), torch::optim::SGDOptions(lr));
  HandLR hand(linear->weight.detach().t(), linear->bias.detach(), lr);  // the same start

  double worst = 0;
  double first_loss = 0, last_loss = 0;
  for (int step = 0; step < steps; ++step) {
    // By hand.
    auto yhat = hand.forward(x_rows.t());
    torch::Tensor hand_loss;
    {
      torch::NoGradGuard no_grad;
      hand_loss = torch::binary_cross_entropy(yhat, y_row);
    }
    hand.backward(x_rows.t(), yhat, y_row);
    hand.optimize();

    // By autograd.
    sgd.zero_grad();
    auto prob = torch::sigmoid(linear->forward(x_rows)).squeeze(1);
    auto loss = bce(prob, labels);
    loss.backward();
    sgd.step();

    const double diff = std::max((hand.w.t() - linear->weight.detach()).abs().max().item<double>(),
                                 (hand.b - linear->bias.detach()).abs().max().item<double>());
    worst = std::max(worst, diff);
    if (step == 0) first_loss = loss.item<double>();
    last_loss = loss.item<double>();
    if (step % 20 == 0 || step == steps - 1)
      std::printf("step %3d  loss by hand %.6f  by autograd %.6f  max weight difference %.2e\n", step,
                  hand_loss.item<double>(), loss.item<double>(), diff);
  }
  std::printf("loss went from %.6f to %.6f\n", first_loss, last_loss);
  std::printf("weights agree to 1e-5 at every step: %s (largest difference %.2e)\n", worst <= 1e-5 ? "yes" : "no",
              worst);
  std::cout << "model: " << *linear << "\n";
  return worst <= 1e-5 ? 0 : 1;
}
