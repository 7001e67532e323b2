// SPDX-License-Identifier: GPL-2.0
/*
 * The [peers] section of ckptd.conf: this host's name, the shared key
 * file, where to listen, and the other hosts (ckptd.conf(5)).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckptd_config.h"

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CKPTD_PEER_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

int ckptd_config_parse_addr(const char *val, char *host, size_t size,
			    unsigned int *port, struct ckpt_err *e)
{
	const char *p = NULL, *end;
	size_t n;

	if (val[0] == '[') {
		end = strchr(val, ']');
		if (!end || (end[1] && end[1] != ':'))
			return ckpt_err_set(e, EINVAL, "'%s': write an IPv6 address as [ADDR] or [ADDR]:PORT", val);
		n = end - val - 1;
		val++;
		if (end[1])
			p = end + 2;
	} else {
		end = strchr(val, ':');
		if (end && strchr(end + 1, ':'))
			return ckpt_err_set(e, EINVAL, "'%s': write an IPv6 address as [ADDR] or [ADDR]:PORT", val);
		n = end ? (size_t)(end - val) : strlen(val);
		if (end)
			p = end + 1;
	}
	if (!n || n >= size)
		return ckpt_err_set(e, EINVAL, "'%s': missing or too long address", val);
	memcpy(host, val, n);
	host[n] = 0;
	if (p) {
		char *end_port;
		unsigned long v = strtoul(p, &end_port, 10);

		if (!isdigit((unsigned char)*p) || *end_port || v < 1 || v > 65535)
			return ckpt_err_set(e, EINVAL, "'%s': the port must be a number from 1 to 65535", p);
		*port = v;
	}
	return 0;
}

const struct ckptd_peer_cfg *ckptd_config_peer(const struct ckptd_config *c,
					       const char *name)
{
	for (unsigned int i = 0; i < c->nr_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

void ckptd_config_peers_defaults(struct ckptd_config *c)
{
	snprintf(c->peer_key_file, sizeof(c->peer_key_file), "%s", CKPTD_PEER_KEY_FILE);
	c->peer_port = CKPTD_PEER_PORT;
	c->peer_timeout_ms = CKPTD_PEER_TIMEOUT_MS;
	c->migrate_iterations = CKPTD_MIGRATE_ITERATIONS;
	c->migrate_dirty_bytes = CKPTD_MIGRATE_DIRTY_BYTES;
	if (gethostname(c->node_name, sizeof(c->node_name)) || !valid_name(c->node_name))
		snprintf(c->node_name, sizeof(c->node_name), "localhost");
}

int ckptd_config_peers_set(struct ckptd_config *c, const char *key, const char *val,
			   struct ckpt_err *e)
{
	struct ckptd_peer_cfg *pc;

	if (!strcmp(key, "name")) {
		if (!valid_name(val))
			return ckpt_err_set(e, EINVAL, "name: '%s' is not a host name (letters, digits, '-', '_', '.'; at most %d)",
				   val, CKPTD_PEER_NAME_MAX);
		snprintf(c->node_name, sizeof(c->node_name), "%s", val);
		return 0;
	}
	if (!strcmp(key, "key_file")) {
		if (val[0] != '/' || strlen(val) >= sizeof(c->peer_key_file))
			return ckpt_err_set(e, EINVAL, "key_file: give an absolute path");
		snprintf(c->peer_key_file, sizeof(c->peer_key_file), "%s", val);
		return 0;
	}
	if (!strcmp(key, "listen"))
		return ckptd_config_parse_addr(val, c->peer_listen, sizeof(c->peer_listen),
					       &c->peer_port, e);
	if (!strcmp(key, "timeout_ms")) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (!isdigit((unsigned char)val[0]) || *end || v < 100 || v > 3600000)
			return ckpt_err_set(e, EINVAL, "timeout_ms: '%s' is not a number from 100 to 3600000", val);
		c->peer_timeout_ms = v;
		return 0;
	}
	if (!strncmp(key, "migrate_", 8))
		return ckptd_config_migrate_set(c, key, val, e);
	if (strncmp(key, "peer", 4) || !isspace((unsigned char)key[4]))
		return ckpt_err_set(e, EINVAL, "unknown key '%s' in [peers]: use name, key_file, listen, timeout_ms, migrate_iterations, migrate_dirty_threshold or 'peer NAME = ADDRESS[:PORT]'",
			   key);
	key += 5;
	while (isspace((unsigned char)*key))
		key++;
	if (!valid_name(key))
		return ckpt_err_set(e, EINVAL, "peer '%s': not a host name (letters, digits, '-', '_', '.'; at most %d)",
			   key, CKPTD_PEER_NAME_MAX);
	if (ckptd_config_peer(c, key))
		return ckpt_err_set(e, EINVAL, "peer %s: given twice; keep one", key);
	if (c->nr_peers == CKPTD_PEERS_MAX)
		return ckpt_err_set(e, EINVAL, "more than %d peers", CKPTD_PEERS_MAX);
	pc = &c->peers[c->nr_peers];
	snprintf(pc->name, sizeof(pc->name), "%s", key);
	pc->port = CKPTD_PEER_PORT;
	if (ckptd_config_parse_addr(val, pc->host, sizeof(pc->host), &pc->port, e)) {
		ckpt_err_prefix(e, "peer %s", key);
		return -EINVAL;
	}
	c->nr_peers++;
	return 0;
}
