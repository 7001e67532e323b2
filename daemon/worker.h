/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Worker threads: the loop hands a work item to a worker, the worker runs
 * it (blocking on disk, the module, the restorer as it must) and reports
 * completion through an eventfd watched by the loop, which then runs the
 * item's done() callback on the loop's thread.  One thread per worker;
 * items run in the order they were submitted.
 */
#ifndef CKPTD_WORKER_H
#define CKPTD_WORKER_H

struct ckptd;
struct ckptd_worker;

struct ckptd_work {
	/* in the worker thread; @ctx is what the worker's init() returned */
	void (*run)(struct ckptd_work *w, void *ctx);
	/* on the loop thread, after run(); frees the item */
	void (*done)(struct ckptd *d, struct ckptd_work *w);
	struct ckptd_work *next;
};

/*
 * Starts a worker; @init (may be NULL) runs first in the thread and
 * returns its context (NULL with *@err set on failure: the start fails).
 */
int ckptd_worker_start(struct ckptd *d, const char *name,
		       void *(*init)(int *err), void (*fini)(void *ctx),
		       struct ckptd_worker **out);
void ckptd_worker_submit(struct ckptd_worker *wk, struct ckptd_work *w);
/* Runs every queued item, then stops the thread and frees the worker. */
void ckptd_worker_stop(struct ckptd *d, struct ckptd_worker *wk);

#endif /* CKPTD_WORKER_H */
