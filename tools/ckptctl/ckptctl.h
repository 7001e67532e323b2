/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPTCTL_H
#define CKPTCTL_H

/* Exit codes, documented in ckptctl(8). */
enum {
	CKPTCTL_EXIT_OK = 0,
	CKPTCTL_EXIT_FAILED = 1,	/* the operation failed */
	CKPTCTL_EXIT_USAGE = 2,		/* bad command line */
	CKPTCTL_EXIT_UNAVAILABLE = 3,	/* ckpt.ko (or ckptd) not there */
	CKPTCTL_EXIT_DENIED = 4,	/* permission denied */
};

extern const char *ckptctl_prog;

int check_main(int argc, char *argv[]);
int image_main(int argc, char *argv[]);

/* Maps a negative errno from an operation to an exit code. */
int ckptctl_exit_code(int err);

#endif /* CKPTCTL_H */
