/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem's log type: every file of the PMD logs through it.
 */
#include "ivshmem_log.h"

RTE_LOG_REGISTER(ivshmem_logtype, pmd.net.ivshmem, NOTICE);
