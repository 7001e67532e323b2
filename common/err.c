// SPDX-License-Identifier: GPL-2.0
/* The error carrier (err.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int ckpt_err_vset(struct ckpt_err *e, int errnum, const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	if (!errnum)
		errnum = EIO;
	if (e) {
		e->errnum = errnum;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return -errnum;
}

int ckpt_err_set(struct ckpt_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = ckpt_err_vset(e, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

void ckpt_err_msg(struct ckpt_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	/* an error is never carried without a code */
	e->errnum = EIO;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

int ckpt_err_sys(struct ckpt_err *e, const char *fmt, ...)
{
	int errnum = errno ? errno : EIO;
	va_list ap;
	size_t n;

	if (!e)
		return -errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	e->errnum = errnum;
	return -errnum;
}

void ckpt_err_prefix(struct ckpt_err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	va_list ap;
	size_t n;

	if (!e)
		return;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n < sizeof(e->msg) - 1)
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", old);
}

void ckpt_err_clear(struct ckpt_err *e)
{
	if (e) {
		e->errnum = 0;
		e->msg[0] = '\0';
	}
}

void ckpt_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}
