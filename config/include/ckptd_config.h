/* SPDX-License-Identifier: GPL-2.0 */
/* /etc/ckpt/ckptd.conf, described in ckptd.conf(5). */
#ifndef CKPTD_CONFIG_H
#define CKPTD_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ckpt.h>

#include "err.h"
#include "image_format.h"

#define CKPTD_CONFIG_FILE	"/etc/ckpt/ckptd.conf"
#define CKPTD_STATE_DIR		"/var/lib/ckpt"
#define CKPTD_IMAGE_STORE	"/var/lib/ckpt/images"
#define CKPTD_CGROUP_DIR	"/sys/fs/cgroup/ckpt"
#define CKPTD_RESTORER		"ckpt-restore"
#define CKPTD_PEER_KEY_FILE	"/etc/ckpt/peer.key"
#define CKPTD_PEER_PORT		7411
#define CKPTD_PEER_TIMEOUT_MS	30000
#define CKPTD_PEERS_MAX		64
#define CKPTD_PEER_NAME_MAX	63
#define CKPTD_MIGRATE_ITERATIONS	8
#define CKPTD_MIGRATE_DIRTY_BYTES	(4ULL << 20)

/* compression = : how ckptd writes images (image_format.h values) */
enum ckptd_compression {
	CKPTD_COMPRESS_NONE = CKPT_IMG_COMP_NONE,
	CKPTD_COMPRESS_ZSTD = CKPT_IMG_COMP_ZSTD,
};
#define CKPTD_COMPRESSION_LEVEL_MAX	19	/* zstd's highest non-"ultra" level */

/* One "peer NAME = ADDRESS[:PORT]" line of [peers]. */
struct ckptd_peer_cfg {
	char name[CKPTD_PEER_NAME_MAX + 1];
	char host[256];			/* address or host name */
	unsigned int port;
};

struct ckptd_config {
	char image_store[PATH_MAX];
	char state_dir[PATH_MAX];
	char socket[108];
	char cgroup_dir[PATH_MAX];	/* where RUN creates job-<id>/ */
	char restorer[PATH_MAX];	/* a path, or a name looked up in $PATH */
	unsigned int keep;		/* retention: checkpoints per job, 0 = all */
	unsigned int freeze_timeout_ms;	/* 0: the module's default */
	enum ckptd_compression compression;
	unsigned int compression_level;	/* zstd level, 1..19 */
	int lower_set;			/* lower_patterns given: replace defaults */
	unsigned int nr_lower;
	char lower[CKPT_LOWER_PATTERNS_MAX][CKPT_PATTERN_MAX + 1];
	char *lower_ptrs[CKPT_LOWER_PATTERNS_MAX];	/* into lower[] */
	/* [peers]: the channel between hosts (Documentation/migration.md) */
	int peers_on;			/* the section is there: listen */
	char node_name[CKPTD_PEER_NAME_MAX + 1];	/* name = ; default: hostname */
	char peer_key_file[PATH_MAX];
	char peer_listen[256];		/* address to bind; "" = any */
	unsigned int peer_port;
	unsigned int peer_timeout_ms;
	unsigned int nr_peers;
	struct ckptd_peer_cfg peers[CKPTD_PEERS_MAX];
	/* [peers] migrate_*: when live migration stops pre-copying (migrate.c) */
	unsigned int migrate_iterations;	/* pre-dumps at most */
	uint64_t migrate_dirty_bytes;		/* small enough a dirty set */
};

/* config/peers.c: the [peers] section */
void ckptd_config_peers_defaults(struct ckptd_config *c);
/* One key of [peers]; -EINVAL with what is wrong (no file:line) in @e. */
int ckptd_config_peers_set(struct ckptd_config *c, const char *key, const char *val,
			   struct ckpt_err *e);
/*
 * "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" into @host/@port (@port
 * keeps its value when none is given); -EINVAL with what is wrong.
 */
int ckptd_config_parse_addr(const char *val, char *host, size_t size,
			    unsigned int *port, struct ckpt_err *e);
/* migrate_iterations, migrate_dirty_threshold (config/migrate.c) */
int ckptd_config_migrate_set(struct ckptd_config *c, const char *key, const char *val,
			     struct ckpt_err *e);
/* The [peers] entry called @name, or NULL. */
const struct ckptd_peer_cfg *ckptd_config_peer(const struct ckptd_config *c,
					       const char *name);

void ckptd_config_defaults(struct ckptd_config *c);

/*
 * Parses the config text @text (NUL-terminated) named @name in messages
 * into @c (which holds the defaults).  Returns 0, or -EINVAL with
 * "<name>:<line>: what is wrong and what to do" in @e.
 */
int ckptd_config_parse(struct ckptd_config *c, const char *name,
		       const char *text, struct ckpt_err *e);

/* Reads and parses @path; a missing file is fine when !@must_exist. */
int ckptd_config_load(struct ckptd_config *c, const char *path,
		      int must_exist, struct ckpt_err *e);

/* What ckptd_config_apply() could not change (it keeps the old values). */
#define CKPTD_RELOAD_RESTART_PATHS	(1U << 0)	/* image_store, state_dir, socket */
#define CKPTD_RELOAD_RESTART_PEERS	(1U << 1)	/* [peers] on/off, listen, port */
#define CKPTD_RELOAD_RESTART_MIGRATE	(1U << 2)	/* migrate_* */
/* [peers] is on: its key file is to be read again. */
#define CKPTD_RELOAD_PEER_KEY		(1U << 3)

/*
 * Applies the freshly loaded @c to the running @run: the fields that can
 * change at a reload (config/reload.c lists them) are copied; the result
 * says which changes wait for a restart and whether to re-read the key.
 */
unsigned int ckptd_config_apply(struct ckptd_config *run, const struct ckptd_config *c);

#endif /* CKPTD_CONFIG_H */
