// The seed note's walkthrough in LibTorch C++: define forward, and backward is defined for you.
#include <torch/torch.h>

#include <iostream>

int main() {
  // z = 10 w^2 + 25, so dz/dw = 20 w = 40 at w = 2.
  auto w = torch::tensor(2.0, torch::requires_grad());
  auto y = w.pow(2);
  auto z = 10 * y + 25;
  z.backward();
  std::cout << "w.grad() = " << w.grad() << "\n";

  // Q = 3a^3 - b^2 is a vector: backward needs the gradient of some scalar w.r.t. Q, here ones.
  auto a = torch::tensor({2., 3.}, torch::requires_grad());
  auto b = torch::tensor({6., 4.}, torch::requires_grad());
  auto Q = 3 * a.pow(3) - b.pow(2);
  auto external_grad = torch::tensor({1., 1.});
  Q.backward(external_grad);
  std::cout << "a.grad() = " << a.grad() << "  (dQ/da = 9a^2)\n";
  std::cout << "b.grad() = " << b.grad() << "  (dQ/db = -2b)\n";

  // A loss remembers the op that made it: grad_fn is what backward will run.
  auto prediction = torch::tensor({1.00791}, torch::requires_grad());
  auto target = torch::tensor({1.0});
  auto loss = torch::mse_loss(prediction, target);
  std::cout << "loss = " << loss << "\n";
  std::cout << "loss.grad_fn()->name() = " << loss.grad_fn()->name() << "\n";
  return 0;
}
