#!/bin/sh
# Build helper: runs DPDK's pmdinfogen.py over the objects of a static
# archive, producing the C file that embeds PMD_INFO_STRING for
# dpdk-pmdinfo.py. Usage: gen-pmdinfo.sh PMDINFOGEN ARCHIVE OUTPUT.C
set -eu
gen=$1 archive=$(realpath "$2") out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$(head -c 7 "$archive")" = '!<thin>' ]; then
  # meson's thin archives only name the objects
  for o in $(ar t "$archive"); do
    case $o in /*) cp "$o" "$tmp/";; *) cp "$(dirname "$archive")/$o" "$tmp/";; esac
  done
else
  (cd "$tmp" && ar x "$archive")
fi
# Debian's python3 has pyelftools; another python3 on PATH may not.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" "$gen" elf "$tmp"/*.o "$out"
