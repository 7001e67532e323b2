/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sd_notify protocol, spoken directly: one datagram of "KEY=value"
 * lines to the unix socket named by $NOTIFY_SOCKET (no libsystemd).
 * Without $NOTIFY_SOCKET (not started by systemd) it does nothing.
 */
#ifndef CKPTD_NOTIFY_H
#define CKPTD_NOTIFY_H

int ckptd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CKPTD_NOTIFY_H */
