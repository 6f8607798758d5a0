# SPDX-License-Identifier: BSD-3-Clause
# Register fidelity: runs the BAR0 script on device $1 through sysfs.
. /scenarios/lib.sh
regscript "$1" > /tmp/regs.txt || exit 1
emit regs.txt /tmp/regs.txt
