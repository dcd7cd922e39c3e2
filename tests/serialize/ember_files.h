// The CNN both interop directions use, and write_ember_files(): the checkpoints ember writes for
// tests/fixtures/serialize_fixtures.py to check in Python (used by the test and by the
// serialize_write_fixtures tool that regenerates tests/fixtures/serialize/from_ember/).
#pragma once
#include <torch/torch.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ember_files {

// The same layers as make_cnn() in serialize_fixtures.py, so the state dict keys are "0.weight",
// "1.running_mean", "1.num_batches_tracked", "5.bias", ...
inline torch::nn::Sequential make_cnn() {
  using namespace torch::nn;
  return Sequential(Conv2d(Conv2dOptions(1, 4, 3)), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(), Linear(36, 3));
}

// Weights from a formula rather than an RNG, so ember's files do not depend on ember's generator.
inline void fill_deterministic(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  int64_t k = 0;
  for (auto& p : m.parameters()) {
    auto v = (torch::arange(p.numel(), torch::kDouble) * 0.37 + static_cast<double>(k++)).sin() * 0.3;
    p.copy_(v.view(p.sizes()));
  }
}

inline torch::Tensor inputs() { return (torch::linspace(-1, 1, 256) * 3).sin().reshape({4, 1, 8, 8}); }
inline torch::Tensor targets() { return torch::linspace(-0.5, 0.5, 12).reshape({4, 3}); }

inline double train_step(torch::nn::Sequential& model, torch::optim::Optimizer& opt, const torch::Tensor& x,
                         const torch::Tensor& y) {
  opt.zero_grad();
  auto loss = torch::mse_loss(model->forward(x), y);
  loss.backward();
  opt.step();
  return loss.item<double>();
}

// SGD, AdamW, RMSprop and Adagrad as OTHER_OPTIMIZERS in serialize_fixtures.py builds them.
inline std::unique_ptr<torch::optim::Optimizer> other_optimizer(const std::string& name, std::vector<torch::Tensor> params,
                                                               double lr_override = 0) {
  using namespace torch::optim;
  auto lr = [&](double v) { return lr_override > 0 ? lr_override : v; };
  if (name == "sgd") return std::make_unique<SGD>(params, SGDOptions(lr(0.05)).momentum(0.9).nesterov(true).weight_decay(1e-3));
  if (name == "adamw") return std::make_unique<AdamW>(params, AdamWOptions(lr(0.01)).amsgrad(true));
  if (name == "rmsprop") return std::make_unique<RMSprop>(params, RMSpropOptions(lr(0.01)).momentum(0.5).centered(true));
  return std::make_unique<Adagrad>(params, AdagradOptions(lr(0.05)).lr_decay(0.01));
}
inline const std::vector<std::string>& other_optimizer_names() {
  static const std::vector<std::string> names{"sgd", "adamw", "rmsprop", "adagrad"};
  return names;
}

inline std::vector<double> values(const torch::Tensor& t) { return t.detach().to(torch::kDouble).contiguous().to_vector<double>(); }

// Writes model.pt, model.safetensors, optim.pt, checkpoint.pt, inputs.pt, tensors.pt and
// ember_expected.json (what ember computes from them) into `dir`.
inline void write_ember_files(const std::string& dir) {
  const auto x = inputs(), y = targets();
  auto model = make_cnn();
  fill_deterministic(*model);
  // eps 1e-3, not Adam's 1e-8: the conv's bias has an exactly zero gradient (a BatchNorm follows),
  // so what backward leaves there is rounding noise of about 1e-9, and with eps 1e-8 Adam turns it
  // into steps of 0.1 lr whose sign depends on which conv kernel the CPU gets (Zen 4 and Zen 5 take
  // different ones). That moved the bias by 0.0025 and the eval output by 4e-4 between machines;
  // with 1e-3 every value written here agrees across the kernels to 1e-7.
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.01).eps(1e-3));
  nlohmann::json expected;
  std::vector<double> losses;
  for (int i = 0; i < 3; ++i) losses.push_back(train_step(model, opt, x, y));
  expected["train_losses"] = losses;

  torch::save(model, dir + "/model.pt");
  torch::save(model, dir + "/model.safetensors");
  torch::save(opt, dir + "/optim.pt");
  {
    torch::serialize::OutputArchive inputs_archive;
    inputs_archive.write("x", x);
    inputs_archive.write("y", y);
    inputs_archive.save_to(dir + "/inputs.pt");
  }
  {
    // A LibTorch-style custom checkpoint: nested archives and scalars.
    torch::serialize::OutputArchive archive, model_archive, optim_archive;
    model->save(model_archive);
    optim_archive << opt;
    archive.write("epoch", int64_t{3});
    archive.write("model", model_archive);
    archive.write("optimizer", optim_archive);
    archive.write("loss", losses.back());
    archive.write("name", c10::IValue("cnn"));
    archive.save_to(dir + "/checkpoint.pt");
  }
  {
    torch::serialize::OutputArchive t;
    auto base = torch::arange(12, torch::kFloat).reshape({3, 4});
    t.write("float32", base);
    t.write("transposed", base.t());  // shares base's storage, non-contiguous
    t.write("row", base[1]);          // shares it too, with an offset
    t.write("float64", torch::tensor({1.5, -2.25, 1e300}, torch::kDouble));
    t.write("int64", torch::tensor({int64_t{-5}, int64_t{1} << 40}, torch::kLong));
    t.write("int32", torch::tensor({-7, 123456}, torch::kInt));
    t.write("uint8", torch::tensor({0, 255, 7}, torch::kByte));
    t.write("bool", torch::tensor({true, false, true}, torch::kBool));
    t.write("scalar", torch::scalar_tensor(3.5));
    t.write("empty", torch::zeros({0, 3}));
    t.save_to(dir + "/tensors.pt");
  }

  for (const auto& name : other_optimizer_names()) {
    auto m = make_cnn();
    fill_deterministic(*m);
    auto o = other_optimizer(name, m->parameters());
    for (int i = 0; i < 3; ++i) train_step(m, *o, x, y);
    torch::serialize::OutputArchive archive, model_archive, optim_archive;
    m->save(model_archive);
    optim_archive << *o;
    archive.write("model", model_archive);
    archive.write("optimizer", optim_archive);
    archive.save_to(dir + "/optim_" + name + ".pt");
    std::vector<double> next_losses;
    for (int i = 0; i < 2; ++i) next_losses.push_back(train_step(m, *o, x, y));
    expected["other_optimizers_next_losses"][name] = next_losses;
  }

  model->eval();
  expected["eval_output"] = values(model->forward(x));
  model->train();
  std::vector<double> next;
  for (int i = 0; i < 2; ++i) next.push_back(train_step(model, opt, x, y));
  expected["next_losses"] = next;
  std::ofstream(dir + "/ember_expected.json") << expected.dump(1) << "\n";
}

}  // namespace ember_files
