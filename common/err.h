/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one error carrier of ckpt's userspace: an errno and a message that
 * names the object and says what to do.  Functions that can fail return
 * 0 or -errno and fill a struct ckpt_err the caller passes (which may be
 * NULL when the caller only wants the code).  The message is what an
 * administrator reads: ckptctl prints it, ckptd logs it and sends it in
 * the reply, ckpt-restore prints it before exiting.
 */
#ifndef CKPT_ERR_H
#define CKPT_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define CKPT_ERR_MSG_MAX	512

struct ckpt_err {
	int errnum;			/* positive errno; 0 while none */
	char msg[CKPT_ERR_MSG_MAX];
};

#define CKPT_ERR_FMT(a, b)	__attribute__((format(printf, a, b)))

/* Sets errnum (EIO when 0) and the message; returns -errnum. */
int ckpt_err_set(struct ckpt_err *e, int errnum, const char *fmt, ...) CKPT_ERR_FMT(3, 4);
int ckpt_err_vset(struct ckpt_err *e, int errnum, const char *fmt, va_list ap);
/*
 * The message with EIO as its code, for a caller that returns its own
 * (the image library's callers use the return value).  Prefer
 * ckpt_err_set() with the code returned.  Never reads @e first: a
 * carrier may be handed in uninitialized.
 */
void ckpt_err_msg(struct ckpt_err *e, const char *fmt, ...) CKPT_ERR_FMT(2, 3);
/* errno of the failed call: "<message>: <strerror>"; returns -errno. */
int ckpt_err_sys(struct ckpt_err *e, const char *fmt, ...) CKPT_ERR_FMT(2, 3);
/* Puts "<context>: " before the message a callee left. */
void ckpt_err_prefix(struct ckpt_err *e, const char *fmt, ...) CKPT_ERR_FMT(2, 3);
void ckpt_err_clear(struct ckpt_err *e);

/* snprintf into a caller's buffer, never overrunning, always terminated:
 * the one place that formats into fixed buffers. */
void ckpt_fmt(char *buf, size_t size, const char *fmt, ...) CKPT_ERR_FMT(3, 4);

#endif /* CKPT_ERR_H */
