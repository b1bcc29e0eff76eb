#!/usr/bin/env bash
# Install the Debian packages minidl needs to build, test, benchmark and format.
# Safe to run any number of times: when everything is present it does nothing (no apt-get).
set -euo pipefail

# g++ brings GCC's OpenMP runtime (libgomp), so no separate OpenMP package is needed.
PACKAGES=(
    cmake
    ninja-build
    g++
    make
    libeigen3-dev
    nlohmann-json3-dev
    catch2
    libbenchmark-dev
    libcli11-dev
    clang-format
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all dependencies present"
    exit 0
fi

echo "install-deps: installing missing packages: ${missing[*]}"

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps: not root and sudo is not available; install as root: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
