// Sampler save/load: LibTorch's own archives of each sampler saved mid-epoch load into ember's and
// hand out the rest of the epoch as LibTorch did; ember's round trip does the same; a bad archive
// is refused with an ember::Error and leaves the sampler as it was.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace samplers = torch::data::samplers;

namespace {

std::string fixture(const std::string& name) { return std::string(EMBER_FIXTURE_DIR) + "/samplers/" + name; }

nlohmann::json expected() {
  std::ifstream f(fixture("expected.json"));
  return nlohmann::json::parse(f);
}

template <typename S>
std::vector<size_t> drain(S& sampler, size_t batch_size) {
  std::vector<size_t> all;
  while (auto batch = sampler.next(batch_size)) all.insert(all.end(), batch->begin(), batch->end());
  return all;
}

std::vector<size_t> stream_sizes(samplers::StreamSampler& sampler, size_t batch_size) {
  std::vector<size_t> sizes;
  while (auto batch = sampler.next(batch_size)) sizes.push_back(batch->size());
  return sizes;
}

// The archive as it comes back from its file (bytes in memory).
void reload(torch::serialize::OutputArchive& out, torch::serialize::InputArchive& in) {
  std::stringstream bytes;
  out.save_to(bytes);
  in.load_from(bytes);
}

template <typename S>
void save_and_load(const S& from, S& into) {
  torch::serialize::OutputArchive out;
  from.save(out);
  torch::serialize::InputArchive in;
  reload(out, in);
  into.load(in);
}

template <typename S>
void load_file(S& sampler, const std::string& name) {
  torch::serialize::InputArchive in;
  in.load_from(fixture(name));
  sampler.load(in);
}

}  // namespace

// The files LibTorch 1.13 wrote (tests/fixtures/samplers/make_libtorch_samplers.cpp): each fresh
// ember sampler takes LibTorch's position (and for RandomSampler its permutation, for
// DistributedRandomSampler its epoch) and hands out what LibTorch's did.
TEST(SamplerState, LoadsLibTorchArchives) {
  const auto want = expected();
  samplers::SequentialSampler sequential(10);
  load_file(sequential, "sequential.pt");
  EXPECT_EQ(sequential.index(), 6u);
  EXPECT_EQ(drain(sequential, 3), want["sequential"].get<std::vector<size_t>>());

  samplers::RandomSampler random(20);
  load_file(random, "random.pt");
  EXPECT_EQ(random.index(), 6u);
  EXPECT_EQ(drain(random, 3), want["random"].get<std::vector<size_t>>());

  samplers::DistributedRandomSampler distributed_random(23, 3, 1, true);
  load_file(distributed_random, "distributed_random.pt");
  EXPECT_EQ(distributed_random.epoch(), 5u);
  EXPECT_EQ(drain(distributed_random, 2), want["distributed_random"].get<std::vector<size_t>>());

  samplers::DistributedSequentialSampler distributed_sequential(23, 3, 2, true);
  load_file(distributed_sequential, "distributed_sequential.pt");
  EXPECT_EQ(drain(distributed_sequential, 2), want["distributed_sequential"].get<std::vector<size_t>>());

  samplers::StreamSampler stream(10);
  load_file(stream, "stream.pt");
  EXPECT_EQ(stream_sizes(stream, 4), want["stream_batch_sizes"].get<std::vector<size_t>>());
}

// ember writes LibTorch's keys, each counter an int64 tensor.
TEST(SamplerState, WritesLibTorchKeys) {
  auto keys = [](const auto& sampler) {
    torch::serialize::OutputArchive out;
    sampler.save(out);
    return out.keys();
  };
  using K = std::vector<std::string>;
  EXPECT_EQ(keys(samplers::SequentialSampler(4)), K{"index"});
  EXPECT_EQ(keys(samplers::RandomSampler(4)), (K{"index", "indices"}));
  EXPECT_EQ(keys(samplers::DistributedRandomSampler(4)), (K{"sample_index_", "epoch_"}));
  EXPECT_EQ(keys(samplers::DistributedSequentialSampler(4)), K{"sample_index_"});
  EXPECT_EQ(keys(samplers::StreamSampler(4)), K{"examples_retrieved_so_far"});
  samplers::SequentialSampler s(10);
  s.next(4);
  torch::serialize::OutputArchive out;
  s.save(out);
  torch::serialize::InputArchive in;
  reload(out, in);
  torch::Tensor index;
  in.read("index", index);
  EXPECT_EQ(index.dtype(), torch::kLong);
  EXPECT_EQ(index.item<int64_t>(), 4);
}

