// Atomic writes: a process killed in the middle of torch::save (SIGKILL, at several moments)
// leaves the previous checkpoint whole, and a save that fails leaves the old file untouched.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "expect_error.h"
#include "serialize/serialize_test_util.h"

namespace {

// Temporary files torch::save left in `dir` (named .<file>.tmp-<pid>-<n>); removes them.
int remove_leftovers(const std::string& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(".ckpt.pt.tmp-", 0) == 0) {
      std::filesystem::remove(e.path());
      ++n;
    }
  }
  return n;
}

TEST(SerializeAtomic, KilledSavesLeaveThePreviousCheckpoint) {
  sertest::TempDir dir;
  const std::string path = dir.file("ckpt.pt");
  // 8 MB per checkpoint, so that a save (build, write, fsync, rename) spans the kill times.
  const int64_t n = int64_t{1} << 21;
  const std::vector<torch::Tensor> versions{torch::full({n}, 1.0), torch::full({n}, 2.0)};
  torch::save(versions[0], path);
  const int delays_us[] = {0, 200, 1000, 3000, 8000, 20000};
  int interrupted = 0;
  for (int delay : delays_us) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child only saves (no parallel ops), then reports each finished save.
      ::close(ready[0]);
      for (unsigned i = 1;; ++i) {
        torch::save(versions[i % 2], path);
        const char done = 1;
        if (::write(ready[1], &done, 1) != 1) ::_exit(1);
      }
    }
    ::close(ready[1]);
    if (delay > 0) {
      char done;
      ASSERT_EQ(::read(ready[0], &done, 1), 1);  // kill during a later save, not the first
    }
    ::usleep(static_cast<useconds_t>(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(ready[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the saving child died on its own";
    interrupted += remove_leftovers(dir.path());

    torch::Tensor t;
    ASSERT_NO_THROW(torch::load(t, path)) << "after a kill at " << delay << " us";
    ASSERT_EQ(t.numel(), n);
    const double lo = t.min().item<double>(), hi = t.max().item<double>();
    EXPECT_EQ(lo, hi) << "a checkpoint mixing two saves";
    EXPECT_TRUE(lo == 1.0 || lo == 2.0);
  }
  // Most kills land inside a save (the loop saves back to back); at least one must have.
  EXPECT_GE(interrupted, 1);
  std::cout << interrupted << " of " << std::size(delays_us) << " kills interrupted a save\n";
}

TEST(SerializeAtomic, FailedSaveLeavesTheOldFile) {
  sertest::TempDir dir;
  const std::string path = dir.file("m.safetensors");
  torch::save(torch::ones({3}), path);
  const std::string before = sertest::read_bytes(path);
  torch::serialize::OutputArchive archive;
  archive.write("w", torch::zeros({3}));
  archive.write("epoch", 3);  // safetensors cannot hold it: the save fails after opening its temp file
  expect_error([&] { archive.save_to(path); }, "safetensors holds only tensors, but 'epoch' is a int");
  EXPECT_EQ(sertest::read_bytes(path), before);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "the temporary file was left behind";
  expect_error([&] { torch::save(torch::ones({1}), dir.file("no/such/dir/x.pt")); }, "cannot create the temporary file");
}

}  // namespace
