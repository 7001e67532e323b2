// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest fuzzer of everything ckpt.ko parses from userspace, as root:
 * at least CKPT_FUZZ_MESSAGES (100,000) generic netlink messages spread
 * over every command of the family (and unknown ones), with random
 * attribute sets (known and unknown types, random lengths, nested garbage,
 * lying lengths), random nlmsg flags, genl versions and reserved bytes, and
 * job ids that mostly name live jobs over a zoo of helper processes, so
 * that JOB_FREEZE, THAW, DESTROY and GET really run; in between, every
 * ioctl of /dev/ckpt and of dump session fds with random arguments, flags,
 * reserved fields and pointers, reads of those sessions, and now and then
 * sessions up to the host-wide cap.
 *
 * The sequence is reproducible from the seed it prints (CKPT_FUZZ_SEED);
 * CKPT_FUZZ_MESSAGES changes the count.  It passes when the module still
 * answers afterwards, the zoo runs again once the fuzzer's jobs are gone,
 * and (checked by the runner) dmesg holds no WARNING, BUG or Oops.  The
 * count of messages sent and their outcomes are printed per command.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <linux/genetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define MESSAGES_DEFAULT	100000
#define TIME_LIMIT_MS		240000	/* give up (and fail) past this */
#define POOL_IDS		8	/* job ids 1..8: the live jobs */
#define MAX_DUMPS		(CKPT_DUMP_SESSIONS_MAX + 8)
#define CG_FUZZ			"/sys/fs/cgroup/ckpt-fuzz"
#define NR_CMDS			256

/* --- random numbers: xorshift64*, reproducible from the seed ------------- */

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* true with probability @pct percent */
static int pct(unsigned int p)
{
	return below(100) < p;
}

static void rnd_bytes(void *buf, size_t len)
{
	unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = rnd();
}

/* --- the zoo: processes the jobs are made of ------------------------------ */

enum { Z_LEADER, Z_IDLE, Z_THREADS, Z_PGL, Z_PGM, Z_CG, Z_CGSUB, Z_CHURN,
       Z_NR };

struct zoo {
	pid_t pid[Z_NR];
	pid_t churn_child;	/* Z_CHURN's current short-lived child */
	uint64_t ticks;		/* Z_THREADS' threads count here */
	int ready;
};

static struct zoo *zoo;

static void __attribute__((noreturn)) idle(void)
{
	for (;;)
		pause();
}

static void *ticker(void *arg)
{
	for (;;) {
		__atomic_add_fetch(&zoo->ticks, 1, __ATOMIC_RELAXED);
		usleep(1000);
	}
	return arg;
}

