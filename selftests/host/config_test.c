// SPDX-License-Identifier: GPL-2.0
/* config/ (libckpt_config) and common/size.c: ckptd.conf parsing, good files, errors with file:line, and reload. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ckptd_config.h"
#include "image.h"
#include "kselftest_harness.h"
#include "size.h"

FIXTURE(cfg) {
	struct ckptd_config c;
	struct ckpt_err err;
};

FIXTURE_SETUP(cfg)
{
	ckptd_config_defaults(&self->c);
	ckpt_err_clear(&self->err);
}

FIXTURE_TEARDOWN(cfg) {}

TEST_F(cfg, defaults)
{
	EXPECT_STREQ("/var/lib/ckpt/images", self->c.image_store);
	EXPECT_STREQ("/var/lib/ckpt", self->c.state_dir);
	EXPECT_STREQ("/run/ckptd.sock", self->c.socket);
	EXPECT_STREQ("ckpt-restore", self->c.restorer);
	EXPECT_EQ(0, self->c.keep);
	EXPECT_EQ(0, self->c.lower_set);
}

TEST_F(cfg, good_file)
{
	const char *text =
		"# a comment\n"
		"\n"
		"[ckptd]\n"
		"image_store = /srv/ckpt  \n"
		"  keep=3\n"
		"compression = none\n"
		"lower_patterns = libmpi*.so*   libfoo.so\n"
		"restorer = /usr/libexec/ckpt-restore\n"
		"freeze_timeout_ms = 2500\n";

	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", text, &self->err));
	EXPECT_STREQ("/srv/ckpt", self->c.image_store);
	EXPECT_EQ(3, self->c.keep);
	EXPECT_EQ(2500, self->c.freeze_timeout_ms);
	EXPECT_EQ(1, self->c.lower_set);
	ASSERT_EQ(2, self->c.nr_lower);
	EXPECT_STREQ("libmpi*.so*", self->c.lower_ptrs[0]);
	EXPECT_STREQ("libfoo.so", self->c.lower_ptrs[1]);
	EXPECT_STREQ("/usr/libexec/ckpt-restore", self->c.restorer);
}

TEST_F(cfg, compression)
{
	EXPECT_EQ(CKPTD_COMPRESS_NONE, self->c.compression);
	EXPECT_EQ(CKPTD_ZSTD_LEVEL_DEFAULT, self->c.compression_level);
	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", "compression = zstd\n",
					&self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(CKPTD_COMPRESS_ZSTD, self->c.compression);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, (int)self->c.compression);
	EXPECT_EQ(3, self->c.compression_level);
	ckptd_config_defaults(&self->c);
	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf",
					"compression = zstd\ncompression_level = 19\n",
					&self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(19, self->c.compression_level);
}

TEST_F(cfg, peers_section)
{
	static const char text[] =
		"[peers]\n"
		"name = alpha\n"
		"key_file = /etc/ckpt/k\n"
		"listen = 127.0.0.1:7000\n"
		"timeout_ms = 2000\n"
		"peer beta = 10.0.0.2\n"
		"peer gamma = [fe80::1]:7001\n";
	const struct ckptd_peer_cfg *p;

	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", text, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1, self->c.peers_on);
	EXPECT_STREQ("alpha", self->c.node_name);
	EXPECT_STREQ("/etc/ckpt/k", self->c.peer_key_file);
	EXPECT_STREQ("127.0.0.1", self->c.peer_listen);
	EXPECT_EQ(7000, self->c.peer_port);
	EXPECT_EQ(2000, self->c.peer_timeout_ms);
	ASSERT_EQ(2, self->c.nr_peers);
	p = ckptd_config_peer(&self->c, "beta");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("10.0.0.2", p->host);
	EXPECT_EQ(CKPTD_PEER_PORT, p->port);
	p = ckptd_config_peer(&self->c, "gamma");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("fe80::1", p->host);
	EXPECT_EQ(7001, p->port);
	EXPECT_EQ(NULL, ckptd_config_peer(&self->c, "delta"));
}

TEST_F(cfg, migrate_keys)
{
	uint64_t v;

	EXPECT_EQ(CKPTD_MIGRATE_ITERATIONS, self->c.migrate_iterations);
	EXPECT_EQ(CKPTD_MIGRATE_DIRTY_BYTES, self->c.migrate_dirty_bytes);
	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf",
					"[peers]\nmigrate_iterations = 3\nmigrate_dirty_threshold = 512K\n",
					&self->err));
	EXPECT_EQ(3, self->c.migrate_iterations);
	EXPECT_EQ(512 << 10, self->c.migrate_dirty_bytes);
	EXPECT_EQ(0, ckpt_parse_size("0", &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, ckpt_parse_size("2MiB", &v));
	EXPECT_EQ(2 << 20, v);
	EXPECT_EQ(0, ckpt_parse_size("1g", &v));
	EXPECT_EQ(1ULL << 30, v);
	EXPECT_EQ(-EINVAL, ckpt_parse_size("", &v));
	EXPECT_EQ(-EINVAL, ckpt_parse_size("M", &v));
	EXPECT_EQ(-EINVAL, ckpt_parse_size("-1", &v));
	EXPECT_EQ(-EINVAL, ckpt_parse_size("99999999999G", &v));
}

TEST_F(cfg, lower_patterns_none)
{
	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", "lower_patterns = none\n",
					&self->err));
	EXPECT_EQ(1, self->c.lower_set);
	EXPECT_EQ(0, self->c.nr_lower);
}

/* Each bad line: the error names file:line and the problem. */
static const struct {
	const char *text, *want;
} bad[] = {
	{ "keep = 1\n\nkeep = 2\n", "t.conf:3: keep: given twice" },
	{ "frobnicate = 1\n", "t.conf:1: unknown key 'frobnicate'" },
	{ "# x\nkeep = lots\n", "t.conf:2: keep: 'lots' is not a number" },
	{ "keep = -1\n", "t.conf:1: keep: '-1' is not a number" },
	{ "image_store = relative/path\n", "t.conf:1: image_store: 'relative/path' is not an absolute path" },
	{ "keep\n", "t.conf:1: expected 'key = value'" },
	{ "keep =\n", "t.conf:1: keep: missing value" },
	{ " = 3\n", "t.conf:1: missing key" },
	{ "compression = lz4\n", "t.conf:1: compression: unknown method 'lz4'; use 'none' or 'zstd'" },
	{ "compression = ZSTD\n", "t.conf:1: compression: unknown method 'ZSTD'" },
	{ "compression_level = 0\n", "t.conf:1: compression_level: '0' is not a number from 1 to 19" },
	{ "compression_level = 20\n", "t.conf:1: compression_level: '20' is not a number from 1 to 19" },
	{ "compression_level = fast\n", "t.conf:1: compression_level: 'fast' is not a number" },
	{ "compression = zstd\ncompression = none\n", "t.conf:2: compression: given twice" },
	{ "[ckptd]\nkeep = 1\n[peers]\nn1 = 10.0.0.1\n", "t.conf:4: unknown key 'n1' in [peers]" },
	{ "[peers]\npeer b = 10.0.0.2\npeer b = 10.0.0.3\n", "t.conf:3: peer b: given twice" },
	{ "[peers]\npeer b = 10.0.0.2:99999\n", "t.conf:2: peer b: '99999': the port must be a number from 1 to 65535" },
	{ "[peers]\npeer b/c = 10.0.0.2\n", "t.conf:2: peer 'b/c': not a host name" },
	{ "[peers]\nkey_file = peer.key\n", "t.conf:2: key_file: give an absolute path" },
	{ "[peers]\ntimeout_ms = 5\n", "t.conf:2: timeout_ms: '5' is not a number from 100" },
	{ "[peers]\nmigrate_iterations = 0\n", "t.conf:2: migrate_iterations: '0' is not a number from 1 to 100" },
	{ "[peers]\nmigrate_dirty_threshold = 4X\n", "t.conf:2: migrate_dirty_threshold: '4X' is not a size" },
	{ "[peers]\nmigrate_speed = 1\n", "t.conf:2: unknown key 'migrate_speed' in [peers]" },
	{ "[other]\n", "t.conf:1: unknown section [other]" },
	{ "freeze_timeout_ms = 0\n", "t.conf:1: freeze_timeout_ms: '0' is not a number from 1" },
};

