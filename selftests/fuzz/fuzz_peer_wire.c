// SPDX-License-Identifier: GPL-2.0
/*
 * The peer channel (daemon/peer/): bytes another host sends over TCP,
 * here through a socketpair, read by ckpt_peer_recv()/ckpt_peer_expect()
 * (framing, peer_wire.c) and handled as ckptd's peer server does: the
 * handshake (peer_auth.c), image transfers (peer_recv.c: IMAGE_HAVE,
 * FILE_PUT with DATA and FILE_END, IMAGE_COMMIT, which verifies the
 * received image) and the checks of the CLUSTER_* requests
 * (cluster_msg.c); or as a client reads the replies.
 *
 * Input: a mode byte, then the byte stream from the peer.  Mode bits 0-1:
 * 0 the server after the handshake, 1 the server's handshake, 2 the
 * client's handshake, 3 a client reading replies; bit 2: give every
 * frame the checksum of its payload (so that mutations reach the
 * handlers behind the framing).
 */
#include <ftw.h>
#include <sys/socket.h>

#include "cluster/msg.h"
#include "fuzz.h"
#include "peer_auth.h"
#include "peer_wire.h"
#include "peer_xfer.h"
#include "xxh64.h"

static const struct ckpt_peer_key key = {
	.len = 32, .bytes = "0123456789abcdef0123456789abcdef",
};

static char store[256], state[256];
static struct ckpt_peer_conn *conn;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level && remove(path)) {
		fprintf(stderr, "fuzz: cannot remove %s: %s\n", path, strerror(errno));
		abort();
	}
	return 0;
}

/* Empties a directory tree, keeping the directory itself. */
static void empty_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Replies of ours are read and dropped, so that a send never blocks. */
static void drain(int fd)
{
	static uint8_t buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static int reply(struct ckpt_peer_conn *c, int ret, const char *why)
{
	if (ret)
		return ckpt_peer_send_error(c, ret, why) ?: ret;
	return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0);
}

/* One request after the handshake, as daemon/peer_server.c serves it. */
static int serve_one(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *rs)
{
	struct ckptd_cluster_prepare prep;
	struct ckpt_peer_cluster_commit hdr;
	struct ckptd_gmanifest g;
	struct ckpt_err werr = { 0 };
	char *why = werr.msg;
	uint32_t job;
	int ret = ckpt_peer_recv(c);

	if (ret)
		return ret;
	switch (c->hdr.type) {
	case CKPT_PEER_IMAGE_HAVE:
		return ckpt_peer_recv_have(c, rs);
	case CKPT_PEER_FILE_PUT:
		return ckpt_peer_recv_file(c, rs);
	case CKPT_PEER_IMAGE_COMMIT:
		return ckpt_peer_recv_commit(c, rs);
	case CKPT_PEER_CLUSTER_PREPARE:
		return reply(c, ckptd_cluster_check_prepare(c->buf, c->hdr.len, &prep,
							    &werr), why);
	case CKPT_PEER_CLUSTER_RESTORE:
	case CKPT_PEER_CLUSTER_COMMIT:
		return reply(c, ckptd_cluster_check_commit(c->buf, c->hdr.len, "alpha", &hdr,
							   &g, &werr), why);
	case CKPT_PEER_CLUSTER_DUMP:
	case CKPT_PEER_CLUSTER_ABORT:
	case CKPT_PEER_CLUSTER_GO:
		return reply(c, ckptd_cluster_check_job(c->buf, c->hdr.len, &job,
							&werr), why);
	}
	ckpt_peer_send_error(c, -EOPNOTSUPP, "unexpected request");
	return ckpt_peer_why(c, -EPROTO, "%s sent an unexpected %s", c->peer,
			     ckpt_peer_type_name(c->hdr.type));
}