static int join_cgroup(const char *dir)
{
	char path[256], pid[32];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, pid, strlen(pid)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* A session of its own: an idle process, one with three ticking threads,
 * a process group of two, and two processes in the fuzz cgroups. */
static void __attribute__((noreturn)) zoo_leader(void)
{
	pid_t p;

	if (setsid() < 0)
		_exit(1);
	zoo->pid[Z_LEADER] = getpid();
	p = fork();
	if (p == 0)
		idle();
	zoo->pid[Z_IDLE] = p;
	p = fork();
	if (p == 0) {
		pthread_t t;

		for (int i = 0; i < 3; i++)
			pthread_create(&t, NULL, ticker, NULL);
		idle();
	}
	zoo->pid[Z_THREADS] = p;
	p = fork();
	if (p == 0) {
		pid_t m;

		setpgid(0, 0);
		m = fork();
		if (m == 0)
			idle();
		zoo->pid[Z_PGM] = m;
		idle();
	}
	zoo->pid[Z_PGL] = p;
	p = fork();
	if (p == 0) {
		pid_t s;

		if (join_cgroup(CG_FUZZ))
			_exit(1);
		s = fork();
		if (s == 0) {
			if (join_cgroup(CG_FUZZ "/sub"))
				_exit(1);
			idle();
		}
		zoo->pid[Z_CGSUB] = s;
		idle();
	}
	zoo->pid[Z_CG] = p;
	/* children that come and go (and that the racer kills): members
	 * join and leave jobs while they freeze and dump */
	p = fork();
	if (p == 0) {
		for (unsigned int n = 1;; n++) {
			pid_t c = fork();

			if (c == 0) {
				usleep(1000 + (n * 7919) % 20000);
				_exit(0);
			}
			if (c > 0) {
				__atomic_store_n(&zoo->churn_child, c,
						 __ATOMIC_SEQ_CST);
				waitpid(c, NULL, 0);
			}
		}
	}
	zoo->pid[Z_CHURN] = p;
	while (!zoo->pid[Z_PGM] || !zoo->pid[Z_CGSUB])
		usleep(1000);
	__atomic_store_n(&zoo->ready, 1, __ATOMIC_SEQ_CST);
	idle();
}

static int zoo_start(void)
{
	pid_t p;

	zoo = wl_shared(sizeof(*zoo));
	if (!zoo)
		return -ENOMEM;
	rmdir(CG_FUZZ "/sub");
	rmdir(CG_FUZZ);
	if (mkdir(CG_FUZZ, 0755) || mkdir(CG_FUZZ "/sub", 0755))
		return -errno;
	p = dh_fork(NULL, 0);
	if (p < 0)
		return p;
	if (p == 0)
		zoo_leader();
	for (int i = 0; i < 1000; i++) {
		if (__atomic_load_n(&zoo->ready, __ATOMIC_SEQ_CST))
			return 0;
		wl_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* --- statistics ------------------------------------------------------------ */

struct tally {
	uint64_t sent, ok, ms;
	uint64_t err[140];	/* by errno */
};

static struct tally cmd_tally[NR_CMDS];
static uint8_t seq_cmd[1 << 16];	/* the command of each sequence number */
static uint8_t seq_seen[1 << 16];	/* its outcome was counted */

static const char *cmd_name(unsigned int cmd)
{
	static const char *const names[] = {
		[CKPT_CMD_UNSPEC] = "UNSPEC",
		[CKPT_CMD_GET_FEATURES] = "GET_FEATURES",
		[CKPT_CMD_JOB_CREATE] = "JOB_CREATE",
		[CKPT_CMD_JOB_DESTROY] = "JOB_DESTROY",
		[CKPT_CMD_JOB_GET] = "JOB_GET",
		[CKPT_CMD_JOB_FREEZE] = "JOB_FREEZE",
		[CKPT_CMD_JOB_THAW] = "JOB_THAW",
		[CKPT_CMD_EVENT] = "EVENT",
	};

	if (cmd < sizeof(names) / sizeof(names[0]) && names[cmd])
		return names[cmd];
	return "unknown";
}

static void count(struct tally *t, int err)
{
	if (!err)
		t->ok++;
	else if (-err > 0 && -err < 140)
		t->err[-err]++;
}

static void print_tally(const char *name, const struct tally *t)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "%-24s sent %6llu %6llu ms  ok %6llu",
		     name, (unsigned long long)t->sent,
		     (unsigned long long)t->ms, (unsigned long long)t->ok);
	for (int e = 1; e < 140 && n < (int)sizeof(line) - 40; e++)
		if (t->err[e])
			n += snprintf(line + n, sizeof(line) - n, "  %s %llu",
				      strerrorname_np(e) ?: "?",
				      (unsigned long long)t->err[e]);
	printf("# %s\n", line);
}

/* Read every reply waiting on @g and count outcomes by command. */
static void drain(struct gnl *g)
{
	static unsigned char rx[64 << 10];

	for (;;) {
		ssize_t len = recv(g->fd, rx, sizeof(rx), MSG_DONTWAIT);
		struct nlmsghdr *h;
		size_t left;

		if (len < 0 && errno == ENOBUFS)
			continue;	/* replies were dropped: fine */
		if (len <= 0)
			return;
		left = len;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			uint16_t s = h->nlmsg_seq;
			int err = 0;

			if (seq_seen[s])
				continue;
			if (h->nlmsg_type == NLMSG_ERROR &&
			    h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			else if (h->nlmsg_type == NLMSG_DONE &&
				 h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
				memcpy(&err, NLMSG_DATA(h), sizeof(err));
			else if (h->nlmsg_flags & NLM_F_MULTI)
				continue;	/* a dump goes on */
			seq_seen[s] = 1;
			count(&cmd_tally[seq_cmd[s]], err);
		}
	}
}

/* --- netlink messages ------------------------------------------------------- */

static uint32_t job_id(void)
{
	if (pct(75))
		return 1 + below(POOL_IDS);
	switch (below(4)) {
	case 0:
		return 0;
	case 1:
		return ~0U;
	case 2:
		return POOL_IDS + 1 + below(64);
	default:
		return rnd();
	}
}

static uint32_t some_pid(void)
{
	if (pct(80))
		return zoo->pid[below(Z_NR)];
	switch (below(6)) {
	case 0:
		return 1;		/* init: never a member */
	case 1:
		return 2;		/* kthreadd */
	case 2:
		return getpid();	/* the caller: EDEADLK at freeze */
	case 3:
		return 0;
	case 4:
		return 4194304 + below(1 << 20);	/* above pid_max */
	default:
		return rnd();
	}
}

static void put_random_string(struct gnl_msg *m, uint16_t type, size_t max)
{
	static const char *const cgroups[] = {
		"/ckpt-fuzz", "/ckpt-fuzz/sub", "/", "", "/no-such-cgroup",
		"..", "/ckpt-fuzz/../ckpt-fuzz", "//ckpt-fuzz//sub/",
		"/sys/fs/cgroup", "*", "/ckpt-fuzz/sub/../../..",
	};
	char s[4200];
	size_t len;

	if (type == CKPT_A_JOB_CGROUP && pct(70)) {
		gnl_put_str(m, type, cgroups[below(sizeof(cgroups) /
						   sizeof(cgroups[0]))]);
		return;
	}
	len = pct(80) ? below(64) : below(max < sizeof(s) ? max : sizeof(s));
	for (size_t i = 0; i < len; i++)
		s[i] = pct(90) ? 'a' + below(26) : (char)rnd();
	if (pct(90) || !len) {
		if (len == sizeof(s))
			len--;
		s[len++] = '\0';
	}
	gnl_put(m, type, s, len);
}

/* Random attributes, nested @depth deep at most, into @buf; returns the
 * bytes written (at most @room). */
static size_t garbage_attrs(unsigned char *buf, size_t room, int depth)
{
	size_t used = 0;
	int n = below(6);

	for (int i = 0; i < n; i++) {
		struct nlattr *a = (struct nlattr *)(buf + used);
		size_t len, left = room - used;

		if (left < NLA_HDRLEN + 8)
			break;
		a->nla_type = pct(70) ? below(CKPT_A_JOB_MAX + 4) : rnd();
		if (depth > 0 && pct(30)) {
			len = garbage_attrs(buf + used + NLA_HDRLEN,
					    left - NLA_HDRLEN, depth - 1);
			if (pct(70))
				a->nla_type |= NLA_F_NESTED;
		} else {
			len = pct(60) ? below(9) : below(left - NLA_HDRLEN);
			rnd_bytes(buf + used + NLA_HDRLEN, len);
		}
		a->nla_len = NLA_HDRLEN + len;
		if (pct(5))
			a->nla_len = rnd();	/* a lie */
		used += NLA_ALIGN(NLA_HDRLEN + len);
		if (used > room)
			return room;
	}
	return used;
}

static void put_garbage(struct gnl_msg *m, int depth)
{
	size_t room = 2048;

	if (m->len + room > sizeof(m->buf))
		return;
	m->len += garbage_attrs(m->buf + m->len, room, depth);
}

static void put_patterns(struct gnl_msg *m)
{
	unsigned char nest[GNL_BUF / 2];
	struct gnl_msg *sub = malloc(sizeof(*sub));
	int n = pct(80) ? below(6) : below(CKPT_LOWER_PATTERNS_MAX + 4);

	if (!sub)
		return;
	sub->len = 0;
	for (int i = 0; i < n && sub->len < sizeof(nest) - 600; i++) {
		if (pct(90))
			put_random_string(sub, CKPT_A_PATTERN_GLOB,
					  CKPT_PATTERN_MAX + 8);
		else
			sub->len += garbage_attrs(sub->buf + sub->len, 256, 1);
	}
	memcpy(nest, sub->buf, sub->len);
	if (m->len + sub->len + NLA_HDRLEN < sizeof(m->buf) - 64)
		gnl_put(m, CKPT_A_JOB_LOWER_PATTERNS | (pct(80) ? NLA_F_NESTED : 0),
			nest, sub->len);
	free(sub);
}

static void put_u32_maybe_wrong(struct gnl_msg *m, uint16_t type, uint32_t v)
{
	uint64_t wide = v;

	if (pct(95))
		gnl_put_u32(m, type, v);
	else if (pct(50))
		gnl_put(m, type, &v, below(4));		/* too short */
	else
		gnl_put(m, type, &wide, sizeof(wide));	/* too long */
}

/* The attributes a command takes, mostly valid. */
static void put_cmd_attrs(struct gnl_msg *m, uint8_t cmd)
{
	uint32_t timeout;

	switch (cmd) {
	case CKPT_CMD_GET_FEATURES:
		if (pct(90))
			put_u32_maybe_wrong(m, CKPT_A_FEATURES_ABI_VERSION,
					    pct(80) ? CKPT_ABI_VERSION : rnd());
		if (pct(30))
			put_random_string(m, CKPT_A_FEATURES_CLIENT, 64);
		break;
	case CKPT_CMD_JOB_CREATE:
		if (pct(95))
			put_u32_maybe_wrong(m, CKPT_A_JOB_ID, job_id());
		if (pct(95))
			put_u32_maybe_wrong(m, CKPT_A_JOB_KIND, pct(90) ?
					    1 + below(CKPT_JOB_KIND_MAX) : rnd());
		if (pct(80))
			put_u32_maybe_wrong(m, CKPT_A_JOB_PID, some_pid());
		if (pct(25))
			put_random_string(m, CKPT_A_JOB_CGROUP,
					  CKPT_CGROUP_PATH_MAX + 8);
		if (pct(15))
			put_patterns(m);
		if (pct(15))
			put_u32_maybe_wrong(m, CKPT_A_JOB_FLAGS, pct(70) ?
					    CKPT_JOB_F_OWN_PIDNS : rnd());
		break;
	case CKPT_CMD_JOB_FREEZE:
		if (pct(97))
			put_u32_maybe_wrong(m, CKPT_A_JOB_ID, job_id());
		/* Short timeouts: a member parked by another job makes the
		 * freeze wait for all of it.  No timeout (10 s) only where
		 * the id names no job. */
		if (pct(90))
			timeout = 1 + below(8);
		else if (pct(50))
			timeout = 10 + below(90);
		else
			timeout = pct(50) ? 0 : CKPT_FREEZE_TIMEOUT_MS_MAX + 1 +
						below(1000);
		put_u32_maybe_wrong(m, CKPT_A_JOB_TIMEOUT_MS, timeout);
		break;
	case CKPT_CMD_JOB_DESTROY:
	case CKPT_CMD_JOB_GET:
	case CKPT_CMD_JOB_THAW:
	default:
		if (pct(97))
			put_u32_maybe_wrong(m, CKPT_A_JOB_ID, job_id());
		break;
	}
}

static uint8_t pick_cmd(void)
{
	static const uint8_t weighted[] = {
		CKPT_CMD_GET_FEATURES, CKPT_CMD_GET_FEATURES,
		CKPT_CMD_JOB_CREATE, CKPT_CMD_JOB_CREATE, CKPT_CMD_JOB_CREATE,
		CKPT_CMD_JOB_CREATE, CKPT_CMD_JOB_DESTROY, CKPT_CMD_JOB_GET,
		CKPT_CMD_JOB_GET, CKPT_CMD_JOB_GET, CKPT_CMD_JOB_FREEZE,
		CKPT_CMD_JOB_FREEZE, CKPT_CMD_JOB_DESTROY, CKPT_CMD_JOB_THAW,
		CKPT_CMD_JOB_THAW, CKPT_CMD_EVENT, CKPT_CMD_UNSPEC,
	};

	if (pct(97))
		return weighted[below(sizeof(weighted))];
	return pct(50) ? CKPT_CMD_MAX + 1 + below(8) : rnd();
}

/* One message in @m; returns its command. */
static uint8_t make_message(struct gnl_msg *m, const struct gnl *g,
			    uint16_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *gh = NLMSG_DATA(nlh);
	uint8_t cmd = pick_cmd();
	uint16_t flags = NLM_F_ACK;
	int structured = pct(75);

	if (cmd == CKPT_CMD_JOB_GET && pct(25))
		flags |= NLM_F_DUMP;
	if (pct(10))
		flags = rnd() & ~NLM_F_REQUEST;
	gnl_msg_init(m, g, cmd, flags);
	if (pct(5))
		nlh->nlmsg_flags &= ~NLM_F_REQUEST;
	if (pct(4))
		gh->version = rnd();
	if (pct(4))
		gh->reserved = rnd();
	if (structured) {
		put_cmd_attrs(m, cmd);
		if (pct(10))
			put_garbage(m, 2);
	} else {
		if (pct(50))
			put_cmd_attrs(m, cmd);
		put_garbage(m, 3);
	}
	nlh->nlmsg_len = m->len;
	if (pct(3))
		nlh->nlmsg_len = below(m->len + 64);	/* truncated or long */
	nlh->nlmsg_seq = seq;
	return cmd;
}

/* --- ioctls ----------------------------------------------------------------- */

enum {
	IO_GET_ABI, IO_DUMP, IO_TAG_REGION, IO_DEV_OTHER,
	IO_COMMIT, IO_SD_CLEARED, IO_DUMP_ERROR, IO_DUMPFD_OTHER,
	IO_READ, IO_CLOSE, IO_NR
};

static const char *const io_names[IO_NR] = {
	"ioctl GET_ABI", "ioctl DUMP", "ioctl TAG_REGION", "ioctl /dev other",
	"ioctl DUMP_COMMIT", "ioctl SOFTDIRTY_CLEARED", "ioctl DUMP_ERROR",
	"ioctl dump-fd other", "read dump fd", "close dump fd",
};

static struct tally io_tally[IO_NR];

struct fuzz {
	int dev[2];		/* /dev/ckpt files */
	int dumps[MAX_DUMPS];	/* open session fds */
	int ndumps;
	char *mem;		/* memory to tag regions in */
	long page;
	unsigned char *arg;	/* a page for ioctl arguments, then a hole */
	unsigned char *rbuf;	/* 64 KiB for reads */
};

/* A pointer argument: mostly valid @buf, sometimes not. */
static void *some_ptr(void *buf)
{
	if (pct(94))
		return buf;
	switch (below(4)) {
	case 0:
		return NULL;
	case 1:
		return (void *)16;
	case 2:
		return (void *)0xffff888000000000ULL;	/* the kernel's */
	default:
		return (char *)buf + 4096 - 5;	/* runs into the hole */
	}
}

static uint64_t io_t0;		/* when the current operation started */

static void io_count(int op, int ret)
{
	io_tally[op].ms += wl_now_ms() - io_t0;
	io_tally[op].sent++;
	count(&io_tally[op], ret < 0 ? -errno : 0);
}

static unsigned long random_ioctl_nr(void)
{
	static const int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
				    _IOC_READ | _IOC_WRITE };

	if (pct(20))
		return rnd();
	return _IOC(dirs[below(4)], pct(80) ? CKPT_IOC_MAGIC : below(256),
		    below(16), pct(50) ? below(64) : below(1 << 14));
}

static void dev_ioctl(struct fuzz *f)
{
	unsigned char *arg = f->arg;
	int dev = f->dev[below(2)], op = below(4), ret;

	io_t0 = wl_now_ms();
	memset(arg, 0, 4096);
	switch (op) {
	case IO_GET_ABI: {
		struct ckpt_abi_info *a = (void *)arg;

		if (pct(20))
			a->flags = pct(50) ? 1U << below(32) : rnd();
		if (pct(20))
			a->reserved[below(2)] = rnd();
		ret = ioctl(dev, CKPT_IOC_GET_ABI, some_ptr(a));
		break;
	}
	case IO_DUMP: {
		struct ckpt_dump_args *a = (void *)arg;

		a->job_id = job_id();
		a->flags = pct(85) ? below(CKPT_DUMP_FLAGS + 1) : rnd();
		if (pct(10)) {
			uint32_t which = below(3);

			if (which == 0)
				a->data_fd = rnd();
			else if (which == 1)
				a->reserved0 = rnd();
			else
				a->reserved = rnd();
		}
		ret = ioctl(dev, CKPT_IOC_DUMP, some_ptr(a));
		if (ret >= 0) {
			if (f->ndumps < MAX_DUMPS)
				f->dumps[f->ndumps++] = ret;
			else
				close(ret);
		}
		break;
	}
	case IO_TAG_REGION: {
		struct ckpt_tag_region_args *a = (void *)arg;

		a->addr = pct(80) ? (uintptr_t)f->mem + below(64) * f->page :
				    rnd();
		a->len = pct(80) ? (1 + below(8)) * f->page : rnd();
		if (pct(10))
			a->addr += below(f->page);
		a->tag = pct(80) ? (below(2) ? 1 + below(2) :
				    CKPT_REGION_EXCLUDE) : rnd();
		a->flags = pct(90) ? 0 : rnd();
		ret = ioctl(dev, CKPT_IOC_TAG_REGION, some_ptr(a));
		break;
	}
	default:
		rnd_bytes(arg, 64);
		ret = ioctl(dev, random_ioctl_nr(), some_ptr(arg));
		if (ret > 2)
			close(ret);	/* should not happen: an fd anyway */
		break;
	}
	io_count(op, ret);
}

static void dump_fd_op(struct fuzz *f)
{
	unsigned char *arg = f->arg;
	int i = below(f->ndumps), fd = f->dumps[i], op, ret;

	op = IO_COMMIT + below(IO_NR - IO_COMMIT);
	io_t0 = wl_now_ms();
	memset(arg, 0, 4096);
	switch (op) {
	case IO_COMMIT:
		ret = ioctl(fd, CKPT_IOC_DUMP_COMMIT, pct(90) ? 0 : rnd());
		break;
	case IO_SD_CLEARED: {
		struct ckpt_softdirty_cleared_args *a = (void *)arg;

		if (pct(15))
			a->flags = rnd();
		if (pct(15))
			a->reserved = rnd();
		ret = ioctl(fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, some_ptr(a));
		break;
	}
	case IO_DUMP_ERROR:
		ret = ioctl(fd, CKPT_IOC_DUMP_ERROR, some_ptr(arg));
		break;
	case IO_DUMPFD_OTHER:
		rnd_bytes(arg, 64);
		ret = ioctl(fd, random_ioctl_nr(), some_ptr(arg));
		if (ret > 2)
			close(ret);
		break;
	case IO_READ: {
		static const size_t sizes[] = { 0, 1, 7, 8, 15, 4096, 65536 };
		size_t len = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];

		ret = read(fd, pct(97) ? f->rbuf : some_ptr(NULL), len);
		break;
	}
	default:		/* IO_CLOSE */
		ret = close(fd);
		f->dumps[i] = f->dumps[--f->ndumps];
		break;
	}
	io_count(op, ret);
}

