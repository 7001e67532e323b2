// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl image ls [JOB]: the committed checkpoints in the image store,
 * read directly (no ckptd, no ckpt.ko).  Uncommitted directories (a write
 * in progress or one that crashed) are never listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckptctl.h"
#include "cmdline.h"
#include "ckptd_config.h"
#include "json.h"
#include "progress.h"
#include "store_list.h"

static void fmt_time(char *buf, size_t size, uint64_t ns)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "?");
}

static int list_job(const char *store, uint32_t job, struct json_out *j, int *rows)
{
	struct ckptd_store_entry *v;
	struct ckpt_err err;
	char t[32], b[32], parent[24];
	size_t n;
	int ret = ckptd_store_list(store, job, &v, &n, &err);

	if (ret) {
		fprintf(stderr, "%s: %s\n", CKPTCTL_PROG, err.msg);
		return ret;
	}
	for (size_t i = 0; i < n; i++, (*rows)++) {
		if (v[i].predump) {	/* a migration's, not a checkpoint */
			(*rows)--;
			continue;
		}
		if (j) {
			json_begin_object(j, NULL);
			json_u64(j, "job", job);
			json_u64(j, "seq", v[i].seq);
			json_u64(j, "parent_seq", v[i].parent_seq);
			json_u64(j, "time_ns", v[i].time_ns);
			json_u64(j, "bytes", v[i].bytes);
			json_u64(j, "raw_bytes", v[i].raw_bytes);
			json_string(j, "compression",
				    ckptd_image_compression_name(v[i].compression));
			json_u64(j, "pages", v[i].nr_pages);
			json_u64(j, "pages_same", v[i].nr_pages_same);
			json_u64(j, "tasks", v[i].nr_tasks);
			json_bool(j, "readable", !v[i].bad);
			json_end_object(j);
			continue;
		}
		if (!*rows)
			printf("%-8s %-6s %-6s %-19s %10s %8s %6s\n", "JOB", "SEQ", "PARENT",
			       "TIME", "SIZE", "PAGES", "TASKS");
		if (v[i].bad) {
			printf("%-8u %-6llu manifest unreadable: run 'ckptctl image verify %s/%u/%llu'\n",
			       job, (unsigned long long)v[i].seq, store, job,
			       (unsigned long long)v[i].seq);
			continue;
		}
		fmt_time(t, sizeof(t), v[i].time_ns);
		snprintf(parent, sizeof(parent), "%llu", (unsigned long long)v[i].parent_seq);
		ckptctl_fmt_bytes(b, sizeof(b), v[i].bytes);
		printf("%-8u %-6llu %-6s %-19s %10s %8llu %6u\n", job,
		       (unsigned long long)v[i].seq,
		       v[i].parent_seq ? parent : "-",
		       t, b, (unsigned long long)v[i].nr_pages, v[i].nr_tasks);
	}
	free(v);
	return 0;
}

enum { O_STORE, O_CONFIG };

int image_ls_main(int argc, char *argv[])
{
	static const struct ckptctl_opt opts[] = {
		[O_STORE] = { "store", CKPTCTL_STR },
		[O_CONFIG] = { "config", CKPTCTL_STR },
		{ NULL },
	};
	static const struct ckptctl_cmd cmd = {
		.name = "image ls", .opts = opts, .shared = CKPTCTL_O_JSON,
		.help = "Usage: " CKPTCTL_PROG " image ls [--json] [--store DIR | --config FILE] [JOB]\n"
			"\n"
			"List the committed checkpoints of every job (or of JOB) in the image\n"
			"store: image_store= of the config file, or --store.\n"
			"\n"
			"  --store DIR      the image store\n"
			"  --config FILE    read image_store from FILE (default " CKPTD_CONFIG_FILE ")\n"
			"  --json           one JSON object instead of a table\n"
			"  --help           this text\n",
	};
	static struct ckptd_config cfg;
	const char *store, *config;
	struct ckptctl_args a;
	struct json_out j;
	struct ckpt_err err;
	uint32_t one, *jobs = NULL;
	uint64_t job = 0;
	size_t njobs = 0;
	int ret, rows = 0;
	struct ckpt_err why;

	ret = ckptctl_parse(&cmd, argc, argv, &a);
	if (ret)
		return ckptctl_stop_exit(ret);
	if (a.argc > 1) {
		ckptctl_usage(&cmd, stderr);
		return CKPTCTL_EXIT_USAGE;
	}
	if (a.argc && ckptctl_parse_num(&a, "JOB", a.argv[0], 1, UINT32_MAX,
					"a job id (a number from 1)", &job))
		return CKPTCTL_EXIT_USAGE;
	store = a.str[O_STORE];
	config = a.str[O_CONFIG] ? a.str[O_CONFIG] : CKPTD_CONFIG_FILE;
	if (!store) {
		ckptd_config_defaults(&cfg);
		if (ckptd_config_load(&cfg, config, !!a.str[O_CONFIG], &why)) {
			fprintf(stderr, "%s: %s\n", CKPTCTL_PROG, why.msg);
			return CKPTCTL_EXIT_FAILED;
		}
		store = cfg.image_store;
	}
	if (job) {
		one = job;
		jobs = &one;
		njobs = 1;
	} else if (ckptd_store_jobs(store, &jobs, &njobs, &err)) {
		fprintf(stderr, "%s: %s\n", CKPTCTL_PROG, err.msg);
		return CKPTCTL_EXIT_FAILED;
	}
	if (a.json) {
		ckptctl_json_begin(&j);
		json_string(&j, "store", store);
		json_begin_array(&j, "images");
	}
	for (size_t i = 0; i < njobs && !ret; i++)
		ret = list_job(store, jobs[i], a.json ? &j : NULL, &rows);
	if (a.json) {
		json_end_array(&j);
		ckptctl_json_end(&j);
	} else if (!rows && !ret) {
		printf("no checkpoints in %s%s\n", store, job ? " for this job" : "");
	}
	if (jobs != &one)
		free(jobs);
	return ret ? CKPTCTL_EXIT_FAILED : CKPTCTL_EXIT_OK;
}
