// Crash guard for the differential cases: runs them in forked children, so a crash is reported as its case.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace diffguard {

// What became of one case: its line (run_case's JSON), or why it has none.
struct Outcome {
  bool ok = false;
  std::string line;
  std::string crash;  // "signal 11 (Segmentation fault)", "exit status 1", "timeout after 30 s", ...
};

inline std::string describe_status(int status, bool timed_out, unsigned timeout_s) {
  if (timed_out) return "timeout after " + std::to_string(timeout_s) + " s";
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "unknown wait status " + std::to_string(status);
}

// Runs f over ids[from..] in one child that writes one line per finished case to a pipe. Returns
// the lines it finished and, if it died before the end, how (empty when it finished).
inline std::string run_child(const std::vector<uint64_t>& ids, size_t from, const std::function<std::string(uint64_t)>& f,
                             unsigned timeout_s, std::vector<std::string>* lines) {
  int fds[2];
  if (pipe(fds) != 0) return std::string("pipe failed: ") + std::strerror(errno);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return std::string("fork failed: ") + std::strerror(errno);
  if (pid == 0) {
    close(fds[0]);
    alarm(timeout_s);
    for (size_t i = from; i < ids.size(); ++i) {
      std::string l = f(ids[i]);
      l += '\n';
      const char* p = l.data();
      size_t left = l.size();
      while (left > 0) {
        ssize_t w = write(fds[1], p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(3);
        p += w;
        left -= static_cast<size_t>(w);
      }
    }
    close(fds[1]);
    _exit(0);  // no atexit handlers, no flushing of the parent's buffers
  }
  close(fds[1]);
  std::string buf;
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fds[0], chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    buf.append(chunk, static_cast<size_t>(r));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  size_t start = 0;
  for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
    lines->push_back(buf.substr(start, nl - start));
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (clean && from + lines->size() == ids.size()) return "";
  bool timed_out = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
  if (clean) return "child ended early";
  return describe_status(status, timed_out, timeout_s);
}

// Runs every id through f behind the guard: in chunks of `chunk` cases per child; where a child
// dies, the case it was running is run again alone, so the crash is pinned on it (or, if it
// passes alone, on the cases before it in that process).
inline std::map<uint64_t, Outcome> run_guarded(const std::vector<uint64_t>& all, size_t chunk,
                                               const std::function<std::string(uint64_t)>& f, unsigned chunk_timeout_s,
                                               unsigned case_timeout_s) {
  std::map<uint64_t, Outcome> out;
  for (size_t c0 = 0; c0 < all.size(); c0 += chunk) {
    std::vector<uint64_t> ids(all.begin() + static_cast<std::ptrdiff_t>(c0),
                              all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), c0 + chunk)));
    size_t from = 0;
    while (from < ids.size()) {
      std::vector<std::string> lines;
      std::string died = run_child(ids, from, f, chunk_timeout_s, &lines);
      for (size_t i = 0; i < lines.size(); ++i) {
        Outcome& o = out[ids[from + i]];
        o.ok = true;
        o.line = lines[i];
      }
      from += lines.size();
      if (died.empty()) break;
      if (from >= ids.size()) break;
      // The case that was running when the child died: alone, in a fresh child.
      std::vector<uint64_t> one{ids[from]};
      std::vector<std::string> alone;
      std::string died_alone = run_child(one, 0, f, case_timeout_s, &alone);
      Outcome& o = out[ids[from]];
      if (died_alone.empty() && alone.size() == 1) {
        o.crash = from == 0 ? died + " (alone, run again, it passed)"
                            : died + " when run after cases " + std::to_string(ids[0]) + ".." +
                                  std::to_string(ids[from - 1]) + " in the same process (alone it passed)";
      } else {
        o.crash = died_alone.empty() ? died : died_alone;
      }
      ++from;
    }
  }
  return out;
}

}  // namespace diffguard
