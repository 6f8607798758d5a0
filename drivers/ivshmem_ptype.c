/* SPDX-License-Identifier: BSD-3-Clause
 * The packet types ivshmem_ptype_parse() sets, for dev_supported_ptypes_get.
 */
#include "ivshmem_ptype.h"

const uint32_t *ivshmem_ptype_supported(void)
{
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER,
		RTE_PTYPE_L2_ETHER_VLAN,
		RTE_PTYPE_L3_IPV4_EXT_UNKNOWN,
		RTE_PTYPE_L3_IPV6_EXT_UNKNOWN,
		RTE_PTYPE_L4_TCP,
		RTE_PTYPE_L4_UDP,
		RTE_PTYPE_L4_ICMP,
		RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_UNKNOWN,
	};

	return ptypes;
}
