// SPDX-License-Identifier: GPL-2.0
/* Printing jobs and checkpoint results, as a table or as JSON. */
#include <stdio.h>
#include <string.h>

#include <linux/ckpt.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "progress.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case CKPT_JOB_TREE: return "tree";
	case CKPT_JOB_PGID: return "pgid";
	case CKPT_JOB_SID: return "session";
	case CKPT_JOB_CGROUP: return "cgroup";
	}
	return "?";
}

static uint32_t u32_of(const struct ckptd_ctl_attrs *tb, int type)
{
	return tb->a[type] ? ckptd_ctl_u32(tb->a[type]) : 0;
}

static const char *str_of(const struct ckptd_ctl_attrs *tb, int type)
{
	return tb->a[type] ? ckptd_ctl_str(tb->a[type]) : "";
}

static void job_json(struct json_out *j, const struct ckptd_ctl_attr *ja, int detail)
{
	struct ckptd_ctl_attrs tb;
	const struct ckptd_ctl_attr *a;
	struct ckpt_err why;
	size_t pos = 0;

	if (ckptd_ctl_parse_nest(ja, &tb, &why))
		return;
	json_begin_object(j, NULL);
	json_u64(j, "job", u32_of(&tb, CKPTD_CA_JOB_ID));
	json_u64(j, "owner_uid", u32_of(&tb, CKPTD_CA_OWNER_UID));
	json_string(j, "kind", kind_name(u32_of(&tb, CKPTD_CA_KIND)));
	json_string(j, "state", str_of(&tb, CKPTD_CA_STATE));
	if (tb.a[CKPTD_CA_PID])
		json_u64(j, "pid", u32_of(&tb, CKPTD_CA_PID));
	if (tb.a[CKPTD_CA_CGROUP])
		json_string(j, "cgroup", str_of(&tb, CKPTD_CA_CGROUP));
	json_u64(j, "tasks", u32_of(&tb, CKPTD_CA_NR_TASKS));
	json_u64(j, "threads", u32_of(&tb, CKPTD_CA_NR_THREADS));
	json_u64(j, "last_seq", tb.a[CKPTD_CA_LAST_SEQ] ? ckptd_ctl_u64(tb.a[CKPTD_CA_LAST_SEQ]) : 0);
	json_bool(j, "launched", u32_of(&tb, CKPTD_CA_FLAGS) & CKPTD_F_LAUNCHED);
	json_bool(j, "pidns", u32_of(&tb, CKPTD_CA_FLAGS) & CKPTD_F_PIDNS);
	if (detail) {
		json_begin_array(j, "members");
		while ((a = ckptd_ctl_next(ckptd_ctl_data(ja), ckptd_ctl_data_len(ja), &pos)))
			if (a->type == CKPTD_CA_TASK)
				json_u64(j, NULL, ckptd_ctl_u32(a));
		json_end_array(j);
	}
	json_end_object(j);
}

static void job_row(const struct ckptd_ctl_attr *ja, int detail)
{
	struct ckptd_ctl_attrs tb;
	const struct ckptd_ctl_attr *a;
	struct ckpt_err why;
	char what[300];
	size_t pos = 0;
	int first = 1;

	if (ckptd_ctl_parse_nest(ja, &tb, &why))
		return;
	if (tb.a[CKPTD_CA_CGROUP])
		snprintf(what, sizeof(what), "%s", str_of(&tb, CKPTD_CA_CGROUP));
	else
		snprintf(what, sizeof(what), "pid %u", u32_of(&tb, CKPTD_CA_PID));
	printf("%-8u %-6u %-8s %-8s %5u %7u %6llu  %s\n", u32_of(&tb, CKPTD_CA_JOB_ID),
	       u32_of(&tb, CKPTD_CA_OWNER_UID), kind_name(u32_of(&tb, CKPTD_CA_KIND)),
	       str_of(&tb, CKPTD_CA_STATE), u32_of(&tb, CKPTD_CA_NR_TASKS),
	       u32_of(&tb, CKPTD_CA_NR_THREADS),
	       tb.a[CKPTD_CA_LAST_SEQ] ? (unsigned long long)ckptd_ctl_u64(tb.a[CKPTD_CA_LAST_SEQ]) : 0ULL,
	       what);
	if (!detail)
		return;
	printf("\nmembers:");
	while ((a = ckptd_ctl_next(ckptd_ctl_data(ja), ckptd_ctl_data_len(ja), &pos)))
		if (a->type == CKPTD_CA_TASK) {
			printf("%s%u", first ? " " : ", ", ckptd_ctl_u32(a));
			first = 0;
		}
	printf("%s\n", first ? " none" : "");
}

