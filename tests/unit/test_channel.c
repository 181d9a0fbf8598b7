// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the XoT channel (include/xot/channel.h, core/channel.c):
 * ring layout, the guest's publish, and dom0's matching rule: in order,
 * continuation bios, bounded reordering, requests without records, records
 * without requests, flushes, and rings full of garbage.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <xot/channel.h>
#include <xot/sched.h>
#include "unit.h"

#define ORDER 0

static _Alignas(64) u8 ring_mem[XOT_CHAN_PAGE_SIZE << 1];


/* dom0's view: the ring's pages one by one */
static const void *const *ring_pages(u32 order)
{
	static const void *pages[2];
	u32 i;

	for (i = 0; i < (1U << order); i++)
		pages[i] = ring_mem + i * XOT_CHAN_PAGE_SIZE;
	return pages;
}

struct guest {
	u64 seq;
	u32 nr_slots;
};

static void guest_init(struct guest *g, u32 order, u64 start_seq)
{
	xot_chan_ring_init(ring_mem, order, 0);
	g->nr_slots = XOT_CHAN_SLOTS(order);
	g->seq = start_seq;
	((struct xot_ring_header *)ring_mem)->prod = cpu_to_le64(start_seq);
}

static u64 guest_issue(struct guest *g, u8 op, u64 sector, u32 len, u64 cgid)
{
	struct xot_record r = {
		.seq = g->seq++, .sector = sector, .cgroup_id = cgid,
		.nr_sectors = len, .tgid = 100 + (u32)cgid, .weight = 200,
		.op = op, .ioprio = 0,
	};

	xot_chan_publish(ring_mem, g->nr_slots, &r);
	return r.seq;
}

/* A fresh one-page ring from record 0, and dom0 consuming it. */
static void start(struct guest *g, struct xot_chan_consumer *c)
{
	guest_init(g, ORDER, 0);
	xot_chan_consumer_init(c, ring_pages(ORDER), ORDER);
}

static enum xot_chan_result dom0(struct xot_chan_consumer *c, u8 op,
				 u64 sector, u32 len, struct xot_record *out)
{
	struct xot_chan_req req = { .op = op, .sector = sector, .nr_sectors = len };

	return xot_chan_match(c, &req, out);
}

static void test_layout(void)
{
	CHECK(sizeof(struct xot_ring_header) == 64);
	CHECK(offsetof(struct xot_ring_header, magic) == 0);
	CHECK(offsetof(struct xot_ring_header, version) == 4);
	CHECK(offsetof(struct xot_ring_header, order) == 6);
	CHECK(offsetof(struct xot_ring_header, ring) == 8);
	CHECK(offsetof(struct xot_ring_header, prod) == 16);
	CHECK(XOT_CHAN_SLOTS(0) == 63);
	CHECK(XOT_CHAN_SLOTS(4) == 1023);
}

static void test_header(void)
{
	struct guest g;

	guest_init(&g, 1, 0);
	CHECK(xot_chan_check_header(ring_mem, 1, 0) == 0);
	CHECK(xot_chan_check_header(ring_mem, 0, 0) == -EINVAL);	/* order lie */
	CHECK(xot_chan_check_header(ring_mem, 1, 1) == -EINVAL);	/* ring lie */
	CHECK(xot_chan_check_header(ring_mem, XOT_CHAN_MAX_ORDER + 1, 0) == -EINVAL);
	ring_mem[0] ^= 1;
	CHECK(xot_chan_check_header(ring_mem, 1, 0) == -EINVAL);
}

static void test_in_order(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	/* start far from 0 so that the ring wraps many times */
	guest_init(&g, ORDER, 1000);
	xot_chan_consumer_init(&c, ring_pages(ORDER), ORDER);
	CHECK(c.next_seq == 1000);
	for (i = 0; i < 500; i++) {
		guest_issue(&g, XOT_OP_READ, 8 * i, 8, 1 + i % 3);
		CHECK(dom0(&c, XOT_OP_READ, 8 * i, 8, &out) == XOT_CHAN_MATCHED);
		CHECK(out.cgroup_id == (u64)(1 + i % 3) && out.sector == (u64)8 * i);
	}
	CHECK(c.matched == 500 && c.unmatched == 0 && c.dropped == 0);
	CHECK(c.next_seq == 1500 && c.done == 0);
}

