// SPDX-License-Identifier: GPL-2.0
/*
 * Saving the registry from the loop without blocking it: the loop
 * serializes, the io worker writes (tmp + fsync + rename), and the reply
 * that depends on it leaves only once the registry is durable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/persist.h"
#include "ckptd.h"
#include "ctl/server.h"
#include "log.h"
#include "worker.h"

struct persist_work {
	struct ckptd_work work;
	char *text;
	size_t len;
	char dir[4096];
	int err;
	struct ckpt_err why;
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_reply *reply;	/* NULL: nobody waits */
};

static void persist_run(struct ckptd_work *w, void *ctx)
{
	struct persist_work *p = (struct persist_work *)w;

	(void)ctx;
	p->err = ckptd_registry_write(p->dir, p->text, p->len, &p->why);
}

static void persist_done(struct ckptd *d, struct ckptd_work *w)
{
	struct persist_work *p = (struct persist_work *)w;

	if (p->err) {
		pr_err("%s", p->why.msg);
		if (p->reply)
			ckptd_reply_error(d, p->client_id, p->seq, p->err,
					  "done, but the job registry was not saved (a ckptd restart would forget it): %s",
					  p->why.msg);
	} else if (p->reply) {
		ckptd_reply_send(d, p->client_id, p->reply);
	}
	free(p->reply);
	free(p->text);
	free(p);
}

void ckptd_persist(struct ckptd *d, uint64_t client_id, uint32_t seq,
		   const struct ckptd_reply *r)
{
	struct persist_work *p = calloc(1, sizeof(*p));
	struct ckptd_client *c = client_id ? ckptd_client_find(d, client_id) : NULL;

	/* the operation whose progress it watched ends now (and is freed) */
	if (c)
		c->progress = NULL;
	if (p)
		p->text = ckptd_registry_format(&d->reg, &p->len);
	if (p && r) {
		p->reply = malloc(sizeof(*r));
		if (p->reply) {
			memcpy(p->reply, r, sizeof(*r));
			p->reply->m.buf = p->reply->buf;
		}
	}
	if (!p || !p->text || (r && !p->reply)) {
		pr_err("out of memory saving the job registry");
		if (r)
			ckptd_reply_error(d, client_id, seq, -ENOMEM,
					  "ckptd is out of memory; the job registry was not saved");
		if (p) {
			free(p->text);
			free(p->reply);
		}
		free(p);
		return;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", d->cfg.state_dir);
	p->client_id = client_id;
	p->seq = seq;
	p->work.run = persist_run;
	p->work.done = persist_done;
	ckptd_worker_submit(d->io, &p->work);
}
