#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of the VM test image (busybox). Kernel command line:
#   vmtest.scenario=NAME   runs /scenarios/NAME.sh (its exit status is reported)
#   vmtest.bind=BDF@DRV,.. binds each PCI device to vfio-pci or uio_pci_generic
#   vmtest.huge=N          2 MiB hugepages to reserve (default 64)
#   vmtest.shell=1         interactive shell on the console instead
# Arguments for the scenario script: /etc/vmtest/args, one per line (the
# runner appends a small cpio archive holding it to the shared initramfs).
# The last line the runner looks for: "@@VMTEST-EXIT <status>@@".
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/sbin:/usr/sbin
# the runner's sign that the kernel reached userspace (see vmrun.py)
echo "@@VMTEST-BOOT@@"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t hugetlbfs hugetlbfs /mnt/huge

scenario= bind= huge=64 shell=
for word in $(cat /proc/cmdline); do
	case "$word" in
	vmtest.scenario=*) scenario=${word#*=} ;;
	vmtest.bind=*) bind=${word#*=} ;;
	vmtest.huge=*) huge=${word#*=} ;;
	vmtest.shell=*) shell=${word#*=} ;;
	esac
done

finish() {
	echo
	echo "@@VMTEST-EXIT $1@@"
	sync
	poweroff -f
}

echo "$huge" > /proc/sys/vm/nr_hugepages
for mod in $(cat /etc/vmtest/modules); do
	insmod "$mod" || finish 90
done

# Bus Master Enable (command register bit 2): without it MSI-X writes from the
# device are dropped and interrupts are silently lost.
bus_master() {
	cfg=/sys/bus/pci/devices/$1/config
	cmd=$(dd if="$cfg" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1)
	cmd=$((cmd | 4))
	printf "\\$(printf %o "$cmd")" | dd of="$cfg" bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
}

for item in $(echo "$bind" | tr ',' ' '); do
	bdf=${item%@*}
	drv=${item#*@}
	dev=/sys/bus/pci/devices/$bdf
	[ -d "$dev" ] || { echo "vmtest: no PCI device $bdf"; finish 91; }
	[ -e "$dev/driver" ] && echo "$bdf" > "$dev/driver/unbind"
	echo "$drv" > "$dev/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = "$drv" ] || {
		echo "vmtest: $bdf did not bind to $drv"; finish 92; }
	bus_master "$bdf"
done

if [ -n "$shell" ]; then
	echo "vmtest: shell; 'poweroff -f' to leave"
	setsid cttyhack sh -l
	finish 0
fi

script=/scenarios/$scenario.sh
[ -f "$script" ] || { echo "vmtest: no scenario '$scenario'"; finish 93; }
cd /tmp
set --
if [ -f /etc/vmtest/args ]; then
	while IFS= read -r arg; do set -- "$@" "$arg"; done < /etc/vmtest/args
fi
sh "$script" "$@"
finish $?
