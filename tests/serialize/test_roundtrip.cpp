// Save/load round trips in both formats: tensors of every dtype and layout, tensor lists,
// modules, archives with nested archives and scalars, generic values, and optimizers that continue
// bit-identically after a reload; load_state_dict's all-or-nothing errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "expect_error.h"
#include "serialize/serialize_test_util.h"

namespace {

using sertest::TempDir;

std::vector<torch::Tensor> every_dtype() {
  return {torch::tensor({1.5f, -2.f, 3.25f}),
          torch::tensor({1e300, -0.5, 7.0}, torch::kDouble),
          torch::tensor({int64_t{-9}, int64_t{1} << 50, std::numeric_limits<int64_t>::min()}, torch::kLong),
          torch::tensor({-3, 0, std::numeric_limits<int32_t>::max()}, torch::kInt),
          torch::tensor({0, 128, 255}, torch::kByte),
          torch::tensor({true, false, true}, torch::kBool)};
}

void expect_same_tensor(const torch::Tensor& a, const torch::Tensor& b) {
  ASSERT_TRUE(a.defined() && b.defined());
  EXPECT_EQ(a.dtype(), b.dtype());
  EXPECT_EQ(a.sizes(), b.sizes());
  EXPECT_TRUE(a.equal(b)) << a << " vs " << b;
}

TEST(SerializeTensor, EveryDtypeBothFormatsAndStreams) {
  TempDir dir;
  for (const auto& t : every_dtype()) {
    for (const char* name : {"t.pt", "t.safetensors"}) {
      torch::save(t, dir.file(name));
      torch::Tensor back;
      torch::load(back, dir.file(name));
      expect_same_tensor(back, t);
    }
    std::stringstream ss;
    torch::save(t, ss);
    torch::Tensor back;
    torch::load(back, ss);
    expect_same_tensor(back, t);
  }
}

TEST(SerializeTensor, LayoutsZeroDimEmptyAndGrad) {
  TempDir dir;
  auto base = torch::arange(24, torch::kFloat).reshape({2, 3, 4});
  auto strided = base.permute({2, 0, 1}).slice(0, 1, 4, 2);  // non-contiguous, with an offset
  ASSERT_FALSE(strided.is_contiguous());
  for (const char* name : {"s.pt", "s.safetensors"}) {
    torch::save(strided, dir.file(name));
    torch::Tensor back;
    torch::load(back, dir.file(name));
    expect_same_tensor(back, strided);
  }
  // The .pt format keeps the view's geometry, as PyTorch's does.
  torch::Tensor back;
  torch::load(back, dir.file("s.pt"));
  EXPECT_EQ(back.strides(), strided.strides());
  EXPECT_EQ(back.storage_offset(), strided.storage_offset());

  for (const auto& t : {torch::scalar_tensor(2.5), torch::zeros({0, 3}), torch::zeros({4, 0, 2}, torch::kLong)}) {
    for (const char* name : {"z.pt", "z.safetensors"}) {
      torch::save(t, dir.file(name));
      torch::Tensor b;
      torch::load(b, dir.file(name));
      expect_same_tensor(b, t);
    }
  }
  auto w = torch::ones({2}).requires_grad_();
  torch::save(w, dir.file("w.pt"));
  torch::Tensor wb;
  torch::load(wb, dir.file("w.pt"));
  EXPECT_TRUE(wb.requires_grad());
  EXPECT_TRUE(wb.is_leaf());
}

TEST(SerializeTensor, LoadIntoDefinedTensorKeepsIdentity) {
  TempDir dir;
  torch::save(torch::full({3}, 7.0), dir.file("t.pt"));
  auto p = torch::zeros({2}).requires_grad_();
  const auto* impl = p.unsafeGetTensorImpl();
  torch::load(p, dir.file("t.pt"));
  EXPECT_EQ(p.unsafeGetTensorImpl(), impl);
  EXPECT_TRUE(p.equal(torch::full({3}, 7.0)));
  EXPECT_TRUE(p.requires_grad());
}

TEST(SerializeTensor, SharedStorageStaysShared) {
  TempDir dir;
  auto base = torch::arange(6, torch::kFloat);
  torch::save(std::vector<torch::Tensor>{base, base.view({2, 3}).t()}, dir.file("v.pt"));
  std::vector<torch::Tensor> back;
  torch::load(back, dir.file("v.pt"));
  ASSERT_EQ(back.size(), 2u);
  expect_same_tensor(back[1], base.view({2, 3}).t());
  back[0].fill_(-1);  // one storage in the file, one storage after loading
  EXPECT_TRUE(back[1].equal(torch::full({3, 2}, -1.0)));
}

TEST(SerializeTensor, VectorBothFormatsAndPythonLayout) {
  TempDir dir;
  auto tensors = every_dtype();
  for (const char* name : {"v.pt", "v.safetensors"}) {
    torch::save(tensors, dir.file(name));
    std::vector<torch::Tensor> back{torch::ones({1})};  // LibTorch appends
    torch::load(back, dir.file(name));
    ASSERT_EQ(back.size(), tensors.size() + 1);
    for (size_t i = 0; i < tensors.size(); ++i) expect_same_tensor(back[i + 1], tensors[i]);
  }
  // Python's torch.load gives a list; LibTorch-style {"0": .., "1": ..} files load too.
  EXPECT_TRUE(torch::serialize::load_ivalue(dir.file("v.pt")).isList());
  torch::serialize::OutputArchive archive;
  archive.write("0", tensors[0]);
  archive.write("1", tensors[1]);
  archive.save_to(dir.file("libtorch_style.pt"));
  std::vector<torch::Tensor> back;
  torch::load(back, dir.file("libtorch_style.pt"));
  ASSERT_EQ(back.size(), 2u);
  expect_same_tensor(back[1], tensors[1]);
}

TEST(SerializeTensor, ZipEntriesAre64ByteAlignedAndStored) {
  const std::string bytes = sertest::saved_bytes(every_dtype());
  const auto offsets = sertest::zip_data_offsets(bytes);
  ASSERT_EQ(offsets.size(), 2u + every_dtype().size() + 1u);  // data.pkl, byteorder, 6 storages, version
  EXPECT_EQ(offsets.front().first, "archive/data.pkl");
  for (const auto& [name, offset] : offsets) EXPECT_EQ(offset % 64, 0u) << name;
}

// ---- modules ----

struct Block : torch::nn::Module {
  Block() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(3));
    fc = register_module("fc", torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false)));
    scale = register_parameter("scale", torch::ones({2}));
    steps = register_buffer("steps", torch::zeros({}, torch::kLong));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::Tensor scale, steps;
};

