// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer: compact output, strings escaped per RFC 8259.
 * Nesting deeper than JSON_MAX_DEPTH is a programming error and aborts.
 */
#include <stdlib.h>

#include "json.h"

void json_init(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

void json_write_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator and key before any value. */
static void json_prefix(struct json_out *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		json_write_escaped(j->f, key);
		fputc(':', j->f);
	}
}

static void json_open(struct json_out *j, const char *key, char c)
{
	json_prefix(j, key);
	fputc(c, j->f);
	if (++j->depth >= JSON_MAX_DEPTH)
		abort();
	j->first[j->depth] = true;
}

static void json_close(struct json_out *j, char c)
{
	if (j->depth == 0)
		abort();
	j->depth--;
	fputc(c, j->f);
}

void json_begin_object(struct json_out *j, const char *key)
{
	json_open(j, key, '{');
}

void json_end_object(struct json_out *j)
{
	json_close(j, '}');
}

void json_begin_array(struct json_out *j, const char *key)
{
	json_open(j, key, '[');
}

void json_end_array(struct json_out *j)
{
	json_close(j, ']');
}

void json_string(struct json_out *j, const char *key, const char *val)
{
	json_prefix(j, key);
	json_write_escaped(j->f, val);
}

void json_u64(struct json_out *j, const char *key, uint64_t val)
{
	json_prefix(j, key);
	fprintf(j->f, "%llu", (unsigned long long)val);
}

void json_ms(struct json_out *j, const char *key, uint64_t us)
{
	json_prefix(j, key);
	fprintf(j->f, "%llu.%03llu", (unsigned long long)(us / 1000),
		(unsigned long long)(us % 1000));
}

void json_bool(struct json_out *j, const char *key, bool val)
{
	json_prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_finish(struct json_out *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
