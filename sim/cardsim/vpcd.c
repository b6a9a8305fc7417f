/*
 * vpcd.c — the vpcd link (vpcd.h): framing, control bytes, APDUs.
 */
#include "sim/cardsim/vpcd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "firmware/log.h"
#include "firmware/util.h"

static void quickack(int fd);

int vpcd_connect(const char *host, int port, int wait_ms,
		 volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int64_t deadline = util_mono_ms() + wait_ms;
	int one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "not an IPv4 address: %s", host);
		return -1;
	}
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof one);
			quickack(fd);
			return fd;
		}
		snprintf(err, errlen, "cannot connect to vpcd at %s:%d: %s "
			 "(is pcscd running?)", host, port, strerror(errno));
		close(fd);
		if (*stop || util_mono_ms() >= deadline)
			return -1;
		nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
	}
}

/* vpcd writes a frame's length and its payload in two send()s, so with
 * Nagle on its side the payload waits for our ACK of the length; Linux
 * delays that ACK by up to 40 ms unless quick ACKs are asked for again
 * after every read (the flag does not stick). Without this, every APDU
 * took ~44 ms instead of well under 1 ms. */
static void quickack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/* Reads exactly n bytes. 1 done, 0 peer closed, -1 error, -2 stopped. */
static int read_all(int fd, uint8_t *p, size_t n, volatile sig_atomic_t *stop)
{
	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int pr;

		if (*stop)
			return -2;
		pr = poll(&pfd, 1, 200);
		if (pr < 0 && errno != EINTR)
			return -1;
		if (pr <= 0)
			continue;
		r = recv(fd, p, n, 0);
		quickack(fd);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == ECONNRESET ? 0 : -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

static int send_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t buf[2 + CARDSIM_RESP_MAX];
	size_t off = 0;

	if (n > CARDSIM_RESP_MAX)
		return -1;
	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, p, n);
	n += 2;
	while (off < n) {
		ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

enum vpcd_end vpcd_serve(int fd, struct cardsim *card, long pull_after,
			 volatile sig_atomic_t *stop,
			 void (*on_seen)(void *arg), void *arg)
{
	uint8_t in[CARDSIM_APDU_MAX], out[CARDSIM_RESP_MAX];
	long answered = 0;

	for (;;) {
		uint8_t hdr[2];
		size_t n, rn;
		int r = read_all(fd, hdr, 2, stop);

		if (r != 1)
			return r == 0 ? VPCD_END_CLOSED :
			       r == -2 ? VPCD_END_STOPPED : VPCD_END_ERROR;
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (n == 0 || n > sizeof in) {
			log_warn("cardsim", "vpcd frame of %zu bytes refused", n);
			return VPCD_END_ERROR;
		}
		r = read_all(fd, in, n, stop);
		if (r != 1)
			return r == 0 ? VPCD_END_CLOSED :
			       r == -2 ? VPCD_END_STOPPED : VPCD_END_ERROR;
		if (n == 1) {
			switch (in[0]) {
			case 0x00: case 0x01: case 0x02:
				cardsim_reset(card);
				log_debug("cardsim", "vpcd control %02x", in[0]);
				continue;
			case 0x04:
				rn = cardsim_atr(out);
				if (send_frame(fd, out, rn))
					return VPCD_END_ERROR;
				if (on_seen)
					on_seen(arg);
				on_seen = NULL;
				continue;
			default:
				log_warn("cardsim", "unknown vpcd control %02x",
					 in[0]);
				continue;
			}
		}
		if (pull_after >= 0 && answered >= pull_after)
			return VPCD_END_PULLED;
		rn = cardsim_transmit(card, in, n, out);
		/* instruction bytes and lengths only: data may be personal */
		log_debug("cardsim", "apdu %ld: %02x %02x %02x %02x, %zu bytes "
			  "-> %zu bytes, SW %02x%02x", answered + 1, in[0],
			  in[1], in[2], in[3], n, rn, out[rn - 2], out[rn - 1]);
		util_wipe(in, n);
		if (send_frame(fd, out, rn))
			return VPCD_END_ERROR;
		util_wipe(out, rn);
		answered++;
	}
}
