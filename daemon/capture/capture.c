// SPDX-License-Identifier: GPL-2.0
/*
 * Capturing one process: its FS record (fs.c), then each fd in ascending order
 * (what it is, which description and object it shares, its per-type state
 * and data), then the interest lists of its epoll fds.  Each fd is looked
 * at through a copy made with pidfd_getfd(), never through the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "capture_int.h"

/* Per process: the fds seen (for epoll entries) and the epoll fds. */
struct proc_state {
	pid_t pid;
	pid_t via;		/* ckptd_capture_task(pid) */
	int32_t img_pid;
	int pidfd;		/* -1: no pidfd reaches via (reopen_fd()) */
	struct cap_seen *seen;
	size_t nr_seen;
	struct cap_epoll *eps;
	size_t nr_eps;
	struct cap_fd f;	/* the fd being captured */
};

int ckptd_capture_new(const struct ckptd_capture_opts *opts,
		      struct ckptd_capture **capp, struct ckpt_err *err)
{
	struct ckptd_capture *cap = calloc(1, sizeof(*cap));

	if (!cap)
		goto nomem;
	cap->diag_fd = -1;
	cap->max_data = CKPTD_CAPTURE_MAX_DATA;
	if (opts) {
		if (opts->unsupported > CKPTD_CAPTURE_DEVNULL) {
			free(cap);
			return ckpt_err_set(err, EINVAL, "capture options: unknown action %d for unsupported fds",
					     (int)opts->unsupported);
		}
		for (size_t i = 0; i < opts->nr_rules; i++) {
			if (opts->rules[i].action != CKPTD_CAPTURE_CLOSE &&
			    opts->rules[i].action != CKPTD_CAPTURE_DEVNULL) {
				free(cap);
				return ckpt_err_set(err, EINVAL, "capture options: the rule for pid %d fd %d must close the fd or redirect it to /dev/null",
						     (int)opts->rules[i].pid,
						     opts->rules[i].fd);
			}
		}
		cap->unsupported = opts->unsupported;
		cap->tcp = !!opts->tcp;
		cap->sndqs = opts->sndqs;
		if (opts->max_data)
			cap->max_data = opts->max_data;
		if (opts->nr_rules) {
			cap->rules = malloc(opts->nr_rules * sizeof(*cap->rules));
			if (!cap->rules)
				goto nomem;
			memcpy(cap->rules, opts->rules,
			       opts->nr_rules * sizeof(*cap->rules));
			cap->nr_rules = opts->nr_rules;
		}
	}
	*capp = cap;
	return 0;
nomem:
	if (cap)
		free(cap);
	return ckpt_err_set(err, ENOMEM, "capture: out of memory");
}

void ckptd_capture_free(struct ckptd_capture *cap)
{
	if (!cap)
		return;
	if (cap->diag_fd >= 0)
		close(cap->diag_fd);
	free(cap->rules);
	free(cap->reps);
	free(cap->objs);
	free(cap->procs);
	free(cap->tfd_ok);
	free(cap->tfd_pending);
	free(cap);
}

static const struct ckptd_capture_rule *find_rule(const struct ckptd_capture *cap,
						  pid_t pid, int fd)
{
	for (size_t i = 0; i < cap->nr_rules; i++)
		if (cap->rules[i].pid == pid && cap->rules[i].fd == fd)
			return &cap->rules[i];
	return NULL;
}

static int nomem(struct ckpt_err *err, pid_t pid)
{
	return ckpt_err_set(err, ENOMEM, "pid %d: out of memory while capturing its files",
			     (int)pid);
}

/* /dev/mem and friends (1), ttys (4, 5 but ptmx, 136-143 pts) */
static bool reopen_chr(dev_t rdev)
{
	unsigned int ma = major(rdev);

	return ma == 1 || ma == 4 || (ma == 5 && minor(rdev) != 2) ||
	       (ma >= 136 && ma <= 143);
}

/*
 * The main thread exited and the kernel has no thread pidfds (before
 * 6.9): our own description of the file through /proc/<via>/fd/<fd> where
 * that is what the capture needs (contents, pipe data, seals, tty), else
 * an O_PATH fd (fstat only).  A socket needs the process's own
 * description: it is left unsupported, with the reason in f->why.
 */
