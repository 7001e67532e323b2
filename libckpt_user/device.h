/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libckpt_user: the process's /dev/ckpt file. */
#ifndef CKPT_USER_DEVICE_H
#define CKPT_USER_DEVICE_H

/* The process's /dev/ckpt fd (opened on first use), or -errno. */
int ckpt_user_device(void);

#endif /* CKPT_USER_DEVICE_H */
