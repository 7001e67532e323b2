// SPDX-License-Identifier: GPL-2.0
/*
 * Running ckpt-restore (restorer_run.h): stdout and stderr are captured,
 * the JSON line of a success names the root pid, the text of a failure
 * becomes the error.
 */
#include <errno.h>
#include <fcntl.h>
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

int ckptd_run_restorer(const char *restorer, const char *dir, unsigned int flags,
		       struct ckptd_restored *out, char *why, size_t size)
{
	char *argv[6], msg[2048];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_set;
	size_t len = 0;
	int pfd[2], status, argc = 0, ret;
	pid_t pid;
	ssize_t n;

	argv[argc++] = (char *)restorer;
	argv[argc++] = "--json";
	if (flags & CKPTD_RESTORE_PIDNS)
		argv[argc++] = "--pidns";
	if (flags & CKPTD_RESTORE_OTHER_HOST)
		argv[argc++] = "--other-host";
	argv[argc++] = (char *)dir;
	argv[argc] = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	/* ckptd blocks signals for its signalfd: the restorer must not */
	sigemptyset(&none);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_set);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawnp(&pid, restorer, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (ret) {
		close(pfd[0]);
		snprintf(why, size,
			 "cannot run the restorer '%s': %s; install ckpt-restore or set restorer= in ckptd.conf",
			 restorer, strerror(-ret));
		return ret;
	}
	while ((n = read(pfd[0], msg + len, sizeof(msg) - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			len += n;
	close(pfd[0]);
	msg[len] = 0;
	while (len && msg[len - 1] == '\n')
		msg[--len] = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out->root_pid = json_number(msg, "\"root_host_pid\":");
		out->nr_procs = json_number(msg, "\"processes\":");
		out->pidns = !!strstr(msg, "\"pidns\":true");
		if (out->root_pid <= 0) {
			snprintf(why, size, "the restorer '%s' succeeded but did not name the restored root: %s",
				 restorer, msg);
			return -EPROTO;
		}
		return 0;
	}
	snprintf(why, size, "restore of %s failed: %s %s %d: %s",
		 dir, restorer, WIFEXITED(status) ? "exited with status" : "killed by signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		 len ? msg : "(no message)");
	return -ECANCELED;
}
