#!/usr/bin/env bash
# libivshmem as a user gets it: `meson install --destdir` into a temp dir,
# pkg-config pointed there, a program compiled with
# `cc $(pkg-config --cflags --libs ivshmem)` against the installed header
# and library only, then run against our server (consumer.c says what it
# checks). Also: the library exports only its public API (version script).
# Usage: test-pkgconfig.sh BUILD SERVER_BIN
set -uo pipefail
build=$1 server=$2 src=$(dirname "$0")
work=$(mktemp -d /tmp/livpc$$.XXXX) tag=livpc$$
cleanup() { [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null; rm -rf "$work" /dev/shm/$tag*; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$build" --no-rebuild --destdir "$work/inst" --quiet >"$work/install.log" 2>&1 ||
  fail "meson install: $(tail -3 "$work/install.log")"
pc=$(find "$work/inst" -name ivshmem.pc) && [ -n "$pc" ] || fail "no ivshmem.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
export PKG_CONFIG_PATH=$(dirname "$pc")
pcargs=(--define-variable=prefix="$work/inst$prefix")
echo "pkg-config: $(pkg-config "${pcargs[@]}" --cflags --libs ivshmem)"
[ "$(pkg-config --modversion ivshmem)" = "$("$build"/examples/ivshmem-frames --version | awk '{print $2}')" ] ||
  fail "pkg-config version differs from the library's"
libdir=$(pkg-config "${pcargs[@]}" --variable=libdir ivshmem)
so=$(readlink -f "$libdir/libivshmem.so")
# a sanitizer build's library needs its runtime in the program too
san=()
[[ $(ldd "$so") == *libasan* ]] && san=(-fsanitize=address,undefined)
# shellcheck disable=SC2046
cc "${san[@]}" -std=c11 -Wall -Wextra -Werror -pthread -o "$work/consumer" "$src/consumer.c" \
  $(pkg-config "${pcargs[@]}" --cflags --libs ivshmem) || fail "cannot build against the installed library"
exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort)
echo "exports: $(echo "$exported" | wc -l) functions"
grep -v '^ivshmem_' <<<"$exported" >/dev/null && fail "exports beyond the API: $(echo "$exported" | grep -v '^ivshmem_' | head -5)"
# (ldd into a variable: grep -q closing the pipe early fails it under pipefail)
loaded=$(LD_LIBRARY_PATH=$libdir ldd "$work/consumer")
grep -q "$libdir/libivshmem.so.0" <<<"$loaded" || fail "the program does not load the installed library: $loaded"

"$server" -F -S "$work/s.sock" -M "$tag" -l 4M -n 2 >"$work/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do [ -S "$work/s.sock" ] && break; sleep 0.05; done
[ -S "$work/s.sock" ] || fail "server did not start"
LD_LIBRARY_PATH=$libdir timeout 60 "$work/consumer" "$work/s.sock"; rc=$?
[ $rc -eq 0 ] || fail "consumer exited $rc"
