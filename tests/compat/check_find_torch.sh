#!/usr/bin/env bash
# Installs ember from build dir $1 into a temporary prefix, then builds tests/compat/programs with
# its own unedited CMakeLists (find_package(Torch), C++17) found through CMAKE_PREFIX_PATH and
# through Torch_DIR, with compiler $2 and flags $3 (plus -Wall -Wextra -Werror), runs every
# program and compares its output with LibTorch 1.13's (programs/NAME.expected).
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
flags="-Wall -Wextra -Werror ${3:-}"
torch_dir=$(dirname "$(find "$tmp/prefix" -name TorchConfig.cmake | head -1)")

cmake -S "$here/programs" -B "$tmp/by-prefix" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_CXX_COMPILER="$2" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$tmp/by-prefix" >/dev/null
status=0
for src in "$here"/programs/*.cpp; do
  name=$(basename "$src" .cpp)
  if ! "$tmp/by-prefix/$name" 2>/dev/null | diff -u "$here/programs/$name.expected" - >"$tmp/diff"; then
    echo "$name prints other than LibTorch 1.13:" >&2
    cat "$tmp/diff" >&2
    status=1
  fi
done

# The same project through Torch_DIR, as LibTorch's docs also suggest (one program suffices).
cmake -S "$here/programs" -B "$tmp/by-dir" -G Ninja -DTorch_DIR="$torch_dir" \
  -DCMAKE_CXX_COMPILER="$2" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$tmp/by-dir" --target custom_function >/dev/null
"$tmp/by-dir/custom_function" | diff -u "$here/programs/custom_function.expected" - >&2 || status=1
# The programs compile as C++17: ember's targets must not raise the standard.
commands=$(ninja -C "$tmp/by-prefix" -t commands idioms)
if ! grep -q -- "-std=\(c\|gnu\)++17" <<<"$commands" || grep -q -- "-std=\(c\|gnu\)++2" <<<"$commands"; then
  echo "the programs were not compiled as C++17:" >&2
  grep -- "-std=" <<<"$commands" >&2
  status=1
fi
[ $status -eq 0 ] && echo "find_package(Torch): every program builds as C++17 and prints what LibTorch prints"
exit $status
