/* SPDX-License-Identifier: GPL-2.0 */
/* Names and meanings of the CKPT_FEATURE_* bits, for people and JSON. */
#ifndef CKPT_FEATURES_DESC_H
#define CKPT_FEATURES_DESC_H

#include <stddef.h>
#include <stdint.h>

struct ckpt_feature_desc {
	uint64_t bit;
	const char *name;	/* stable identifier, used as JSON key */
	const char *use;	/* what ckpt uses it for */
};

extern const struct ckpt_feature_desc ckpt_feature_descs[];
extern const size_t ckpt_n_feature_descs;

/* The bits of @bits that no descriptor names (a newer module's). */
uint64_t ckpt_features_unknown(uint64_t bits);

#endif /* CKPT_FEATURES_DESC_H */
