#!/usr/bin/env bash
# The main job: sets up the machine (Debian packages, Fashion-MNIST included), builds, and trains the
# CNN on Fashion-MNIST (extra arguments go to the trainer, e.g. --model mlp --epochs 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
"${BUILD_DIR:-build}/examples/fashion_mnist" "$@"
