/* SPDX-License-Identifier: BSD-3-Clause
 * Devargs parsing for net_ivshmem. Written without rte_kvargs so that a
 * malformed string always gets a message naming the offending key.
 */
#include "ivshmem_devargs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ivshm_peer.h" /* IVSHM_LINK_TIMEOUT_US */
#include "ivshm_util.h" /* ivshm_parse_size: the same sizes as ivshmem-server -l */

typedef int (*devarg_setter)(struct ivshmem_devargs *a, const char *val);

struct devarg_def {
	const char *key;
	devarg_setter set;
	bool pci;  /* accepted on a PCI device */
	bool host; /* accepted on a vdev */
	const char *expect; /* what a valid value looks like */
	uint32_t geo_bit;   /* IVSHMEM_GIVEN_* of a geometry devarg, else 0 */
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] == '\0' || s[0] == '-' || s[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u32_range(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) != 0 || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Geometry fields take any 32-bit number here: their rules are the ring
 * library's (ivshm_geometry_bad_field), checked in apply_token. */
static int set_queues(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 0, UINT32_MAX, &a->port.geo.queues);
}

static int set_ring_size(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 0, UINT32_MAX, &a->port.geo.ring_size);
}

static int set_buf_size(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 0, UINT32_MAX, &a->port.geo.buf_size);
}

static int set_inline_size(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 0, UINT32_MAX, &a->port.geo.inline_size);
}

static int set_max_peers(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 0, UINT32_MAX, &a->port.geo.max_peers);
}

