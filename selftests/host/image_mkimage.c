// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for image_cli.sh: writes a full image STORE/7/1 and an
 * incremental image STORE/7/2 from synthetic dump streams.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "image.h"
#include "synth_stream.h"

static int make(const char *store, uint64_t seq, uint64_t parent)
{
	struct ckpt_err err = { 0 };
	struct synth s;
	char dir[4096];
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s/%d", store, SYN_JOB);
	mkdir(store, 0755);
	mkdir(dir, 0755);
	ckptd_image_path(dir, sizeof(dir), store, SYN_JOB, seq);
	synth_job(&s, seq, parent, 300);
	fd = synth_fd(s.buf, s.len);
	ret = ckptd_image_write(dir, fd, NULL, NULL, &err);
	if (ret)
		fprintf(stderr, "image_mkimage: %s\n", err.msg);
	close(fd);
	synth_free(&s);
	return ret;
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: image_mkimage STORE\n");
		return 2;
	}
	return make(argv[1], 1, 0) || make(argv[1], 2, 1) ? 1 : 0;
}
