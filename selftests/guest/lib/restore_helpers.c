// SPDX-License-Identifier: GPL-2.0
/* Checkpoint/restore round trips for the guest tests (restore_helpers.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "capture.h"
#include "image.h"
#include "restore_helpers.h"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int rh_init(struct rh *h, uint32_t job)
{
	char path[700];
	int ret;

	memset(h, 0, sizeof(*h));
	h->dev = -1;
	h->job = job;
	snprintf(h->dir, sizeof(h->dir), "/tmp/rt-%u", job);
	snprintf(h->store, sizeof(h->store), "/tmp/rt-store-%u", job);
	snprintf(path, sizeof(path), "rm -rf %s %s; mkdir -p %s %s/%u", h->dir,
		 h->store, h->dir, h->store, job);
	if (system(path) || ckpt_test_load_module())
		return -EIO;
	/* orphans of the workload and of restores come to us to be reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ret = gnl_open(&h->g);
	if (ret)
		return ret;
	h->dev = dh_dev_open();
	return h->dev < 0 ? h->dev : 0;
}

void rh_fini(struct rh *h)
{
	struct gnl_reply *r = malloc(sizeof(*r));

	if (h->pid > 0)
		kill(h->pid, SIGKILL);
	if (r)
		gnl_job_simple(&h->g, CKPT_CMD_JOB_DESTROY, h->job, r);
	free(r);
	gnl_close(&h->g);
	if (h->dev >= 0)
		close(h->dev);
}

static int wait_file(const char *path, unsigned int timeout_ms)
{
	for (unsigned int t = 0; t < timeout_ms; t += 20) {
		if (!access(path, F_OK))
			return 0;
		sleep_ms(20);
	}
	return -ETIMEDOUT;
}

int rh_start(struct rh *h, const char *mode, const char *arg)
{
	char ready[200];
	int keep[] = { 1, 2 };
	pid_t pid;

	snprintf(ready, sizeof(ready), "%s/ready", h->dir);
	pid = dh_fork(keep, 2);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		setsid();
		execlp("ckpt_rt_prog", "ckpt_rt_prog", mode, h->dir, arg,
		       (char *)NULL);
		_exit(127);
	}
	h->pid = pid;
	return wait_file(ready, 60000);
}

/* The state letter of /proc/<pid>/stat, 0 if the process is gone. */
static char proc_state(pid_t pid)
{
	char path[64], st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%*d (%*[^)]) %c", &st) != 1)
		st = 0;
	fclose(f);
	return st;
}

/* Open files of every member, as ckptd captures them (frozen job). */
static int capture_files(struct rh *h, struct gnl_reply *r,
			 struct ckptd_recbuf *rb)
{
	struct ckptd_capture_opts opts = { .unsupported = CKPTD_CAPTURE_FAIL };
	struct ckpt_err err = { 0 };
	struct ckptd_capture *cap;
	struct gnl_task t[64];
	int n, ret;

	ret = gnl_job_simple(&h->g, CKPT_CMD_JOB_GET, h->job, r);
	n = ret ? ret : gnl_job_tasks(r, t, 64);
	if (n < 0)
		return n;
	ret = ckptd_capture_new(&opts, &cap, &err);
	for (int i = 0; i < n && i < 64 && !ret; i++) {
		/* a main thread that exited: the process lives in its threads */
		char st = proc_state(ckptd_capture_task((pid_t)t[i].pid));

		if (st == 'Z' || !st)
			continue;
		ret = ckptd_capture_files(cap, (pid_t)t[i].pid,
					  (int32_t)t[i].pid, rb, &err);
	}
	if (!ret)
		ret = ckptd_capture_finish(cap, rb, &err);
	if (ret)
		fprintf(stderr, "# capture: %s\n", err.msg);
	ckptd_capture_free(cap);
	return ret;
}

