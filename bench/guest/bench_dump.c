// SPDX-License-Identifier: GPL-2.0
/*
 * bench_dump: runs inside a test guest (make bench).  Measures
 *   1. freeze and thaw latency of a job of 100 processes x 4 threads with
 *      ckpt.ko (JOB_FREEZE / JOB_THAW), against the cgroup v2 freezer
 *      (cgroup.freeze, waiting for cgroup.events to say "frozen 1" / "0")
 *      on the same processes, alternating, 11 rounds each;
 *   2. dump-stream throughput of a 256 MiB process read and discarded,
 *      against a plain memcpy of 256 MiB in the same guest (a diagnostic of
 *      the kernel side alone: no daemon, no image);
 *   3. the same dump with CKPT_DUMP_DATA_FD: the module writes the page
 *      contents into a fresh tmpfs file itself and the stream carries only
 *      metadata; "n/a" (not a failure) when the module refuses the flag
 *      (EINVAL) or writes nothing into the file.
 * Around each dump, the /proc/vmstat deltas (bench/bin/bench_vmstat.h).
 * Prints "# result: SCENARIO TOOL METRIC VALUE" lines (one per repetition,
 * bench/report.sh takes median, min and max), "# bench:" lines and TAP.
 * Timings under TCG are not real-hardware timings: compare within a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "genl_raw.h"
#include "../bin/bench_vmstat.h"

#define MIB (1024UL * 1024)
#define JOB_ID 4242

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* JOB_* command on JOB_ID; prints the kernel's reason on failure. */
static int job_cmd(struct gnl *g, int cmd, pid_t root)
{
	struct gnl_reply r;
	int err;

	if (cmd == CKPT_CMD_JOB_CREATE)
		err = gnl_job_create(g, JOB_ID, CKPT_JOB_TREE, root, NULL, &r);
	else if (cmd == CKPT_CMD_JOB_FREEZE)
		err = gnl_job_freeze(g, JOB_ID, 60000, &r);
	else
		err = gnl_job_simple(g, cmd, JOB_ID, &r);
	if (err)
		printf("# command %d failed: %s (%s)\n", cmd, strerror(-err), r.extack);
	return err;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		usleep(20000);
	return NULL;
}

#define FRZ_CG "/sys/fs/cgroup/bench-freeze"

static int put_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

