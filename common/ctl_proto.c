// SPDX-License-Identifier: GPL-2.0
/*
 * Building and checking control-protocol messages (common/ctl_proto.h).
 * The checker never reads outside the received bytes: ckptd runs it on
 * whatever a local user sends.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl_proto.h"

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

enum ckptd_ctl_kind { K_NONE, K_U32, K_S32, K_U64, K_STR, K_NEST };

static const struct {
	enum ckptd_ctl_kind kind;
	bool repeat;		/* may occur more than once in one set */
	const char *name;
} policy[CKPTD_CA_MAX + 1] = {
	[CKPTD_CA_ERRNO]	= { K_S32, false, "ERRNO" },
	[CKPTD_CA_ERRMSG]	= { K_STR, false, "ERRMSG" },
	[CKPTD_CA_JOB_ID]	= { K_U32, false, "JOB_ID" },
	[CKPTD_CA_KIND]		= { K_U32, false, "KIND" },
	[CKPTD_CA_PID]		= { K_U32, false, "PID" },
	[CKPTD_CA_CGROUP]	= { K_STR, false, "CGROUP" },
	[CKPTD_CA_ARGV]		= { K_NEST, false, "ARGV" },
	[CKPTD_CA_ARG]		= { K_STR, true, "ARG" },
	[CKPTD_CA_CWD]		= { K_STR, false, "CWD" },
	[CKPTD_CA_FLAGS]	= { K_U32, false, "FLAGS" },
	[CKPTD_CA_SEQ]		= { K_U64, false, "SEQ" },
	[CKPTD_CA_JOB]		= { K_NEST, true, "JOB" },
	[CKPTD_CA_OWNER_UID]	= { K_U32, false, "OWNER_UID" },
	[CKPTD_CA_STATE]	= { K_STR, false, "STATE" },
	[CKPTD_CA_NR_TASKS]	= { K_U32, false, "NR_TASKS" },
	[CKPTD_CA_NR_THREADS]	= { K_U32, false, "NR_THREADS" },
	[CKPTD_CA_LAST_SEQ]	= { K_U64, false, "LAST_SEQ" },
	[CKPTD_CA_TASK]		= { K_U32, true, "TASK" },
	[CKPTD_CA_BYTES]	= { K_U64, false, "BYTES" },
	[CKPTD_CA_TOTAL]	= { K_U64, false, "TOTAL" },
	[CKPTD_CA_IMAGE_DIR]	= { K_STR, false, "IMAGE_DIR" },
	[CKPTD_CA_HOST]		= { K_STR, false, "HOST" },
	[CKPTD_CA_DOWNTIME_US]	= { K_U64, false, "DOWNTIME_US" },
	[CKPTD_CA_ITERATIONS]	= { K_U32, false, "ITERATIONS" },
	[CKPTD_CA_CLUSTER]	= { K_STR, false, "CLUSTER" },
	[CKPTD_CA_BARRIER_US]	= { K_U64, false, "BARRIER_US" },
	[CKPTD_CA_COMMIT_US]	= { K_U64, false, "COMMIT_US" },
	[CKPTD_CA_FROZEN_US]	= { K_U64, false, "FROZEN_US" },
	[CKPTD_CA_STAGE_FREEZE_US]	= { K_U64, false, "STAGE_FREEZE_US" },
	[CKPTD_CA_STAGE_PRECOPY_US]	= { K_U64, false, "STAGE_PRECOPY_US" },
	[CKPTD_CA_STAGE_DUMP_US]	= { K_U64, false, "STAGE_DUMP_US" },
	[CKPTD_CA_STAGE_CAPTURE_US]	= { K_U64, false, "STAGE_CAPTURE_US" },
	[CKPTD_CA_STAGE_WRITE_US]	= { K_U64, false, "STAGE_WRITE_US" },
	[CKPTD_CA_STAGE_COMMIT_US]	= { K_U64, false, "STAGE_COMMIT_US" },
	[CKPTD_CA_STAGE_THAW_US]	= { K_U64, false, "STAGE_THAW_US" },
	[CKPTD_CA_DIRTY_TRACKING]	= { K_STR, false, "DIRTY_TRACKING" },
	[CKPTD_CA_PRECOPY_TRACKING]	= { K_STR, false, "PRECOPY_TRACKING" },
	[CKPTD_CA_PRECOPY_PAGES]	= { K_U64, false, "PRECOPY_PAGES" },
	[CKPTD_CA_FINAL_PAGES]	= { K_U64, false, "FINAL_PAGES" },
	[CKPTD_CA_STAGE_MARK_US]	= { K_U64, false, "STAGE_MARK_US" },
};

