# SPDX-License-Identifier: BSD-3-Clause
# Runs a DPDK app: dpdk.sh APP [EAL args] [-- app args]. The common EAL
# arguments (hugepages, plugins, PMD log level) go first; the app's output is
# sent to the host as app.log and its exit status is the scenario's.
. /scenarios/lib.sh
app=$1
shift
"$app" $EAL_COMMON "$@" > /tmp/app.log 2>&1
rc=$?
emit app.log /tmp/app.log
exit $rc
