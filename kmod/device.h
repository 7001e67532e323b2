/* SPDX-License-Identifier: GPL-2.0 */
/* /dev/ckpt (device.c): registered and removed by main.c. */
#ifndef CKPT_DEVICE_H
#define CKPT_DEVICE_H

int ckpt_device_init(void);
void ckpt_device_exit(void);

#endif /* CKPT_DEVICE_H */
