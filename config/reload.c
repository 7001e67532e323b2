// SPDX-License-Identifier: GPL-2.0
/*
 * A reloaded ckptd.conf (SIGHUP) applied to the running daemon's config,
 * field by field.
 *
 * Reloaded at once:
 *   keep, freeze_timeout_ms, compression, compression_level, restorer,
 *   cgroup_dir, lower_patterns; and while [peers] is on: name, key_file
 *   (the caller reads the key again), timeout_ms and the peer list.
 * Kept until a restart (reported in the result, the old value stays):
 *   image_store, state_dir, socket (created and opened at start);
 *   [peers] itself, listen and port (the listening socket);
 *   migrate_iterations and migrate_dirty_threshold.
 */
#include <stdio.h>
#include <string.h>

#include "ckptd_config.h"

unsigned int ckptd_config_apply(struct ckptd_config *run, const struct ckptd_config *c)
{
	unsigned int res = 0;

	if (strcmp(c->image_store, run->image_store) || strcmp(c->state_dir, run->state_dir) ||
	    strcmp(c->socket, run->socket))
		res |= CKPTD_RELOAD_RESTART_PATHS;
	run->keep = c->keep;
	run->freeze_timeout_ms = c->freeze_timeout_ms;
	run->compression = c->compression;
	run->compression_level = c->compression_level;
	snprintf(run->restorer, sizeof(run->restorer), "%s", c->restorer);
	snprintf(run->cgroup_dir, sizeof(run->cgroup_dir), "%s", c->cgroup_dir);
	if (c->peers_on != run->peers_on || strcmp(c->peer_listen, run->peer_listen) ||
	    c->peer_port != run->peer_port)
		res |= CKPTD_RELOAD_RESTART_PEERS;
	if (c->migrate_iterations != run->migrate_iterations ||
	    c->migrate_dirty_bytes != run->migrate_dirty_bytes)
		res |= CKPTD_RELOAD_RESTART_MIGRATE;
	if (run->peers_on) {
		snprintf(run->peer_key_file, sizeof(run->peer_key_file), "%s", c->peer_key_file);
		snprintf(run->node_name, sizeof(run->node_name), "%s", c->node_name);
		run->peer_timeout_ms = c->peer_timeout_ms;
		run->nr_peers = c->nr_peers;
		memcpy(run->peers, c->peers, sizeof(c->peers));
		res |= CKPTD_RELOAD_PEER_KEY;
	}
	/* lower_ptrs point into run's own lower[] (ckptd_config_defaults) */
	run->lower_set = c->lower_set;
	run->nr_lower = c->nr_lower;
	memcpy(run->lower, c->lower, sizeof(c->lower));
	return res;
}
