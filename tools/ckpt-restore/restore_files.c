// SPDX-License-Identifier: GPL-2.0
/*
 * The file restore library's entry points in the controller: prepare (parse,
 * verify, make every description into the pool) and cleanup; and the
 * helpers its files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "restore_files_int.h"

int rst_err(struct rst_files_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

const char *rst_type_name(uint32_t type)
{
	static const char *const names[] = {
		[CKPT_FD_REG] = "regular file",
		[CKPT_FD_DELETED] = "deleted file",
		[CKPT_FD_DIR] = "directory",
		[CKPT_FD_PIPE] = "pipe",
		[CKPT_FD_FIFO] = "FIFO",
		[CKPT_FD_CHR] = "character device",
		[CKPT_FD_TTY] = "terminal",
		[CKPT_FD_EVENTFD] = "eventfd",
		[CKPT_FD_EPOLL] = "epoll",
		[CKPT_FD_UNIX] = "unix socket",
		[CKPT_FD_MEMFD] = "memfd",
		[CKPT_FD_DEVNULL] = "/dev/null in place of",
		[CKPT_FD_CLOSED] = "closed",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *rst_fd_desc(const struct rst_fd *f, char *buf, size_t size)
{
	snprintf(buf, size, "pid %d fd %d (%s%s%s)", f->r.pid, f->r.fd,
		 rst_type_name(f->r.type), f->path[0] ? " " : "", f->path);
	return buf;
}

int rst_to_pool(struct rst_files *rf, int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, rf->base);
	int ret = n < 0 ? -errno : n;

	close(fd);
	return ret;
}

const struct rst_proc *rst_find_proc(const struct rst_files *rf, int32_t pid)
{
	size_t lo = 0, hi = rf->nr_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rf->procs[mid].pid == pid)
			return &rf->procs[mid];
		if (pid < rf->procs[mid].pid)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int rst_set_flags(const struct rst_ofd *o, int fd, struct rst_files_err *err)
{
	int cur = fcntl(fd, F_GETFL), want;
	char d[320];

	if (cur < 0)
		goto fail;
	want = (cur & ~RST_SETFL_FLAGS) | (o->first->r.flags & RST_SETFL_FLAGS);
	if (want != cur && fcntl(fd, F_SETFL, want))
		goto fail;
	return 0;
fail:
	return rst_err(err, -errno, "%s: setting its status flags %#o: %s",
		       rst_fd_desc(o->first, d, sizeof(d)),
		       o->first->r.flags, strerror(errno));
}

int rst_files_pool_fd(const struct rst_files *rf, int32_t pid, int fd)
{
	const struct rst_proc *p = rf ? rst_find_proc(rf, pid) : NULL;

	for (size_t i = 0; p && i < p->nr_fds; i++) {
		const struct rst_fd *f = &rf->fds[p->fd0 + i];

		if (f->r.fd == fd)
			return f->ofd == RST_NONE ? -1 : rf->ofds[f->ofd].pool;
	}
	return -1;
}

void rst_files_cleanup(struct rst_files *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < rf->nr_ofds; i++)
		if (rf->ofds[i].pool >= 0)
			close(rf->ofds[i].pool);
	for (size_t i = 0; i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i];

		if (b->holder >= 0)
			close(b->holder);
		if (b->ends[0] >= 0)
			close(b->ends[0]);
		if (b->ends[1] >= 0)
			close(b->ends[1]);
		free(b->data);
	}
	free(rf->objs);
	free(rf->ofds);
	free(rf->fds);
	free(rf->procs);
	free(rf->tfds);
	free(rf->strings);
	free(rf);
}

int rst_files_prepare(const void *records, size_t len,
		      const struct rst_files_opts *opts, struct rst_files **rfp,
		      struct rst_files_err *err)
{
	struct rst_files *rf;
	struct rlimit rl = { 0 };
	int ret;

	*rfp = NULL;
	if (!opts || opts->base_fd < 3 || (opts->flags & ~RST_FILES_FLAGS))
		return rst_err(err, -EINVAL, "file restore: base_fd must be at least 3 and flags known (got base %d, flags %#x)",
			       opts ? opts->base_fd : -1, opts ? opts->flags : 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur <= (rlim_t)opts->base_fd)
		return rst_err(err, -EINVAL, "file restore: base_fd %d is not below RLIMIT_NOFILE (%llu); raise the limit",
			       opts->base_fd, (unsigned long long)rl.rlim_cur);
	rf = calloc(1, sizeof(*rf));
	if (!rf)
		return rst_err(err, -ENOMEM, "file restore: out of memory");
	rf->base = opts->base_fd;
	rf->flags = opts->flags;
	rf->tmp_dir = opts->tmp_dir ? opts->tmp_dir : "/tmp";
	rf->records = records;
	rf->records_len = len;
	ret = rst_parse(rf, records, len, err);
	if (!ret)
		ret = rst_check_fs(rf, err);
	if (!ret)
		ret = rst_open_paths(rf, err);
	if (!ret)
		ret = rst_make_objects(rf, err);
	rf->records = NULL;
	rf->records_len = 0;
	/* the data lives in the caller's buffer: not needed any more */
	for (size_t i = 0; i < rf->nr_objs; i++) {
		free(rf->objs[i].data);
		rf->objs[i].data = NULL;
		rf->objs[i].nr_data = 0;
	}
	if (ret) {
		rst_files_cleanup(rf);
		return ret;
	}
	*rfp = rf;
	return 0;
}
