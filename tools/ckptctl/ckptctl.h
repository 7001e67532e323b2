/* SPDX-License-Identifier: GPL-2.0 */
/* ckptctl's name, exit codes and subcommands (main.c's table). */
#ifndef CKPTCTL_H
#define CKPTCTL_H

/* Exit codes, documented in ckptctl(8). */
enum {
	CKPTCTL_EXIT_OK = 0,
	CKPTCTL_EXIT_FAILED = 1,	/* the operation failed */
	CKPTCTL_EXIT_USAGE = 2,		/* bad command line */
	CKPTCTL_EXIT_UNAVAILABLE = 3,	/* ckpt.ko (or ckptd) not there */
	CKPTCTL_EXIT_DENIED = 4,	/* permission denied */
	CKPTCTL_EXIT_NOTFOUND = 5,	/* no such job or image */
};

/* how ckptctl names itself in messages and --help texts */
#define CKPTCTL_PROG	"ckptctl"

int check_main(int argc, char *argv[]);
int image_main(int argc, char *argv[]);
int image_ls_main(int argc, char *argv[]);
int run_main(int argc, char *argv[]);
int attach_main(int argc, char *argv[]);
int list_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int freeze_main(int argc, char *argv[]);
int thaw_main(int argc, char *argv[]);
int kill_main(int argc, char *argv[]);
int checkpoint_main(int argc, char *argv[]);
int restore_main(int argc, char *argv[]);
int migrate_main(int argc, char *argv[]);
int cluster_main(int argc, char *argv[]);

/* The exit code for a negative errno (ckptd's reply, or ckpt.ko's). */
int ckptctl_exit_code(int err);

/* One JSON object on stdout: begin it; end it with the newline (job_print.c). */
struct json_out;
void ckptctl_json_begin(struct json_out *j);
void ckptctl_json_end(struct json_out *j);

#endif /* CKPTCTL_H */
