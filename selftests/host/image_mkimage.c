// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for image_cli.sh: writes a full image STORE/7/1 and an
 * incremental image STORE/7/2 from synthetic dump streams.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "helpers.h"
#include "image.h"
#include "synth_stream.h"

static int make(const char *store, uint64_t seq, uint64_t parent)
{
	struct ckpt_err err = { 0 };
	char dir[4096];
	int ret;

	mkdir(store, 0755);
	th_store_job(store, SYN_JOB);
	ckptd_image_path(dir, sizeof(dir), store, SYN_JOB, seq);
	ret = th_write_job(dir, seq, parent, 300, NULL, &err);
	if (ret)
		fprintf(stderr, "image_mkimage: %s\n", err.msg);
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
