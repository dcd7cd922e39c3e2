// Corrupt and malicious checkpoints: each is refused with an ember::Error naming the problem,
// the module being loaded into keeps every value, nothing crashes and no large allocation happens.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <torch/torch.h>
#include <zip.h>

#include <sstream>

#include "expect_error.h"
#include "serialize/pickle.h"
#include "serialize/serialize_test_util.h"

namespace {

// ---- building files by hand ----

// Pickle bytes, opcode by opcode.
struct Pkl {
  std::string b;
  Pkl& op(uint8_t c) { return b.push_back(static_cast<char>(c)), *this; }
  Pkl& raw(const std::string& s) { return b += s, *this; }
  Pkl& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Pkl& proto(int v = 2) { return op(0x80).op(static_cast<uint8_t>(v)); }
  Pkl& str(const std::string& s) { return op('X').le(s.size(), 4).raw(s); }
  Pkl& i(int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(static_cast<uint64_t>(v), 4);
    return op(0x8a).op(8).le(static_cast<uint64_t>(v), 8);  // LONG1
  }
  Pkl& global(const std::string& module, const std::string& name) { return op('c').raw(module + "\n" + name + "\n"); }
  Pkl& mark() { return op('('); }
  Pkl& tuple() { return op('t'); }
  Pkl& ints(const std::vector<int64_t>& v) {
    mark();
    for (auto x : v) i(x);
    return tuple();
  }
  Pkl& empty_ordered_dict() { return global("collections", "OrderedDict").op(')').op('R'); }
  Pkl& stop() { return op('.'); }
};

struct TensorSpec {
  std::string storage_class = "FloatStorage", key = "0", location = "cpu";
  int64_t numel = 6, offset = 0;
  std::vector<int64_t> sizes{2, 3}, strides{3, 1};
  bool requires_grad = false;
};

// {"w": tensor} as torch.save writes it, the tensor's storage being data/<key>.
Pkl& tensor(Pkl& p, const TensorSpec& s) {
  p.global("torch._utils", "_rebuild_tensor_v2").mark();
  p.mark().str("storage").global("torch", s.storage_class).str(s.key).str(s.location).i(s.numel).tuple().op('Q');
  p.i(s.offset).ints(s.sizes).ints(s.strides).op(s.requires_grad ? 0x88 : 0x89).empty_ordered_dict().tuple().op('R');
  return p;
}
std::string state_dict_pickle(const TensorSpec& s) {
  Pkl p;
  p.proto().op('}').mark().str("w");
  tensor(p, s);
  return p.op('u').stop().b;
}

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(src);
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  for (const auto& [name, data] : entries) {
    zip_source_t* s = zip_source_buffer(za, data.data(), data.size(), 0);
    const zip_int64_t i = zip_file_add(za, name.c_str(), s, 0);
    zip_set_file_compression(za, static_cast<zip_uint64_t>(i), ZIP_CM_STORE, 0);
  }
  zip_close(za);
  zip_source_open(src);
  std::string out;
  char chunk[4096];
  for (zip_int64_t n; (n = zip_source_read(src, chunk, sizeof chunk)) > 0;) out.append(chunk, static_cast<size_t>(n));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&err);
  return out;
}

std::string floats(int n) { return std::string(static_cast<size_t>(n) * 4, '\0'); }

std::string pt(const std::string& pickle, const std::string& storage = floats(6)) {
  return make_zip({{"archive/data.pkl", pickle}, {"archive/data/0", storage}, {"archive/version", "3\n"}});
}

