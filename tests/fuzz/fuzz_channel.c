// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the code dom0 runs on guest-controlled memory:
 * core/channel.c (matching records to blkback's bios) and core/wire.c (the
 * record decoder), exactly as built into xot-blkback.
 *
 * The input is a script of guest and dom0 actions on one ring:
 *   0 publish   the guest publishes a record (fields from the input, so
 *               valid and invalid ones)
 *   1 bio       dom0 sees a bio with op/sector/length from the input
 *   2 honest    dom0 sees the bio of the oldest record still pending
 *   3 scribble  the guest writes bytes anywhere in the ring (header too)
 *   4 remap     dom0 maps the ring anew (consumer re-initialised)
 * Checked after every action: the consumer's bounds (at most
 * XOT_CHAN_WINDOW records skipped per bio, position never backwards), that
 * a matched record is valid and fits the bio, and, while the guest has only
 * published valid records and never scribbled, that an honest bio for a
 * recent record always finds a record with its op and sector.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <xot/channel.h>
#include <xot/sched.h>

unsigned long xot_warnings;

#define ORDER 1
#define RING_BYTES (XOT_CHAN_PAGE_SIZE << ORDER)
#define MAX_PENDING 4096

static _Alignas(64) uint8_t ring[RING_BYTES];

/* dom0's view: the ring's pages one by one */
static const void *const *ring_pages(void)
{
	static const void *pages[1U << ORDER];
	unsigned int i;

	for (i = 0; i < (1U << ORDER); i++)
		pages[i] = ring + i * XOT_CHAN_PAGE_SIZE;
	return pages;
}

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

struct pending {
	uint64_t seq;
	uint64_t sector;
	uint32_t nr;
	uint8_t op;
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_channel: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pending pend[MAX_PENDING];
	struct input in = { data, size };
	struct xot_chan_consumer c;
	unsigned int npend = 0, i;
	uint64_t seq = take(&in, 1) << 8;	/* start anywhere, wrap often */
	int clean = 1;

	xot_chan_ring_init(ring, ORDER, 0);
	((struct xot_ring_header *)ring)->prod = cpu_to_le64(seq);
	xot_chan_consumer_init(&c, ring_pages(), ORDER);

	while (in.n) {
		unsigned int action = take(&in, 1) % 5;
		struct xot_chan_req req;
		struct xot_record r, out;
		struct xot_record_wire w;
		enum xot_chan_result res;
		uint64_t before = c.next_seq;

		switch (action) {
		case 0:
			memset(&r, 0, sizeof(r));
			r.seq = seq++;
			r.op = take(&in, 1) % 6;	/* 5: invalid */
			r.sector = take(&in, 2) * 8;
			r.nr_sectors = take(&in, 1);
			r.cgroup_id = take(&in, 1);
			r.weight = take(&in, 2);
			r.tgid = take(&in, 1);
			r.flags = take(&in, 1) & 0x3f;
			if (r.flags & 1) {
				/* an honest guest's record: valid by construction */
				r.op %= 5;
				r.nr_sectors = r.op == XOT_OP_FLUSH ? 0 : 1 + r.nr_sectors;
				r.cgroup_id += 1;
				r.weight = 1 + r.weight % XOT_WEIGHT_MAX;
				r.flags &= XOT_REC_F_ALL;
			}
			xot_chan_publish(ring, XOT_CHAN_SLOTS(ORDER), &r);
			xot_record_encode(&w, &r);
			if (xot_record_decode(&w, r.seq, &out) != XOT_WIRE_OK)
				clean = 0;	/* the guest published garbage */
			if (npend < MAX_PENDING)
				pend[npend++] = (struct pending){ r.seq, r.sector, r.nr_sectors, r.op };
			else
				clean = 0;
			continue;
		case 1:
			req.op = take(&in, 1) % 5;
			req.sector = take(&in, 2) * 8;
			req.nr_sectors = take(&in, 1);
			break;
		case 2:
			/* the oldest record dom0 has not passed */
			for (i = 0; i < npend && pend[i].seq < c.next_seq; i++)
				;
			if (i == npend)
				continue;
			req.op = pend[i].op;
			req.sector = pend[i].sector;
			req.nr_sectors = pend[i].op == XOT_OP_FLUSH ? 0 : pend[i].nr;
			break;
		case 3:
			i = take(&in, 2) % RING_BYTES;
			ring[i] = take(&in, 1);
			clean = 0;
			continue;
		default:
			xot_chan_consumer_init(&c, ring_pages(), ORDER);
			/* records published before the remap are not expected */
			npend = 0;
			continue;
		}

		res = xot_chan_match(&c, &req, &out);
		if (c.next_seq < before)
			fail("read position went backwards");
		if (c.next_seq - before > XOT_CHAN_WINDOW)
			fail("more than a window skipped for one bio");
		if (res == XOT_CHAN_MATCHED) {
			if (out.op != req.op || out.weight < XOT_WEIGHT_MIN ||
			    out.weight > XOT_WEIGHT_MAX || !out.cgroup_id)
				fail("matched an invalid or foreign record");
			if (out.op != XOT_OP_FLUSH &&
			    (out.sector != req.sector || req.nr_sectors > out.nr_sectors))
				fail("matched a record that does not cover the bio");
		} else if (res == XOT_CHAN_UNMATCHED && action == 2 && clean &&
			   npend && seq - c.next_seq <= XOT_CHAN_REORDER &&
			   !(req.op != XOT_OP_FLUSH && req.nr_sectors == 0)) {
			/*
			 * An honest guest, a recent record: it must match (the
			 * record itself, or an identical one published earlier).
			 */
			fail("an honest request found no record");
		}
	}
	return 0;
}
