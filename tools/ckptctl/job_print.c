// SPDX-License-Identifier: GPL-2.0
/*
 * Printing what ckptd replied, as a table or as one JSON object: jobs
 * (list, status, run, attach, thaw) and the result of an operation that
 * wrote or read an image (freeze, checkpoint, restore).
 */
#include <stdio.h>
#include <string.h>

#include <linux/ckpt.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "err.h"
#include "progress.h"

void ckptctl_json_begin(struct json_out *j)
{
	json_init(j, stdout);
	json_begin_object(j, NULL);
}

void ckptctl_json_end(struct json_out *j)
{
	json_end_object(j);
	json_finish(j);
}

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

/* The member pids (TASK attributes) of the JOB nest @ja. */
static const struct ckptd_ctl_attr *next_member(const struct ckptd_ctl_attr *ja,
						size_t *pos)
{
	const struct ckptd_ctl_attr *a;

	while ((a = ckptd_ctl_next(ckptd_ctl_data(ja), ckptd_ctl_data_len(ja), pos)))
		if (a->type == CKPTD_CA_TASK)
			return a;
	return NULL;
}

static void job_json(struct json_out *j, const struct ckptd_ctl_attr *ja,
		     const struct ckptd_ctl_attrs *tb, int detail)
{
	const struct ckptd_ctl_attr *a;
	size_t pos = 0;

	json_begin_object(j, NULL);
	json_u64(j, "job", ckptctl_u32(tb, CKPTD_CA_JOB_ID));
	json_u64(j, "owner_uid", ckptctl_u32(tb, CKPTD_CA_OWNER_UID));
	json_string(j, "kind", kind_name(ckptctl_u32(tb, CKPTD_CA_KIND)));
	json_string(j, "state", ckptctl_str(tb, CKPTD_CA_STATE, ""));
	if (tb->a[CKPTD_CA_PID])
		json_u64(j, "pid", ckptctl_u32(tb, CKPTD_CA_PID));
	if (tb->a[CKPTD_CA_CGROUP])
		json_string(j, "cgroup", ckptctl_str(tb, CKPTD_CA_CGROUP, ""));
	json_u64(j, "tasks", ckptctl_u32(tb, CKPTD_CA_NR_TASKS));
	json_u64(j, "threads", ckptctl_u32(tb, CKPTD_CA_NR_THREADS));
	json_u64(j, "last_seq", ckptctl_u64(tb, CKPTD_CA_LAST_SEQ));
	json_bool(j, "launched", ckptctl_u32(tb, CKPTD_CA_FLAGS) & CKPTD_F_LAUNCHED);
	json_bool(j, "pidns", ckptctl_u32(tb, CKPTD_CA_FLAGS) & CKPTD_F_PIDNS);
	if (detail) {
		json_begin_array(j, "members");
		while ((a = next_member(ja, &pos)))
			json_u64(j, NULL, ckptd_ctl_u32(a));
		json_end_array(j);
	}
	json_end_object(j);
}

static void job_row(const struct ckptd_ctl_attr *ja,
		    const struct ckptd_ctl_attrs *tb, int detail)
{
	const struct ckptd_ctl_attr *a;
	char what[300];
	size_t pos = 0;
	int first = 1;

	if (tb->a[CKPTD_CA_CGROUP])
		ckpt_fmt(what, sizeof(what), "%s", ckptctl_str(tb, CKPTD_CA_CGROUP, ""));
	else
		ckpt_fmt(what, sizeof(what), "pid %u", ckptctl_u32(tb, CKPTD_CA_PID));
	printf("%-8u %-6u %-8s %-8s %5u %7u %6llu  %s\n", ckptctl_u32(tb, CKPTD_CA_JOB_ID),
	       ckptctl_u32(tb, CKPTD_CA_OWNER_UID), kind_name(ckptctl_u32(tb, CKPTD_CA_KIND)),
	       ckptctl_str(tb, CKPTD_CA_STATE, ""), ckptctl_u32(tb, CKPTD_CA_NR_TASKS),
	       ckptctl_u32(tb, CKPTD_CA_NR_THREADS),
	       (unsigned long long)ckptctl_u64(tb, CKPTD_CA_LAST_SEQ), what);
	if (!detail)
		return;
	printf("\nmembers:");
	while ((a = next_member(ja, &pos))) {
		printf("%s%u", first ? " " : ", ", ckptd_ctl_u32(a));
		first = 0;
	}
	printf("%s\n", first ? " none" : "");
}

/* Every JOB nest of the reply; --json: {"jobs":[...]}, or with @detail the one job. */
static void print_jobs(const struct ctl_reply *rep, int json, int detail)
{
	const struct ckptd_ctl_attr *ja;
	struct ckptd_ctl_attrs tb;
	struct json_out j;
	size_t pos = 0;
	struct ckpt_err why;

	if (json && detail) {
		json_init(&j, stdout);
		ja = rep->tb.a[CKPTD_CA_JOB];
		if (ja && !ckptd_ctl_parse_nest(ja, &tb, &why))
			job_json(&j, ja, &tb, 1);
		json_finish(&j);
		return;
	}
	if (json) {
		ckptctl_json_begin(&j);
		json_begin_array(&j, "jobs");
		while ((ja = ckptctl_next_job(rep, &pos, &tb)))
			job_json(&j, ja, &tb, 0);
		json_end_array(&j);
		ckptctl_json_end(&j);
		return;
	}
	printf("%-8s %-6s %-8s %-8s %5s %7s %6s  %s\n", "JOB", "OWNER", "KIND",
	       "STATE", "TASKS", "THREADS", "LAST", "WHAT");
	while ((ja = ckptctl_next_job(rep, &pos, &tb)))
		job_row(ja, &tb, detail);
}

