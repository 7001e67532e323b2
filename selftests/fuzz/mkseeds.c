// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of the fuzz targets (make fuzz-seeds): small,
 * valid inputs made with the project's own writers — the image writer on
 * synthetic dump streams, the control-protocol builders, the global
 * manifest formatter — in the input layout of each target
 * (selftests/fuzz/fuzz_*.c).
 *
 *	mkseeds DIR	writes DIR/<target>/seed-* (DIR/<target> must exist)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cluster/msg.h"
#include "ctl_proto.h"
#include "files_records.h"
#include "image.h"
#include "peer/peer_proto.h"
#include "synth_stream.h"
#include "xxh64.h"

static const char *out_dir;
static char scratch[] = "/tmp/ckpt-mkseeds-XXXXXX";

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put_u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_section(struct buf *b, const void *data, size_t len)
{
	uint32_t n = len;

	put(b, &n, 4);
	put(b, data, len);
}

static void seed(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/seed-%s", out_dir, target, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd)) {
		fprintf(stderr, "mkseeds: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void seed_buf(const char *target, const char *name, struct buf *b)
{
	seed(target, name, b->p, b->len);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		abort();
	p = malloc(st.st_size + 1);
	if (!p || read(fd, p, st.st_size) != st.st_size)
		abort();
	close(fd);
	*len = st.st_size;
	return p;
}

/* --- control protocol -------------------------------------------------- */

static void ctl_seeds(void)
{
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	size_t nest, job;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 1);
	seed("ctl_proto", "list", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, 2);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 7);
	nest = ckptd_ctl_nest_start(&m, CKPTD_CA_ARGV);
	ckptd_ctl_put_str(&m, CKPTD_CA_ARG, "/bin/sleep");
	ckptd_ctl_put_str(&m, CKPTD_CA_ARG, "100");
	ckptd_ctl_nest_end(&m, nest);
	ckptd_ctl_put_str(&m, CKPTD_CA_CWD, "/tmp");
	ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, CKPTD_F_PIDNS);
	seed("ctl_proto", "run", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CMD_MIGRATE, 3);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 7);
	ckptd_ctl_put_str(&m, CKPTD_CA_HOST, "beta");
	ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, CKPTD_F_LIVE | CKPTD_F_THAW_ON_FAILURE);
	ckptd_ctl_put_u32(&m, CKPTD_CA_ITERATIONS, 4);
	ckptd_ctl_put_u64(&m, CKPTD_CA_BYTES, 1 << 20);
	seed("ctl_proto", "migrate", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CMD_ATTACH, 4);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 8);
	ckptd_ctl_put_u32(&m, CKPTD_CA_KIND, CKPT_JOB_CGROUP);
	ckptd_ctl_put_str(&m, CKPTD_CA_CGROUP, "/sys/fs/cgroup/app");
	seed("ctl_proto", "attach", buf, ckptd_ctl_end(&m));

	/* a LIST reply: two JOB nests, one with member pids */
	ckptd_ctl_start(&m, buf, CKPTD_CTL_REPLY, 1);
	ckptd_ctl_put_s32(&m, CKPTD_CA_ERRNO, 0);
	for (int i = 0; i < 2; i++) {
		job = ckptd_ctl_nest_start(&m, CKPTD_CA_JOB);
		ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 7 + i);
		ckptd_ctl_put_u32(&m, CKPTD_CA_OWNER_UID, 1000);
		ckptd_ctl_put_u32(&m, CKPTD_CA_KIND, CKPT_JOB_TREE);
		ckptd_ctl_put_u32(&m, CKPTD_CA_PID, 4242);
		ckptd_ctl_put_str(&m, CKPTD_CA_STATE, "running");
		ckptd_ctl_put_u32(&m, CKPTD_CA_NR_TASKS, 2);
		ckptd_ctl_put_u32(&m, CKPTD_CA_NR_THREADS, 3);
		ckptd_ctl_put_u64(&m, CKPTD_CA_LAST_SEQ, 5);
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, CKPTD_F_LAUNCHED);
		if (i) {
			ckptd_ctl_put_u32(&m, CKPTD_CA_TASK, 4242);
			ckptd_ctl_put_u32(&m, CKPTD_CA_TASK, 4243);
		}
		ckptd_ctl_nest_end(&m, job);
	}
	seed("ctl_proto", "list-reply", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CTL_REPLY, 9);
	ckptd_ctl_put_s32(&m, CKPTD_CA_ERRNO, -ENOENT);
	ckptd_ctl_put_str(&m, CKPTD_CA_ERRMSG, "job 9 does not exist");
	seed("ctl_proto", "error-reply", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CTL_PROGRESS, 3);
	ckptd_ctl_put_u64(&m, CKPTD_CA_BYTES, 4096);
	ckptd_ctl_put_u64(&m, CKPTD_CA_TOTAL, 8192);
	seed("ctl_proto", "progress", buf, ckptd_ctl_end(&m));

	ckptd_ctl_start(&m, buf, CKPTD_CMD_CLUSTER, 5);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 7);
	ckptd_ctl_put_str(&m, CKPTD_CA_CLUSTER, "alpha:5,beta:4");
	seed("ctl_proto", "cluster", buf, ckptd_ctl_end(&m));
}

