/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckptctl's side of the control socket: the one request a command sends
 * (ckptctl_start, ckptctl_request), the commands that take only --job
 * (struct job_cmd), reading a reply's attributes, and the printers the
 * commands share (job_print.c).
 */
#ifndef CKPTCTL_CTL_CLIENT_H
#define CKPTCTL_CTL_CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "cmdline.h"
#include "ctl_proto.h"
#include "json.h"

struct ctl_reply {
	uint8_t buf[CKPTD_CTL_MSG_MAX];
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
};

/* Prints a successful reply; @a->json: as one JSON object. */
typedef void ckptctl_print_fn(const struct ctl_reply *rep,
			      const struct ckptctl_args *a);

/*
 * Starts the request of this run: command @type with JOB_ID when the
 * command line gave --job and FLAGS when its options set any.  Returns the
 * message, for the command's own attributes.
 */
struct ckptd_ctl_msg *ckptctl_start(uint16_t type, const struct ckptctl_args *a);

/*
 * Sends the request begun by ckptctl_start() and waits for the reply;
 * PROGRESS messages are shown on a terminal when @progress (never with
 * --json).  On success prints the reply with @print and returns 0; else
 * prints the reason (ckptd's own message, or how to start ckptd) and
 * returns the exit code.
 */
int ckptctl_request(const struct ckptctl_args *a, int progress,
		    ckptctl_print_fn *print);

/*
 * A command that asks ckptd: its command line, the request, and how the
 * reply is printed.
 */
struct ckptctl_op {
	struct ckptctl_cmd cmd;
	uint16_t type;			/* CKPTD_CMD_* */
	int progress;			/* show progress on a terminal */
	/*
	 * Checks what the command line gave together and puts the request's
	 * own attributes; 0, or -EINVAL after saying what is wrong (another
	 * -errno: the command failed).  NULL: a job command, --job ID and
	 * nothing else required.
	 */
	int (*build)(const struct ckptctl_args *a, struct ckptd_ctl_msg *m);
	ckptctl_print_fn *print;
};

/* Runs @op on the command line @argc/@argv (argv[0]: the command). */
int ckptctl_op_main(const struct ckptctl_op *op, int argc, char *argv[]);

/* A reply's attribute @type, or 0 / @dflt when it is absent. */
uint32_t ckptctl_u32(const struct ckptd_ctl_attrs *tb, int type);
uint64_t ckptctl_u64(const struct ckptd_ctl_attrs *tb, int type);
const char *ckptctl_str(const struct ckptd_ctl_attrs *tb, int type,
			const char *dflt);
/*
 * The reply's JOB nests in turn, each parsed into @tb (one that does not
 * parse is passed over); @pos starts at 0.  NULL after the last.
 */
const struct ckptd_ctl_attr *ckptctl_next_job(const struct ctl_reply *rep,
					      size_t *pos,
					      struct ckptd_ctl_attrs *tb);

/* Printers the commands share (job_print.c). */
ckptctl_print_fn ckptctl_print_jobs;		/* a JOB nest per job, a table */
ckptctl_print_fn ckptctl_print_job_status;	/* one job and its members */
void ckptctl_print_image_result(const struct ctl_reply *rep,
				const struct ckptctl_args *a, const char *what);

#endif /* CKPTCTL_CTL_CLIENT_H */
