// SPDX-License-Identifier: GPL-2.0
/*
 * Upper/lower-half tags of a VMA.  SPECIAL: what the kernel provides to
 * every process (vdso, vvar, vsyscall).  LOWER: device mappings and
 * libraries tied to the host (MPI, libfabric/UCX, ibverbs, CUDA, PMIx),
 * matched on the file name.  UPPER: everything else - the application.
 * A LOWER or UPPER region the application tagged over a whole VMA
 * (libckpt_user) takes precedence.
 * The built-in patterns are documented in Documentation/dump-stream.md.
 */
#include "ckpt.h"

#include <linux/glob.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "job.h"
#include "regions.h"
#include "tags.h"

static const char *const ckpt_lower_patterns[] = {
	"libmpi*.so*", "libmpich*.so*", "libopen-pal*.so*", "libopen-rte*.so*",
	"libfabric*.so*", "libucp*.so*", "libucs*.so*", "libuct*.so*",
	"libucm*.so*", "libibverbs*.so*", "libmlx4*.so*", "libmlx5*.so*",
	"librdmacm*.so*", "libcuda*.so*", "libcudart*.so*", "libnvidia-*.so*",
	"libpmix*.so*", "libpsm2*.so*",
};

static bool ckpt_match_any(const char *const *patterns, size_t n,
			   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (glob_match(patterns[i], name))
			return true;
	return false;
}

/* The job's own patterns if it has them, else the built-in ones. */
static bool ckpt_lower_library(struct ckpt_job *job, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (job->lower_patterns)
		return ckpt_match_any((const char *const *)job->lower_patterns,
				      job->nr_lower_patterns, base);
	return ckpt_match_any(ckpt_lower_patterns,
			      ARRAY_SIZE(ckpt_lower_patterns), base);
}

u32 ckpt_vma_tag(struct ckpt_job *job, struct vm_area_struct *vma,
		 const char *path)
{
	u32 tag = ckpt_regions_tag_of(vma->vm_mm, vma->vm_start, vma->vm_end);

	if (tag)
		return tag;		/* the application said so */
	if (vma->vm_ops && vma->vm_ops->name && !vma->vm_file)
		return CKPT_TAG_SPECIAL;	/* "[vdso]", "[vvar]" */
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return CKPT_TAG_LOWER;
	if (vma->vm_file && S_ISCHR(file_inode(vma->vm_file)->i_mode))
		return CKPT_TAG_LOWER;
	if (path && ckpt_lower_library(job, path))
		return CKPT_TAG_LOWER;
	return CKPT_TAG_UPPER;
}