/* --- ckptd.conf --------------------------------------------------------- */

static void config_seeds(void)
{
	static const char full[] =
		"# ckptd.conf\n[ckptd]\nimage_store = /var/lib/ckpt/images\n"
		"state_dir = /var/lib/ckpt\nsocket = /run/ckptd.sock\n"
		"cgroup_dir = /sys/fs/cgroup/ckpt\nrestorer = ckpt-restore\nkeep = 3\n"
		"freeze_timeout_ms = 5000\ncompression = zstd\ncompression_level = 3\n"
		"lower_patterns = /usr/lib/* /lib/*.so*\n";
	static const char peers[] =
		"keep = 0\ncompression = none\nlower_patterns = none\n\n[peers]\nname = alpha\n"
		"key_file = /etc/ckpt/peer.key\nlisten = 0.0.0.0:7411\ntimeout_ms = 30000\n"
		"migrate_iterations = 8\nmigrate_dirty_threshold = 4M\n"
		"peer beta = 169.254.77.12\npeer gamma = [fe80::1]:7412\npeer delta = delta.example:7000\n";

	seed("config", "ckptd", full, strlen(full));
	seed("config", "peers", peers, strlen(peers));
}

/* --- cluster messages --------------------------------------------------- */

static void cluster_seeds(void)
{
	struct ckptd_gmanifest g = {
		.job = 7, .id = 3, .time_ns = 1700000000123456789LL, .n = 2,
		.coordinator = "alpha",
		.e = { { "alpha", 5 }, { "beta", 4 } },
	};
	struct ckpt_peer_cluster_prepare p = { .job = 7, .flags = CKPT_PEER_CLUSTER_FREEZE,
					       .coordinator = "alpha", .hosts = "alpha,beta" };
	struct ckpt_peer_cluster_job j = { .job = 7 };
	struct ckpt_peer_cluster_dumped d = { .seq = 5, .max_id = 2 };
	struct ckpt_peer_cluster_commit c = { .job = 7, .id = 3, .seq = 5 };
	char text[CKPTD_CLUSTER_TEXT_MAX];
	struct buf b = { 0 };
	size_t len;

	if (ckptd_gmanifest_format(&g, text, sizeof(text), &len))
		abort();
	put_u8(&b, 0);
	put(&b, &p, sizeof(p));
	seed_buf("cluster_msg", "prepare", &b);
	put_u8(&b, 1);
	put(&b, &j, sizeof(j));
	seed_buf("cluster_msg", "job", &b);
	put_u8(&b, 2);
	put(&b, &d, sizeof(d));
	seed_buf("cluster_msg", "dumped", &b);
	c.text_len = len;
	put_u8(&b, 3);
	put(&b, &c, sizeof(c));
	put(&b, text, len);
	seed_buf("cluster_msg", "commit", &b);
	put_u8(&b, 4);
	put(&b, text, len);
	seed_buf("cluster_msg", "gmanifest", &b);
	g.freeze = 1;
	g.n = 3;
	snprintf(g.e[2].host, sizeof(g.e[2].host), "gamma");
	g.e[2].seq = 9;
	if (ckptd_gmanifest_format(&g, text, sizeof(text), &len))
		abort();
	put_u8(&b, 4);
	put(&b, text, len);
	seed_buf("cluster_msg", "gmanifest-freeze", &b);
	put_u8(&b, 5);
	put(&b, "alpha,beta,gamma", 16);
	seed_buf("cluster_msg", "hosts", &b);
}

