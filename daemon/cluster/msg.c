// SPDX-License-Identifier: GPL-2.0
/* Host lists, CLUSTER_* message checks, the global manifest's text (msg.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/msg.h"
#include "xxh64.h"

static int name_ok(const char *s, size_t n)
{
	if (!n || n >= CKPT_PEER_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int ckptd_cluster_hosts_parse(const char *list, struct ckptd_cluster_hosts *h, struct ckpt_err *err)
{
	const char *p = list;

	memset(h, 0, sizeof(*h));
	while (*p) {
		size_t n = strcspn(p, ",");

		if (!name_ok(p, n))
			return ckpt_err_set(err, EINVAL, "cluster host list '%s': '%.*s' is not a host name (letters, digits, '.', '_', '-'; at most %d)",
				   list, (int)n, p, CKPT_PEER_NAME - 1);
		if (h->n == CKPTD_CLUSTER_HOSTS_MAX)
			return ckpt_err_set(err, EINVAL, "cluster host list '%s': more than %d hosts",
				   list, CKPTD_CLUSTER_HOSTS_MAX);
		memcpy(h->name[h->n++], p, n);
		p += n;
		if (*p == ',' && !*++p)
			return ckpt_err_set(err, EINVAL, "cluster host list '%s' ends in a comma", list);
	}
	if (h->n < 2)
		return ckpt_err_set(err, EINVAL, "cluster host list '%s': a job spanning hosts needs at least two, e.g. alpha,beta",
			   list);
	qsort(h->name, h->n, sizeof(h->name[0]), cmp_name);
	for (unsigned int i = 1; i < h->n; i++)
		if (!strcmp(h->name[i], h->name[i - 1]))
			return ckpt_err_set(err, EINVAL, "cluster host list '%s' names %s twice", list, h->name[i]);
	return 0;
}

void ckptd_cluster_hosts_format(const struct ckptd_cluster_hosts *h,
				char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < h->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? "," : "", h->name[i]);
}

int ckptd_cluster_hosts_has(const struct ckptd_cluster_hosts *h, const char *name)
{
	for (unsigned int i = 0; i < h->n; i++)
		if (!strcmp(h->name[i], name))
			return 1;
	return 0;
}

/* A NUL-padded field: NUL-terminated inside it, nothing but NULs after. */
static int field_str(const char *f, size_t flen, char *dst, size_t size)
{
	size_t n = strnlen(f, flen);

	if (n == flen || n >= size)
		return -EINVAL;
	for (size_t i = n; i < flen; i++)
		if (f[i])
			return -EINVAL;
	memcpy(dst, f, n + 1);
	return 0;
}

int ckptd_cluster_check_prepare(const void *buf, size_t len,
				struct ckptd_cluster_prepare *out, struct ckpt_err *err)
{
	struct ckpt_peer_cluster_prepare p;
	char hosts[CKPT_PEER_CLUSTER_HOSTS], canon[CKPT_PEER_CLUSTER_HOSTS];

	memset(out, 0, sizeof(*out));
	if (len != sizeof(p))
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE of %zu bytes, not %zu", len, sizeof(p));
	memcpy(&p, buf, sizeof(p));
	if (!p.job)
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE for job 0");
	if (p.flags & ~CKPT_PEER_CLUSTER_FLAGS)
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE with unknown flags 0x%x", p.flags);
	if (field_str(p.coordinator, sizeof(p.coordinator), out->coordinator,
		      sizeof(out->coordinator)) ||
	    !name_ok(out->coordinator, strlen(out->coordinator)))
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE: the coordinator is not a host name");
	if (field_str(p.hosts, sizeof(p.hosts), hosts, sizeof(hosts)))
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE: the host list is not NUL-padded");
	if (ckptd_cluster_hosts_parse(hosts, &out->hosts, err))
		return -EINVAL;
	ckptd_cluster_hosts_format(&out->hosts, canon, sizeof(canon));
	if (strcmp(canon, hosts))
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE: host list '%s' is not sorted", hosts);
	if (!ckptd_cluster_hosts_has(&out->hosts, out->coordinator))
		return ckpt_err_set(err, EINVAL, "CLUSTER_PREPARE: coordinator %s is not in the host list %s",
			   out->coordinator, hosts);
	out->job = p.job;
	out->flags = p.flags;
	return 0;
}

