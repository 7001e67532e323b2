/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_vmstat.h: the /proc/vmstat counters the bench reports per
 * operation (ckpt_bench_util, bench_dump).  Header-only: both programs are
 * single files built by different rules.
 *
 *   pgalloc  sum of every pgalloc_* zone counter (pgalloc_dma, _dma32,
 *            _normal, _movable, _device): pages handed out by the page
 *            allocator, exact (event counters are summed over CPUs on read)
 *   pgfree   pages given back
 *   shmem    nr_shmem, pages held by tmpfs/shmem now (a gauge whose
 *            per-CPU differences are folded about once a second: off by a
 *            few hundred pages at most)
 */
#ifndef BENCH_VMSTAT_H
#define BENCH_VMSTAT_H

#include <stdio.h>
#include <string.h>

struct bench_vmstat {
	long long pgalloc, pgfree, shmem;
};

/* Reads /proc/vmstat into @v; -1 if it cannot be read (no procfs). */
static inline int bench_vmstat_read(struct bench_vmstat *v)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	long long val;

	memset(v, 0, sizeof(*v));
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		if (!strncmp(name, "pgalloc_", 8))
			v->pgalloc += val;
		else if (!strcmp(name, "pgfree"))
			v->pgfree = val;
		else if (!strcmp(name, "nr_shmem"))
			v->shmem = val;
	}
	fclose(f);
	return 0;
}

/* @after - @before, field by field, into @d. */
static inline void bench_vmstat_delta(struct bench_vmstat *d,
				      const struct bench_vmstat *before,
				      const struct bench_vmstat *after)
{
	d->pgalloc = after->pgalloc - before->pgalloc;
	d->pgfree = after->pgfree - before->pgfree;
	d->shmem = after->shmem - before->shmem;
}

#endif /* BENCH_VMSTAT_H */
