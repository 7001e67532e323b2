// SPDX-License-Identifier: GPL-2.0
/*
 * Recycling the large buffers of the code under test (linked with
 * -Wl,--wrap=malloc,... into the fuzz targets): the image code allocates
 * 1-4 MiB buffers for every image it opens or writes, and ASan maps,
 * poisons and unmaps each one, which costs far more than the parsing.  A
 * freed buffer of one of those fixed sizes (1 MiB to 1 MiB + 64 KiB:
 * chunks, I/O buffers, peer payloads, compressed chunks; 4 MiB: the
 * stream buffer) is kept, poisoned (so that a use after free is still
 * reported, as use-after-poison), and handed out again for a request of
 * exactly the same size and kind, which keeps ASan's redzone right behind
 * it.  Everything else goes to ASan: sizes that depend on the input would
 * make libFuzzer see more allocations than frees and run LeakSanitizer
 * after every such input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#define BIG		(1U << 20)
#define LIVE_MAX	256
#define CACHE_MAX	32

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_posix_memalign(void **p, size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **p, size_t align, size_t size);

struct block {
	void *p;
	size_t size, align;	/* align 0: malloc */
};

static struct block live[LIVE_MAX], cache[CACHE_MAX];
static unsigned int nr_live, nr_cache;
static int busy;	/* libFuzzer's helper threads may allocate too */

static void lock(void)
{
	while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

static int fixed_size(size_t size)
{
	return (size >= BIG && size <= BIG + (64U << 10)) || size == 4 * BIG;
}

/* Under the lock: remembers a block of a fixed size handed out. */
static void track(void *p, size_t size, size_t align)
{
	if (p && fixed_size(size) && nr_live < LIVE_MAX)
		live[nr_live++] = (struct block){ p, size, align };
	/* else untracked: freed to ASan as usual */
}

/* Under the lock: takes p off the live list; 1 if it was there. */
static int untrack(void *p, struct block *b)
{
	for (unsigned int i = 0; i < nr_live; i++)
		if (live[i].p == p) {
			*b = live[i];
			live[i] = live[--nr_live];
			return 1;
		}
	return 0;
}

/* A kept block of exactly this size and kind, or NULL. */
static void *reuse(size_t size, size_t align)
{
	void *p = NULL;

	lock();
	for (unsigned int i = 0; i < nr_cache; i++) {
		if (cache[i].size != size || cache[i].align != align)
			continue;
		p = cache[i].p;
		cache[i] = cache[--nr_cache];
		track(p, size, align);
		break;
	}
	unlock();
	if (p)
		ASAN_UNPOISON_MEMORY_REGION(p, size);
	return p;
}

static void *tracked(void *p, size_t size, size_t align)
{
	lock();
	track(p, size, align);
	unlock();
	return p;
}

void *__wrap_malloc(size_t size)
{
	void *p;

	if (!fixed_size(size))
		return __real_malloc(size);
	p = reuse(size, 0);
	return p ? p : tracked(__real_malloc(size), size, 0);
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if ((size && n > SIZE_MAX / size) || !fixed_size(n * size))
		return __real_calloc(n, size);	/* not ours, or its overflow error */
	p = reuse(n * size, 0);
	if (p) {
		memset(p, 0, n * size);
		return p;
	}
	return tracked(__real_calloc(n, size), n * size, 0);
}

int __wrap_posix_memalign(void **out, size_t align, size_t size)
{
	void *p = fixed_size(size) ? reuse(size, align) : NULL;
	int ret;

	if (p) {
		*out = p;
		return 0;
	}
	ret = __real_posix_memalign(out, align, size);
	if (!ret)
		tracked(*out, size, align);
	return ret;
}

void __wrap_free(void *p)
{
	struct block b, old = { NULL, 0, 0 };
	int was;

	if (!p)
		return;
	lock();
	was = untrack(p, &b);
	if (was) {
		if (nr_cache == CACHE_MAX) {
			old = cache[0];
			cache[0] = cache[--nr_cache];
		}
		cache[nr_cache++] = b;
	}
	unlock();
	if (!was) {
		__real_free(p);
		return;
	}
	ASAN_POISON_MEMORY_REGION(b.p, b.size);
	if (old.p) {
		ASAN_UNPOISON_MEMORY_REGION(old.p, old.size);
		__real_free(old.p);
	}
}

void *__wrap_realloc(void *p, size_t size)
{
	struct block b;
	int was = 0;

	if (!p)
		return __wrap_malloc(size);	/* a growing buffer's first */
	lock();
	was = untrack(p, &b);
	unlock();
	/* a kept block is a real one: ASan reallocates it; never kept again */
	if (was)
		ASAN_UNPOISON_MEMORY_REGION(p, b.size);
	return __real_realloc(p, size);
}

/*
 * zstd's decompression context (~160 KiB, allocated inside libzstd where
 * the wrappers above do not reach): one is kept and reset for reuse.
 */
#include <zstd.h>

ZSTD_DCtx *__real_ZSTD_createDCtx(void);
size_t __real_ZSTD_freeDCtx(ZSTD_DCtx *d);
ZSTD_DCtx *__wrap_ZSTD_createDCtx(void);
size_t __wrap_ZSTD_freeDCtx(ZSTD_DCtx *d);

static ZSTD_DCtx *kept_dctx;

ZSTD_DCtx *__wrap_ZSTD_createDCtx(void)
{
	ZSTD_DCtx *d = __atomic_exchange_n(&kept_dctx, NULL, __ATOMIC_ACQ_REL);

	return d ? d : __real_ZSTD_createDCtx();
}

size_t __wrap_ZSTD_freeDCtx(ZSTD_DCtx *d)
{
	if (!d)
		return 0;
	ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
	d = __atomic_exchange_n(&kept_dctx, d, __ATOMIC_ACQ_REL);
	return d ? __real_ZSTD_freeDCtx(d) : 0;
}