/* A peer id (0..65535) into an int whose -1 means "not given". */
static int parse_peer_id(const char *v, int *out)
{
	uint32_t n;

	if (parse_u32_range(v, 0, IVSHM_MAX_PEER_ID, &n) != 0)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

static int set_peer(struct ivshmem_devargs *a, const char *v)
{
	return parse_peer_id(v, &a->port.peer);
}

static int set_id(struct ivshmem_devargs *a, const char *v)
{
	return parse_peer_id(v, &a->host.id);
}

static int set_vectors(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, 1, IVSHM_MAX_VECTORS, &a->host.vectors);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int set_mac(struct ivshmem_devargs *a, const char *v)
{
	int i, hi, lo;

	if (strlen(v) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = hex_digit(v[i * 3]);
		lo = hex_digit(v[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && v[i * 3 + 2] != ':'))
			return -EINVAL;
		a->port.mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* A port's MAC is unicast (broadcast is multicast too) and not zero. */
	if ((a->port.mac[0] & 1) || memcmp(a->port.mac, "\0\0\0\0\0\0", 6) == 0)
		return -EINVAL;
	a->port.has_mac = true;
	return 0;
}

static int set_path(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap || v[0] != '/')
		return -EINVAL;
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_server(struct ivshmem_devargs *a, const char *v)
{
	return set_path(a->host.server_path, sizeof(a->host.server_path), v);
}

static int set_shm(struct ivshmem_devargs *a, const char *v)
{
	return set_path(a->host.shm_path, sizeof(a->host.shm_path), v);
}

static int set_size(struct ivshmem_devargs *a, const char *v)
{
	return ivshm_parse_size(v, &a->host.size) != 0 || a->host.size == 0 ? -EINVAL : 0;
}

/* "0" or "1", nothing else: a typo must not silently mean off. */
static int set_zero_copy(struct ivshmem_devargs *a, const char *v)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return -EINVAL;
	a->port.zero_copy = v[0] == '1';
	return 0;
}

static int set_link_timeout(struct ivshmem_devargs *a, const char *v)
{
	return parse_u32_range(v, IVSHMEM_LINK_TIMEOUT_MS_MIN, IVSHMEM_LINK_TIMEOUT_MS_MAX,
			       &a->port.link_timeout_ms);
}

static const struct devarg_def defs[] = {
	{ "queues", set_queues, true, true, "1..64", IVSHMEM_GIVEN_QUEUES },
	{ "ring_size", set_ring_size, true, true, "power of two 2..65536",
	  IVSHMEM_GIVEN_RING_SIZE },
	{ "buf_size", set_buf_size, true, true, "multiple of 64 in 64..65536",
	  IVSHMEM_GIVEN_BUF_SIZE },
	{ "inline_size", set_inline_size, true, true, "0 or a multiple of 64 up to 4096",
	  IVSHMEM_GIVEN_INLINE_SIZE },
	{ "max_peers", set_max_peers, true, true, "2..256", IVSHMEM_GIVEN_MAX_PEERS },
	{ "peer", set_peer, true, true, "peer id 0..65535", 0 },
	{ "mac", set_mac, true, true,
	  "a unicast address xx:xx:xx:xx:xx:xx other than 00:00:00:00:00:00", 0 },
	{ "server", set_server, false, true, "absolute socket path < 108 bytes", 0 },
	{ "shm", set_shm, false, true, "absolute file path", 0 },
	{ "size", set_size, false, true, "bytes with optional K/M/G suffix, > 0", 0 },
	{ "id", set_id, true, true, "peer id 0..65535", 0 },
	{ "vectors", set_vectors, false, true, "1..64, the server's -n", 0 },
	{ "zero_copy", set_zero_copy, true, true, "0 or 1", 0 },
	{ "link_timeout_ms", set_link_timeout, true, true, "milliseconds 30..60000", 0 },
};

static const struct devarg_def *find_def(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (strlen(defs[i].key) == len && memcmp(defs[i].key, key, len) == 0)
			return &defs[i];
	return NULL;
}

static void set_defaults(struct ivshmem_devargs *a)
{
	memset(a, 0, sizeof(*a));
	a->port.geo = IVSHM_GEOMETRY_DEFAULT;
	a->port.peer = -1;
	a->port.link_timeout_ms = IVSHM_LINK_TIMEOUT_US / 1000u;
	a->host.id = -1;
}

/* Applies one "key=value" token of length len; *seen has a bit per defs[]
 * entry already given (a key given twice is refused: which one was meant?). */
static int apply_token(const char *tok, size_t len, enum ivshmem_backend_kind kind,
		       struct ivshmem_devargs *a, uint32_t *seen, char *err,
		       unsigned int errlen)
{
	const char *eq = memchr(tok, '=', len);
	const struct devarg_def *d;
	char val[4096];
	size_t klen, vlen;

	if (eq == NULL) {
		snprintf(err, errlen, "devarg '%.*s' has no '=value'", (int)len, tok);
		return -EINVAL;
	}
	klen = (size_t)(eq - tok);
	vlen = len - klen - 1;
	d = find_def(tok, klen);
	if (d == NULL || (kind == IVSHMEM_BACKEND_PCI ? !d->pci : !d->host)) {
		snprintf(err, errlen, "unknown devarg '%.*s'%s", (int)klen, tok,
			 d != NULL ? " for this device type" : "");
		return -EINVAL;
	}
	if (*seen & (1u << (d - defs))) {
		snprintf(err, errlen, "devarg '%s' is given twice", d->key);
		return -EINVAL;
	}
	*seen |= 1u << (d - defs);
	a->port.geo_given |= d->geo_bit;
	/* The geometry was valid before this token (defaults are): a field
	 * that breaks its rule now is the one just set. */
	if (vlen >= sizeof(val) || (memcpy(val, eq + 1, vlen), val[vlen] = '\0',
				    d->set(a, val) != 0) ||
	    ivshm_geometry_bad_field(&a->port.geo) != NULL) {
		snprintf(err, errlen, "devarg %s='%.*s' is invalid: expected %s",
			 d->key, (int)(vlen > 200 ? 200 : vlen), eq + 1, d->expect);
		return -EINVAL;
	}
	return 0;
}

static int check_combination(enum ivshmem_backend_kind kind,
			     const struct ivshmem_devargs *a, char *err,
			     unsigned int errlen)
{
	const struct ivshmem_host_args *h = &a->host;

	if (kind != IVSHMEM_BACKEND_HOST)
		return 0;
	if ((h->server_path[0] != '\0') == (h->shm_path[0] != '\0')) {
		snprintf(err, errlen, "exactly one of devargs 'server' and 'shm' is required");
		return -EINVAL;
	}
	if (h->server_path[0] != '\0' && (h->size != 0 || h->id >= 0)) {
		snprintf(err, errlen, "devargs 'size' and 'id' apply to 'shm' only: the server assigns them");
		return -EINVAL;
	}
	if (h->shm_path[0] != '\0' && h->vectors != 0) {
		snprintf(err, errlen, "devarg 'vectors' applies to 'server' only: a shm file has no doorbells");
		return -EINVAL;
	}
	if (h->shm_path[0] != '\0' && h->id < 0) {
		snprintf(err, errlen, "devarg 'id' is required with 'shm' (no server assigns one)");
		return -EINVAL;
	}
	return 0;
}

int ivshmem_devargs_parse(const char *args, enum ivshmem_backend_kind kind,
			  struct ivshmem_devargs *out, char *err, unsigned int errlen)
{
	const char *p = args != NULL ? args : "";
	const char *end;
	uint32_t seen = 0;
	int rc;

	_Static_assert(sizeof(defs) / sizeof(defs[0]) <= 32, "one bit per devarg in seen");
	set_defaults(out);
	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p) {
			snprintf(err, errlen, "empty devarg in '%.200s'", args);
			return -EINVAL;
		}
		rc = apply_token(p, (size_t)(end - p), kind, out, &seen, err, errlen);
		if (rc != 0)
			return rc;
		p = *end == ',' ? end + 1 : end;
	}
	return check_combination(kind, out, err, errlen);
}

int ivshmem_devargs_pci_id(const struct ivshmem_devargs *a, uint32_t ivposition,
			   bool has_server, uint16_t *id, char *err, unsigned int errlen)
{
	if (!has_server) {
		*id = a->host.id >= 0 ? (uint16_t)a->host.id : (uint16_t)ivposition;
		return 0;
	}
	if (ivposition > IVSHM_MAX_PEER_ID) {
		snprintf(err, errlen, "IVPOSITION reads %" PRIu32 ": the server assigned "
			 "no peer id", ivposition);
		return -EINVAL;
	}
	if (a->host.id >= 0 && (uint32_t)a->host.id != ivposition) {
		snprintf(err, errlen, "devarg id=%d disagrees with IVPOSITION %" PRIu32
			 ": on ivshmem-doorbell the server assigns the id", a->host.id,
			 ivposition);
		return -EINVAL;
	}
	*id = (uint16_t)ivposition;
	return 0;
}
