// Python interop from committed fixtures: files PyTorch 1.13 saved load into ember and reproduce
// PyTorch's outputs and next training steps; files ember saved were checked in PyTorch
// (from_ember/verdict.json), and ember still writes the same format today.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "expect_error.h"
#include "serialize/ember_files.h"
#include "serialize/serialize_test_util.h"

namespace {

using sertest::fixture;

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(sertest::read_bytes(path)); }

// Float32 outputs and losses of order 0.01 to 1 through convolution, batch norm and Adam; the two
// libraries sum in different orders, so they agree to a few float32 ulps, well inside 1e-6.
constexpr double kTol = 1e-6;

void expect_close(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], kTol) << what << " [" << i << "]";
}

struct PythonInputs {
  torch::Tensor x, y;
};
PythonInputs python_inputs() {
  const auto d = torch::serialize::load_ivalue(fixture("inputs.pt")).toGenericDict();
  return {d.at("x").toTensor(), d.at("y").toTensor()};
}

TEST(InteropFromPython, StateDictReproducesEvalOutput) {
  const auto expected = read_json(fixture("expected.json"));
  const auto [x, y] = python_inputs();
  for (const char* file : {"cnn_state.pt", "cnn_state_protocol4.pt"}) {
    auto model = ember_files::make_cnn();
    torch::load(model, fixture(file));
    model->eval();
    expect_close(ember_files::values(model->forward(x)), expected["eval_output"].get<std::vector<double>>(), file);
  }
}

TEST(InteropFromPython, AdamStateContinuesWithPyTorchsLosses) {
  const auto expected = read_json(fixture("expected.json"));
  const auto [x, y] = python_inputs();
  auto model = ember_files::make_cnn();
  torch::load(model, fixture("cnn_state.pt"));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.5));
  torch::load(opt, fixture("adam_state.pt"));
  EXPECT_EQ(static_cast<torch::optim::AdamOptions&>(opt.param_groups()[0].options()).lr(), 0.01);
  std::vector<double> losses;
  for (int i = 0; i < 2; ++i) losses.push_back(ember_files::train_step(model, opt, x, y));
  expect_close(losses, expected["next_losses"].get<std::vector<double>>(), "next losses");
}

TEST(InteropFromPython, SGDAdamWRMSpropAdagradContinueWithPyTorchsLosses) {
  const auto expected = read_json(fixture("expected.json"));
  const auto [x, y] = python_inputs();
  for (const auto& name : ember_files::other_optimizer_names()) {
    torch::serialize::InputArchive archive, model_archive, optim_archive;
    archive.load_from(fixture("optim_" + name + ".pt"));
    archive.read("model", model_archive);
    archive.read("optimizer", optim_archive);
    auto model = ember_files::make_cnn();
    model->load(model_archive);
    auto opt = ember_files::other_optimizer(name, model->parameters(), /*lr_override=*/0.123);
    optim_archive >> *opt;
    EXPECT_NE(opt->param_groups()[0].options().get_lr(), 0.123) << name;
    std::vector<double> losses;
    for (int i = 0; i < 2; ++i) losses.push_back(ember_files::train_step(model, *opt, x, y));
    expect_close(losses, expected["other_optimizers_next_losses"][name].get<std::vector<double>>(), name.c_str());
  }
}

TEST(InteropFromPython, DictCheckpoint) {
  const auto expected = read_json(fixture("expected.json"));
  const auto [x, y] = python_inputs();
  // LibTorch style: nested archives.
  torch::serialize::InputArchive archive;
  archive.load_from(fixture("checkpoint.pt"));
  torch::serialize::InputArchive model_archive, optim_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optim_archive);
  auto model = ember_files::make_cnn();
  model->load(model_archive);
  torch::optim::Adam opt(model->parameters());
  optim_archive >> opt;
  c10::IValue epoch;
  archive.read("epoch", epoch);
  EXPECT_EQ(epoch.toInt(), 3);
  EXPECT_NEAR(ember_files::train_step(model, opt, x, y), expected["next_losses"][0].get<double>(), kTol);

  // Python style: the generic value.
  const auto ck = torch::serialize::load_ivalue(fixture("checkpoint.pt")).toGenericDict();
  EXPECT_EQ(ck.at("name").toStringRef(), "cnn");
  EXPECT_EQ(ck.at("history").toDoubleVector(), expected["train_losses"].get<std::vector<double>>());
  EXPECT_EQ(ck.at("loss").toDouble(), expected["train_losses"][2].get<double>());
  const auto& flags = ck.at("flags").toTupleRef().elements();
  ASSERT_EQ(flags.size(), 4u);
  EXPECT_TRUE(flags[0].toBool());
  EXPECT_TRUE(flags[1].isNone());
  EXPECT_EQ(flags[2].toInt(), -7);
  EXPECT_EQ(flags[3].toInt(), int64_t{1} << 40);
  auto model2 = ember_files::make_cnn();
  torch::serialize::load_state_dict(*model2, ck.at("model"));
  model2->eval();
  expect_close(ember_files::values(model2->forward(x)), expected["eval_output"].get<std::vector<double>>(),
               "eval output");
}

