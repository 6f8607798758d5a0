/* SPDX-License-Identifier: BSD-3-Clause
 * Attaching to the region: format wait, id takeover (ivshmem_attach.c).
 */
#ifndef IVSHMEM_ATTACH_H
#define IVSHMEM_ATTACH_H

#include "ivshmem_state.h"

/* Attaches pmd to its bus device's BAR2 (formatting it if blank, waiting
 * for or taking over a formatter, taking over the id of a silent peer),
 * then picks the peer and the MAC address. */
int ivshmem_attach(struct pmd_internals *pmd);

#endif /* IVSHMEM_ATTACH_H */