/*
 * Every 10,000 messages: a job of its own (id BURST_JOB, the ticking
 * process), frozen or not, and dump sessions of it until the host-wide
 * CKPT_DUMP_SESSIONS_MAX refuses more (-ENFILE); the sessions join the
 * pool that dump_fd_op() reads, commits and closes at random.
 */
#define BURST_JOB	200

static void sessions_burst(struct gnl *g, struct fuzz *f)
{
	static struct gnl_reply r;

	bool frozen;

	gnl_job_create(g, BURST_JOB, CKPT_JOB_TREE, zoo->pid[Z_THREADS], NULL,
		       &r);
	frozen = pct(50) && !gnl_job_freeze(g, BURST_JOB, 2000, &r);
	for (int i = 0; i < CKPT_DUMP_SESSIONS_MAX + 4; i++) {
		/* a frozen dump needs the freeze: without one, pre-dumps only,
		 * so that every burst reaches the cap */
		struct ckpt_dump_args a = {
			.job_id = BURST_JOB,
			.flags = !frozen || pct(50) ? CKPT_DUMP_PREDUMP : 0,
		};
		int ret;

		io_t0 = wl_now_ms();
		ret = ioctl(f->dev[below(2)], CKPT_IOC_DUMP, &a);
		io_count(IO_DUMP, ret);
		if (ret < 0)
			continue;
		if (f->ndumps < MAX_DUMPS)
			f->dumps[f->ndumps++] = ret;
		else
			close(ret);
	}
}