void scramble(torch::nn::Module& m, double seed) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters()) p.copy_((torch::arange(p.numel(), torch::kDouble) + seed).sin().view(p.sizes()));
  for (auto& b : m.buffers()) b.copy_((torch::arange(b.numel(), torch::kDouble) * seed).view(b.sizes()));
}

void expect_same_state(const torch::nn::Module& a, const torch::nn::Module& b) {
  auto sa = torch::serialize::state_dict(a).toGenericDict(), sb = torch::serialize::state_dict(b).toGenericDict();
  ASSERT_EQ(sa.size(), sb.size());
  for (auto e : sa) expect_same_tensor(sb.at(e.key()).toTensor(), e.value().toTensor());
}

TEST(SerializeModule, StateDictKeysArePyTorchs) {
  auto block = std::make_shared<Block>();
  std::vector<std::string> keys;
  for (auto e : torch::serialize::state_dict(*block).toGenericDict()) keys.push_back(e.key().toStringRef());
  EXPECT_EQ(keys, (std::vector<std::string>{"scale", "steps", "conv.weight", "conv.bias", "bn.weight", "bn.bias",
                                            "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
                                            "fc.weight"}));
  torch::nn::Sequential seq(torch::nn::Linear(2, 2), torch::nn::ReLU(), torch::nn::Linear(2, 1));
  auto sd = torch::serialize::state_dict(*seq.ptr()).toGenericDict();
  EXPECT_TRUE(sd.contains("0.weight") && sd.contains("2.bias") && sd.size() == 4u);
}

TEST(SerializeModule, SharedPtrHolderAndSequentialBothFormats) {
  TempDir dir;
  for (const char* name : {"m.pt", "m.safetensors"}) {
    auto a = std::make_shared<Block>(), b = std::make_shared<Block>();
    scramble(*a, 1), scramble(*b, 2);
    const auto params_before = b->parameters();
    torch::save(a, dir.file(name));
    torch::load(b, dir.file(name));
    expect_same_state(*a, *b);
    // Loading copies into the existing tensors, so an optimizer holding them keeps working.
    const auto params_after = b->parameters();
    for (size_t i = 0; i < params_before.size(); ++i) EXPECT_TRUE(params_before[i].is_same(params_after[i]));

    torch::nn::Linear la(3, 4), lb(3, 4);
    scramble(*la, 3);
    torch::save(la, dir.file(name));
    torch::load(lb, dir.file(name));
    expect_same_state(*la, *lb);

    torch::nn::Sequential sa(torch::nn::Linear(2, 3), torch::nn::BatchNorm1d(3)), sb(torch::nn::Linear(2, 3), torch::nn::BatchNorm1d(3));
    scramble(*sa, 4);
    torch::save(sa, dir.file(name));
    torch::load(sb, dir.file(name));
    expect_same_state(*sa, *sb);
  }
}

