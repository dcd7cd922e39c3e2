// Writes expected.json: LibTorch 1.13's result for every differential case (built only to regenerate).
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cases.h"
#include "guard.h"

int main(int argc, char** argv) {
  // Every variant runs the same number of times (its rounds), so appending variants to cases.h keeps
  // the existing variants' cases as they were.
  const uint64_t rounds = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 120;
  const uint64_t n = rounds * diffcase::variants().size();
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < n; ++i) ids.push_back(i);
  auto outcomes = diffguard::run_guarded(
      ids, 250,
      [](uint64_t id) {
        torch::set_num_threads(1);
        return diffcase::to_json(id, diffcase::run_case(id));
      },
      600, 60);
  const auto& vs = diffcase::variants();
  std::printf("{\"generator\":\"LibTorch %s\",\"n\":%llu,\"variants\":%zu,\"cases\":[\n", TORCH_VERSION,
              static_cast<unsigned long long>(n), vs.size());
  size_t skipped = 0;
  for (uint64_t id = 0; id < n; ++id) {
    const auto& o = outcomes[id];
    std::string line = o.ok ? o.line : "";
    if (!o.ok) {
      // LibTorch itself crashed here: nothing to compare with.
      line = "{\"id\":" + std::to_string(id) + ",\"op\":\"" + vs[id % vs.size()].name + "\",\"skipped\":";
      diffcase::json_str(line, "LibTorch crashed: " + o.crash);
      line += "}";
      ++skipped;
    }
    std::printf("%s%s\n", line.c_str(), id + 1 < n ? "," : "");
  }
  std::printf("]}\n");
  std::fprintf(stderr, "%llu cases, %zu variants, %zu skipped\n", static_cast<unsigned long long>(n), vs.size(), skipped);
}