// Saved mid-epoch, loaded into a fresh sampler: the rest of the epoch is the same.
TEST(SamplerState, RoundTripMidEpoch) {
  samplers::SequentialSampler sequential(11), sequential2(11);
  sequential.next(4);
  save_and_load(sequential, sequential2);
  EXPECT_EQ(drain(sequential2, 3), drain(sequential, 3));

  torch::manual_seed(1);
  samplers::RandomSampler random(50);
  random.next(7);
  random.next(7);
  torch::manual_seed(2);
  samplers::RandomSampler random2(5, torch::kInt);  // another size and dtype: the file decides the size
  save_and_load(random, random2);
  EXPECT_EQ(random2.index(), 14u);
  const auto rest = drain(random2, 5);
  EXPECT_EQ(rest.size(), 36u);
  EXPECT_EQ(rest, drain(random, 5));
  random2.reset();  // a new permutation over the loaded size
  EXPECT_EQ(drain(random2, 100).size(), 50u);

  samplers::DistributedRandomSampler distributed_random(40, 4, 3), distributed_random2(40, 4, 3);
  distributed_random.set_epoch(9);
  distributed_random.reset();
  distributed_random.next(3);
  save_and_load(distributed_random, distributed_random2);
  EXPECT_EQ(distributed_random2.epoch(), 9u);
  EXPECT_EQ(distributed_random2.index(), distributed_random.index());
  EXPECT_EQ(drain(distributed_random2, 2), drain(distributed_random, 2));

  samplers::DistributedSequentialSampler distributed_sequential(10, 3, 2), distributed_sequential2(10, 3, 2);
  distributed_sequential.next(1);
  save_and_load(distributed_sequential, distributed_sequential2);
  EXPECT_EQ(drain(distributed_sequential2, 2), drain(distributed_sequential, 2));

  samplers::StreamSampler stream(10), stream2(10);
  stream.next(3);
  save_and_load(stream, stream2);
  EXPECT_EQ(stream_sizes(stream2, 3), stream_sizes(stream, 3));

  // At the end of the epoch too.
  samplers::SequentialSampler done(3), done2(3);
  drain(done, 2);
  save_and_load(done, done2);
  EXPECT_FALSE(done2.next(1).has_value());
}