/* The replies a sender and a cluster coordinator wait for, in turn. */
static int client_one(struct ckpt_peer_conn *c, unsigned int step)
{
	struct ckpt_peer_cluster_dumped d;
	struct ckpt_err werr = { 0 };
	int ret;

	switch (step % 4) {
	case 0:
		return ckpt_peer_expect(c, CKPT_PEER_HAVE, sizeof(struct ckpt_peer_have));
	case 1:
		return ckpt_peer_expect(c, CKPT_PEER_OK, 0);
	case 2:
		ret = ckpt_peer_expect(c, CKPT_PEER_CLUSTER_DUMPED, 0);
		return ret ?: ckptd_cluster_check_dumped(c->buf, c->hdr.len, &d, &werr);
	default:
		return ckpt_peer_expect(c, CKPT_PEER_RESTORED, sizeof(struct ckpt_peer_restored));
	}
}

/* Every whole frame gets the checksum of its payload. */
static void fix_sums(uint8_t *p, size_t len)
{
	struct ckpt_peer_hdr h;

	for (size_t off = 0; len - off >= sizeof(h);) {
		memcpy(&h, p + off, sizeof(h));
		if (h.len > len - off - sizeof(h))
			break;
		h.sum = ckptd_xxh64(p + off + sizeof(h), h.len, 0);
		memcpy(p + off, &h, sizeof(h));
		off += sizeof(h) + h.len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckpt_peer_recv_state rs = { 0 };
	struct ckpt_peer_conn *c;
	char name[CKPT_PEER_NAME];
	uint8_t *bytes;
	size_t len, done = 0;
	int sv[2], ret;

	/* the socket must take the whole input without a reader */
	if (!size || size > 128 * 1024)
		return 0;
	if (!store[0]) {
		snprintf(store, sizeof(store), "%s/store", fuzz_scratch());
		snprintf(state, sizeof(state), "%s/state", fuzz_scratch());
		if ((mkdir(store, 0700) && errno != EEXIST) ||
		    (mkdir(state, 0700) && errno != EEXIST))
			abort();
	}
	len = size - 1;
	bytes = malloc(len ? len : 1);
	memcpy(bytes, data + 1, len);
	if (data[0] & 4)
		fix_sums(bytes, len);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	while (done < len) {
		ssize_t n = send(sv[1], bytes + done, len - done, MSG_DONTWAIT);

		if (n <= 0)
			break;	/* full: the rest is cut off, like a dropped link */
		done += n;
	}
	free(bytes);
	shutdown(sv[1], SHUT_WR);
	/*
	 * One connection for every input, given the new socket: its 1 MiB
	 * buffer is not allocated again for each (ASan maps and unmaps it).
	 */
	if (!conn) {
		conn = ckpt_peer_conn_new(-1, "fuzz (socketpair)", 1000);
		if (!conn)
			abort();
	}
	c = conn;
	c->fd = sv[0];
	memset(&c->hdr, 0, sizeof(c->hdr));
	ckpt_err_clear(&c->err);
	switch (data[0] & 3) {
	case 0:
		rs.store = store;
		rs.state_dir = state;
		do {
			ret = serve_one(c, &rs);
			drain(sv[1]);
		} while (!ret);
		ckpt_peer_recv_abort(&rs);
		break;
	case 1:
		ret = ckpt_peer_auth_server(c, &key, "alpha", name, sizeof(name));
		break;
	case 2:
		ret = ckpt_peer_auth_client(c, &key, "alpha", "beta", name, sizeof(name));
		break;
	default:
		for (unsigned int step = 0; !(ret = client_one(c, step)); step++)
			;
		break;
	}
	fuzz_debug("peer: ended with %d: %s\n", ret, c->err.msg);
	fuzz_keep((uint64_t)ret + strlen(c->err.msg));
	close(c->fd);
	c->fd = -1;
	close(sv[1]);
	if ((data[0] & 3) == 0) {
		empty_tree(store);
		empty_tree(state);
	}
	return 0;
}
