// Tensor core: handles, views and version counters, accessors, from_blob, dtypes and devices,
// random numbers (PyTorch's, for the same seed), threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "ember/ember.h"

using namespace ember;

namespace {
std::vector<double> values(const Tensor& t) { return t.to(kDouble).contiguous().to_vector<double>(); }
}  // namespace

TEST(Tensor, CopyIsOneReferenceAndShapesAreInline) {
  auto a = zeros({2, 3});
  EXPECT_EQ(a.use_count(), 1u);
  Tensor b = a;
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_TRUE(b.is_same(a));
  EXPECT_EQ(sizeof(Tensor), sizeof(void*));
  DimVector six{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(six.size(), 6u);
  DimVector seven{1, 2, 3, 4, 5, 6, 7};  // spills to the heap and stays correct
  EXPECT_EQ(seven[6], 7);
  EXPECT_EQ(ones({1, 1, 1, 1, 1, 1, 1, 2}).sum().item<double>(), 2.0);
}

TEST(Tensor, ViewsShareStorageAndVersion) {
  auto a = arange(6, TensorOptions(kFloat));
  auto v = a.view({2, 3});
  auto t = v.t();
  EXPECT_EQ(v.data_ptr(), a.data_ptr());
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.stride(0), 1);
  v.select(1, 2).fill_(-1);
  EXPECT_EQ(values(a), (std::vector<double>{0, 1, -1, 3, 4, -1}));
  EXPECT_EQ(a._version(), 1);
  EXPECT_EQ(t._version(), 1);
  auto n = a.narrow(0, 2, 3);
  EXPECT_EQ(n.storage_offset(), 2);
  EXPECT_EQ(values(n), (std::vector<double>{-1, 3, 4}));
  EXPECT_EQ(t.contiguous().stride(0), 2);
}

TEST(Tensor, AccessorAndItem) {
  auto a = arange(6, TensorOptions(kDouble)).reshape({2, 3});
  auto acc = a.accessor<double, 2>();
  EXPECT_EQ(acc[1][2], 5.0);
  acc[0][1] = 10;
  EXPECT_EQ(a[0][1].item<double>(), 10.0);
  auto transposed = a.t();  // accessor() on a temporary is deleted, as in LibTorch
  auto at = transposed.accessor<double, 2>();
  EXPECT_EQ(at[2][1], 5.0);
  EXPECT_EQ(tensor(3).item<int64_t>(), 3);
  EXPECT_EQ(tensor(true).item<bool>(), true);
}

TEST(Tensor, FromBlobWithAndWithoutDeleter) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  auto t = from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr<float>(), data);
  t.mul_(2);
  EXPECT_EQ(data[5], 12.0f);
  int deleted = 0;
  {
    auto u = from_blob(data, {3}, [&](void* p) { deleted += p == data; }, TensorOptions(kFloat));
    auto view = u.slice(0, 1);
    u.reset();
    EXPECT_EQ(deleted, 0);  // the view keeps the blob alive
  }
  EXPECT_EQ(deleted, 1);
  auto strided = from_blob(data, {2, 2}, {3, 1});
  EXPECT_EQ(values(strided), (std::vector<double>{2, 4, 8, 10}));
}

TEST(Tensor, DtypesOptionsAndDevices) {
  EXPECT_EQ(tensor({1, 2}).dtype(), kLong);
  EXPECT_EQ(tensor({1., 2.}).dtype(), kFloat);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
  EXPECT_EQ(tensor(std::vector<double>{1, 2}).dtype(), kDouble);
  EXPECT_EQ(zeros({2}, dtype(kInt)).dtype(), kInt);
  EXPECT_EQ(ones({2}, TensorOptions().dtype<uint8_t>()).dtype(), kByte);
  auto r = ones({2}, TensorOptions(kDouble).requires_grad(true));
  EXPECT_TRUE(r.requires_grad());
  EXPECT_TRUE(r.is_leaf());
  EXPECT_EQ(to_string(kDouble), std::string("Double"));
  EXPECT_FALSE(cuda::is_available());
  EXPECT_EQ(Device("cuda:1").index(), 1);
  EXPECT_EQ(Device("cpu").str(), "cpu");
  EXPECT_TRUE(r.to(Device(kCPU)).is_same(r));
  EXPECT_THROW(r.to(Device(kCUDA)), Error);
  EXPECT_EQ(result_type(tensor({1, 2}), tensor(1.5)), kFloat);
  EXPECT_EQ(result_type(tensor({1, 2}, kInt), Scalar(3)), kInt);
  EXPECT_EQ((tensor({1, 2}, kByte) + tensor({1}, kInt)).dtype(), kInt);
  EXPECT_EQ((ones({2}, kFloat) * tensor(2.0, kDouble)).dtype(), kFloat);
  EXPECT_EQ((ones({2}, kFloat) * ones({2}, kDouble)).dtype(), kDouble);
}

