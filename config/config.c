// SPDX-License-Identifier: GPL-2.0
/*
 * The config file: "key = value" lines, '#' comments, an optional [ckptd]
 * section header.  Every error names file:line and what to do.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckptd_config.h"
#include "ctl_proto.h"
#include "image.h"

#define CONFIG_MAX	(256 * 1024)

void ckptd_config_defaults(struct ckptd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->image_store, sizeof(c->image_store), "%s", CKPTD_IMAGE_STORE);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", CKPTD_STATE_DIR);
	snprintf(c->socket, sizeof(c->socket), "%s", CKPTD_CTL_SOCKET);
	snprintf(c->cgroup_dir, sizeof(c->cgroup_dir), "%s", CKPTD_CGROUP_DIR);
	snprintf(c->restorer, sizeof(c->restorer), "%s", CKPTD_RESTORER);
	c->compression_level = CKPTD_ZSTD_LEVEL_DEFAULT;
	for (int i = 0; i < CKPT_LOWER_PATTERNS_MAX; i++)
		c->lower_ptrs[i] = c->lower[i];
	ckptd_config_peers_defaults(c);
}

struct parser {
	const char *name;
	unsigned int line;
	struct ckpt_err *e;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "<file>:<line>: <what>"; always -EINVAL. */
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ckpt_err_vset(p->e, EINVAL, fmt, ap);
	va_end(ap);
	ckpt_err_prefix(p->e, "%s:%u", p->name, p->line);
	return -EINVAL;
}

static int set_path(struct parser *p, const char *key, char *dst, size_t size,
		    const char *val, int must_be_absolute)
{
	if (must_be_absolute && val[0] != '/')
		return fail(p, "%s: '%s' is not an absolute path", key, val);
	if (strlen(val) >= size)
		return fail(p, "%s: path longer than %zu bytes", key, size - 1);
	snprintf(dst, size, "%s", val);
	return 0;
}

static int set_uint(struct parser *p, const char *key, unsigned int *dst,
		    const char *val, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (!isdigit((unsigned char)val[0]) || *end || errno || v < min || v > max)
		return fail(p, "%s: '%s' is not a number from %lu to %lu",
			    key, val, min, max);
	*dst = v;
	return 0;
}

