// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the XoT wire format (include/xot/wire.h, core/wire.c):
 * layout, encode/decode round trip, and rejection of every out-of-range
 * field a hostile guest could write.
 */
#include <stddef.h>

#include <xot/wire.h>
#include "unit.h"


static struct xot_record good(void)
{
	struct xot_record r = {
		.seq = 41, .sector = 2048, .cgroup_id = 7, .nr_sectors = 8,
		.tgid = 1234, .weight = 800, .ring = 0,
		.ioprio = (2 << 13) | 4, .op = XOT_OP_READ, .flags = XOT_REC_F_SYNC,
	};
	return r;
}

static enum xot_wire_err decode_of(const struct xot_record *r, u64 expect)
{
	struct xot_record_wire w;
	struct xot_record out;

	xot_record_encode(&w, r);
	return xot_record_decode(&w, expect, &out);
}

static void test_layout(void)
{
	/* the offsets are the protocol: docs/PROTOCOL.md lists the same */
	CHECK(sizeof(struct xot_record_wire) == 64);
	CHECK(offsetof(struct xot_record_wire, seq) == 0);
	CHECK(offsetof(struct xot_record_wire, sector) == 8);
	CHECK(offsetof(struct xot_record_wire, cgroup_id) == 16);
	CHECK(offsetof(struct xot_record_wire, nr_sectors) == 24);
	CHECK(offsetof(struct xot_record_wire, tgid) == 28);
	CHECK(offsetof(struct xot_record_wire, weight) == 32);
	CHECK(offsetof(struct xot_record_wire, ring) == 36);
	CHECK(offsetof(struct xot_record_wire, ioprio) == 40);
	CHECK(offsetof(struct xot_record_wire, op) == 42);
	CHECK(offsetof(struct xot_record_wire, flags) == 43);
	CHECK(offsetof(struct xot_record_wire, reserved) == 44);
}

static void test_roundtrip(void)
{
	struct xot_record r = good(), out;
	struct xot_record_wire w;
	const unsigned char *b = (const unsigned char *)&w;

	xot_record_encode(&w, &r);
	/* little-endian on the wire whatever the host */
	CHECK(b[0] == 41 && b[1] == 0);
	CHECK(b[8] == 0x00 && b[9] == 0x08);
	CHECK(xot_record_decode(&w, 41, &out) == XOT_WIRE_OK);
	CHECK(out.seq == r.seq && out.sector == r.sector);
	CHECK(out.cgroup_id == r.cgroup_id && out.nr_sectors == r.nr_sectors);
	CHECK(out.tgid == r.tgid && out.weight == r.weight && out.ring == r.ring);
	CHECK(out.ioprio == r.ioprio && out.op == r.op && out.flags == r.flags);
}

static void test_rejects(void)
{
	struct xot_record r;

	r = good();
	CHECK(decode_of(&r, 42) == XOT_WIRE_ESEQ);
	r = good(); r.op = XOT_OP_MAX + 1;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EOP);
	r = good(); r.op = 255;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EOP);
	r = good(); r.flags = 0x80;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EFLAGS);
	r = good(); r.nr_sectors = 0;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ELEN);
	r = good(); r.nr_sectors = XOT_MAX_SECTORS + 1;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ELEN);
	r = good(); r.nr_sectors = XOT_MAX_SECTORS;
	CHECK(decode_of(&r, 41) == XOT_WIRE_OK);
	/* a discard of a whole (2 TiB) disk is one blkif request */
	r = good(); r.op = XOT_OP_DISCARD; r.nr_sectors = UINT32_MAX;
	CHECK(decode_of(&r, 41) == XOT_WIRE_OK);
	r = good(); r.op = XOT_OP_WRITE_ZEROES; r.nr_sectors = XOT_MAX_SECTORS + 1;
	CHECK(decode_of(&r, 41) == XOT_WIRE_OK);
	r = good(); r.op = XOT_OP_DISCARD; r.nr_sectors = 0;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ELEN);
	r = good(); r.sector = UINT64_MAX - 3;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ELEN);
	r = good(); r.op = XOT_OP_FLUSH; r.nr_sectors = 0;
	CHECK(decode_of(&r, 41) == XOT_WIRE_OK);
	r = good(); r.op = XOT_OP_FLUSH; r.nr_sectors = 8;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ELEN);
	r = good(); r.weight = 0;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EWEIGHT);
	r = good(); r.weight = 10001;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EWEIGHT);
	r = good(); r.weight = 10000;
	CHECK(decode_of(&r, 41) == XOT_WIRE_OK);
	r = good(); r.ioprio = 4 << 13;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EIOPRIO);
	r = good(); r.ioprio = (2 << 13) | 8;
	CHECK(decode_of(&r, 41) == XOT_WIRE_EIOPRIO);
	r = good(); r.cgroup_id = 0;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ECGROUP);
	r = good(); r.tgid = XOT_MAX_TGID + 1;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ETGID);
	r = good(); r.ring = XOT_MAX_RING;
	CHECK(decode_of(&r, 41) == XOT_WIRE_ERING);
}

static void test_reserved_must_be_zero(void)
{
	struct xot_record r = good(), out;
	struct xot_record_wire w;
	size_t i;

	for (i = 0; i < sizeof(w.reserved); i++) {
		xot_record_encode(&w, &r);
		w.reserved[i] = 1;
		CHECK(xot_record_decode(&w, 41, &out) == XOT_WIRE_ERESERVED);
	}
}

static void test_strerror(void)
{
	int e;

	for (e = 0; e < XOT_WIRE_NR_ERRORS; e++)
		CHECK(xot_wire_strerror(e) && strcmp(xot_wire_strerror(e), "unknown"));
	CHECK(!strcmp(xot_wire_strerror(XOT_WIRE_NR_ERRORS), "unknown"));
	CHECK(!strcmp(xot_wire_strerror(-1), "unknown"));
}

static void test_every_byte_flip(void)
{
	/*
	 * Flipping any single byte of a valid record gives either a valid record
	 * or a clean rejection, never anything the decoder did not check.
	 */
	struct xot_record r = good(), out;
	struct xot_record_wire w;
	unsigned char *b = (unsigned char *)&w;
	size_t i;
	int v, ok = 0, rejected = 0;

	for (i = 0; i < sizeof(w); i++) {
		for (v = 0; v < 256; v++) {
			enum xot_wire_err e;

			xot_record_encode(&w, &r);
			b[i] = (unsigned char)v;
			e = xot_record_decode(&w, 41, &out);
			if (e == XOT_WIRE_OK) {
				ok++;
				CHECK(out.weight >= 1 && out.weight <= 10000);
				CHECK(out.op <= XOT_OP_MAX);
			} else {
				rejected++;
				CHECK(e > 0 && e < XOT_WIRE_NR_ERRORS);
			}
		}
	}
	CHECK(ok > 0 && rejected > 0);
}

static const struct unit_test tests[] = {
	{ "layout", test_layout },
	{ "roundtrip", test_roundtrip },
	{ "rejects", test_rejects },
	{ "reserved_must_be_zero", test_reserved_must_be_zero },
	{ "strerror", test_strerror },
	{ "every_byte_flip", test_every_byte_flip },
};

UNIT_MAIN("wire", tests)