TEST(Tensor, RandomNumbersMatchPyTorchForTheSameSeed) {
  // torch.manual_seed(0) followed by the same calls in PyTorch 1.13.
  manual_seed(0);
  auto r = values(rand({5}));
  std::vector<double> want_rand{0.49625658988952637, 0.7682217955589294, 0.08847743272781372, 0.13203048706054688,
                                0.30742281675338745};
  for (size_t i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(r[i], want_rand[i]);
  manual_seed(0);
  auto n = values(randn({5}));
  std::vector<double> want_randn{1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991,
                                 -1.0845223665237427};
  for (size_t i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(n[i], want_randn[i]);
  manual_seed(0);
  auto big = values(randn({20}));
  EXPECT_DOUBLE_EQ(big[0], -1.1258398294448853);
  EXPECT_DOUBLE_EQ(big[2], -0.2505785822868347);
  manual_seed(0);
  EXPECT_EQ(values(randperm(6)), (std::vector<double>{2, 5, 3, 0, 1, 4}));
  manual_seed(0);
  EXPECT_EQ(values(randint(0, 10, {5})), (std::vector<double>{4, 9, 3, 0, 3}));
  Generator g(0);
  EXPECT_DOUBLE_EQ(values(rand({1}, g))[0], 0.49625658988952637);
}

TEST(Tensor, FactoriesMatchPyTorch) {
  EXPECT_EQ(values(arange(1, 2.0, 0.25)), (std::vector<double>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(values(linspace(0, 1, 5)), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(values(eye(2, 3)), (std::vector<double>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(values(full({2}, 7)), (std::vector<double>{7, 7}));
  EXPECT_EQ(full({2}, 7).dtype(), kLong);
  EXPECT_EQ(arange(3).dtype(), kLong);
  EXPECT_EQ(zeros_like(ones({2, 2}, kInt)).dtype(), kInt);
  EXPECT_EQ(tensor({{1, 2}, {3, 4}}).sizes().vec(), (std::vector<int64_t>{2, 2}));
}

TEST(Tensor, ThreadCountIsShared) {
  int64_t before = get_num_threads();
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
  auto m = ones({64, 64});
  EXPECT_EQ(m.mm(m)[0][0].item<float>(), 64.0f);
  set_num_threads(before);
  EXPECT_EQ(get_num_threads(), before);
  EXPECT_THROW(set_num_threads(0), Error);
}

// AddressSanitizer, as GCC and clang announce it.
#if defined(__SANITIZE_ADDRESS__)
#define EMBER_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_TEST_ASAN 1
#endif
#endif

namespace {
struct alignas(128) OverAligned : RefCounted {
  char payload[40];
};
struct Large : RefCounted {
  char payload[4096];
};
}  // namespace

// Tensor impls, storages and nodes take their memory from a per-thread cache (Pooled): a block
// comes back to the next object of its size, blocks cross threads, over-aligned and large classes
// get what they ask for. Under AddressSanitizer every block goes back to the system instead.
TEST(Tensor, SmallObjectsComeFromAPerThreadCache) {
  const void* first = zeros({}).unsafeGetTensorImpl();
  const void* second = zeros({}).unsafeGetTensorImpl();
#if defined(EMBER_TEST_ASAN)
  constexpr bool kCached = false;
#else
  constexpr bool kCached = true;
#endif
  if (kCached) {
    EXPECT_EQ(first, second);
  }
  // Made on one thread, dropped on another, both threads gone: the blocks stay usable.
  std::vector<Tensor> made;
  std::thread maker([&] {
    for (int i = 0; i < 500; ++i) made.push_back(full({}, i));
  });
  maker.join();
  std::thread dropper([&] { made.clear(); });
  dropper.join();
  std::vector<Tensor> again;
  for (int i = 0; i < 500; ++i) again.push_back(full({2}, i) * 2);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(again[i][1].item<double>(), 2.0 * i);
  auto aligned = make_intrusive<OverAligned>();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned.get()) % 128, 0u);
  auto large = make_intrusive<Large>();
  large->payload[4095] = 1;
  EXPECT_EQ(large->payload[4095], 1);
}

TEST(Tensor, EqualAndAllclose) {
  EXPECT_TRUE(tensor({1., 2.}).equal(tensor({1., 2.})));
  EXPECT_FALSE(tensor({1., 2.}).equal(tensor({1., 2., 3.})));
  EXPECT_TRUE(tensor({1.0, 2.0}).allclose(tensor({1.0 + 1e-9, 2.0})));
  EXPECT_FALSE(tensor({1.0, 2.0}).allclose(tensor({1.1, 2.0})));
}
