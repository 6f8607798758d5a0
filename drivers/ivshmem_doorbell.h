/* SPDX-License-Identifier: BSD-3-Clause
 * Doorbells to the peer, rate-limited (ivshmem_doorbell.c).
 */
#ifndef IVSHMEM_DOORBELL_H
#define IVSHMEM_DOORBELL_H

#include "ivshmem_state.h"

/* The consumer asked for a doorbell (a wake token from shared memory):
 * ring it, or hold it back under the rate limit. */
void ivshmem_doorbell_request(struct ivshmem_txq *txq, uint32_t token);
/* Rings every held-back doorbell now and cancels the alarm (stop, close):
 * the frames they announce are in the peer's rings. */
void ivshmem_doorbell_stop(struct pmd_internals *pmd);

#endif /* IVSHMEM_DOORBELL_H */
