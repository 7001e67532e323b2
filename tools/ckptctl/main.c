// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl: the administrator's command line.  A table of subcommands, each
 * X_main() in X.c.  What they share: cmdline.c parses every command's
 * options (the shared --job, --json, --socket, --unsupported-fds, --help
 * and a table of its own), ctl_client.c sends the one request to ckptd
 * and reads the reply, job_print.c prints replies as text or JSON,
 * progress.c the progress line.  check asks ckpt.ko directly; image and
 * image ls read the image store.
 */
#include <stdio.h>
#include <string.h>

#include "ckptctl.h"

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
} subcommands[] = {
	{ "run", run_main, "start a command as a new job (in its own cgroup)" },
	{ "attach", attach_main, "make running processes a job" },
	{ "list", list_main, "list the jobs" },
	{ "status", status_main, "show one job and its members" },
	{ "freeze", freeze_main, "freeze a job and write a full checkpoint; it stays frozen" },
	{ "thaw", thaw_main, "let a frozen job run again" },
	{ "checkpoint", checkpoint_main, "checkpoint a job; it runs on while the image is written" },
	{ "restore", restore_main, "restore a job on this host from its newest (or a given) image" },
	{ "migrate", migrate_main, "move a running job to another host (stop-and-copy or live)" },
	{ "kill", kill_main, "kill a job's processes and forget the job" },
	{ "check", check_main, "show what the loaded ckpt.ko and this kernel support" },
	{ "cluster", cluster_main, "say which hosts a job spans; list its global checkpoints" },
	{ "image", image_main, "list, show or verify checkpoint images (no ckpt.ko needed)" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s <command> [options]\n\nCommands:\n", CKPTCTL_PROG);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\n'%s <command> --help' describes a command; see ckptctl(8).\n",
		CKPTCTL_PROG);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return CKPTCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return CKPTCTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", CKPTCTL_PROG, CKPT_VERSION);
		return CKPTCTL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);

	fprintf(stderr, "%s: unknown command '%s'; run '%s --help' for the list\n",
		CKPTCTL_PROG, argv[1], CKPTCTL_PROG);
	return CKPTCTL_EXIT_USAGE;
}
