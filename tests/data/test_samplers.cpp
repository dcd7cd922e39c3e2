// Samplers: sequential and random orders, reset, reproducibility under manual_seed, and the
// distributed samplers' shards (exact cover, disjointness, padding, set_epoch).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace samplers = torch::data::samplers;

namespace {

template <typename S>
std::vector<size_t> drain(S& sampler, size_t batch_size, std::vector<size_t>* sizes = nullptr) {
  std::vector<size_t> all;
  while (auto batch = sampler.next(batch_size)) {
    EXPECT_FALSE(batch->empty());
    if (sizes) sizes->push_back(batch->size());
    all.insert(all.end(), batch->begin(), batch->end());
  }
  return all;
}

std::vector<size_t> iota(size_t n, size_t start = 0) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

std::vector<size_t> sorted(std::vector<size_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST(Samplers, Sequential) {
  samplers::SequentialSampler s(10);
  std::vector<size_t> sizes;
  EXPECT_EQ(drain(s, 4, &sizes), iota(10));
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(s.index(), 10u);
  EXPECT_FALSE(s.next(4).has_value());
  s.reset();
  EXPECT_EQ(drain(s, 3), iota(10));
  s.reset(5);
  EXPECT_EQ(drain(s, 100), iota(5));
  samplers::SequentialSampler empty(0);
  EXPECT_FALSE(empty.next(1).has_value());
}

TEST(Samplers, RandomIsAPermutationReproducibleUnderManualSeed) {
  torch::manual_seed(42);
  samplers::RandomSampler a(100);
  auto first = drain(a, 7);
  EXPECT_EQ(sorted(first), iota(100));
  EXPECT_NE(first, iota(100));
  a.reset();
  auto second = drain(a, 7);
  EXPECT_EQ(sorted(second), iota(100));
  EXPECT_NE(first, second);  // a new permutation each epoch

  torch::manual_seed(42);
  samplers::RandomSampler b(100);
  EXPECT_EQ(drain(b, 13), first);  // batch size does not change the order
  b.reset();
  EXPECT_EQ(drain(b, 100), second);

  // The permutation is torch::randperm's on the default generator.
  torch::manual_seed(3);
  auto expected = torch::randperm(20);
  torch::manual_seed(3);
  samplers::RandomSampler c(20, torch::kInt);
  auto got = drain(c, 20);
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(static_cast<int64_t>(got[i]), expected[i].item<int64_t>());

  c.reset(5);
  EXPECT_EQ(sorted(drain(c, 2)), iota(5));
  EXPECT_THROW(samplers::RandomSampler(-1), c10::Error);
  EXPECT_THROW(samplers::RandomSampler(4, torch::kFloat), c10::Error);
}

TEST(Samplers, Stream) {
  samplers::StreamSampler s(10);
  std::vector<size_t> sizes;
  while (auto b = s.next(3)) sizes.push_back(*b);
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));
  s.reset(4);
  auto b = s.next(10);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->size(), 4u);
  EXPECT_FALSE(s.next(10).has_value());
}

// Every rank's shard for every size / world size / duplicates setting: equal lengths, indices in
// range; with duplicates the union is the whole data set and only the padding repeats; without,
// the shards are disjoint and leave out only the remainder.
TEST(Samplers, DistributedShardsCoverTheDataSet) {
  for (bool random : {false, true}) {
    for (size_t size : {0, 1, 2, 7, 10, 11, 64}) {
      for (size_t replicas : {1, 2, 3, 4, 5}) {
        for (bool dup : {true, false}) {
          SCOPED_TRACE(testing::Message()
                       << "random " << random << " size " << size << " replicas " << replicas << " duplicates " << dup);
          const size_t local = dup ? (size + replicas - 1) / replicas : size / replicas;
          std::map<size_t, int> seen;
          for (size_t rank = 0; rank < replicas; ++rank) {
            std::vector<size_t> shard;
            if (random) {
              samplers::DistributedRandomSampler s(size, replicas, rank, dup);
              shard = drain(s, 3);
            } else {
              samplers::DistributedSequentialSampler s(size, replicas, rank, dup);
              shard = drain(s, 3);
              // A contiguous run starting at rank * local, wrapping past the end.
              for (size_t i = 0; i < shard.size(); ++i) EXPECT_EQ(shard[i], (rank * local + i) % size);
            }
            EXPECT_EQ(shard.size(), local);
            for (size_t i : shard) {
              EXPECT_LT(i, size);
              ++seen[i];
            }
          }
          size_t total = 0;
          for (auto& [i, n] : seen) total += static_cast<size_t>(n);
          EXPECT_EQ(total, local * replicas);
          if (dup) {
            EXPECT_EQ(seen.size(), size);  // every example somewhere
            // Padding wraps around the data set, so no example repeats more than the wrap count.
            for (auto& [i, n] : seen) EXPECT_LE(static_cast<size_t>(n), (local * replicas + size - 1) / size);
          } else {
            EXPECT_EQ(seen.size(), local * replicas);  // disjoint
            for (auto& [i, n] : seen) EXPECT_EQ(n, 1);
          }
        }
      }
    }
  }
}

TEST(Samplers, DistributedRandomSetEpoch) {
  const size_t size = 50, replicas = 3;
  auto shards = [&](size_t epoch) {
    std::vector<std::vector<size_t>> out;
    for (size_t rank = 0; rank < replicas; ++rank) {
      samplers::DistributedRandomSampler s(size, replicas, rank, false);
      s.set_epoch(epoch);
      EXPECT_EQ(s.epoch(), epoch);
      s.reset();
      out.push_back(drain(s, 4));
    }
    return out;
  };
  auto e0 = shards(0), e1 = shards(1);
  EXPECT_EQ(shards(0), e0);  // the same on every rank and every run: it depends on the epoch alone
  EXPECT_NE(e0, e1);
  for (auto& e : {e0, e1}) {
    std::vector<size_t> all;
    for (auto& s : e) all.insert(all.end(), s.begin(), s.end());
    EXPECT_EQ(std::set<size_t>(all.begin(), all.end()).size(), 48u);  // disjoint, 50 - 50 % 3
  }
  // Shuffled, not sequential; and independent of torch::manual_seed.
  EXPECT_NE(e0[0], iota(16));
  torch::manual_seed(1);
  auto again = shards(1);
  torch::manual_seed(2);
  EXPECT_EQ(shards(1), again);

  // reset(new_size) reshards.
  samplers::DistributedRandomSampler s(10, 2, 1);
  s.reset(4);
  EXPECT_EQ(drain(s, 10).size(), 2u);
  samplers::DistributedSequentialSampler q(10, 2, 1);
  EXPECT_EQ(drain(q, 10), iota(5, 5));
  q.reset();
  EXPECT_EQ(drain(q, 2), iota(5, 5));
  q.reset(4);
  EXPECT_EQ(drain(q, 10), iota(2, 2));
}

TEST(Samplers, DistributedBadArguments) {
  try {
    samplers::DistributedRandomSampler(10, 2, 2);
    ADD_FAILURE() << "no error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 2 is out of range for 2 replicas"), std::string::npos) << e.what();
  }
  EXPECT_THROW(samplers::DistributedSequentialSampler(10, 0, 0), c10::Error);
}
