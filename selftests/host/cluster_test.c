// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster checkpoints without a network (daemon/cluster_msg.c,
 * cluster_store.c): malformed CLUSTER_PREPARE / DUMP / DUMPED / COMMIT
 * messages are refused with a reason; the global manifest round-trips
 * and every damaged or inconsistent one is refused; the store keeps them
 * atomically and "newest" skips a broken one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "kselftest_harness.h"
#include "cluster/msg.h"
#include "cluster/store.h"
#include "xxh64.h"

static struct ckpt_peer_cluster_prepare good_prepare(void)
{
	struct ckpt_peer_cluster_prepare p;

	memset(&p, 0, sizeof(p));
	p.job = 7;
	strcpy(p.coordinator, "alpha");
	strcpy(p.hosts, "alpha,beta,gamma");
	return p;
}

static void set_hosts(struct ckpt_peer_cluster_prepare *p, const char *h)
{
	memset(p->hosts, 0, sizeof(p->hosts));
	strcpy(p->hosts, h);
}

TEST(prepare_good)
{
	struct ckpt_peer_cluster_prepare p = good_prepare();
	struct ckptd_cluster_prepare out;
	struct ckpt_err werr = { 0 };

	p.flags = CKPT_PEER_CLUSTER_FREEZE;
	ASSERT_EQ(0, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_EQ(7, out.job);
	EXPECT_EQ(CKPT_PEER_CLUSTER_FREEZE, out.flags);
	EXPECT_EQ(3, out.hosts.n);
	EXPECT_STREQ("alpha", out.coordinator);
	EXPECT_STREQ("gamma", out.hosts.name[2]);
}

TEST(prepare_malformed)
{
	struct ckpt_peer_cluster_prepare p;
	struct ckptd_cluster_prepare out;
	struct ckpt_err werr = { 0 };
	char *why = werr.msg;

	p = good_prepare();
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p) - 1, &out, &werr));
	EXPECT_NE(NULL, strstr(why, "bytes"));
	p.job = 0;
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "job 0"));
	p = good_prepare();
	p.flags = 0x80;
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "flags"));
	p = good_prepare();
	memset(p.coordinator, 'a', sizeof(p.coordinator));	/* no NUL */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	p = good_prepare();
	strcpy(p.coordinator, "al pha");
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	p = good_prepare();
	p.hosts[sizeof(p.hosts) - 1] = 'x';			/* garbage after the NUL */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "NUL"));
	p = good_prepare();
	set_hosts(&p, "beta,alpha");				/* not sorted */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "sorted"));
	set_hosts(&p, "alpha");				/* one host */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	set_hosts(&p, "alpha,alpha");
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "twice"));
	set_hosts(&p, "beta,gamma");				/* coordinator missing */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	EXPECT_NE(NULL, strstr(why, "coordinator alpha is not in"));
	set_hosts(&p, "alpha,");
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
	set_hosts(&p, "alpha,,beta");
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_prepare(&p, sizeof(p), &out, &werr));
}

TEST(job_and_dumped)
{
	struct ckpt_peer_cluster_job j = { .job = 9 };
	struct ckpt_peer_cluster_dumped d = { .seq = 4, .max_id = 2 }, o;
	uint32_t job = 0;
	struct ckpt_err werr = { 0 };

	ASSERT_EQ(0, ckptd_cluster_check_job(&j, sizeof(j), &job, &werr));
	EXPECT_EQ(9, job);
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_job(&j, sizeof(j) + 1, &job, &werr));
	j.reserved = 1;
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_job(&j, sizeof(j), &job, &werr));
	j.reserved = 0;
	j.job = 0;
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_job(&j, sizeof(j), &job, &werr));
	ASSERT_EQ(0, ckptd_cluster_check_dumped(&d, sizeof(d), &o, &werr));
	EXPECT_EQ(4, o.seq);
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_dumped(&d, 8, &o, &werr));
	d.seq = 0;
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_dumped(&d, sizeof(d), &o, &werr));
}

static struct ckptd_gmanifest sample(void)
{
	struct ckptd_gmanifest g;

	memset(&g, 0, sizeof(g));
	g.job = 7;
	g.id = 3;
	g.time_ns = 1700000000123456789LL;
	strcpy(g.coordinator, "beta");
	g.n = 2;
	strcpy(g.e[0].host, "alpha");
	g.e[0].seq = 12;
	strcpy(g.e[1].host, "beta");
	g.e[1].seq = 5;
	return g;
}

