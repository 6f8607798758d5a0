# SPDX-License-Identifier: BSD-3-Clause
# Sourced by guest scenario scripts.

# emit NAME FILE: copies FILE to the host runner through the console; it lands
# in the scenario's work directory as NAME.
emit() {
	echo "@@VMTEST-FILE $1@@"
	cat "$2"
	echo "@@VMTEST-END $1@@"
}

# Distinct EAL file prefix; hugepages already mounted at /mnt/huge.
EAL_COMMON="-l 0 --huge-dir /mnt/huge --file-prefix vmtest
 -d /usr/lib/vmtest/librte_mempool_ring.so -d /usr/lib/vmtest/librte_net_ivshmem.so
 --log-level=ivshmem,info --log-level=lib.eal:info"
