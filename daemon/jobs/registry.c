// SPDX-License-Identifier: GPL-2.0
/*
 * The job registry on disk: a text file, one job per line after a version
 * line, written whole and atomically:
 *
 *   ckptd-jobs 1
 *   job id=42 uid=0 gid=0 kind=1 pid=123 start=4567 flags=0 last_seq=3 cgroup=-
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "jobs/registry.h"

struct ckptd_job *ckptd_registry_find(struct ckptd_registry *r, uint32_t id)
{
	for (struct ckptd_job *j = r->jobs; j; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

struct ckptd_job *ckptd_registry_add(struct ckptd_registry *r, uint32_t id)
{
	struct ckptd_job *j = calloc(1, sizeof(*j)), **pp;

	if (!j)
		return NULL;
	j->id = id;
	j->seq_base = CKPTD_SEQ_BASE_UNKNOWN;
	/* keep the list sorted by id: list output and the file are stable */
	for (pp = &r->jobs; *pp && (*pp)->id < id; pp = &(*pp)->next)
		;
	j->next = *pp;
	*pp = j;
	return j;
}

void ckptd_registry_remove(struct ckptd_registry *r, struct ckptd_job *job)
{
	for (struct ckptd_job **pp = &r->jobs; *pp; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			free(job);
			return;
		}
}

void ckptd_registry_free(struct ckptd_registry *r)
{
	while (r->jobs)
		ckptd_registry_remove(r, r->jobs);
}

char *ckptd_registry_format(const struct ckptd_registry *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "ckptd-jobs %d\n", CKPTD_REGISTRY_VERSION);
	for (const struct ckptd_job *j = r->jobs; j; j = j->next)
		fprintf(f, "job id=%u uid=%u gid=%u kind=%u pid=%u start=%" PRIu64
			" flags=%u last_seq=%" PRIu64 " cgroup=%s\n",
			j->id, j->uid, j->gid, j->kind, j->pid, j->starttime,
			j->flags, j->last_seq,
			j->cgroup[0] ? j->cgroup : "-");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "<file>:<line>: <what>"; always -EINVAL. */
static int bad(struct ckpt_err *e, const char *name, unsigned int line,
	       const char *fmt, ...) CKPT_ERR_FMT(4, 5);

static int bad(struct ckpt_err *e, const char *name, unsigned int line,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ckpt_err_vset(e, EINVAL, fmt, ap);
	va_end(ap);
	ckpt_err_prefix(e, "%s:%u", name, line);
	return -EINVAL;
}

