#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# ivshmem-client: commands on stdin work, and end of input ends the tool
# promptly (no spinning, no flood of output).
# usage: test_client_tool.sh path/to/ivshmem-server path/to/ivshmem-client
set -u
server=$1 client=$2
tag=ivshm-t-cli-$$
sock=/tmp/$tag.sock pidf=/tmp/$tag.pid out=/tmp/$tag.out
cleanup() {
  [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
  i=0; while [ -f "$pidf" ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done
  rm -f "$sock" "$pidf" "$out" /dev/shm/$tag
}
trap cleanup EXIT INT TERM
"$server" -F -S "$sock" -M "$tag" -n 3 -p "$pidf" &
i=0; while [ ! -f "$pidf" ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done

printf 'list\nint 0 1\nint 9 0\nint 0 7\nint all\nregs\nstats\nbogus\n' |
  timeout 10 "$client" -S "$sock" >"$out" 2>&1
rc=$?
fail=0
[ $rc -eq 0 ] || { echo "FAIL: client exit $rc (124 = hung at end of input)"; fail=1; }
grep -q '^own id 0, shm 4194304 bytes, 3 vectors$' "$out" || { echo "FAIL: list (the server gave 3 vectors)"; fail=1; }
grep -q '^rang peer 0 vector 1$' "$out" || { echo "FAIL: int 0 1"; fail=1; }
grep -q '^peer 9 is not connected: nothing rung' "$out" || { echo "FAIL: int 9 0 claimed a ring"; fail=1; }
grep -q '^peer 0 has 3 vectors: vector 7 not rung' "$out" || { echo "FAIL: int 0 7 claimed a ring"; fail=1; }
grep -q '^peer 0: 3 vectors (self)' "$out" || { echo "FAIL: own vectors"; fail=1; }
grep -q '^IVPOSITION 0x00000000' "$out" || { echo "FAIL: regs"; fail=1; }
grep -q 'doorbells 1, bad peer 1, bad vector 1' "$out" || { echo "FAIL: stats"; fail=1; }
grep -q "unknown command 'bogus'" "$out" || { echo "FAIL: unknown command"; fail=1; }
[ "$(wc -l <"$out")" -lt 40 ] || { echo "FAIL: output flood"; fail=1; }
[ $fail -eq 0 ] && echo "ok - ivshmem-client commands and clean exit at end of input" || cat "$out"
exit $fail