/*
 * The racer: a second thread with a socket and a /dev/ckpt of its own that
 * keeps freezing, thawing, destroying, creating and dumping the pool's jobs
 * and kills the churning children, so that the main thread's requests meet
 * jobs that change under them (a THAW or DESTROY cancelling a freeze that
 * waits, a member killed while parked or while its dump is read).  Its
 * choices come from the seed too, its timing does not: CKPT_FUZZ_RACER=0
 * turns it off for an exact rerun.
 */
enum { R_FREEZE, R_THAW, R_DESTROY, R_GET, R_DUMPJOBS, R_CREATE, R_DUMP,
       R_KILL, R_NR };

static const char *const racer_names[R_NR] = {
	"racer JOB_FREEZE", "racer JOB_THAW", "racer JOB_DESTROY",
	"racer JOB_GET", "racer JOB_GET dump", "racer JOB_CREATE",
	"racer DUMP and read", "racer SIGKILL churn",
};

struct racer {
	pthread_t thread;
	uint64_t state;
	int stop;
	struct tally t[R_NR];
};

static uint32_t racer_rnd(struct racer *rc, uint32_t n)
{
	rc->state ^= rc->state >> 12;
	rc->state ^= rc->state << 25;
	rc->state ^= rc->state >> 27;
	return n ? (rc->state * 0x2545F4914F6CDD1DULL) % n : 0;
}

