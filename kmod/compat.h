/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where differences between the supported kernels (Debian 12's
 * 6.1 and 6.12 LTS) are absorbed.  Test for the feature (a macro, a config
 * option), not for the version, and keep every workaround here.
 */
#ifndef CKPT_COMPAT_H
#define CKPT_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

/*
 * Formatted extack messages (NL_SET_ERR_MSG_FMT) arrived in 6.2; 6.1 keeps
 * only a pointer to a static string.  There the caller's fixed fallback text
 * is used, which must make sense without the formatted details.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define ckpt_extack_fmt(extack, fallback, fmt, args...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##args)
#else
#define ckpt_extack_fmt(extack, fallback, fmt, args...) \
	NL_SET_ERR_MSG_MOD(extack, fallback)
#endif

/* 6.7 replaced inode->i_mtime by accessors. */
static inline struct timespec64 ckpt_inode_mtime(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

/* 6.5 dropped the vmas argument of get_user_pages_remote(). */
static inline long ckpt_gup_remote(struct mm_struct *mm, unsigned long start,
				   unsigned long nr, unsigned int flags,
				   struct page **pages, int *locked)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, start, nr, flags, pages, locked);
#else
	return get_user_pages_remote(mm, start, nr, flags, pages, NULL, locked);
#endif
}

/*
 * A reference to @mm's executable file, or NULL (get_mm_exe_file is not
 * exported).  Until 6.7 get_file_rcu was a macro taking the file (files
 * were freed after a grace period); since, files are SLAB_TYPESAFE_BY_RCU
 * and the exported get_file_rcu takes the pointer's address and re-checks.
 */
static inline struct file *ckpt_get_mm_exe_file(struct mm_struct *mm)
{
	struct file *f;

	rcu_read_lock();
#ifdef get_file_rcu
	f = rcu_dereference(mm->exe_file);
	if (f && !get_file_rcu(f))
		f = NULL;
#else
	f = get_file_rcu(&mm->exe_file);
#endif
	rcu_read_unlock();
	return f;
}

#endif /* CKPT_COMPAT_H */
