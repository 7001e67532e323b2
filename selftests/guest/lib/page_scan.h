/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a dump session record by record, for streams far larger than
 * the test could buffer (the incremental dump tests touch 1 GiB): totals
 * of the stream, and what became of each page of some regions of
 * processes (carried in PAGES, listed in PAGES_SAME, or neither), with
 * the carried contents checked by the caller.
 */
#ifndef CKPT_PAGE_SCAN_H
#define CKPT_PAGE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PS_PAGE		4096UL

/* What a dump did with a page of the region (ps_region.kind). */
enum { PS_NONE, PS_DATA, PS_SAME };

struct ps_region {
	pid_t pid;		/* its process; 0: any process */
	uintptr_t start;
	size_t npages;
	/* optional, one entry per page of the region: */
	unsigned char *first;	/* first byte of each carried page */
	unsigned char *kind;	/* PS_NONE, PS_DATA or PS_SAME */
	/* optional: is @data the right contents of page @pg?  (non-zero) */
	int (*check)(size_t pg, const uint8_t *data, void *arg);
	void *arg;
	/* out: pages of the region carried, listed unchanged, carried
	 * with wrong contents */
	uint64_t pages, same, bad;
};

struct ps_stats {
	uint64_t seq, parent;		/* BEGIN.dump_seq, parent_seq */
	uint32_t flags, tracking;	/* BEGIN.flags, dirty_tracking */
	uint64_t threads;		/* THREAD records */
	uint64_t pages, page_bytes;	/* in PAGES records */
	uint64_t same;			/* in PAGES_SAME records */
	uint64_t end_pages, end_same, end_unread;	/* END's counts */
	uint64_t region_pages, region_same;	/* sums over the regions */
	uint64_t region_bad;
};

/*
 * Read session @fd to its END record, tallying the pages of the @nr
 * regions @r (their maps and counts are cleared first).  0, or -EIO if
 * the stream ended early or a read failed, or -EBADMSG for a malformed
 * record.
 */
int ps_read_dump(int fd, struct ps_region *r, size_t nr, struct ps_stats *st);

#endif /* CKPT_PAGE_SCAN_H */
