#!/usr/bin/env bash
# Installs the Debian packages ember builds and tests with (idempotent; needs root or sudo).
# --libtorch also installs Debian's LibTorch 1.13 (libtorch-dev), which only the comparison benchmark
# (bench/vs_libtorch/run.sh --install-libtorch) uses; neither the build nor the tests need it.
set -euo pipefail
with_libtorch=0
for arg in "$@"; do
  case "$arg" in
    --libtorch) with_libtorch=1 ;;
    *) echo "setup.sh: unknown argument '$arg' (only --libtorch)" >&2; exit 2 ;;
  esac
done
# clang and libclang-rt-14-dev: the sanitizer build in CI uses clang 14.
# dataset-fashion-mnist: the IDX files under /usr/share/datasets/fashion-mnist that the data tests
# and the trainer read.
# libopenmpi-dev, openmpi-bin: the distributed layer (c10d::ProcessGroupMPI) and mpirun for its tests.
packages=(cmake ninja-build g++ clang libclang-rt-14-dev ccache libopenblas-openmp-dev libgtest-dev
          libbenchmark-dev nlohmann-json3-dev libzip-dev zlib1g-dev libcli11-dev dataset-fashion-mnist
          libhwy-dev libopenmpi-dev openmpi-bin)
if [ "$with_libtorch" -eq 1 ]; then packages+=(libtorch-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