TEST(InteropFromPython, SafetensorsWithHalfBFloat16AndInt8) {
  const auto st = torch::serialize::load_ivalue(fixture("cnn.safetensors")).toGenericDict();
  const auto pt = torch::serialize::load_ivalue(fixture("cnn_state.pt")).toGenericDict();
  for (auto e : pt) EXPECT_TRUE(st.at(e.key()).toTensor().equal(e.value().toTensor())) << e.key().toStringRef();
  const auto half = st.at("extra.half").toTensor();
  EXPECT_EQ(half.dtype(), torch::kFloat);  // ember has no float16: it loads as float32
  EXPECT_EQ(half.to_vector<float>(), (std::vector<float>{1.0f, -2.5f, 65504.0f, 0x1p-20f}));
  EXPECT_EQ(st.at("extra.bfloat16").toTensor().to_vector<float>(), (std::vector<float>{1.0f, -3.0f, 0x1p100f}));
  const auto i8 = st.at("extra.int8").toTensor();
  EXPECT_EQ(i8.dtype(), torch::kInt);
  EXPECT_EQ(i8.to_vector<int32_t>(), (std::vector<int32_t>{-128, 0, 127}));

  // Strict loading names the extra tensors; non-strict loading takes the model's and reports them.
  auto model = ember_files::make_cnn();
  expect_error([&] { torch::load(model, fixture("cnn.safetensors")); }, "Unexpected key(s) in state_dict: \"extra.half\"",
               model->parameters());
  const auto keys = torch::serialize::load_state_dict(*model, c10::IValue(st), /*strict=*/false);
  EXPECT_EQ(keys.unexpected_keys.size(), 3u);
  EXPECT_TRUE(keys.missing_keys.empty());
  EXPECT_TRUE(model->parameters()[0].equal(pt.at("0.weight").toTensor()));
}