static int set_lower(struct parser *p, struct ckptd_config *c, char *val)
{
	char *save = NULL, *w;

	c->lower_set = 1;
	c->nr_lower = 0;
	if (!strcmp(val, "none"))
		return 0;
	for (w = strtok_r(val, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (c->nr_lower == CKPT_LOWER_PATTERNS_MAX)
			return fail(p, "lower_patterns: more than %d patterns",
				    CKPT_LOWER_PATTERNS_MAX);
		if (strlen(w) > CKPT_PATTERN_MAX)
			return fail(p, "lower_patterns: pattern '%.20s...' longer than %d bytes",
				    w, CKPT_PATTERN_MAX);
		snprintf(c->lower[c->nr_lower++], CKPT_PATTERN_MAX + 1, "%s", w);
	}
	return 0;
}

static int set_key(struct parser *p, struct ckptd_config *c, const char *key,
		   char *val)
{
	if (!strcmp(key, "image_store"))
		return set_path(p, key, c->image_store, sizeof(c->image_store), val, 1);
	if (!strcmp(key, "state_dir"))
		return set_path(p, key, c->state_dir, sizeof(c->state_dir), val, 1);
	if (!strcmp(key, "socket"))
		return set_path(p, key, c->socket, sizeof(c->socket), val, 1);
	if (!strcmp(key, "cgroup_dir"))
		return set_path(p, key, c->cgroup_dir, sizeof(c->cgroup_dir), val, 1);
	if (!strcmp(key, "restorer"))
		return set_path(p, key, c->restorer, sizeof(c->restorer), val, 0);
	if (!strcmp(key, "keep"))
		return set_uint(p, key, &c->keep, val, 0, 100000);
	if (!strcmp(key, "freeze_timeout_ms"))
		return set_uint(p, key, &c->freeze_timeout_ms, val, 1,
				CKPT_FREEZE_TIMEOUT_MS_MAX);
	if (!strcmp(key, "lower_patterns"))
		return set_lower(p, c, val);
	if (!strcmp(key, "compression")) {
		if (!strcmp(val, "none")) {
			c->compression = CKPTD_COMPRESS_NONE;
			return 0;
		}
		if (!strcmp(val, "zstd")) {
			c->compression = CKPTD_COMPRESS_ZSTD;
			return 0;
		}
		return fail(p, "compression: unknown method '%s'; use 'none' or 'zstd'", val);
	}
	if (!strcmp(key, "compression_level"))
		return set_uint(p, key, &c->compression_level, val, 1,
				CKPTD_COMPRESSION_LEVEL_MAX);
	return fail(p, "unknown key '%s' (see ckptd.conf(5))", key);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int ckptd_config_parse(struct ckptd_config *c, const char *name,
		       const char *text, struct ckpt_err *e)
{
	struct parser p = { .name = name, .e = e };
	char *copy = strdup(text), *line, *next;
	char seen[16][32];
	unsigned int nseen = 0;
	int ret = 0, in_peers = 0;

	if (!copy)
		return fail(&p, "out of memory");
	for (line = copy; line && !ret; line = next) {
		char *eq, *key, *val;

		p.line++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		if (*line == '[') {
			in_peers = !strcmp(line, "[peers]");
			if (in_peers && c->peers_on) {
				ret = fail(&p, "[peers] given twice; keep one");
				break;
			}
			c->peers_on |= in_peers;
			if (in_peers || !strcmp(line, "[ckptd]"))
				continue;
			ret = fail(&p, "unknown section %s (known: [ckptd], [peers])", line);
			break;
		}
		eq = strchr(line, '=');
		if (!eq) {
			ret = fail(&p, "expected 'key = value', got '%.40s'", line);
			break;
		}
		*eq = 0;
		key = trim(line);
		val = trim(eq + 1);
		if (!*key) {
			ret = fail(&p, "missing key before '='");
			break;
		}
		if (!*val) {
			ret = fail(&p, "%s: missing value after '='", key);
			break;
		}
		if (in_peers) {
			ret = ckptd_config_peers_set(c, key, val, e);
			if (ret) {
				ckpt_err_prefix(e, "%s:%u", name, p.line);
				ret = -EINVAL;
			}
			continue;
		}
		for (unsigned int i = 0; i < nseen; i++)
			if (!strcmp(seen[i], key))
				ret = fail(&p, "%s: given twice; keep one", key);
		if (ret)
			break;
		ret = set_key(&p, c, key, val);
		if (!ret && nseen < 16)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
	}
	free(copy);
	return ret;
}

int ckptd_config_load(struct ckptd_config *c, const char *path,
		      int must_exist, struct ckpt_err *e)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return ckpt_err_sys(e, "%s: cannot open the config file", path);
	}
	buf = malloc(CONFIG_MAX + 1);
	if (!buf) {
		close(fd);
		return ckpt_err_set(e, ENOMEM, "%s: out of memory", path);
	}
	while ((n = read(fd, buf + len, CONFIG_MAX + 1 - len)) > 0)
		len += n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		ckpt_err_set(e, -ret, "%s: cannot read the config file: %s",
			     path, strerror(-ret));
	else if (len > CONFIG_MAX)
		ret = ckpt_err_set(e, EFBIG, "%s: larger than %d bytes", path, CONFIG_MAX);
	else if (memchr(buf, 0, len))
		ret = ckpt_err_set(e, EINVAL, "%s: contains a NUL byte: not a text file",
				   path);
	if (!ret) {
		buf[len] = 0;
		ret = ckptd_config_parse(c, path, buf, e);
	}
	free(buf);
	return ret;
}
