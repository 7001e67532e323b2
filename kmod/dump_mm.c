// SPDX-License-Identifier: GPL-2.0
/*
 * Dump records of an address space: MM (layout, auxv, executable) and one
 * VMA per mapping with its backing file and upper/lower tag.  The job is
 * frozen, so its own threads cannot change the layout; mmap_lock is held
 * for reading against everybody else.
 */
#include "ckpt.h"

#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "dump_mm.h"
#include "job.h"
#include "record.h"
#include "regions.h"
#include "tags.h"

#define CKPT_PATH_MAX	4096

/* @f's path into @buf (size CKPT_PATH_MAX); a pointer into @buf or NULL. */
static const char *ckpt_file_path(struct file *f, char *buf)
{
	char *p = file_path(f, buf, CKPT_PATH_MAX);

	return IS_ERR(p) ? NULL : p;
}

static void ckpt_emit_mm(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 char *pathbuf)
{
	struct ckpt_rec_mm *r;
	struct file *exe;
	const char *path;

	r = ckpt_rec_start(b, CKPT_REC_MM, sizeof(*r));
	if (!r)
		return;
	r->pid = task_tgid_nr_ns(p, job->rec_ns);
	r->nr_vmas = mm->map_count;
	r->start_code = mm->start_code;
	r->end_code = mm->end_code;
	r->start_data = mm->start_data;
	r->end_data = mm->end_data;
	r->start_brk = mm->start_brk;
	r->brk = mm->brk;
	r->start_stack = mm->start_stack;
	r->arg_start = mm->arg_start;
	r->arg_end = mm->arg_end;
	r->env_start = mm->env_start;
	r->env_end = mm->env_end;
	BUILD_BUG_ON(sizeof(r->auxv) < sizeof(mm->saved_auxv));
	memcpy(r->auxv, mm->saved_auxv, sizeof(mm->saved_auxv));

	/* a pre-dump's job runs, and the mm may be shared with
	 * non-members: exe_file can change (exec, PR_SET_MM_MAP) meanwhile */
	exe = ckpt_get_mm_exe_file(mm);
	if (exe) {
		r->exe_dev = file_inode(exe)->i_sb->s_dev;
		r->exe_ino = file_inode(exe)->i_ino;
		path = ckpt_file_path(exe, pathbuf);
		if (path)
			strscpy(r->exe_path, path, sizeof(r->exe_path));
		fput(exe);
	}
	ckpt_rec_finish(b, r, sizeof(*r));
}

static u32 ckpt_vma_flags(struct vm_area_struct *vma, struct mm_struct *mm)
{
	vm_flags_t f = vma->vm_flags;
	u32 flags = 0;

	if (f & VM_READ)
		flags |= CKPT_VMA_READ;
	if (f & VM_WRITE)
		flags |= CKPT_VMA_WRITE;
	if (f & VM_EXEC)
		flags |= CKPT_VMA_EXEC;
	if (f & VM_SHARED)
		flags |= CKPT_VMA_SHARED;
	if (f & VM_GROWSDOWN)
		flags |= CKPT_VMA_GROWSDOWN;
	if (f & (VM_IO | VM_PFNMAP))
		flags |= CKPT_VMA_IO;
	if (!vma->vm_file)
		flags |= CKPT_VMA_ANON;
	else if (shmem_file(vma->vm_file))
		flags |= CKPT_VMA_SHMEM;
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		flags |= CKPT_VMA_HEAP;
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		flags |= CKPT_VMA_STACK;
	return flags;
}

static void ckpt_emit_vma(struct ckpt_recbuf *b, struct ckpt_job *job,
			  struct task_struct *p, struct mm_struct *mm,
			  struct vm_area_struct *vma, char *pathbuf)
{
	const char *path = NULL;
	struct ckpt_rec_vma *r;
	size_t len;

	if (vma->vm_file)
		path = ckpt_file_path(vma->vm_file, pathbuf);
	else if (vma->vm_ops && vma->vm_ops->name)
		path = vma->vm_ops->name(vma);
	len = path ? strlen(path) + 1 : 0;

	r = ckpt_rec_start(b, CKPT_REC_VMA, sizeof(*r) + len);
	if (!r)
		return;
	r->pid = task_tgid_nr_ns(p, job->rec_ns);
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->pgoff = vma->vm_pgoff;
	r->flags = ckpt_vma_flags(vma, mm);
	r->tag = ckpt_vma_tag(job, vma, vma->vm_file ? path : NULL);
	if (vma->vm_file) {
		struct inode *inode = file_inode(vma->vm_file);
		struct timespec64 mtime = ckpt_inode_mtime(inode);

		r->dev = inode->i_sb->s_dev;
		r->ino = inode->i_ino;
		r->size = i_size_read(inode);
		r->mtime_sec = mtime.tv_sec;
		r->mtime_nsec = mtime.tv_nsec;
	}
	r->path_len = len;
	if (len)
		memcpy(r->path, path, len);
	ckpt_rec_finish(b, r, sizeof(*r) + len);
}

struct mm_struct *ckpt_process_mm(struct task_struct *p)
{
	struct task_struct *t, *live = NULL;
	struct mm_struct *mm;

	if (!p->exit_state)
		return get_task_mm(p);
	/* a zombie, or a process whose main thread exited: a live thread's */
	rcu_read_lock();
	for_each_thread(p, t) {
		if (!t->exit_state && !(t->flags & PF_EXITING)) {
			live = t;
			get_task_struct(live);
			break;
		}
	}
	rcu_read_unlock();
	if (!live)
		return NULL;
	mm = get_task_mm(live);
	put_task_struct(live);
	return mm;
}

int ckpt_dump_mm(struct ckpt_recbuf *b, struct ckpt_job *job,
		 struct task_struct *p, struct mm_struct *mm, u32 *nr_vmas)
{
	struct vm_area_struct *vma;
	char *pathbuf;
	int err;

	*nr_vmas = 0;
	pathbuf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL_ACCOUNT);
	if (!pathbuf)
		return -ENOMEM;
	err = mmap_read_lock_killable(mm);
	if (err)
		goto free;
	ckpt_emit_mm(b, job, p, mm, pathbuf);
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			ckpt_emit_vma(b, job, p, mm, vma, pathbuf);
			(*nr_vmas)++;
		}
	}
	ckpt_regions_emit(b, mm, task_tgid_nr_ns(p, job->rec_ns));
	mmap_read_unlock(mm);
	err = b->err;
free:
	kfree(pathbuf);
	return err;
}