static void *racer_fn(void *arg)
{
	struct racer *rc = arg;
	struct gnl_reply *r = malloc(sizeof(*r));
	uint8_t *buf = malloc(65536);
	struct gnl g;
	int dev = dh_dev_open();

	if (!r || !buf || dev < 0 || gnl_open(&g))
		return NULL;
	while (!__atomic_load_n(&rc->stop, __ATOMIC_SEQ_CST)) {
		uint32_t id = 1 + racer_rnd(rc, POOL_IDS);
		int op = racer_rnd(rc, R_NR), err = 0;
		uint64_t t0 = wl_now_ms();

		switch (op) {
		case R_FREEZE:
			err = gnl_job_freeze(&g, id, 1 + racer_rnd(rc, 50), r);
			break;
		case R_THAW:
			err = gnl_job_simple(&g, CKPT_CMD_JOB_THAW, id, r);
			break;
		case R_DESTROY:
			err = gnl_job_simple(&g, CKPT_CMD_JOB_DESTROY, id, r);
			break;
		case R_GET:
			err = gnl_job_simple(&g, CKPT_CMD_JOB_GET, id, r);
			break;
		case R_DUMPJOBS:
			err = gnl_job_dump(&g, NULL, 0);
			err = err > 0 ? 0 : err;
			break;
		case R_CREATE: {
			static const uint32_t kinds[] = {
				CKPT_JOB_TREE, CKPT_JOB_SID, CKPT_JOB_PGID,
			};
			static const int anchors[] = {
				Z_LEADER, Z_LEADER, Z_PGL,
			};
			int k = racer_rnd(rc, 3);

			err = gnl_job_create(&g, id, kinds[k],
					     zoo->pid[anchors[k]], NULL, r);
			break;
		}
		case R_DUMP: {
			struct ckpt_dump_args a = {
				.job_id = id,
				.flags = racer_rnd(rc, 2) ? CKPT_DUMP_PREDUMP : 0,
			};
			struct ckpt_dump_error de;
			int fd = ioctl(dev, CKPT_IOC_DUMP, &a);

			err = fd < 0 ? -errno : 0;
			for (int k = 0; fd >= 0 && k < 4; k++) {
				if (read(fd, buf, 65536) < 0) {
					err = -errno;
					ioctl(fd, CKPT_IOC_DUMP_ERROR, &de);
					break;
				}
			}
			if (fd >= 0)
				close(fd);
			break;
		}
		default:
			err = kill(__atomic_load_n(&zoo->churn_child,
						   __ATOMIC_SEQ_CST),
				   SIGKILL) ? -errno : 0;
			break;
		}
		rc->t[op].sent++;
		rc->t[op].ms += wl_now_ms() - t0;
		count(&rc->t[op], err);
	}
	gnl_close(&g);
	close(dev);
	free(r);
	free(buf);
	return NULL;
}

