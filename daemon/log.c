// SPDX-License-Identifier: GPL-2.0
/* ckptd's log: syslog (journald) by default, stderr with --foreground. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static int log_stderr;
static int log_max = LOG_INFO;

void ckptd_log_init(int to_stderr, int max_level)
{
	log_stderr = to_stderr;
	log_max = max_level;
	if (!to_stderr)
		openlog("ckptd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void ckptd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
	};
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	if (log_stderr) {
		/* one fprintf per line: worker threads log too */
		char line[1024];

		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "ckptd: %s: %s\n", names[level & 7], line);
	} else {
		vsyslog(level, fmt, ap);
	}
	va_end(ap);
}
