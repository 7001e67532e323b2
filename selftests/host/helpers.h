/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures shared by the host tests (selftests/host/helpers.c, linked into
 * every one of them): scratch directories and their removal, image stores
 * with hand-made or synthetic images, whole files read, written and
 * corrupted, and the count of open descriptors.  Functions returning int
 * return 0 or -errno.
 */
#ifndef HOST_HELPERS_H
#define HOST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ckpt_err;
struct ckpt_img_manifest;
struct ckpt_img_zinfo;
struct ckptd_image_write_opts;
struct ckptd_image_write_stats;
struct synth;

/* --- scratch directories ------------------------------------------------ */

/* Creates /tmp/NAME-XXXXXX; dir (size bytes) receives its path. */
int th_tmpdir(char *dir, size_t size, const char *name);

/*
 * Removes dir and everything below it, unmounting what is mounted there
 * first; quiet when dir is empty or gone.
 */
int th_rmtree(const char *dir);

/* Whether the path printf(fmt, ...) names exists. */
bool th_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- image stores ------------------------------------------------------- */

/* A scratch store /tmp/NAME-XXXXXX with the directory of job. */
int th_store(char *store, size_t size, const char *name, uint64_t job);

/* Adds the directory of job to store. */
int th_store_job(const char *store, uint64_t job);

/* th_mkimage() flags */
#define TH_IMG_PREDUMP		1	/* a migration's pre-dump */
#define TH_IMG_UNCOMMITTED	2	/* no manifest yet: a write in progress */

/*
 * Image store/job/seq of nothing but a manifest header naming seq and its
 * parent (an incremental image when parent is not 0); uncommitted ones hold
 * the header in pages.img instead.
 */
int th_mkimage(const char *store, uint64_t job, uint64_t seq, uint64_t parent,
	       unsigned int flags);

/* Writes the dump stream s as the image dir (o and st as for the writer). */
int th_write_stream(const char *dir, const struct synth *s,
		    const struct ckptd_image_write_opts *o,
		    struct ckptd_image_write_stats *st, struct ckpt_err *err);

/* The same for synth_job(seq, parent, npages). */
int th_write_job(const char *dir, uint64_t seq, uint64_t parent,
		 uint32_t npages, const struct ckptd_image_write_opts *o,
		 struct ckpt_err *err);

/*
 * Lets fn change the manifest of image dir (its header and, in a compressed
 * image, the compression block zi), then fixes the self-checksum.
 */
void th_patch_manifest(const char *dir,
		       void (*fn)(struct ckpt_img_manifest *m,
				  struct ckpt_img_zinfo *zi, void *arg),
		       void *arg);

/* Opens and verifies the image dir; the error of whichever failed. */
int th_open_verify(const char *dir, struct ckpt_err *err);

/*
 * A 1 MiB tmpfs at store/mnt holding the directory of job SYN_JOB; dir
 * (size bytes) receives the path its image 1 would have.  Needs root:
 * -EPERM otherwise.  th_rmtree(store) unmounts it.
 */
int th_small_store(const char *store, char *dir, size_t size);

/* --- whole files -------------------------------------------------------- */

/* The contents of fd, or of dir/name, in a new buffer (*len bytes). */
uint8_t *th_slurp_fd(int fd, size_t *len);
uint8_t *th_slurp(const char *dir, const char *name, size_t *len);

/* Replaces the contents of dir/name (an existing file); aborts on failure. */
void th_put_file(const char *dir, const char *name, const void *buf, size_t len);

/* Creates or replaces path with text; aborts on failure. */
void th_write_file(const char *path, const char *text);

/* Flips a bit of the byte at off of dir/name; aborts on failure. */
void th_flip_byte(const char *dir, const char *name, off_t off);

/* Size of dir/name, 0 if it is missing. */
uint64_t th_file_size(const char *dir, const char *name);

/* --- descriptors -------------------------------------------------------- */

/* How many descriptors this process holds open (for leak checks). */
int th_count_fds(void);

#endif /* HOST_HELPERS_H */
