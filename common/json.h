/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer for --json output. */
#ifndef CKPT_JSON_H
#define CKPT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_out {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json_out *j, FILE *f);
/* key is NULL inside arrays and for the top-level value. */
void json_begin_object(struct json_out *j, const char *key);
void json_end_object(struct json_out *j);
void json_begin_array(struct json_out *j, const char *key);
void json_end_array(struct json_out *j);
void json_string(struct json_out *j, const char *key, const char *val);
void json_u64(struct json_out *j, const char *key, uint64_t val);
/* Microseconds @us as milliseconds with three decimals. */
void json_ms(struct json_out *j, const char *key, uint64_t us);
void json_bool(struct json_out *j, const char *key, bool val);
/* Ends the document with a newline. */
void json_finish(struct json_out *j);

void json_write_escaped(FILE *f, const char *s);

#endif /* CKPT_JSON_H */