/* --- images ------------------------------------------------------------- */

/*
 * A full image of the same job with pages of page_size bytes (each
 * process one run of two pages), as <scratch>/<tag>/7/<seq>.
 */
static void write_image_ps(const char *tag, uint64_t seq, uint32_t page_size)
{
	struct ckptd_image_write_opts o = { .no_uring = 1 };
	struct ckpt_err err = { 0 };
	struct ckpt_rec_begin *b;
	char store[1024], dir[4096];
	struct synth s;
	int fd;

	memset(&s, 0, sizeof(s));
	synth_begin(&s, seq, 0);
	b = (struct ckpt_rec_begin *)(s.buf + sizeof(struct ckpt_rec));
	b->page_size = page_size;
	for (int32_t pid = 100; pid <= 101; pid++) {
		struct ckpt_rec_mm mm = { .pid = pid, .nr_vmas = 1 };
		struct ckpt_rec_sigactions sa = { .pid = pid };
		struct ckpt_rec_pages *r;

		synth_task(&s, pid, pid == 100 ? 1 : 100, "server", 1);
		synth_rec(&s, CKPT_REC_SIGACTIONS, &sa, sizeof(sa));
		synth_thread(&s, pid, pid);
		synth_rec(&s, CKPT_REC_MM, &mm, sizeof(mm));
		synth_vma(&s, pid, SYN_HEAP, SYN_HEAP + 2 * (uint64_t)page_size, "");
		r = synth_rec(&s, CKPT_REC_PAGES, NULL, sizeof(*r) + 2 * (size_t)page_size);
		r->pid = pid;
		r->nr_pages = 2;
		r->start = SYN_HEAP;
		memset(r->data, pid, 2 * (size_t)page_size);
		s.pages += 2;
	}
	synth_end(&s);
	snprintf(store, sizeof(store), "%s/%s", scratch, tag);
	mkdir(store, 0755);
	snprintf(dir, sizeof(dir), "%s/7", store);
	mkdir(dir, 0755);
	ckptd_image_path(dir, sizeof(dir), store, SYN_JOB, seq);
	fd = synth_fd(s.buf, s.len);
	if (fd < 0 || ckptd_image_write(dir, fd, &o, NULL, &err)) {
		fprintf(stderr, "mkseeds: %s\n", err.msg);
		exit(1);
	}
	close(fd);
	synth_free(&s);
}

static const char *const img_files[] = {
	CKPT_IMG_MANIFEST, CKPT_IMG_RECORDS, CKPT_IMG_PAGEMAP, CKPT_IMG_PAGES,
};

/* Writes image <scratch>/<tag>/7/<seq> from a synthetic job; its dir. */
static const char *write_image(const char *tag, uint64_t seq, uint64_t parent,
			       uint32_t npages, int zstd, struct synth *keep)
{
	static char dir[4096];
	struct ckptd_image_write_opts o = { .no_uring = 1 };
	struct ckpt_err err = { 0 };
	struct synth s;
	char store[1024];
	int fd;

	snprintf(store, sizeof(store), "%s/%s", scratch, tag);
	mkdir(store, 0755);
	snprintf(dir, sizeof(dir), "%s/7", store);
	mkdir(dir, 0755);
	ckptd_image_path(dir, sizeof(dir), store, SYN_JOB, seq);
	synth_job_as(&s, seq, parent, npages, 1);
	if (zstd) {
		o.compression = CKPT_IMG_COMP_ZSTD;
		o.level = 1;
	}
	fd = synth_fd(s.buf, s.len);
	if (fd < 0 || ckptd_image_write(dir, fd, &o, NULL, &err)) {
		fprintf(stderr, "mkseeds: %s\n", err.msg);
		exit(1);
	}
	close(fd);
	if (keep)
		*keep = s;
	else
		synth_free(&s);
	return dir;
}

static void put_image(struct buf *b, const char *dir)
{
	char path[4200];

	for (int i = 0; i < 4; i++) {
		size_t len;
		void *p;

		snprintf(path, sizeof(path), "%s/%s", dir, img_files[i]);
		p = slurp(path, &len);
		put_section(b, p, len);
		free(p);
	}
}

