// SPDX-License-Identifier: GPL-2.0
/* Sending an image chain to a peer (peer_xfer.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "image.h"
#include "peer_xfer.h"
#include "xxh64.h"

#define CHAIN_MAX	4096

struct sender {
	struct ckpt_peer_conn *c;
	const struct ckpt_peer_send_opts *o;
	uint64_t chunks_sent, sent, total;
	uint32_t job;
	uint64_t seq;
};

static int file_sum(const char *path, uint64_t *sum, uint8_t *buf)
{
	struct ckptd_xxh64 st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	ckptd_xxh64_init(&st, 0);
	while ((n = read(fd, buf, CKPT_PEER_CHUNK)) > 0)
		ckptd_xxh64_update(&st, buf, n);
	close(fd);
	if (n < 0)
		return -EIO;
	*sum = ckptd_xxh64_digest(&st);
	return 0;
}

static int send_file_as(struct sender *s, const char *path, const char *name);

static int send_file(struct sender *s, const char *dir, const char *name)
{
	char path[4608];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return send_file_as(s, path, name);
}

int ckpt_peer_send_job_log(struct ckpt_peer_conn *c, uint32_t job, const char *path)
{
	static const struct ckpt_peer_send_opts none;
	struct sender s = { .c = c, .o = &none, .job = job, .seq = 0 };

	return send_file_as(&s, path, CKPT_PEER_JOB_LOG);
}

static int send_file_as(struct sender *s, const char *path, const char *name)
{
	struct ckpt_peer_conn *c = s->c;
	struct ckpt_peer_file_put put = { .job = s->job, .seq = s->seq };
	struct ckpt_peer_file_end end = { 0 };
	struct ckptd_xxh64 whole;
	uint8_t *buf;
	struct stat st;
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = ckpt_peer_why(c, -errno, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	buf = malloc(CKPT_PEER_CHUNK);
	if (!buf) {
		close(fd);
		return ckpt_peer_why(c, -ENOMEM, "out of memory");
	}
	put.size = st.st_size;
	put.mtime_sec = st.st_mtim.tv_sec;
	put.mtime_nsec = st.st_mtim.tv_nsec;
	snprintf(put.name, sizeof(put.name), "%s", name);
	ret = ckpt_peer_send(c, CKPT_PEER_FILE_PUT, &put, sizeof(put));
	ckptd_xxh64_init(&whole, 0);
	while (!ret && (n = read(fd, buf, CKPT_PEER_CHUNK)) != 0) {
		uint64_t sum;

		if (n < 0) {
			ret = ckpt_peer_why(c, -errno, "reading %s: %s", path, strerror(errno));
			break;
		}
		ckptd_xxh64_update(&whole, buf, n);
		sum = ckptd_xxh64(buf, n, 0);
		if (++s->chunks_sent == s->o->corrupt_chunk)
			buf[n / 2] ^= 0x20;	/* test hook: damage in flight */
		ret = ckpt_peer_send_sum(c, CKPT_PEER_DATA, buf, n, sum);
		end.chunks++;
		s->sent += n;
		if (s->o->progress)
			s->o->progress(s->o->progress_arg, s->sent, s->total);
	}
	close(fd);
	free(buf);
	end.sum = ckptd_xxh64_digest(&whole);
	if (!ret)
		ret = ckpt_peer_send(c, CKPT_PEER_FILE_END, &end, sizeof(end));
	if (!ret)
		ret = ckpt_peer_expect(c, CKPT_PEER_OK, 0);
	return ret;
}

/* Every file of an image directory, the manifest last. */
static int send_image(struct sender *s, const char *dir)
{
	struct ckpt_peer_job commit = { .job = s->job, .seq = s->seq };
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return ckpt_peer_why(s->c, -errno, "cannot open %s: %s", dir, strerror(errno));
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, CKPT_IMG_MANIFEST) ||
		    !strcmp(de->d_name, CKPT_IMG_MANIFEST_TMP))
			continue;
		ret = send_file(s, dir, de->d_name);
	}
	closedir(d);
	if (!ret)
		ret = send_file(s, dir, CKPT_IMG_MANIFEST);
	if (!ret)
		ret = ckpt_peer_send(s->c, CKPT_PEER_IMAGE_COMMIT, &commit, sizeof(commit));
	if (!ret)
		ret = ckpt_peer_expect(s->c, CKPT_PEER_OK, 0);
	return ret;
}

static uint64_t dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;
	char path[4400];
	struct stat st;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path) &&
		    !stat(path, &st) && S_ISREG(st.st_mode))
			total += st.st_size;
	closedir(d);
	return total;
}

int ckpt_peer_send_chain(struct ckpt_peer_conn *c, const char *store,
			 uint32_t job, uint64_t seq,
			 const struct ckpt_peer_send_opts *o,
			 struct ckpt_peer_send_stats *st)
{
	static const struct ckpt_peer_send_opts none;
	struct sender s = { .c = c, .o = o ? o : &none, .job = job };
	uint64_t *chain = calloc(CHAIN_MAX, sizeof(*chain)), sums[1] = { 0 };
	char dir[4200];
	unsigned int n = 0;
	uint8_t *buf = malloc(CKPT_PEER_CHUNK);
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (!chain || !buf) {
		free(chain);
		free(buf);
		return ckpt_peer_why(c, -ENOMEM, "out of memory");
	}
	/* the chain, newest first: each manifest names its parent */
	for (uint64_t cur = seq; cur && !ret; n++) {
		struct ckptd_image *img;
		struct ckpt_err e;

		if (n == CHAIN_MAX) {
			ret = ckpt_peer_why(c, -ELOOP, "job %u: the parent chain of checkpoint %llu is longer than %u",
					    job, (unsigned long long)seq, CHAIN_MAX);
			break;
		}
		ckptd_image_path(dir, sizeof(dir), store, job, cur);
		ret = ckptd_image_open(dir, &img, &e);
		if (ret) {
			ckpt_peer_why(c, ret, "%s", e.msg);
			break;
		}
		chain[n] = cur;
		cur = img->man.parent_seq;
		ckptd_image_close(img);
		s.total += dir_bytes(dir);
	}
	/* oldest first, so that the receiver can verify each against its parent */
	while (!ret && n--) {
		struct ckpt_peer_image_have have = { .job = job, .seq = chain[n] };
		struct ckpt_peer_have *reply;
		char man[4300];

		ckptd_image_path(dir, sizeof(dir), store, job, chain[n]);
		snprintf(man, sizeof(man), "%s/" CKPT_IMG_MANIFEST, dir);
		ret = file_sum(man, sums, buf);
		if (ret) {
			ckpt_peer_why(c, ret, "cannot read %s: %s", man, strerror(-ret));
			break;
		}
		have.manifest_sum = sums[0];
		ret = ckpt_peer_send(c, CKPT_PEER_IMAGE_HAVE, &have, sizeof(have));
		if (!ret)
			ret = ckpt_peer_expect(c, CKPT_PEER_HAVE, sizeof(*reply));
		if (ret)
			break;
		reply = (void *)c->buf;
		if (reply->have) {
			st->images_present++;
			s.sent += dir_bytes(dir);
			continue;
		}
		s.seq = chain[n];
		ret = send_image(&s, dir);
		if (!ret) {
			st->images_sent++;
			st->bytes += dir_bytes(dir);
		}
	}
	free(chain);
	free(buf);
	return ret;
}
