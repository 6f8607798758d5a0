/* SPDX-License-Identifier: BSD-3-Clause
 * A fixed script of BAR0 accesses whose printed results must be identical on
 * QEMU's ivshmem (in a guest) and on our host device model: the differential
 * register-fidelity test. The script only knows how to reach BAR0 through
 * these two callbacks, so the same code drives both.
 */
#ifndef VM_REGSCRIPT_H
#define VM_REGSCRIPT_H

#include <stdint.h>
#include <stdio.h>

struct regscript_bar0 {
	uint32_t (*read)(void *ctx, uint32_t off);
	void (*write)(void *ctx, uint32_t off, uint32_t val);
	void *ctx;
};

/* Runs the script, printing one line per access to out. */
void regscript_run(const struct regscript_bar0 *bar0, FILE *out);

#endif /* VM_REGSCRIPT_H */
