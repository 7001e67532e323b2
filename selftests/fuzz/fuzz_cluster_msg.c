// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster messages (daemon/cluster_msg.c): the payloads of the CLUSTER_*
 * peer messages as a participant or the coordinator receives them, the
 * global manifest text (also read back from the image store) and host
 * lists.  The first byte picks the parser.  A global manifest that parses
 * must survive a round trip through ckptd_gmanifest_format().
 */
#include "cluster/msg.h"
#include "fuzz.h"

static void roundtrip(const struct ckptd_gmanifest *g)
{
	struct ckpt_err werr = { 0 };
	char text[CKPTD_CLUSTER_TEXT_MAX + 1];
	char *why = werr.msg;
	struct ckptd_gmanifest back;
	size_t len;

	if (ckptd_gmanifest_format(g, text, sizeof(text), &len))
		return;		/* too long to write back: fine */
	if (ckptd_gmanifest_parse(text, len, &back, &werr) ||
	    back.job != g->job || back.id != g->id || back.n != g->n ||
	    back.freeze != g->freeze || back.time_ns != g->time_ns ||
	    strcmp(back.coordinator, g->coordinator)) {
		fprintf(stderr, "global manifest does not survive format+parse: %s\n%.*s",
			why, (int)len, text);
		abort();
	}
	for (unsigned int i = 0; i < g->n; i++)
		if (strcmp(back.e[i].host, g->e[i].host) || back.e[i].seq != g->e[i].seq)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckptd_cluster_prepare prep;
	struct ckpt_peer_cluster_dumped dumped;
	struct ckpt_peer_cluster_commit hdr;
	struct ckptd_gmanifest g;
	struct ckpt_err werr = { 0 };
	char *copy;
	uint32_t job;
	uint8_t *buf;

	if (!size)
		return 0;
	/* a copy of exactly the payload, so that ASan sees every overread */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
		if (!ckptd_cluster_check_prepare(buf, size - 1, &prep, &werr)) {
			char list[CKPTD_CLUSTER_HOSTS_MAX * CKPT_PEER_NAME];

			ckptd_cluster_hosts_format(&prep.hosts, list, sizeof(list));
			fuzz_keep(strlen(list) + ckptd_cluster_hosts_has(&prep.hosts, prep.coordinator));
		}
		break;
	case 1:
		if (!ckptd_cluster_check_job(buf, size - 1, &job, &werr))
			fuzz_keep(job);
		break;
	case 2:
		if (!ckptd_cluster_check_dumped(buf, size - 1, &dumped, &werr))
			fuzz_keep(dumped.seq);
		break;
	case 3:
		if (!ckptd_cluster_check_commit(buf, size - 1, "alpha", &hdr, &g, &werr))
			roundtrip(&g);
		break;
	case 4:
		if (!ckptd_gmanifest_parse((const char *)buf, size - 1, &g, &werr)) {
			fuzz_keep(ckptd_gmanifest_seq_of(&g, "beta"));
			roundtrip(&g);
		}
		break;
	case 5: {
		struct ckptd_cluster_hosts h;

		copy = strndup((const char *)buf, size - 1);
		if (copy && !ckptd_cluster_hosts_parse(copy, &h, &werr)) {
			char list[CKPTD_CLUSTER_HOSTS_MAX * CKPT_PEER_NAME];

			ckptd_cluster_hosts_format(&h, list, sizeof(list));
			fuzz_keep(strlen(list));
		}
		free(copy);
		break;
	}
	}
	free(buf);
	return 0;
}
