// Uses the installed ember through torch/torch.h.
#include <torch/torch.h>

#include <iostream>

int main() {
  auto x = torch::tensor({1.0, 2.0}, torch::requires_grad());
  (x * x).sum().backward();
  std::cout << x.grad() << "\n";
}
