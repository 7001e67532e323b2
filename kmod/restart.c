// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent restart of the system calls a freeze interrupts.
 *
 * The parking work is queued with TWA_SIGNAL, which looks like a signal to
 * a sleeping system call.  Most of them then return -ERESTART*, and the
 * signal code restarts them after the work, as no signal is delivered.  A
 * few return -EINTR instead (epoll_wait and friends, semop, io_getevents,
 * sigtimedwait): the application would see an error that no signal caused.
 * Such a thread is parked with -EINTR in its registers and no signal
 * pending; the fixup turns the -EINTR into -ERESTARTNOINTR, so the same
 * restart path re-executes the call.  A real signal (TIF_SIGPENDING still
 * set when the work runs, as delivery comes after it) leaves -EINTR alone.
 * A signal that arrives while the thread is parked is delivered right
 * after the thaw: the call was interrupted by it after all, so the -EINTR
 * comes back (ckpt_restart_undo) and the program sees what it would have
 * seen without ckpt.  A dump taken meanwhile records the restart with the
 * signal pending; the restored call then fails with EINTR by itself.
 */
#include "ckpt.h"

#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/thread_info.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "restart.h"

static bool ckpt_returns_eintr(long nr)
{
	switch (nr) {
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
	case __NR_semop:
	case __NR_semtimedop:
	case __NR_io_getevents:
	case __NR_io_pgetevents:
	case __NR_rt_sigtimedwait:
		return true;
	default:
		return false;
	}
}

/*
 * Called by the parking work, in the thread, on its way to user mode.
 * True if it turned an -EINTR into a restart.
 */
bool ckpt_restart_fixup(struct pt_regs *regs)
{
	long nr = syscall_get_nr(current, regs);

	if (nr < 0 || in_ia32_syscall() || !ckpt_returns_eintr(nr))
		return false;
	if (syscall_get_error(current, regs) != -EINTR ||
	    test_thread_flag(TIF_SIGPENDING))
		return false;
	syscall_set_return_value(current, regs, -ERESTARTNOINTR, 0);
	return true;
}

/* After the thaw, in the thread: a signal came meanwhile, give it EINTR. */
void ckpt_restart_undo(struct pt_regs *regs)
{
	if (test_thread_flag(TIF_SIGPENDING) &&
	    syscall_get_error(current, regs) == -ERESTARTNOINTR)
		syscall_set_return_value(current, regs, -EINTR, 0);
}