TEST(SerializeModule, LoadStateDictReportsEverythingAndChangesNothing) {
  auto m = std::make_shared<Block>();
  scramble(*m, 5);
  auto sd = torch::serialize::state_dict(*m).toGenericDict();
  c10::impl::GenericDict bad;
  for (auto e : sd) {
    const auto& k = e.key().toStringRef();
    if (k == "bn.bias") continue;                                      // missing
    if (k == "conv.weight") bad.insert(k, torch::zeros({3, 2, 5, 5}));  // wrong shape
    else if (k == "steps") bad.insert(k, torch::zeros({}));            // float into int64
    else if (k == "fc.weight") bad.insert(k, c10::IValue(int64_t{3}));  // not a tensor
    else bad.insert(k, e.value());
  }
  bad.insert("extra.weight", torch::ones({1}));  // unexpected
  auto target = std::make_shared<Block>();
  scramble(*target, 6);
  std::vector<torch::Tensor> watched = target->parameters();
  for (auto& b : target->buffers()) watched.push_back(b);
  for (const char* needle :
       {"Missing key(s) in state_dict: \"bn.bias\"", "Unexpected key(s) in state_dict: \"extra.weight\"",
        "size mismatch for conv.weight: copying a param with shape torch.Size([3, 2, 5, 5]) from checkpoint, the "
        "shape in current model is torch.Size([3, 2, 3, 3])",
        "dtype mismatch for steps: copying a param of dtype torch.float32 from checkpoint, the dtype in current model "
        "is torch.int64",
        "\"fc.weight\", the checkpoint holds a int, not a tensor"})
    expect_error([&] { torch::serialize::load_state_dict(*target, c10::IValue(bad)); }, needle, watched);

  // strict=false tolerates missing and unexpected keys, but not mismatches.
  c10::impl::GenericDict partial;
  partial.insert("scale", torch::full({2}, 9.0));
  partial.insert("unknown", torch::ones({1}));
  auto keys = torch::serialize::load_state_dict(*target, c10::IValue(partial), /*strict=*/false);
  EXPECT_EQ(keys.unexpected_keys, std::vector<std::string>{"unknown"});
  EXPECT_EQ(keys.missing_keys.size(), sd.size() - 1);
  EXPECT_TRUE(target->scale.equal(torch::full({2}, 9.0)));
  partial.insert("scale", torch::ones({3}));  // already present: insert keeps the first
  partial.insert_or_assign("scale", torch::ones({3}));
  expect_error([&] { torch::serialize::load_state_dict(*target, c10::IValue(partial), false); }, "size mismatch for scale",
               watched);
}

TEST(SerializeModule, FloatingTypesConvertAndNestedDictsCount) {
  torch::nn::Linear m(2, 2);
  c10::impl::GenericDict fc;
  fc.insert("weight", torch::ones({2, 2}, torch::kDouble) * 0.5);
  fc.insert("bias", torch::zeros({2}, torch::kDouble));
  torch::serialize::load_state_dict(*m, c10::IValue(fc));
  EXPECT_EQ(m->weight.dtype(), torch::kFloat);
  EXPECT_TRUE(m->weight.equal(torch::full({2, 2}, 0.5)));
  torch::nn::Sequential seq(torch::nn::Linear(2, 2));
  c10::impl::GenericDict nested;
  nested.insert("0", fc);
  torch::serialize::load_state_dict(*seq.ptr(), c10::IValue(nested));
  EXPECT_TRUE(seq->parameters()[0].equal(torch::full({2, 2}, 0.5)));
}

TEST(SerializeModule, WholeCheckpointWhereAModelBelongsGetsAHint) {
  TempDir dir;
  torch::nn::Linear m(2, 2);
  torch::serialize::OutputArchive archive, model_archive;
  m->save(model_archive);
  archive.write("model", model_archive);
  archive.write("epoch", 3);
  archive.save_to(dir.file("ck.pt"));
  expect_error([&] { torch::load(m, dir.file("ck.pt")); }, "holds the model's entries under \"model\"",
               m->parameters());
}