std::string safetensors(const std::string& header, const std::string& data, uint64_t claimed_len = ~0ull) {
  std::string out;
  const uint64_t n = claimed_len == ~0ull ? header.size() : claimed_len;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct Case {
  std::string name, bytes, needle;
};

std::vector<Case> corrupt_cases() {
  std::vector<Case> c;
  const std::string good = pt(state_dict_pickle({}));
  auto spec = [](auto&& edit) {
    TensorSpec s;
    edit(s);
    return s;
  };
  auto with_pickle = [&](const std::string& pkl) { return pt(pkl); };

  // -- not a checkpoint / zip damage --
  c.push_back({"empty file", "", "the file is empty"});
  c.push_back({"random bytes", "not a checkpoint at all, just text", "not a checkpoint ember can read"});
  c.push_back({"truncated zip", good.substr(0, good.size() / 2), "not a valid zip archive"});
  c.push_back({"zip cut inside the first header", good.substr(0, 20), "not a valid zip archive"});
  {
    std::string bad_crc = good;
    const auto at = bad_crc.find(std::string("\x80\x02}", 3));
    bad_crc[at + 3] ^= 0x55;  // a byte of data.pkl, so its CRC no longer matches
    c.push_back({"bad CRC", bad_crc, "is corrupt"});
  }
  {
    std::string cd = good;
    const auto at = cd.rfind("PK\x01\x02");  // the last central directory entry: claim another size
    cd[at + 24] ^= 0x40;
    c.push_back({"central directory disagrees with local header", cd, "not a valid zip archive"});
  }
  c.push_back({"missing data.pkl", make_zip({{"archive/data/0", floats(6)}, {"archive/version", "3\n"}}),
               "has no data.pkl record"});
  c.push_back({"two data.pkl", make_zip({{"a/data.pkl", state_dict_pickle({})}, {"b/data.pkl", state_dict_pickle({})}}),
               "holds two data.pkl records"});
  c.push_back({"duplicate entry names",
               replace_all(make_zip({{"archive/data.pkl", state_dict_pickle({})}, {"archive/data/0", floats(6)},
                                     {"archive/data/1", floats(6)}}),
                           "archive/data/1", "archive/data/0"),
               "not a valid zip archive"});
  c.push_back({"storage record missing", make_zip({{"archive/data.pkl", state_dict_pickle({})}}),
               "storage '0' is missing"});
  c.push_back({"storage record too short", pt(state_dict_pickle({}), floats(5)),
               "claims 6 elements of 4 bytes but its record holds 20 bytes"});
  c.push_back({"big-endian byte order",
               make_zip({{"archive/data.pkl", state_dict_pickle({})}, {"archive/data/0", floats(6)},
                         {"archive/byteorder", "big"}}),
               "byte order is 'big'"});
  c.push_back({"unknown format version",
               make_zip({{"archive/data.pkl", state_dict_pickle({})}, {"archive/data/0", floats(6)},
                         {"archive/version", "999\n"}}),
               "version record"});
  c.push_back({"legacy torch.save", std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15),
               "legacy torch.save format"});

  // -- globals and opcodes --
  c.push_back({"os.system", with_pickle(Pkl().proto().global("os", "system").str("echo hi").op(0x85).op('R').stop().b),
               "refusing to load the global 'os.system'"});
  c.push_back({"builtins.eval via STACK_GLOBAL",
               with_pickle(Pkl().proto(4).op(0x8c).le(8, 1).raw("builtins").op(0x8c).le(4, 1).raw("eval").op(0x93).stop().b),
               "refusing to load the global 'builtins.eval'"});
  c.push_back({"torch.load itself", with_pickle(Pkl().proto().global("torch", "load").stop().b),
               "refusing to load the global 'torch.load'"});
  c.push_back({"storage class called", with_pickle(Pkl().proto().global("torch", "FloatStorage").op(')').op('R').stop().b),
               "may not construct the storage class 'torch.FloatStorage'"});
  c.push_back({"unknown opcode", with_pickle(Pkl().proto().op(0xff).stop().b), "unknown pickle opcode 0xff"});
  c.push_back({"INST", with_pickle(Pkl().proto().raw("ios\nsystem\n").stop().b), "opcode INST (0x69) is not allowed"});
  c.push_back({"NEWOBJ", with_pickle(Pkl().proto().empty_ordered_dict().op(')').op(0x81).stop().b),
               "opcode NEWOBJ (0x81) is not allowed"});
  c.push_back({"EXT1", with_pickle(Pkl().proto().op(0x82).op(1).stop().b), "opcode EXT1 (0x82) is not allowed"});
  c.push_back({"text PERSID", with_pickle(Pkl().proto().raw("P0\n").stop().b), "opcode PERSID (0x50) is not allowed"});
  c.push_back({"sets", with_pickle(Pkl().proto().op(0x8f).stop().b), "opcode EMPTY_SET (0x8f) is not allowed"});
  c.push_back({"pickle without STOP", with_pickle(Pkl().proto().op('}').b), "ends without STOP"});
  c.push_back({"string longer than the file", with_pickle(Pkl().proto().op('X').le(0xffffffffu, 4).raw("abc").b),
               "a string of 4294967295 bytes runs past the end"});
  c.push_back({"BINUNICODE8 of 2^63 bytes", with_pickle(Pkl().proto(4).op(0x8d).le(uint64_t{1} << 63, 8).b),
               "runs past the end"});
  c.push_back({"LONG4 of 2^31 bytes", with_pickle(Pkl().proto().op(0x8b).le(0x7fffffff, 4).b), "does not fit in int64"});
  c.push_back({"FRAME past the end", with_pickle(Pkl().proto(4).op(0x95).le(1000, 8).op('N').stop().b),
               "FRAME of 1000 bytes runs past the end"});
  c.push_back({"protocol 6", with_pickle(Pkl().proto(6).op('N').stop().b), "pickle protocol 6 is not supported"});
  c.push_back({"STOP on an empty stack", with_pickle(Pkl().proto().stop().b), "STOP on an empty stack"});
  c.push_back({"SETITEM on a list", with_pickle(Pkl().proto().op(']').str("k").str("v").op('s').stop().b),
               "SETITEM on a list, not a dict"});
  c.push_back({"APPEND to a dict", with_pickle(Pkl().proto().op('}').op('N').op('a').stop().b),
               "APPEND to a dict, not a list"});
  c.push_back({"unhashable key", with_pickle(Pkl().proto().op('}').op(']').op('N').op('s').stop().b),
               "a dict key is a list"});
  c.push_back({"class used as a value", with_pickle(Pkl().proto().op(']').global("collections", "OrderedDict").op('a').stop().b),
               "the global 'collections.OrderedDict' cannot be used as a list item"});

  // -- memo, nesting and size abuse --
  c.push_back({"memo read before write", with_pickle(Pkl().proto().op('h').op(7).stop().b), "memo entry 7 was never stored"});
  c.push_back({"list that contains itself",
               with_pickle(Pkl().proto().op(']').op('q').op(0).op('h').op(0).op('a').stop().b),
               "a container cannot contain itself"});
  c.push_back({"cycle through two lists",
               with_pickle(Pkl().proto().op(']').op('q').op(0).op(']').op('q').op(1).op('a')  // list0.append(list1)
                               .op('h').op(1).op('h').op(0).op('a')                            // list1.append(list0)
                               .stop().b),
               "changed after it was placed inside another one"});
  {
    // 64 levels of [x, x]: 2^64 nodes when walked as a tree, from a few hundred bytes.
    Pkl p;
    p.proto().op(']');
    for (int level = 0; level < 64; ++level) p.op('q').op(0).op(']').op('h').op(0).op('h').op(0).op(0x86).op('a');
    c.push_back({"exponential sharing", with_pickle(p.stop().b), "more than 16777216 parts"});
  }
  {
    Pkl p;
    p.proto();
    for (int i = 0; i < 300; ++i) p.op(']');
    for (int i = 0; i < 299; ++i) p.op('a');
    c.push_back({"deep nesting", with_pickle(p.stop().b), "nested deeper than 200"});
  }
  {
    Pkl p;
    p.proto();
    for (int i = 0; i < 5000; ++i) p.mark();
    c.push_back({"MARK nesting", with_pickle(p.stop().b), "more than 4096 nested MARKs"});
  }

  // -- tensors and storages --
  c.push_back({"negative size", pt(state_dict_pickle(spec([](auto& s) { s.sizes = {-1, 3}; }))),
               "size holds the negative value -1"});
  c.push_back({"huge size", pt(state_dict_pickle(spec([](auto& s) { s.sizes = {1 << 30, 1 << 30}; }))),
               "reach element"});
  c.push_back({"stride out of range", pt(state_dict_pickle(spec([](auto& s) { s.strides = {3, 2}; }))),
               "reach element 7 of a storage of 6 elements"});
  c.push_back({"offset past the storage", pt(state_dict_pickle(spec([](auto& s) { s.offset = 1; }))),
               "reach element 6 of a storage of 6 elements"});
  c.push_back({"size times stride overflows",
               pt(state_dict_pickle(spec([](auto& s) { s.sizes = {3, 2}, s.strides = {int64_t{1} << 62, 1}; }))),
               "overflows"});
  c.push_back({"size and stride disagree", pt(state_dict_pickle(spec([](auto& s) { s.strides = {3, 1, 1}; }))),
               "size has 2 dimensions but stride has 3"});
  c.push_back({"negative storage size", pt(state_dict_pickle(spec([](auto& s) { s.numel = -6; }))),
               "a size that is not an int >= 0"});
  c.push_back({"storage bigger than its record", pt(state_dict_pickle(spec([](auto& s) { s.numel = int64_t{1} << 61; }))),
               "claims 2305843009213693952 elements"});
  c.push_back({"storage key escapes the folder", pt(state_dict_pickle(spec([](auto& s) { s.key = "../../etc/passwd"; }))),
               "is not a valid record name"});
  c.push_back({"unknown storage class", pt(state_dict_pickle(spec([](auto& s) { s.storage_class = "ComplexFloatStorage"; }))),
               "refusing to load the global 'torch.ComplexFloatStorage'"});
  c.push_back({"integer tensor requiring grad",
               pt(state_dict_pickle(spec([](auto& s) { s.storage_class = "LongStorage", s.numel = 3, s.sizes = {3}, s.strides = {1}, s.requires_grad = true;
               })),
                  floats(6)),
               "a tensor of dtype torch.int64 cannot require grad"});
  {
    Pkl p;
    p.proto().op('}').mark().str("a");
    tensor(p, {});
    p.str("b");
    tensor(p, spec([](auto& s) { s.storage_class = "DoubleStorage"; }));
    c.push_back({"one storage, two types", pt(p.op('u').stop().b), "referred to with two different types or sizes"});
  }
  c.push_back({"persistent id that is not a storage",
               with_pickle(Pkl().proto().mark().str("module").global("torch", "FloatStorage").str("0").str("cpu").i(1)
                               .tuple().op('Q').stop().b),
               "only persistent ids of storages are allowed"});
  c.push_back({"rebuild from a number",
               with_pickle(Pkl().proto().global("torch._utils", "_rebuild_tensor_v2").mark().i(1).i(0).ints({1}).ints({1})
                               .op(0x89).empty_ordered_dict().tuple().op('R').stop().b),
               "the first argument is a int, not a storage"});
  {
    Pkl p;
    p.proto().global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").i(6).tuple().op('Q');
    p.i(0).ints({6}).ints({1}).op(0x89).op('}').str("hook").str("x").op('s').tuple().op('R').stop();
    c.push_back({"backward hooks", pt(p.b), "backward hooks must be an empty OrderedDict"});
  }

  // -- TorchScript archives (LibTorch's torch::save): objects are data, nothing else is allowed --
  auto torchscript = [](const std::string& pkl) {
    return make_zip({{"archive/data.pkl", pkl}, {"archive/constants.pkl", "\x80\x02)."}, {"archive/version", "3\n"}});
  };
  c.push_back({"TorchScript object with arguments",
               torchscript(Pkl().proto().global("__torch__", "Module").str("x").op(0x85).op(0x81).stop().b),
               "NEWOBJ of '__torch__.Module' with arguments"});
  c.push_back({"TorchScript class called", torchscript(Pkl().proto().global("__torch__", "Module").op(')').op('R').stop().b),
               "REDUCE may not call the class '__torch__.Module'"});
  c.push_back({"TorchScript archive naming os.system", torchscript(Pkl().proto().global("os", "system").stop().b),
               "refusing to load the global 'os.system'"});

  // -- safetensors --
  const std::string f32x2 = floats(2);
  c.push_back({"safetensors header length past the file",
               safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", f32x2, 1000),
               "header length 1000 runs past the end"});
  c.push_back({"safetensors header length 'negative'",
               safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", f32x2, ~0ull - 1),
               "runs past the end of the file"});
  c.push_back({"safetensors bad JSON", safetensors(R"({"a":{"dtype":"F32",)", f32x2), "header is not valid JSON"});
  c.push_back({"safetensors entry not an object", safetensors(R"({"a":5})", ""), "entry 'a' is not an object"});
  c.push_back({"safetensors missing dtype", safetensors(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", f32x2),
               "has no dtype string"});
  c.push_back({"safetensors unknown dtype", safetensors(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", "ab"),
               "has dtype 'F8_E4M3', which ember cannot load"});
  c.push_back({"safetensors negative shape", safetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", f32x2),
               "shape entry that is not an integer >= 0"});
  c.push_back({"safetensors shape overflows",
               safetensors(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", f32x2),
               "shape whose size overflows"});
  c.push_back({"safetensors shape disagrees with offsets",
               safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", f32x2),
               "has shape [3] and dtype F32 but 8 data bytes"});
  c.push_back({"safetensors offsets past the data",
               safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", f32x2),
               "data_offsets [0, 16] outside the 8 data bytes"});
  c.push_back({"safetensors offsets reversed", safetensors(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", f32x2),
               "data_offsets [8, 0] outside"});
  c.push_back({"safetensors overlapping tensors",
               safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                           f32x2),
               "overlaps the data of another tensor"});
  c.push_back({"safetensors unclaimed bytes", safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", f32x2),
               "4 unclaimed bytes at the end"});
  c.push_back({"safetensors metadata not strings",
               safetensors(R"({"__metadata__":{"epoch":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", f32x2),
               "__metadata__ entry 'epoch' is not a string"});
  return c;
}

TEST(SerializeCorrupt, EveryCaseIsRefusedWithItsReasonAndChangesNothing) {
  const auto cases = corrupt_cases();
  ASSERT_GE(cases.size(), 40u);
  const long rss_before = peak_rss_kb();
  torch::nn::Linear model(2, 3);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error([&] {
      std::istringstream is(c.bytes);
      torch::load(model, is);
    }, c.needle, model->parameters());
    expect_error([&] { torch::pickle_load(std::vector<char>(c.bytes.begin(), c.bytes.end())); }, c.needle);
  }
  // No case may have made the process allocate (and touch) much memory.
  EXPECT_LT(peak_rss_kb() - rss_before, 64 * 1024);
}

TEST(SerializeCorrupt, ErrorsNameTheFile) {
  sertest::TempDir dir;
  const std::string path = dir.file("broken.pt");
  sertest::write_bytes(path, pt(state_dict_pickle({}), floats(2)));
  torch::nn::Linear model(2, 3);
  expect_error([&] { torch::load(model, path); }, path + ": storage '0' claims 6 elements", model->parameters());
  expect_error([&] { torch::load(model, dir.file("missing.pt")); }, dir.file("missing.pt") + ": cannot open for reading");
  expect_error([&] { torch::load(model, dir.path()); }, dir.path() + ": not a regular file");
}

TEST(SerializeCorrupt, TheHandBuiltFilesAreValidWhenNotDamaged) {
  // The cases above damage one thing each; undamaged, the same builders make loadable files.
  const auto v = torch::pickle_load([] {
    const std::string s = pt(state_dict_pickle({}));
    return std::vector<char>(s.begin(), s.end());
  }());
  EXPECT_EQ(v.toGenericDict().at("w").toTensor().sizes(), (std::vector<int64_t>{2, 3}));
  const std::string st = safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats(2));
  EXPECT_TRUE(torch::serialize::load_ivalue(st.data(), st.size()).toGenericDict().at("a").toTensor().equal(torch::zeros({2})));
}

// The limits that would take megabytes to hit with their default values, at small values.
TEST(SerializeCorrupt, StackAndMemoLimits) {
  namespace d = ember::serialize::detail;
  d::UnpickleLimits small;
  small.max_stack = 100;
  small.max_memo = 100;
  auto no_storage = [](const std::string&, d::FileDType, int64_t) -> torch::Tensor { throw c10::Error("none"); };
  Pkl stack;
  stack.proto();
  for (int i = 0; i < 101; ++i) stack.op('N');
  expect_error([&] { d::unpickle(stack.b.data(), stack.b.size(), no_storage, "f", small); }, "more than 100 values on the pickle stack");
  Pkl memo;
  memo.proto().op('N');
  for (int i = 0; i < 101; ++i) memo.op('r').le(static_cast<uint64_t>(i) * 7919, 4);
  expect_error([&] { d::unpickle(memo.b.data(), memo.b.size(), no_storage, "f", small); }, "more than 100 memo entries");
  Pkl memoize;
  memoize.proto(4).op('N');
  for (int i = 0; i < 101; ++i) memoize.op(0x94);
  expect_error([&] { d::unpickle(memoize.b.data(), memoize.b.size(), no_storage, "f", small); }, "more than 100 memo entries");
  // Rewriting one memo slot again and again is no abuse.
  Pkl rewrite;
  rewrite.proto().op('N');
  for (int i = 0; i < 1000; ++i) rewrite.op('q').op(3);
  rewrite.stop();
  EXPECT_TRUE(d::unpickle(rewrite.b.data(), rewrite.b.size(), no_storage, "f", small).isNone());
}

}  // namespace
