// SPDX-License-Identifier: GPL-2.0
/*
 * The control-socket protocol (common/ctl_proto.c): a datagram as ckptd
 * receives it from any local user, checked by ckptd_ctl_check(), then
 * read the way ckptd and ckptctl read messages: every top-level
 * attribute, every nest parsed and walked (RUN's ARGV, the JOB nests of
 * a LIST reply), each value read with the accessor of its type.
 */
#include <stdbool.h>

#include "ctl_proto.h"
#include "fuzz.h"

static void read_value(const struct ckptd_ctl_attr *a)
{
	switch (a->type) {
	case CKPTD_CA_ERRNO:
		fuzz_keep((uint64_t)(int64_t)ckptd_ctl_s32(a));
		break;
	case CKPTD_CA_JOB_ID: case CKPTD_CA_KIND: case CKPTD_CA_PID:
	case CKPTD_CA_FLAGS: case CKPTD_CA_OWNER_UID: case CKPTD_CA_NR_TASKS:
	case CKPTD_CA_NR_THREADS: case CKPTD_CA_TASK: case CKPTD_CA_ITERATIONS:
		fuzz_keep(ckptd_ctl_u32(a));
		break;
	case CKPTD_CA_SEQ: case CKPTD_CA_LAST_SEQ: case CKPTD_CA_BYTES:
	case CKPTD_CA_TOTAL: case CKPTD_CA_DOWNTIME_US: case CKPTD_CA_BARRIER_US:
	case CKPTD_CA_COMMIT_US:
		fuzz_keep(ckptd_ctl_u64(a));
		break;
	case CKPTD_CA_ERRMSG: case CKPTD_CA_CGROUP: case CKPTD_CA_ARG:
	case CKPTD_CA_CWD: case CKPTD_CA_STATE: case CKPTD_CA_IMAGE_DIR:
	case CKPTD_CA_HOST: case CKPTD_CA_CLUSTER:
		fuzz_keep(strlen(ckptd_ctl_str(a)));
		break;
	}
}

/* A nest as ckptd (ARGV) and ckptctl (JOB) read one. */
static void read_nest(const struct ckptd_ctl_attr *nest)
{
	struct ckptd_ctl_attrs tb;
	const struct ckptd_ctl_attr *a;
	struct ckpt_err why;
	size_t pos = 0;

	/* launch.c walks ARGV without parsing it as a set first */
	while ((a = ckptd_ctl_next(ckptd_ctl_data(nest), ckptd_ctl_data_len(nest), &pos)))
		if (a->type == CKPTD_CA_ARG || a->type == CKPTD_CA_TASK)
			read_value(a);
	if (ckptd_ctl_parse_nest(nest, &tb, &why)) {
		fuzz_keep(strlen(why.msg));
		return;
	}
	for (int t = 0; t <= CKPTD_CA_MAX; t++)
		if (tb.a[t])
			read_value(tb.a[t]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* ckptd's receive buffer: static, one message long */
	static uint8_t rx[CKPTD_CTL_MSG_MAX] __attribute__((aligned(8)));
	const struct ckptd_ctl_hdr *h;
	const struct ckptd_ctl_attr *a;
	struct ckptd_ctl_attrs tb;
	struct ckpt_err why;
	size_t len = size < sizeof(rx) ? size : sizeof(rx), pos;
	int ret;

	memcpy(rx, data, len);
	ret = ckptd_ctl_check(rx, len, size > sizeof(rx), &h, &tb, &why);
	if (ret) {
		fuzz_keep(strlen(why.msg));
		return 0;
	}
	fuzz_keep(strlen(ckptd_ctl_cmd_name(h->type)));
	for (int t = 0; t <= CKPTD_CA_MAX; t++) {
		if (!tb.a[t])
			continue;
		if (t == CKPTD_CA_ARGV || t == CKPTD_CA_JOB)
			read_nest(tb.a[t]);
		else
			read_value(tb.a[t]);
	}
	for (a = ckptd_ctl_first_top(h, &pos); a;
	     a = ckptd_ctl_next(h + 1, h->len - sizeof(*h), &pos))
		if (a->type == CKPTD_CA_JOB)
			read_nest(a);
		else
			read_value(a);
	return 0;
}