/* A decimal number up to @max: 0, -EINVAL if not a number, -ERANGE if too large. */
static int get_u64(const char *val, uint64_t max, uint64_t *out)
{
	char *end;

	if (*val < '0' || *val > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(val, &end, 10);
	if (*end)
		return -EINVAL;
	return errno || *out > max ? -ERANGE : 0;
}

static int parse_job(struct ckptd_registry *r, char *line, const char *name,
		     unsigned int ln, struct ckpt_err *e)
{
	static const char *const keys[] = {
		"id", "uid", "gid", "kind", "pid", "start", "flags",
		"last_seq", "cgroup",
	};
	char *vals[9] = { 0 }, *save = NULL, *w;
	uint64_t v[8];
	struct ckptd_job *j;

	for (w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		unsigned int k;

		if (!eq)
			return bad(e, name, ln, "'%.30s' is not key=value", w);
		*eq = 0;
		for (k = 0; k < 9 && strcmp(keys[k], w); k++)
			;
		if (k == 9)
			return bad(e, name, ln, "unknown key '%.30s'", w);
		if (vals[k])
			return bad(e, name, ln, "key '%s' given twice", w);
		vals[k] = eq + 1;
	}
	for (unsigned int k = 0; k < 9; k++) {
		if (!vals[k])
			return bad(e, name, ln, "key '%s' missing", keys[k]);
		if (k < 8 && get_u64(vals[k], k < 5 || k == 6 ? UINT32_MAX : UINT64_MAX,
				     &v[k]))
			return bad(e, name, ln, "%s: '%.30s' is not a valid number",
				   keys[k], vals[k]);
	}
	if (!v[0])
		return bad(e, name, ln, "job id 0 is not valid");
	if (v[3] < CKPT_JOB_TREE || v[3] > CKPT_JOB_KIND_MAX)
		return bad(e, name, ln, "kind %" PRIu64 " is unknown", v[3]);
	if (strlen(vals[8]) >= sizeof(j->cgroup))
		return bad(e, name, ln, "cgroup path too long");
	if (ckptd_registry_find(r, v[0]))
		return bad(e, name, ln, "job %" PRIu64 " listed twice", v[0]);
	j = ckptd_registry_add(r, v[0]);
	if (!j)
		return bad(e, name, ln, "out of memory");
	j->uid = v[1];
	j->gid = v[2];
	j->kind = v[3];
	j->pid = v[4];
	j->starttime = v[5];
	j->flags = v[6];
	j->last_seq = v[7];
	if (strcmp(vals[8], "-"))
		snprintf(j->cgroup, sizeof(j->cgroup), "%s", vals[8]);
	return 0;
}

int ckptd_registry_parse(struct ckptd_registry *r, const char *name,
			 const char *text, struct ckpt_err *e)
{
	char *copy = strdup(text), *line, *next;
	unsigned int ln = 0;
	int ret = 0, version = -1;

	if (!copy)
		return bad(e, name, 0, "out of memory");
	for (line = copy; line && *line && !ret; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			ret = bad(e, name, ln + 1,
				  "last line not terminated (truncated file)");
			break;
		}
		*next++ = 0;
		ln++;
		if (ln == 1) {
			if (sscanf(line, "ckptd-jobs %d", &version) != 1)
				ret = bad(e, name, ln, "not a ckptd job registry");
			else if (version != CKPTD_REGISTRY_VERSION)
				ret = bad(e, name, ln,
					  "registry version %d, this ckptd reads %d: use the matching ckptd",
					  version, CKPTD_REGISTRY_VERSION);
			continue;
		}
		if (strncmp(line, "job ", 4))
			ret = bad(e, name, ln, "expected a 'job' line");
		else
			ret = parse_job(r, line + 4, name, ln, e);
	}
	if (!ret && version < 0)
		ret = bad(e, name, 1, "empty file: not a ckptd job registry");
	free(copy);
	if (ret)
		ckptd_registry_free(r);
	return ret;
}

int ckptd_registry_load(struct ckptd_registry *r, const char *dir,
			struct ckpt_err *e)
{
	char path[4200], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, ret = 0;

	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->jobs = NULL;
	snprintf(path, sizeof(path), "%s/" CKPTD_REGISTRY_FILE, dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ckpt_err_sys(e, "%s: cannot open the job registry", path);
	}
	do {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0)
			ret = -errno;
		else
			len += n;
	} while (n > 0 && !ret);
	close(fd);
	if (ret) {
		ckpt_err_set(e, -ret, "%s: cannot read the job registry: %s",
			     path, strerror(-ret));
	} else if (memchr(buf, 0, len)) {
		ret = bad(e, path, 0, "contains NUL bytes: damaged");
	} else {
		buf[len] = 0;
		ret = ckptd_registry_parse(r, path, buf, e);
	}
	free(buf);
	return ret;
}

int ckptd_registry_write(const char *dir, const char *text, size_t len,
			 struct ckpt_err *e)
{
	char tmp[4200], path[4200];
	size_t off = 0;
	int fd, dfd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s/" CKPTD_REGISTRY_FILE ".tmp", dir);
	snprintf(path, sizeof(path), "%s/" CKPTD_REGISTRY_FILE, dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		return ckpt_err_sys(e, "%s: cannot create", tmp);
	}
	while (off < len && !ret) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			off += n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		ckpt_err_set(e, -ret, "%s: cannot write the job registry: %s; free space in %s",
			     tmp, strerror(-ret), dir);
		unlink(tmp);
		return ret;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		ret = ckpt_err_sys(e, "%s: fsync of the directory", dir);
	}
	if (dfd >= 0)
		close(dfd);
	return ret;
}
