// SPDX-License-Identifier: GPL-2.0
/* Running ckpt-restore, held or not, and reading what it reports (restorer.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture.h"
#include "proc_stat.h"
#include "ops/restorer.h"

extern char **environ;

static long json_number(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int ckptd_pid_running(pid_t pid)
{
	char st;

	if (pid <= 0 || kill(pid, 0))
		return -ESRCH;
	/* a zombie leader whose threads run is a running process */
	st = ckpt_proc_state(ckptd_capture_task(pid), 0);
	return st && st != 'Z' && st != 'X' ? 0 : -ESRCH;
}

/* The restorer with stdin @in (or /dev/null), stdout and stderr @out. */
static int spawn(const char *restorer, char *const argv[], int in, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_set;
	int ret;

	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	/* ckptd blocks signals for its signalfd: the restorer must not */
	sigemptyset(&none);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_set);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawnp(pid, restorer, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/* Reads what the restorer printed until "held" or the end. */
static int read_until_held(struct ckptd_restorer *r, unsigned int timeout_ms)
{
	while (r->len < sizeof(r->msg) - 1) {
		struct pollfd p = { .fd = r->out_fd, .events = POLLIN };
		ssize_t n;
		int ret = poll(&p, 1, (int)timeout_ms);

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return ret ? -errno : -ETIMEDOUT;
		n = read(r->out_fd, r->msg + r->len, sizeof(r->msg) - 1 - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		r->len += n;
		r->msg[r->len] = '\0';
		if (!strncmp(r->msg, "held\n", 5) || strstr(r->msg, "\nheld\n"))
			return 0;
	}
	return -EPROTO;
}

int ckptd_restorer_start(const char *restorer, const char *dir, unsigned int flags,
			 unsigned int timeout_ms, struct ckptd_restorer *r,
			 struct ckpt_err *err)
{
	char *argv[8];
	int in[2] = { -1, -1 }, out[2], argc = 0, ret;
	struct ckptd_restored none;
	struct ckpt_err ferr;

	memset(r, 0, sizeof(*r));
	r->in_fd = r->out_fd = -1;
	argv[argc++] = (char *)restorer;
	argv[argc++] = "--json";
	if (flags & CKPTD_RESTORE_PIDNS)
		argv[argc++] = "--pidns";
	if (flags & CKPTD_RESTORE_OTHER_HOST)
		argv[argc++] = "--other-host";
	if (flags & CKPTD_RESTORE_HOLD)
		argv[argc++] = "--hold";
	argv[argc++] = (char *)dir;
	argv[argc] = NULL;
	if (pipe2(out, O_CLOEXEC))
		return ckpt_err_sys(err, "restore of %s: pipe", dir);
	if ((flags & CKPTD_RESTORE_HOLD) && pipe2(in, O_CLOEXEC)) {
		ret = ckpt_err_sys(err, "restore of %s: pipe", dir);
		close(out[0]);
		close(out[1]);
		return ret;
	}
	ret = spawn(restorer, argv, in[0], out[1], &r->pid);
	close(out[1]);
	if (in[0] >= 0)
		close(in[0]);
	r->in_fd = in[1];
	r->out_fd = out[0];
	if (ret) {
		if (r->in_fd >= 0)
			close(r->in_fd);
		close(r->out_fd);
		r->pid = 0;
		return ckpt_err_set(err, ret, "cannot run the restorer '%s': %s; install ckpt-restore or set restorer= in ckptd.conf",
				    restorer, strerror(-ret));
	}
	r->name = restorer;
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	if (!(flags & CKPTD_RESTORE_HOLD))
		return 0;
	ret = read_until_held(r, timeout_ms);
	if (!ret) {
		r->held = 1;
		return 0;
	}
	ckptd_restorer_finish(r, 0, &none, &ferr);
	if (ret == -ETIMEDOUT)
		return ckpt_err_set(err, ETIMEDOUT, "the restorer did not get ready in time");
	return ckpt_err_set(err, ECANCELED, "%s", ferr.msg);
}

int ckptd_restorer_finish(struct ckptd_restorer *r, int go, struct ckptd_restored *out,
			  struct ckpt_err *err)
{
	const char *res;
	int status;
	ssize_t n;

	if (!r->pid)
		return ckpt_err_set(err, ECHILD, "restore of %s: the restorer is not running", r->dir);
	if (r->in_fd >= 0) {
		if (go && write(r->in_fd, "go\n", 3) != 3)
			go = 0;
		close(r->in_fd);	/* no "go": the restorer calls the restore off */
		r->in_fd = -1;
	}
	while (r->len < sizeof(r->msg) - 1 &&
	       ((n = read(r->out_fd, r->msg + r->len, sizeof(r->msg) - 1 - r->len)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			r->len += n;
	r->msg[r->len] = '\0';
	close(r->out_fd);
	r->out_fd = -1;
	while (r->len && r->msg[r->len - 1] == '\n')
		r->msg[--r->len] = '\0';
	while (waitpid(r->pid, &status, 0) < 0)
		if (errno != EINTR)
			return ckpt_err_sys(err, "restore of %s: waiting for the restorer", r->dir);
	r->pid = 0;
	if (!go)
		return ckpt_err_set(err, EINTR, "restore of %s called off: %s", r->dir,
				    r->len ? r->msg : "(no message)");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		res = strstr(r->msg, "{\"restored\"") ?: r->msg;
		out->root_pid = json_number(res, "\"root_host_pid\":");
		out->nr_procs = json_number(res, "\"processes\":");
		out->pidns = !!strstr(res, "\"pidns\":true");
		if (out->root_pid > 0)
			return 0;
		return ckpt_err_set(err, EPROTO, "the restorer '%s' succeeded but did not name the restored root of %s: %s",
				    r->name, r->dir, r->msg);
	}
	return ckpt_err_set(err, ECANCELED, "restore of %s failed: %s %s %d: %s",
			    r->dir, r->name, WIFEXITED(status) ? "exited with status" : "killed by signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			    r->len ? r->msg : "(no message)");
}

int ckptd_run_restorer(const char *restorer, const char *dir, unsigned int flags,
		       struct ckptd_restored *out, struct ckpt_err *err)
{
	struct ckptd_restorer *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return ckpt_err_set(err, ENOMEM, "restore of %s: out of memory", dir);
	ret = ckptd_restorer_start(restorer, dir, flags & ~CKPTD_RESTORE_HOLD, 0, r, err);
	if (!ret)
		ret = ckptd_restorer_finish(r, 1, out, err);
	free(r);
	return ret;
}