static void image_seeds(void)
{
	struct buf b = { 0 };
	struct synth s;
	char full[4096], path[4200];
	void *p;
	size_t len;
	uint64_t raw;

	/* a full image: 2 processes, 2 + 1 pages */
	snprintf(full, sizeof(full), "%s", write_image("plain", 1, 0, 2, 0, NULL));
	put_u8(&b, 0);
	put_image(&b, full);
	seed_buf("image", "full", &b);
	/* the same, pages restored through a memfd; checksums fixed up */
	put_u8(&b, 4 | 1);
	put_image(&b, full);
	seed_buf("image", "full-fixup", &b);
	/* an incremental image over it */
	put_u8(&b, 0);
	put_image(&b, write_image("plain", 2, 1, 2, 0, NULL));
	put_image(&b, full);
	seed_buf("image", "incremental", &b);
	put_u8(&b, 1 | 2 | 4);
	snprintf(path, sizeof(path), "%s/plain/7/2", scratch);
	put_image(&b, path);
	put_image(&b, full);
	seed_buf("image", "incremental-fixup", &b);
	/* an incremental image over a parent of another page size */
	write_image_ps("pagesize", 1, 8192);
	put_u8(&b, 4);
	put_image(&b, write_image("pagesize", 2, 1, 2, 0, NULL));
	snprintf(path, sizeof(path), "%s/pagesize/7/1", scratch);
	put_image(&b, path);
	seed_buf("image", "parent-page-size", &b);
	/* compressed (version 2) */
	snprintf(full, sizeof(full), "%s", write_image("zstd", 1, 0, 2, 1, NULL));
	put_u8(&b, 4);
	put_image(&b, full);
	seed_buf("image", "zstd", &b);
	put_u8(&b, 1 | 2);
	put_image(&b, write_image("zstd", 2, 1, 2, 1, NULL));
	put_image(&b, full);
	seed_buf("image", "zstd-incremental-fixup", &b);

	/* compressed files alone, for image_zread */
	for (int i = 0; i < 2; i++) {
		const char *f = i ? CKPT_IMG_PAGES : CKPT_IMG_RECORDS;
		struct ckptd_image *img;
		struct ckpt_err err;

		if (ckptd_image_open(full, &img, &err))
			abort();
		raw = img->zi.raw_size[i ? CKPT_IMG_F_PAGES : CKPT_IMG_F_RECORDS];
		ckptd_image_close(img);
		snprintf(path, sizeof(path), "%s/%s", full, f);
		p = slurp(path, &len);
		put(&b, &raw, 8);
		put_u8(&b, 0);
		put(&b, p, len);
		seed_buf("image_zread", i ? "pages" : "records", &b);
		put(&b, &raw, 8);
		put_u8(&b, 1);
		put(&b, p, len);
		seed_buf("image_zread", i ? "pages-fixup" : "records-fixup", &b);
		free(p);
	}

	/* dump streams: what the writer above read; for the writer, a flags byte first */
	for (int incr = 0; incr < 2; incr++) {
		const char *name = incr ? "incremental" : "full";

		synth_job_as(&s, 1 + incr, incr, 2, 1);
		seed("dump_stream", name, s.buf, s.len);
		put_u8(&b, 0);
		put(&b, s.buf, s.len);
		seed_buf("image_write", name, &b);
		if (!incr) {
			put_u8(&b, 1);
			put(&b, s.buf, s.len);
			seed_buf("image_write", "full-zstd", &b);
		}
		synth_free(&s);
	}
}

/*
 * The writer of image_store.h as ckptd feeds it (fuzz_image_write flags
 * bit 1): the data file, a pre-copy (pages 0-1 of each process written)
 * and the final dump (page 0 written again, page 1 unchanged since the
 * pre-copy).
 */
