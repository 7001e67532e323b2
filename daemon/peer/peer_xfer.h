/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving committed images between hosts over an authenticated peer
 * connection: the sender walks an image's parent chain and ships what the
 * receiver lacks, oldest first; the receiver writes into a hidden staging
 * directory, checks every chunk and every file, verifies the whole image
 * with the image library and only then renames it into the store.  A
 * broken or corrupted transfer never becomes a committed image.
 */
#ifndef CKPT_PEER_XFER_H
#define CKPT_PEER_XFER_H

#include <stdint.h>

#include "peer_wire.h"

#define CKPT_PEER_STAGING_PREFIX ".incoming-"

struct ckpt_peer_send_opts {
	/* called now and then with bytes sent of @total */
	void (*progress)(void *arg, uint64_t sent, uint64_t total);
	void *progress_arg;
	/* test hook: corrupt the Nth DATA chunk sent (1-based; 0: none) */
	uint64_t corrupt_chunk;
};

struct ckpt_peer_send_stats {
	unsigned int images_sent, images_present;
	uint64_t bytes;
};

/*
 * Ships image <store>/<job>/<seq> and every parent the receiver does not
 * hold.  Errors in c->err.
 */
int ckpt_peer_send_chain(struct ckpt_peer_conn *c, const char *store,
			 uint32_t job, uint64_t seq,
			 const struct ckpt_peer_send_opts *o,
			 struct ckpt_peer_send_stats *st);

/*
 * Ships the output log of a job started by `ckptd run` (its stdout and
 * stderr, which the restored job keeps writing), with its mtime.
 */
int ckpt_peer_send_job_log(struct ckpt_peer_conn *c, uint32_t job, const char *path);

/* Receiver: one transfer in progress on a connection. */
struct ckpt_peer_recv_state {
	const char *store;
	const char *state_dir;		/* where job logs go */
	uint32_t job;
	uint64_t seq;
	char staging[4200];		/* "" when none */
	unsigned int nr_files;
};

/*
 * The receiver's handlers for IMAGE_HAVE, FILE_PUT (reads the DATA and
 * FILE_END that follow) and IMAGE_COMMIT, the message being in c->buf.
 * Each answers the peer itself; a negative return means the connection
 * must be dropped (the staging directory is gone then).
 */
int ckpt_peer_recv_have(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s);
int ckpt_peer_recv_file(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s);
int ckpt_peer_recv_commit(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s);
/* Drops an unfinished transfer (its staging directory). */
void ckpt_peer_recv_abort(struct ckpt_peer_recv_state *s);

/* At start: removes staging directories left by a crash. */
int ckpt_peer_cleanup_staging(const char *store, unsigned int *removed);

#endif /* CKPT_PEER_XFER_H */
