// SPDX-License-Identifier: GPL-2.0
/*
 * Restore round trips (ZDTM style): a workload builds state, is
 * checkpointed through ckpt.ko into an image, killed, restored with
 * ckpt-restore, and checks its own state after the restore.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "restore_helpers.h"
#include "kselftest_harness.h"

FIXTURE(rt) {
	struct rh h;
};

FIXTURE_SETUP(rt)
{
	/* each test runs in its own process: its pid makes the job id */
	ASSERT_EQ(0, rh_init(&self->h, 1000 + (uint32_t)getpid()));
}

FIXTURE_TEARDOWN(rt)
{
	rh_fini(&self->h);
}

/* start, checkpoint, kill, restore, verdict */
static void roundtrip(struct __test_metadata *_metadata, struct rh *h,
		      const char *mode, const char *arg, const char *opts)
{
	char msg[512];
	uint64_t seq = 0;
	int ret;

	ASSERT_EQ(0, rh_start(h, mode, arg));
	ASSERT_EQ(0, rh_checkpoint(h, 0, &seq));
	ASSERT_EQ(0, rh_kill(h));
	ret = rh_restore(h, seq, opts);
	if (ret || getenv("RT_VERBOSE"))
		rh_print_err(h);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, rh_verdict(h, msg, sizeof(msg))) TH_LOG("%s", msg);
	TH_LOG("%s", msg);
}

TEST_F_TIMEOUT(rt, memory, 180)
{
	roundtrip(_metadata, &self->h, "memory", NULL, "--timeout 10");
}

TEST_F_TIMEOUT(rt, memory_256m, 180)
{
	roundtrip(_metadata, &self->h, "memory", "big", NULL);
}

TEST_F_TIMEOUT(rt, threads_avx_tls, 180)
{
	roundtrip(_metadata, &self->h, "threads", NULL, NULL);
}

TEST_F_TIMEOUT(rt, signals, 180)
{
	roundtrip(_metadata, &self->h, "signals", NULL, NULL);
}

TEST_F_TIMEOUT(rt, syscalls_in_progress, 180)
{
	roundtrip(_metadata, &self->h, "syscalls", NULL, NULL);
}

TEST_HARNESS_MAIN
