// SPDX-License-Identifier: GPL-2.0
/*
 * The dump stream parser (common/dump_stream.c): the input is a stream as
 * read from /dev/ckpt or records.img.  It is walked twice: in one buffer,
 * as the image verifier and the restorer read records.img, and record by
 * record through ckpt_stream_window(), as the image writer reads the
 * stream (each window copied to a buffer of exactly its size, so that a
 * read past the window is an ASan report).
 */
#include "dump_stream.h"
#include "fuzz.h"

static void walk(const uint8_t *buf, size_t len)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body;
	int ret;

	ckpt_stream_init(&s, buf, len);
	while ((ret = ckpt_stream_next(&s, &rec, &body)) > 0) {
		if ((const uint8_t *)rec + sizeof(*rec) + body > buf + len)
			abort();	/* a record past the input */
		fuzz_keep(rec->type + body + strlen(ckpt_rec_name(rec->type)));
	}
	fuzz_debug("stream: %d %s\n", ret, ret < 0 ? s.error : "");
}

/* One window per record, the way image/write.c's consume() feeds it. */
static void walk_windows(const uint8_t *buf, size_t len)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t pos = 0, body;

	ckpt_stream_init(&s, NULL, 0);
	while (pos < len) {
		const struct ckpt_rec *h = (const void *)(buf + pos);
		size_t left = len - pos, win = left;
		uint8_t *w;
		int ret;

		if (left >= sizeof(*h) && h->len >= sizeof(*h) && h->len <= left)
			win = h->len;
		w = malloc(win);
		if (!w)
			abort();
		memcpy(w, buf + pos, win);
		ckpt_stream_window(&s, w, win, pos);
		ret = ckpt_stream_next(&s, &rec, &body);
		if (ret > 0 && (rec != (const void *)w || rec->len != win))
			abort();	/* not the record of the window */
		free(w);
		if (ret <= 0)
			break;
		pos += win;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the stream's bytes, 8-aligned as read() buffers are */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	walk(copy, size);
	walk_windows(copy, size);
	free(copy);
	return 0;
}