void ckptctl_print_jobs(const struct ctl_reply *rep, int json, int detail)
{
	const struct ckptd_ctl_attr *a;
	struct json_out j;
	size_t pos;

	if (json) {
		json_init(&j, stdout);
		if (detail) {
			if (rep->tb.a[CKPTD_CA_JOB])
				job_json(&j, rep->tb.a[CKPTD_CA_JOB], 1);
		} else {
			json_begin_object(&j, NULL);
			json_begin_array(&j, "jobs");
			for (a = ckptd_ctl_first_top(rep->h, &pos); a;
			     a = ckptd_ctl_next(rep->h + 1, rep->h->len - sizeof(*rep->h), &pos))
				if (a->type == CKPTD_CA_JOB)
					job_json(&j, a, 0);
			json_end_array(&j);
			json_end_object(&j);
		}
		json_finish(&j);
		return;
	}
	printf("%-8s %-6s %-8s %-8s %5s %7s %6s  %s\n", "JOB", "OWNER", "KIND",
	       "STATE", "TASKS", "THREADS", "LAST", "WHAT");
	for (a = ckptd_ctl_first_top(rep->h, &pos); a;
	     a = ckptd_ctl_next(rep->h + 1, rep->h->len - sizeof(*rep->h), &pos))
		if (a->type == CKPTD_CA_JOB)
			job_row(a, detail);
}

void ckptctl_print_image_result(const struct ctl_reply *rep, int json,
				const char *what)
{
	const struct ckptd_ctl_attrs *tb = &rep->tb;
	uint64_t seq = tb->a[CKPTD_CA_SEQ] ? ckptd_ctl_u64(tb->a[CKPTD_CA_SEQ]) : 0;
	uint64_t bytes = tb->a[CKPTD_CA_BYTES] ? ckptd_ctl_u64(tb->a[CKPTD_CA_BYTES]) : 0;
	struct json_out j;
	char b[32];

	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_u64(&j, "job", u32_of(tb, CKPTD_CA_JOB_ID));
		json_u64(&j, "seq", seq);
		if (tb->a[CKPTD_CA_BYTES])
			json_u64(&j, "bytes", bytes);
		json_string(&j, "image", str_of(tb, CKPTD_CA_IMAGE_DIR));
		if (tb->a[CKPTD_CA_STATE])
			json_string(&j, "state", str_of(tb, CKPTD_CA_STATE));
		if (tb->a[CKPTD_CA_CLUSTER])
			json_string(&j, "cluster", str_of(tb, CKPTD_CA_CLUSTER));
		if (tb->a[CKPTD_CA_BARRIER_US])
			json_u64(&j, "barrier_us", ckptd_ctl_u64(tb->a[CKPTD_CA_BARRIER_US]));
		if (tb->a[CKPTD_CA_COMMIT_US])
			json_u64(&j, "commit_us", ckptd_ctl_u64(tb->a[CKPTD_CA_COMMIT_US]));
		json_end_object(&j);
		json_finish(&j);
		return;
	}
	ckptctl_fmt_bytes(b, sizeof(b), bytes);
	printf("job %u: %s %llu in %s", u32_of(tb, CKPTD_CA_JOB_ID), what,
	       (unsigned long long)seq, str_of(tb, CKPTD_CA_IMAGE_DIR));
	if (tb->a[CKPTD_CA_BYTES])
		printf(" (%s)", b);
	if (tb->a[CKPTD_CA_STATE])
		printf("; job %s", str_of(tb, CKPTD_CA_STATE));
	printf("\n");
	if (tb->a[CKPTD_CA_CLUSTER] && tb->a[CKPTD_CA_BARRIER_US] && tb->a[CKPTD_CA_COMMIT_US])
		printf("global checkpoint of hosts:images %s: every host frozen %.1f ms after prepare, committed at %.1f ms\n",
		       str_of(tb, CKPTD_CA_CLUSTER), ckptd_ctl_u64(tb->a[CKPTD_CA_BARRIER_US]) / 1000.0,
		       ckptd_ctl_u64(tb->a[CKPTD_CA_COMMIT_US]) / 1000.0);
}
