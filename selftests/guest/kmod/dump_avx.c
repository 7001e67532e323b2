// SPDX-License-Identifier: GPL-2.0
/*
 * Extended register state in the dump: a thread that holds known values in
 * all sixteen 256-bit AVX registers while it spins is frozen; its THREAD
 * record's NT_X86_XSTATE area (standard XSAVE layout) carries the low
 * halves in the legacy region and the high halves in the YMM component,
 * with the YMM bit set in XSTATE_BV, and its NT_PRFPREG area carries the
 * low halves too.  The guests run with -cpu max, so the CPU has AVX here.
 */
#include <cpuid.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"

#define JOB 7304

static uint8_t ymm_value[16][32];

static void fill_values(void)
{
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			ymm_value[r][b] = (uint8_t)(r * 32 + b + 0x11);
}

/* Loads ymm0..ymm15 and spins with them live, never returning. */
static void *spinner(void *arg)
{
	int fd = *(int *)arg;
	pid_t tid = syscall(SYS_gettid);

	if (write(fd, &tid, sizeof(tid)) != sizeof(tid))
		abort();
	__asm__ volatile(
		"vmovdqu 0(%0), %%ymm0\n\t"   "vmovdqu 32(%0), %%ymm1\n\t"
		"vmovdqu 64(%0), %%ymm2\n\t"  "vmovdqu 96(%0), %%ymm3\n\t"
		"vmovdqu 128(%0), %%ymm4\n\t" "vmovdqu 160(%0), %%ymm5\n\t"
		"vmovdqu 192(%0), %%ymm6\n\t" "vmovdqu 224(%0), %%ymm7\n\t"
		"vmovdqu 256(%0), %%ymm8\n\t" "vmovdqu 288(%0), %%ymm9\n\t"
		"vmovdqu 320(%0), %%ymm10\n\t" "vmovdqu 352(%0), %%ymm11\n\t"
		"vmovdqu 384(%0), %%ymm12\n\t" "vmovdqu 416(%0), %%ymm13\n\t"
		"vmovdqu 448(%0), %%ymm14\n\t" "vmovdqu 480(%0), %%ymm15\n\t"
		"1: pause\n\t"
		"jmp 1b\n\t"
		: : "r"(ymm_value) : "memory");
	return NULL;
}

static int cpu_has_avx(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) && (c & bit_OSXSAVE);
}

/* Offset of the YMM_Hi128 component in the standard XSAVE layout. */
static unsigned int ymm_offset(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, 2, a, b, c, d);
	return b;
}

TEST(avx_registers_in_xstate)
{
	struct ckpt_dump_args args = { .job_id = JOB };
	const struct ckpt_rec_thread *th = NULL;
	size_t len = 0, bl, cap = 16 << 20;
	unsigned int yoff = ymm_offset();
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	struct gnl_reply r;
	char *buf = malloc(cap);
	int fds[2], dev, fd, k;
	pid_t child, tid;
	struct gnl g;
	ssize_t n;

	ASSERT_TRUE(cpu_has_avx()) {
		TH_LOG("the guest CPU has no AVX: run the guests with -cpu max");
	}
	fill_values();
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&g));
	ASSERT_EQ(0, pipe(fds));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pthread_t t;

		pthread_create(&t, NULL, spinner, &fds[1]);
		pthread_join(t, NULL);
		_exit(0);
	}
	ASSERT_EQ(sizeof(tid), read(fds[0], &tid, sizeof(tid)));
	usleep(300000);		/* let it reach the loop */

	ASSERT_EQ(0, gnl_job_create(&g, JOB, CKPT_JOB_TREE, child, NULL, &r));
	ASSERT_EQ(0, gnl_job_freeze(&g, JOB, 0, &r));
	dev = open("/dev/ckpt", O_RDWR);
	fd = ioctl(dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd);
	while ((n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	close(fd);
	close(dev);

	ckpt_stream_init(&s, buf, len);
	while ((k = ckpt_stream_next(&s, &rec, &bl)) > 0) {
		const struct ckpt_rec_thread *t = (const void *)(rec + 1);

		if (rec->type == CKPT_REC_THREAD && t->tid == tid)
			th = t;
	}
	ASSERT_EQ(0, k) TH_LOG("%s", s.error);
	ASSERT_NE(NULL, th);
	ASSERT_EQ(512, th->fpregs_len);
	ASSERT_LE(yoff + 256, th->xstate_len);
	{
		const uint8_t *regs = th->data;
		const uint8_t *fp = regs + ((th->regs_len + 7) & ~7U);
		const uint8_t *xs = fp + ((th->fpregs_len + 7) & ~7U);
		uint64_t xstate_bv;

		memcpy(&xstate_bv, xs + 512, 8);
		EXPECT_TRUE(xstate_bv & 4);	/* YMM state present */
		for (int i = 0; i < 16; i++) {
			/* low halves: legacy XMM area at 160, in both */
			EXPECT_EQ(0, memcmp(fp + 160 + 16 * i, ymm_value[i], 16))
				TH_LOG("xmm%d in NT_PRFPREG", i);
			EXPECT_EQ(0, memcmp(xs + 160 + 16 * i, ymm_value[i], 16))
				TH_LOG("xmm%d in NT_X86_XSTATE", i);
			EXPECT_EQ(0, memcmp(xs + yoff + 16 * i, ymm_value[i] + 16, 16))
				TH_LOG("upper half of ymm%d", i);
		}
	}
	gnl_job_simple(&g, CKPT_CMD_JOB_DESTROY, JOB, &r);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	gnl_close(&g);
	free(buf);
}

TEST_HARNESS_MAIN
