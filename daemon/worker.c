// SPDX-License-Identifier: GPL-2.0
/* Worker threads reporting completion to the loop through an eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ckptd.h"
#include "log.h"
#include "loop.h"
#include "worker.h"

struct ckptd_worker {
	struct ckptd_watch w;		/* the eventfd, first: see on_done() */
	const char *name;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ckptd_work *queue, **queue_tail;
	struct ckptd_work *finished, **finished_tail;
	int stop;
	void *(*init)(int *err);
	void (*fini)(void *ctx);
	int init_err;
	int started;
};

static void push(struct ckptd_work ***tail, struct ckptd_work *w)
{
	w->next = NULL;
	**tail = w;
	*tail = &w->next;
}

static void *worker_main(void *arg)
{
	struct ckptd_worker *wk = arg;
	void *ctx = NULL;
	uint64_t one = 1;

	if (wk->init)
		ctx = wk->init(&wk->init_err);
	pthread_mutex_lock(&wk->lock);
	wk->started = 1;
	pthread_cond_broadcast(&wk->cond);
	pthread_mutex_unlock(&wk->lock);
	if (wk->init_err)
		return NULL;

	for (;;) {
		struct ckptd_work *w;

		pthread_mutex_lock(&wk->lock);
		while (!wk->queue && !wk->stop)
			pthread_cond_wait(&wk->cond, &wk->lock);
		w = wk->queue;
		if (w) {
			wk->queue = w->next;
			if (!wk->queue)
				wk->queue_tail = &wk->queue;
		}
		pthread_mutex_unlock(&wk->lock);
		if (!w)
			break;		/* stopping and nothing queued */

		w->run(w, ctx);

		pthread_mutex_lock(&wk->lock);
		push(&wk->finished_tail, w);
		pthread_mutex_unlock(&wk->lock);
		if (write(wk->w.fd, &one, sizeof(one)) < 0)
			pr_err("worker %s: cannot signal the loop: %s", wk->name,
			       strerror(errno));
	}
	if (wk->fini)
		wk->fini(ctx);
	return NULL;
}

/* Runs done() of every finished item, on the loop thread. */
static void reap(struct ckptd *d, struct ckptd_worker *wk)
{
	struct ckptd_work *w, *next;
	uint64_t n;

	if (read(wk->w.fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		pr_err("worker %s: eventfd: %s", wk->name, strerror(errno));
	pthread_mutex_lock(&wk->lock);
	w = wk->finished;
	wk->finished = NULL;
	wk->finished_tail = &wk->finished;
	pthread_mutex_unlock(&wk->lock);
	for (; w; w = next) {
		next = w->next;
		w->done(d, w);
	}
}

static void on_done(struct ckptd *d, struct ckptd_watch *w, uint32_t events)
{
	(void)events;
	reap(d, (struct ckptd_worker *)w);
}

int ckptd_worker_start(struct ckptd *d, const char *name,
		       void *(*init)(int *err), void (*fini)(void *ctx),
		       struct ckptd_worker **out)
{
	struct ckptd_worker *wk = calloc(1, sizeof(*wk));
	int ret;

	if (!wk)
		return -ENOMEM;
	wk->name = name;
	wk->init = init;
	wk->fini = fini;
	wk->queue_tail = &wk->queue;
	wk->finished_tail = &wk->finished;
	pthread_mutex_init(&wk->lock, NULL);
	pthread_cond_init(&wk->cond, NULL);
	wk->w.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	wk->w.fn = on_done;
	if (wk->w.fd < 0) {
		ret = -errno;
		free(wk);
		return ret;
	}
	ret = -pthread_create(&wk->thread, NULL, worker_main, wk);
	if (ret) {
		close(wk->w.fd);
		free(wk);
		return ret;
	}
	pthread_mutex_lock(&wk->lock);
	while (!wk->started)
		pthread_cond_wait(&wk->cond, &wk->lock);
	pthread_mutex_unlock(&wk->lock);
	if (wk->init_err) {
		ret = wk->init_err;
		pthread_join(wk->thread, NULL);
		close(wk->w.fd);
		free(wk);
		return ret;
	}
	ret = ckptd_loop_add(d, &wk->w, EPOLLIN);
	if (ret) {
		ckptd_worker_stop(d, wk);
		return ret;
	}
	*out = wk;
	return 0;
}

void ckptd_worker_submit(struct ckptd_worker *wk, struct ckptd_work *w)
{
	pthread_mutex_lock(&wk->lock);
	push(&wk->queue_tail, w);
	pthread_cond_signal(&wk->cond);
	pthread_mutex_unlock(&wk->lock);
}

void ckptd_worker_stop(struct ckptd *d, struct ckptd_worker *wk)
{
	if (!wk)
		return;
	pthread_mutex_lock(&wk->lock);
	wk->stop = 1;
	pthread_cond_signal(&wk->cond);
	pthread_mutex_unlock(&wk->lock);
	pthread_join(wk->thread, NULL);
	reap(d, wk);
	ckptd_loop_del(d, &wk->w);
	close(wk->w.fd);
	free(wk);
}