/* --- the run ---------------------------------------------------------------- */

FIXTURE(fuzz) {
	struct gnl g;
	struct fuzz f;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, wl_become_subreaper());
	ASSERT_EQ(0, zoo_start());
	ASSERT_EQ(0, gnl_open(&self->g));
	self->f.dev[0] = dh_dev_open();
	self->f.dev[1] = dh_dev_open();
	ASSERT_LE(0, self->f.dev[0]);
	ASSERT_LE(0, self->f.dev[1]);
	self->f.page = sysconf(_SC_PAGESIZE);
	self->f.mem = mmap(NULL, 72 * self->f.page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->f.mem);
	/* a page for ioctl arguments, then a hole */
	self->f.arg = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->f.arg);
	ASSERT_EQ(0, munmap(self->f.arg + 4096, 4096));
	self->f.rbuf = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->f.rbuf);
}

FIXTURE_TEARDOWN(fuzz)
{
	wl_kill_descendants();
	rmdir(CG_FUZZ "/sub");
	rmdir(CG_FUZZ);
}

TEST_F_TIMEOUT(fuzz, every_command_and_ioctl, 290)
{
	const char *env = getenv("CKPT_FUZZ_SEED");
	const char *envn = getenv("CKPT_FUZZ_MESSAGES");
	uint64_t seed = env ? strtoull(env, NULL, 0) :
		(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	long target = envn ? atol(envn) : MESSAGES_DEFAULT;
	struct gnl_msg *m = malloc(sizeof(*m));
	struct gnl_reply *r = malloc(sizeof(*r));
	static struct tally unknown;
	uint64_t start = wl_now_ms(), ioctls = 0, before;
	long sent = 0;
	struct gnl other = { .fd = -1 };
	const char *envr = getenv("CKPT_FUZZ_RACER");
	int use_racer = !envr || atoi(envr);
	static struct racer racer_data;
	struct racer *racer = &racer_data;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	rnd_state = seed ? seed : 1;
	printf("# fuzz seed %llu (rerun with CKPT_FUZZ_SEED=%llu), %ld messages%s\n",
	       (unsigned long long)seed, (unsigned long long)seed, target,
	       use_racer ? ", racer on (CKPT_FUZZ_RACER=0 for an exact rerun)" :
			   ", racer off");
	if (use_racer) {
		racer->state = seed * 0x9E3779B97F4A7C15ULL | 1;
		ASSERT_EQ(0, pthread_create(&racer->thread, NULL, racer_fn,
					    racer));
	}

	for (long i = 0; sent < target; i++) {
		struct gnl *g = &self->g;
		uint16_t seq = i;
		uint64_t t0;
		uint8_t cmd;
		int err;

		if (wl_now_ms() - start > TIME_LIMIT_MS)
			break;
		/* now and then through a second socket, whose close
		 * destroys the jobs it made */
		if (other.fd >= 0 && pct(30))
			g = &other;
		if (i % 4000 == 0) {
			if (other.fd >= 0) {
				drain(&other);
				gnl_close(&other);
			}
			if (pct(60))
				ASSERT_EQ(0, gnl_open(&other));
		}
		if (i % 10000 == 5000)
			sessions_burst(&self->g, &self->f);
		/* ioctls between messages, about one for four */
		while (pct(20)) {
			if (self->f.ndumps && pct(55))
				dump_fd_op(&self->f);
			else
				dev_ioctl(&self->f);
			ioctls++;
		}

		cmd = make_message(m, g, seq);
		seq_cmd[seq] = cmd;
		seq_seen[seq] = 0;
		cmd_tally[cmd].sent++;
		/* the whole buffer: nlmsg_len may claim less or more */
		t0 = wl_now_ms();
		err = gnl_send_raw(g, m->buf, m->len);
		if (!err)
			sent++;
		else
			count(&cmd_tally[cmd], err);
		drain(g);
		cmd_tally[cmd].ms += wl_now_ms() - t0;
	}
	if (use_racer) {
		__atomic_store_n(&racer->stop, 1, __ATOMIC_SEQ_CST);
		pthread_join(racer->thread, NULL);
	}
	drain(&self->g);
	if (other.fd >= 0) {
		drain(&other);
		gnl_close(&other);
	}

	printf("# %ld messages and %llu ioctls/reads in %llu ms (seed %llu)\n",
	       sent, (unsigned long long)ioctls,
	       (unsigned long long)(wl_now_ms() - start),
	       (unsigned long long)seed);
	printf("# outcomes: ok = acked with 0 (also messages without\n"
	       "# NLM_F_REQUEST, which the kernel acks unread); errors by errno\n");
	for (int c = 0; c < NR_CMDS; c++) {
		struct tally *u = &unknown;

		if (c > CKPT_CMD_MAX) {
			u->sent += cmd_tally[c].sent;
			u->ok += cmd_tally[c].ok;
			u->ms += cmd_tally[c].ms;
			for (int e = 0; e < 140; e++)
				u->err[e] += cmd_tally[c].err[e];
			continue;
		}
		print_tally(cmd_name(c), &cmd_tally[c]);
	}
	print_tally("unknown commands", &unknown);
	for (int op = 0; op < IO_NR; op++)
		print_tally(io_names[op], &io_tally[op]);
	for (int op = 0; use_racer && op < R_NR; op++)
		print_tally(racer_names[op], &racer->t[op]);
	fflush(stdout);

	EXPECT_LE(target, sent) {
		TH_LOG("only %ld of %ld messages in %d s", sent, target,
		       TIME_LIMIT_MS / 1000);
	}
	/* every real command was sent, and the job commands did run */
	for (int c = CKPT_CMD_GET_FEATURES; c <= CKPT_CMD_MAX; c++)
		EXPECT_LT(0, cmd_tally[c].sent);
	EXPECT_LT(0, cmd_tally[CKPT_CMD_JOB_CREATE].ok);
	EXPECT_LT(0, cmd_tally[CKPT_CMD_JOB_FREEZE].ok);
	EXPECT_LT(0, cmd_tally[CKPT_CMD_JOB_THAW].ok);
	EXPECT_LT(0, cmd_tally[CKPT_CMD_JOB_DESTROY].ok);
	EXPECT_LT(0, cmd_tally[CKPT_CMD_JOB_GET].ok);
	EXPECT_LT(0, io_tally[IO_DUMP].ok);
	EXPECT_LT(0, io_tally[IO_READ].ok);
	EXPECT_LT(0, io_tally[IO_DUMP].err[ENFILE]);	/* the session cap */
	for (int op = 0; use_racer && op < R_NR; op++)
		EXPECT_LT(0, racer->t[op].sent);

	/* Afterwards: the sessions and the jobs go with their files and
	 * socket, the zoo runs again, and ckpt still serves. */
	while (self->f.ndumps)
		close(self->f.dumps[--self->f.ndumps]);
	gnl_close(&self->g);
	ASSERT_EQ(0, gnl_open(&self->g));
	EXPECT_EQ(0, gnl_get_features(&self->g, r));
	EXPECT_EQ(0, gnl_job_dump(&self->g, NULL, 0));
	before = __atomic_load_n(&zoo->ticks, __ATOMIC_RELAXED);
	wl_sleep_ms(300);
	EXPECT_NE(before, __atomic_load_n(&zoo->ticks, __ATOMIC_RELAXED));
	for (int z = 0; z < Z_NR; z++) {
		pid_t p = zoo->pid[z];

		EXPECT_EQ(0, wl_wait_state(p, z == Z_CHURN ? "SR" : "S", 3000)) {
			TH_LOG("zoo process %d is in state %c", p,
			       wl_task_state(p, p));
		}
	}
	/* a job still works from start to end */
	ASSERT_EQ(0, dh_job_create_frozen(&self->g, 1, zoo->pid[Z_LEADER], r));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, 1, r));
	free(m);
	free(r);
}

TEST_HARNESS_MAIN
