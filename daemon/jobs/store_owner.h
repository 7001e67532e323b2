/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may read the images of a job in the store (Documentation/security.md,
 * "Images on disk"):
 *
 *   <store>/<job>/         root, 0700, plus an ACL entry user:<owner>:r-x
 *   <store>/<job>/.owner   root, 0600: "uid gid" of the job's owner, so
 *                          that its owner may restore it after a kill
 *   <store>/<job>/<seq>/   root, 0700, plus user:<owner>:r-x
 *   .../<seq>/<file>       root, 0600, plus user:<owner>:r--
 *
 * The job's owner reads its images (ckptctl image ls|show|verify work on
 * the files), nobody else does, and nobody but root changes them: ckptd
 * restores images as root, so an image its owner could rewrite would hand
 * that owner any credentials and files it names.  On a file system without
 * POSIX ACLs the images stay root's alone (the owner asks root to read them).
 */
#ifndef CKPTD_STORE_OWNER_H
#define CKPTD_STORE_OWNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ckpt_err;

/*
 * Creates or fixes <store>/<job> for @uid:@gid: 0 or -errno with what
 * failed in @e; -EPERM if it holds images of another owner (a job id
 * used again by another user: the older images are never shown to it).
 */
int ckptd_store_job_dir(const char *store, uint32_t job, uid_t uid, gid_t gid,
			struct ckpt_err *e);
/* The owner recorded for <store>/<job>: 0, or -ENOENT if none. */
int ckptd_store_owner(const char *store, uint32_t job, uid_t *uid, gid_t *gid);
/*
 * Opens the written image <store>/<job>/<seq> and every file in it to
 * @uid for reading (root's only, mode 0600/0700).  -EOPNOTSUPP when the
 * file system has no ACLs (the image stays root's alone).
 */
int ckptd_store_give(const char *store, uint32_t job, uint64_t seq, uid_t uid,
		     struct ckpt_err *e);

#endif /* CKPTD_STORE_OWNER_H */
