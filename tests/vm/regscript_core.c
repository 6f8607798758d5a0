/* SPDX-License-Identifier: BSD-3-Clause
 * The register script itself; see regscript.h. Every step prints what it did
 * and what it read, so a diff points at the first divergent access.
 */
#include "regscript.h"

#include "ivshmem_wire.h"

static void rd(const struct regscript_bar0 *b, FILE *out, uint32_t off,
	       const char *why)
{
	uint32_t val = b->read(b->ctx, off);

	fprintf(out, "r 0x%02x = 0x%08x  %s\n", off, val, why);
}

static void wr(const struct regscript_bar0 *b, FILE *out, uint32_t off,
	       uint32_t val, const char *why)
{
	b->write(b->ctx, off, val);
	fprintf(out, "w 0x%02x   0x%08x  %s\n", off, val, why);
}

static void reset_state(const struct regscript_bar0 *b, FILE *out)
{
	rd(b, out, IVSHM_REG_INTRMASK, "INTRMASK at reset");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS at reset");
	rd(b, out, IVSHM_REG_IVPOSITION, "IVPOSITION (own id)");
	rd(b, out, IVSHM_REG_DOORBELL, "DOORBELL is write-only");
}

/* INTRMASK is a plain 32-bit register: all bits stick. */
static void intrmask(const struct regscript_bar0 *b, FILE *out)
{
	static const uint32_t vals[] = { 0xffffffffu, 0x5a5a1234u, 1u, 0u };

	for (unsigned int i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		wr(b, out, IVSHM_REG_INTRMASK, vals[i], "INTRMASK");
		rd(b, out, IVSHM_REG_INTRMASK, "INTRMASK reads back");
	}
}

/* INTRSTATUS is writable and reading it clears it. */
static void intrstatus(const struct regscript_bar0 *b, FILE *out)
{
	wr(b, out, IVSHM_REG_INTRSTATUS, 0xdeadbeefu, "INTRSTATUS");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS: written value");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS: cleared by the read");
	wr(b, out, IVSHM_REG_INTRMASK, 0xffffffffu, "unmask all");
	wr(b, out, IVSHM_REG_INTRSTATUS, 1u, "INTRSTATUS with mask set");
	rd(b, out, IVSHM_REG_INTRMASK, "INTRMASK unchanged by status");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS = 1");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS cleared");
	wr(b, out, IVSHM_REG_INTRMASK, 0u, "mask all");
}

static void ivposition(const struct regscript_bar0 *b, FILE *out)
{
	wr(b, out, IVSHM_REG_IVPOSITION, 0x1234u, "IVPOSITION write");
	rd(b, out, IVSHM_REG_IVPOSITION, "IVPOSITION is read-only");
	wr(b, out, IVSHM_REG_IVPOSITION, 0u, "IVPOSITION write 0");
	rd(b, out, IVSHM_REG_IVPOSITION, "IVPOSITION is read-only");
}

static void doorbell(const struct regscript_bar0 *b, FILE *out, uint32_t val,
		     const char *sym, const char *why)
{
	b->write(b->ctx, IVSHM_REG_DOORBELL, val);
	fprintf(out, "w 0x0c   %-14s  %s\n", sym, why);
}

/* Doorbells to our own vector 0 (on an MSI-X device it must not touch
 * INTRSTATUS), to the other peer (the runner's witness counts what arrives:
 * 2 rings on its vector 1, as only the low 8 bits of the vector count), and
 * ones that must be dropped (unknown peer or vector). */
static void doorbells(const struct regscript_bar0 *b, FILE *out)
{
	uint32_t self = b->read(b->ctx, IVSHM_REG_IVPOSITION);
	uint32_t other = self == 0 ? 1 : 0;

	wr(b, out, IVSHM_REG_INTRMASK, 0xffffffffu, "unmask all");
	doorbell(b, out, self << 16, "self|0", "own vector 0");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS after own doorbell");
	doorbell(b, out, (self << 16) | 0xffu, "self|0xff", "own unknown vector");
	doorbell(b, out, (other << 16) | 1u, "other|1", "other peer vector 1");
	doorbell(b, out, (other << 16) | 0x101u, "other|0x101",
		 "vector 0x101 = vector 1 (low 8 bits)");
	doorbell(b, out, (other << 16) | 2u, "other|2", "vector 2: unknown");
	doorbell(b, out, (other << 16) | 0xffu, "other|0xff", "unknown vector");
	wr(b, out, IVSHM_REG_DOORBELL, 0xffff0000u, "doorbell peer 65535");
	wr(b, out, IVSHM_REG_DOORBELL, 0x00070001u, "doorbell peer 7 vector 1");
	wr(b, out, IVSHM_REG_DOORBELL, 0xffffffffu, "doorbell all ones");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS after doorbells");
	rd(b, out, IVSHM_REG_INTRMASK, "INTRMASK untouched by doorbells");
	rd(b, out, IVSHM_REG_DOORBELL, "DOORBELL still reads 0");
	wr(b, out, IVSHM_REG_INTRMASK, 0u, "mask all");
}

/* Offsets past the four registers: reads give 0, writes are ignored and
 * must not alias onto a register. */
static void unused_offsets(const struct regscript_bar0 *b, FILE *out)
{
	static const uint32_t offs[] = { 0x10, 0x14, 0x40, 0x80, 0xfc };

	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr(b, out, offs[i], 0xa5a5a5a5u, "unused offset write");
		rd(b, out, offs[i], "unused offset reads 0");
	}
	rd(b, out, IVSHM_REG_INTRMASK, "INTRMASK after unused writes");
	rd(b, out, IVSHM_REG_INTRSTATUS, "INTRSTATUS after unused writes");
	rd(b, out, IVSHM_REG_IVPOSITION, "IVPOSITION after unused writes");
}

void regscript_run(const struct regscript_bar0 *bar0, FILE *out)
{
	reset_state(bar0, out);
	intrmask(bar0, out);
	intrstatus(bar0, out);
	ivposition(bar0, out);
	doorbells(bar0, out);
	unused_offsets(bar0, out);
	fprintf(out, "end\n");
}