/* a two-page ring: records cross the page boundary and wrap */
static void test_two_pages(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	guest_init(&g, 1, 0);
	xot_chan_consumer_init(&c, ring_pages(1), 1);
	CHECK(g.nr_slots == 127);
	for (i = 0; i < 400; i++) {
		guest_issue(&g, XOT_OP_WRITE, 16 * i, 16, 1 + i);
		CHECK(dom0(&c, XOT_OP_WRITE, 16 * i, 16, &out) == XOT_CHAN_MATCHED);
		CHECK(out.cgroup_id == (u64)(1 + i));
	}
	CHECK(c.matched == 400 && c.unmatched == 0);
}

static void test_continuation(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;

	start(&g, &c);
	guest_issue(&g, XOT_OP_WRITE, 1000, 256, 5);
	guest_issue(&g, XOT_OP_WRITE, 1256, 8, 6);
	/* blkback splits the first request into two bios */
	CHECK(dom0(&c, XOT_OP_WRITE, 1000, 128, &out) == XOT_CHAN_MATCHED);
	CHECK(dom0(&c, XOT_OP_WRITE, 1128, 128, &out) == XOT_CHAN_CONTINUED);
	CHECK(out.cgroup_id == 5);
	/* the adjacent request is a request of its own, not a continuation */
	CHECK(dom0(&c, XOT_OP_WRITE, 1256, 8, &out) == XOT_CHAN_MATCHED);
	CHECK(out.cgroup_id == 6);
	/* a bio past the request's end continues nothing and has no record */
	CHECK(dom0(&c, XOT_OP_WRITE, 1264, 8, &out) == XOT_CHAN_UNMATCHED);
	CHECK(c.matched == 2 && c.continued == 1 && c.unmatched == 1);
}

static void test_reorder(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	start(&g, &c);
	for (i = 0; i < 4; i++)
		guest_issue(&g, XOT_OP_READ, 100 * i, 8, 10 + i);
	/* blkback sees them as 2, 0, 3, 1 */
	CHECK(dom0(&c, XOT_OP_READ, 200, 8, &out) == XOT_CHAN_MATCHED && out.cgroup_id == 12);
	CHECK(c.next_seq == 0);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_MATCHED && out.cgroup_id == 10);
	CHECK(c.next_seq == 1);
	CHECK(dom0(&c, XOT_OP_READ, 300, 8, &out) == XOT_CHAN_MATCHED && out.cgroup_id == 13);
	CHECK(dom0(&c, XOT_OP_READ, 100, 8, &out) == XOT_CHAN_MATCHED && out.cgroup_id == 11);
	CHECK(c.next_seq == 4 && c.done == 0 && c.dropped == 0);
}

static void test_records_without_requests(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	start(&g, &c);
	/* a request blkback never submits (e.g. failed in blkback) */
	guest_issue(&g, XOT_OP_DISCARD, 5000, 64, 1);
	for (i = 0; i < 20; i++) {
		guest_issue(&g, XOT_OP_READ, 8 * i, 8, 2);
		CHECK(dom0(&c, XOT_OP_READ, 8 * i, 8, &out) == XOT_CHAN_MATCHED);
	}
	/* the orphan was dropped once matches ran XOT_CHAN_REORDER past it */
	CHECK(c.dropped == 1);
	CHECK(c.next_seq == 21);
}

static void test_requests_without_records(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;

	start(&g, &c);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_UNMATCHED);
	guest_issue(&g, XOT_OP_READ, 64, 8, 3);
	CHECK(dom0(&c, XOT_OP_READ, 64, 8, &out) == XOT_CHAN_MATCHED);
	CHECK(c.unmatched == 1 && c.matched == 1);
}

static void test_flush(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;

	start(&g, &c);
	guest_issue(&g, XOT_OP_FLUSH, 0, 0, 4);
	/* blkback's empty flush bio: sector is whatever, length 0 */
	CHECK(dom0(&c, XOT_OP_FLUSH, 12345, 0, &out) == XOT_CHAN_MATCHED);
	CHECK(out.cgroup_id == 4);
	/* a flush never continues */
	CHECK(dom0(&c, XOT_OP_FLUSH, 0, 0, &out) == XOT_CHAN_UNMATCHED);
}

