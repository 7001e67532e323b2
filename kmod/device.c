// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ckpt: the character device through which bulk data (dump sessions)
 * flows and through which libckpt_user talks to the module.  Every resource
 * handed out here is owned by an open file.  Anyone may open it, for the
 * application's own CKPT_IOC_TAG_REGION; every other ioctl is for
 * privileged callers only (auth.c), checked on the opener and the caller.
 */
#include "ckpt.h"

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "auth.h"
#include "device.h"
#include "dump.h"
#include "regions.h"
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

static long ckpt_ioc_dump(void __user *uarg)
{
	struct ckpt_dump_args args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	return ckpt_dump_open(&args);
}

static long ckpt_ioc_tag_region(struct file *file, void __user *uarg)
{
	struct ckpt_tag_region_args args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	return ckpt_regions_tag((struct ckpt_regions **)&file->private_data,
				&args);
}

static long ckpt_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (cmd != CKPT_IOC_TAG_REGION && !ckpt_file_privileged(file))
		return -EPERM;
	switch (cmd) {
	case CKPT_IOC_GET_ABI:
		return ckpt_ioc_get_abi((void __user *)arg);
	case CKPT_IOC_DUMP:
		return ckpt_ioc_dump((void __user *)arg);
	case CKPT_IOC_TAG_REGION:
		return ckpt_ioc_tag_region(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* private_data: the regions tagged through this file, or NULL. */
static int ckpt_dev_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;	/* misc_open put the miscdevice there */
	return 0;
}

static int ckpt_dev_release(struct inode *inode, struct file *file)
{
	ckpt_regions_free(file->private_data);
	return 0;
}

static const struct file_operations ckpt_dev_fops = {
	.owner = THIS_MODULE,
	.open = ckpt_dev_open,
	.release = ckpt_dev_release,
	.unlocked_ioctl = ckpt_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ckpt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ckpt",
	.fops = &ckpt_dev_fops,
	/* everyone, for TAG_REGION; the rest is checked per ioctl */
	.mode = 0666,
};

int __init ckpt_device_init(void)
{
	return misc_register(&ckpt_miscdev);
}

void ckpt_device_exit(void)
{
	misc_deregister(&ckpt_miscdev);
}
