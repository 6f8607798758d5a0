/* SPDX-License-Identifier: BSD-3-Clause
 * The message for a region of another layout major version (EVERSION):
 * what the region says, what we speak, what the user can do about it.
 */
#include "ring_over_shm.h"

#include <stdio.h>

const char *ivshm_version_refusal(const void *base, char *buf, size_t len)
{
	const struct ivshm_wire_hdr *h = base;

	snprintf(buf, len, "the region was formatted with BAR2 layout %u.%u, this "
		 "ivshmem-pmd speaks layout %u.%u (lap-tagged descriptors, inline "
		 "frames): restart both peers on the same release, or reformat the "
		 "region (start the ivshmem-server again, which makes a blank one, or remove the "
		 "shm= file)",
		 (unsigned int)h->version_major, (unsigned int)h->version_minor,
		 IVSHM_LAYOUT_MAJOR, IVSHM_LAYOUT_MINOR);
	return buf;
}
