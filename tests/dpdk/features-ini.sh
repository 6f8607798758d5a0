#!/usr/bin/env bash
# Suite `dpdk`, features-ini: doc/guides/nics/features/ivshmem.ini against
# the built PMD. features-probe runs two ports on one of our servers (each
# the other's peer) and reports which of default.ini's features the PMD has;
# features-ini.py fails on any claim that is not backed and on any feature
# the PMD has that the ini leaves out. Env: BUILD, SRC (source root).
set -uo pipefail
HARNESS_TAG=feat
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
: "${SRC:?SRC must point at the source tree}"
start_server 2
# shellcheck disable=SC2046
timeout 60 "${sys_env[@]}" "$BUILD/tests/dpdk/features-probe" $(eal probe) \
  --vdev "net_ivshmem0,server=$sock" --vdev "net_ivshmem1,server=$sock" \
  > "$work/probe.log" 2>&1 || fail "features-probe exited $?"
grep '^FEATURE' "$work/probe.log" | tr '\n' ' '; echo
features=$SRC/doc/guides/nics/features
/usr/bin/python3 "$(dirname "$0")/features-ini.py" "$features/default.ini" "$features/ivshmem.ini" \
  "$work/probe.log" "$SRC" || fail "doc/guides/nics/features/ivshmem.ini does not match the PMD"
