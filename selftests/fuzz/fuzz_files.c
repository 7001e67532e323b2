// SPDX-License-Identifier: GPL-2.0
/*
 * Captured file records (CKPT_REC_FS / FD / FILE_DATA / EPOLL_TFD / TCP in
 * records.img) as ckpt-restore reads them: rst_parse()
 * (tools/ckpt-restore/files/parse.c) builds and checks the tables
 * of processes, descriptions and objects, rst_check_fs() looks up the
 * recorded working and root directories, and the TCP record of every TCP
 * description is found and checked (rst_tcp_record()).  Nothing is
 * opened or created: that part acts on the host, not on the bytes.
 */
#include "dump_stream.h"
#include "fuzz.h"
#include "files/files_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckpt_err err = { 0 };
	struct rst_files *rf;
	uint8_t *copy;
	int ret;

	/* exactly the records, aligned as records.img is in memory */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rf = calloc(1, sizeof(*rf));
	if (!rf)
		abort();
	rf->base = 1024;	/* above every recorded fd, as ckpt-restore sets it */
	rf->tmp_dir = "/tmp";
	rf->records = copy;
	rf->records_len = size;
	ret = rst_parse(rf, copy, size, &err);
	if (!ret)
		ret = rst_check_fs(rf, &err);
	if (!ret) {
		for (size_t i = 0; i < rf->nr_fds; i++) {
			char desc[512];

			const struct ckpt_rec_tcp *t;

			fuzz_keep(strlen(rst_fd_desc(&rf->fds[i], desc, sizeof(desc))));
			if (rf->fds[i].r.type == CKPT_FD_TCP &&
			    !rst_tcp_record(rf, &rf->fds[i], &t, &err))
				fuzz_keep(t->snd_len + t->rcv_len);
			fuzz_keep((uint64_t)rst_files_pool_fd(rf, rf->fds[i].r.pid, rf->fds[i].r.fd));
		}
		for (size_t i = 0; i < rf->nr_procs; i++)
			fuzz_keep(rst_find_proc(rf, rf->procs[i].pid) == &rf->procs[i]);
	}
	fuzz_debug("file records: %d %s\n", ret, err.msg);
	fuzz_keep(strlen(err.msg));
	rst_files_cleanup(rf);
	free(copy);
	return 0;
}