namespace {

// `load` from `bad` throws an ember::Error whose message holds `message`; the sampler then hands
// out exactly what its twin (never touched) does.
template <typename S, typename Next>
void expect_refused(S& sampler, S& twin, torch::serialize::OutputArchive& bad, const std::string& message,
                    const Next& rest) {
  torch::serialize::InputArchive in;
  reload(bad, in);
  try {
    sampler.load(in);
    ADD_FAILURE() << "no error for " << message;
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
  EXPECT_EQ(rest(sampler), rest(twin)) << message;
}

torch::serialize::OutputArchive archive_of(const std::string& key, const torch::Tensor& value) {
  torch::serialize::OutputArchive out;
  out.write(key, value);
  return out;
}

}  // namespace

TEST(SamplerState, BadArchiveIsRefusedAndChangesNothing) {
  auto rest = [](auto& s) { return drain(s, 2); };
  {
    samplers::SequentialSampler s(10), twin(10);
    s.next(3), twin.next(3);
    torch::serialize::OutputArchive empty;
    expect_refused(s, twin, empty, "No such serialized tensor 'index'", rest);
    auto past_end = archive_of("index", torch::tensor(int64_t{11}));
    expect_refused(s, twin, past_end, "SequentialSampler::load: 'index' is 11, expected a value in [0, 10]", rest);
    auto negative = archive_of("index", torch::tensor(int64_t{-1}));
    expect_refused(s, twin, negative, "'index' is -1", rest);
    auto floating = archive_of("index", torch::tensor(2.0));
    expect_refused(s, twin, floating, "'index' must hold one integer, got a tensor of dtype Float", rest);
    auto two = archive_of("index", torch::tensor({int64_t{1}, int64_t{2}}));
    expect_refused(s, twin, two, "'index' must hold one integer", rest);
    torch::serialize::OutputArchive not_tensor;
    not_tensor.write("index", int64_t{2});
    expect_refused(s, twin, not_tensor, "'index' is a int, not a tensor", rest);
  }
  {
    torch::manual_seed(5);
    samplers::RandomSampler s(12);
    torch::manual_seed(5);
    samplers::RandomSampler twin(12);
    s.next(5), twin.next(5);
    auto index = torch::tensor(int64_t{2});
    auto indices_only = archive_of("indices", torch::arange(6));
    expect_refused(s, twin, indices_only, "No such serialized tensor 'index'", rest);
    auto repeat = archive_of("index", index);
    repeat.write("indices", torch::tensor({int64_t{0}, int64_t{1}, int64_t{1}}));
    expect_refused(s, twin, repeat, "'indices' is not a permutation of 0..2 (1 at position 2)", rest);
    auto out_of_range = archive_of("index", index);
    out_of_range.write("indices", torch::tensor({int64_t{0}, int64_t{3}, int64_t{1}}));
    expect_refused(s, twin, out_of_range, "'indices' is not a permutation of 0..2 (3 at position 1)", rest);
    auto negative = archive_of("index", index);
    negative.write("indices", torch::tensor({int64_t{0}, int64_t{-2}, int64_t{1}}));
    expect_refused(s, twin, negative, "(-2 at position 1)", rest);
    auto past_end = archive_of("index", torch::tensor(int64_t{4}));
    past_end.write("indices", torch::arange(3));
    expect_refused(s, twin, past_end, "RandomSampler::load: 'index' is 4, expected a value in [0, 3]", rest);
    auto floating = archive_of("index", index);
    floating.write("indices", torch::arange(3.0));
    expect_refused(s, twin, floating, "'indices' must be a 1-D Long or Int tensor, got a tensor of dtype Float", rest);
    auto two_d = archive_of("index", index);
    two_d.write("indices", torch::arange(4).view({2, 2}));
    expect_refused(s, twin, two_d, "and shape [2, 2]", rest);
  }
  {
    samplers::DistributedRandomSampler s(20, 2, 1), twin(20, 2, 1);
    s.next(3), twin.next(3);
    // The shard of rank 1 of 2 is positions [10, 20]; the epoch must not change when the index is bad.
    auto outside = archive_of("epoch_", torch::tensor(int64_t{4}));
    outside.write("sample_index_", torch::tensor(int64_t{3}));
    expect_refused(s, twin, outside, "'sample_index_' is 3, expected a value in [10, 20]", rest);
    EXPECT_EQ(s.epoch(), 0u);
    auto no_epoch = archive_of("sample_index_", torch::tensor(int64_t{12}));
    expect_refused(s, twin, no_epoch, "No such serialized tensor 'epoch_'", rest);
    auto negative_epoch = archive_of("epoch_", torch::tensor(int64_t{-1}));
    negative_epoch.write("sample_index_", torch::tensor(int64_t{12}));
    expect_refused(s, twin, negative_epoch, "'epoch_' is -1", rest);
  }
  {
    samplers::DistributedSequentialSampler s(20, 2, 0), twin(20, 2, 0);
    s.next(3), twin.next(3);
    auto outside = archive_of("sample_index_", torch::tensor(int64_t{11}));
    expect_refused(s, twin, outside,
                   "DistributedSequentialSampler::load: 'sample_index_' is 11, expected a value in [0, 10]", rest);
  }
  {
    samplers::StreamSampler s(10), twin(10);
    s.next(3), twin.next(3);
    auto past_end = archive_of("examples_retrieved_so_far", torch::tensor(int64_t{12}));
    expect_refused(s, twin, past_end,
                   "StreamSampler::load: 'examples_retrieved_so_far' is 12, expected a value in [0, 10]",
                   [](auto& x) { return stream_sizes(x, 4); });
  }
}
