// SPDX-License-Identifier: GPL-2.0
/*
 * aio-batch: 4 KiB direct I/O in io_submit() batches whose order the caller
 * chooses, to drive the block layer's merge paths deterministically in the
 * host lab (tests/host/faults.sh, "merges"). A batch of three or more is
 * plugged by the kernel (fs/aio.c), so its bios merge in the plug and its
 * requests merge at insertion into the elevator; batches of one or two
 * issued while the device is busy meet requests waiting in the elevator
 * (bio back and front merges, then request merges).
 *
 * Usage: aio-batch [--write] [--verify] DEVICE OFFSET... [/ OFFSET...]...
 * Raw syscalls (linux/aio_abi.h): no libaio needed in the lab image.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BLOCK		4096
#define MAX_IOS		1024

static void usage(FILE *f)
{
	fputs("Usage: aio-batch [--write] [--verify] DEVICE OFFSET... [/ OFFSET...]...\n"
	      "\n"
	      "Submits 4 KiB O_DIRECT reads (writes with --write) at the byte OFFSETs,\n"
	      "in the order given, one io_submit() per group ('/' separates groups, at\n"
	      "most 1024 I/Os in all), every group before waiting for any completion;\n"
	      "then waits for all of them and checks that each transferred 4096 bytes.\n"
	      "\n"
	      "  --write    write each block filled with its stamp (its offset, as\n"
	      "             64-bit words)\n"
	      "  --verify   after reading, check that each block holds its stamp\n"
	      "  -h, --help this help\n"
	      "\n"
	      "Offsets are multiples of 4096. Exit status: 0 all I/O done (and\n"
	      "verified), 1 an I/O failed or a block did not hold its stamp, 2 usage.\n",
	      f);
}

static long sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long sys_io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
	return syscall(SYS_io_submit, ctx, nr, iocbs);
}

static long sys_io_getevents(aio_context_t ctx, long min, long nr, struct io_event *ev)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, NULL);
}

static long sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static void stamp(uint64_t *buf, uint64_t off)
{
	for (size_t i = 0; i < BLOCK / sizeof(*buf); i++)
		buf[i] = off;
}

static int parse_offset(const char *s, uint64_t *off)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v % BLOCK)
		return -1;
	*off = v;
	return 0;
}

int main(int argc, char **argv)
{
	static struct iocb cb[MAX_IOS];
	static struct iocb *cbp[MAX_IOS];
	static struct io_event ev[MAX_IOS];
	static uint64_t off[MAX_IOS];
	int group_end[MAX_IOS + 1];
	int write = 0, verify = 0, n = 0, ngroups = 0, fd, i, rc = 0;
	aio_context_t ctx = 0;
	const char *dev;
	char *mem;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--write")) {
			write = 1;
		} else if (!strcmp(argv[i], "--verify")) {
			verify = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "aio-batch: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (write && verify) {
		fputs("aio-batch: --verify checks reads; it does not go with --write\n", stderr);
		return 2;
	}
	if (argc - i < 2) {
		usage(stderr);
		return 2;
	}
	dev = argv[i++];
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "/")) {
			if (n && (!ngroups || group_end[ngroups - 1] != n))
				group_end[ngroups++] = n;
			continue;
		}
		if (n == MAX_IOS) {
			fprintf(stderr, "aio-batch: more than %d offsets\n", MAX_IOS);
			return 2;
		}
		if (parse_offset(argv[i], &off[n])) {
			fprintf(stderr, "aio-batch: bad offset '%s' (a multiple of %d)\n", argv[i], BLOCK);
			return 2;
		}
		n++;
	}
	if (!n) {
		fputs("aio-batch: no offsets\n", stderr);
		return 2;
	}
	if (!ngroups || group_end[ngroups - 1] != n)
		group_end[ngroups++] = n;

	fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "aio-batch: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	mem = aligned_alloc(BLOCK, (size_t)n * BLOCK);
	if (!mem) {
		fputs("aio-batch: out of memory\n", stderr);
		close(fd);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t *buf = (uint64_t *)(mem + (size_t)i * BLOCK);

		if (write)
			stamp(buf, off[i]);
		else
			memset(buf, 0xa5, BLOCK);
		memset(&cb[i], 0, sizeof(cb[i]));
		cb[i].aio_data = (uint64_t)i;
		cb[i].aio_fildes = (uint32_t)fd;
		cb[i].aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
		cb[i].aio_buf = (uint64_t)(uintptr_t)buf;
		cb[i].aio_nbytes = BLOCK;
		cb[i].aio_offset = (int64_t)off[i];
		cbp[i] = &cb[i];
	}
	if (sys_io_setup((unsigned int)n, &ctx) < 0) {
		fprintf(stderr, "aio-batch: io_setup: %s\n", strerror(errno));
		free(mem);
		close(fd);
		return 1;
	}

	int done = 0, submitted = 0;

	for (int g = 0; g < ngroups; g++) {
		int first = g ? group_end[g - 1] : 0;
		long nr = group_end[g] - first;
		long got = sys_io_submit(ctx, nr, &cbp[first]);

		if (got != nr) {
			fprintf(stderr, "aio-batch: io_submit of group %d: %ld of %ld (%s)\n",
				g + 1, got, nr, got < 0 ? strerror(errno) : "short");
			rc = 1;
			if (got > 0)
				submitted += (int)got;
			break;
		}
		submitted += (int)nr;
	}
	while (done < submitted) {
		long got = sys_io_getevents(ctx, 1, submitted - done, ev);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "aio-batch: io_getevents: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		for (long k = 0; k < got; k++) {
			int idx = (int)ev[k].data;

			if (ev[k].res != BLOCK) {
				fprintf(stderr, "aio-batch: %s at %" PRIu64 ": result %lld\n",
					write ? "write" : "read", off[idx], (long long)ev[k].res);
				rc = 1;
			} else if (verify) {
				const uint64_t *buf = (const uint64_t *)(mem + (size_t)idx * BLOCK);

				for (size_t w = 0; w < BLOCK / sizeof(*buf); w++) {
					if (buf[w] != off[idx]) {
						fprintf(stderr, "aio-batch: block at %" PRIu64
							" holds %#" PRIx64 " at word %zu, not its stamp\n",
							off[idx], buf[w], w);
						rc = 1;
						break;
					}
				}
			}
		}
		done += (int)got;
	}
	sys_io_destroy(ctx);
	free(mem);
	close(fd);
	if (!rc)
		printf("aio-batch: %d %s%s in %d batch%s\n", n, write ? "writes" : "reads",
		       verify ? " verified" : "", ngroups, ngroups == 1 ? "" : "es");
	return rc;
}
