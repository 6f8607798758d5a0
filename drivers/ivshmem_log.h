/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem's log type (pmd.net.ivshmem, registered in ivshmem_log.c).
 */
#ifndef IVSHMEM_LOG_H
#define IVSHMEM_LOG_H

#include <rte_log.h>

extern int ivshmem_logtype;
#define IVSHMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ivshmem_logtype, "net_ivshmem: " fmt "\n", \
		##__VA_ARGS__)

#endif /* IVSHMEM_LOG_H */
