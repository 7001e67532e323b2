// SPDX-License-Identifier: GPL-2.0
/* Keeping a peer connection alive while this host is busy (keepalive.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "migrate/keepalive.h"

#define PERIOD_MS_MAX	5000

static void *keepalive_main(void *arg)
{
	struct ckptd_keepalive *k = arg;
	int period = k->r->timeout_ms / 3 < PERIOD_MS_MAX ? k->r->timeout_ms / 3 : PERIOD_MS_MAX;
	struct timespec ts;

	pthread_mutex_lock(&k->lock);
	while (!k->stop && !k->err.errnum) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += period / 1000;
		ts.tv_nsec += (period % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&k->wake, &k->lock, &ts) != ETIMEDOUT || k->stop)
			continue;
		ckptd_remote_check_job(k->r, k->job, &k->err);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

void ckptd_keepalive_start(struct ckptd_keepalive *k, struct ckptd_remote *r, uint32_t job)
{
	memset(k, 0, sizeof(*k));
	k->r = r;
	k->job = job;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wake, NULL);
	k->started = !pthread_create(&k->thread, NULL, keepalive_main, k);
}

int ckptd_keepalive_stop(struct ckptd_keepalive *k, struct ckpt_err *err)
{
	if (k->started) {
		pthread_mutex_lock(&k->lock);
		k->stop = 1;
		pthread_cond_signal(&k->wake);
		pthread_mutex_unlock(&k->lock);
		pthread_join(k->thread, NULL);
	}
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->wake);
	if (!k->err.errnum)
		return 0;
	return ckpt_err_set(err, k->err.errnum, "while this host was busy: %s", k->err.msg);
}
