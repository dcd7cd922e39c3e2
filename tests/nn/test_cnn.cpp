// A typical LibTorch CNN (conv, pool, dropout, linear, log_softmax + nll_loss, SGD with momentum)
// written against torch/torch.h, trained on a small synthetic task; Conv2d init and printing.
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

struct CnnImpl : torch::nn::Module {
  CnnImpl()
      : conv1(torch::nn::Conv2dOptions(1, 4, 3).padding(1)),
        conv2(torch::nn::Conv2d(4, 8, 3)),
        fc1(8 * 2 * 2, 16),
        fc2(16, 2) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("dropout", dropout);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));  // 8x8 -> 4x4
    x = torch::relu(conv2->forward(x));                        // 4x4 -> 2x2
    x = x.view({-1, 8 * 2 * 2});
    x = torch::relu(fc1->forward(x));
    x = dropout->forward(x);
    return torch::log_softmax(fc2->forward(x), /*dim=*/1);
  }
  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Dropout dropout{torch::nn::DropoutOptions(0.25)};
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Cnn);

// 8x8 images: a horizontal bar (class 0) or a vertical bar (class 1) at varying positions, with noise.
std::pair<torch::Tensor, torch::Tensor> bars(int64_t n) {
  auto images = torch::randn({n, 1, 8, 8}) * 0.1;
  auto labels = torch::zeros({n}, torch::kLong);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t pos = i % 8;
    if (i % 2 == 0) {
      images.index_put_({i, 0, pos}, 1.0);
    } else {
      images.index_put_({i, 0, torch::indexing::Slice(), pos}, 1.0);
      labels[i] = 1;  // LibTorch: assigning to an indexed tensor writes into it
    }
  }
  return {images, labels};
}

}  // namespace

// The same script in PyTorch 1.13 (same seed, data, initialization and dropout masks) gives
// losses 0.7094934582710266 at the first step and 0.5239850282669067 at the 40th.
TEST(Cnn, TrainsLikePyTorch) {
  torch::manual_seed(1);
  Cnn model;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto [images, labels] = bars(64);
  double first = 0, last = 0;
  model->train();
  for (int epoch = 0; epoch < 40; ++epoch) {
    optimizer.zero_grad();
    auto output = model->forward(images);
    auto loss = torch::nll_loss(output, labels);
    loss.backward();
    optimizer.step();
    if (epoch == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_NEAR(first, 0.7094934582710266, 1e-6);
  EXPECT_NEAR(last, 0.5239850282669067, 1e-5);
}

TEST(Cnn, Conv2dInitialisationAndPrinting) {
  // torch.manual_seed(0); torch.nn.Conv2d(1, 4, 3) in PyTorch 1.13.
  torch::manual_seed(0);
  torch::nn::Conv2d conv(1, 4, 3);
  auto w = conv->weight.detach().reshape({-1});
  EXPECT_NEAR(w[0].item<double>(), -0.0024956068955361843, 1e-7);
  EXPECT_NEAR(w[1].item<double>(), 0.17881453037261963, 1e-7);
  EXPECT_NEAR(w[2].item<double>(), -0.2743483781814575, 1e-7);
  EXPECT_NEAR(conv->bias[0].item<double>(), -0.19458016753196716, 1e-7);
  std::ostringstream os;
  os << conv << "\n"
     << torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)) << "\n"
     << torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 4, 3).stride(2).padding(1).groups(2).bias(false));
  EXPECT_EQ(os.str(),
            "torch::nn::Conv2d(1, 4, kernel_size=[3, 3], stride=[1, 1])\n"
            "torch::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=false)\n"
            "torch::nn::Conv2d(2, 4, kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], groups=2, bias=false)");
  EXPECT_THROW(conv(torch::ones({1, 2, 5, 5})), c10::Error);  // wrong channel count
  EXPECT_THROW(conv(torch::ones({5, 5})), c10::Error);        // wrong rank
  EXPECT_THROW(conv(torch::ones({1, 1, 2, 2})), c10::Error);  // kernel larger than the input
}

namespace {

// The same CNN family with batch norm, feature dropout, "same" padding, adaptive pooling, Adam
// and a StepLR schedule.
struct NormCnnImpl : torch::nn::Module {
  NormCnnImpl()
      : conv1(torch::nn::Conv2dOptions(1, 4, 3).padding(1)),
        bn(4),
        drop(0.2),
        conv2(torch::nn::Conv2dOptions(4, 8, 3).padding(torch::kSame)),
        pool(1),
        fc(8, 2) {
    register_module("conv1", conv1);
    register_module("bn", bn);
    register_module("drop", drop);
    register_module("conv2", conv2);
    register_module("pool", pool);
    register_module("fc", fc);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(bn->forward(conv1->forward(x))), 2);
    x = drop->forward(x);
    x = torch::relu(conv2->forward(x));
    x = pool->forward(x).flatten(1);
    return torch::log_softmax(fc->forward(x), 1);
  }
  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn;
  torch::nn::Dropout2d drop;
  torch::nn::Conv2d conv2;
  torch::nn::AdaptiveAvgPool2d pool;
  torch::nn::Linear fc;
};
TORCH_MODULE(NormCnn);

}  // namespace

// PyTorch 1.13, the same script (seed 1, model built first, then the data; Adam lr 0.02 and
// StepLR(10, 0.5), 30 steps): losses 0.6590453386306763 (step 1), 0.25057587027549744 (step 10),
// 0.047708407044410706 (step 30); accuracy 1.0 in eval mode; bn.running_var as below. Not
// running_mean: conv1's bias feeds batch norm, so its gradient is rounding noise that Adam
// scales up to full steps; the bias (and the running mean) then follow that noise in both.
TEST(Cnn, BatchNormDropout2dAdamStepLRTrainLikePyTorch) {
  torch::manual_seed(1);
  NormCnn model;
  auto [images, labels] = bars(64);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.02));
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/10, /*gamma=*/0.5);
  std::vector<double> losses;
  model->train();
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    auto loss = torch::nll_loss(model->forward(images), labels);
    loss.backward();
    optimizer.step();
    scheduler.step();
    losses.push_back(loss.item<double>());
  }
  EXPECT_NEAR(losses[0], 0.6590453386306763, 1e-6);
  EXPECT_NEAR(losses[9], 0.25057587027549744, 1e-5);
  EXPECT_NEAR(losses[29], 0.047708407044410706, 1e-5);
  const std::vector<double> running_var = {0.09354645013809204, 0.05922740325331688, 0.08230671286582947,
                                           0.11805645376443863};
  for (int64_t c = 0; c < 4; ++c) EXPECT_NEAR(model->bn->running_var[c].item<double>(), running_var[c], 1e-6);
  EXPECT_EQ(model->bn->num_batches_tracked.item<int64_t>(), 30);
  model->eval();
  torch::NoGradGuard no_grad;
  auto accuracy = (model->forward(images).argmax(1) == labels).to(torch::kFloat).mean().item<double>();
  EXPECT_EQ(accuracy, 1.0);
}