/* Until FRZ_CG/cgroup.events says "frozen @want" (1 ms polls, 60 s). */
static int cg_wait_frozen(int want)
{
	char buf[256], key[16];

	snprintf(key, sizeof(key), "frozen %d", want);
	for (int i = 0; i < 60000; i++) {
		int fd = open(FRZ_CG "/cgroup.events", O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n < 0)
			return -errno;
		buf[n] = 0;
		if (strstr(buf, key))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* A process group of @nproc processes with @nthreads threads each, all in
 * the cgroup FRZ_CG (made here). */
static pid_t spawn_threads_job(int nproc, int nthreads)
{
	pid_t root;

	rmdir(FRZ_CG);
	if (mkdir(FRZ_CG, 0755) && errno != EEXIST)
		printf("# mkdir %s: %s\n", FRZ_CG, strerror(errno));
	root = fork();
	if (root == 0) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		put_str(FRZ_CG "/cgroup.procs", pid);
		setpgid(0, 0);
		for (int i = 0; i < nproc - 1; i++)
			if (fork() == 0)
				break;
		for (int t = 1; t < nthreads; t++) {
			pthread_t th;

			pthread_create(&th, NULL, sleeper, NULL);
		}
		sleeper(NULL);
	}
	return root;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_rounds(const char *tool, const double *fr, const double *th, int n)
{
	for (int i = 0; i < n; i++) {
		printf("# result: freeze_100x4 %s freeze_ms %.1f\n", tool, fr[i] * 1e3);
		printf("# result: freeze_100x4 %s thaw_ms %.1f\n", tool, th[i] * 1e3);
		printf("# result: freeze_100x4 %s total_ms %.1f\n", tool, (fr[i] + th[i]) * 1e3);
	}
}

static int bench_freeze(struct gnl *g)
{
	enum { ROUNDS = 11 };
	double fr[ROUNDS], th[ROUNDS], cfr[ROUNDS], cth[ROUNDS];
	pid_t root = spawn_threads_job(100, 4);
	int err = 0;

	sleep(3);	/* let 400 threads start under TCG */
	if (job_cmd(g, CKPT_CMD_JOB_CREATE, root))
		err = 1;
	for (int i = 0; !err && i < ROUNDS; i++) {
		double t0 = now();

		if (job_cmd(g, CKPT_CMD_JOB_FREEZE, 0)) {
			err = 1;
			break;
		}
		fr[i] = now() - t0;
		t0 = now();
		if (job_cmd(g, CKPT_CMD_JOB_THAW, 0)) {
			err = 1;
			break;
		}
		th[i] = now() - t0;
		usleep(200000);
		t0 = now();
		if (put_str(FRZ_CG "/cgroup.freeze", "1") || cg_wait_frozen(1)) {
			printf("# cgroup freezer on %s failed\n", FRZ_CG);
			err = 1;
			break;
		}
		cfr[i] = now() - t0;
		t0 = now();
		if (put_str(FRZ_CG "/cgroup.freeze", "0") || cg_wait_frozen(0)) {
			printf("# cgroup thaw on %s failed\n", FRZ_CG);
			err = 1;
			break;
		}
		cth[i] = now() - t0;
		usleep(200000);
	}
	job_cmd(g, CKPT_CMD_JOB_DESTROY, 0);
	kill(-root, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	rmdir(FRZ_CG);
	if (err)
		return 1;
	print_rounds("ckpt", fr, th, ROUNDS);
	print_rounds("cgroup", cfr, cth, ROUNDS);
	qsort(fr, ROUNDS, sizeof(double), cmp_double);
	qsort(th, ROUNDS, sizeof(double), cmp_double);
	printf("# bench: freeze_100x4_median %.1f ms\n", fr[ROUNDS / 2] * 1e3);
	printf("# bench: thaw_100x4_median %.1f ms\n", th[ROUNDS / 2] * 1e3);
	return 0;
}

#define DATA_FILE "/tmp/bench-dump-data.bin"

/* One kernel dump of the job, timed from CKPT_IOC_DUMP to the END record. */
struct dump_run {
	size_t stream;		/* bytes read from the dump fd */
	off_t data;		/* bytes the module wrote into data_fd */
	double secs;
	struct bench_vmstat vm;	/* deltas around the dump */
	int refused;		/* errno of a refused CKPT_IOC_DUMP */
};

/*
 * Freezes the job, dumps it (into @data_fd with CKPT_DUMP_DATA_FD when
 * @data_fd >= 0), reads the stream to its end and discards it, thaws.
 * A CKPT_IOC_DUMP refused with EINVAL for DATA_FD is r->refused, not an
 * error.
 */
static int dump_once(struct gnl *g, int data_fd, char *buf, size_t bufsz,
		     struct dump_run *r)
{
	struct ckpt_dump_args args = { .job_id = JOB_ID };
	struct bench_vmstat before, after;
	struct stat st;
	int dev, fd, err = 0;
	ssize_t n;
	double t0;

	memset(r, 0, sizeof(*r));
	if (data_fd >= 0) {
		args.flags = CKPT_DUMP_DATA_FD;
		args.data_fd = data_fd;
	}
	if (job_cmd(g, CKPT_CMD_JOB_FREEZE, 0))
		return 1;
	dev = open("/dev/ckpt", O_RDWR);
	if (dev < 0) {
		printf("# open /dev/ckpt: %s\n", strerror(errno));
		job_cmd(g, CKPT_CMD_JOB_THAW, 0);
		return 1;
	}
	bench_vmstat_read(&before);
	t0 = now();
	fd = ioctl(dev, CKPT_IOC_DUMP, &args);
	if (fd < 0) {
		if (data_fd >= 0 && errno == EINVAL) {
			r->refused = errno;
		} else {
			printf("# CKPT_IOC_DUMP%s: %s\n", data_fd >= 0 ? " (DATA_FD)" : "",
			       strerror(errno));
			err = 1;
		}
		goto out;
	}
	while ((n = read(fd, buf, bufsz)) > 0)
		r->stream += n;
	r->secs = now() - t0;
	bench_vmstat_read(&after);
	bench_vmstat_delta(&r->vm, &before, &after);
	if (n < 0) {
		printf("# read dump%s: %s\n", data_fd >= 0 ? " (DATA_FD)" : "", strerror(errno));
		err = 1;
	}
	close(fd);
	if (data_fd >= 0 && !fstat(data_fd, &st))
		r->data = st.st_size;
out:
	close(dev);
	if (job_cmd(g, CKPT_CMD_JOB_THAW, 0))
		err = 1;
	return err;
}

static void print_dump_results(const char *tool, const struct dump_run *r)
{
	printf("# result: kdump_256m %s total_ms %.1f\n", tool, r->secs * 1e3);
	printf("# result: kdump_256m %s pgalloc %lld\n", tool, r->vm.pgalloc);
	printf("# result: kdump_256m %s pgfree %lld\n", tool, r->vm.pgfree);
	printf("# result: kdump_256m %s shmem %lld\n", tool, r->vm.shmem);
}

static int bench_dump(struct gnl *g, size_t size)
{
	size_t bufsz = 4 * MIB;
	char *buf = malloc(bufsz), *src, *dst;
	struct dump_run st, df;
	int data_fd, err = 0;
	double t0, copy_s;
	pid_t child;

	child = fork();
	if (child == 0) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		for (size_t i = 0; i < size; i += 4096)
			memset(p + i, (int)(i >> 12), 4096);
		for (;;)
			pause();
	}
	sleep(2 + size / (64 * MIB));
	if (!buf || job_cmd(g, CKPT_CMD_JOB_CREATE, child)) {
		err = 1;
		goto out;
	}
	if (dump_once(g, -1, buf, bufsz, &st)) {
		err = 1;
		goto out;
	}
	data_fd = open(DATA_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (data_fd < 0) {
		printf("# cannot create %s: %s\n", DATA_FILE, strerror(errno));
		err = 1;
		goto out;
	}
	err = dump_once(g, data_fd, buf, bufsz, &df);
	close(data_fd);
	unlink(DATA_FILE);

	src = malloc(size);
	dst = malloc(size);
	if (!src || !dst) {
		printf("# cannot allocate 2 x %zu MiB for memcpy\n", size / MIB);
		err = 1;
		goto out;
	}
	memset(src, 1, size);
	memset(dst, 2, size);
	t0 = now();
	memcpy(dst, src, size);
	copy_s = now() - t0;
	printf("# bench: dump_stream_%zuMiB %.1f MB/s (%zu bytes in %.3f s)\n",
	       size / MIB, st.stream / st.secs / 1e6, st.stream, st.secs);
	print_dump_results("stream", &st);
	if (df.refused)
		printf("# bench: dump_data_fd_%zuMiB n/a (the module refuses CKPT_DUMP_DATA_FD: %s)\n",
		       size / MIB, strerror(df.refused));
	else if (!err && df.data == 0)
		printf("# bench: dump_data_fd_%zuMiB n/a (the module took CKPT_DUMP_DATA_FD but wrote nothing into data_fd: %zu stream bytes)\n",
		       size / MIB, df.stream);
	if (df.refused || (!err && df.data == 0)) {
		printf("# result: kdump_256m data-fd status n/a\n");
	} else if (!err) {
		printf("# bench: dump_data_fd_%zuMiB %.1f MB/s (%lld bytes into a tmpfs file, %zu stream bytes, in %.3f s)\n",
		       size / MIB, df.data / df.secs / 1e6, (long long)df.data, df.stream, df.secs);
		printf("# bench: dump_data_fd_vs_memcpy %.2f\n",
		       (df.data / df.secs) / (size / copy_s));
		print_dump_results("data-fd", &df);
		if ((size_t)df.data < size)
			err = 1;
	}
	printf("# bench: memcpy_%zuMiB %.1f MB/s\n", size / MIB,
	       size / copy_s / 1e6);
	printf("# result: kdump_256m memcpy total_ms %.1f\n", copy_s * 1e3);
	printf("# bench: dump_vs_memcpy %.2f\n", (st.stream / st.secs) / (size / copy_s));
	free(src);
	free(dst);
	if (st.stream < size)
		err = 1;
out:
	job_cmd(g, CKPT_CMD_JOB_DESTROY, 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	free(buf);
	return err;
}

int main(void)
{
	struct gnl g;

	printf("1..2\n");
	if (ckpt_test_load_module() || gnl_open(&g)) {
		printf("not ok 1 load ckpt.ko\nnot ok 2 load ckpt.ko\n");
		return 1;
	}
	printf("%s 1 freeze/thaw 100 x 4\n", bench_freeze(&g) ? "not ok" : "ok");
	printf("%s 2 dump 256 MiB\n", bench_dump(&g, 256 * MIB) ? "not ok" : "ok");
	gnl_close(&g);
	return 0;
}