static int reopen_fd(struct cap_fd *f)
{
	int flags = O_PATH;
	struct stat st;
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)f->via, f->fd);
	if (stat(p, &st))
		return -errno;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
	    S_ISFIFO(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && reopen_chr(st.st_rdev)))
		flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
	if (S_ISSOCK(st.st_mode))
		snprintf(f->why, sizeof(f->why),
			 "socket (%.32s) of a process whose main thread exited, on a kernel that cannot copy it from a live thread (Linux 6.9 can)",
			 f->link);
	f->dup = open(p, flags | O_CLOEXEC);
	return f->dup < 0 ? -errno : 0;
}

/* Looks at fd through /proc and a copy of it; fills the common fields. */
static int look_at(struct proc_state *ps, int fd, struct ckpt_err *err)
{
	struct cap_fd *f = &ps->f;
	const char *what;
	char name[32];
	int ret;

	memset(&f->rec, 0, sizeof(f->rec));
	f->pid = ps->pid;
	f->via = ps->via;
	f->img_pid = ps->img_pid;
	f->fd = fd;
	f->peer_ino = 0;
	f->why[0] = '\0';
	what = "readlink";
	snprintf(name, sizeof(name), "fd/%d", fd);
	ret = cap_proc_link(ps->via, name, f->link, sizeof(f->link));
	if (!ret) {
		what = "fdinfo";
		ret = cap_proc_fdinfo(ps->via, fd, &f->info);
	}
	if (ret)
		goto fail;
	if (ps->pidfd >= 0) {
		what = "pidfd_getfd";
		f->dup = syscall(SYS_pidfd_getfd, ps->pidfd, fd, 0);
		ret = f->dup < 0 ? -errno : 0;
	} else {
		what = "opening it through /proc (main thread exited)";
		ret = reopen_fd(f);
	}
	if (ret) {
		f->dup = -1;
		cap_fdinfo_free(&f->info);
		goto fail;
	}
	if (fstat(f->dup, &f->st)) {
		what = "fstat";
		ret = -errno;
		close(f->dup);
		f->dup = -1;
		cap_fdinfo_free(&f->info);
		goto fail;
	}
	f->rec.pid = ps->img_pid;
	f->rec.fd = fd;
	f->rec.fd_flags = f->info.flags & O_CLOEXEC ? FD_CLOEXEC : 0;
	f->rec.flags = f->info.flags & ~O_CLOEXEC;
	f->rec.pos = f->info.pos;
	f->rec.dev = f->st.st_dev;
	f->rec.ino = f->st.st_ino;
	f->rec.size = f->st.st_size;
	f->rec.mtime_sec = f->st.st_mtim.tv_sec;
	f->rec.mtime_nsec = f->st.st_mtim.tv_nsec;
	f->rec.mode = f->st.st_mode;
	f->rec.rdev = f->st.st_rdev;
	return 0;
fail:
	return ckpt_err_set(err, ret, "pid %d fd %d: %s: %s%s", (int)ps->pid, fd, what,
		      strerror(-ret), ret == -EBADF || ret == -ENOENT ?
		      " (the fd went away: is the job frozen?)" : "");
}

/* The fd becomes CLOSED or DEVNULL, keeping its description and flags. */
static void apply_action(struct cap_fd *f, enum ckptd_capture_action a)
{
	f->rec.type = a == CKPTD_CAPTURE_CLOSE ? CKPT_FD_CLOSED : CKPT_FD_DEVNULL;
	f->rec.obj_id = 0;
	f->rec.pos = 0;
	memset(&f->rec.u, 0, sizeof(f->rec.u));
	snprintf(f->path, sizeof(f->path), "%s", f->link);
}

/* Type-specific state; the object's data goes after its first FD record. */
static int fill_type(struct ckptd_capture *cap, struct cap_fd *f,
		     struct cap_key **data_obj, struct ckpt_err *err)
{
	struct cap_key *k = NULL;
	int v;

