#!/usr/bin/env bash
# Build the distillguard wheel and a wheel for every dependency into one directory.
#
# The Dockerfile's builder stage runs this, and so does docker/check.sh on a developer machine
# or in CI, so the two cannot drift. The final image then installs from this directory with
# --no-index (docker/install-wheel.sh): nothing is compiled or downloaded there.
#
# usage: build-wheels.sh SOURCE_DIR WHEEL_DIR   (PYTHON selects the interpreter; default python3)
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR WHEEL_DIR" >&2
  exit 2
fi
src=$1
out=$2
python=${PYTHON:-python3}

mkdir -p "$out"
"$python" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$out" "$src"
ls "$out"/distillguard-*.whl >/dev/null
echo "build-wheels: $(find "$out" -name '*.whl' | wc -l) wheels in $out"
