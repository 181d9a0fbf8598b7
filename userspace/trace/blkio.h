/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-trace: blktrace's binary format (include/uapi/linux/blktrace_api.h of
 * Linux 6.1) and the readers of its per-CPU files.
 *
 * A record is a 48-byte struct blk_io_trace in the host's byte order
 * followed by pdu_len bytes. When the action carries __BLK_TA_CGROUP
 * (__BLK_TN_CGROUP for notes) the pdu starts with the u64 cgroup id; for a
 * BLK_TN_MESSAGE note the rest of the pdu is the text (not NUL-terminated),
 * for BLK_TN_PROCESS it is the task's comm. Notes are written by
 * trace_note(), which sets magic, time, device, action, pid, cpu and
 * pdu_len only: their sequence, sector, bytes and error are left over from
 * earlier records and are ignored here.
 */
#ifndef _XOT_TRACE_BLKIO_H
#define _XOT_TRACE_BLKIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XT_MAGIC		0x65617400u	/* BLK_IO_TRACE_MAGIC */
#define XT_VERSION		0x07u		/* BLK_IO_TRACE_VERSION */
#define XT_HDR_SIZE		48

/* categories (BLK_TC_*), in the upper 16 bits of the action */
#define XT_TC_READ		(1u << 0)
#define XT_TC_WRITE		(1u << 1)
#define XT_TC_FLUSH		(1u << 2)
#define XT_TC_SYNC		(1u << 3)
#define XT_TC_NOTIFY		(1u << 10)
#define XT_TC_PC		(1u << 9)
#define XT_TC_DISCARD		(1u << 13)
#define XT_TC_SHIFT		16
#define XT_TC_ACT(c)		((c) << XT_TC_SHIFT)

/* actions (__BLK_TA_*), in the low byte */
enum {
	XT_TA_QUEUE = 1, XT_TA_BACKMERGE, XT_TA_FRONTMERGE, XT_TA_GETRQ,
	XT_TA_SLEEPRQ, XT_TA_REQUEUE, XT_TA_ISSUE, XT_TA_COMPLETE, XT_TA_PLUG,
	XT_TA_UNPLUG_IO, XT_TA_UNPLUG_TIMER, XT_TA_INSERT, XT_TA_SPLIT,
	XT_TA_BOUNCE, XT_TA_REMAP, XT_TA_ABORT, XT_TA_DRV_DATA,
};
#define XT_TA_CGROUP		(1u << 8)	/* __BLK_TA_CGROUP, __BLK_TN_CGROUP */

/* notes (__BLK_TN_*), with XT_TC_NOTIFY set */
enum { XT_TN_PROCESS = 0, XT_TN_TIMESTAMP = 1, XT_TN_MESSAGE = 2 };

#define XT_MSG_MAX		128		/* BLK_TN_MAX_MSG */

/* One decoded record. */
struct xt_event {
	uint64_t time;		/* ns, ktime_get() (monotonic, all CPUs) */
	uint64_t sector;	/* not for notes */
	uint32_t bytes;		/* not for notes */
	uint32_t action;	/* the raw action */
	uint32_t pid;
	uint32_t device;	/* MAJOR << 20 | MINOR (kernel dev_t) */
	uint32_t cpu;
	uint16_t error;
	uint8_t has_cgid;
	uint64_t cgid;
	char text[XT_MSG_MAX + 1];	/* message or comm of a note, else "" */
};

static inline int xt_is_note(const struct xt_event *e)
{
	return !!(e->action & XT_TC_ACT(XT_TC_NOTIFY));
}

static inline unsigned int xt_act(const struct xt_event *e)
{
	return e->action & 0xff;
}

#define XT_MAJOR(dev)		((dev) >> 20)
#define XT_MINOR(dev)		((dev) & 0xfffff)

/* Error text of the last failure, "" if none. */
struct xt_err {
	char msg[512];
};
int xt_fail(struct xt_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Decode one record from @buf of @len bytes (@len >= XT_HDR_SIZE): returns
 * the record's full size, 0 if @len is too short for it (truncated), or -1
 * with the reason in @err (bad magic, other byte order, unknown version).
 * @where names the position for messages.
 */
long xt_decode(const unsigned char *buf, size_t len, struct xt_event *ev,
	       const char *where, struct xt_err *err);

/* A time-ordered source of records: one per-CPU file, or a sorted buffer. */
struct xt_stream {
	char *name;
	FILE *f;		/* a file read sequentially, or NULL */
	struct xt_event *evs;	/* or all records, sorted by time */
	size_t nev, pos;
	uint64_t offset;	/* bytes consumed so far (for messages) */
	struct xt_event cur;
	int have;		/* cur holds the next record */
	int done;
};

/*
 * All inputs merged in time order. Each argument is a file, a directory
 * (its *.blktrace.* files), a blktrace output NAME (NAME.blktrace.*), or
 * "-" (standard input: one stream with every CPU's records, read whole and
 * sorted by time).
 */
struct xt_reader {
	struct xt_stream *s;
	size_t ns;
	uint64_t records;	/* records returned */
};

int xt_reader_open(struct xt_reader *r, char *const *inputs, size_t n,
		   struct xt_err *err);
/* Next record in time order: 1, 0 at the end of every input, -1 on error. */
int xt_reader_next(struct xt_reader *r, struct xt_event *ev, struct xt_err *err);
void xt_reader_close(struct xt_reader *r);

/*
 * Encode one record (the tests' trace generator): @pdu of @pdu_len bytes is
 * appended after the cgroup id when @has_cgid. Returns bytes written to @out.
 */
size_t xt_encode(unsigned char *out, const struct xt_event *ev, uint32_t seq,
		 const void *pdu, uint16_t pdu_len);

#endif /* _XOT_TRACE_BLKIO_H */