TEST(InteropFromPython, EveryDtypeAndLayout) {
  const auto expected = read_json(fixture("expected.json"));
  const auto t = torch::serialize::load_ivalue(fixture("tensors.pt")).toGenericDict();
  const std::map<std::string, torch::Dtype> dtypes{
      {"float16", torch::kFloat}, {"bfloat16", torch::kFloat}, {"int16", torch::kInt},  {"int8", torch::kInt},
      {"uint8", torch::kByte},    {"bool", torch::kBool},      {"float64", torch::kDouble}, {"int64", torch::kLong},
      {"int32", torch::kInt},     {"base", torch::kFloat},     {"transposed", torch::kFloat}, {"row", torch::kFloat},
      {"scalar", torch::kFloat},  {"empty", torch::kFloat},    {"parameter", torch::kFloat}};
  ASSERT_EQ(t.size(), dtypes.size());
  for (const auto& [name, dtype] : dtypes) {
    const auto v = t.at(name).toTensor();
    EXPECT_EQ(v.dtype(), dtype) << name;
    EXPECT_EQ(v.sizes().vec(), expected["shapes"][name].get<std::vector<int64_t>>()) << name;
    // Every value here is exact in float64, the 1e300 and 2^40 included.
    EXPECT_EQ(ember_files::values(v), expected["tensors"][name].get<std::vector<double>>()) << name;
  }
  auto base = t.at("base").toTensor(), transposed = t.at("transposed").toTensor();
  EXPECT_EQ(transposed.strides(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(t.at("row").toTensor().storage_offset(), 4);
  base.fill_(0);  // the three views share one storage, as in Python
  EXPECT_TRUE(transposed.equal(torch::zeros({4, 3})));
  EXPECT_TRUE(t.at("parameter").toTensor().requires_grad());
  EXPECT_FALSE(base.requires_grad());
}

TEST(InteropToPython, VerdictCoversTheCommittedFiles) {
  const auto verdict = read_json(fixture("from_ember/verdict.json"));
  ASSERT_GE(verdict["checks"].size(), 7u);
  for (const auto& [name, result] : verdict["checks"].items()) EXPECT_EQ(result, "ok") << name;
  // The verdict is about exactly these bytes.
  ASSERT_EQ(verdict["fnv1a64"].size(), 11u);
  for (const auto& [file, hash] : verdict["fnv1a64"].items())
    EXPECT_EQ(sertest::fnv1a64(sertest::read_bytes(fixture("from_ember/" + file))), hash.get<std::string>()) << file;
}

std::string data_pkl(const std::string& pt_bytes) {
  // The pickle is the first entry, stored; its size is in the local header.
  const auto offsets = sertest::zip_data_offsets(pt_bytes);
  EXPECT_FALSE(offsets.empty());
  const uint64_t at = offsets.at(0).second;
  const auto u32 = [&](size_t p) {
    return uint64_t(uint8_t(pt_bytes[p])) | uint64_t(uint8_t(pt_bytes[p + 1])) << 8 |
           uint64_t(uint8_t(pt_bytes[p + 2])) << 16 | uint64_t(uint8_t(pt_bytes[p + 3])) << 24;
  };
  return pt_bytes.substr(at, u32(18));
}

TEST(InteropToPython, EmberStillWritesWhatPythonChecked) {
  sertest::TempDir dir;
  ember_files::write_ember_files(dir.path());
  // The pickles (structure, names, options, step counts) must be byte-identical; tensor values may
  // differ in the last bits between CPUs, so they are compared with a tolerance.
  for (const char* file : {"model.pt", "optim.pt", "tensors.pt", "inputs.pt", "optim_sgd.pt", "optim_adamw.pt",
                           "optim_rmsprop.pt", "optim_adagrad.pt"}) {
    EXPECT_EQ(data_pkl(sertest::read_bytes(dir.file(file))),
              data_pkl(sertest::read_bytes(fixture(std::string("from_ember/") + file))))
        << file;
  }
  const std::string st_now = sertest::read_bytes(dir.file("model.safetensors"));
  const std::string st_then = sertest::read_bytes(fixture("from_ember/model.safetensors"));
  size_t header = 8;
  for (int i = 0; i < 8; ++i) header += static_cast<size_t>(static_cast<uint8_t>(st_then[i])) << (8 * i);
  EXPECT_EQ(st_now.substr(0, header), st_then.substr(0, header));
  for (const char* file : {"model.pt", "optim.pt", "checkpoint.pt"}) {
    std::function<void(const c10::IValue&, const c10::IValue&, const std::string&)> same =
        [&](const c10::IValue& a, const c10::IValue& b, const std::string& path) {
          ASSERT_EQ(a.tag(), b.tag()) << file << " " << path;
          if (a.isTensor()) {
            ASSERT_EQ(a.toTensor().sizes(), b.toTensor().sizes()) << path;
            EXPECT_TRUE(a.toTensor().to(torch::kDouble).allclose(b.toTensor().to(torch::kDouble), 0, kTol)) << path;
          } else if (a.isGenericDict()) {
            ASSERT_EQ(a.toGenericDict().size(), b.toGenericDict().size()) << path;
            for (auto e : a.toGenericDict()) {
              std::ostringstream k;
              k << e.key();
              same(e.value(), b.toGenericDict().at(e.key()), path + "/" + k.str());
            }
          } else if (a.isList()) {
            ASSERT_EQ(a.toListRef().size(), b.toListRef().size()) << path;
            for (size_t i = 0; i < a.toListRef().size(); ++i)
              same(a.toListRef()[i], b.toListRef()[i], path + "/" + std::to_string(i));
          } else if (a.isDouble()) {
            EXPECT_NEAR(a.toDouble(), b.toDouble(), kTol) << path;
          }
        };
    same(torch::serialize::load_ivalue(dir.file(file)), torch::serialize::load_ivalue(fixture(std::string("from_ember/") + file)), "");
  }
  const auto now = read_json(dir.file("ember_expected.json")), then = read_json(fixture("from_ember/ember_expected.json"));
  for (const char* key : {"train_losses", "eval_output", "next_losses"})
    expect_close(now[key].get<std::vector<double>>(), then[key].get<std::vector<double>>(), key);
}

}  // namespace
