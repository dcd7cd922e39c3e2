#!/usr/bin/env bash
# The main job: sets up the machine, builds, and runs the seed walkthrough.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
"${BUILD_DIR:-build}/examples/seed_autograd"
