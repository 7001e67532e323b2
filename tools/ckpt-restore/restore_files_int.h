/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the file restore library (tools/ckpt-restore/restore_files*.c). */
#ifndef RST_FILES_INT_H
#define RST_FILES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ckpt.h>

#include "files_format.h"
#include "restore_files.h"

#define RST_NONE	((size_t)-1)

/* One FD record. */
struct rst_fd {
	struct ckpt_rec_fd r;	/* path_len as recorded, path[] not here */
	const char *path;	/* "" when none */
	size_t ofd;		/* index in rf->ofds; RST_NONE for CLOSED */
};

/* One open file description to make: the pool fd every fd of it gets. */
struct rst_ofd {
	const struct rst_fd *first;	/* the first record naming it */
	size_t obj;		/* index in rf->objs, RST_NONE */
	int pool;		/* -1 until made */
};

/* An object reached through one or more descriptions, or holding data. */
struct rst_obj {
	uint64_t id;
	const struct rst_fd *first;
	const struct ckpt_rec_file_data **data;	/* in record order */
	size_t nr_data;
	uint64_t data_len;	/* bytes in data */
	size_t peer;		/* UNIX: the other end's object, RST_NONE */
	int holder;		/* while preparing: the object itself */
	int ends[2];		/* PIPE: read and write ends; UNIX: pair */
	unsigned int given;	/* PIPE: ends given to a description, 1 << end */
	bool made;		/* UNIX: the pair exists */
};

struct rst_proc {
	int32_t pid;
	struct ckpt_rec_fs fs;
	const char *cwd, *root;
	size_t fd0, nr_fds;	/* in rf->fds, sorted by fd */
	size_t tfd0, nr_tfds;	/* in rf->tfds */
};

struct rst_files {
	int base;
	unsigned int flags;
	const char *tmp_dir;
	char *strings;		/* every path, NUL-separated */
	struct rst_fd *fds;	/* sorted by (pid, fd) */
	size_t nr_fds;
	struct rst_ofd *ofds;
	size_t nr_ofds;
	struct rst_obj *objs;
	size_t nr_objs;
	struct rst_proc *procs;	/* sorted by pid */
	size_t nr_procs;
	struct ckpt_rec_epoll_tfd *tfds;	/* sorted by (pid, epfd, tfd) */
	size_t nr_tfds;
	const void *records;	/* during rst_files_prepare() only */
	size_t records_len;
};

/* --- restore_files.c ----------------------------------------------------- */

int rst_err(struct rst_files_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *rst_type_name(uint32_t type);
/* "pid 4 fd 3 (regular file /etc/motd)" into buf */
const char *rst_fd_desc(const struct rst_fd *f, char *buf, size_t size);
/* Moves fd to the pool (>= base, close-on-exec): the new fd, or -errno. */
int rst_to_pool(struct rst_files *rf, int fd);
const struct rst_proc *rst_find_proc(const struct rst_files *rf, int32_t pid);

/* --- restore_files_parse.c ---------------------------------------------- */

/* Fills rf's tables from the records and checks what they mean. */
int rst_parse(struct rst_files *rf, const void *records, size_t len,
	      struct rst_files_err *err);

/* --- restore_files_open.c: files reached by path ------------------------ */

/* cwd and root of every process exist as recorded. */
int rst_check_fs(struct rst_files *rf, struct rst_files_err *err);
/* REG, DIR, CHR, TTY, DEVNULL descriptions; FIFO holders. */
int rst_open_paths(struct rst_files *rf, struct rst_files_err *err);

/* --- restore_files_objects.c: the rest ---------------------------------- */

int rst_make_objects(struct rst_files *rf, struct rst_files_err *err);

/* --- restore_files_tcp.c: established TCP connections ------------------------ */

/* The checked TCP record of f's description (records still in rf). */
int rst_tcp_record(const struct rst_files *rf, const struct rst_fd *f,
		   const struct ckpt_rec_tcp **t, struct rst_files_err *err);
/* The connection of f's description, in repair mode: the fd or -errno. */
int rst_tcp_make(struct rst_files *rf, const struct rst_fd *f, struct rst_files_err *err);

/* The kernel's O_LARGEFILE, in every f_flags on 64-bit (glibc's is 0). */
#define RST_O_LARGEFILE	0100000

/* Status flags a description is opened (or F_SETFL'd) with. */
#define RST_OPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 O_SYNC | O_DIRECT | O_NOATIME | O_PATH | RST_O_LARGEFILE)
#define RST_SETFL_FLAGS	(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* Sets the recorded status flags F_SETFL can set, on pool fd of o. */
int rst_set_flags(const struct rst_ofd *o, int fd, struct rst_files_err *err);

#endif /* RST_FILES_INT_H */
