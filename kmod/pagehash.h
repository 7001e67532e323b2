/* SPDX-License-Identifier: GPL-2.0 */
/* Page content hashes of a dump (pagehash.c): hash-based dirty tracking. */
#ifndef CKPT_PAGEHASH_H
#define CKPT_PAGEHASH_H

#include <linux/types.h>

struct ckpt_pagehash;

/* Reference counted: a dump reads its parent's while a commit replaces it. */
struct ckpt_pagehash *ckpt_pagehash_new(void);
struct ckpt_pagehash *ckpt_pagehash_get(struct ckpt_pagehash *ph);
void ckpt_pagehash_put(struct ckpt_pagehash *ph);
int ckpt_pagehash_add(struct ckpt_pagehash *ph, pid_t pid, unsigned long addr,
		      u64 hash);
/* The hashes of @n consecutive pages from @addr of @pid. */
int ckpt_pagehash_add_run(struct ckpt_pagehash *ph, pid_t pid,
			  unsigned long addr, const u64 *hash, unsigned int n);
/* The hash @ph holds for the page at @addr of @pid into *@hash: false if
 * it holds none. */
bool ckpt_pagehash_lookup(struct ckpt_pagehash *ph, pid_t pid,
			  unsigned long addr, u64 *hash);
/* true if @ph holds @hash for the page at @addr of @pid. */
bool ckpt_pagehash_same(struct ckpt_pagehash *ph, pid_t pid,
			unsigned long addr, u64 hash);
u64 ckpt_page_hash(const void *data);

#endif /* CKPT_PAGEHASH_H */
