/* SPDX-License-Identifier: GPL-2.0 */
/* ckptd's log: syslog (journald) by default, stderr in the foreground. */
#ifndef CKPTD_LOG_H
#define CKPTD_LOG_H

#include <syslog.h>

void ckptd_log_init(int to_stderr, int max_level);
void ckptd_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...)	ckptd_log(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	ckptd_log(LOG_WARNING, __VA_ARGS__)
#define pr_info(...)	ckptd_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	ckptd_log(LOG_DEBUG, __VA_ARGS__)

#endif /* CKPTD_LOG_H */
