// SPDX-License-Identifier: GPL-2.0
/* ckpt.ko: module init and exit ordering only. */
#include "ckpt.h"

#include <linux/module.h>
#include <linux/rcupdate.h>

#include "device.h"
#include "netlink.h"
#include "teardown.h"

static int __init ckpt_init(void)
{
	int err;

	err = ckpt_teardown_init();
	if (err)
		return err;
	err = ckpt_netlink_init();
	if (err)
		goto exit_jobs;
	err = ckpt_device_init();
	if (err)
		goto unregister_netlink;
	pr_info("ckpt %s loaded (ABI %u)\n", CKPT_VERSION, CKPT_ABI_VERSION);
	return 0;

unregister_netlink:
	ckpt_netlink_exit();
exit_jobs:
	ckpt_teardown_exit();
	return err;
}

/*
 * No request can arrive once the family is gone; then the jobs go.  A
 * parking work drops its module reference just before it returns from
 * module code (freeze.c): an RCU-tasks grace period passes only once no
 * task is still inside it.
 */
static void __exit ckpt_exit(void)
{
	ckpt_device_exit();
	ckpt_netlink_exit();
	ckpt_teardown_exit();
	synchronize_rcu_tasks();
	rcu_barrier();		/* kfree_rcu of jobs */
}

module_init(ckpt_init);
module_exit(ckpt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ckpt: checkpoint/restart and migration of process groups");
MODULE_VERSION(CKPT_VERSION);