static const char *const cmd_names[__CKPTD_CMD_MAX] = {
	[CKPTD_CMD_LIST] = "list",
	[CKPTD_CMD_STATUS] = "status",
	[CKPTD_CMD_RUN] = "run",
	[CKPTD_CMD_ATTACH] = "attach",
	[CKPTD_CMD_FREEZE] = "freeze",
	[CKPTD_CMD_THAW] = "thaw",
	[CKPTD_CMD_KILL] = "kill",
	[CKPTD_CMD_CHECKPOINT] = "checkpoint",
	[CKPTD_CMD_RESTORE] = "restore",
	[CKPTD_CMD_MIGRATE] = "migrate",
	[CKPTD_CMD_CLUSTER] = "cluster",
};

const char *ckptd_ctl_cmd_name(unsigned int cmd)
{
	return cmd < __CKPTD_CMD_MAX && cmd_names[cmd] ? cmd_names[cmd] : "?";
}

void ckptd_ctl_start(struct ckptd_ctl_msg *m, void *buf, uint16_t type,
		     uint32_t seq)
{
	struct ckptd_ctl_hdr *h = buf;

	memset(h, 0, sizeof(*h));
	h->magic = CKPTD_CTL_MAGIC;
	h->version = CKPTD_CTL_VERSION;
	h->type = type;
	h->seq = seq;
	m->buf = buf;
	m->len = sizeof(*h);
	m->overflow = 0;
}

void ckptd_ctl_put(struct ckptd_ctl_msg *m, uint16_t type, const void *data,
		   size_t len)
{
	struct ckptd_ctl_attr a = { .type = type, .len = sizeof(a) + len };
	size_t need = ALIGN4(sizeof(a) + len);

	if (m->overflow || len > 0xffff - sizeof(a) ||
	    m->len + need > CKPTD_CTL_MSG_MAX) {
		m->overflow = 1;
		return;
	}
	memcpy(m->buf + m->len, &a, sizeof(a));
	if (len)
		memcpy(m->buf + m->len + sizeof(a), data, len);
	memset(m->buf + m->len + sizeof(a) + len, 0, need - sizeof(a) - len);
	m->len += need;
}

void ckptd_ctl_put_u32(struct ckptd_ctl_msg *m, uint16_t type, uint32_t v)
{
	ckptd_ctl_put(m, type, &v, sizeof(v));
}

void ckptd_ctl_put_s32(struct ckptd_ctl_msg *m, uint16_t type, int32_t v)
{
	ckptd_ctl_put(m, type, &v, sizeof(v));
}

void ckptd_ctl_put_u64(struct ckptd_ctl_msg *m, uint16_t type, uint64_t v)
{
	ckptd_ctl_put(m, type, &v, sizeof(v));
}

void ckptd_ctl_put_str(struct ckptd_ctl_msg *m, uint16_t type, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > CKPTD_CTL_STR_MAX) {
		m->overflow = 1;
		return;
	}
	ckptd_ctl_put(m, type, s, n);
}

size_t ckptd_ctl_nest_start(struct ckptd_ctl_msg *m, uint16_t type)
{
	size_t off = m->len;

	ckptd_ctl_put(m, type, NULL, 0);
	return off;
}

void ckptd_ctl_nest_end(struct ckptd_ctl_msg *m, size_t off)
{
	struct ckptd_ctl_attr a;

	if (m->overflow)
		return;
	if (m->len - off > 0xffff) {
		m->overflow = 1;
		return;
	}
	memcpy(&a, m->buf + off, sizeof(a));
	a.len = m->len - off;
	memcpy(m->buf + off, &a, sizeof(a));
}

int ckptd_ctl_end(struct ckptd_ctl_msg *m)
{
	struct ckptd_ctl_hdr *h = (struct ckptd_ctl_hdr *)m->buf;

	if (m->overflow)
		return -EMSGSIZE;
	h->len = m->len;
	return m->len;
}

const struct ckptd_ctl_attr *ckptd_ctl_next(const void *data, size_t len,
					    size_t *pos)
{
	const struct ckptd_ctl_attr *a;

	if (*pos + sizeof(*a) > len)
		return NULL;
	a = (const void *)((const uint8_t *)data + *pos);
	if (a->len < sizeof(*a) || a->len > len - *pos)
		return NULL;
	*pos += ALIGN4(a->len);
	return a;
}

const struct ckptd_ctl_attr *ckptd_ctl_first_top(const struct ckptd_ctl_hdr *h,
						 size_t *pos)
{
	*pos = 0;
	return ckptd_ctl_next(h + 1, h->len - sizeof(*h), pos);
}

static int check_attrs(const uint8_t *data, size_t len, int depth,
		       struct ckptd_ctl_attrs *tb, struct ckpt_err *e)
{
	size_t pos = 0;

