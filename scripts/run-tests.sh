#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian 12, root), builds,
# runs every meson test suite. Usage: scripts/run-tests.sh [meson test args]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
ninja -C build
exec meson test -C build --print-errorlogs --num-processes 2 "$@"
