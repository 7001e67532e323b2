// SPDX-License-Identifier: GPL-2.0
/*
 * ckptd: the control daemon.  Wires the parts together: config, log,
 * ckpt.ko over netlink, the registry, workers, the control socket,
 * signals through a signalfd, then the event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "ops/dump.h"
#include "ckptd.h"
#include "ctl/dispatch.h"
#include "ctl/server.h"
#include "events.h"
#include "image.h"
#include "jobs/control.h"
#include "jobs/launch.h"
#include "jobs/recover.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "migrate/peer_server.h"
#include "mkdir_p.h"
#include "predump.h"
#include "worker.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckptd [options]\n"
		"\n"
		"The ckpt control daemon: keeps the jobs, freezes and checkpoints them\n"
		"for ckptctl(8).  See ckptd(8) and ckptd.conf(5).\n"
		"\n"
		"  -c, --config FILE     config file (default " CKPTD_CONFIG_FILE ")\n"
		"  -s, --socket PATH     control socket (overrides socket=)\n"
		"  -d, --state-dir DIR   job registry directory (overrides state_dir=)\n"
		"  -i, --image-store DIR image store (overrides image_store=)\n"
		"  -f, --foreground      log to stderr instead of syslog\n"
		"  -v, --verbose         log debug messages too\n"
		"  -h, --help            this text\n");
}

static int reload(struct ckptd *d)
{
	struct ckptd_config c;
	struct timespec now;
	struct ckpt_err err;
	unsigned int res;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ckptd_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
		     (unsigned long long)now.tv_sec * 1000000ULL + now.tv_nsec / 1000);
	ckptd_config_defaults(&c);
	if (ckptd_config_load(&c, d->config_path, d->config_must_exist, &err)) {
		pr_err("reload: %s; keeping the running configuration", err.msg);
		ckptd_notify("READY=1\nSTATUS=reload failed: %s", err.msg);
		return -EINVAL;
	}
	res = ckptd_config_apply(&d->cfg, &c);
	if (res & CKPTD_RELOAD_RESTART_PATHS)
		pr_warn("reload: image_store, state_dir and socket change only at a restart");
	if (res & CKPTD_RELOAD_RESTART_PEERS)
		pr_warn("reload: [peers] on or off and its listen address change only at a restart");
	if (res & CKPTD_RELOAD_RESTART_MIGRATE)
		pr_warn("reload: migrate_iterations and migrate_dirty_threshold change only at a restart");
	if (res & CKPTD_RELOAD_PEER_KEY)
		ckptd_peer_reload_key(d);	/* a bad key file keeps the old key */
	pr_info("configuration reloaded from %s", d->config_path);
	ckptd_notify("READY=1\nSTATUS=running");
	return 0;
}

static void on_signal(struct ckptd *d, struct ckptd_watch *w, uint32_t ev)
{
	struct signalfd_siginfo si;

	(void)ev;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			if (!d->stopping) {
				pr_info("stopping (signal %u)%s", si.ssi_signo,
					d->ops_in_flight ? "; finishing running operations" : "");
				ckptd_notify("STOPPING=1");
				d->stopping = 1;
			}
			break;
		case SIGCHLD:
			ckptd_children_reap(d);
			break;
		}
	}
}

