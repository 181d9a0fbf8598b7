// SPDX-License-Identifier: GPL-2.0
/*
 * xot-tagger: the guest side of XoT, beside stock xen-blkfront.
 *
 * For every request blkfront issues on a Xen virtual disk, this module
 * publishes one XoT record (include/xot/wire.h: op, sector, length, the
 * guest cgroup and its io.xot.weight, the issuing process, ioprio) into the
 * XoT ring of the request's blkif ring, before blkfront puts the request on
 * that ring: blkfront calls blk_mq_start_request(), hence the tracepoint
 * block_rq_issue, in its queue_rq before it builds the ring request. dom0's
 * xot-blkback reads the record when blkback takes the request from the
 * blkif ring (the channel and its rules: include/xot/channel.h).
 *
 * Tracepoints (none of them exported; found by name, see ktracepoint.h):
 *   block_bio_queue, block_split  the submitting process of each bio (tgid.c)
 *   block_rq_issue                publish the request's record
 *   block_rq_requeue              blkfront gave the request back (ring
 *                                 full): retract its record
 *   block_rq_complete, block_bio_complete  forget the bios' processes
 *
 * The channel (xenstore, grants, reconnects): vbd.c.
 * debugfs: /sys/kernel/debug/xot-tagger/{stats,vbds,records}.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/blk-cgroup.h>
#include <linux/cgroup.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <xen/xen.h>

#include <xot/blk.h>
#include <xot/ktracepoint.h>
#include <xot/origin.h>
#include <xot/sched.h>
#include "tagger.h"

/*
 * Per-CPU counts of every bio on a Xen virtual disk: the probes run on
 * every bio, and a shared atomic there costs a cache line bounce per bio
 * (and, under QEMU's TCG, an emulated locked instruction).
 */
struct xvd_counts {
	u64 bios;
	u64 sectors;
	u64 sync_bios;
};

static DEFINE_PER_CPU(struct xvd_counts, xvd_counts);
static atomic64_t unknown_vbd_requests;	/* xvd disk of no vbd we know */
static struct dentry *debug_dir;

/* every vbd of the guest: RCU for the probes, xot_vbd_mutex for changes */
LIST_HEAD(xot_vbds);
/* serialises reconcile, teardown and debugfs readers */
DEFINE_MUTEX(xot_vbd_mutex);

static bool is_xvd_bio(const struct bio *bio)
{
	return bio->bi_bdev && bio->bi_bdev->bd_disk->major == XOT_XENVBD_MAJOR;
}

/* Remember who submits @bio: sync I/O of a user task only. */
static void note_submitter(const struct bio *bio)
{
	if (op_is_sync(bio->bi_opf) && !(current->flags & PF_KTHREAD))
		xot_tgid_remember(bio, task_tgid_nr(current));
	else
		xot_tgid_forget(bio);	/* a stale entry of a reused address */
}

static void probe_bio_queue(void *ignore, struct bio *bio)
{
	if (!is_xvd_bio(bio))
		return;
	this_cpu_inc(xvd_counts.bios);
	this_cpu_add(xvd_counts.sectors, bio_sectors(bio));
	if (op_is_sync(bio->bi_opf))
		this_cpu_inc(xvd_counts.sync_bios);
	note_submitter(bio);
}

/* blk-mq split @bio off a larger one, still in the submitter's context */
static void probe_split(void *ignore, struct bio *bio, unsigned int new_sector)
{
	if (is_xvd_bio(bio))
		note_submitter(bio);
}

static void probe_bio_complete(void *ignore, struct request_queue *q,
			       struct bio *bio)
{
	if (is_xvd_bio(bio))
		xot_tgid_forget(bio);
}

/* The vbd whose xenbus device is @rq's disk's parent. Under RCU. */
static struct xot_vbd *rq_vbd(struct request *rq)
{
	struct gendisk *disk = rq->q->disk;
	struct device *parent;
	struct xot_vbd *vbd;

	if (!disk || disk->major != XOT_XENVBD_MAJOR)
		return NULL;
	parent = disk_to_dev(disk)->parent;
	list_for_each_entry_rcu(vbd, &xot_vbds, node)
		if (parent && READ_ONCE(vbd->dev) == parent)
			return vbd;
	atomic64_inc(&unknown_vbd_requests);
	return NULL;
}

/* Everything of @rq's record but seq. False: no record for this op. */
static bool rq_record(struct request *rq, struct xot_record *r)
{
	struct bio *bio = rq->bio;
	blk_opf_t opf = rq->cmd_flags;
	u16 prio;

	memset(r, 0, sizeof(*r));
	/* dom0 maps blkback's bio with the same function (include/xot/blk.h) */
	if (!xot_op_of_blk(req_op(rq), blk_rq_sectors(rq), &r->op))
		return false;
	r->ring = rq->mq_hctx->queue_num;
	if (r->op != XOT_OP_FLUSH) {
		r->sector = blk_rq_pos(rq);
		r->nr_sectors = blk_rq_sectors(rq);
	}
	if (op_is_sync(opf))
		r->flags |= XOT_REC_F_SYNC;
	else if (r->op == XOT_OP_WRITE)
		r->flags |= XOT_REC_F_WRITEBACK;
	if (opf & REQ_META)
		r->flags |= XOT_REC_F_META;
	if (opf & REQ_FUA)
		r->flags |= XOT_REC_F_FUA;
	if (opf & REQ_PREFLUSH)
		r->flags |= XOT_REC_F_PREFLUSH;

	/* a flush of blk-mq's flush machinery has no bio: the root cgroup */
	r->cgroup_id = 1;
	r->weight = XOT_WEIGHT_DEFAULT;
	if (bio && bio->bi_blkg) {
		struct cgroup_subsys_state *css = bio_blkcg_css(bio);

		if (css && css->cgroup)
			r->cgroup_id = cgroup_id(css->cgroup);
		r->weight = clamp_t(u32, xot_blkg_weight(bio->bi_blkg),
				    XOT_WEIGHT_MIN, XOT_WEIGHT_MAX);
	}
	if (!r->cgroup_id)
		r->cgroup_id = 1;
	r->tgid = bio ? xot_tgid_lookup(bio) : 0;
	if (r->tgid >= XOT_MAX_TGID)
		r->tgid = 0;

	prio = req_get_ioprio(rq);
	if (XOT_IOPRIO_CLASS(prio) <= XOT_IOPRIO_CLASS_MAX &&
	    XOT_IOPRIO_LEVEL(prio) <= XOT_IOPRIO_LEVEL_MAX)
		r->ioprio = prio;
	return true;
}

static void probe_rq_issue(void *ignore, struct request *rq)
{
	struct xot_record r;
	struct xot_vbd *vbd;
	struct xot_chan *chan;
	struct xot_tring *ring;
	unsigned long flags;

	rcu_read_lock();
	vbd = rq_vbd(rq);
	if (!vbd)
		goto out;
	atomic64_inc(&vbd->requests);
	chan = rcu_dereference(vbd->chan);
	if (!chan || rq->mq_hctx->queue_num >= chan->nr_rings) {
		atomic64_inc(&vbd->dropped);
		goto out;
	}
	if (!rq_record(rq, &r)) {
		atomic64_inc(&vbd->unsupported);
		goto out;
	}
	ring = &chan->ring[r.ring];
	spin_lock_irqsave(&ring->lock, flags);
	r.seq = ring->seq++;
	xot_tagger_publish(ring, &r);
	ring->last_rq = rq;
	ring->published++;
	spin_unlock_irqrestore(&ring->lock, flags);
out:
	rcu_read_unlock();
}

/*
 * blkfront calls blk_mq_start_request() before it knows that the blkif
 * ring has room; when it has not, it gives the request back to blk-mq
 * (BLK_STS_DEV_RESOURCE, traced as a requeue) and the request is issued,
 * and recorded, again later. Its first record never reaches dom0 with a
 * request: take it back if it is still the ring's latest record (the
 * usual case: nothing else was issued on that blkif ring in between), so
 * that dom0 sees one record per blkif request. Otherwise it stays, and dom0
 * drops it as unmatched (it matches the same request's second record first
 * or later, as both are identical).
 */
