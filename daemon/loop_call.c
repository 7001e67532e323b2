// SPDX-License-Identifier: GPL-2.0
/*
 * ckptd_loop_call(): an empty work item for the io worker whose done()
 * (on the loop) runs the function and wakes the caller.
 */
#include <semaphore.h>

#include "ckptd.h"
#include "loop_call.h"
#include "worker.h"

struct loop_call {
	struct ckptd_work work;
	void (*fn)(struct ckptd *d, void *arg);
	void *arg;
	sem_t done;
};

static void call_run(struct ckptd_work *w, void *ctx)
{
	(void)w;
	(void)ctx;
}

static void call_done(struct ckptd *d, struct ckptd_work *w)
{
	struct loop_call *c = (struct loop_call *)w;

	c->fn(d, c->arg);
	sem_post(&c->done);	/* the caller owns and frees the item */
}

void ckptd_loop_call(struct ckptd *d, void (*fn)(struct ckptd *d, void *arg),
		     void *arg)
{
	struct loop_call c = {
		.work = { .run = call_run, .done = call_done },
		.fn = fn, .arg = arg,
	};

	sem_init(&c.done, 0, 0);
	ckptd_worker_submit(d->io, &c.work);
	while (sem_wait(&c.done))
		;
	sem_destroy(&c.done);
}
