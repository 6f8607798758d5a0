# SPDX-License-Identifier: BSD-3-Clause
# Runs a DPDK app: dpdk.sh APP [EAL args] [-- app args]. The common EAL
# arguments (hugepages, plugins, PMD log level) go first; the app's output is
# sent to the host as app.log and its exit status is the scenario's.
# Meanwhile the vfio MSI-X lines of /proc/interrupts are sampled (they vanish
# when the app closes the device) and sent as irq.txt: proof that interrupts
# really arrived, not just epoll timeouts.
. /scenarios/lib.sh
app=$1
shift
( while :; do
	grep vfio-msix /proc/interrupts > /tmp/irq.new && mv /tmp/irq.new /tmp/irq.txt
	sleep 0.1
  done ) &
sampler=$!
"$app" $EAL_COMMON "$@" > /tmp/app.log 2>&1
rc=$?
kill $sampler
emit app.log /tmp/app.log
[ -f /tmp/irq.txt ] && emit irq.txt /tmp/irq.txt
exit $rc
