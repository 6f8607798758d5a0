/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-pmd wire format: the single source in code for everything that
 * crosses a process or VM boundary.
 *   1. BAR0 register map of QEMU's ivshmem device (1af4:1110).
 *   2. The ivshmem-server protocol (QEMU contrib/ivshmem-server, version 0).
 *   3. The BAR2 layout of ivshmem-pmd (spec: doc/bar2-layout.md).
 * Every multi-byte field is little-endian. Fields written by one side and read
 * by the other are accessed with C11 atomics; see ring_over_shm.c.
 */
#ifndef IVSHMEM_WIRE_H
#define IVSHMEM_WIRE_H

#include <stdatomic.h>
#include <stdint.h>

/* ---- 1. BAR0 registers (32-bit accesses) ------------------------------ */
#define IVSHM_BAR0_SIZE        256u
#define IVSHM_REG_INTRMASK     0x00u
#define IVSHM_REG_INTRSTATUS   0x04u /* reading clears it */
#define IVSHM_REG_IVPOSITION   0x08u /* own peer id, read-only */
#define IVSHM_REG_DOORBELL     0x0cu /* write (dest << 16) | vector */
#define IVSHM_DOORBELL_VALUE(dest, vector) \
	(((uint32_t)(dest) << 16) | ((uint32_t)(vector) & 0xffu))
#define IVSHM_PCI_VENDOR_ID    0x1af4u
#define IVSHM_PCI_DEVICE_ID    0x1110u

/* ---- 2. ivshmem-server protocol --------------------------------------- */
/* Each message is one int64 (little-endian; host `long` in the pre-version
 * protocol), optionally with one fd in SCM_RIGHTS. Version 0 sequence:
 * version, own id (no fd), then in any order: -1 + shm fd, peer id + eventfd
 * (the Nth fd of a peer is its vector N-1), peer id without fd = peer left. */
#define IVSHM_PROTOCOL_VERSION 0
#define IVSHM_MSG_SHM_ID       (-1)
#define IVSHM_MAX_PEER_ID      65535
#define IVSHM_MAX_VECTORS      64
typedef int64_t ivshm_msg_t;

/* ---- 3. BAR2 layout ---------------------------------------------------- */
#define IVSHM_CACHE_LINE       64u
#define IVSHM_LAYOUT_MAGIC     0x4d485649u /* "IVHM" in memory order */
#define IVSHM_LAYOUT_MAJOR     3u  /* incompatible changes; 3: lap-tagged
                                    * descriptors (the consumer polls the
                                    * slot, not head) and inline frames */
#define IVSHM_LAYOUT_MINOR     0u  /* compatible additions */

/* Region header format_state: the state in the low byte; while FORMATTING,
 * bits 8..31 count takeovers of a format whose writer stopped (0 at the
 * first claim, which stores exactly FORMATTING), see bar2-layout §5. */
#define IVSHM_FORMAT_BLANK      0u /* all-zero region, nobody formatted it */
#define IVSHM_FORMAT_FORMATTING 1u /* a peer is writing the layout */
#define IVSHM_FORMAT_READY      2u
#define IVSHM_FORMAT_STATE(v)   ((v) & 0xffu)
#define IVSHM_FORMAT_CLAIM(v)   ((v) >> 8)
#define IVSHM_FORMAT_CLAIMED(n) (IVSHM_FORMAT_FORMATTING | ((uint32_t)(n) << 8))

/* Layout alignment: the channel area and every channel start on a page
 * (4096 is the smallest page everywhere, so a channel never shares one with
 * another pair's; see bar2-layout §3). Descriptors are 8 bytes. */
#define IVSHM_LAYOUT_ALIGN     4096u
#define IVSHM_DESC_SIZE        8u

