#!/usr/bin/env bash
# Configures and builds ember in build/ (Release) with Ninja and ccache. Extra args go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
# Debug builds (the sanitizer stage) would otherwise hash the working directory, so a fresh
# checkout elsewhere could never hit the cache.
export CCACHE_NOHASHDIR=1
cmake -S . -B "${BUILD_DIR:-build}" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "${BUILD_DIR:-build}" -j "$(nproc)"