int ckptd_cluster_check_job(const void *buf, size_t len, uint32_t *job, struct ckpt_err *err)
{
	struct ckpt_peer_cluster_job j;

	if (len != sizeof(j))
		return ckpt_err_set(err, EINVAL, "cluster message of %zu bytes, not %zu", len, sizeof(j));
	memcpy(&j, buf, sizeof(j));
	if (!j.job || j.reserved)
		return ckpt_err_set(err, EINVAL, "cluster message for job %u, reserved %u", j.job, j.reserved);
	*job = j.job;
	return 0;
}

int ckptd_cluster_check_dumped(const void *buf, size_t len,
			       struct ckpt_peer_cluster_dumped *out, struct ckpt_err *err)
{
	if (len != sizeof(*out))
		return ckpt_err_set(err, EINVAL, "CLUSTER_DUMPED of %zu bytes, not %zu", len, sizeof(*out));
	memcpy(out, buf, sizeof(*out));
	if (!out->seq)
		return ckpt_err_set(err, EINVAL, "CLUSTER_DUMPED names image 0");
	return 0;
}

int ckptd_gmanifest_format(const struct ckptd_gmanifest *g, char *buf,
			   size_t size, size_t *len)
{
	size_t n;

	n = snprintf(buf, size, "ckpt-cluster 1\njob %u\nid %" PRIu64 "\nkind %s\ncoordinator %s\ntime_ns %" PRId64 "\n",
		     g->job, g->id, g->freeze ? "freeze" : "checkpoint", g->coordinator,
		     g->time_ns);
	for (unsigned int i = 0; i < g->n && n < size; i++)
		n += snprintf(buf + n, size - n, "host %s %" PRIu64 "\n", g->e[i].host, g->e[i].seq);
	if (n < size)
		n += snprintf(buf + n, size - n, "sum %016" PRIx64 "\n", ckptd_xxh64(buf, n, 0));
	if (n >= size)
		return -ENOSPC;
	*len = n;
	return 0;
}

/* The next line of text (without its newline) into @line; -ENODATA at the end. */
static int next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return -ENODATA;
	nl = memchr(*p, '\n', end - *p);
	if (!nl)
		return -ENODATA;
	n = nl - *p;
	if (n >= size || memchr(*p, '\0', n))
		return -ENODATA;
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = nl + 1;
	return 0;
}