/* Geometry limits */
#define IVSHM_MIN_PEERS        2u
#define IVSHM_MAX_PEERS        256u
#define IVSHM_MAX_QUEUES       64u
#define IVSHM_MIN_RING_SIZE    2u
#define IVSHM_MAX_RING_SIZE    65536u
#define IVSHM_MIN_BUF_SIZE     64u
#define IVSHM_MAX_BUF_SIZE     65536u
#define IVSHM_MAX_INLINE_SIZE  4096u /* inline_size: 0 (none) or a multiple
				      * of 64 up to this */

/* Region header at offset 0, 256 bytes. */
struct ivshm_wire_hdr {
	_Atomic uint32_t magic;        /* IVSHM_LAYOUT_MAGIC once READY */
	uint16_t version_major;
	uint16_t version_minor;
	_Atomic uint32_t format_state; /* IVSHM_FORMAT_* */
	uint32_t formatter_id;         /* peer that formatted the region */
	uint64_t region_size;          /* BAR2 size seen by the formatter */
	uint64_t layout_size;          /* bytes used by this layout */
	uint32_t max_peers;
	uint32_t queues;               /* channels per ordered peer pair */
	uint32_t ring_size;            /* descriptors per channel, power of 2 */
	uint32_t buf_size;             /* bytes per buffer, multiple of 64 */
	uint64_t peers_off;            /* peer table offset */
	uint64_t chans_off;            /* first channel offset */
	uint64_t chan_stride;          /* bytes per channel */
	uint64_t desc_off;             /* descriptor array offset in a channel */
	uint64_t bufs_off;             /* buffer area offset in a channel */
	uint32_t inline_size;          /* bytes per inline slot (3.0), 0: none */
	uint32_t reserved0;
	uint64_t inline_off;           /* inline area offset in a channel (3.0) */
	uint8_t reserved[256 - 104];
};

/* Peer states in the peer table. UP and STOPPED both hold the id (and
 * the heartbeat moves in both); only UP is ready for traffic. A reader of
 * layout 2.0 takes STOPPED for "not attached", which is what it should see. */
#define IVSHM_PEER_ABSENT      0u /* never attached */
#define IVSHM_PEER_UP          1u /* attached, ready for traffic */
#define IVSHM_PEER_LEFT        2u /* detached cleanly */
#define IVSHM_PEER_STOPPED     3u /* attached, not ready (port stopped) */

/* Peer table entry: 128 bytes; line 0 changes only at attach/detach, line 1
 * (heartbeat) changes periodically, so readers of line 0 stay cache-hot. */
struct ivshm_wire_peer {
	_Atomic uint32_t state;       /* IVSHM_PEER_* */
	_Atomic uint32_t generation;  /* +1 at every attach; never 0 once up */
	uint8_t mac[6];
	uint16_t reserved0;
	uint8_t reserved1[64 - 16];
	_Atomic uint64_t heartbeat;   /* incremented by the live peer while it
				       * holds the id (UP or STOPPED) */
	uint8_t reserved2[64 - 8];
};

/* Descriptor: 8 bytes, packed as offset | len << 32 | flags << 48 |
 * tag << 56 and stored with a single 64-bit store so it is read whole.
 * offset is relative to the channel's buffer area, or to its inline area
 * with IVSHM_DESC_F_INLINE. */
#define IVSHM_DESC_OFFSET(d)   ((uint32_t)(d))
/* A descriptor says at most this many bytes, whatever the buffer size. */
#define IVSHM_MAX_FRAME_LEN    0xffffu
#define IVSHM_DESC_LEN(d)      ((uint32_t)(((d) >> 32) & 0xffffu))
#define IVSHM_DESC_FLAGS(d)    ((uint32_t)(((d) >> 48) & 0xffu))
/* Lap tag (3.0): the descriptor of free-running position pos is ready when
 * its tag equals IVSHM_LAP_TAG(pos, log2(ring_size)): the lap number plus
 * one, mod 256, so zeroed memory does not match the first lap and the
 * slot's previous lap never matches the current one. */
