// SPDX-License-Identifier: GPL-2.0
/*
 * Peer authentication (peer_auth.h): both sides prove they hold the
 * shared key without sending it, the server first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "peer_auth.h"

static const char server_label[] = "ckpt-peer server";
static const char client_label[] = "ckpt-peer client";

int ckpt_peer_key_load(struct ckpt_peer_key *k, const char *path,
		       struct ckpt_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		return ckpt_err_set(e, -errno, "peer key file %s: %s; create it with 'head -c 32 /dev/urandom > %s; chmod 600 %s' and copy it to every peer",
			     path, strerror(errno), path, path);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return ckpt_err_set(e, EINVAL, "peer key file %s is not a regular file", path);
	}
	if ((st.st_mode & 077) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		close(fd);
		return ckpt_err_set(e, EPERM, "peer key file %s is readable by others (mode %04o, uid %u); 'chown root %s; chmod 600 %s'",
				    path, (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid, path, path);
	}
	n = read(fd, k->bytes, sizeof(k->bytes));
	if (n >= 0 && n == (ssize_t)sizeof(k->bytes)) {
		char extra;

		if (read(fd, &extra, 1) == 1)
			n = -2;
	}
	close(fd);
	if (n == -1)
		return ckpt_err_set(e, EIO, "peer key file %s: %s", path, strerror(errno));
	if (n > 0 && k->bytes[n - 1] == '\n')
		n--;
	if (n < CKPT_PEER_KEY_MIN || n == -2)
		return ckpt_err_set(e, EINVAL, "peer key file %s must hold %d to %d bytes of key; 'head -c 32 /dev/urandom > %s'",
				    path, CKPT_PEER_KEY_MIN, CKPT_PEER_KEY_MAX, path);
	k->len = n;
	return 0;
}

static void mac(const struct ckpt_peer_key *k, const char *label,
		const uint8_t *n1, const uint8_t *n2, const char *name,
		uint8_t out[CKPT_PEER_MAC])
{
	uint8_t msg[sizeof(server_label) + 2 * CKPT_PEER_NONCE + CKPT_PEER_NAME];
	unsigned int len = CKPT_PEER_MAC;
	size_t l = strlen(label), nl = strnlen(name, CKPT_PEER_NAME);

	memcpy(msg, label, l);
	memcpy(msg + l, n1, CKPT_PEER_NONCE);
	memcpy(msg + l + CKPT_PEER_NONCE, n2, CKPT_PEER_NONCE);
	memcpy(msg + l + 2 * CKPT_PEER_NONCE, name, nl);
	HMAC(EVP_sha256(), k->bytes, (int)k->len, msg,
	     l + 2 * CKPT_PEER_NONCE + nl, out, &len);
}

static int put_name(char *field, const char *name)
{
	size_t n = strlen(name);

	if (n >= CKPT_PEER_NAME)
		return -ENAMETOOLONG;
	memset(field, 0, CKPT_PEER_NAME);
	memcpy(field, name, n);
	return 0;
}

int ckpt_peer_auth_client(struct ckpt_peer_conn *c, const struct ckpt_peer_key *k,
			  const char *name, const char *expect,
			  char *server_name, size_t size)
{
	struct ckpt_peer_hello hello;
	struct ckpt_peer_challenge ch;
	struct ckpt_peer_auth auth;
	uint8_t want[CKPT_PEER_MAC];
	int ret;

	if (put_name(hello.name, name))
		return ckpt_peer_why(c, -ENAMETOOLONG, "this host's name '%s' is too long", name);
	if (RAND_bytes(hello.nonce, sizeof(hello.nonce)) != 1)
		return ckpt_peer_why(c, -EIO, "no random numbers for the handshake");
	ret = ckpt_peer_send(c, CKPT_PEER_HELLO, &hello, sizeof(hello));
	if (!ret)
		ret = ckpt_peer_expect(c, CKPT_PEER_CHALLENGE, sizeof(ch));
	if (ret)
		return ret;
	memcpy(&ch, c->buf, sizeof(ch));
	if (ckpt_peer_name_get(server_name, size, ch.name, sizeof(ch.name)))
		return ckpt_peer_why(c, -EPROTO, "%s sent a malformed name", c->peer);
	mac(k, server_label, hello.nonce, ch.nonce, server_name, want);
	if (CRYPTO_memcmp(want, ch.mac, sizeof(want)))
		return ckpt_peer_why(c, -EACCES, "%s failed authentication: it does not hold our peer key; copy the same key file to every host",
				     c->peer);
	if (expect && strcmp(expect, server_name))
		return ckpt_peer_why(c, -EACCES, "%s calls itself '%s', not '%s'; check [peers] in ckptd.conf on both hosts",
				     c->peer, server_name, expect);
	mac(k, client_label, ch.nonce, hello.nonce, name, auth.mac);
	ret = ckpt_peer_send(c, CKPT_PEER_AUTH, &auth, sizeof(auth));
	if (!ret)
		ret = ckpt_peer_expect(c, CKPT_PEER_OK, 0);
	return ret;
}

int ckpt_peer_auth_server(struct ckpt_peer_conn *c, const struct ckpt_peer_key *k,
			  const char *name, char *client_name, size_t size)
{
	struct ckpt_peer_hello hello;
	struct ckpt_peer_challenge ch;
	uint8_t want[CKPT_PEER_MAC];
	int ret = ckpt_peer_expect(c, CKPT_PEER_HELLO, sizeof(hello));

	if (ret)
		return ret;
	memcpy(&hello, c->buf, sizeof(hello));
	if (ckpt_peer_name_get(client_name, size, hello.name, sizeof(hello.name)))
		return ckpt_peer_why(c, -EPROTO, "%s sent a malformed name", c->peer);
	if (put_name(ch.name, name))
		return ckpt_peer_why(c, -ENAMETOOLONG, "this host's name '%s' is too long", name);
	if (RAND_bytes(ch.nonce, sizeof(ch.nonce)) != 1)
		return ckpt_peer_why(c, -EIO, "no random numbers for the handshake");
	mac(k, server_label, hello.nonce, ch.nonce, name, ch.mac);
	ret = ckpt_peer_send(c, CKPT_PEER_CHALLENGE, &ch, sizeof(ch));
	if (!ret)
		ret = ckpt_peer_expect(c, CKPT_PEER_AUTH, sizeof(struct ckpt_peer_auth));
	if (ret)
		return ret;
	mac(k, client_label, ch.nonce, hello.nonce, client_name, want);
	if (CRYPTO_memcmp(want, c->buf, sizeof(want))) {
		ckpt_peer_send_error(c, -EACCES, "authentication failed: you do not hold this host's peer key");
		return ckpt_peer_why(c, -EACCES, "%s (calling itself '%s') failed authentication: wrong peer key",
				     c->peer, client_name);
	}
	return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0);
}