static void writer_seeds(void)
{
	struct synth data = { 0 }, pre, fin;
	struct buf b = { 0 };

	for (int i = 0; i < 2; i++) {
		struct synth *s = i ? &fin : &pre;

		memset(s, 0, sizeof(*s));
		synth_begin(s, 1 + i, i);
		((struct ckpt_rec_begin *)(s->buf + sizeof(struct ckpt_rec)))->flags =
			i ? CKPT_DUMP_INCREMENTAL | CKPT_DUMP_DATA_FD :
			    CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY;
		for (int32_t pid = 100; pid <= 101; pid++) {
			synth_task(s, pid, pid == 100 ? 1 : 100, "server", 1);
			synth_thread(s, pid, pid);
			synth_rec(s, CKPT_REC_MM, NULL, sizeof(struct ckpt_rec_mm));
			synth_vma(s, pid, SYN_HEAP, SYN_HEAP + 2 * SYN_PAGE, "");
			synth_pages_file(s, &data, pid, SYN_HEAP, i ? 1 : 2, 1 + i);
			if (i)
				synth_pages(s, pid, SYN_HEAP + SYN_PAGE, 1, 0, 1);
		}
		synth_end(s);
	}
	seed("dump_stream", "pages-file", fin.buf, fin.len);
	for (int fix = 0; fix < 2; fix++) {
		put_u8(&b, fix ? 2 | 4 : 2);
		put_section(&b, data.buf, data.len);
		put_section(&b, pre.buf, pre.len);
		put_section(&b, fin.buf, fin.len);
		seed_buf("image_write", fix ? "precopy-fixup" : "precopy", &b);
	}
	put_u8(&b, 1 | 2 | 4);
	put_section(&b, data.buf, data.len);
	put_section(&b, pre.buf, pre.len);
	put_section(&b, fin.buf, fin.len);
	seed_buf("image_write", "precopy-zstd", &b);
	synth_free(&data);
	synth_free(&pre);
	synth_free(&fin);
}

/* --- the peer channel ---------------------------------------------------- */

static void frame(struct buf *b, uint16_t type, const void *payload, uint32_t len)
{
	struct ckpt_peer_hdr h = {
		.magic = CKPT_PEER_MAGIC, .version = CKPT_PEER_VERSION, .type = type,
		.len = len, .sum = ckptd_xxh64(payload, len, 0),
	};

	put(b, &h, sizeof(h));
	put(b, payload, len);
}