/* "KEY <decimal>" with nothing else; the number in @v. */
static int keyed_u64(const char *line, const char *key, uint64_t *v)
{
	size_t k = strlen(key);
	char *end;

	if (strncmp(line, key, k) || line[k] != ' ' || line[k + 1] < '0' || line[k + 1] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(line + k + 1, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

static int parse_head(const char **p, const char *end, struct ckptd_gmanifest *g, struct ckpt_err *err)
{
	char line[256], kind[32];
	uint64_t v;

	if (next_line(p, end, line, sizeof(line)) || strcmp(line, "ckpt-cluster 1"))
		return ckpt_err_set(err, EINVAL, "not a global manifest (first line is not 'ckpt-cluster 1')");
	if (next_line(p, end, line, sizeof(line)) || keyed_u64(line, "job", &v) ||
	    !v || v > UINT32_MAX)
		return ckpt_err_set(err, EINVAL, "line 2 is not 'job N'");
	g->job = v;
	if (next_line(p, end, line, sizeof(line)) || keyed_u64(line, "id", &g->id) || !g->id)
		return ckpt_err_set(err, EINVAL, "line 3 is not 'id N' (N >= 1)");
	if (next_line(p, end, line, sizeof(line)) || sscanf(line, "kind %31s", kind) != 1 ||
	    (strcmp(kind, "checkpoint") && strcmp(kind, "freeze")) ||
	    strlen(line) != 5 + strlen(kind))
		return ckpt_err_set(err, EINVAL, "line 4 is not 'kind checkpoint|freeze'");
	g->freeze = !strcmp(kind, "freeze");
	if (next_line(p, end, line, sizeof(line)) || strncmp(line, "coordinator ", 12) ||
	    !name_ok(line + 12, strlen(line + 12)))
		return ckpt_err_set(err, EINVAL, "line 5 is not 'coordinator HOST'");
	strcpy(g->coordinator, line + 12);
	if (next_line(p, end, line, sizeof(line)) || keyed_u64(line, "time_ns", &v) ||
	    v > INT64_MAX)
		return ckpt_err_set(err, EINVAL, "line 6 is not 'time_ns N'");
	g->time_ns = (int64_t)v;
	return 0;
}

int ckptd_gmanifest_parse(const char *text, size_t len,
			  struct ckptd_gmanifest *g, struct ckpt_err *err)
{
	const char *p = text, *end = text + len, *body_end;
	char line[256], host[CKPT_PEER_NAME + 8], x;
	unsigned long long seq, sum;
	int ret;

	memset(g, 0, sizeof(*g));
	ret = parse_head(&p, end, g, err);
	if (ret)
		return ret;
	for (;;) {
		body_end = p;
		if (next_line(&p, end, line, sizeof(line)))
			return ckpt_err_set(err, EINVAL, "ends without a 'sum' line");
		if (strncmp(line, "host ", 5))
			break;
		if (sscanf(line, "host %70s %llu%c", host, &seq, &x) != 2 ||
		    !name_ok(host, strlen(host)) || !seq || line[strlen(line) - 1] < '0')
			return ckpt_err_set(err, EINVAL, "bad host line '%s' (want 'host NAME SEQ')", line);
		if (g->n == CKPTD_CLUSTER_HOSTS_MAX)
			return ckpt_err_set(err, EINVAL, "more than %d hosts", CKPTD_CLUSTER_HOSTS_MAX);
		if (g->n && strcmp(g->e[g->n - 1].host, host) >= 0)
			return ckpt_err_set(err, EINVAL, "host %s is out of order or named twice", host);
		strcpy(g->e[g->n].host, host);
		g->e[g->n++].seq = seq;
	}
	if (g->n < 2)
		return ckpt_err_set(err, EINVAL, "names %u host(s); a cluster checkpoint has at least two", g->n);
	if (!ckptd_gmanifest_seq_of(g, g->coordinator))
		return ckpt_err_set(err, EINVAL, "coordinator %s has no host line", g->coordinator);
	if (sscanf(line, "sum %16llx%c", &sum, &x) != 1 || strlen(line) != 20)
		return ckpt_err_set(err, EINVAL, "bad sum line '%s' (want 'sum' and 16 hex digits)", line);
	if (p != end)
		return ckpt_err_set(err, EINVAL, "text after the sum line");
	if (sum != ckptd_xxh64(text, body_end - text, 0)) {
		return ckpt_err_set(err, EBADMSG, "checksum mismatch: the global manifest is damaged");
	}
	return 0;
}

uint64_t ckptd_gmanifest_seq_of(const struct ckptd_gmanifest *g, const char *host)
{
	for (unsigned int i = 0; i < g->n; i++)
		if (!strcmp(g->e[i].host, host))
			return g->e[i].seq;
	return 0;
}

int ckptd_cluster_check_commit(const void *buf, size_t len, const char *self,
			       struct ckpt_peer_cluster_commit *hdr,
			       struct ckptd_gmanifest *g, struct ckpt_err *err)
{
	int ret;

	if (len < sizeof(*hdr))
		return ckpt_err_set(err, EINVAL, "cluster commit of %zu bytes, shorter than its header", len);
	memcpy(hdr, buf, sizeof(*hdr));
	if (!hdr->job || !hdr->id || !hdr->seq)
		return ckpt_err_set(err, EINVAL, "cluster commit for job %u, id %llu, image %llu",
			   hdr->job, (unsigned long long)hdr->id, (unsigned long long)hdr->seq);
	if (hdr->text_len != len - sizeof(*hdr) || hdr->text_len > CKPTD_CLUSTER_TEXT_MAX)
		return ckpt_err_set(err, EINVAL, "cluster commit: text_len %u but %zu bytes follow",
			   hdr->text_len, len - sizeof(*hdr));
	ret = ckptd_gmanifest_parse((const char *)buf + sizeof(*hdr), hdr->text_len, g, err);
	if (ret) {
		ckpt_err_prefix(err, "cluster commit: global manifest");
		return ret;
	}
	if (g->job != hdr->job || g->id != hdr->id)
		return ckpt_err_set(err, EINVAL, "cluster commit for job %u id %llu carries the manifest of job %u id %llu",
			   hdr->job, (unsigned long long)hdr->id, g->job, (unsigned long long)g->id);
	if (ckptd_gmanifest_seq_of(g, self) != hdr->seq)
		return ckpt_err_set(err, EINVAL, "cluster commit: the global manifest does not name image %llu of %s",
			   (unsigned long long)hdr->seq, self);
	return 0;
}