	*data_obj = NULL;
	switch (f->rec.type) {
	case CKPT_FD_PIPE:
	case CKPT_FD_FIFO:
		v = fcntl(f->dup, F_GETPIPE_SZ);
		if (v < 0)
			goto sys;
		f->rec.u.pipe.size = v;
		/* fall through */
	case CKPT_FD_MEMFD:
	case CKPT_FD_DELETED:
	case CKPT_FD_UNIX:
		k = cap_obj(cap, f->st.st_dev, f->st.st_ino);
		if (!k)
			return nomem(err, f->pid);
		f->rec.obj_id = k->id;
		break;
	case CKPT_FD_EVENTFD:
		f->rec.u.eventfd.count = f->info.efd_count;
		f->rec.u.eventfd.flags = f->info.efd_semaphore > 0 ?
					 CKPT_EFD_SEMAPHORE : 0;
		break;
	}
	if (f->rec.type == CKPT_FD_MEMFD) {
		v = fcntl(f->dup, F_GET_SEALS);
		if (v < 0)
			goto sys;
		f->rec.u.memfd.seals = v;
	}
	if (f->rec.type == CKPT_FD_UNIX) {
		struct cap_key *peer = cap_obj(cap, f->st.st_dev, f->peer_ino);

		if (!peer)
			return nomem(err, f->pid);
		/* cap_obj() may have moved k */
		k = cap_obj(cap, f->st.st_dev, f->st.st_ino);
		f->rec.u.sock.peer_id = peer->id;
	}
	if (k && !(k->flags & CAP_OBJ_DATA)) {
		k->flags |= CAP_OBJ_DATA;
		*data_obj = k;
	}
	return 0;
sys:
	v = -errno;
	return ckpt_err_set(err, v, "pid %d fd %d (%s): %s", (int)f->pid, f->fd, f->link,
		      strerror(errno));
}

static int add_data(struct ckptd_capture *cap, struct cap_fd *f,
		    struct ckptd_recbuf *out, struct ckpt_err *err)
{
	switch (f->rec.type) {
	case CKPT_FD_PIPE:
	case CKPT_FD_FIFO:
		return cap_pipe_data(cap, f, out, err);
	case CKPT_FD_UNIX:
		return cap_sock_data(cap, f, out, err);
	default:
		return cap_file_contents(cap, f, out, err);
	}
}

static int remember(struct proc_state *ps, struct ckptd_capture *cap,
		    struct ckpt_err *err)
{
	struct cap_fd *f = &ps->f;
	struct cap_seen *s;

	s = realloc(ps->seen, (ps->nr_seen + 1) * sizeof(*s));
	if (!s)
		return nomem(err, ps->pid);
	ps->seen = s;
	ps->seen[ps->nr_seen++] = (struct cap_seen){
		.fd = f->fd, .type = f->rec.type, .dev = f->st.st_dev,
		.ino = f->st.st_ino,
	};
	/* a socket of the job, whatever becomes of it: its peer is inside */
	if (S_ISSOCK(f->st.st_mode)) {
		struct cap_key *k = cap_obj(cap, f->st.st_dev, f->st.st_ino);

		if (!k)
			return nomem(err, ps->pid);
		k->flags |= CAP_OBJ_SOCK;
	}
	if (f->rec.type == CKPT_FD_EPOLL) {
		struct cap_epoll *e = realloc(ps->eps, (ps->nr_eps + 1) * sizeof(*e));

		if (!e)
			return nomem(err, ps->pid);
		ps->eps = e;
		ps->eps[ps->nr_eps++] = (struct cap_epoll){
			.fd = f->fd, .ofd_id = f->rec.ofd_id,
			.tfds = f->info.tfds, .nr_tfds = f->info.nr_tfds,
		};
		f->info.tfds = NULL;	/* now owned by ps->eps */
		f->info.nr_tfds = 0;
	}
	return 0;
}

static int capture_fd(struct ckptd_capture *cap, struct proc_state *ps, int fd,
		      struct ckptd_recbuf *out, struct ckpt_err *err)
{
	const struct ckptd_capture_rule *rule = find_rule(cap, ps->pid, fd);
	struct cap_fd *f = &ps->f;
	struct cap_key *data_obj = NULL;
	uint64_t ofd_id;
	bool is_new;
	int ret;

