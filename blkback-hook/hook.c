// SPDX-License-Identifier: GPL-2.0
/*
 * xot-blkback: the dom0 side of XoT, beside stock xen-blkback.
 *
 * xen-blkback submits every guest request from a per-ring kernel thread
 * (running xen_blkif_schedule, with the ring as its kthread data) in dom0's
 * cgroups: the guest's identity is lost there. This module
 *
 *  - maps the XoT record rings guests offer (vbd.c),
 *  - watches the block_bio_queue tracepoint: for a bio that a blkback
 *    thread submits to its vbd's own device, it finds the guest's record
 *    (core/channel.c: copied once, validated) and keeps, per blkif ring,
 *    the origin of the request being submitted: VM, VM weight, and the
 *    guest cgroup, weight, process and ioprio from the record;
 *  - answers the xot elevator's question "where does the request current
 *    is submitting come from" (include/xot/origin.h) with that origin. The
 *    elevator asks in the same thread, just after, also for the clones that
 *    dm-linear submits below a VM's logical volume.
 *
 * A request without a valid record is still served: its origin names the
 * VM only. Nothing here writes to guest memory or to blkback's state.
 *
 * Statistics: /sys/kernel/debug/xot-blkback/{domains,vbds}
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/sched.h>
#include <linux/kthread.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>
#include <linux/percpu.h>

#include <xen-blkback/common.h>

#include "compat.h"

#include <xot/blk.h>
#include <xot/ktracepoint.h>
#include <xot/sched.h>
#include "hook.h"

/* Xen domain ids go up to 0x7fef; guests on one host are far fewer. */
#define XOT_HOOK_MAX_DOMID	1024

/*
 * bios and sectors per domain, per CPU: counted on every bio blkback
 * submits, where a shared atomic would bounce a cache line between the
 * rings' threads (16 KiB per CPU, allocated at load).
 */
struct xot_dom_stats {
	struct {
		u64 bios;
		u64 sectors;
	} d[XOT_HOOK_MAX_DOMID];
};

static struct xot_dom_stats __percpu *dom_stats;
static atomic64_t other_domid_bios;	/* domid beyond the table */
static atomic64_t unknown_vbd_bios;	/* vbd not (yet) discovered */
static struct tracepoint *tp_bio_queue;
static struct dentry *debug_dir;

/*
 * Diagnostics: one domain whose I/O this module leaves alone, as if it were
 * not loaded: not counted, no record matched, no origin for the elevator
 * (its requests are the blkback thread's own, as without XoT). The Xen
 * overhead benchmark's dom0 split toggle (tests/xen/overhead) sets it to
 * each domU in turn, so that both modes meet the host at the same moments.
 * What it cannot leave out is the tracepoint call and the check itself.
 */
static int ignore_domid = -1;
module_param(ignore_domid, int, 0644);
MODULE_PARM_DESC(ignore_domid, "diagnostics: treat this domain as if xot-blkback were not loaded (-1: none)");

static bool domain_ignored(const struct xen_blkif *blkif)
{
	return (int)blkif->domid == READ_ONCE(ignore_domid);
}

/* The blkback ring current serves, or NULL if current is not blkback's. */
static struct xen_blkif_ring *current_blkif_ring(void)
{
	unsigned long fn = hook_blkif_schedule();

	if (!fn || !(current->flags & PF_KTHREAD) ||
	    (unsigned long)kthread_func(current) != fn)
		return NULL;
	return kthread_data(current);
}

static void origin_from_record(struct xot_origin *o, const struct xot_record *r)
{
	o->cgroup_id = r->cgroup_id;
	o->weight = r->weight;
	o->tgid = r->tgid;
	o->ioprio = r->ioprio;
	o->flags = XOT_ORIGIN_F_RECORD;
}

/*
 * A preflush write to a bio-based device: dm (6.1: dm_split_and_process_bio()
 * and dm_io_complete()) sends the empty flush down now, from this thread,
 * and resubmits the data without REQ_PREFLUSH from its kdmflush worker
 * once the flush is done. There the elevator sees dom0's own I/O, so the
 * data is charged to the VM with the flush (include/xot/origin.h). A
 * blk-mq device takes the write whole: nothing is deferred.
 */
static u32 deferred_data_sectors(struct bio *bio)
{
	if (!(bio->bi_opf & REQ_PREFLUSH) || !bio_sectors(bio) ||
	    queue_is_mq(bdev_get_queue(bio->bi_bdev)))
		return 0;
	return bio_sectors(bio);
}

