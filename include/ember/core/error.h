// ember::Error, the one exception type, and the EMBER_CHECK argument check.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
  // LibTorch's c10::Error::what_without_backtrace(); ember keeps no backtrace.
  const char* what_without_backtrace() const noexcept { return what(); }
  const char* msg() const noexcept { return what(); }
};

namespace detail {
inline void append_all(std::ostringstream&) {}
template <typename T, typename... Rest>
void append_all(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  append_all(os, rest...);
}
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  append_all(os, args...);
  return os.str();
}
[[noreturn]] void throw_error(const std::string& msg);
}  // namespace detail

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  detail::throw_error(detail::str_cat(args...));
}

}  // namespace ember

// The one macro outside compat/: throws ember::Error with the streamed message parts when
// `cond` is false. The message is only built on failure.
#define EMBER_CHECK(cond, ...)                                  \
  do {                                                          \
    if (__builtin_expect(!(cond), 0)) ::ember::fail(__VA_ARGS__); \
  } while (0)