// ---- archives ----

TEST(SerializeArchive, NestedArchivesAndScalars) {
  TempDir dir;
  for (const char* name : {"a.pt", "a.safetensors"}) {
    const bool safetensors = std::string(name).find("safetensors") != std::string::npos;
    torch::serialize::OutputArchive out, inner, innermost;
    innermost.write("deep", torch::ones({2}));
    inner.write("w", torch::arange(4, torch::kFloat), /*is_buffer=*/false);
    inner.write("innermost", innermost);
    out.write("inner", inner);
    out.write("t", torch::eye(2));
    out("u", torch::zeros({1}));  // operator() forwards to write
    if (!safetensors) {
      out.write("lr", 0.125);
      out.write("epoch", int64_t{7});
      out.write("flag", true);
      out.write("name", c10::IValue("run-1"));
    }
    out.write("t", torch::eye(3));  // a second write replaces, keeping the place
    EXPECT_EQ(out.keys().front(), "inner");
    out.save_to(dir.file(name));

    torch::serialize::InputArchive in;
    in.load_from(dir.file(name), torch::kCPU);
    torch::Tensor t, w, deep, missing;
    in.read("t", t);
    EXPECT_TRUE(t.equal(torch::eye(3)));
    EXPECT_FALSE(in.try_read("missing", missing));
    EXPECT_FALSE(missing.defined());
    torch::serialize::InputArchive nested, nested2;
    in.read("inner", nested);
    nested.read("w", w);
    EXPECT_TRUE(w.equal(torch::arange(4, torch::kFloat)));
    nested.read("innermost", nested2);
    nested2.read("deep", deep);
    EXPECT_TRUE(deep.equal(torch::ones({2})));
    EXPECT_FALSE(nested.try_read("absent", nested2));
    if (!safetensors) {
      c10::IValue v;
      in.read("lr", v);
      EXPECT_EQ(v.toDouble(), 0.125);
      in.read("epoch", v);
      EXPECT_EQ(v.toInt(), 7);
      in.read("flag", v);
      EXPECT_TRUE(v.toBool());
      in.read("name", v);
      EXPECT_EQ(v.toStringRef(), "run-1");
      EXPECT_EQ(in.keys(), (std::vector<std::string>{"inner", "t", "u", "lr", "epoch", "flag", "name"}));
    } else {
      // safetensors is flat: nested archives come back as dotted names.
      EXPECT_EQ(in.keys(), (std::vector<std::string>{"inner.w", "inner.innermost.deep", "t", "u"}));
      EXPECT_EQ(nested.keys(), (std::vector<std::string>{"w", "innermost.deep"}));
    }
    expect_error([&] { in.read("nope", t); }, "No such serialized tensor 'nope'");
    expect_error([&] { in.read("inner", t); },
                 safetensors ? "No such serialized tensor 'inner'" : "'inner' is a dict, not a tensor");
  }
  torch::serialize::OutputArchive scalars;
  scalars.write("lr", 0.5);
  expect_error([&] { scalars.save_to(dir.file("bad.safetensors")); }, "safetensors holds only tensors, but 'lr' is a float");
}

TEST(SerializeArchive, StreamsFunctionsAndDevices) {
  torch::serialize::OutputArchive out;
  out.write("x", torch::arange(5, torch::kLong));
  std::string bytes;
  out.save_to([&](const void* p, size_t n) {
    bytes.append(static_cast<const char*>(p), n);
    return n;
  });
  torch::serialize::InputArchive a, b, c;
  a.load_from(bytes.data(), bytes.size());
  b.load_from([&](uint64_t pos, void* buf, size_t n) {
    // Hands out at most 7 bytes at a time, as a slow reader might.
    const size_t k = std::min<size_t>(n, 7);
    std::memcpy(buf, bytes.data() + pos, k);
    return k;
  }, [&] { return bytes.size(); });
  std::istringstream is(bytes);
  c.load_from(is);
  for (auto* in : {&a, &b, &c}) {
    torch::Tensor x;
    in->read("x", x);
    EXPECT_TRUE(x.equal(torch::arange(5, torch::kLong)));
  }
  expect_error([&] { a.load_from(bytes.data(), bytes.size(), torch::Device(torch::kCUDA)); }, "CUDA");
  expect_error([&] { out.save_to([](const void*, size_t) { return size_t{0}; }); }, "the write function took 0");
}

// ---- generic values ----

