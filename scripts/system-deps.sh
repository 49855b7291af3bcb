#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing.
# CI runs on a clean machine as root; a developer without root is told what to install.
set -euo pipefail

# Debian package -> a command it provides (to test presence cheaply).
#   espeak-ng: the server renders each call's Indonesian voice with it (server/web/voice.py)
#   chromium:  the TV page's tests drive Debian's headless browser (tests/web)
#   strace:    the fsync-order test reads the server's system calls (tests/faults)
#   fuse3:     the power-cut test mounts its file system with fusermount3 (tests/faults)
declare -A NEEDED=([espeak-ng]=espeak-ng [chromium]=chromium [strace]=strace [fuse3]=fusermount3)

missing=()
for pkg in "${!NEEDED[@]}"; do
  command -v "${NEEDED[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
#   postgresql: central's tests start a real server (tests/central/pgserver.py). Debian keeps its
#   binaries in /usr/lib/postgresql/<version>/bin, off PATH: look there, not with `command -v`.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