void ckptctl_print_jobs(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	print_jobs(rep, a->json, 0);
}

void ckptctl_print_job_status(const struct ctl_reply *rep,
			      const struct ckptctl_args *a)
{
	print_jobs(rep, a->json, 1);
}

/* FREEZE, CHECKPOINT: where the time went. */
static void stages_json(struct json_out *j, const struct ckptd_ctl_attrs *tb)
{
	static const struct { int attr; const char *key; } stages[] = {
		{ CKPTD_CA_STAGE_MARK_US, "mark_ms" },
		{ CKPTD_CA_STAGE_FREEZE_US, "freeze_ms" },
		{ CKPTD_CA_STAGE_PRECOPY_US, "precopy_ms" },
		{ CKPTD_CA_STAGE_DUMP_US, "dump_ms" },
		{ CKPTD_CA_STAGE_CAPTURE_US, "capture_ms" },
		{ CKPTD_CA_STAGE_THAW_US, "thaw_ms" },
		{ CKPTD_CA_STAGE_WRITE_US, "write_ms" },
		{ CKPTD_CA_STAGE_COMMIT_US, "commit_ms" },
	};

	if (!tb->a[CKPTD_CA_FROZEN_US])
		return;
	json_ms(j, "frozen_ms", ckptctl_u64(tb, CKPTD_CA_FROZEN_US));
	json_string(j, "dirty_tracking", ckptctl_str(tb, CKPTD_CA_DIRTY_TRACKING, "none"));
	if (tb->a[CKPTD_CA_PRECOPY_TRACKING])
		json_string(j, "precopy_tracking", ckptctl_str(tb, CKPTD_CA_PRECOPY_TRACKING, ""));
	json_u64(j, "precopy_pages", ckptctl_u64(tb, CKPTD_CA_PRECOPY_PAGES));
	json_u64(j, "final_pages", ckptctl_u64(tb, CKPTD_CA_FINAL_PAGES));
	json_begin_object(j, "stages");
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		json_ms(j, stages[i].key, ckptctl_u64(tb, stages[i].attr));
	json_end_object(j);
}

void ckptctl_print_image_result(const struct ctl_reply *rep,
				const struct ckptctl_args *a, const char *what)
{
	const struct ckptd_ctl_attrs *tb = &rep->tb;
	uint64_t seq = ckptctl_u64(tb, CKPTD_CA_SEQ);
	uint64_t bytes = ckptctl_u64(tb, CKPTD_CA_BYTES);
	struct json_out j;
	char b[32];

	if (a->json) {
		ckptctl_json_begin(&j);
		json_u64(&j, "job", ckptctl_u32(tb, CKPTD_CA_JOB_ID));
		json_u64(&j, "seq", seq);
		if (tb->a[CKPTD_CA_BYTES])
			json_u64(&j, "bytes", bytes);
		json_string(&j, "image", ckptctl_str(tb, CKPTD_CA_IMAGE_DIR, ""));
		if (tb->a[CKPTD_CA_STATE])
			json_string(&j, "state", ckptctl_str(tb, CKPTD_CA_STATE, ""));
		if (tb->a[CKPTD_CA_CLUSTER])
			json_string(&j, "cluster", ckptctl_str(tb, CKPTD_CA_CLUSTER, ""));
		if (tb->a[CKPTD_CA_BARRIER_US])
			json_u64(&j, "barrier_us", ckptctl_u64(tb, CKPTD_CA_BARRIER_US));
		if (tb->a[CKPTD_CA_COMMIT_US])
			json_u64(&j, "commit_us", ckptctl_u64(tb, CKPTD_CA_COMMIT_US));
		stages_json(&j, tb);
		ckptctl_json_end(&j);
		return;
	}
	ckptctl_fmt_bytes(b, sizeof(b), bytes);
	printf("job %u: %s %llu in %s", ckptctl_u32(tb, CKPTD_CA_JOB_ID), what,
	       (unsigned long long)seq, ckptctl_str(tb, CKPTD_CA_IMAGE_DIR, ""));
	if (tb->a[CKPTD_CA_BYTES])
		printf(" (%s)", b);
	if (tb->a[CKPTD_CA_STATE])
		printf("; job %s", ckptctl_str(tb, CKPTD_CA_STATE, ""));
	if (tb->a[CKPTD_CA_FROZEN_US])
		printf("; frozen %.1f ms", ckptctl_u64(tb, CKPTD_CA_FROZEN_US) / 1000.0);
	printf("\n");
	if (tb->a[CKPTD_CA_CLUSTER] && tb->a[CKPTD_CA_BARRIER_US] && tb->a[CKPTD_CA_COMMIT_US])
		printf("global checkpoint of hosts:images %s: every host frozen %.1f ms after prepare, committed at %.1f ms\n",
		       ckptctl_str(tb, CKPTD_CA_CLUSTER, ""),
		       ckptctl_u64(tb, CKPTD_CA_BARRIER_US) / 1000.0,
		       ckptctl_u64(tb, CKPTD_CA_COMMIT_US) / 1000.0);
}
