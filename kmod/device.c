// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ckpt: the character device through which bulk data (dump sessions)
 * flows and through which libckpt_user talks to the module.  Every resource
 * handed out here is owned by an open file.
 */
#include "ckpt.h"

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "auth.h"
#include "device.h"
#include "features.h"

static long ckpt_ioc_get_abi(void __user *uarg)
{
	struct ckpt_abi_info info;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.flags || info.reserved[0] || info.reserved[1])
		return -EINVAL;
	info.abi_version = CKPT_ABI_VERSION;
	info.features = ckpt_features();
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long ckpt_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case CKPT_IOC_GET_ABI:
		return ckpt_ioc_get_abi((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int ckpt_dev_open(struct inode *inode, struct file *file)
{
	/* The node is 0600, but an administrator's chmod must not widen it. */
	return ckpt_authorize(NULL, NULL);
}

static const struct file_operations ckpt_dev_fops = {
	.owner = THIS_MODULE,
	.open = ckpt_dev_open,
	.unlocked_ioctl = ckpt_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ckpt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ckpt",
	.fops = &ckpt_dev_fops,
	.mode = 0600,
};

int __init ckpt_device_init(void)
{
	return misc_register(&ckpt_miscdev);
}

void ckpt_device_exit(void)
{
	misc_deregister(&ckpt_miscdev);
}
