// SPDX-License-Identifier: GPL-2.0
/*
 * Where the blob goes in a restored process: the restorer's own
 * kernel-provided mappings ([vdso], [vvar]) read from /proc/self/maps, and
 * a region (blob code, its arguments and operation list, a stack per
 * thread, a parking area for the kernel's mappings) mapped in an address
 * gap of the target's layout that is free in the restorer as well.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "memory.h"

#define MAP_BOTTOM	0x10000ULL		/* vm.mmap_min_addr default */

int rst_self_read(struct rst *r, struct rst_self *self)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	memset(self, 0, sizeof(*self));
	if (!f)
		return rst_fail(r, RST_EXIT_FAILED, errno, "/proc/self/maps: %s",
				strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char name[256] = "";
		struct rst_special *sp;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %255s", &s, &e,
			   name) < 2 || name[0] != '[' || !strcmp(name, "[heap]") ||
		    !strncmp(name, "[stack", 6) || !strcmp(name, "[vsyscall]") ||
		    !strncmp(name, "[anon", 5))
			continue;
		if (self->nr_sp == RST_SPECIALS_MAX)
			break;
		sp = &self->sp[self->nr_sp++];
		sp->start = s;
		sp->end = e;
		snprintf(sp->name, sizeof(sp->name), "%s", name);
	}
	fclose(f);
	return 0;
}

static bool is_free(const struct rst_task *t, const struct rst_self *self,
		    uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < t->nr_vmas; i++)
		if (rst_overlaps(s, e, t->vmas[i]->start, t->vmas[i]->end))
			return false;
	for (unsigned int i = 0; i < self->nr_sp; i++)
		if (rst_overlaps(s, e, self->sp[i].start, self->sp[i].end))
			return false;
	return true;
}

static int try_map(struct rst_region *reg, uint64_t addr)
{
	void *p = mmap((void *)addr, reg->len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	if ((uint64_t)p != addr) {	/* a kernel without FIXED_NOREPLACE */
		munmap(p, reg->len);
		return -EEXIST;
	}
	reg->start = addr;
	return 0;
}

int rst_region_map(struct rst *r, const struct rst_task *t,
		   const struct rst_self *self, size_t max_ops,
		   struct rst_region *reg)
{
	extern const char rst_blob_bin[], rst_blob_bin_end[];
	const uint64_t ps = r->page_size, guard = 16 * ps;
	uint64_t args;

	memset(reg, 0, sizeof(*reg));
	reg->code_len = (rst_blob_bin_end - rst_blob_bin + ps - 1) & ~(ps - 1);
	args = sizeof(struct rst_blob_args) +
	       rst_blob_threads(t) * sizeof(struct rst_blob_thread) +
	       max_ops * sizeof(struct rst_op) + 4096 /* mm map + auxv */;
	reg->args_off = reg->code_len;
	reg->args_len = (args + ps - 1) & ~(ps - 1);
	reg->stacks_off = reg->args_off + reg->args_len;
	reg->park_off = reg->stacks_off + rst_blob_threads(t) * RST_THREAD_STACK;
	for (unsigned int i = 0; i < self->nr_sp; i++)
		reg->park_len += self->sp[i].end - self->sp[i].start;
	reg->len = reg->park_off + reg->park_len;

	/* gaps of the target's layout, highest first, that are free here */
	for (size_t i = 0; i <= t->nr_vmas; i++) {
		size_t k = t->nr_vmas - i;	/* the gap below VMA k */
		uint64_t gap_end = k < t->nr_vmas ? t->vmas[k]->start : RST_USER_TOP;
		uint64_t gap_start = k ? t->vmas[k - 1]->end : MAP_BOTTOM;
		uint64_t cand[2];

		if (gap_end < gap_start + reg->len + 2 * guard)
			continue;
		cand[0] = gap_end - guard - reg->len;
		cand[1] = gap_start + guard;
		for (int c = 0; c < 2; c++)
			if (is_free(t, self, cand[c], cand[c] + reg->len) &&
			    !try_map(reg, cand[c]))
				return 0;
	}
	return rst_fail(r, RST_EXIT_FAILED, ENOMEM,
			"pid %d: no address gap of %llu bytes free both in the target's layout and in the restorer",
			t->task->pid, (unsigned long long)reg->len);
}