#define IVSHM_DESC_TAG(d)      ((uint32_t)((d) >> 56))
#define IVSHM_LAP_TAG(pos, shift) ((((uint32_t)(pos) >> (shift)) + 1u) & 0xffu)
#define IVSHM_DESC_MAKE(off, len, flags) \
	((uint64_t)(uint32_t)(off) | ((uint64_t)((len) & 0xffffu) << 32) | \
	 ((uint64_t)((flags) & 0xffu) << 48))
#define IVSHM_DESC_MAKE_TAGGED(off, len, flags, tag) \
	(IVSHM_DESC_MAKE(off, len, flags) | ((uint64_t)((tag) & 0xffu) << 56))
/* The frame continues in the next descriptor (layout 2.0): a frame is a
 * chain of descriptors, all but the last carrying F_MORE. */
#define IVSHM_DESC_F_MORE      0x0001u
/* The data lies in the inline area (3.0): offset is relative to it. */
#define IVSHM_DESC_F_INLINE    0x0002u
#define IVSHM_DESC_FLAGS_KNOWN (IVSHM_DESC_F_MORE | IVSHM_DESC_F_INLINE)
/* Longest chained frame: the same 16-bit length a single descriptor can say
 * (IPv4/IPv6 datagrams and TSO super-frames stay within it, mbuf data_len is
 * 16 bits too), so a frame's length is one number everywhere. */
#define IVSHM_MAX_CHAIN_LEN    IVSHM_MAX_FRAME_LEN

/* Channel control: three cache lines, one writer each. Followed at desc_off
 * by ring_size descriptors, at inline_off by ring_size * inline_size bytes
 * of inline slots and at bufs_off by ring_size * buf_size bytes of
 * producer-owned buffers. */
struct ivshm_wire_chan {
	/* line 0: written by the producer */
	_Atomic uint32_t head;        /* free-running count of published descs
				       * (3.0: for arm's Dekker and tools; the
				       * consumer polls the lap tags) */
	_Atomic uint32_t prod_gen;    /* producer's generation */
	_Atomic uint32_t gen_start;   /* head when prod_gen began: older descs
				       * belong to a previous generation */
	uint8_t pad0[64 - 12];
	/* line 1: written by the consumer on every burst */
	_Atomic uint32_t tail;        /* free-running count of consumed descs */
	uint8_t pad1[64 - 4];
	/* line 2: written by the consumer rarely */
	_Atomic uint32_t ack_gen;     /* producer generation the consumer synced */
	_Atomic uint32_t need_wakeup; /* IVSHM_WAKE_NONE or a wake token */
	uint8_t pad2[64 - 8];
};

/* need_wakeup (bar2-layout §8): 0 while the consumer polls; before it
 * sleeps, the token of the doorbell to ring: the vector of the consumer's
 * own device that wakes it, plus one (so that 0 stays "none"). The producer
 * rings vector IVSHM_WAKE_VECTOR(token) of the consumer, once per arming,
 * and only a token for which IVSHM_WAKE_TOKEN_VALID holds (it comes from
 * the other peer). */
#define IVSHM_WAKE_NONE           0u
#define IVSHM_WAKE_TOKEN(vector)  ((uint32_t)(vector) + 1u)
#define IVSHM_WAKE_VECTOR(token)  ((uint32_t)(token) - 1u)
#define IVSHM_WAKE_TOKEN_VALID(t) ((t) >= 1u && (t) <= IVSHM_MAX_VECTORS)

_Static_assert(sizeof(struct ivshm_wire_hdr) == 256, "header is 256 bytes");
_Static_assert(sizeof(struct ivshm_wire_peer) == 128, "peer entry is 128 bytes");
_Static_assert(sizeof(struct ivshm_wire_chan) == 192, "channel control is 192 bytes");
_Static_assert(IVSHM_DESC_SIZE == sizeof(uint64_t), "a descriptor is one 64-bit store");

#endif /* IVSHMEM_WIRE_H */