TEST(SerializeValue, PickleSaveLoadEveryKind) {
  c10::impl::GenericDict d;
  d.insert("none", c10::IValue());
  d.insert("true", true);
  d.insert("ints", std::vector<int64_t>{0, 255, 256, 65535, 65536, -1, -129, std::numeric_limits<int32_t>::min(),
                                        int64_t{1} << 31, -(int64_t{1} << 40), std::numeric_limits<int64_t>::max(),
                                        std::numeric_limits<int64_t>::min()});
  d.insert("doubles", std::vector<double>{0.1, -0.0, 1e-310, std::numeric_limits<double>::infinity(), std::nan("")});
  d.insert("str", "héllo ✓");
  d.insert("empty_str", "");
  d.insert("tuple", c10::ivalue::Tuple::create({c10::IValue(int64_t{1}), c10::IValue("a"), c10::IValue(torch::ones({1}))}));
  d.insert("empty_tuple", c10::ivalue::Tuple::create({}));
  c10::impl::GenericList big;
  for (int i = 0; i < 2500; ++i) big.push_back(c10::IValue(int64_t{i}));  // past the 1000-item batches
  d.insert("big", big);
  c10::impl::GenericDict by_int;
  by_int.insert(int64_t{3}, "three");
  by_int.insert(int64_t{-1}, c10::impl::GenericDict());
  d.insert("by_int", by_int);
  d.insert("tensor", torch::arange(3, torch::kDouble));

  const auto back = torch::pickle_load(torch::pickle_save(c10::IValue(d))).toGenericDict();
  ASSERT_EQ(back.size(), d.size());
  EXPECT_TRUE(back.at("none").isNone());
  EXPECT_TRUE(back.at("true").toBool());
  EXPECT_EQ(back.at("ints").toIntVector(), d.at("ints").toIntVector());
  const auto ds = back.at("doubles").toDoubleVector();
  EXPECT_EQ(ds[0], 0.1);
  EXPECT_TRUE(ds[1] == 0 && std::signbit(ds[1]));
  EXPECT_EQ(ds[2], 1e-310);
  EXPECT_TRUE(std::isinf(ds[3]) && std::isnan(ds[4]));
  EXPECT_EQ(back.at("str").toStringRef(), "héllo ✓");
  EXPECT_EQ(back.at("empty_str").toStringRef(), "");
  const auto& tuple = back.at("tuple").toTupleRef().elements();
  ASSERT_EQ(tuple.size(), 3u);
  EXPECT_EQ(tuple[1].toStringRef(), "a");
  EXPECT_TRUE(tuple[2].toTensor().equal(torch::ones({1})));
  EXPECT_EQ(back.at("empty_tuple").toTuple()->size(), 0u);
  EXPECT_EQ(back.at("big").toListRef().size(), 2500u);
  EXPECT_EQ(back.at("big").toList().get(2499).toInt(), 2499);
  EXPECT_EQ(back.at("by_int").toGenericDict().at(int64_t{3}).toStringRef(), "three");
  EXPECT_TRUE(back.at("tensor").toTensor().equal(torch::arange(3, torch::kDouble)));
  // Insertion order survives.
  std::vector<std::string> order;
  for (auto e : back) order.push_back(e.key().toStringRef());
  EXPECT_EQ(order.front(), "none");
  EXPECT_EQ(order.back(), "tensor");
}

TEST(SerializeValue, IValueAccessorsNameTheType) {
  c10::IValue i(int64_t{3});
  expect_error([&] { i.toDouble(); }, "expected float but got int");
  expect_error([&] { i.toTensor(); }, "expected Tensor but got int");
  expect_error([&] { c10::IValue().toGenericDict(); }, "expected dict but got NoneType");
  c10::impl::GenericDict d;
  expect_error([&] { d.insert(torch::ones({1}), 1); }, "unhashable type: 'Tensor'");
  expect_error([&] { d.at("x"); }, "KeyError");
}

// ---- optimizers ----

