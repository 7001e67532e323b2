/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to ckpt.ko over its generic netlink family.  Functions return 0
 * or -errno; on failure, @e holds the kernel's errno and extack message
 * (or a description of the local failure) for the caller to print.
 */
#ifndef CKPT_KMOD_NL_H
#define CKPT_KMOD_NL_H

#include <stdint.h>

struct ckpt_nl;

struct ckpt_nl_error {
	int err;		/* negative errno */
	char msg[256];		/* kernel extack message or local detail */
};

struct ckpt_kfeatures {
	uint32_t abi_version;
	uint64_t bits;
	uint32_t page_size;
	char kernel_release[65];
	char module_version[64];
};

/* -ENOENT: the family is not registered (ckpt.ko not loaded). */
int ckpt_nl_open(struct ckpt_nl **out, struct ckpt_nl_error *e);
void ckpt_nl_close(struct ckpt_nl *nl);

int ckpt_nl_get_features(struct ckpt_nl *nl, const char *client,
			 struct ckpt_kfeatures *f, struct ckpt_nl_error *e);

#endif /* CKPT_KMOD_NL_H */
