// SPDX-License-Identifier: LGPL-2.1-or-later
/* ckpt_tag_region(3): tag part of the caller's memory for checkpoints. */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "ckpt_user.h"
#include "device.h"

int ckpt_tag_region(void *addr, size_t len, unsigned int tag)
{
	struct ckpt_tag_region_args args = {
		.addr = (uintptr_t)addr,
		.len = len,
		.tag = tag,
	};
	int fd = ckpt_user_device();

	if (fd < 0)
		return fd;
	return ioctl(fd, CKPT_IOC_TAG_REGION, &args) ? -errno : 0;
}
