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
	CKPTCTL_EXIT_NOTFOUND = 5,	/* no such job or image */
};

extern const char *ckptctl_prog;

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

/* Maps a negative errno from an operation to an exit code. */
int ckptctl_exit_code(int err);

#endif /* CKPTCTL_H */
