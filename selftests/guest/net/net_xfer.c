// SPDX-License-Identifier: GPL-2.0
/*
 * net_xfer - move a checked, deterministic byte stream between two guests.
 *
 *   net_xfer recv PORT [BYTES SEED]
 *   net_xfer send ADDR PORT BYTES SEED
 *
 * Proves that the guests' network carries bulk data intact (busybox nc
 * loses data on bulk transfers, so it cannot be the proof).
 *
 * Stream, all integers big-endian:
 *   header   "CKPTNXF1", u64 seed, u64 length
 *   data     length bytes; byte i is byte (i % 8) of mix(seed, i / 8)
 *   trailer  u64 length, u64 FNV-1a-64 of the data
 * The receiver regenerates the expected data from the header's seed,
 * compares every byte, checks the trailer against its own count and hash,
 * then answers with an 8-byte verdict ("NXF-OK" or "NXF-BAD") so that the
 * sender's exit status also says whether the data arrived intact.  Given
 * BYTES and SEED, the receiver also insists on them.
 *
 * The sender retries connecting for 60 s: the peer guest may still be
 * booting.  Exit status 0 only on success; errors name the peer and, for
 * corrupt data, the first bad byte offset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC		"CKPTNXF1"
#define VERDICT_OK	"NXF-OK\0\0"
#define VERDICT_BAD	"NXF-BAD\0"
#define CHUNK		(64 * 1024)
#define CONNECT_SECS	60
#define ACCEPT_SECS	120
#define IO_SECS		60

static char peer[64] = "?";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "net_xfer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* splitmix64 finaliser over (seed, block index): random access, no state. */
static uint64_t mix(uint64_t seed, uint64_t block)
{
	uint64_t z = seed + (block + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The expected bytes [off, off + len) of the stream for seed. */
static void fill(uint8_t *buf, uint64_t seed, uint64_t off, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t pos = off + i, v = mix(seed, pos / 8);

		for (unsigned int b = pos % 8; b < 8 && i < len; b++, i++)
			buf[i] = (uint8_t)(v >> (8 * b));
	}
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			die("%s accepted nothing for %d s", peer, IO_SECS);
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			die("%s closed the connection; see its log", peer);
		if (n < 0)
			die("write to %s: %s", peer, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Reads exactly len bytes; returns how many arrived before EOF. */
static size_t read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			die("%s sent nothing for %d s", peer, IO_SECS);
		if (n < 0)
			die("read from %s: %s", peer, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || *s == '-')
		die("bad %s '%s': want a non-negative number", what, s);
	return v;
}

static uint16_t parse_port(const char *s)
{
	uint64_t v = parse_u64(s, "port");

	if (v == 0 || v > 65535)
		die("bad port '%s': want 1..65535", s);
	return (uint16_t)v;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_SECS };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_send(const char *addr, const char *port_s, const char *bytes_s,
		   const char *seed_s)
{
	uint16_t port = parse_port(port_s);
	uint64_t len = parse_u64(bytes_s, "byte count");
	uint64_t seed = parse_u64(seed_s, "seed");
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	static uint8_t buf[CHUNK];
	uint8_t hdr[24], trl[16], verdict[8];
	uint64_t h = FNV_INIT, off;
	double t0 = now(), t1;
	int fd = -1;

	snprintf(peer, sizeof(peer), "%s:%u", addr, port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die("bad address '%s': want dotted IPv4", addr);

	/* The receiver may still be booting: keep trying for a while. */
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (now() - t0 > CONNECT_SECS)
			die("cannot connect to %s for %d s: %s; is the receiver running?",
			    peer, CONNECT_SECS, strerror(errno));
		close(fd);
		usleep(200 * 1000);
	}
	set_timeouts(fd);

	memcpy(hdr, MAGIC, 8);
	put64(hdr + 8, seed);
	put64(hdr + 16, len);
	write_all(fd, hdr, sizeof(hdr));
	t1 = now();
	for (off = 0; off < len; ) {
		size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;

		fill(buf, seed, off, n);
		h = fnv1a(h, buf, n);
		write_all(fd, buf, n);
		off += n;
	}
	put64(trl, len);
	put64(trl + 8, h);
	write_all(fd, trl, sizeof(trl));

	if (read_full(fd, verdict, sizeof(verdict)) != sizeof(verdict))
		die("%s closed the connection without a verdict after %" PRIu64
		    " bytes; see the receiver's log", peer, len);
	if (memcmp(verdict, VERDICT_OK, 8))
		die("%s rejected the %" PRIu64 " bytes it received; see the receiver's log",
		    peer, len);
	printf("net_xfer: sent %" PRIu64 " bytes to %s, fnv1a64 %016" PRIx64
	       ", %.1f MB/s\n", len, peer, h, len / 1e6 / (now() - t1));
	close(fd);
	return 0;
}

static int do_recv(const char *port_s, const char *bytes_s, const char *seed_s)
{
	uint16_t port = parse_port(port_s);
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	static uint8_t buf[CHUNK], want[CHUNK];
	uint8_t hdr[24], trl[16];
	uint64_t len, seed, h = FNV_INIT, off;
	struct pollfd pfd;
	double t1;
	int one = 1, lfd, fd, r;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		die("cannot listen on port %u: %s", port, strerror(errno));

	pfd.fd = lfd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, ACCEPT_SECS * 1000);
	if (r <= 0)
		die("no sender connected to port %u within %d s", port, ACCEPT_SECS);
	fd = accept(lfd, (struct sockaddr *)&from, &fromlen);
	if (fd < 0)
		die("accept on port %u: %s", port, strerror(errno));
	close(lfd);
	snprintf(peer, sizeof(peer), "%s:%u", inet_ntoa(from.sin_addr),
		 ntohs(from.sin_port));
	set_timeouts(fd);

	if (read_full(fd, hdr, sizeof(hdr)) != sizeof(hdr) || memcmp(hdr, MAGIC, 8))
		die("%s sent no valid header; is it net_xfer?", peer);
	seed = get64(hdr + 8);
	len = get64(hdr + 16);
	if ((bytes_s && len != parse_u64(bytes_s, "byte count")) ||
	    (seed_s && seed != parse_u64(seed_s, "seed"))) {
		write_all(fd, VERDICT_BAD, 8);
		die("%s announces %" PRIu64 " bytes with seed %" PRIu64
		    ", expected %s bytes with seed %s", peer, len, seed,
		    bytes_s, seed_s);
	}

	t1 = now();
	for (off = 0; off < len; ) {
		size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
		size_t got = read_full(fd, buf, n);

		fill(want, seed, off, got);
		if (memcmp(buf, want, got)) {
			size_t i = 0;

			while (buf[i] == want[i])
				i++;
			write_all(fd, VERDICT_BAD, 8);
			die("data from %s differs at byte offset %" PRIu64
			    ": got 0x%02x, expected 0x%02x", peer, off + i,
			    buf[i], want[i]);
		}
		h = fnv1a(h, buf, got);
		off += got;
		if (got < n)
			die("%s closed the stream at byte offset %" PRIu64 " of %" PRIu64,
			    peer, off, len);
	}
	if (read_full(fd, trl, sizeof(trl)) != sizeof(trl))
		die("%s sent all %" PRIu64 " bytes but no trailer", peer, len);
	if (get64(trl) != len || get64(trl + 8) != h) {
		write_all(fd, VERDICT_BAD, 8);
		die("trailer from %s says %" PRIu64 " bytes, fnv1a64 %016" PRIx64
		    "; received %" PRIu64 " bytes, fnv1a64 %016" PRIx64,
		    peer, get64(trl), get64(trl + 8), len, h);
	}
	write_all(fd, VERDICT_OK, 8);
	printf("net_xfer: received %" PRIu64 " bytes from %s, fnv1a64 %016" PRIx64
	       " matches, %.1f MB/s\n", len, peer, h, len / 1e6 / (now() - t1));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	/* A dead peer must give a message, not a silent SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && argc != 4 && argc <= 5 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], argc == 5 ? argv[3] : NULL,
			       argc == 5 ? argv[4] : NULL);
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: net_xfer recv PORT [BYTES SEED]\n"
			"       net_xfer send ADDR PORT BYTES SEED\n");
	return 2;
}
