// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-restore --hold for cluster restores (cluster.h): every host
 * brings its part of the job up to the point where only "go" remains,
 * the coordinator waits for all of them, then every host says go; a host
 * that cannot get there makes every other one call its restore off.
 */
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

#include "cluster/cluster.h"

extern char **environ;

/* Reads what the restorer printed until "held" or the end. */
static int read_until_held(struct ckptd_held_restore *h, unsigned int timeout_ms)
{
	while (h->len < sizeof(h->msg) - 1) {
		struct pollfd p = { .fd = h->out_fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, (int)timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -ETIMEDOUT;
		n = read(h->out_fd, h->msg + h->len, sizeof(h->msg) - 1 - h->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		h->len += n;
		h->msg[h->len] = '\0';
		if (!strncmp(h->msg, "held\n", 5) || strstr(h->msg, "\nheld\n"))
			return 0;
	}
	return -EPROTO;
}

static long json_number(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int ckptd_restorer_hold_start(const char *restorer, const char *dir, unsigned int timeout_ms,
			      struct ckptd_held_restore *h, char *why, size_t size)
{
	char *argv[] = { (char *)restorer, "--json", "--hold", (char *)dir, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_set;
	int in[2], out[2], ret;

	memset(h, 0, sizeof(*h));
	h->in_fd = h->out_fd = -1;
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	sigemptyset(&none);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_set);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawnp(&h->pid, restorer, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	h->in_fd = in[1];
	h->out_fd = out[0];
	if (ret) {
		snprintf(why, size, "cannot run the restorer '%s': %s; install ckpt-restore or set restorer= in ckptd.conf",
			 restorer, strerror(-ret));
		close(h->in_fd);
		close(h->out_fd);
		h->pid = 0;
		return ret;
	}
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	ret = read_until_held(h, timeout_ms);
	if (ret) {
		struct ckptd_restored dummy;
		char tmp[2048];

		ckptd_restorer_hold_finish(h, 0, &dummy, tmp, sizeof(tmp));
		snprintf(why, size, "%s", ret == -ETIMEDOUT ? "the restorer did not get ready in time" : tmp);
		return ret == -ETIMEDOUT ? ret : -ECANCELED;
	}
	h->held = 1;
	return 0;
}

int ckptd_restorer_hold_finish(struct ckptd_held_restore *h, int go,
			       struct ckptd_restored *out, char *why, size_t size)
{
	const char *res;
	int status;
	ssize_t n;

	if (!h->pid)
		return -ECHILD;
	if (go && write(h->in_fd, "go\n", 3) != 3)
		go = 0;
	close(h->in_fd);	/* no "go": the restorer calls the restore off */
	while (h->len < sizeof(h->msg) - 1 &&
	       ((n = read(h->out_fd, h->msg + h->len, sizeof(h->msg) - 1 - h->len)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			h->len += n;
	h->msg[h->len] = '\0';
	close(h->out_fd);
	while (h->len && h->msg[h->len - 1] == '\n')
		h->msg[--h->len] = '\0';
	while (waitpid(h->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	h->pid = 0;
	res = strstr(h->msg, "{\"restored\"");
	if (go && WIFEXITED(status) && !WEXITSTATUS(status) && res) {
		out->root_pid = json_number(res, "\"root_host_pid\":");
		out->nr_procs = json_number(res, "\"processes\":");
		out->pidns = !!strstr(res, "\"pidns\":true");
		if (out->root_pid > 0)
			return 0;
	}
	snprintf(why, size, "restore of %s %s: %s", h->dir,
		 go ? "failed" : "called off", h->len ? h->msg : "(no message)");
	return go ? -ECANCELED : -EINTR;
}
