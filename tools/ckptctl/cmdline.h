/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of a ckptctl command.  A command describes itself in
 * one struct ckptctl_cmd: its --help text, which of the shared options it
 * takes (--job, --json, --socket, --unsupported-fds; --help and -h always)
 * and a table of its own options.  ckptctl_parse() runs getopt_long over
 * both, checks every value as it comes and fills a struct ckptctl_args; the
 * command checks only what is particular to it (which options go together).
 */
#ifndef CKPTCTL_CMDLINE_H
#define CKPTCTL_CMDLINE_H

#include <stdint.h>
#include <stdio.h>

/* The shared options a command takes. */
enum {
	CKPTCTL_O_JOB = 1 << 0,		/* --job ID: args.job */
	CKPTCTL_O_JSON = 1 << 1,	/* --json: args.json */
	CKPTCTL_O_SOCKET = 1 << 2,	/* --socket PATH: args.socket */
	CKPTCTL_O_UNSUP = 1 << 3,	/* --unsupported-fds fail|close|devnull:
					 * CKPTD_F_UNSUP_* in args.flags */
};
/* what every command that asks ckptd takes */
#define CKPTCTL_O_CKPTD		(CKPTCTL_O_JSON | CKPTCTL_O_SOCKET)

enum ckptctl_opt_kind {
	CKPTCTL_FLAG,	/* no argument; sets .flag (CKPTD_F_*, may be 0) in args.flags */
	CKPTCTL_STR,	/* a string: args.str[i] */
	CKPTCTL_NUM,	/* a number from .min to .max: args.num[i] */
	CKPTCTL_SIZE,	/* bytes, or with K, M or G (common/size.h): args.num[i] */
};

/* One of a command's own options; args.n/str/num are indexed as its table. */
struct ckptctl_opt {
	const char *name;		/* without "--"; NULL ends the table */
	enum ckptctl_opt_kind kind;
	uint32_t flag;			/* CKPTCTL_FLAG */
	uint64_t min, max;		/* CKPTCTL_NUM */
	const char *give;		/* NUM, SIZE: what to give instead of a bad value */
};

#define CKPTCTL_OPTS_MAX	8

struct ckptctl_cmd {
	const char *name;		/* "migrate", "image ls": its --help is 'ckptctl NAME --help' */
	const char *action;		/* "set" of "cluster set", named in messages; or NULL */
	const char *help;		/* the --help text; NULL: made from .summary */
	const char *summary;		/* a job command's description (job_cmd_help) */
	unsigned int shared;		/* CKPTCTL_O_* */
	const struct ckptctl_opt *opts;	/* its own options, or NULL */
	int in_order;			/* options end at the first operand (run's CMD) */
};

struct ckptctl_args {
	const struct ckptctl_cmd *cmd;
	uint32_t job;			/* --job; 0 when not given */
	uint32_t flags;			/* the CKPTD_F_* bits the options set */
	int json;
	const char *socket;		/* --socket; NULL when not given */
	unsigned int n[CKPTCTL_OPTS_MAX];	/* how often each own option came */
	const char *str[CKPTCTL_OPTS_MAX];	/* the last one's argument */
	uint64_t num[CKPTCTL_OPTS_MAX];		/* ... as a number */
	int argc;			/* the operands after the options */
	char **argv;
};

/*
 * Parses the options of @cmd (argv[0] is the command's own name).
 * Returns 0 when the command should run, -ECANCELED after --help printed
 * its text, -EINVAL after saying what is wrong with the command line.
 */
int ckptctl_parse(const struct ckptctl_cmd *cmd, int argc, char *argv[],
		  struct ckptctl_args *a);
/*
 * The exit code for a command that stopped with @err: 0 after --help
 * (-ECANCELED), CKPTCTL_EXIT_USAGE (-EINVAL), else CKPTCTL_EXIT_FAILED.
 */
int ckptctl_stop_exit(int err);

/* @cmd's --help text to @f. */
void ckptctl_usage(const struct ckptctl_cmd *cmd, FILE *f);
/*
 * "ckptctl CMD[ ACTION]: <what>; see 'ckptctl CMD --help'" on stderr;
 * returns -EINVAL.
 */
int ckptctl_usage_error(const struct ckptctl_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A number from @min to @max written in decimal digits only into @v; else
 * "ckptctl CMD: WHAT 'S': give GIVE" on stderr and -EINVAL.  @what names
 * the option ("--job") or the operand ("JOB").
 */
int ckptctl_parse_num(const struct ckptctl_args *a, const char *what,
		      const char *s, uint64_t min, uint64_t max,
		      const char *give, uint64_t *v);

#endif /* CKPTCTL_CMDLINE_H */