static void peer_seeds(void)
{
	struct ckpt_peer_hello hello = { .nonce = "n0nce", .name = "beta" };
	struct ckpt_peer_auth auth = { .mac = "mac" };
	struct ckpt_peer_challenge ch = { .nonce = "n0nce", .name = "beta" };
	struct ckpt_peer_have have = { .have = 0 };
	struct ckpt_peer_cluster_dumped d = { .seq = 5, .max_id = 1 };
	struct ckpt_peer_restored rd = { .root_pid = 4242, .nr_procs = 2 };
	struct ckpt_peer_image_have ih = { .job = 7, .seq = 1, .manifest_sum = 1 };
	struct ckpt_peer_job j = { .job = 7, .seq = 1 };
	struct ckpt_peer_cluster_job cj = { .job = 7 };
	struct {
		struct ckpt_peer_error e;
		char text[32];
	} err = { .e.err = -ENOENT, .text = "no such job here" };
	struct buf b = { 0 };
	char dir[4096], path[4200];

	/* the server side of the handshake, and the client's */
	put_u8(&b, 1);
	frame(&b, CKPT_PEER_HELLO, &hello, sizeof(hello));
	frame(&b, CKPT_PEER_AUTH, &auth, sizeof(auth));
	seed_buf("peer_wire", "auth-server", &b);
	put_u8(&b, 2);
	frame(&b, CKPT_PEER_CHALLENGE, &ch, sizeof(ch));
	frame(&b, CKPT_PEER_OK, NULL, 0);
	seed_buf("peer_wire", "auth-client", &b);
	/* replies a client reads */
	put_u8(&b, 3);
	frame(&b, CKPT_PEER_HAVE, &have, sizeof(have));
	frame(&b, CKPT_PEER_OK, NULL, 0);
	frame(&b, CKPT_PEER_CLUSTER_DUMPED, &d, sizeof(d));
	frame(&b, CKPT_PEER_RESTORED, &rd, sizeof(rd));
	frame(&b, CKPT_PEER_ERROR, &err, sizeof(err.e) + strlen(err.text));
	seed_buf("peer_wire", "client-replies", &b);

	/* a whole image transfer, as ckpt_peer_send_chain() sends it */
	snprintf(dir, sizeof(dir), "%s", write_image("peer", 1, 0, 2, 0, NULL));
	put_u8(&b, 0);
	frame(&b, CKPT_PEER_IMAGE_HAVE, &ih, sizeof(ih));
	for (int i = 1; i <= 4; i++) {
		const char *name = img_files[i % 4];	/* the manifest last */
		struct ckpt_peer_file_put fp = { .job = 7, .seq = 1 };
		struct ckpt_peer_file_end fe;
		size_t len;
		void *p;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		p = slurp(path, &len);
		fp.size = len;
		snprintf(fp.name, sizeof(fp.name), "%s", name);
		frame(&b, CKPT_PEER_FILE_PUT, &fp, sizeof(fp));
		frame(&b, CKPT_PEER_DATA, p, len);
		fe.sum = ckptd_xxh64(p, len, 0);
		fe.chunks = 1;
		frame(&b, CKPT_PEER_FILE_END, &fe, sizeof(fe));
		free(p);
	}
	frame(&b, CKPT_PEER_IMAGE_COMMIT, &j, sizeof(j));
	seed_buf("peer_wire", "image-transfer", &b);

	/* a job log, then cluster requests */
	{
		struct ckpt_peer_file_put fp = { .job = 7, .size = 6, .name = CKPT_PEER_JOB_LOG,
						 .mtime_sec = 1700000000 };
		struct ckpt_peer_file_end fe = { .sum = ckptd_xxh64("hello\n", 6, 0), .chunks = 1 };
		struct ckpt_peer_cluster_prepare cp = { .job = 7, .coordinator = "beta",
							.hosts = "alpha,beta" };
		struct ckptd_gmanifest g = {
			.job = 7, .id = 1, .time_ns = 1, .n = 2, .coordinator = "beta",
			.e = { { "alpha", 1 }, { "beta", 2 } },
		};
		struct {
			struct ckpt_peer_cluster_commit c;
			char text[CKPTD_CLUSTER_TEXT_MAX];
		} cc = { .c = { .job = 7, .id = 1, .seq = 1 } };
		size_t len;

		if (ckptd_gmanifest_format(&g, cc.text, sizeof(cc.text), &len))
			abort();
		cc.c.text_len = len;
		put_u8(&b, 4);
		frame(&b, CKPT_PEER_FILE_PUT, &fp, sizeof(fp));
		frame(&b, CKPT_PEER_DATA, "hello\n", 6);
		frame(&b, CKPT_PEER_FILE_END, &fe, sizeof(fe));
		frame(&b, CKPT_PEER_CLUSTER_PREPARE, &cp, sizeof(cp));
		frame(&b, CKPT_PEER_CLUSTER_DUMP, &cj, sizeof(cj));
		frame(&b, CKPT_PEER_CLUSTER_COMMIT, &cc, sizeof(cc.c) + len);
		frame(&b, CKPT_PEER_CLUSTER_ABORT, &cj, sizeof(cj));
		seed_buf("peer_wire", "log-and-cluster", &b);
	}
}

/* --- captured file records ---------------------------------------------- */

