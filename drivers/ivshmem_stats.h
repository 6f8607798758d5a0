/* SPDX-License-Identifier: BSD-3-Clause
 * Stats and xstats (ivshmem_stats.c).
 */
#ifndef IVSHMEM_STATS_H
#define IVSHMEM_STATS_H

#include "ivshmem_state.h"

struct rte_eth_stats;
struct rte_eth_xstat;
struct rte_eth_xstat_name;
int ivshmem_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int ivshmem_stats_reset(struct rte_eth_dev *dev);
/* A released queue's counters go into pmd->retired (a re-setup, as OVS does
 * on an MTU change, keeps the port's stats). */
void ivshmem_stats_retire_rxq(struct pmd_internals *pmd, const struct ivshmem_rxq *rxq);
void ivshmem_stats_retire_txq(struct pmd_internals *pmd, const struct ivshmem_txq *txq);
int ivshmem_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n);
int ivshmem_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			     unsigned int n);

#endif /* IVSHMEM_STATS_H */
