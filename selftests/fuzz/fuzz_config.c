// SPDX-License-Identifier: GPL-2.0
/*
 * ckptd.conf (config/config.c, peers.c, migrate.c): the
 * text as ckptd_config_load() hands it to the parser (no NUL byte, at most
 * 256 KiB, NUL-terminated), parsed over the defaults; then every [peers]
 * entry is looked up by name as the peer code does.
 */
#include "ckptd_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ckptd_config c;
	struct ckpt_err err;
	char *text;
	int ret;

	/* ckptd_config_load() refuses these before parsing */
	if (size > 256 * 1024 || memchr(data, 0, size))
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	ckptd_config_defaults(&c);
	ret = ckptd_config_parse(&c, "ckptd.conf", text, &err);
	free(text);
	if (ret) {
		fuzz_keep(strlen(err.msg));
		return 0;
	}
	for (unsigned int i = 0; i < c.nr_peers; i++) {
		const struct ckptd_peer_cfg *p = ckptd_config_peer(&c, c.peers[i].name);

		if (p != &c.peers[i])
			abort();	/* names must be unique */
		fuzz_keep(p->port + strlen(p->host));
	}
	fuzz_keep(c.keep + c.compression_level + c.nr_lower + c.peer_port +
		  c.migrate_dirty_bytes + strlen(c.node_name));
	return 0;
}
