#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), builds everything and runs all tests with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure
