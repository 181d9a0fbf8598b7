// SPDX-License-Identifier: GPL-2.0
/*
 * XoT wire format: decoding and validation of records read from a guest.
 *
 * Everything here treats its input as hostile. The record is copied out of
 * shared memory exactly once, then only the private copy is examined, so a
 * guest rewriting the page concurrently cannot make a checked field change
 * after its check (no double fetch). Compiled unchanged into the dom0 hook
 * and into the userspace tests and fuzzers.
 */
#include <xot/wire.h>
#include <xot/sched.h>

static const char *const wire_err_names[XOT_WIRE_NR_ERRORS] = {
	[XOT_WIRE_OK] = "ok",
	[XOT_WIRE_ESEQ] = "sequence",
	[XOT_WIRE_EOP] = "op",
	[XOT_WIRE_EFLAGS] = "flags",
	[XOT_WIRE_ELEN] = "length",
	[XOT_WIRE_EWEIGHT] = "weight",
	[XOT_WIRE_EIOPRIO] = "ioprio",
	[XOT_WIRE_ECGROUP] = "cgroup",
	[XOT_WIRE_ETGID] = "tgid",
	[XOT_WIRE_ERING] = "ring",
	[XOT_WIRE_ERESERVED] = "reserved",
};

const char *xot_wire_strerror(enum xot_wire_err err)
{
	if ((unsigned int)err >= XOT_WIRE_NR_ERRORS)
		return "unknown";
	return wire_err_names[err];
}

static enum xot_wire_err check_length(u8 op, u32 nr_sectors)
{
	if (op == XOT_OP_FLUSH)
		return nr_sectors == 0 ? XOT_WIRE_OK : XOT_WIRE_ELEN;
	if (nr_sectors == 0)
		return XOT_WIRE_ELEN;
	if ((op == XOT_OP_READ || op == XOT_OP_WRITE) && nr_sectors > XOT_MAX_SECTORS)
		return XOT_WIRE_ELEN;
	return XOT_WIRE_OK;
}

enum xot_wire_err xot_record_decode(const void *shared, u64 expect_seq,
				    struct xot_record *out)
{
	const struct xot_record_wire *slot = shared;
	struct xot_record_wire w;
	enum xot_wire_err err;
	unsigned int i;

	/*
	 * The guest writes a slot as a seqcount writer would: seq = ~0, write
	 * barrier, body, write barrier, seq (xot_chan_publish()). Read it as
	 * the reader: seq, read barrier, the body (the one and only copy of
	 * it), read barrier, seq again. A body copied while the slot was
	 * being reused for a newer record then never passes for the expected
	 * one, even on a CPU that reorders loads: an honest guest's request is
	 * never charged to another record's cgroup.
	 */
	out->seq = le64_to_cpu(READ_ONCE(slot->seq));
	if (out->seq != expect_seq)
		return XOT_WIRE_ESEQ;
	xot_rmb();
	memcpy(&w, shared, sizeof(w));
	xot_rmb();
	if (le64_to_cpu(READ_ONCE(slot->seq)) != expect_seq)
		return XOT_WIRE_ESEQ;
	out->op = w.op;
	if (out->op > XOT_OP_MAX)
		return XOT_WIRE_EOP;
	out->flags = w.flags;
	if (out->flags & ~XOT_REC_F_ALL)
		return XOT_WIRE_EFLAGS;
	out->sector = le64_to_cpu(w.sector);
	out->nr_sectors = le32_to_cpu(w.nr_sectors);
	err = check_length(out->op, out->nr_sectors);
	if (err)
		return err;
	/* a sector range that wraps is no range at all */
	if (out->sector + out->nr_sectors < out->sector)
		return XOT_WIRE_ELEN;
	out->weight = le32_to_cpu(w.weight);
	if (out->weight < XOT_WEIGHT_MIN || out->weight > XOT_WEIGHT_MAX)
		return XOT_WIRE_EWEIGHT;
	out->ioprio = le16_to_cpu(w.ioprio);
	if (XOT_IOPRIO_CLASS(out->ioprio) > XOT_IOPRIO_CLASS_MAX ||
	    XOT_IOPRIO_LEVEL(out->ioprio) > XOT_IOPRIO_LEVEL_MAX)
		return XOT_WIRE_EIOPRIO;
	out->cgroup_id = le64_to_cpu(w.cgroup_id);
	if (out->cgroup_id == 0)
		return XOT_WIRE_ECGROUP;
	out->tgid = le32_to_cpu(w.tgid);
	if (out->tgid > XOT_MAX_TGID)
		return XOT_WIRE_ETGID;
	out->ring = le32_to_cpu(w.ring);
	if (out->ring >= XOT_MAX_RING)
		return XOT_WIRE_ERING;
	for (i = 0; i < sizeof(w.reserved); i++)
		if (w.reserved[i])
			return XOT_WIRE_ERESERVED;
	return XOT_WIRE_OK;
}
