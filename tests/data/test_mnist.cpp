// MNIST: synthetic IDX files (raw, gzip, multi-member gzip) read exactly; malformed files refused
// with an error naming the file; Debian's Fashion-MNIST read in place when installed.
#include <chrono>
#include <functional>

#include "data/idx_files.h"

using namespace data_test;
using torch::data::datasets::MNIST;

namespace {

void expect_images_match(const MNIST& ds, uint32_t count) {
  const auto& images = ds.images();
  ASSERT_EQ(images.sizes(), torch::IntArrayRef({count, 1, 28, 28}));
  ASSERT_EQ(images.dtype(), torch::kFloat);
  ASSERT_EQ(ds.targets().sizes(), torch::IntArrayRef({count}));
  ASSERT_EQ(ds.targets().dtype(), torch::kLong);
  auto flat = images.reshape({count, 28 * 28}).contiguous();
  const float* p = flat.data_ptr<float>();
  for (uint32_t i = 0; i < count; ++i) {
    for (uint32_t q = 0; q < 28 * 28; ++q)
      ASSERT_EQ(p[i * 784 + q], static_cast<float>(pixel(i, q)) / 255.0f) << "image " << i << " pixel " << q;
    EXPECT_EQ(ds.targets()[static_cast<int64_t>(i)].item<int64_t>(), (i * 3 + 1) % 10);
  }
}

// Expects MNIST(dir, mode) to throw ember::Error whose message contains every needle.
void expect_bad(const TempDir& dir, std::vector<std::string> needles, MNIST::Mode mode = MNIST::Mode::kTrain) {
  try {
    MNIST ds(dir.path, mode);
    ADD_FAILURE() << "no error; expected: " << needles[0];
  } catch (const c10::Error& e) {
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

const std::string kImages = "train-images-idx3-ubyte";
const std::string kLabels = "train-labels-idx1-ubyte";

}  // namespace

TEST(MNIST, ReadsRawIdxFiles) {
  TempDir dir;
  write_mnist(dir, "train", 5, false);
  MNIST ds(dir.path);
  EXPECT_TRUE(ds.is_train());
  ASSERT_EQ(ds.size().value(), 5u);
  expect_images_match(ds, 5);
  auto e = ds.get(3);
  EXPECT_EQ(e.data.sizes(), torch::IntArrayRef({1, 28, 28}));
  EXPECT_EQ(e.target.dim(), 0);
  EXPECT_EQ(e.target.dtype(), torch::kLong);
  EXPECT_EQ(e.target.item<int64_t>(), 0);
  EXPECT_TRUE(e.data.equal(ds.images()[3]));
  EXPECT_THROW(ds.get(5), c10::Error);
}

// The pixels are kept as bytes and converted per example; each example, a stacked batch and the
// float images() made afterwards must hold exactly pixel / 255 in float, as before.
TEST(MNIST, ExamplesAreDecodedOnDemandBitForBit) {
  TempDir dir;
  write_mnist(dir, "train", 7, false);
  MNIST ds(dir.path);
  for (uint32_t i = 0; i < 7; ++i) {
    auto e = ds.get(i);
    ASSERT_EQ(e.data.sizes(), torch::IntArrayRef({1, 28, 28}));
    ASSERT_EQ(e.data.dtype(), torch::kFloat);
    ASSERT_TRUE(e.data.is_contiguous());
    const float* p = e.data.data_ptr<float>();
    for (uint32_t q = 0; q < 28 * 28; ++q)
      ASSERT_EQ(p[q], static_cast<float>(pixel(i, q)) / 255.0f) << "image " << i << " pixel " << q;
    EXPECT_EQ(e.target.item<int64_t>(), (i * 3 + 1) % 10);
  }
  // A batch through Stack, before images() was ever called.
  auto stacked = MNIST(dir.path).map(torch::data::transforms::Stack<>());
  auto batch = stacked.get_batch({size_t(6), size_t(0), size_t(3)});
  expect_images_match(ds, 7);
  EXPECT_TRUE(batch.data.equal(torch::stack({ds.images()[6], ds.images()[0], ds.images()[3]})));
  EXPECT_TRUE(batch.target.equal(torch::stack({ds.targets()[6], ds.targets()[0], ds.targets()[3]})));
  for (uint32_t i = 0; i < 7; ++i) EXPECT_TRUE(ds.get(i).data.equal(ds.images()[i]));
  // images() is made once and kept.
  EXPECT_EQ(ds.images().data_ptr(), ds.images().data_ptr());
  // An example is its own tensor: writing to it leaves the data set as it was.
  auto e = ds.get(2);
  e.data.fill_(-1);
  EXPECT_TRUE(ds.get(2).data.equal(ds.images()[2]));
}

TEST(MNIST, ReadsGzipAndMixedFiles) {
  TempDir gz, mixed;
  write_mnist(gz, "t10k", 7, true);
  MNIST ds(gz.path, MNIST::Mode::kTest);
  EXPECT_FALSE(ds.is_train());
  expect_images_match(ds, 7);
  write_file(mixed.file("train-images-idx3-ubyte.gz"), gzip(idx_images(3)));
  write_file(mixed.file(kLabels), idx_labels(3));
  expect_images_match(MNIST(mixed.path), 3);
}

TEST(MNIST, ReadsConcatenatedGzipMembers) {
  TempDir dir;
  Bytes images = idx_images(4);
  const size_t half = images.size() / 2;
  Bytes gz = gzip(Bytes(images.begin(), images.begin() + half));
  Bytes second = gzip(Bytes(images.begin() + half, images.end()));
  gz.insert(gz.end(), second.begin(), second.end());
  write_file(dir.file(kImages + ".gz"), gz);
  write_file(dir.file(kLabels + ".gz"), gzip(idx_labels(4)));
  expect_images_match(MNIST(dir.path), 4);
}

TEST(MNIST, EmptyDataSet) {
  TempDir dir;
  write_mnist(dir, "train", 0, false);
  MNIST ds(dir.path);
  EXPECT_EQ(ds.size().value(), 0u);
  EXPECT_EQ(ds.images().sizes(), torch::IntArrayRef({0, 1, 28, 28}));
}

TEST(MNIST, RawFileProblems) {
  {  // no such directory
    TempDir dir;
    dir.path += "/missing";
    expect_bad(dir, {"cannot find " + kImages + " or " + kImages + ".gz", "no such directory"});
  }
  {  // labels missing
    TempDir dir;
    write_file(dir.file(kImages), idx_images(2));
    expect_bad(dir, {"cannot find " + kLabels, dir.path});
  }
  {  // test-mode file names
    TempDir dir;
    write_mnist(dir, "train", 2, false);
    expect_bad(dir, {"cannot find t10k-images-idx3-ubyte"}, MNIST::Mode::kTest);
  }
  {  // empty file
    TempDir dir;
    write_file(dir.file(kImages), {});
    write_file(dir.file(kLabels), idx_labels(2));
    expect_bad(dir, {dir.file(kImages), "is empty"});
  }
  {  // header cut short
    TempDir dir;
    write_file(dir.file(kImages), Bytes{0, 0, 8, 3, 0, 0});
    write_file(dir.file(kLabels), idx_labels(2));
    expect_bad(dir, {dir.file(kImages), "ends inside the header"});
  }
  {  // a labels file where the images should be
    TempDir dir;
    write_file(dir.file(kImages), idx_labels(2));
    write_file(dir.file(kLabels), idx_labels(2));
    expect_bad(dir, {dir.file(kImages), "wrong magic number 0x00000801, expected 0x00000803", "labels file"});
  }
  {  // an images file where the labels should be
    TempDir dir;
    write_file(dir.file(kImages), idx_images(2));
    write_file(dir.file(kLabels), idx_images(2));
    expect_bad(dir, {dir.file(kLabels), "wrong magic number 0x00000803, expected 0x00000801", "images file"});
  }
  {  // not an IDX file at all
    TempDir dir;
    write_file(dir.file(kImages),
               Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!'});
    write_file(dir.file(kLabels), idx_labels(2));
    expect_bad(dir, {dir.file(kImages), "wrong magic number 0x68656c6c"});
  }
  {  // images of the wrong size
    TempDir dir;
    write_file(dir.file(kImages), idx_images(2, 32, 32));
    write_file(dir.file(kLabels), idx_labels(2));
    expect_bad(dir, {dir.file(kImages), "images are 32x32 pixels, expected 28x28"});
  }
  {  // absurd dimensions: no allocation of rows * cols bytes
    TempDir dir;
    write_file(dir.file(kImages), idx_images(1, 0xFFFFFFFFu, 0xFFFFFFFFu, 0));
    write_file(dir.file(kLabels), idx_labels(1));
    expect_bad(dir, {dir.file(kImages), "images are 4294967295x4294967295 pixels"});
  }
  {  // absurd count: refused from the file size before allocating
    TempDir dir;
    write_file(dir.file(kImages), idx_images(0xFFFFFFFFu, 28, 28, 1));
    write_file(dir.file(kLabels), idx_labels(1));
    expect_bad(dir, {dir.file(kImages), "promises 4294967295 images (3367254359280 bytes)", "holds only 784 bytes"});
  }
  {  // pixel data cut short
    TempDir dir;
    Bytes images = idx_images(5);
    images.resize(images.size() - 100);
    write_file(dir.file(kImages), images);
    write_file(dir.file(kLabels), idx_labels(5));
    expect_bad(dir, {dir.file(kImages), "promises 5 images (3920 bytes)", "holds only 3820 bytes"});
  }
  {  // more data than the header says
    TempDir dir;
    Bytes images = idx_images(5);
    images.push_back(0);
    write_file(dir.file(kImages), images);
    write_file(dir.file(kLabels), idx_labels(5));
    expect_bad(dir, {dir.file(kImages), "has data past the 5 images its header promises"});
  }
  {  // labels cut short
    TempDir dir;
    write_file(dir.file(kImages), idx_images(5));
    write_file(dir.file(kLabels), idx_labels(5, 3));
    expect_bad(dir, {dir.file(kLabels), "promises 5 labels (5 bytes)", "holds only 3 bytes"});
  }
  {  // images and labels disagree
    TempDir dir;
    write_file(dir.file(kImages), idx_images(5));
    write_file(dir.file(kLabels), idx_labels(4));
    expect_bad(dir, {dir.file(kImages) + " holds 5 images but " + dir.file(kLabels) + " holds 4 labels"});
  }
  {  // a directory where a file should be
    TempDir dir;
    fs::create_directory(dir.file(kImages));
    write_file(dir.file(kLabels), idx_labels(1));
    expect_bad(dir, {dir.file(kImages), "is not a regular file"});
  }
  {  // gzip data under a raw name
    TempDir dir;
    write_file(dir.file(kImages), gzip(idx_images(1)));
    write_file(dir.file(kLabels), idx_labels(1));
    expect_bad(dir, {dir.file(kImages), "is gzip-compressed but its name does not end in .gz"});
  }
}

TEST(MNIST, GzipFileProblems) {
  const std::string gz_images = kImages + ".gz";
  auto with_images = [&](const Bytes& gz_bytes, std::vector<std::string> needles, uint32_t labels = 5) {
    TempDir dir;
    write_file(dir.file(gz_images), gz_bytes);
    write_file(dir.file(kLabels), idx_labels(labels));
    needles.insert(needles.begin(), dir.file(gz_images));
    expect_bad(dir, needles);
  };
  const Bytes good = gzip(idx_images(5));
  // An empty .gz file.
  with_images({}, {"is empty (expected gzip data)"});
  // Not gzip at all.
  with_images(idx_images(5), {"corrupt gzip data (zlib: incorrect header check); is it really a .gz file?"});
  // The compressed stream cut in half.
  with_images(Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)),
              {"truncated: the gzip stream ends before its data is complete"});
  // All the data but no CRC trailer.
  with_images(Bytes(good.begin(), good.end() - 8), {"truncated: the gzip stream ends before its data is complete"});
  {  // A CRC that does not match the data.
    Bytes bad = good;
    bad[bad.size() - 8] ^= 0xFF;
    with_images(bad, {"corrupt gzip data (zlib: incorrect data check)"});
  }
  {  // Garbage after the last member.
    Bytes bad = good;
    bad.insert(bad.end(), {'j', 'u', 'n', 'k'});
    with_images(bad, {"corrupt gzip data (zlib: incorrect header check)"});
  }
  // A header promising ~3.4 TB from a few hundred compressed bytes: refused before allocating.
  with_images(gzip(idx_images(0xFFFFFFFFu, 28, 28, 1)), {"promises 4294967295 images", "can hold at most"}, 1);
  // A plausible promise that the stream does not keep.
  with_images(gzip(idx_images(50, 28, 28, 5)), {"promises 50 images (39200 bytes) but the data ends after 3920 bytes"},
              50);
  // A stream longer than its header says.
  with_images(gzip([] {
                Bytes b = idx_images(5);
                b.resize(b.size() + 784, 7);
                return b;
              }()),
              {"has data past the 5 images its header promises"});
  // Wrong magic inside the compressed stream.
  with_images(gzip(idx_labels(5)), {"wrong magic number 0x00000801"});
  {  // Labels as a truncated .gz.
    TempDir dir;
    write_file(dir.file(kImages), idx_images(5));
    const Bytes labels = gzip(idx_labels(5));
    write_file(dir.file(kLabels + ".gz"), Bytes(labels.begin(), labels.begin() + 12));
    expect_bad(dir, {dir.file(kLabels + ".gz"), "truncated"});
  }
}

// Debian's dataset-fashion-mnist, read in place.
TEST(MNIST, DebianFashionMnist) {
  const std::string root = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(root + "/train-images-idx3-ubyte.gz") && !fs::exists(root + "/train-images-idx3-ubyte"))
    GTEST_SKIP() << root << " is not installed (apt-get install dataset-fashion-mnist)";
  const auto t0 = std::chrono::steady_clock::now();
  MNIST train(root);
  const auto t1 = std::chrono::steady_clock::now();
  MNIST test(root, MNIST::Mode::kTest);
  std::cout << "[ info ] Fashion-MNIST train set read in " << std::chrono::duration<double>(t1 - t0).count() << " s\n";
  ASSERT_EQ(train.size().value(), 60000u);
  ASSERT_EQ(test.size().value(), 10000u);
  EXPECT_EQ(train.images().sizes(), torch::IntArrayRef({60000, 1, 28, 28}));
  // The first training example is an ankle boot (class 9), and so is the first test example.
  EXPECT_EQ(train.targets()[0].item<int64_t>(), 9);
  EXPECT_EQ(test.targets()[0].item<int64_t>(), 9);
  EXPECT_EQ(train.images().min().item<float>(), 0.0f);
  EXPECT_EQ(train.images().max().item<float>(), 1.0f);
  // Fashion-MNIST is balanced: 6000 training and 1000 test examples per class.
  for (int64_t c = 0; c < 10; ++c) {
    EXPECT_EQ(train.targets().eq(c).sum().item<int64_t>(), 6000) << "class " << c;
    EXPECT_EQ(test.targets().eq(c).sum().item<int64_t>(), 1000) << "class " << c;
  }
  auto e = train.get(59999);
  EXPECT_EQ(e.data.sizes(), torch::IntArrayRef({1, 28, 28}));
}