static void test_window_full_recovers(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	start(&g, &c);
	/* a guest that publishes 40 records matching nothing */
	for (i = 0; i < 40; i++)
		guest_issue(&g, XOT_OP_WRITE, 1 << 20, 8, 9);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_UNMATCHED);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_UNMATCHED);
	guest_issue(&g, XOT_OP_READ, 0, 8, 1);
	/* matching resumes within a few requests */
	for (i = 0; i < 4; i++)
		if (dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_MATCHED)
			break;
	CHECK(i < 4);
	/* and the rest of the orphans go as later requests match */
	for (i = 0; i < XOT_CHAN_REORDER + 2; i++) {
		guest_issue(&g, XOT_OP_READ, 8 * i, 8, 1);
		CHECK(dom0(&c, XOT_OP_READ, 8 * i, 8, &out) == XOT_CHAN_MATCHED);
	}
	CHECK(c.dropped == 40);
}

static void test_rejected_counted_once(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct xot_record_wire *w;
	struct guest g;

	start(&g, &c);
	guest_issue(&g, XOT_OP_READ, 0, 8, 1);
	w = (struct xot_record_wire *)ring_mem + 1;
	w->weight = cpu_to_le32(0);		/* invalid */
	guest_issue(&g, XOT_OP_READ, 8, 8, 1);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_UNMATCHED);
	CHECK(dom0(&c, XOT_OP_READ, 8, 8, &out) == XOT_CHAN_MATCHED);
	CHECK(c.rejected[XOT_WIRE_EWEIGHT] == 1);
	CHECK(c.next_seq == 2);
}

/*
 * A guest that skips a record number for good: matching goes on past the
 * hole as soon as a newer record is published (it used to stop there until
 * the next offer), and the hole is counted as a sequence rejection.
 */
static void test_skipped_seq(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct guest g;
	int i;

	start(&g, &c);
	guest_issue(&g, XOT_OP_READ, 0, 8, 1);
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_MATCHED);
	g.seq++;				/* record 1 is never written */
	/* nothing newer yet: record 1 may still come, no hole */
	CHECK(dom0(&c, XOT_OP_READ, 8, 8, &out) == XOT_CHAN_UNMATCHED);
	CHECK(c.rejected[XOT_WIRE_ESEQ] == 0 && c.next_seq == 1);
	for (i = 2; i < 40; i++) {
		guest_issue(&g, XOT_OP_READ, 8 * i, 8, 1);
		CHECK(dom0(&c, XOT_OP_READ, 8 * i, 8, &out) == XOT_CHAN_MATCHED);
		CHECK(out.sector == 8 * (u64)i);
	}
	CHECK(c.rejected[XOT_WIRE_ESEQ] == 1);
	CHECK(c.next_seq == 40 && c.dropped == 0);
}

/*
 * A retracted record (the frontend takes back its newest record when the
 * blkif ring is full) is not a hole: the number is used again and the
 * request matches its second record.
 */
static void test_retracted_not_hole(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	struct xot_record_wire *w;
	struct guest g;

	start(&g, &c);
	guest_issue(&g, XOT_OP_READ, 0, 8, 1);
	guest_issue(&g, XOT_OP_READ, 8, 8, 1);
	/* take record 1 back */
	w = (struct xot_record_wire *)ring_mem + 1 + 1;
	w->seq = cpu_to_le64(~0ULL);
	((struct xot_ring_header *)ring_mem)->prod = cpu_to_le64(1);
	g.seq = 1;
	CHECK(dom0(&c, XOT_OP_READ, 0, 8, &out) == XOT_CHAN_MATCHED);
	CHECK(dom0(&c, XOT_OP_WRITE, 64, 8, &out) == XOT_CHAN_UNMATCHED);
	guest_issue(&g, XOT_OP_READ, 8, 8, 1);
	CHECK(dom0(&c, XOT_OP_READ, 8, 8, &out) == XOT_CHAN_MATCHED);
	CHECK(c.rejected[XOT_WIRE_ESEQ] == 0 && c.next_seq == 2);
}