static void files_seeds(void)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_rec_fd r;
	struct ckpt_rec_epoll_tfd t = { .pid = 1, .epfd = 8, .tfd = 5,
					.events = EPOLLIN, .data = 1 };
	struct {
		struct ckpt_rec_fs fs;
		char paths[8];
	} fs = { .fs = { .pid = 1, .umask = 022, .cwd_len = 2, .root_len = 2 } };
	struct ckpt_rec_file_data d = { .pid = 1, .obj_id = 1, .len = 3 };
	struct ckpt_rec_tcp tcp = { .pid = 1, .family = AF_INET, .ofd_id = 9,
				    .snd_seq = 1000, .rcv_seq = 2000, .mss = 1460 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7411),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct synth s;
	struct stat st;

	if (stat("/", &st))
		abort();
	fs.fs.cwd_ino = fs.fs.root_ino = st.st_ino;
	memcpy(fs.paths, "/\0/\0", 4);
	fr_add(&rb, CKPT_REC_FS, &fs.fs, sizeof(fs.fs), fs.paths, 4);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 3, .type = CKPT_FD_REG, .flags = O_RDONLY,
				  .ofd_id = 1, .size = 10, .mode = S_IFREG | 0644, .pos = 5 };
	r.path_len = sizeof("/etc/hostname");
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), "/etc/hostname", r.path_len);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 4, .type = CKPT_FD_REG, .flags = O_WRONLY | O_APPEND,
				  .ofd_id = 2, .mode = S_IFREG | 0644, .fd_flags = FD_CLOEXEC };
	r.path_len = sizeof("/tmp/log");
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), "/tmp/log", r.path_len);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 5, .type = CKPT_FD_PIPE, .flags = O_RDONLY,
				  .ofd_id = 3, .obj_id = 1, .mode = S_IFIFO | 0600 };
	r.u.pipe.size = 65536;
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	r.fd = 6;
	r.flags = O_WRONLY;
	r.ofd_id = 4;
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	fr_add(&rb, CKPT_REC_FILE_DATA, &d, sizeof(d), "abc", 3);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 7, .type = CKPT_FD_EVENTFD, .flags = O_RDWR,
				  .ofd_id = 5 };
	r.u.eventfd.count = 3;
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 8, .type = CKPT_FD_EPOLL, .flags = O_RDWR,
				  .ofd_id = 6 };
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 9, .type = CKPT_FD_UNIX, .flags = O_RDWR,
				  .ofd_id = 7, .obj_id = 3, .mode = S_IFSOCK | 0777 };
	r.u.sock.type = SOCK_STREAM;
	r.u.sock.peer_id = 4;
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	r.fd = 10;
	r.ofd_id = 8;
	r.obj_id = 4;
	r.u.sock.peer_id = 3;
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	d.obj_id = 3;
	d.len = 2;
	fr_add(&rb, CKPT_REC_FILE_DATA, &d, sizeof(d), "xy", 2);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 11, .type = CKPT_FD_MEMFD, .flags = O_RDWR,
				  .ofd_id = 10, .obj_id = 5, .size = 4, .mode = S_IFREG | 0777 };
	r.path_len = sizeof("memfd:buf");
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), "memfd:buf", r.path_len);
	d.obj_id = 5;
	d.len = 4;
	fr_add(&rb, CKPT_REC_FILE_DATA, &d, sizeof(d), "data", 4);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 12, .type = CKPT_FD_TCP, .flags = O_RDWR,
				  .ofd_id = 9, .mode = S_IFSOCK | 0777 };
	fr_add(&rb, CKPT_REC_FD, &r, sizeof(r), NULL, 0);
	memcpy(tcp.local, &sin, sizeof(sin));
	sin.sin_port = htons(40000);
	memcpy(tcp.remote, &sin, sizeof(sin));
	fr_add(&rb, CKPT_REC_TCP, &tcp, sizeof(tcp), NULL, 0);
	fr_add(&rb, CKPT_REC_EPOLL_TFD, &t, sizeof(t), NULL, 0);
	seed("files", "records", rb.buf, rb.len);

	/* the same after a kernel dump's records, as in records.img */
	synth_job(&s, 1, 0, 0);
	s.len -= sizeof(struct ckpt_rec) + sizeof(struct ckpt_rec_end);	/* END last */
	{
		struct buf b = { 0 };
		struct ckpt_rec_end e = { .nr_tasks = 2 };
		struct ckpt_rec h = { .type = CKPT_REC_END,
				      .len = sizeof(h) + ((sizeof(e) + 7) & ~7UL) };
		uint8_t pad[sizeof(e) + 8] = { 0 };

		put(&b, s.buf, s.len);
		put(&b, rb.buf, rb.len);
		put(&b, &h, sizeof(h));
		memcpy(pad, &e, sizeof(e));
		put(&b, pad, h.len - sizeof(h));
		seed_buf("files", "records-img", &b);
	}
	synth_free(&s);
	ckptd_recbuf_free(&rb);
}

int main(int argc, char *argv[])
{
	char cmd[256];

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	out_dir = argv[1];
	if (!mkdtemp(scratch)) {
		perror("mkseeds: mkdtemp");
		return 1;
	}
	ctl_seeds();
	config_seeds();
	cluster_seeds();
	image_seeds();
	writer_seeds();
	peer_seeds();
	files_seeds();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) ? 1 : 0;
}