TEST(gmanifest_roundtrip)
{
	struct ckptd_gmanifest g = sample(), h;
	struct ckpt_err werr = { 0 };
	char text[CKPTD_CLUSTER_TEXT_MAX];
	size_t len;

	ASSERT_EQ(0, ckptd_gmanifest_format(&g, text, sizeof(text), &len));
	ASSERT_EQ(0, ckptd_gmanifest_parse(text, len, &h, &werr));
	EXPECT_EQ(0, memcmp(&g, &h, sizeof(g)));
	EXPECT_EQ(12, ckptd_gmanifest_seq_of(&h, "alpha"));
	EXPECT_EQ(0, ckptd_gmanifest_seq_of(&h, "gamma"));
	g.freeze = 1;
	ASSERT_EQ(0, ckptd_gmanifest_format(&g, text, sizeof(text), &len));
	ASSERT_EQ(0, ckptd_gmanifest_parse(text, len, &h, &werr));
	EXPECT_EQ(1, h.freeze);
	EXPECT_EQ(-ENOSPC, ckptd_gmanifest_format(&g, text, 40, &len));
}

/* Replaces the first @from in @text by @to and fixes the sum line. */
static size_t edit(char *text, const char *from, const char *to, int fix_sum)
{
	char out[CKPTD_CLUSTER_TEXT_MAX], *p = strstr(text, from), *s;

	if (!p)
		return 0;
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	strcpy(text, out);
	if (fix_sum && (s = strstr(text, "sum ")))
		sprintf(s, "sum %016llx\n", (unsigned long long)ckptd_xxh64(text, s - text, 0));
	return strlen(text);
}

TEST(gmanifest_malformed)
{
	static const struct { const char *from, *to; int fix; const char *says; } cases[] = {
		{ "ckpt-cluster 1", "ckpt-cluster 2", 1, "first line" },
		{ "job 7", "job 0", 1, "job N" },
		{ "job 7", "job 7x", 1, "job N" },
		{ "id 3", "id 0", 1, "id N" },
		{ "kind checkpoint", "kind snapshot", 1, "kind" },
		{ "coordinator beta", "coordinator be ta", 1, "coordinator" },
		{ "coordinator beta", "coordinator gamma", 1, "has no host line" },
		{ "host alpha 12", "host alpha 0", 1, "bad host line" },
		{ "host alpha 12", "host alpha 12 extra", 1, "bad host line" },
		{ "host alpha 12\n", "", 1, "at least two" },
		{ "host alpha 12\nhost beta 5", "host beta 5\nhost alpha 12", 1, "out of order" },
		{ "host alpha 12", "host beta 12", 1, "out of order or named twice" },
		{ "host alpha 12", "host alpha 13", 0, "checksum mismatch" },
		{ "sum ", "sum x", 0, "bad sum line" },
	};
	struct ckptd_gmanifest g = sample(), h;
	struct ckpt_err werr = { 0 };
	char text[CKPTD_CLUSTER_TEXT_MAX];
	char *why = werr.msg;
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, ckptd_gmanifest_format(&g, text, sizeof(text), &len));
		len = edit(text, cases[i].from, cases[i].to, cases[i].fix);
		ASSERT_NE(0, len);
		why[0] = '\0';
		EXPECT_NE(0, ckptd_gmanifest_parse(text, len, &h, &werr))
			TH_LOG("case %zu (%s) was accepted", i, cases[i].to);
		EXPECT_NE(NULL, strstr(why, cases[i].says))
			TH_LOG("case %zu: '%s' does not say '%s'", i, why, cases[i].says);
	}
	ASSERT_EQ(0, ckptd_gmanifest_format(&g, text, sizeof(text), &len));
	EXPECT_NE(0, ckptd_gmanifest_parse(text, len - 1, &h, &werr));	/* truncated */
	text[len] = 'x';
	EXPECT_NE(0, ckptd_gmanifest_parse(text, len + 1, &h, &werr));	/* trailing */
	EXPECT_NE(NULL, strstr(why, "after the sum"));
	text[5] = '\0';
	EXPECT_NE(0, ckptd_gmanifest_parse(text, len, &h, &werr));	/* NUL inside */
}

