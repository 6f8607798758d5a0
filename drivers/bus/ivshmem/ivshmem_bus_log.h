/* SPDX-License-Identifier: BSD-3-Clause
 * Logging of the ivshmem bus (both backends): one logtype,
 * pmd.bus.ivshmem, so the bus needs nothing from the PMD above it.
 */
#ifndef IVSHMEM_BUS_LOG_H
#define IVSHMEM_BUS_LOG_H

#include <rte_log.h>

extern int ivshmem_bus_logtype;
#define IVSHMEM_BUS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ivshmem_bus_logtype, "ivshmem bus: " fmt "\n", \
		##__VA_ARGS__)

#endif /* IVSHMEM_BUS_LOG_H */
