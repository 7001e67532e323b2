/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to tools/ckpt-restore/files/: the tables parse.c builds from the
 * records, and what each file offers the next.  The data path reads one
 * way: parse.c (with ident.c, data.c, epoll.c checking what the records
 * mean) -> prepare.c: fs.c, open.c, objects.c (data.c, tcp.c) into the
 * pool (pool.c) -> apply.c (epoll.c, fs.c) in each restored process.
 * table.c, at the bottom, only looks things up and names them.
 */
#ifndef RST_FILES_INT_H
#define RST_FILES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ckpt.h>

#include "dump_stream.h"
#include "files.h"
#include "files_format.h"

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

/* The kernel's O_LARGEFILE, in every f_flags on 64-bit (glibc's is 0). */
#define RST_O_LARGEFILE	0100000

/* Status flags a description is opened (or F_SETFL'd) with. */
#define RST_OPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 O_SYNC | O_DIRECT | O_NOATIME | O_PATH | RST_O_LARGEFILE)
#define RST_SETFL_FLAGS	(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* --- table.c: lookups in the tables, names in messages ------------------- */

const char *rst_type_name(uint32_t type);
/* "pid 4 fd 3 (regular file /etc/motd)" into buf */
const char *rst_fd_desc(const struct rst_fd *f, char *buf, size_t size);
/* "<desc>: <what>: <strerror(errnum)>" in err; returns -errnum. */
int rst_fd_err(struct ckpt_err *err, const struct rst_fd *f, int errnum,
	       const char *what);
/* A record that makes no sense: -EINVAL, "malformed file records: ...". */
int rst_malformed(struct ckpt_err *err, const char *what, int32_t pid, int fd,
		  const char *why);
/* Orders records by (pid, fd). */
int rst_cmp_fd(const void *a, const void *b);
const struct rst_proc *rst_find_proc(const struct rst_files *rf, int32_t pid);
/* The record of fd in process p, NULL if none. */
const struct rst_fd *rst_proc_fd(const struct rst_files *rf,
				 const struct rst_proc *p, int fd);
/* The object with that id (rf->objs is sorted by id), NULL if none. */
struct rst_obj *rst_find_obj(struct rst_files *rf, uint64_t id);
/* Opens the records as a stream (captured records alone have no BEGIN). */
void rst_records_start(struct ckpt_stream *s, const void *buf, size_t len);

/* --- parse.c: records to tables ------------------------------------------ */

/* Fills rf's tables from the records and checks what they mean. */
int rst_parse(struct rst_files *rf, const void *records, size_t len,
	      struct ckpt_err *err);

/* --- ident.c: descriptions and objects shared, socket peers -------------- */

/* Groups the fds into descriptions and those into objects; links peers. */
int rst_ident(struct rst_files *rf, struct ckpt_err *err);

/* --- data.c: FILE_DATA, attached at parse, written back when made -------- */

int rst_data_add(struct rst_files *rf, const struct ckpt_rec_file_data *d,
		 struct ckpt_err *err);
/* Pipe data into the pipe (or FIFO) through fd, at the recorded size. */
int rst_data_pipe(const struct rst_obj *b, int fd, struct ckpt_err *err);
/* The data queued at socket end b, sent from the other end of its pair. */
int rst_data_sock(const struct rst_obj *b, int from, struct ckpt_err *err);
/* A memfd's or deleted file's size and contents, into b->holder. */
int rst_data_file(const struct rst_obj *b, struct ckpt_err *err);

/* --- epoll.c: interest lists --------------------------------------------- */

/* Every entry names an epoll fd and a watched fd the process will have. */
int rst_epoll_check(const struct rst_files *rf, struct ckpt_err *err);
/* In the restored process p: its entries added. */
int rst_epoll_add(const struct rst_files *rf, const struct rst_proc *p,
		  struct ckpt_err *err);

/* --- fs.c: working directory, root, umask -------------------------------- */

/* cwd and root of every process exist as recorded. */
int rst_check_fs(struct rst_files *rf, struct ckpt_err *err);
/* In the restored process p: umask, cwd, root. */
int rst_set_fs(const struct rst_proc *p, struct ckpt_err *err);

/* --- pool.c: where the descriptions wait --------------------------------- */

/*
 * Moves fd (made for description o) into the pool, >= base and
 * close-on-exec, as o->pool; with set_flags, then sets the recorded status
 * flags F_SETFL can set.  fd is consumed.
 */
int rst_pool_put(struct rst_files *rf, struct rst_ofd *o, int fd,
		 bool set_flags, struct ckpt_err *err);

/* --- open.c: files reached by path --------------------------------------- */

/* REG, DIR, CHR, TTY, DEVNULL descriptions; FIFO holders. */
int rst_open_paths(struct rst_files *rf, struct ckpt_err *err);

/* --- tcp.c: established TCP connections ---------------------------------- */

/* The checked TCP record of f's description (records still in rf). */
int rst_tcp_record(const struct rst_files *rf, const struct rst_fd *f,
		   const struct ckpt_rec_tcp **t, struct ckpt_err *err);
/* The connection of f's description, in repair mode: the fd or -errno. */
int rst_tcp_make(struct rst_files *rf, const struct rst_fd *f,
		 struct ckpt_err *err);

/* --- objects.c: the rest, made rather than opened ------------------------ */

int rst_make_objects(struct rst_files *rf, struct ckpt_err *err);
/* Closes what the objects still hold (their descriptions live on). */
void rst_objs_close(struct rst_files *rf);

#endif /* RST_FILES_INT_H */