static void on_timer(struct ckptd *d, struct ckptd_watch *w, uint32_t ev)
{
	uint64_t n;

	(void)ev;
	if (read(w->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	ckptd_ctl_progress_tick(d);
	ckptd_rmdir_retry(d);
}

static int setup_fds(struct ckptd *d)
{
	struct itimerspec its = {
		.it_interval = { 0, 500000000 }, .it_value = { 0, 500000000 },
	};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	/* before any thread starts, so that every thread inherits the mask */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_w.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	d->sig_w.fn = on_signal;
	d->timer_w.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->timer_w.fn = on_timer;
	if (d->sig_w.fd < 0 || d->timer_w.fd < 0 ||
	    timerfd_settime(d->timer_w.fd, 0, &its, NULL)) {
		pr_err("signalfd/timerfd: %s", strerror(errno));
		return -errno;
	}
	return ckptd_loop_add(d, &d->sig_w, EPOLLIN) ?:
	       ckptd_loop_add(d, &d->timer_w, EPOLLIN);
}

static int open_module(struct ckptd *d)
{
	struct ckpt_kfeatures f;
	struct ckpt_err e;
	int ret;

	ret = ckpt_nl_open(&d->nl, &e);
	if (ret == -ENOENT) {
		pr_err("ckpt.ko is not loaded: run 'modprobe ckpt', then start ckptd");
		return ret;
	}
	if (!ret)
		ret = ckpt_nl_get_features(d->nl, "ckptd", &f, &e);
	if (ret) {
		pr_err("ckpt.ko: %s: %s", strerror(-ret), e.msg);
		return ret;
	}
	pr_info("ckpt.ko %s (ABI %u) on %s", f.module_version, f.abi_version,
		f.kernel_release);
	return ckptd_events_open(d);
}

static int parse_args(struct ckptd *d, int argc, char *argv[], int *fg, int *verbose)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "image-store", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *socket = NULL, *state = NULL, *store = NULL;
	struct ckpt_err err;
	int c;

	d->config_path = CKPTD_CONFIG_FILE;
	while ((c = getopt_long(argc, argv, "c:s:d:i:fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d->config_path = optarg; d->config_must_exist = 1; break;
		case 's': socket = optarg; break;
		case 'd': state = optarg; break;
		case 'i': store = optarg; break;
		case 'f': *fg = 1; break;
		case 'v': *verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ckptd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	ckptd_config_defaults(&d->cfg);
	if (ckptd_config_load(&d->cfg, d->config_path, d->config_must_exist, &err)) {
		fprintf(stderr, "ckptd: %s\n", err.msg);
		return -EINVAL;
	}
	if (socket)
		snprintf(d->cfg.socket, sizeof(d->cfg.socket), "%s", socket);
	if (state)
		snprintf(d->cfg.state_dir, sizeof(d->cfg.state_dir), "%s", state);
	if (store)
		snprintf(d->cfg.image_store, sizeof(d->cfg.image_store), "%s", store);
	return 0;
}

int main(int argc, char *argv[])
{
	static struct ckptd d;
	struct ckpt_err ierr;
	unsigned int removed;
	int fg = 0, verbose = 0, ret;
	struct stat st;

	if (parse_args(&d, argc, argv, &fg, &verbose))
		return 2;
	ckptd_log_init(fg, verbose ? LOG_DEBUG : LOG_INFO);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || setup_fds(&d))
		return 1;
	for (int i = 0; i < 2; i++) {
		const char *dir = i ? d.cfg.image_store : d.cfg.state_dir;

		ret = ckpt_mkdir_p(dir, 0755, 0750);
		if (ret) {
			pr_err("cannot create %s: %s; create it or set %s= in %s",
			       dir, strerror(-ret), i ? "image_store" : "state_dir",
			       d.config_path);
			return 1;
		}
	}
	/* users reach their own job's images (store_owner.h), list no others */
	for (int i = 0; i < 2; i++) {
		const char *dir = i ? d.cfg.image_store : d.cfg.state_dir;

		if (!stat(dir, &st) && (st.st_mode & 07777) == 0750 && chmod(dir, 0711))
			pr_warn("%s: chmod 0711: %s; users cannot read their images", dir,
				strerror(errno));
	}
	if (ckptd_image_cleanup_partial(d.cfg.image_store, &removed, &ierr))
		pr_warn("%s", ierr.msg);
	if (removed)
		pr_info("removed %u uncommitted checkpoint(s) from %s", removed,
			d.cfg.image_store);
	if (ckptd_predump_gc_all(d.cfg.image_store, &removed, &ierr))
		pr_warn("%s", ierr.msg);
	else if (removed)
		pr_info("removed %u stale pre-dump(s) of unfinished migrations", removed);
	if (ckptd_registry_load(&d.reg, d.cfg.state_dir, &ierr)) {
		pr_err("%s; fix or move the file away, then start ckptd", ierr.msg);
		return 1;
	}
	if (open_module(&d))
		return 1;
	ret = ckptd_worker_start(&d, "io", NULL, NULL, &d.io);
	if (!ret)
		ret = ckptd_worker_start(&d, "ops", ckptd_ops_init, ckptd_ops_fini, &d.ops);
	if (ret) {
		pr_err("cannot start worker threads: %s", strerror(-ret));
		return 1;
	}
	if (ckptd_ctl_listen(&d, ckptd_dispatch))
		return 1;
	if (ckptd_peer_listen(&d))
		return 1;
	ckptd_jobs_recover(&d);
	pr_info("ready on %s (image store %s, registry %s)", d.cfg.socket,
		d.cfg.image_store, d.cfg.state_dir);
	ckptd_notify("READY=1\nSTATUS=running");

	ret = ckptd_loop_run(&d);

	ckptd_ctl_close(&d);
	ckptd_peer_close(&d);
	ckptd_worker_stop(&d, d.ops);
	ckptd_worker_stop(&d, d.io);	/* the last registry write lands */
	ckptd_events_close(&d);
	ckpt_nl_close(d.nl);		/* ckpt.ko thaws and forgets our jobs */
	ckptd_registry_free(&d.reg);
	pr_info("stopped");
	return ret ? 1 : 0;
}
