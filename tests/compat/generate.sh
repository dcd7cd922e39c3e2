#!/usr/bin/env bash
# Rebuilds the expected outputs from Debian's LibTorch 1.13 (apt-get install libtorch-dev; each
# program takes about half a minute and 1 GB to compile): expected.txt from libtorch_program.cpp,
# and programs/NAME.expected from each programs/NAME.cpp (only the NAMEs given as arguments, if any).
# CI never runs this.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build() {  # source, binary
  g++ -std=c++17 -O1 -Wno-deprecated-declarations -I/usr/include/torch/csrc/api/include "$1" -o "$2" \
    -ltorch -ltorch_cpu -lc10
}
if [ $# -eq 0 ]; then
  build libtorch_program.cpp "$out/program"
  "$out/program" > expected.txt
  set -- $(cd programs && ls *.cpp | sed 's/\.cpp$//')
fi
for name in "$@"; do
  build "programs/$name.cpp" "$out/$name"
  "$out/$name" > "programs/$name.expected" 2>/dev/null
done