template <typename Opt, typename Options>
void expect_optimizer_resumes_bit_identically(Options options) {
  TempDir dir;
  auto make = [] {
    torch::nn::Sequential m(torch::nn::Linear(3, 4), torch::nn::Tanh(), torch::nn::Linear(4, 2));
    scramble(*m, 0.5);
    return m;
  };
  const auto x = torch::linspace(-1, 1, 15).reshape({5, 3});
  const auto y = torch::linspace(0, 1, 10).reshape({5, 2});
  auto step = [&](torch::nn::Sequential& m, Opt& opt) {
    auto closure = [&] {
      opt.zero_grad();
      auto loss = torch::mse_loss(m->forward(x), y);
      loss.backward();
      return loss;
    };
    if constexpr (std::is_same_v<Opt, torch::optim::LBFGS>) {
      return opt.step(closure).template item<double>();
    } else {
      auto loss = closure();
      opt.step();
      return loss.template item<double>();
    }
  };
  auto a = make();
  Opt opt_a(a->parameters(), options);
  for (int i = 0; i < 3; ++i) step(a, opt_a);
  torch::save(a, dir.file("m.pt"));
  torch::save(opt_a, dir.file("o.pt"));

  auto b = make();
  scramble(*b, 9);
  Options other = options;
  other.lr(options.lr() * 3);
  Opt opt_b(b->parameters(), other);
  torch::load(b, dir.file("m.pt"));
  torch::load(opt_b, dir.file("o.pt"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(step(a, opt_a), step(b, opt_b)) << "step " << i;
  const auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(pa[i].equal(pb[i])) << "parameter " << i;
}

TEST(SerializeOptimizer, SGDNesterovMomentum) {
  expect_optimizer_resumes_bit_identically<torch::optim::SGD>(
      torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-3));
}
TEST(SerializeOptimizer, Adam) {
  expect_optimizer_resumes_bit_identically<torch::optim::Adam>(torch::optim::AdamOptions(0.01).weight_decay(0.01));
}
TEST(SerializeOptimizer, AdamWAmsgrad) {
  expect_optimizer_resumes_bit_identically<torch::optim::AdamW>(torch::optim::AdamWOptions(0.01).amsgrad(true));
}
TEST(SerializeOptimizer, RMSpropCenteredMomentum) {
  expect_optimizer_resumes_bit_identically<torch::optim::RMSprop>(
      torch::optim::RMSpropOptions(0.01).momentum(0.5).centered(true));
}
TEST(SerializeOptimizer, Adagrad) {
  expect_optimizer_resumes_bit_identically<torch::optim::Adagrad>(torch::optim::AdagradOptions(0.1).lr_decay(0.01));
}
TEST(SerializeOptimizer, LBFGS) {
  expect_optimizer_resumes_bit_identically<torch::optim::LBFGS>(torch::optim::LBFGSOptions(0.5).max_iter(4));
}

TEST(SerializeOptimizer, PyTorchLayoutAndRefusals) {
  torch::nn::Linear m(2, 2);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(0.01));
  torch::mse_loss(m->forward(torch::ones({1, 2})), torch::zeros({1, 2})).backward();
  opt.step();
  const auto sd = torch::serialize::optimizer_state_dict(opt).toGenericDict();
  const auto group = sd.at("param_groups").toListRef().at(0).toGenericDict();
  std::vector<std::string> keys;
  for (auto e : group) keys.push_back(e.key().toStringRef());
  EXPECT_EQ(keys, (std::vector<std::string>{"lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach",
                                            "capturable", "differentiable", "fused", "params"}));
  EXPECT_TRUE(group.at("betas").isTuple());
  EXPECT_TRUE(group.at("foreach").isNone());
  const auto state0 = sd.at("state").toGenericDict().at(int64_t{0}).toGenericDict();
  EXPECT_EQ(state0.at("step").toTensor().dtype(), torch::kFloat);
  EXPECT_EQ(state0.at("step").toTensor().dim(), 0);
  EXPECT_EQ(state0.begin()->key().toStringRef(), "step");

  // maximize=True changes the update, which ember's Adam cannot do: refused, nothing changed.
  c10::impl::GenericDict bad_group;
  for (auto e : group) bad_group.insert(e.key(), e.key().toStringRef() == "maximize" ? c10::IValue(true) : e.value());
  c10::impl::GenericDict bad;
  bad.insert("state", sd.at("state"));
  bad.insert("param_groups", c10::impl::GenericList({c10::IValue(bad_group)}));
  const auto exp_avg = static_cast<torch::optim::AdamParamState&>(*opt.state().begin()->second).exp_avg();
  expect_error([&] { torch::serialize::load_optimizer_state_dict(opt, c10::IValue(bad)); }, "maximize=True",
               {exp_avg});
  torch::nn::Linear bigger(3, 2);
  torch::optim::Adam other(bigger->parameters());
  expect_error([&] { torch::serialize::load_optimizer_state_dict(other, c10::IValue(sd)); }, "has shape [2, 2] but its parameter has shape [2, 3]");
  EXPECT_TRUE(other.state().empty());
}

}  // namespace
