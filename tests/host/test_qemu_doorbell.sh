#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Real QEMU 7.2 ivshmem-doorbell against our ivshmem-server: QEMU reads the
# whole setup synchronously at startup (seed 001) and refuses to start on a
# protocol error; with -S no guest code runs. Two QEMUs: the second also
# receives the first one's eventfds. Checks the device is on the PCI bus.
# usage: test_qemu_doorbell.sh path/to/ivshmem-server
set -u
server=$1
qemu=$(command -v qemu-system-x86_64) || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
tag=ivshm-t-qemu-$$
sock=/tmp/$tag.sock pidf=/tmp/$tag.pid log=/tmp/$tag.log
cleanup() {
  [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
  i=0; while [ -f "$pidf" ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done
  rm -f "$sock" "$pidf" "$log" /tmp/$tag.q*; rm -f /dev/shm/$tag
}
trap cleanup EXIT INT TERM

"$server" -F -v -S "$sock" -M "$tag" -n 2 -l 1M -p "$pidf" >"$log" 2>&1 &
i=0; while [ ! -f "$pidf" ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done
[ -f "$pidf" ] || { echo "FAIL: server did not start"; cat "$log"; exit 1; }

run_qemu() { # $1 = output file; monitor commands on stdin
  timeout 30 "$qemu" -accel tcg -M q35 -nographic -nodefaults -m 128 -S \
    -chardev socket,path="$sock",id=c \
    -device ivshmem-doorbell,chardev=c,vectors=2 -monitor stdio >"$1" 2>&1
}
# the first QEMU stays up (its monitor waits on a fifo) while the second joins
mkfifo /tmp/$tag.qin
run_qemu /tmp/$tag.q1 </tmp/$tag.qin &
q1=$!
exec 3>/tmp/$tag.qin
printf 'info pci\n' >&3
i=0; while ! grep -q 'peer 0 connected' "$log" && [ $i -lt 200 ]; do i=$((i+1)); sleep 0.05; done
printf 'info pci\nquit\n' | run_qemu /tmp/$tag.q2; rc2=$?
printf 'quit\n' >&3; exec 3>&-
wait $q1; rc1=$?

i=0; while ! grep -q 'peer 1 left' "$log" && [ $i -lt 200 ]; do i=$((i+1)); sleep 0.05; done
fail=0
for n in 1 2; do
  f=/tmp/$tag.q$n
  if ! grep -qi 'Device 1af4:1110\|RAM controller' "$f"; then
    echo "FAIL: QEMU $n has no ivshmem device"; cat "$f"; fail=1
  fi
  if ! grep -q 'BAR2: 64 bit prefetchable memory at .*\[0x000ffffe\]' "$f"; then
    echo "FAIL: QEMU $n BAR2 is not the server's 1 MiB"; cat "$f"; fail=1
  fi
  if grep -qi 'error\|invalid\|failed' "$f"; then
    echo "FAIL: QEMU $n reported an error"; cat "$f"; fail=1
  fi
done
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] || { echo "FAIL: qemu exit $rc1 $rc2"; fail=1; }
grep -q 'peer 1 connected' "$log" || { echo "FAIL: second QEMU never connected"; cat "$log"; fail=1; }
grep -q 'peer 1 left' "$log" || { echo "FAIL: server did not see QEMU 2 leave"; cat "$log"; fail=1; }
[ $fail -eq 0 ] && echo "ok - two QEMU ivshmem-doorbell devices set up through ivshmem-server"
exit $fail
