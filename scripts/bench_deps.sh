#!/usr/bin/env bash
# `make bench-deps`: installs Debian's PyTorch (python3-torch), the peer `make bench` compares
# minidl with. Not needed to build or test minidl; does nothing when torch already imports.
set -euo pipefail

if /usr/bin/python3 -c "import torch" 2>/dev/null; then
    echo "bench-deps: python3-torch present"
    exit 0
fi
if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "bench-deps: not root and sudo is not available; install python3-torch as root" >&2
    exit 1
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3-torch