static void probe_rq_requeue(void *ignore, struct request *rq)
{
	struct xot_vbd *vbd;
	struct xot_chan *chan;
	struct xot_tring *ring;
	struct xot_record_wire *slot;
	unsigned long flags;
	u32 idx;

	rcu_read_lock();
	vbd = rq_vbd(rq);
	if (!vbd)
		goto out;
	atomic64_inc(&vbd->requeued);
	chan = rcu_dereference(vbd->chan);
	idx = rq->mq_hctx->queue_num;
	if (!chan || idx >= chan->nr_rings)
		goto out;
	ring = &chan->ring[idx];
	spin_lock_irqsave(&ring->lock, flags);
	if (ring->last_rq == rq && ring->seq) {
		ring->seq--;
		slot = (struct xot_record_wire *)ring->base + 1 +
		       (u32)(ring->seq % ring->nr_slots);
		WRITE_ONCE(slot->seq, cpu_to_le64(~0ULL));
		xot_wmb();
		WRITE_ONCE(((struct xot_ring_header *)ring->base)->prod,
			   cpu_to_le64(ring->seq));
		ring->last_rq = NULL;
		ring->published--;
		ring->retracted++;
	} else {
		atomic64_inc(&vbd->stray);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
out:
	rcu_read_unlock();
}

static void probe_rq_complete(void *ignore, struct request *rq,
			      blk_status_t error, unsigned int nr_bytes)
{
	struct bio *bio;

	if (!rq->q->disk || rq->q->disk->major != XOT_XENVBD_MAJOR)
		return;
	__rq_for_each_bio(bio, rq)
		xot_tgid_forget(bio);
}

static struct xot_probe {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} probes[] = {
	/* the forgetting ones first: no entry outlives its bio */
	{ "block_rq_complete", probe_rq_complete },
	{ "block_bio_complete", probe_bio_complete },
	{ "block_split", probe_split },
	{ "block_bio_queue", probe_bio_queue },
	{ "block_rq_requeue", probe_rq_requeue },
	{ "block_rq_issue", probe_rq_issue },
};

static void detach_probes(void)
{
	int i;

	for (i = ARRAY_SIZE(probes) - 1; i >= 0; i--) {
		if (probes[i].tp)
			tracepoint_probe_unregister(probes[i].tp, probes[i].probe, NULL);
		probes[i].tp = NULL;
	}
	/* no probe is running anywhere once this returns */
	tracepoint_synchronize_unregister();
}

static int attach_probes(void)
{
	struct tracepoint *tp;
	int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		tp = xot_tp_attach(XOT_TAGGER, probes[i].name, probes[i].probe);
		if (IS_ERR(tp)) {
			detach_probes();
			return PTR_ERR(tp);
		}
		probes[i].tp = tp;
	}
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	struct xvd_counts sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct xvd_counts *c = per_cpu_ptr(&xvd_counts, cpu);

		sum.bios += READ_ONCE(c->bios);
		sum.sectors += READ_ONCE(c->sectors);
		sum.sync_bios += READ_ONCE(c->sync_bios);
	}
	seq_printf(m, "xvd_bios %llu\nxvd_sectors %llu\nxvd_sync_bios %llu\n",
		   sum.bios, sum.sectors, sum.sync_bios);
	seq_printf(m, "unknown_vbd_requests %lld\n",
		   atomic64_read(&unknown_vbd_requests));
	xot_tgid_show(m);
	xot_hostile_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int vbds_show(struct seq_file *m, void *v)
{
	xot_vbd_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vbds);

static int records_show(struct seq_file *m, void *v)
{
	xot_vbd_show_records(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(records);

static int __init xot_tagger_init(void)
{
	int err;

	err = xot_tgid_init();
	if (err)
		return err;
	if (xen_domain()) {
		err = xot_vbd_init();
		if (err)
			goto err_tgid;
	}
	err = xot_hostile_init();
	if (err)
		goto err_vbd;
	err = attach_probes();
	if (err)
		goto err_hostile;
	debug_dir = debugfs_create_dir(XOT_TAGGER, NULL);
	debugfs_create_file("stats", 0400, debug_dir, NULL, &stats_fops);
	debugfs_create_file("vbds", 0400, debug_dir, NULL, &vbds_fops);
	debugfs_create_file("records", 0400, debug_dir, NULL, &records_fops);
	return 0;

err_hostile:
	xot_hostile_exit();
err_vbd:
	if (xen_domain())
		xot_vbd_exit();
err_tgid:
	xot_tgid_exit();
	return err;
}

static void __exit xot_tagger_exit(void)
{
	debugfs_remove_recursive(debug_dir);
	/* stop recording first: then the channels go, with I/O still running */
	detach_probes();
	xot_hostile_exit();
	if (xen_domain())
		xot_vbd_exit();
	xot_tgid_exit();
}

module_init(xot_tagger_init);
module_exit(xot_tagger_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
#ifdef XOT_HOSTILE
MODULE_DESCRIPTION("XoT hostile guest: TEST ONLY, publishes lying and broken XoT records to attack dom0; never for production");
#else
MODULE_DESCRIPTION("XoT guest tagger: per-request identity beside xen-blkfront");
#endif
