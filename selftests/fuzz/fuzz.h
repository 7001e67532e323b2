/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fuzz targets (selftests/fuzz/fuzz_*.c): a scratch
 * directory on tmpfs, writing an input out as a file, and a sink that
 * keeps values the parsers return from being optimized away.
 */
#ifndef CKPT_FUZZ_H
#define CKPT_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t fuzz_sink;

/* FUZZ_DEBUG=1 in the environment: say why an input was refused. */
static inline void fuzz_debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void fuzz_debug(const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	if (on < 0)
		on = getenv("FUZZ_DEBUG") != NULL;
	if (!on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static inline void fuzz_keep(uint64_t v)
{
	fuzz_sink += v;
}

static char fuzz_scratch_dir[128];

static inline void fuzz_scratch_remove(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_scratch_dir);
	if (system(cmd))
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_scratch_dir);
}

/* A private scratch directory (tmpfs when there is one), made once. */
static inline const char *fuzz_scratch(void)
{
	char *dir = fuzz_scratch_dir;

	if (!dir[0]) {
		snprintf(dir, sizeof(fuzz_scratch_dir), "%s/ckpt-fuzz-%d",
			 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm", (int)getpid());
		if (mkdir(dir, 0700) && errno != EEXIST) {
			fprintf(stderr, "fuzz: cannot create %s: %s\n", dir, strerror(errno));
			abort();
		}
		atexit(fuzz_scratch_remove);
	}
	return dir;
}

/* Writes len bytes as file path (created or truncated); aborts on failure. */
static inline void fuzz_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot create %s: %s\n", path, strerror(errno));
		abort();
	}
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n <= 0) {
			fprintf(stderr, "fuzz: writing %s: %s\n", path, strerror(errno));
			abort();
		}
		done += n;
	}
	close(fd);
}

/* Removes a directory of plain files (and the directory). */
static inline void fuzz_rm_dir(const char *dir)
{
	char path[4400];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path)) {
			fprintf(stderr, "fuzz: cannot remove %s: %s\n", path, strerror(errno));
			abort();
		}
	}
	closedir(d);
	if (rmdir(dir)) {
		fprintf(stderr, "fuzz: cannot remove %s: %s\n", dir, strerror(errno));
		abort();
	}
}

/*
 * Sections of a container input: each a little-endian u32 length and that
 * many bytes (cut short at the end of the input); 0xffffffff means "no
 * such file".  Returns 1 and the section in *p and *len (*p NULL: absent), or
 * 0 when the input has no more.
 */
struct fuzz_cursor {
	const uint8_t *p;
	size_t left;
};

static inline int fuzz_section(struct fuzz_cursor *c, const uint8_t **p, size_t *len)
{
	uint32_t n;

	if (c->left < 4)
		return 0;
	memcpy(&n, c->p, 4);
	c->p += 4;
	c->left -= 4;
	if (n == 0xffffffffU) {
		*p = NULL;
		*len = 0;
		return 1;
	}
	if (n > c->left)
		n = c->left;
	*p = c->p;
	*len = n;
	c->p += n;
	c->left -= n;
	return 1;
}

#endif /* CKPT_FUZZ_H */
