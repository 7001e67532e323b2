/* SPDX-License-Identifier: GPL-2.0 */
/* ckptctl's side of the control socket, and what the job commands share. */
#ifndef CKPTCTL_CTL_CLIENT_H
#define CKPTCTL_CTL_CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "ctl_proto.h"
#include "json.h"

/* -s/--socket, else $CKPTD_SOCKET, else CKPTD_CTL_SOCKET. */
extern const char *ckptctl_socket;

struct ctl_reply {
	uint8_t buf[CKPTD_CTL_MSG_MAX];
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
};

/*
 * Sends @req and waits for the reply; PROGRESS messages are shown on a
 * terminal when @progress.  On failure prints the reason (ckptd's own
 * message, or how to start ckptd) and returns the exit code; 0 on success.
 */
int ckptctl_request(struct ckptd_ctl_msg *req, struct ctl_reply *rep,
		    int progress);

/* Exit code for an error ckptd replied with. */
int ckptctl_exit_for_reply(int err);

/* A job command: --job ID [--json] [--socket PATH] plus its own flags. */
struct job_cmd {
	const char *name;
	uint16_t cmd;
	const char *summary;		/* the --help text after the usage line */
	const char *flag_name;		/* an optional boolean flag, e.g. "incremental" */
	uint32_t flag_bit;
	int progress;			/* show progress on a terminal */
	int unsupported_fds;		/* takes --unsupported-fds fail|close|devnull */
	/* prints the successful reply */
	void (*print)(const struct ctl_reply *rep, int json);
};

int ckptctl_job_cmd(const struct job_cmd *jc, int argc, char *argv[]);

/* Shared printers. */
void ckptctl_print_jobs(const struct ctl_reply *rep, int json, int detail);
void ckptctl_print_image_result(const struct ctl_reply *rep, int json,
				const char *what);

/* Parses a job id (1..UINT32_MAX); 0 on error (after a message). */
uint32_t ckptctl_parse_job(const char *s);
/*
 * --unsupported-fds fail|close|devnull of command @cmd into @flags
 * (CKPTD_F_UNSUP_*); -1 after saying what is wrong.
 */
int ckptctl_parse_unsupported(const char *cmd, const char *s, uint32_t *flags);

#endif /* CKPTCTL_CTL_CLIENT_H */
