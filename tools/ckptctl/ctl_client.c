// SPDX-License-Identifier: GPL-2.0
/* Talking to ckptd over its control socket (common/ctl_proto.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "progress.h"

const char *ckptctl_socket;

static const char *socket_path(void)
{
	const char *env = getenv("CKPTD_SOCKET");

	if (ckptctl_socket)
		return ckptctl_socket;
	return env && *env ? env : CKPTD_CTL_SOCKET;
}

int ckptctl_exit_for_reply(int err)
{
	switch (err) {
	case 0:
		return CKPTCTL_EXIT_OK;
	case -EPERM:
	case -EACCES:
		return CKPTCTL_EXIT_DENIED;
	case -ENOENT:
		return CKPTCTL_EXIT_NOTFOUND;
	default:
		return CKPTCTL_EXIT_FAILED;
	}
}

static int connect_ckptd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = socket_path();
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: control socket path %s is too long\n",
			ckptctl_prog, path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = errno;

		fprintf(stderr, "%s: cannot reach ckptd at %s: %s; %s\n", ckptctl_prog,
			path, strerror(err),
			err == EACCES ? "you may not use its socket" :
			"is ckptd running? start it with 'systemctl start ckptd' (or run 'ckptd' as root)");
		if (fd >= 0)
			close(fd);
		return -ECONNREFUSED;
	}
	return fd;
}

int ckptctl_request(struct ckptd_ctl_msg *req, struct ctl_reply *rep,
		    int progress)
{
	struct ckptctl_progress pr;
	struct ckpt_err why;
	int fd, len, ret;
	uint32_t seq = ((struct ckptd_ctl_hdr *)req->buf)->seq;

	len = ckptd_ctl_end(req);
	if (len < 0) {
		fprintf(stderr, "%s: request too large (more than %d bytes)\n",
			ckptctl_prog, CKPTD_CTL_MSG_MAX);
		return CKPTCTL_EXIT_USAGE;
	}
	fd = connect_ckptd();
	if (fd < 0)
		return CKPTCTL_EXIT_UNAVAILABLE;
	if (send(fd, req->buf, len, MSG_NOSIGNAL) != len) {
		fprintf(stderr, "%s: sending to ckptd: %s\n", ckptctl_prog, strerror(errno));
		close(fd);
		return CKPTCTL_EXIT_FAILED;
	}
	ckptctl_progress_init(&pr, progress);
	for (;;) {
		ssize_t n = recv(fd, rep->buf, sizeof(rep->buf), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ckptctl_progress_end(&pr);
			fprintf(stderr, "%s: ckptd closed the connection without a reply (%s); see its log\n",
				ckptctl_prog, n < 0 ? strerror(errno) : "it may have stopped or crashed");
			close(fd);
			return CKPTCTL_EXIT_FAILED;
		}
		ret = ckptd_ctl_check(rep->buf, n > (ssize_t)sizeof(rep->buf) ? sizeof(rep->buf) : (size_t)n,
				      n > (ssize_t)sizeof(rep->buf), &rep->h, &rep->tb,
				      &why);
		if (ret || rep->h->seq != seq) {
			ckptctl_progress_end(&pr);
			fprintf(stderr, "%s: malformed reply from ckptd: %s\n", ckptctl_prog,
				ret ? why.msg : "wrong sequence number");
			close(fd);
			return CKPTCTL_EXIT_FAILED;
		}
		if (rep->h->type == CKPTD_CTL_PROGRESS) {
			if (rep->tb.a[CKPTD_CA_BYTES] && rep->tb.a[CKPTD_CA_TOTAL])
				ckptctl_progress_update(&pr, ckptd_ctl_u64(rep->tb.a[CKPTD_CA_BYTES]),
							ckptd_ctl_u64(rep->tb.a[CKPTD_CA_TOTAL]));
			continue;
		}
		if (rep->h->type == CKPTD_CTL_REPLY)
			break;
	}
	ckptctl_progress_end(&pr);
	close(fd);
	ret = rep->tb.a[CKPTD_CA_ERRNO] ? ckptd_ctl_s32(rep->tb.a[CKPTD_CA_ERRNO]) : -EPROTO;
	if (ret) {
		fprintf(stderr, "%s: %s\n", ckptctl_prog,
			rep->tb.a[CKPTD_CA_ERRMSG] ? ckptd_ctl_str(rep->tb.a[CKPTD_CA_ERRMSG])
						   : strerror(-ret));
		return ckptctl_exit_for_reply(ret);
	}
	return 0;
}

int ckptctl_parse_unsupported(const char *cmd, const char *s, uint32_t *flags)
{
	if (!strcmp(s, "close"))
		*flags |= CKPTD_F_UNSUP_CLOSE;
	else if (!strcmp(s, "devnull"))
		*flags |= CKPTD_F_UNSUP_DEVNULL;
	else if (strcmp(s, "fail")) {
		fprintf(stderr, "%s %s: --unsupported-fds: '%s' is not fail, close or devnull\n",
			ckptctl_prog, cmd, s);
		return -1;
	}
	return 0;
}

uint32_t ckptctl_parse_job(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || !v || v > UINT32_MAX) {
		fprintf(stderr, "%s: '%s' is not a job id (a number from 1)\n",
			ckptctl_prog, s);
		return 0;
	}
	return v;
}

static void job_cmd_usage(const struct job_cmd *jc, FILE *f)
{
	fprintf(f, "Usage: %s %s --job ID%s%s%s [--json] [--socket PATH]\n\n%s\n\n"
		"  --job ID         the job\n%s%s%s"
		"  --json           one JSON object instead of text\n"
		"  --socket PATH    ckptd's control socket (default $CKPTD_SOCKET or "
		CKPTD_CTL_SOCKET ")\n"
		"  --help           this text\n",
		ckptctl_prog, jc->name, jc->flag_name ? " [--" : "",
		jc->flag_name ? jc->flag_name : "", jc->flag_name ? "]" : "",
		jc->summary, jc->flag_name ? "  --" : "",
		jc->flag_name ? jc->flag_name : "",
		jc->flag_name ? "    see above\n" : "");
	if (jc->unsupported_fds)
		fprintf(f, "  --unsupported-fds fail|close|devnull\n"
			"                   an open file the capture cannot handle (e.g. a\n"
			"                   network socket): fail naming pid, fd and type\n"
			"                   (default), or record it as closed, or as /dev/null,\n"
			"                   after a restore\n");
}

int ckptctl_job_cmd(const struct job_cmd *jc, int argc, char *argv[])
{
	struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ jc->flag_name ? jc->flag_name : "help", no_argument, NULL, 'F' },
		{ jc->unsupported_fds ? "unsupported-fds" : "help",
		  jc->unsupported_fds ? required_argument : no_argument, NULL, 'U' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	uint32_t job = 0, flags = 0;
	int json = 0, c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'F': flags |= jc->flag_bit; break;
		case 'U':
			if (ckptctl_parse_unsupported(jc->name, optarg, &flags))
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'h': job_cmd_usage(jc, stdout); return CKPTCTL_EXIT_OK;
		default: job_cmd_usage(jc, stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (optind < argc || !job) {
		fprintf(stderr, "%s %s: %s; see '%s %s --help'\n", ckptctl_prog, jc->name,
			optind < argc ? "unexpected argument" : "--job ID is required",
			ckptctl_prog, jc->name);
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, jc->cmd, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	if (flags)
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, flags);
	ret = ckptctl_request(&m, &rep, jc->progress && !json);
	if (ret)
		return ret;
	jc->print(&rep, json);
	return CKPTCTL_EXIT_OK;
}