TEST(commit_message)
{
	struct ckptd_gmanifest g = sample(), out;
	struct ckpt_peer_cluster_commit hdr = { .job = 7, .id = 3, .seq = 12 }, got;
	struct ckpt_err werr = { 0 };
	char msg[sizeof(hdr) + CKPTD_CLUSTER_TEXT_MAX];
	char *why = werr.msg;
	size_t len;

	ASSERT_EQ(0, ckptd_gmanifest_format(&g, msg + sizeof(hdr), CKPTD_CLUSTER_TEXT_MAX, &len));
	hdr.text_len = len;
	memcpy(msg, &hdr, sizeof(hdr));
	ASSERT_EQ(0, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "alpha", &got, &out,
						&werr));
	EXPECT_EQ(12, got.seq);
	/* the wrong host, the wrong image, the wrong id, a lying length */
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "beta", &got, &out,
						      &werr));
	EXPECT_NE(NULL, strstr(why, "does not name image 12 of beta"));
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "gamma", &got, &out,
						      &werr));
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, sizeof(hdr) + len - 1, "alpha", &got,
						      &out, &werr));
	EXPECT_NE(NULL, strstr(why, "text_len"));
	hdr.id = 4;
	memcpy(msg, &hdr, sizeof(hdr));
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "alpha", &got, &out,
						      &werr));
	EXPECT_NE(NULL, strstr(why, "carries the manifest of job 7 id 3"));
	hdr.id = 0;
	memcpy(msg, &hdr, sizeof(hdr));
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "alpha", &got, &out,
						      &werr));
	EXPECT_EQ(-EINVAL, ckptd_cluster_check_commit(msg, 8, "alpha", &got, &out, &werr));
	hdr.id = 3;
	memcpy(msg, &hdr, sizeof(hdr));
	msg[sizeof(hdr) + 3] = 'X';	/* damaged text */
	EXPECT_NE(0, ckptd_cluster_check_commit(msg, sizeof(hdr) + len, "alpha", &got, &out,
						&werr));
	EXPECT_NE(NULL, strstr(why, "global manifest"));
}

TEST(store_and_member)
{
	struct ckptd_gmanifest g = sample(), h;
	struct ckptd_cluster_hosts hosts;
	char dir[] = "/tmp/ckptd-cluster-XXXXXX", text[CKPTD_CLUSTER_TEXT_MAX];
	struct ckpt_err werr = { 0 };
	char path[256], cmd[300];
	char *why = werr.msg;
	uint64_t *ids;
	size_t len, n;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	EXPECT_EQ(-ENOENT, ckptd_gmanifest_load(dir, 7, 0, &h, text, &len, &werr));
	EXPECT_NE(NULL, strstr(why, "no committed cluster checkpoint"));
	for (g.id = 1; g.id <= 3; g.id++) {
		ASSERT_EQ(0, ckptd_gmanifest_format(&g, text, sizeof(text), &len));
		ASSERT_EQ(0, ckptd_gmanifest_store(dir, &g, text, len, &werr));
	}
	/* a damaged newest one is skipped; a stray file is ignored */
	ckptd_gmanifest_path(path, sizeof(path), dir, 7, 3);
	f = fopen(path, "r+");
	ASSERT_NE(NULL, f);
	fputs("XX", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "touch %s/7/cluster/2.tmp %s/7/cluster/x", dir, dir);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, ckptd_gmanifest_ids(dir, 7, &ids, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(1, ids[0]);
	EXPECT_EQ(3, ids[2]);
	free(ids);
	ASSERT_EQ(0, ckptd_gmanifest_load(dir, 7, 0, &h, text, &len, &werr));
	EXPECT_EQ(2, h.id);
	EXPECT_NE(0, ckptd_gmanifest_load(dir, 7, 3, &h, text, &len, &werr));
	EXPECT_NE(NULL, strstr(why, "is not valid"));
	EXPECT_EQ(-ENOENT, ckptd_gmanifest_load(dir, 7, 9, &h, text, &len, &werr));
	EXPECT_NE(NULL, strstr(why, "cluster ls"));

	EXPECT_EQ(-ENOENT, ckptd_cluster_member_get(dir, 7, &hosts, &werr));
	ASSERT_EQ(0, ckptd_cluster_hosts_parse("beta,alpha", &hosts, &werr));
	ASSERT_EQ(0, ckptd_cluster_member_set(dir, 7, &hosts, &werr));
	memset(&hosts, 0, sizeof(hosts));
	ASSERT_EQ(0, ckptd_cluster_member_get(dir, 7, &hosts, &werr));
	EXPECT_EQ(2, hosts.n);
	EXPECT_STREQ("alpha", hosts.name[0]);
	ASSERT_EQ(0, ckptd_cluster_member_set(dir, 7, NULL, &werr));
	EXPECT_EQ(-ENOENT, ckptd_cluster_member_get(dir, 7, &hosts, &werr));
	th_rmtree(dir);
}

TEST_HARNESS_MAIN
