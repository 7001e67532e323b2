// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl image ls [JOB]: the committed checkpoints in the image store,
 * read directly (no ckptd, no ckpt.ko).  Uncommitted directories (a write
 * in progress or one that crashed) are never listed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "ckptd_config.h"
#include "json.h"
#include "progress.h"
#include "store_list.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s image ls [--json] [--store DIR | --config FILE] [JOB]\n"
		"\n"
		"List the committed checkpoints of every job (or of JOB) in the image\n"
		"store: image_store= of the config file, or --store.\n"
		"\n"
		"  --store DIR      the image store\n"
		"  --config FILE    read image_store from FILE (default " CKPTD_CONFIG_FILE ")\n"
		"  --json           one JSON object instead of a table\n"
		"  --help           this text\n", ckptctl_prog);
}

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
		fprintf(stderr, "%s: %s\n", ckptctl_prog, err.msg);
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

int image_ls_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ckptd_config cfg;
	const char *store = NULL, *config = CKPTD_CONFIG_FILE;
	struct json_out j;
	struct ckpt_err err;
	uint32_t job = 0, *jobs = NULL;
	size_t njobs = 0;
	int json = 0, must = 0, c, ret = 0, rows = 0;
	struct ckpt_err why;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': store = optarg; break;
		case 'c': config = optarg; must = 1; break;
		case 'J': json = 1; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 < argc || (optind < argc && !(job = ckptctl_parse_job(argv[optind])))) {
		usage(stderr);
		return CKPTCTL_EXIT_USAGE;
	}
	if (!store) {
		ckptd_config_defaults(&cfg);
		if (ckptd_config_load(&cfg, config, must, &why)) {
			fprintf(stderr, "%s: %s\n", ckptctl_prog, why.msg);
			return CKPTCTL_EXIT_FAILED;
		}
		store = cfg.image_store;
	}
	if (job) {
		jobs = &job;
		njobs = 1;
	} else if (ckptd_store_jobs(store, &jobs, &njobs, &err)) {
		fprintf(stderr, "%s: %s\n", ckptctl_prog, err.msg);
		return CKPTCTL_EXIT_FAILED;
	}
	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_string(&j, "store", store);
		json_begin_array(&j, "images");
	}
	for (size_t i = 0; i < njobs && !ret; i++)
		ret = list_job(store, jobs[i], json ? &j : NULL, &rows);
	if (json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	} else if (!rows && !ret) {
		printf("no checkpoints in %s%s\n", store, job ? " for this job" : "");
	}
	if (!job)
		free(jobs);
	return ret ? CKPTCTL_EXIT_FAILED : CKPTCTL_EXIT_OK;
}
