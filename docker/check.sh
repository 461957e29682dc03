#!/usr/bin/env bash
# Prove the image's install steps on this machine, without a container engine: build the wheels
# exactly as the Dockerfile's builder stage does (docker/build-wheels.sh), install them exactly as
# its final stage does (docker/install-wheel.sh) into a clean temporary venv, and check the
# installed console script and schemas from outside the checkout.
#
# A stamp of the inputs' hash in .tools/ skips the work when nothing that ships has changed.
# usage: bash docker/check.sh [--force]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-python3.11}
stamp=.tools/wheel-check.sha256

inputs_hash() {
  find pyproject.toml README.md schemas models streams docker/build-wheels.sh docker/install-wheel.sh \
    -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

hash=$(inputs_hash)
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  echo "wheel check: inputs unchanged since the last pass ($hash), skipped (--force reruns)"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/distillguard-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Build from a copy of exactly what the Docker build context holds (.dockerignore), so that a
# file missing from the context fails here too and the build leaves nothing in the checkout.
mkdir -p "$work/src/docker"
cp -R pyproject.toml README.md schemas models streams "$work/src/"
cp docker/build-wheels.sh docker/install-wheel.sh "$work/src/docker/"
find "$work/src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

PYTHON=$python bash "$work/src/docker/build-wheels.sh" "$work/src" "$work/wheels"
PYTHON=$python bash "$work/src/docker/install-wheel.sh" "$work/wheels" "$work/venv"

mkdir -p .tools
echo "$hash" >"$stamp"
echo "wheel check: ok"
