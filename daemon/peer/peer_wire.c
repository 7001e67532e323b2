// SPDX-License-Identifier: GPL-2.0
/* Framing on a peer connection (peer_wire.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_wire.h"
#include "xxh64.h"

struct ckpt_peer_conn *ckpt_peer_conn_new(int fd, const char *peer, int timeout_ms)
{
	struct ckpt_peer_conn *c = calloc(1, sizeof(*c));

	if (c)
		c->buf = malloc(CKPT_PEER_PAYLOAD_MAX);
	if (!c || !c->buf) {
		free(c);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	return c;
}

void ckpt_peer_conn_free(struct ckpt_peer_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

int ckpt_peer_why(struct ckpt_peer_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = ckpt_err_vset(&c->err, err, fmt, ap);
	va_end(ap);
	return err;
}

const char *ckpt_peer_type_name(unsigned int type)
{
	static const char *const names[__CKPT_PEER_TYPE_MAX] = {
		[CKPT_PEER_HELLO] = "HELLO", [CKPT_PEER_CHALLENGE] = "CHALLENGE",
		[CKPT_PEER_AUTH] = "AUTH", [CKPT_PEER_OK] = "OK",
		[CKPT_PEER_ERROR] = "ERROR", [CKPT_PEER_JOB_CHECK] = "JOB_CHECK",
		[CKPT_PEER_IMAGE_HAVE] = "IMAGE_HAVE", [CKPT_PEER_HAVE] = "HAVE",
		[CKPT_PEER_FILE_PUT] = "FILE_PUT", [CKPT_PEER_DATA] = "DATA",
		[CKPT_PEER_FILE_END] = "FILE_END",
		[CKPT_PEER_IMAGE_COMMIT] = "IMAGE_COMMIT",
		[CKPT_PEER_RESTORE] = "RESTORE", [CKPT_PEER_RESTORED] = "RESTORED",
		[CKPT_PEER_CLUSTER_PREPARE] = "CLUSTER_PREPARE",
		[CKPT_PEER_CLUSTER_DUMP] = "CLUSTER_DUMP",
		[CKPT_PEER_CLUSTER_DUMPED] = "CLUSTER_DUMPED",
		[CKPT_PEER_CLUSTER_COMMIT] = "CLUSTER_COMMIT",
		[CKPT_PEER_CLUSTER_ABORT] = "CLUSTER_ABORT",
		[CKPT_PEER_CLUSTER_RESTORE] = "CLUSTER_RESTORE",
		[CKPT_PEER_CLUSTER_GO] = "CLUSTER_GO",
	};

	return type < __CKPT_PEER_TYPE_MAX && names[type] ? names[type] : "unknown";
}

int ckpt_peer_name_get(char *dst, size_t size, const char *field, size_t field_len)
{
	size_t n = strnlen(field, field_len);

	if (n == field_len || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (field[i] < 0x21 || field[i] > 0x7e)
			return -EINVAL;
	memcpy(dst, field, n);
	dst[n] = 0;
	return 0;
}

/* Waits until @fd is ready for @events; -ETIMEDOUT after the timeout. */
static int wait_fd(struct ckpt_peer_conn *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int n;

	do
		n = poll(&p, 1, c->timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static int io_all(struct ckpt_peer_conn *c, void *buf, size_t len, int sending)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n;
		int ret = wait_fd(c, sending ? POLLOUT : POLLIN);

		if (ret)
			return ckpt_peer_why(c, ret, "%s: %s %s", c->peer,
					     ret == -ETIMEDOUT ? "no progress for" : "poll failed:",
					     ret == -ETIMEDOUT ? "the peer timeout" : strerror(-ret));
		n = sending ? send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT)
			    : recv(c->fd, p, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return ckpt_peer_why(c, -errno, "%s: %s: %s", c->peer,
					     sending ? "send" : "receive", strerror(errno));
		if (n == 0)
			return ckpt_peer_why(c, -ECONNRESET, "%s closed the connection",
					     c->peer);
		p += n;
		len -= n;
	}
	return 0;
}