TEST_F(cfg, bad_lines_name_file_and_line)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ckptd_config_defaults(&self->c);
		EXPECT_EQ(-EINVAL, ckptd_config_parse(&self->c, "t.conf", bad[i].text,
						      &self->err));
		EXPECT_EQ(0, strncmp(self->err.msg, bad[i].want, strlen(bad[i].want)))
			TH_LOG("case %zu: got \"%s\", want \"%s...\"", i, self->err.msg, bad[i].want);
	}
}

TEST_F(cfg, long_pattern_refused)
{
	char text[600];

	snprintf(text, sizeof(text), "lower_patterns = %0300d\n", 1);
	EXPECT_EQ(-EINVAL, ckptd_config_parse(&self->c, "t.conf", text, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "longer than 255"));
}

TEST_F(cfg, reload_applies_some_fields_and_reports_the_rest)
{
	static const char start[] =
		"keep = 3\n"
		"[peers]\n"
		"listen = 127.0.0.1:7000\n"
		"peer beta = 10.0.0.2\n";
	static const char next[] =
		"keep = 5\n"
		"image_store = /elsewhere\n"
		"compression = zstd\n"
		"lower_patterns = a/*\n"
		"[peers]\n"
		"listen = 127.0.0.1:7001\n"
		"timeout_ms = 1234\n"
		"migrate_iterations = 2\n"
		"peer beta = 10.0.0.3\n"
		"peer gamma = 10.0.0.4\n";
	struct ckptd_config c;
	unsigned int res;

	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", start, &self->err))
		TH_LOG("%s", self->err.msg);
	ckptd_config_defaults(&c);
	ASSERT_EQ(0, ckptd_config_parse(&c, "t.conf", next, &self->err))
		TH_LOG("%s", self->err.msg);
	res = ckptd_config_apply(&self->c, &c);
	EXPECT_EQ(CKPTD_RELOAD_RESTART_PATHS | CKPTD_RELOAD_RESTART_PEERS |
		  CKPTD_RELOAD_RESTART_MIGRATE | CKPTD_RELOAD_PEER_KEY, res);
	/* reloaded */
	EXPECT_EQ(5, self->c.keep);
	EXPECT_EQ(CKPTD_COMPRESS_ZSTD, self->c.compression);
	EXPECT_EQ(1234, self->c.peer_timeout_ms);
	EXPECT_EQ(2, self->c.nr_peers);
	EXPECT_EQ(1, self->c.lower_set);
	ASSERT_EQ(1, self->c.nr_lower);
	EXPECT_STREQ("a/*", self->c.lower_ptrs[0]);
	/* kept until a restart */
	EXPECT_STREQ(CKPTD_IMAGE_STORE, self->c.image_store);
	EXPECT_EQ(7000, self->c.peer_port);
	EXPECT_EQ(CKPTD_MIGRATE_ITERATIONS, self->c.migrate_iterations);
	/* the same file again: nothing waits for a restart */
	ckptd_config_defaults(&c);
	ASSERT_EQ(0, ckptd_config_parse(&c, "t.conf", start, &self->err));
	ckptd_config_defaults(&self->c);
	ASSERT_EQ(0, ckptd_config_parse(&self->c, "t.conf", start, &self->err));
	EXPECT_EQ(CKPTD_RELOAD_PEER_KEY, ckptd_config_apply(&self->c, &c));
}

TEST_F(cfg, load_missing_file)
{
	EXPECT_EQ(0, ckptd_config_load(&self->c, "/nonexistent/ckptd.conf", 0,
				       &self->err));
	EXPECT_EQ(-ENOENT, ckptd_config_load(&self->c, "/nonexistent/ckptd.conf", 1,
					     &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "/nonexistent/ckptd.conf: cannot open"));
}

TEST_F(cfg, load_binary_file_refused)
{
	char path[] = "/tmp/ckptd-conf-XXXXXX";
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(4, write(fd, "a\0b\n", 4));
	close(fd);
	EXPECT_EQ(-EINVAL, ckptd_config_load(&self->c, path, 1, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "NUL byte"));
	unlink(path);
}

TEST_HARNESS_MAIN
