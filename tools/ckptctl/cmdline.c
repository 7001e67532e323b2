// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing a ckptctl command's options (cmdline.h): the shared ones (--job,
 * --json, --socket, --unsupported-fds, --help) and the command's own table,
 * with one way to say what is wrong with a value or with the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptctl.h"
#include "cmdline.h"
#include "ctl_proto.h"
#include "err.h"
#include "size.h"

/* getopt_long's values: the own options are O_OWN + their index. */
enum { O_OWN = 0x100, O_JOB = 0x200, O_UNSUP, O_JSON, O_SOCKET };

static const struct {
	unsigned int bit;
	struct option o;
} shared_opts[] = {
	{ CKPTCTL_O_JOB, { "job", required_argument, NULL, O_JOB } },
	{ CKPTCTL_O_UNSUP, { "unsupported-fds", required_argument, NULL, O_UNSUP } },
	{ CKPTCTL_O_JSON, { "json", no_argument, NULL, O_JSON } },
	{ CKPTCTL_O_SOCKET, { "socket", required_argument, NULL, O_SOCKET } },
};

#define N_SHARED	(sizeof(shared_opts) / sizeof(shared_opts[0]))

/* "ckptctl cluster set": how messages name the command. */
static const char *who(const struct ckptctl_cmd *cmd)
{
	static char buf[64];

	ckpt_fmt(buf, sizeof(buf), "%s %s%s%s", CKPTCTL_PROG, cmd->name,
		 cmd->action ? " " : "", cmd->action ? cmd->action : "");
	return buf;
}

/* The usage of a job command (--job ID and its flags), from its summary. */
static void job_cmd_help(const struct ckptctl_cmd *cmd, FILE *f)
{
	const struct ckptctl_opt *o;

	fprintf(f, "Usage: %s %s --job ID", CKPTCTL_PROG, cmd->name);
	for (o = cmd->opts; o && o->name; o++)
		fprintf(f, " [--%s]", o->name);
	fprintf(f, " [--json] [--socket PATH]\n\n%s\n\n"
		"  --job ID         the job\n", cmd->summary);
	for (o = cmd->opts; o && o->name; o++)
		fprintf(f, "  --%s    see above\n", o->name);
	fprintf(f, "  --json           one JSON object instead of text\n"
		"  --socket PATH    ckptd's control socket (default $CKPTD_SOCKET or "
		CKPTD_CTL_SOCKET ")\n"
		"  --help           this text\n");
	if (cmd->shared & CKPTCTL_O_UNSUP)
		fprintf(f, "  --unsupported-fds fail|close|devnull\n"
			"                   an open file the capture cannot handle (e.g. a\n"
			"                   network socket): fail naming pid, fd and type\n"
			"                   (default), or record it as closed, or as /dev/null,\n"
			"                   after a restore\n");
}

void ckptctl_usage(const struct ckptctl_cmd *cmd, FILE *f)
{
	if (cmd->help)
		fputs(cmd->help, f);
	else
		job_cmd_help(cmd, f);
}

int ckptctl_stop_exit(int err)
{
	if (err == -ECANCELED)
		return CKPTCTL_EXIT_OK;
	return err == -EINVAL ? CKPTCTL_EXIT_USAGE : CKPTCTL_EXIT_FAILED;
}

int ckptctl_usage_error(const struct ckptctl_args *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", who(a->cmd));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see '%s %s --help'\n", CKPTCTL_PROG, a->cmd->name);
	return -EINVAL;
}

static int bad_value(const struct ckptctl_args *a, const char *what,
		     const char *s, const char *give)
{
	fprintf(stderr, "%s: %s '%s': give %s\n", who(a->cmd), what, s, give);
	return -EINVAL;
}

int ckptctl_parse_num(const struct ckptctl_args *a, const char *what,
		      const char *s, uint64_t min, uint64_t max,
		      const char *give, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return bad_value(a, what, s, give);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end || errno || n < min || n > max)
		return bad_value(a, what, s, give);
	*v = n;
	return 0;
}

static int parse_unsupported(const struct ckptctl_args *a, const char *s,
			     uint32_t *flags)
{
	if (!strcmp(s, "close"))
		*flags |= CKPTD_F_UNSUP_CLOSE;
	else if (!strcmp(s, "devnull"))
		*flags |= CKPTD_F_UNSUP_DEVNULL;
	else if (strcmp(s, "fail"))
		return bad_value(a, "--unsupported-fds", s, "fail, close or devnull");
	return 0;
}

/* Option @i of the command's own table came with @arg (NULL for a flag). */
static int own_opt(struct ckptctl_args *a, unsigned int i, const char *arg)
{
	const struct ckptctl_opt *o = &a->cmd->opts[i];
	char what[64];

	a->n[i]++;
	a->str[i] = arg;
	ckpt_fmt(what, sizeof(what), "--%s", o->name);
	switch (o->kind) {
	case CKPTCTL_FLAG:
		a->flags |= o->flag;
		return 0;
	case CKPTCTL_NUM:
		return ckptctl_parse_num(a, what, arg, o->min, o->max, o->give,
					 &a->num[i]);
	case CKPTCTL_SIZE:
		if (ckpt_parse_size(arg, &a->num[i]))
			return bad_value(a, what, arg, o->give);
		return 0;
	case CKPTCTL_STR:
		break;
	}
	return 0;
}

/* getopt_long's table: the shared options @cmd takes, its own, --help. */
static void long_opts(const struct ckptctl_cmd *cmd, struct option *lo)
{
	size_t n = 0;

	for (size_t i = 0; i < N_SHARED; i++)
		if (cmd->shared & shared_opts[i].bit)
			lo[n++] = shared_opts[i].o;
	for (unsigned int i = 0; cmd->opts && cmd->opts[i].name && i < CKPTCTL_OPTS_MAX; i++)
		lo[n++] = (struct option){
			cmd->opts[i].name,
			cmd->opts[i].kind == CKPTCTL_FLAG ? no_argument : required_argument,
			NULL, O_OWN + i,
		};
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ 0 };
}

int ckptctl_parse(const struct ckptctl_cmd *cmd, int argc, char *argv[],
		  struct ckptctl_args *a)
{
	struct option lo[N_SHARED + CKPTCTL_OPTS_MAX + 2];
	uint64_t job;
	int c, ret;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	long_opts(cmd, lo);
	argv[0] = (char *)who(cmd);	/* how getopt_long names us */
	optind = 0;
	while ((c = getopt_long(argc, argv, cmd->in_order ? "+h" : "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			ckptctl_usage(cmd, stdout);
			return -ECANCELED;
		case O_JOB:
			ret = ckptctl_parse_num(a, "--job", optarg, 1, UINT32_MAX,
						"a job id (a number from 1)", &job);
			if (ret)
				return ret;
			a->job = job;
			break;
		case O_UNSUP:
			ret = parse_unsupported(a, optarg, &a->flags);
			if (ret)
				return ret;
			break;
		case O_JSON:
			a->json = 1;
			break;
		case O_SOCKET:
			a->socket = optarg;
			break;
		default:
			if (c < O_OWN || c >= O_OWN + CKPTCTL_OPTS_MAX) {
				ckptctl_usage(cmd, stderr);
				return -EINVAL;
			}
			ret = own_opt(a, c - O_OWN, optarg);
			if (ret)
				return ret;
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return 0;
}