	if (tb)
		memset(tb, 0, sizeof(*tb));
	while (pos < len) {
		const struct ckptd_ctl_attr *a;
		size_t dlen, at = pos;

		if (len - pos < sizeof(*a))
			return ckpt_err_set(e, -EINVAL,
					    "%zu stray bytes after the last attribute",
					    len - pos);
		a = ckptd_ctl_next(data, len, &pos);
		if (!a)
			return ckpt_err_set(e, -EINVAL,
					    "attribute at offset %zu has a bad length", at);
		if (a->type == CKPTD_CA_UNSPEC || a->type > CKPTD_CA_MAX)
			return ckpt_err_set(e, -EINVAL,
					    "unknown attribute type %u (newer ckptctl than ckptd?)",
					    a->type);
		dlen = ckptd_ctl_data_len(a);
		switch (policy[a->type].kind) {
		case K_U32:
		case K_S32:
			if (dlen != 4)
				return ckpt_err_set(e, -EINVAL, "attribute %s: %zu bytes, expected 4",
						    policy[a->type].name, dlen);
			break;
		case K_U64:
			if (dlen != 8)
				return ckpt_err_set(e, -EINVAL, "attribute %s: %zu bytes, expected 8",
						    policy[a->type].name, dlen);
			break;
		case K_STR:
			if (!dlen || ((const char *)ckptd_ctl_data(a))[dlen - 1] ||
			    strlen(ckptd_ctl_data(a)) != dlen - 1)
				return ckpt_err_set(e, -EINVAL,
						    "attribute %s: not a NUL-terminated string",
						    policy[a->type].name);
			if (dlen > CKPTD_CTL_STR_MAX)
				return ckpt_err_set(e, -EINVAL,
						    "attribute %s: longer than %d bytes",
						    policy[a->type].name, CKPTD_CTL_STR_MAX);
			break;
		case K_NEST: {
			int r;

			if (depth >= 2)
				return ckpt_err_set(e, -EINVAL, "attribute %s: nested too deep",
						    policy[a->type].name);
			r = check_attrs(ckptd_ctl_data(a), dlen, depth + 1, NULL, e);
			if (r)
				return r;
			break;
		}
		case K_NONE:
			return ckpt_err_set(e, -EINVAL, "unknown attribute type %u",
					    a->type);
		}
		if (tb) {
			if (tb->a[a->type] && !policy[a->type].repeat)
				return ckpt_err_set(e, -EINVAL,
						    "attribute %s given twice",
						    policy[a->type].name);
			tb->a[a->type] = a;
		}
	}
	return 0;
}

int ckptd_ctl_check(const void *buf, size_t len, int truncated,
		    const struct ckptd_ctl_hdr **hdr, struct ckptd_ctl_attrs *tb,
		    struct ckpt_err *e)
{
	const struct ckptd_ctl_hdr *h = buf;
	bool request;

	*hdr = NULL;
	if (truncated || len > CKPTD_CTL_MSG_MAX)
		return ckpt_err_set(e, -EMSGSIZE,
				    "message larger than %d bytes", CKPTD_CTL_MSG_MAX);
	if (len < sizeof(*h))
		return ckpt_err_set(e, -EPROTO,
				    "message of %zu bytes is shorter than the %zu-byte header",
				    len, sizeof(*h));
	if (h->magic != CKPTD_CTL_MAGIC)
		return ckpt_err_set(e, -EPROTO,
				    "bad magic 0x%08x: not a ckptd control message", h->magic);
	if (h->version != CKPTD_CTL_VERSION)
		return ckpt_err_set(e, -EPROTONOSUPPORT,
				    "protocol version %u, this side speaks %u: use ckptctl and ckptd of the same release",
				    h->version, CKPTD_CTL_VERSION);
	if (h->len != len)
		return ckpt_err_set(e, -EPROTO,
				    "header says %u bytes, message has %zu", h->len, len);
	request = h->type >= 1 && h->type < __CKPTD_CMD_MAX;
	if (!request && h->type != CKPTD_CTL_REPLY && h->type != CKPTD_CTL_PROGRESS)
		return ckpt_err_set(e, -EOPNOTSUPP,
				    "unknown command %u (newer ckptctl than ckptd?)", h->type);
	*hdr = h;
	return check_attrs((const uint8_t *)(h + 1), len - sizeof(*h), 0, tb, e);
}

int ckptd_ctl_parse_nest(const struct ckptd_ctl_attr *a,
			 struct ckptd_ctl_attrs *tb, struct ckpt_err *e)
{
	return check_attrs(ckptd_ctl_data(a), ckptd_ctl_data_len(a), 1, tb, e);
}

uint32_t ckptd_ctl_u32(const struct ckptd_ctl_attr *a)
{
	uint32_t v;

	memcpy(&v, ckptd_ctl_data(a), sizeof(v));
	return v;
}

int32_t ckptd_ctl_s32(const struct ckptd_ctl_attr *a)
{
	int32_t v;

	memcpy(&v, ckptd_ctl_data(a), sizeof(v));
	return v;
}

uint64_t ckptd_ctl_u64(const struct ckptd_ctl_attr *a)
{
	uint64_t v;

	memcpy(&v, ckptd_ctl_data(a), sizeof(v));
	return v;
}

const char *ckptd_ctl_str(const struct ckptd_ctl_attr *a)
{
	return ckptd_ctl_data(a);
}