static void probe_bio_queue(void *ignore, struct bio *bio)
{
	struct xen_blkif_ring *ring = current_blkif_ring();
	struct xen_blkif *blkif;
	struct xot_chan_req req;
	struct xot_record rec;
	struct hook_thread *t;
	struct hook_chan *c;
	struct hook_vbd *v;
	unsigned int r;

	if (!ring)
		return;
	blkif = ring->blkif;
	if (domain_ignored(blkif))
		return;
	/* a dm clone below the vbd's device keeps the origin of its parent */
	if (bio->bi_bdev != xot_vbd_bdev(blkif))
		return;
	r = ring - blkif->rings;
	if (blkif->domid < XOT_HOOK_MAX_DOMID) {
		this_cpu_inc(dom_stats->d[blkif->domid].bios);
		this_cpu_add(dom_stats->d[blkif->domid].sectors, bio_sectors(bio));
	} else {
		atomic64_inc(&other_domid_bios);
	}

	rcu_read_lock();
	v = hook_vbd_of_handle(blkif->domid, blkif->vbd.handle);
	if (!v || r >= XOT_MAX_RING) {
		atomic64_inc(&unknown_vbd_bios);
		goto out;
	}
	t = &v->threads[r];
	t->bios++;
	t->origin.domid = blkif->domid;
	t->origin.vm_weight = READ_ONCE(v->vm_weight);
	t->origin.flags = 0;
	t->origin.deferred_sectors = deferred_data_sectors(bio);
	c = rcu_dereference(v->chan);
	/* the same op as the guest's record (include/xot/blk.h), or none */
	if (!c || r >= c->nr_rings || READ_ONCE(v->handle_clash) ||
	    !xot_op_of_blk(bio_op(bio), bio_sectors(bio), &req.op))
		goto out;
	req.nr_sectors = bio_sectors(bio);
	/* the tracepoint sees whole-disk sectors; the guest, its partition's */
	req.sector = req.nr_sectors ? bio->bi_iter.bi_sector - bio->bi_bdev->bd_start_sect : 0;
	if (xot_chan_match(&c->rings[r].cons, &req, &rec) != XOT_CHAN_UNMATCHED)
		origin_from_record(&t->origin, &rec);
out:
	rcu_read_unlock();
}

/* The elevator asks, in the blkback thread, just after the probe ran. */
static bool hook_current_origin(struct xot_origin *o)
{
	struct xen_blkif_ring *ring = current_blkif_ring();
	struct xen_blkif *blkif;
	struct hook_vbd *v;
	unsigned int r;

	if (!ring)
		return false;
	blkif = ring->blkif;
	if (domain_ignored(blkif))
		return false;
	r = ring - blkif->rings;
	memset(o, 0, sizeof(*o));
	o->domid = blkif->domid;
	o->vm_weight = XOT_WEIGHT_DEFAULT;
	rcu_read_lock();
	v = hook_vbd_of_handle(blkif->domid, blkif->vbd.handle);
	if (v && r < XOT_MAX_RING)
		*o = v->threads[r].origin;
	rcu_read_unlock();
	return true;
}

static const struct xot_origin_ops hook_origin_ops = {
	.owner = THIS_MODULE,
	.current_origin = hook_current_origin,
};

static int domains_show(struct seq_file *m, void *v)
{
	int d, cpu;

	seq_puts(m, "domid bios sectors\n");
	for (d = 0; d < XOT_HOOK_MAX_DOMID; d++) {
		u64 bios = 0, sectors = 0;

		for_each_possible_cpu(cpu) {
			const struct xot_dom_stats *st = per_cpu_ptr(dom_stats, cpu);

			bios += READ_ONCE(st->d[d].bios);
			sectors += READ_ONCE(st->d[d].sectors);
		}
		if (bios)
			seq_printf(m, "%d %llu %llu\n", d, bios, sectors);
	}
	seq_printf(m, "other %lld\n", atomic64_read(&other_domid_bios));
	seq_printf(m, "unknown_vbd %lld\n", atomic64_read(&unknown_vbd_bios));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int vbds_show(struct seq_file *m, void *v)
{
	hook_vbd_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vbds);

static int __init xot_blkback_init(void)
{
	int ret;

	dom_stats = alloc_percpu(struct xot_dom_stats);
	if (!dom_stats)
		return -ENOMEM;
	ret = hook_vbd_start();
	if (ret) {
		pr_err("xot-blkback: not dom0 or no xenstore (%d)\n", ret);
		free_percpu(dom_stats);
		return ret;
	}
	tp_bio_queue = xot_tp_attach("xot-blkback", "block_bio_queue", probe_bio_queue);
	if (IS_ERR(tp_bio_queue)) {
		ret = PTR_ERR(tp_bio_queue);
		goto err_vbd;
	}
	ret = xot_origin_register(&hook_origin_ops);
	if (ret) {
		pr_err("xot-blkback: another origin provider is registered\n");
		goto err_tp;
	}
	debug_dir = debugfs_create_dir("xot-blkback", NULL);
	debugfs_create_file("domains", 0400, debug_dir, NULL, &domains_fops);
	debugfs_create_file("vbds", 0400, debug_dir, NULL, &vbds_fops);
	pr_info("xot-blkback: watching xen-blkback, offering XoT v%u\n", XOT_WIRE_VERSION);
	return 0;

err_tp:
	xot_tp_detach(tp_bio_queue, probe_bio_queue);
err_vbd:
	hook_vbd_stop();
	free_percpu(dom_stats);
	return ret;
}

static void __exit xot_blkback_exit(void)
{
	debugfs_remove_recursive(debug_dir);
	/* no elevator asks us any more, then no probe runs */
	xot_origin_unregister(&hook_origin_ops);
	xot_tp_detach(tp_bio_queue, probe_bio_queue);
	/* only then unmap the rings */
	hook_vbd_stop();
	hook_vm_weights_free();
	free_percpu(dom_stats);
}

module_init(xot_blkback_init);
module_exit(xot_blkback_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XoT dom0 hook: guest request identity beside xen-blkback");
/* modprobe loads the driver whose threads we watch first (works without) */
MODULE_SOFTDEP("pre: xen-blkback");
