#!/usr/bin/env bash
# Installs ember from build dir $1 into a temporary prefix, builds tests/install/consumer against it
# with find_package(ember), and checks what it prints.
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$here/consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_CXX_COMPILER="$2" -DCMAKE_CXX_FLAGS="$3" >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/consumer")
if [ "$out" != "tensor([2., 4.])" ]; then
  echo "consumer printed: $out" >&2
  exit 1
fi
echo "installed package works: $out"