int ckpt_peer_send_sum(struct ckpt_peer_conn *c, uint16_t type,
		       const void *payload, uint32_t len, uint64_t sum)
{
	struct ckpt_peer_hdr h = {
		.magic = CKPT_PEER_MAGIC, .version = CKPT_PEER_VERSION,
		.type = type, .len = len, .sum = sum,
	};
	int ret;

	if (len > CKPT_PEER_PAYLOAD_MAX)
		return ckpt_peer_why(c, -EMSGSIZE, "message of %u bytes for %s is too long",
				     len, c->peer);
	ret = io_all(c, &h, sizeof(h), 1);
	if (!ret && len)
		ret = io_all(c, (void *)payload, len, 1);
	return ret;
}

int ckpt_peer_send(struct ckpt_peer_conn *c, uint16_t type,
		   const void *payload, uint32_t len)
{
	return ckpt_peer_send_sum(c, type, payload, len,
				  ckptd_xxh64(payload, len, 0));
}

int ckpt_peer_send_error(struct ckpt_peer_conn *c, int err, const char *msg)
{
	struct {
		struct ckpt_peer_error e;
		char text[CKPT_PEER_MSG];
	} m = { .e.err = err };
	size_t n = strnlen(msg, CKPT_PEER_MSG);

	memcpy(m.text, msg, n);
	return ckpt_peer_send(c, CKPT_PEER_ERROR, &m, sizeof(m.e) + n);
}

int ckpt_peer_recv(struct ckpt_peer_conn *c)
{
	struct ckpt_peer_hdr *h = &c->hdr;
	int ret = io_all(c, h, sizeof(*h), 0);

	if (ret)
		return ret;
	if (h->magic != CKPT_PEER_MAGIC)
		return ckpt_peer_why(c, -EPROTO, "%s does not speak the ckpt peer protocol (magic 0x%08x); check the address and port",
				     c->peer, h->magic);
	if (h->version != CKPT_PEER_VERSION)
		return ckpt_peer_why(c, -EPROTONOSUPPORT, "%s speaks peer protocol version %u, this ckptd %u; run the same ckpt release on every host",
				     c->peer, h->version, CKPT_PEER_VERSION);
	if (h->len > CKPT_PEER_PAYLOAD_MAX || h->reserved ||
	    !h->type || h->type >= __CKPT_PEER_TYPE_MAX)
		return ckpt_peer_why(c, -EPROTO, "%s sent a malformed message (type %u, %u bytes)",
				     c->peer, h->type, h->len);
	ret = io_all(c, c->buf, h->len, 0);
	if (ret)
		return ret;
	if (ckptd_xxh64(c->buf, h->len, 0) != h->sum)
		return ckpt_peer_why(c, -EBADMSG, "%s: %s message of %u bytes arrived corrupted (checksum mismatch); discarded",
				     c->peer, ckpt_peer_type_name(h->type), h->len);
	return 0;
}

int ckpt_peer_expect(struct ckpt_peer_conn *c, uint16_t type, uint32_t min_len)
{
	int ret = ckpt_peer_recv(c);

	if (ret)
		return ret;
	if (c->hdr.type == CKPT_PEER_ERROR && type != CKPT_PEER_ERROR) {
		struct ckpt_peer_error *e = (void *)c->buf;
		int len = c->hdr.len >= sizeof(*e) ? (int)(c->hdr.len - sizeof(*e)) : 0;
		int err = c->hdr.len >= sizeof(*e) && e->err < 0 && e->err > -4096 ?
			  e->err : -EPROTO;

		return ckpt_peer_why(c, err, "%.*s", len, len ? e->msg : "(no message)");
	}
	if (c->hdr.type != type || c->hdr.len < min_len)
		return ckpt_peer_why(c, -EPROTO, "%s answered %s (%u bytes) where %s was expected",
				     c->peer, ckpt_peer_type_name(c->hdr.type), c->hdr.len,
				     ckpt_peer_type_name(type));
	return 0;
}