/* Random bytes in the ring: bounded work, no crash, state in bounds. */
static void test_garbage(void)
{
	struct xot_chan_consumer c;
	struct xot_record out;
	uint64_t x = 88172645463325252ULL;
	size_t i;
	int n;

	for (i = 0; i < XOT_CHAN_PAGE_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ring_mem[i] = (u8)x;
	}
	xot_chan_consumer_init(&c, ring_pages(ORDER), ORDER);
	for (n = 0; n < 1000; n++) {
		u64 before = c.next_seq;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		dom0(&c, (u8)(x % 5), x >> 20, (u32)(x % 300), &out);
		CHECK(c.next_seq - before <= XOT_CHAN_WINDOW);
		/* random bytes are never a record with the expected seq */
		CHECK(c.matched == 0);
	}
}


/*
 * An honest guest reusing a slot while dom0 copies it: dom0 must never
 * accept a record whose sequence number is the one it expects but whose
 * body (partly) belongs to the record that replaced it. The writer
 * publishes without pause into one slot's worth of records (every field
 * derived from seq), the reader keeps decoding the record the writer is
 * about to overwrite (about a million accepted in 0.3 s), and checks every
 * record it accepts. The race window is a few nanoseconds: on x86 this
 * did not catch the decode that lacked the second read of seq (core/wire.c)
 * in three runs; it is a guard for weakly ordered CPUs and for the rule.
 */
#define TORN_SLOTS	XOT_CHAN_SLOTS(0)

static volatile int torn_stop;

static void torn_fill(struct xot_record *r, u64 seq)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->op = XOT_OP_WRITE;
	r->sector = seq * 8;
	r->nr_sectors = 8 + (u32)(seq % 64);
	r->cgroup_id = seq + 1;
	r->tgid = (u32)(seq % XOT_MAX_TGID);
	r->weight = 1 + (u32)(seq % XOT_WEIGHT_MAX);
	r->ioprio = (u16)(seq % 8);
}

static void *torn_writer(void *arg)
{
	u64 seq = 0;

	(void)arg;
	while (!__atomic_load_n(&torn_stop, __ATOMIC_RELAXED)) {
		struct xot_record r;

		torn_fill(&r, seq++);
		xot_chan_publish(ring_mem, TORN_SLOTS, &r);
	}
	return NULL;
}

static void test_torn_slot_reuse(void)
{
	const struct xot_ring_header *h = (const void *)ring_mem;
	unsigned long accepted = 0, torn = 0, n;
	struct timespec t0, t;
	pthread_t th;

	guest_init(&(struct guest){ 0 }, 0, 0);
	CHECK(pthread_create(&th, NULL, torn_writer, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0;; n++) {
		u64 prod = le64_to_cpu(READ_ONCE(h->prod));
		struct xot_record got, want;
		u64 seq;

		if (!(n & 1023)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			    (t.tv_nsec - t0.tv_nsec) > 300000000L)
				break;
		}
		if (prod < TORN_SLOTS)
			continue;
		/* the oldest record still in the ring: next to be overwritten */
		seq = prod - TORN_SLOTS;
		if (xot_record_decode(ring_mem + XOT_RECORD_SIZE *
				      (1 + (u32)(seq % TORN_SLOTS)), seq, &got))
			continue;
		accepted++;
		torn_fill(&want, seq);
		if (got.sector != want.sector || got.nr_sectors != want.nr_sectors ||
		    got.cgroup_id != want.cgroup_id || got.tgid != want.tgid ||
		    got.weight != want.weight || got.ioprio != want.ioprio)
			torn++;
	}
	__atomic_store_n(&torn_stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	CHECKF(torn == 0, "%lu of %lu accepted records torn", torn, accepted);
}

static const struct unit_test tests[] = {
	{ "layout", test_layout },
	{ "header", test_header },
	{ "in_order", test_in_order },
	{ "two_pages", test_two_pages },
	{ "continuation", test_continuation },
	{ "reorder", test_reorder },
	{ "records_without_requests", test_records_without_requests },
	{ "requests_without_records", test_requests_without_records },
	{ "flush", test_flush },
	{ "window_full_recovers", test_window_full_recovers },
	{ "rejected_counted_once", test_rejected_counted_once },
	{ "skipped_seq", test_skipped_seq },
	{ "retracted_not_hole", test_retracted_not_hole },
	{ "garbage", test_garbage },
	{ "torn_slot_reuse", test_torn_slot_reuse },
};

UNIT_MAIN("channel", tests)
