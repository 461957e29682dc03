#!/usr/bin/env bash
# Install distillguard from a directory of wheels into a fresh virtual environment, then prove
# the installed package works on its own: the console script answers --help and the JSON
# Schemas are found inside the environment, not in a source checkout.
#
# The Dockerfile's final stage runs this; docker/check.sh runs the same script on this machine.
# The environment gets no pip of its own (pip runs from the base interpreter with --python),
# so the image carries no installer and no build tools.
#
# usage: install-wheel.sh WHEEL_DIR VENV_DIR   (PYTHON selects the base interpreter)
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 WHEEL_DIR VENV_DIR" >&2
  exit 2
fi
wheels=$1
venv=$2
python=${PYTHON:-python3}

if [ -e "$venv" ]; then
  echo "install-wheel: $venv already exists; refusing to install over it" >&2
  exit 1
fi

"$python" -m venv --without-pip "$venv"
"$python" -m pip --disable-pip-version-check --python "$venv/bin/python" install \
  --quiet --no-index --find-links "$wheels" --no-cache-dir distillguard

venv=$(cd "$venv" && pwd -L)
# Run the checks from / so that nothing in a checkout can be imported or found by accident.
cd /
"$venv/bin/distillguard" --help >/dev/null
"$venv/bin/distillguard" --version
schema_dir=$("$venv/bin/python" -c \
  'from distillguard.models import schemas; print(schemas.schema_dir())')
venv_real=$(cd "$venv" && pwd -P)
case "$schema_dir" in
  "$venv"/* | "$venv_real"/*) echo "install-wheel: schemas found in $schema_dir" ;;
  *)
    echo "install-wheel: schemas resolved to $schema_dir, outside $venv_real" >&2
    exit 1
    ;;
esac
"$venv/bin/python" -c 'from distillguard.models import schemas; schemas.validator("api-event.v1")'
