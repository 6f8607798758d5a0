#!/usr/bin/env bash
# Puts this machine and checkout back into the state a new user's is in, then
# (with arguments) runs a command from there:
#   scripts/fresh-state.sh                       reset only
#   scripts/fresh-state.sh scripts/run-tests.sh  reset, then the whole suite
# What a new Debian 12 machine of this kind lacks and earlier runs leave:
# hugetlbfs on /dev/hugepages (and the directory itself), reserved hugepages,
# DPDK's runtime dirs, our tests' shared state under /run, the driver SDK and
# the DPDK examples in .deps/, and the build directories. Packages stay
# installed (setup.sh installs them on a new machine; that part is the same
# apt-get either way). Refuses to run while a DPDK process or a test is alive,
# since taking their pages away would break them, not test anything.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-state: needs root" >&2; exit 1; }
say() { printf '[fresh-state] %s\n' "$*"; }

busy=$(pgrep -a -f 'dpdk-|ivshmem-(perf|fwd|traffic|server)|qemu-system|meson test' | grep -v "$$" || true)
if [ -n "$busy" ]; then
  echo "fresh-state: still running, stop these first:" >&2
  echo "$busy" >&2
  exit 1
fi

for m in $(awk '$3 == "hugetlbfs" {print $2}' /proc/mounts); do
  say "unmounting hugetlbfs at $m"
  umount "$m"
done
[ ! -d /dev/hugepages ] || { say "removing /dev/hugepages"; rmdir /dev/hugepages; }
echo 0 > /proc/sys/vm/nr_hugepages
[ "$(cat /proc/sys/vm/nr_hugepages)" -eq 0 ] || { echo "fresh-state: hugepages still reserved" >&2; exit 1; }
rm -rf /var/run/dpdk /run/ivshmem-pmd-tests
cd "$top"
rm -rf .deps build build-asan
say "now: no /dev/hugepages, nr_hugepages 0, no .deps/, no build dirs"

[ $# -eq 0 ] || exec "$@"
