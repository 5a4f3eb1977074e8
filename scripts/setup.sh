#!/bin/sh
# Installs the Debian packages ember needs, only those that are missing.
# Idempotent and non-interactive; runs `apt-get update` only when something
# has to be installed. Usage: scripts/setup.sh [--check]
set -eu

PACKAGES="cmake ninja-build g++ make pkg-config \
  libflatbuffers-dev flatbuffers-compiler \
  libcli11-dev nlohmann-json3-dev libarchive-dev \
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata \
  libgtest-dev libgmock-dev libbenchmark-dev \
  clang libclang-rt-14-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gdb-multiarch \
  zlib1g-dev chromium \
  python3-dev pybind11-dev python3-pytest python3-numpy"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  echo "ember: missing Debian packages:$missing" >&2
  exit 1
fi

echo "ember: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ember: need root (or sudo) to install:$missing" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