	ret = look_at(ps, fd, err);
	if (ret)
		return ret;
	ret = cap_ofd_id(cap, ps->via, fd, &ofd_id, &is_new, err);
	if (ret)
		goto out;
	f->rec.ofd_id = ofd_id;
	if (rule) {
		apply_action(f, rule->action);
	} else {
		ret = f->why[0] ? -EOPNOTSUPP : cap_classify(cap, f, err);
		if (ret == -EOPNOTSUPP) {
			if (cap->unsupported == CKPTD_CAPTURE_FAIL) {
				ckpt_err_set(err, EOPNOTSUPP, "pid %d fd %d: %s is not supported; close it in the application, or capture with the option to treat it as closed or as /dev/null",
					      (int)ps->pid, fd, f->why);
				goto out;
			}
			apply_action(f, cap->unsupported);
			ret = 0;
		} else if (ret) {
			goto out;
		} else {
			ret = fill_type(cap, f, &data_obj, err);
			if (ret)
				goto out;
		}
	}
	f->rec.path_len = f->path[0] || f->rec.type == CKPT_FD_MEMFD ?
			  strlen(f->path) + 1 : 0;
	ret = cap_rec_add(out, CKPT_REC_FD, &f->rec, sizeof(f->rec), f->path,
			  f->rec.path_len);
	if (ret) {
		nomem(err, ps->pid);
		goto out;
	}
	if (data_obj)
		ret = add_data(cap, f, out, err);
	if (!ret && f->rec.type == CKPT_FD_TCP && is_new)
		ret = cap_tcp_record(cap, f, out, err);
	if (!ret)
		ret = remember(ps, cap, err);
out:
	cap_fdinfo_free(&f->info);
	close(f->dup);
	f->dup = -1;
	return ret;
}

static int add_proc(struct ckptd_capture *cap, pid_t pid, int32_t img_pid,
		    struct ckpt_err *err)
{
	if (cap->nr_procs == cap->cap_procs) {
		size_t n = cap->cap_procs ? 2 * cap->cap_procs : 16;
		struct cap_proc *v = realloc(cap->procs, n * sizeof(*v));

		if (!v)
			return nomem(err, pid);
		cap->procs = v;
		cap->cap_procs = n;
	}
	cap->procs[cap->nr_procs++] = (struct cap_proc){ pid, img_pid };
	return 0;
}

int ckptd_capture_files(struct ckptd_capture *cap, pid_t pid, int32_t img_pid,
			struct ckptd_recbuf *out, struct ckpt_err *err)
{
	struct proc_state *ps;
	size_t saved = out->len, nr_fds = 0;
	int *fds = NULL, ret;

	if (cap->failed)
		return ckpt_err_set(err, EINVAL, "pid %d: an earlier capture of this job failed; start a new one",
				     (int)pid);
	if (pid <= 0 || img_pid <= 0)
		return ckpt_err_set(err, EINVAL, "capture: invalid pid %d (%d in the job)",
				     (int)pid, (int)img_pid);
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return nomem(err, pid);
	ps->pid = pid;
	ps->via = ckptd_capture_task(pid);
	ps->img_pid = img_pid;
	ps->f.dup = -1;
	ps->pidfd = ckpt_pidfd_open(pid, ps->via);
	if (ps->pidfd == -EINVAL && ps->via != pid) {
		ps->pidfd = -1;		/* no thread pidfds: reopen_fd() */
	} else if (ps->pidfd < 0) {
		ret = ps->pidfd;
		ckpt_err_set(err, ret, "pid %d: pidfd_open of %s %d: %s", (int)pid,
			      ps->via == pid ? "the process" : "its live thread",
			      (int)ps->via, strerror(-ret));
		goto out;
	}
	ret = add_proc(cap, pid, img_pid, err);
	if (!ret)
		ret = cap_fs_record(pid, ps->via, img_pid, out, err);
	if (!ret) {
		ret = cap_proc_fds(ps->via, &fds, &nr_fds);
		if (ret)
			ckpt_err_set(err, ret, "pid %d: listing /proc/%d/fd: %s",
				      (int)pid, (int)ps->via, strerror(-ret));
	}
	for (size_t i = 0; !ret && i < nr_fds; i++)
		ret = capture_fd(cap, ps, fds[i], out, err);
	for (size_t i = 0; !ret && i < ps->nr_eps; i++)
		ret = cap_epoll_tfds(cap, pid, img_pid, &ps->eps[i], ps->seen,
				     ps->nr_seen, out, err);
out:
	if (ps->pidfd >= 0)
		close(ps->pidfd);
	for (size_t i = 0; i < ps->nr_eps; i++)
		free(ps->eps[i].tfds);
	free(ps->eps);
	free(ps->seen);
	free(ps);
	free(fds);
	if (ret) {
		out->len = saved;
		cap->failed = true;
	}
	return ret;
}