int rh_checkpoint(struct rh *h, int incremental, uint64_t *seq)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckptd_image_write_opts o = { 0 };
	struct gnl_reply *r = malloc(sizeof(*r));
	struct ckpt_dump_args a = { .job_id = h->job,
		.flags = incremental ? CKPT_DUMP_INCREMENTAL : 0 };
	char tmp[200], dir[300];
	struct ckpt_err err = { 0 };
	struct ckptd_image *img;
	int fd, ret;

	if (!r)
		return -ENOMEM;
	ret = gnl_job_create(&h->g, h->job, CKPT_JOB_TREE, (uint32_t)h->pid,
			     NULL, r);
	if (ret && ret != -EEXIST)
		goto out;
	ret = gnl_job_freeze(&h->g, h->job, 0, r);
	if (ret && ret != -EALREADY)
		goto out;
	ret = capture_files(h, r, &rb);
	if (ret)
		goto out;
	o.extra_records = rb.buf;
	o.extra_len = rb.len;
	fd = ioctl(h->dev, CKPT_IOC_DUMP, &a);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* the seq is in the stream: write to a temporary name, then rename */
	snprintf(tmp, sizeof(tmp), "%s/%u/writing", h->store, h->job);
	ret = ckptd_image_write(tmp, fd, &o, NULL, &err);
	if (ret) {
		fprintf(stderr, "# image write: %s\n", err.msg);
		close(fd);
		goto out;
	}
	ret = ckptd_image_open(tmp, &img, &err);
	if (ret) {
		close(fd);
		goto out;
	}
	*seq = img->man.seq;
	ckptd_image_close(img);
	snprintf(dir, sizeof(dir), "%s/%u/%llu", h->store, h->job,
		 (unsigned long long)*seq);
	ret = rename(tmp, dir) ? -errno : 0;
	if (!ret && ioctl(fd, CKPT_IOC_DUMP_COMMIT))
		ret = -errno;
	close(fd);
out:
	ckptd_recbuf_free(&rb);
	free(r);
	return ret;
}

int rh_thaw(struct rh *h)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	int ret = r ? gnl_job_simple(&h->g, CKPT_CMD_JOB_THAW, h->job, r) : -ENOMEM;

	free(r);
	return ret;
}

/* Reaps whatever died among our children and adopted orphans. */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
}

int rh_kill(struct rh *h)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	struct gnl_task t[64];
	int n, ret = 0;

	if (!r)
		return -ENOMEM;
	ret = gnl_job_simple(&h->g, CKPT_CMD_JOB_GET, h->job, r);
	n = ret ? 0 : gnl_job_tasks(r, t, 64);
	if (n < 0)
		ret = n;
	for (int i = 0; i < n && i < 64; i++)
		kill((pid_t)t[i].pid, SIGKILL);
	kill(h->pid, SIGKILL);
	/* every pid free again: zombies reaped (we are their subreaper) */
	for (int w = 0; w < 1000; w++) {
		int left = 0;

		reap();
		for (int i = 0; i < n && i < 64; i++)
			left += rh_alive((pid_t)t[i].pid);
		left += rh_alive(h->pid);
		if (!left)
			break;
		sleep_ms(10);
	}
	free(r);
	return ret;
}

const char *rh_image(struct rh *h, uint64_t seq)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%u/%llu", h->store, h->job,
		 (unsigned long long)seq);
	return buf;
}

int rh_restore(struct rh *h, uint64_t seq, const char *opts)
{
	char cmd[900], errf[200];
	FILE *f;
	int st;

	snprintf(errf, sizeof(errf), "%s/restore.err", h->dir);
	snprintf(cmd, sizeof(cmd), "CKPT_RESTORE_DEBUG=1 ckpt-restore %s %s >%s/restore.out 2>%s",
		 opts ? opts : "", rh_image(h, seq), h->dir, errf);
	st = system(cmd);
	h->err[0] = '\0';
	f = fopen(errf, "r");
	if (f) {
		size_t n = fread(h->err, 1, sizeof(h->err) - 1, f);

		h->err[n] = '\0';
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int rh_verdict(struct rh *h, char *msg, size_t len)
{
	char path[200];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/result", h->dir);
	if (kill(h->pid, SIGUSR1))
		return -errno;
	ret = wait_file(path, 120000);
	if (ret)
		return ret;
	sleep_ms(50);	/* the line is written in one write() */
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(msg, (int)len, f))
		msg[0] = '\0';
	fclose(f);
	msg[strcspn(msg, "\n")] = '\0';
	h->pid = 0;	/* it exits by itself now */
	return strncmp(msg, "PASS", 4) ? -EBADMSG : 0;
}

void rh_print_err(const struct rh *h)
{
	const char *p = h->err;

	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("# ckpt-restore: %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fflush(stdout);
}

int rh_step(struct rh *h, int n)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/step-%d", h->dir, n);
	if (kill(h->pid, SIGUSR2))
		return -errno;
	return wait_file(path, 60000);
}

int rh_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

pid_t rh_json_root_host_pid(const struct rh *h)
{
	char path[200], buf[1024];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/restore.out", h->dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "\"root_host_pid\":");
	return p ? (pid_t)atoi(p + strlen("\"root_host_pid\":")) : -1;
}

int rh_running(pid_t pid)
{
	char st;

	/* what we adopted and what died is reaped first */
	for (int i = 0; i < 100; i++) {
		reap();
		if (!rh_alive(pid))
			return 0;
		sleep_ms(10);
	}
	st = proc_state(pid);
	return st && st != 'Z' && st != 'X';
}
