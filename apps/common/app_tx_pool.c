/* SPDX-License-Identifier: BSD-3-Clause
 * --tx-zero-copy: frames built in the zero-copy Tx pool of a net_ivshmem
 * Tx queue (rte_pmd_ivshmem.h), so that the PMD publishes them where they
 * lie. The apps link no PMD (EAL loads it with -d or from its plugin dir):
 * rte_pmd_ivshmem_tx_pool_create is looked up in the objects loaded.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "app_common.h"

/* rte_pmd_ivshmem_tx_pool_create() of rte_pmd_ivshmem.h */
typedef struct rte_mempool *(*tx_pool_create_fn)(uint16_t port, uint16_t queue,
						 const char *name, unsigned int cache);

static int find_tx_pool_create(struct dl_phdr_info *info, size_t size, void *arg)
{
	tx_pool_create_fn *fn = arg;
	void *obj;

	(void)size;
	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
		return 0;
	obj = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
	if (obj == NULL)
		return 0;
	*(void **)fn = dlsym(obj, "rte_pmd_ivshmem_tx_pool_create");
	dlclose(obj); /* EAL's own reference keeps it loaded */
	return *fn != NULL;
}

struct rte_mempool *app_tx_zero_copy_pool(uint16_t port, uint16_t queue)
{
	tx_pool_create_fn create = NULL;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_eth_dev_info info;
	struct rte_mempool *mp;
	unsigned int cache = 0;

	/* linked in (the static archive), or in an object loaded globally */
	*(void **)&create = dlsym(RTLD_DEFAULT, "rte_pmd_ivshmem_tx_pool_create");
	if (create == NULL) /* loaded by EAL (-d, plugin dir): local symbols */
		dl_iterate_phdr(find_tx_pool_create, &create);
	if (create == NULL) {
		fprintf(stderr, "--tx-zero-copy: no loaded PMD has "
			"rte_pmd_ivshmem_tx_pool_create (net_ivshmem only)\n");
		return NULL;
	}
	snprintf(name, sizeof(name), "txzc_%u_%u", port, queue);
	/* a small cache, if the pool (ring_size mbufs, net_ivshmem's default Tx
	 * ring size) is large enough for one (a mempool wants 1.5 x cache) */
	if (rte_eth_dev_info_get(port, &info) == 0 && info.default_txportconf.ring_size >= 48)
		cache = 32;
	mp = create(port, queue, name, cache);
	if (mp == NULL)
		fprintf(stderr, "--tx-zero-copy: port %u Tx queue %u: %s\n", port, queue,
			rte_strerror(rte_errno));
	return mp;
}

int app_tx_alloc_bulk(struct rte_mempool *mp, uint16_t port, uint16_t queue,
		      struct rte_mbuf **pkts, unsigned int n)
{
	if (rte_pktmbuf_alloc_bulk(mp, pkts, n) == 0)
		return 0;
	/* a Tx pool refills as the peer reads: take back what it has read */
	rte_eth_tx_done_cleanup(port, queue, 0);
	return rte_pktmbuf_alloc_bulk(mp, pkts, n);
}

void app_print_zero_copy(uint16_t port)
{
	static const char *const names[] = {
		"tx_zero_copy", "tx_zero_copy_copied", "rx_zero_copy", "rx_zero_copy_copied",
	};
	uint64_t id, v[RTE_DIM(names)] = { 0 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		if (rte_eth_xstats_get_id_by_name(port, names[i], &id) != 0 ||
		    rte_eth_xstats_get_by_id(port, &id, &v[i], 1) != 1)
			return; /* not a net_ivshmem port */
	if (v[0] + v[1] + v[2] + v[3] == 0)
		return;
	printf("port %u: zero-copy tx=%" PRIu64 " tx-copied=%" PRIu64 " rx=%" PRIu64
	       " rx-copied=%" PRIu64 "\n", port, v[0], v[1], v[2], v[3]);
}
