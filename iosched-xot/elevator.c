// SPDX-License-Identifier: GPL-2.0
/*
 * xot: the XoT blk-mq I/O scheduler.
 *
 * Requests are queued per scheduling entity and served in the order the
 * portable core (core/sched.c) decides: hierarchical weighted fair queueing
 * by virtual time. This file is the blk-mq side: it owns the lock, maps
 * requests to queues, keeps the merge structures the block layer expects
 * (back-merge hash, per-direction sector trees for front merges), and serves
 * at-head inserts and requeues before anything else.
 *
 * The whole queue is scheduled as one (QUEUE_FLAG_SQ_SCHED): with several
 * hardware queues the fairness decision is still global.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <trace/events/block.h>

#include <block/elevator.h>
#include <block/blk.h>
#include <block/blk-mq.h>
#include <block/blk-mq-debugfs.h>
#include <block/blk-mq-sched.h>

#include <xot/sched.h>
#include <xot/slots.h>
#include <xot/cost.h>
#include <xot/origin.h>
#include <xot/ktracepoint.h>
#include "xot.h"

/*
 * Per-request elevator data, set when the request is inserted:
 *   elv.priv[0]  the queue it was inserted into (NULL: never inserted)
 *   elv.priv[1]  its group, with XOT_RQ_INFLIGHT set while it counts in
 *                xd->inflight (from dispatch to completion or requeue) and
 *                XOT_RQ_HELD while it counts in its groups' held counts
 *                (inserted while tag_shares was on, until it finishes) and
 *                XOT_RQ_QUEUED while it waits in its queue (and in the
 *                sector tree and the merge hash)
 * Before insertion, prepare_request keeps the issuing tgid (or, for a
 * request from a Xen guest, a copy of its origin, with bit 1 meaning
 * XOT_RQ_ORIGIN then) in priv[1]: see xot.h.
 */
#define XOT_RQ_INFLIGHT		1UL
#define XOT_RQ_HELD		2UL
#define XOT_RQ_QUEUED		4UL
#define XOT_RQ_FLAGS		(XOT_RQ_INFLIGHT | XOT_RQ_HELD | XOT_RQ_QUEUED)
/* the flags live in the low bits of a struct xot_grp pointer */
static_assert(__alignof__(struct xot_grp) > XOT_RQ_FLAGS);
#define RQ_QUEUE(rq)		((struct xot_queue *)(rq)->elv.priv[0])
#define RQ_GRP(rq)		((struct xot_grp *)((unsigned long)(rq)->elv.priv[1] & \
						    ~XOT_RQ_FLAGS))
/* before insertion (xot.h): the tgid, or an origin copy */
#define RQ_TGID(rq)		((u32)((unsigned long)(rq)->elv.priv[1] >> XOT_RQ_TGID_SHIFT))
#define RQ_FLAG(rq, f)		((unsigned long)(rq)->elv.priv[1] & (f))
#define RQ_SET_FLAG(rq, f)	\
	((rq)->elv.priv[1] = (void *)((unsigned long)(rq)->elv.priv[1] | (f)))
#define RQ_CLEAR_FLAG(rq, f)	\
	((rq)->elv.priv[1] = (void *)((unsigned long)(rq)->elv.priv[1] & ~(f)))

static struct elevator_type xot_iosched;
static struct tracepoint *xot_getrq_tp;

/* idle credit of a returning queue or cgroup (tunable idle_credit) */
#define XOT_IDLE_CREDIT_DEFAULT	32
/* longest wait for a synchronous queue that ran dry (tunable slice_idle_us) */
#define XOT_SLICE_IDLE_US_DEFAULT	0
/* longest wait for a sibling in its turnaround (tunable slot_hold_us) */
#define XOT_SLOT_HOLD_US_DEFAULT	4000

struct kmem_cache *xot_queue_cache;

static struct xot_data *xot_data_of(struct request_queue *q)
{
	return q->elevator->elevator_data;
}

static u64 xot_rq_cost(struct request *rq)
{
	return xot_cost_of_sectors(blk_rq_sectors(rq));
}

/*
 * I/O priority to process weight: best effort level 4 (the default) is 100;
 * each level up or down moves by 25 (level 0: 200, level 7: 25). Real-time
 * levels weigh four times their best-effort twin (400 at level 4), idle 10.
 * Weights are proportional, never strict priority: idle I/O still advances.
 */
u32 xot_ioprio_weight(u16 ioprio)
{
	unsigned int level = IOPRIO_PRIO_LEVEL(ioprio);

	if (level > 7)
		level = 7;
	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		return 100 * (8 - level);
	case IOPRIO_CLASS_IDLE:
		return 10;
	case IOPRIO_CLASS_BE:
		return 25 * (8 - level);
	default:
		return XOT_WEIGHT_DEFAULT;
	}
}

void xot_queue_init(struct xot_queue *xq, struct xot_grp *grp, u32 tgid, u32 weight)
{
	xot_entity_init(&xq->entity, &grp->group, weight);
	INIT_LIST_HEAD(&xq->fifo);
	INIT_LIST_HEAD(&xq->idle);
	RB_CLEAR_NODE(&xq->node);
	xq->nr_queued = 0;
	atomic_set(&xq->refs, 0);
	xq->tgid = tgid;
	xq->grp = grp;
	xq->done_ns = 0;
	xq->ttime_ns = 0;
	xq->ttime_samples = 0;
	xq->dispatched = 0;	/* a reused queue counts for its new process */
}

/*
 * The group I/O is charged to: its bio's cgroup on this device, linked
 * into the tree with its current weight (blkcg.c: "Locking").
 */
static struct xot_grp *xot_bio_grp(struct xot_data *xd, struct bio *bio)
{
	struct blkcg_gq *blkg = bio ? bio->bi_blkg : NULL;
	struct xot_grp *grp = NULL;

	if (blkg && blkg->q == xd->q)
		grp = blkg_to_grp(blkg);
	return xot_grp_use(xd, grp ? grp : xd->root_grp);
}

/*
 * Where @grp's process queues wait while empty, least recently emptied
 * first: a guest cgroup's in its VM's list, since max_queues bounds the
 * queues of a whole VM and the VM at its bound reuses the oldest of any of
 * its guest cgroups.
 */
static struct list_head *xot_idle_queues(struct xot_grp *grp)
{
	return grp->level == XOT_LEVEL_GUEST_CGROUP ? &grp->vparent->idle_queues :
						      &grp->idle_queues;
}

/* idle queues looked at per reuse: the list head is nearly always free */
#define XOT_RECLAIM_TRIES	4

/*
 * Reuse the least recently idle queue nobody refers to, for @grp: keeps
 * per-group (per-VM) memory bounded when processes come and go. A queue
 * still referred to (its last requests in the device) goes to the back
 * of the list, so that each call looks at a few queues, never the list.
 * The queue's group may still wait for it to take its device slots back
 * (slot shares, core/slots.c): it will not, so the group stops waiting
 * before xot_queue_init() wipes the queue's record of that wait.
 */
static struct xot_queue *xot_reclaim_queue(struct xot_grp *grp)
{
	struct list_head *idle = xot_idle_queues(grp);
	struct xot_queue *xq;
	int i;

	lockdep_assert_held(&grp->xd->lock);
	for (i = 0; i < XOT_RECLAIM_TRIES && !list_empty(idle); i++) {
		xq = list_first_entry(idle, struct xot_queue, idle);
		if (atomic_read(&xq->refs)) {
			list_move_tail(&xq->idle, idle);
			continue;
		}
		list_del_init(&xq->idle);
		rb_erase(&xq->node, &xq->grp->queues);
		xot_slots_forget(&xq->entity);
		/* from another guest cgroup of the same VM: it moves to @grp */
		if (xq->grp != grp) {
			xq->grp->nr_queues--;
			grp->nr_queues++;
		}
		return xq;
	}
	return NULL;
}

/*
 * The queue of process @tgid in @grp, created if needed. Falls back to the
 * group's shared queue when memory is short or the group is at its queue
 * limit with no idle queue to reuse: I/O is never refused.
 *
 * max_queues bounds the queues of a group and, for a guest's cgroups, of
 * their whole VM: the guest names its cgroups and processes at will, and a
 * per-group bound alone would let one VM hold max_guest_groups *
 * max_queues of them (a guest writing a new cgroup id and tgid in every
 * record grows dom0's memory by one queue per request until then).
 */
struct xot_queue *xot_proc_queue(struct xot_data *xd, struct xot_grp *grp, u32 tgid)
{
	struct rb_node **link = &grp->queues.rb_node, *parent = NULL;
	struct xot_grp *vm = grp->level == XOT_LEVEL_GUEST_CGROUP ? grp->vparent : NULL;
	unsigned int max = READ_ONCE(xd->max_queues);
	struct xot_queue *xq;

	while (*link) {
		parent = *link;
		xq = rb_entry(parent, struct xot_queue, node);
		if (tgid < xq->tgid)
			link = &parent->rb_left;
		else if (tgid > xq->tgid)
			link = &parent->rb_right;
		else
			return xq;
	}

	if (grp->nr_queues < max && (!vm || vm->nr_vqueues < max)) {
		xq = kmem_cache_alloc(xot_queue_cache, GFP_NOWAIT | __GFP_NOWARN);
		if (!xq)
			return &grp->shared_q;
		grp->nr_queues++;
		if (vm)
			vm->nr_vqueues++;
	} else {
		xq = xot_reclaim_queue(grp);
		if (!xq)
			return &grp->shared_q;
		/* the tree changed: find the insertion point again */
		link = &grp->queues.rb_node;
		parent = NULL;
		while (*link) {
			parent = *link;
			link = tgid < rb_entry(parent, struct xot_queue, node)->tgid ?
				&parent->rb_left : &parent->rb_right;
		}
	}
	xot_queue_init(xq, grp, tgid, XOT_WEIGHT_DEFAULT);
	rb_link_node(&xq->node, parent, link);
	rb_insert_color(&xq->node, &grp->queues);
	return xq;
}

/*
 * The queue of I/O with @opf and @ioprio from @grp, submitted by process
 * @tgid (0: a kernel thread), or from a Xen guest if @o is not NULL: the
 * VM, guest cgroup and guest process levels then.
 */
static struct xot_queue *xot_queue_pick(struct xot_data *xd, struct xot_grp *grp,
					u32 tgid, blk_opf_t opf, u16 ioprio,
					const struct xot_origin *o)
{
	struct xot_queue *xq;

	if (o)
		return xot_origin_queue_of(xd, grp, o);
	/*
	 * Writeback and other async I/O belongs to the cgroup owning the pages,
	 * whoever submits it; kernel threads have no process to be fair to.
	 */
	if (!tgid || !op_is_sync(opf))
		return &grp->shared_q;
	xq = xot_proc_queue(xd, grp, tgid);
	if (xq != &grp->shared_q)
		xot_entity_set_weight(&xq->entity, xot_ioprio_weight(ioprio));
	return xq;
}

/* Pick the queue for a request being inserted for the first time. */
static struct xot_queue *xot_queue_for(struct xot_data *xd, struct request *rq)
{
	struct xot_grp *grp = xot_bio_grp(xd, rq->bio);
	struct xot_queue *xq;

	/* from a Xen guest: prepare_request kept a copy of its origin */
	xq = xot_origin_queue(xd, grp, rq);
	if (xq)
		return xq;
	return xot_queue_pick(xd, grp, RQ_TGID(rq), rq->cmd_flags,
			      req_get_ioprio(rq), NULL);
}

/* ------------------------------------------------------------- tag shares */

/* The group above @grp in the scheduling tree; NULL for the root group. */
static struct xot_grp *xot_grp_parent(struct xot_grp *grp)
{
	struct xot_group *p = grp->group.entity.parent;

	return p ? container_of(p, struct xot_grp, group) : NULL;
}

/* A request of @grp enters (+1) or leaves (-1) the elevator's hands. */
static void xot_held_add(struct xot_grp *grp, int d)
{
	for (; grp->group.entity.parent; grp = xot_grp_parent(grp))
		atomic_add(d, &grp->held);
}

/*
 * The scheduler tags (nr_requests) are all the elevator can see: a cgroup
 * keeping more requests outstanding than there are tags would take every
 * tag, and the others' requests would wait in the tag allocator, where no
 * elevator orders them. So, like BFQ, a group that holds its share of the
 * tags or more allocates from the first bit of each tag word only
 * (shallow depth 1), which leaves the tags that free up to the others.
 *
 * The share is taken level by level from the root: nr_requests times the
 * group's weight over the weights of its active siblings and its own.
 * Never less than XOT_TAG_SHARE_MIN: with many small groups each keeps a
 * few requests in hand, and the order in the elevator decides among them.
 * Nothing is counted or limited while the elevator and the driver hold
 * fewer than half the tags (xot_tags_scarce(): two reads).
 * Read without the lock: a decision on slightly stale sums only moves a
 * limit by a request or two. Kernel threads are not limited by their
 * cgroup (writeback flushers submit for many groups); Xen's blkback ring
 * threads are, by their VM (xot_vm_over_tag_share()).
 */
#define XOT_TAG_SHARE_MIN	4
#define XOT_TAG_LEVELS		16

/*
 * Tag shares are on and the elevator and the driver hold half the tags or
 * more. Below that nobody can be crowded out, and nothing is counted or
 * looked up: a request inserted then is not counted in held at all
 * (XOT_RQ_HELD), which makes the counts low for about one service time
 * after the tags become scarce, until those requests finish.
 */
static bool xot_tags_scarce(struct xot_data *xd)
{
	return READ_ONCE(xd->tag_shares) &&
	       2 * (READ_ONCE(xd->nr_queued) + atomic_read(&xd->inflight)) >= xd->q->nr_requests;
}

/*
 * Is the group at @path[@n - 1] (the root's child) down to @path[0] over
 * its share of the tags at some level? The share is taken from the root
 * down. Entity fields read without the lock may be a little stale.
 */
static bool xot_over_tag_share(struct request_queue *q, struct xot_grp **path,
			       unsigned int n)
{
	u64 limit = q->nr_requests;

	while (n--) {
		const struct xot_entity *e = &path[n]->group.entity;
		u64 w = READ_ONCE(e->parent->active_weight);

		if (!READ_ONCE(e->active))
			w += e->weight;
		if (w)
			limit = div64_u64(limit * e->weight + w / 2, w);
		if (atomic_read(&path[n]->held) >= max_t(u64, limit, XOT_TAG_SHARE_MIN))
			return true;
	}
	return false;
}

/* @path from @g up to the root's child; 0 if deeper than XOT_TAG_LEVELS. */
static unsigned int xot_tag_path(struct xot_grp *g, struct xot_grp **path)
{
	unsigned int n = 0;

	for (; g && g->group.entity.parent; g = xot_grp_parent(g)) {
		if (n == XOT_TAG_LEVELS)
			return 0;	/* deeper than any sane tree: no limit */
		path[n++] = g;
	}
	return n;
}

/*
 * A Xen VM's requests all come from blkback's ring threads, kernel threads
 * that no cgroup rule limits, and a guest can keep 512 requests in flight
 * per ring, one ring per dom0 CPU: enough to take every tag, after which the
 * other VMs' ring threads sleep in the tag allocator and their wake-up
 * order, not their weights, decides. So a ring thread (the origin provider
 * knows it) is limited by its VM's group, looked up under the lock, since
 * the virtual groups below a cgroup change under it. Only while the tags
 * are scarce, so this costs nothing on an uncrowded device.
 */
static bool xot_vm_over_tag_share(struct xot_data *xd, struct xot_grp *g, u32 domid)
{
	struct xot_grp *path[XOT_TAG_LEVELS], *vm;
	unsigned int n = 0;
	bool over;

	spin_lock(&xd->lock);
	vm = xot_origin_vm(g ? g : xd->root_grp, domid);
	if (vm)
		n = xot_tag_path(vm, path);
	over = n && xot_over_tag_share(xd->q, path, n);
	spin_unlock(&xd->lock);
	return over;
}

static void xot_limit_depth(blk_opf_t opf, struct blk_mq_alloc_data *data)
{
	struct request_queue *q = data->q;
	struct xot_data *xd = q->elevator->elevator_data;
	struct xot_grp *path[XOT_TAG_LEVELS], *g;
	bool kthread = current->flags & PF_KTHREAD;
	struct xot_origin origin;
	struct blkcg_gq *blkg;
	bool over;

	if (!xot_tags_scarce(xd))
		return;
	/* other kernel threads (writeback) submit for many groups: no limit */
	if (kthread && !xot_origin_current(&origin))
		return;
	rcu_read_lock();
	blkg = blkg_lookup(css_to_blkcg(task_css(current, io_cgrp_id)), q);
	g = blkg ? blkg_to_grp(blkg) : NULL;
	if (kthread)
		over = xot_vm_over_tag_share(xd, g, origin.domid);
	else
		over = xot_over_tag_share(q, path, xot_tag_path(g, path));
	rcu_read_unlock();
	if (over) {
		data->shallow_depth = 1;
		atomic64_inc(&xd->tag_limited);
	}
}

/*
 * Allocations limited to shallow depth 1 must still be woken: the tag
 * allocator sizes its wake-up batches for the smallest depth in use
 * (mq-deadline and BFQ do the same).
 */
static void xot_depth_updated(struct blk_mq_hw_ctx *hctx)
{
	sbitmap_queue_min_shallow_depth(&hctx->sched_tags->bitmap_tags, 1);
}

static int xot_init_hctx(struct blk_mq_hw_ctx *hctx, unsigned int hctx_idx)
{
	xot_depth_updated(hctx);
	return 0;
}

/* ------------------------------------------------------------------ queueing */

/*
 * The idle credit in virtual time: idle_credit requests of 4 KiB at the
 * default weight (README, "Tunables"; core: xot_activate_credit()).
 */
static u64 xot_credit_vt(struct xot_data *xd)
{
	return (u64)READ_ONCE(xd->idle_credit) *
		(xot_cost_of_sectors(8) << XOT_VT_SHIFT) / XOT_WEIGHT_DEFAULT;
}

/* ------------------------------------------------------------- anticipation */

/*
 * A synchronous process (one request at a time, short think time) runs dry
 * the moment its request is dispatched, and without help its next request
 * finds the device busy with others' work. When fair queueing would serve
 * it next anyway (xot_would_lead()), the elevator holds the device for it
 * for at most slice_idle_us after its completion, and only while it thinks
 * for less than half of that on average (README, "Sync readers").
 */
static void xot_antic_clear(struct xot_data *xd)
{
	struct xot_queue *xq = xd->antic_q;

	if (!xq)
		return;
	xd->antic_q = NULL;
	atomic_dec(&xq->refs);
	xot_grp_put(xq->grp);
}

/* Is @xq worth waiting for: a process queue that thinks briefly. */
static bool xot_antic_worth(struct xot_data *xd, struct xot_queue *xq)
{
	u64 idle_ns = (u64)READ_ONCE(xd->slice_idle_us) * NSEC_PER_USEC;

	return idle_ns && xq->tgid && xq->ttime_samples >= 2 &&
		xq->ttime_ns < idle_ns / 2;
}

/*
 * @xq's last queued request is being dispatched: wait for it afterwards?
 * Only if others have work it would otherwise yield to, and if it would
 * lead them when it comes back.
 */
static void xot_antic_arm(struct xot_data *xd, struct xot_queue *xq)
{
	if (xd->antic_q == xq || !xd->nr_queued || !xot_antic_worth(xd, xq) ||
	    !xot_would_lead(&xq->entity, xot_credit_vt(xd)))
		return;
	xot_antic_clear(xd);
	/*
	 * The pin holds the queue like a request does: its blkg (found
	 * through the owner: a guest's virtual group has no blkg of its own)
	 * and every virtual group above it, so that no reclaim frees them
	 * while the pointer is kept.
	 */
	atomic_inc(&xq->refs);
	xot_grp_get(xq->grp);
	xd->antic_q = xq;
}

/* True: hold dispatching back, the anticipated queue is thinking. */
static bool xot_antic_wait(struct xot_data *xd)
{
	struct xot_queue *xq = xd->antic_q;
	u64 idle_ns = (u64)READ_ONCE(xd->slice_idle_us) * NSEC_PER_USEC;
	u64 now, done;

	/* its request is still in the device (the pin is one reference) */
	if (atomic_read(&xq->refs) > 1)
		return false;
	done = READ_ONCE(xq->done_ns);
	now = ktime_get_ns();
	if (!idle_ns || now - done >= idle_ns ||
	    !xot_would_lead(&xq->entity, xot_credit_vt(xd))) {
		xd->antic_expired++;
		xot_antic_clear(xd);
		return false;
	}
	if (!hrtimer_active(&xd->antic_timer))
		hrtimer_start(&xd->antic_timer, ns_to_ktime(done + idle_ns - now),
			      HRTIMER_MODE_REL);
	xd->antic_waits++;
	return true;
}

static enum hrtimer_restart xot_antic_timer_fn(struct hrtimer *t)
{
	struct xot_data *xd = container_of(t, struct xot_data, antic_timer);

	blk_mq_run_hw_queues(xd->q, true);
	return HRTIMER_NORESTART;
}

/*
 * @rq arrives in @xq, which was empty: if nothing of it was in the device
 * either, the gap since its last completion is a think-time sample.
 */
static void xot_think_sample(struct xot_data *xd, struct xot_queue *xq,
			     struct request *rq)
{
	bool pinned = xd->antic_q == xq;
	u64 done = READ_ONCE(xq->done_ns);

	if (pinned) {
		xd->antic_hits++;
		xot_antic_clear(xd);
	}
	if (!xq->tgid || atomic_read(&xq->refs) != 1 || !done || !rq->start_time_ns)
		return;
	if (rq->start_time_ns > done) {
		u64 t = rq->start_time_ns - done;

		xq->ttime_ns = xq->ttime_samples ? (7 * xq->ttime_ns + t) / 8 : t;
		if (xq->ttime_samples < U32_MAX)
			xq->ttime_samples++;
	}
}

static void xot_add_request(struct xot_data *xd, struct xot_queue *xq,
			    struct request *rq)
{
	struct request_queue *q = rq->q;

	list_add_tail(&rq->queuelist, &xq->fifo);
	elv_rb_add(&xd->sort[rq_data_dir(rq)], rq);
	RQ_SET_FLAG(rq, XOT_RQ_QUEUED);
	if (rq_mergeable(rq)) {
		elv_rqhash_add(q, rq);
		if (!q->last_merge)
			q->last_merge = rq;
	}
	xd->nr_queued++;
	xot_slots_enqueue(&xq->entity);
	if (xq->nr_queued++ == 0) {
		xot_think_sample(xd, xq, rq);
		list_del_init(&xq->idle);
		xot_activate_credit(&xq->entity, xot_credit_vt(xd));
	}
}

/* Take @rq out of its queue and of every merge structure. */
static void xot_remove_request(struct xot_data *xd, struct request *rq)
{
	struct request_queue *q = rq->q;
	struct xot_queue *xq = RQ_QUEUE(rq);

	list_del_init(&rq->queuelist);
	elv_rb_del(&xd->sort[rq_data_dir(rq)], rq);
	RQ_CLEAR_FLAG(rq, XOT_RQ_QUEUED);
	elv_rqhash_del(q, rq);
	if (q->last_merge == rq)
		q->last_merge = NULL;
	xd->nr_queued--;
	xot_slots_dequeue(&xq->entity);
	if (!WARN_ON_ONCE(xq->nr_queued == 0) && --xq->nr_queued == 0) {
		xot_deactivate(&xq->entity);
		if (xq != &xq->grp->shared_q)
			list_add_tail(&xq->idle, xot_idle_queues(xq->grp));
	}
}

static void xot_insert_request(struct blk_mq_hw_ctx *hctx, struct request *rq,
			       bool at_head)
{
	struct request_queue *q = hctx->queue;
	struct xot_data *xd = xot_data_of(q);
	LIST_HEAD(free);

	lockdep_assert_held(&xd->lock);

	/*
	 * A requeued request keeps the queue it was first inserted into: its
	 * reference keeps that queue alive until the request finishes.
	 */
	if (!RQ_QUEUE(rq)) {
		struct xot_queue *xq = xot_queue_for(xd, rq);

		atomic_inc(&xq->refs);
		xot_grp_get(xq->grp);
		rq->elv.priv[0] = xq;
		rq->elv.priv[1] = xq->grp;
		if (xot_tags_scarce(xd)) {
			xot_held_add(xq->grp, 1);
			RQ_SET_FLAG(rq, XOT_RQ_HELD);
		}
		xd->inserted++;
	}

	if (blk_mq_sched_try_insert_merge(q, rq, &free)) {
		blk_mq_free_requests(&free);
		return;
	}

	trace_block_rq_insert(rq);

	if (at_head) {
		/* requeues and barriers: served before any queue, not charged again */
		list_add(&rq->queuelist, &xd->dispatch);
		return;
	}
	xot_add_request(xd, RQ_QUEUE(rq), rq);
}

static void xot_insert_requests(struct blk_mq_hw_ctx *hctx,
				struct list_head *list, xot_insert_t flags)
{
	struct xot_data *xd = xot_data_of(hctx->queue);
	bool at_head = xot_insert_at_head(flags);

	spin_lock(&xd->lock);
	while (!list_empty(list)) {
		struct request *rq = list_first_entry(list, struct request, queuelist);

		list_del_init(&rq->queuelist);
		xot_insert_request(hctx, rq, at_head);
	}
	spin_unlock(&xd->lock);
}

/*
 * Account a request leaving the elevator for the driver at @now, the one
 * clock read per request that competed: the wait is counted from the
 * request's allocation (the block layer stamps start_time_ns whenever an
 * elevator is attached), and the completion time comes with
 * completed_request(). @now 0: the request was alone in the elevator and
 * waited for nobody; its wait counts 0 and its service time runs from its
 * allocation (the few microseconds of the submission path included).
 */
static void xot_start_request(struct xot_data *xd, struct request *rq, u64 now)
{
	struct xot_grp *grp = RQ_GRP(rq);

	if (!now)
		now = rq->start_time_ns ?: ktime_get_ns();
	else if (rq->start_time_ns && now > rq->start_time_ns)
		WRITE_ONCE(grp->stats.wait_ns, grp->stats.wait_ns + now - rq->start_time_ns);
	WRITE_ONCE(grp->stats.rqs, grp->stats.rqs + 1);
	WRITE_ONCE(grp->stats.bytes, grp->stats.bytes + blk_rq_bytes(rq));
	rq->fifo_time = now;	/* the dispatch time */
	RQ_SET_FLAG(rq, XOT_RQ_INFLIGHT);
	atomic_inc(&xd->inflight);
	xd->dispatched++;
}

/*
 * blktrace message naming who was served (README: "blktrace"): the process
 * and its weights; for a guest's request also the VM (domid), the guest
 * cgroup (its id in the guest, 0: the VM's own queue) and the VM weight.
 */
static void xot_trace_dispatch(struct request_queue *q, struct xot_queue *xq)
{
	struct xot_grp *grp = xq->grp, *vm;
	struct cgroup_subsys_state *css;

	/* no blktrace running (the usual case): no pointers to chase */
	if (likely(!rcu_access_pointer(q->blk_trace)))
		return;
	css = &xot_grp_blkg(grp)->blkcg->css;
	if (grp->level == XOT_LEVEL_CGROUP) {
		blk_add_cgroup_trace_msg(q, css, "xot dispatch tgid=%u w=%u gw=%u",
					 xq->tgid, xq->entity.weight,
					 grp->group.entity.weight);
		return;
	}
	vm = grp->level == XOT_LEVEL_VM ? grp : grp->vparent;
	blk_add_cgroup_trace_msg(q, css,
				 "xot dispatch tgid=%u w=%u gw=%u vm=%llu gcg=%llu vw=%u",
				 xq->tgid, xq->entity.weight, grp->group.entity.weight,
				 vm->vkey, grp == vm ? 0ULL : grp->vkey,
				 vm->group.entity.weight);
}

/*
 * Requests the driver can hold at once: its tags over all hardware queues
 * (one set if they share them). Dispatching more only parks the extra
 * request on the hardware context's dispatch list, where it goes first
 * whatever the elevator would choose next.
 */
static unsigned int xot_driver_depth(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;
	unsigned int per_hctx = set->queue_depth - set->reserved_tags;
	unsigned int depth = 0;
	struct blk_mq_hw_ctx *hctx;
	unsigned long i;

	/* polled queues take no requests from the elevator */
	queue_for_each_hw_ctx(q, hctx, i) {
		if (hctx->type == HCTX_TYPE_POLL)
			continue;
		depth += per_hctx;
		if (blk_mq_is_shared_tags(set->flags))
			break;
	}
	return depth ? depth : 1;
}

/* Does any group on @leaf's path serve more than one active child? */
static bool xot_contended(struct xot_entity *leaf)
{
	struct xot_group *g;

	for (g = leaf->parent; g; g = g->entity.parent)
		if (g->nr_active > 1)
			return true;
	return false;
}

static struct request *xot_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct request_queue *q = hctx->queue;
	struct xot_data *xd = xot_data_of(q);
	unsigned int limit = READ_ONCE(xd->max_inflight);
	unsigned int mode = READ_ONCE(xd->inflight_mode);
	u64 hold_ns = (u64)READ_ONCE(xd->slot_hold_us) * NSEC_PER_USEC;
	bool over_window = false, waiting;
	u64 now = 0;	/* read once a request is chosen, if it competes */
	struct xot_entity *e;
	struct xot_queue *xq;
	struct request *rq;

	spin_lock(&xd->lock);
	/* at-head inserts (requeues, barriers) go first and are never throttled */
	rq = list_first_entry_or_null(&xd->dispatch, struct request, queuelist);
	if (rq) {
		list_del_init(&rq->queuelist);
		/* inserted once, so it has a queue: its path counts it again */
		xot_slots_start(&RQ_QUEUE(rq)->entity);
		/* a requeue's allocation is long past: its dispatch time is now */
		now = ktime_get_ns();
		goto out;
	}
	/*
	 * Keep the device queue short enough that the order chosen here still
	 * decides who is served: never more than the driver can take, nor
	 * than max_inflight; a completion restarts dispatching.
	 */
	if (xd->nr_queued) {
		unsigned int inflight = atomic_read(&xd->inflight);

		if (mode && inflight >= xd->depth) {
			xd->depth_full++;
			blk_mq_sched_mark_restart_hctx(hctx);
			goto out;
		}
		if (limit && inflight >= limit) {
			xd->throttled++;
			blk_mq_sched_mark_restart_hctx(hctx);
			goto out;
		}
		if (!limit && mode == 2) {
			xot_window_update(&xd->win, atomic64_read(&xd->completed),
					  atomic64_read(&xd->lat_ns));
			over_window = inflight >= xd->win.window;
		}
	}
	if (xd->antic_q && xot_antic_wait(xd))
		goto out;
	e = xot_select(&xd->root_grp->group);
	if (!e)
		goto out;
	/*
	 * The clock, only when the choice here competes: other requests wait,
	 * or a sibling on the path is waited for (slot shares). A request
	 * alone in the elevator waited for nobody (xot_start_request()); on a
	 * fast device that is nearly every request, and the clock read is a
	 * good part of the elevator's cost where the clocksource is slow
	 * (HPET: an emulated MMIO read in the QEMU labs).
	 */
	waiting = hold_ns && xd->depth > 1 && xot_slots_waiting(e);
	if (waiting || xd->nr_queued > 1)
		now = ktime_get_ns();
	/*
	 * Slot shares: while a sibling on the path turns its completed
	 * requests round, leave it the slots above this one's share; its
	 * return or this one's next completion runs the queue again.
	 */
	if (waiting && xot_slots_hold(e, xd->depth, atomic_read(&xd->inflight), now)) {
		xd->slot_held++;
		blk_mq_sched_mark_restart_hctx(hctx);
		goto out;
	}
	/* the window holds back only when entities compete */
	if (over_window && xot_contended(e)) {
		xd->win.limited = true;
		xd->throttled++;
		blk_mq_sched_mark_restart_hctx(hctx);
		goto out;
	}
	xq = container_of(e, struct xot_queue, entity);
	rq = list_first_entry(&xq->fifo, struct request, queuelist);
	/* out of its queue first (the queue may leave the tree), then charge */
	xot_remove_request(xd, rq);
	xot_slots_start(e);
	/* waited for only if others have requests waiting for the slots (now read) */
	if (!xq->nr_queued && xd->nr_queued && xd->depth > 1 && hold_ns)
		xot_slots_ran_dry(e, xd->depth, now, hold_ns);
	xot_charge(e, xot_rq_cost(rq));
	/* at-head requests above bypass the queues: not counted here */
	WRITE_ONCE(xq->dispatched, xq->dispatched + 1);
	if (!xq->nr_queued && op_is_sync(rq->cmd_flags))
		xot_antic_arm(xd, xq);
	xot_trace_dispatch(q, xq);
out:
	if (rq)
		xot_start_request(xd, rq, now);
	spin_unlock(&xd->lock);
	return rq;
}

static bool xot_has_work(struct blk_mq_hw_ctx *hctx)
{
	struct xot_data *xd = xot_data_of(hctx->queue);

	return !list_empty_careful(&xd->dispatch) || READ_ONCE(xd->nr_queued);
}

/*
 * Runs in the context that allocates the request, which is the issuing
 * process for direct and synchronous I/O: the only moment its tgid is known
 * (insertion may happen later from a kworker).
 */
static void xot_prepare_request(struct request *rq)
{
	rq->elv.priv[0] = NULL;
	if (xot_origin_capture(rq))
		return;
	rq->elv.priv[1] = (current->flags & PF_KTHREAD) ? NULL :
		(void *)((unsigned long)current->tgid << XOT_RQ_TGID_SHIFT);
}

/* Leave the in-flight count; true if the request was counted in it. */
static bool xot_end_inflight(struct request *rq)
{
	if (!RQ_FLAG(rq, XOT_RQ_INFLIGHT))
		return false;
	RQ_CLEAR_FLAG(rq, XOT_RQ_INFLIGHT);
	atomic_dec(&xot_data_of(rq->q)->inflight);
	xot_slots_end(&RQ_QUEUE(rq)->entity);
	return true;
}

/* A dispatched request comes back (driver busy, error retry). */
static void xot_requeue_request(struct request *rq)
{
	if (RQ_QUEUE(rq))
		xot_end_inflight(rq);
}

/*
 * The device completed @rq at @now (the block layer's clock read, shared
 * with its own accounting). May run in interrupt context: atomics only,
 * never the elevator lock.
 */
static void xot_completed_request(struct request *rq, u64 now)
{
	/* flush requests never had prepare_request(): priv is not ours */
	if (!xot_rq_elv_private(rq) || !RQ_QUEUE(rq))
		return;
	WRITE_ONCE(RQ_QUEUE(rq)->done_ns, now);
	if (xot_end_inflight(rq) && now > rq->fifo_time) {
		struct xot_data *xd = xot_data_of(rq->q);
		u64 t = now - rq->fifo_time;

		atomic64_add(t, &RQ_GRP(rq)->stats.service_ns);
		/* the window's samples, only when it is on */
		if (READ_ONCE(xd->inflight_mode) == 2) {
			atomic64_add(t, &xd->lat_ns);
			atomic64_inc(&xd->completed);
		}
	}
}

/* The request is freed. May run in interrupt context, like the above. */
static void xot_finish_request(struct request *rq)
{
	struct xot_queue *xq = RQ_QUEUE(rq);
	struct xot_grp *grp;

	/* requests that bypassed the scheduler were never inserted */
	if (!xq) {
		xot_origin_release(rq);
		return;
	}
	grp = RQ_GRP(rq);
	/* completed_request() ended it, unless it never reached the device */
	xot_end_inflight(rq);
	rq->elv.priv[0] = NULL;
	/* the queue may be reused as soon as this drops: touch it no more */
	atomic_dec(&xq->refs);
	if (RQ_FLAG(rq, XOT_RQ_HELD))
		xot_held_add(grp, -1);
	xot_grp_put(grp);
}

/* ------------------------------------------------------ bypassing requests */

/*
 * Writes with a cache flush or FUA never enter the elevator in Linux 6.1:
 * blk_mq_submit_bio() hands them to the flush machinery, which puts them
 * on hctx->dispatch, ahead of everything xot holds, and no elevator op
 * sees them but completed_request (without our data: the flush sequence
 * reuses rq->elv). A guest that journals, fsyncs or asks for FUA would get
 * that service outside its share. xot cannot hold such a request back, so
 * it charges it where it can be paid: as debt in virtual time of the queue
 * the request would have gone to (and every group above it), taken when the
 * request is allocated, in the context of the task submitting it, where the
 * origin provider can still say which VM, guest cgroup and process it comes
 * from. The debt delays the entity's next requests that do go through the
 * elevator (docs/design.md, "Requests that bypass the elevator").
 *
 * Which requests bypass: in 6.1 every one with REQ_PREFLUSH or REQ_FUA
 * (submit_bio_noacct() already removed both on a device without a volatile
 * write cache, and those requests are scheduled normally); in 6.12 only
 * those with REQ_PREFLUSH (a FUA write alone is inserted like any other
 * write): compat.h, xot_bio_bypasses_elevator() (docs/design.md).
 */
static void xot_charge_bypass(struct xot_data *xd, struct bio *bio)
{
	struct xot_origin origin;
	bool from_guest = xot_origin_current(&origin);
	u32 tgid = (current->flags & PF_KTHREAD) ? 0 : current->tgid;
	/* an empty flush costs what one request costs: the cache write-back */
	u64 cost = xot_cost_of_sectors(bio_sectors(bio));
	u64 bytes = bio->bi_iter.bi_size;
	struct xot_queue *xq;
	struct xot_grp *grp;

	/*
	 * The data a stacking driver (dm) will resubmit as dom0's own I/O
	 * after this flush, a request of its own: charged here, once per
	 * flush it sends down (one per target of the table: a table with
	 * several targets charges the data more than once, never less).
	 */
	if (from_guest && origin.deferred_sectors) {
		cost += xot_cost_of_sectors(origin.deferred_sectors);
		bytes += (u64)origin.deferred_sectors << SECTOR_SHIFT;
	}

	spin_lock(&xd->lock);
	grp = xot_bio_grp(xd, bio);
	xq = xot_queue_pick(xd, grp, tgid, bio->bi_opf, bio_prio(bio),
			    from_guest ? &origin : NULL);
	xot_charge_debt(&xq->entity, cost);
	WRITE_ONCE(xq->grp->stats.flush_rqs, xq->grp->stats.flush_rqs + 1);
	WRITE_ONCE(xq->grp->stats.flush_bytes, xq->grp->stats.flush_bytes + bytes);
	xd->bypassed++;
	xd->bypassed_bytes += bytes;
	spin_unlock(&xd->lock);
}

/*
 * Tracepoint block_getrq: a request was just allocated for @bio, by the
 * task submitting it. The request holds the queue (q_usage_counter), so
 * the elevator cannot be switched or freed while this runs. Runs for every
 * blk-mq device: the first test keeps the cost to a flag check.
 */
static void xot_getrq_probe(void *ignore, struct bio *bio)
{
	struct request_queue *q;

	if (likely(!xot_bio_bypasses_elevator(bio)))
		return;
	q = bdev_get_queue(bio->bi_bdev);
	if (q->elevator && q->elevator->type == &xot_iosched)
		xot_charge_bypass(q->elevator->elevator_data, bio);
}

/* ------------------------------------------------------------------ merging */

static bool xot_bio_merge(struct request_queue *q, struct bio *bio,
			  unsigned int nr_segs)
{
	struct xot_data *xd = xot_data_of(q);
	struct request *free = NULL;
	bool ret;

	/*
	 * Nothing queued, nothing to merge with: no lock taken. Racy, and
	 * harmless: a request queued meanwhile only misses one merge.
	 */
	if (!READ_ONCE(xd->nr_queued))
		return false;
	spin_lock(&xd->lock);
	ret = blk_mq_sched_try_merge(q, bio, nr_segs, &free);
	spin_unlock(&xd->lock);

	if (free)
		blk_mq_free_request(free);
	return ret;
}

/* Find a queued request that @bio can be front-merged into. */
static int xot_request_merge(struct request_queue *q, struct request **rq,
			     struct bio *bio)
{
	struct xot_data *xd = xot_data_of(q);
	struct request *__rq;

	if (!xd->front_merges)
		return ELEVATOR_NO_MERGE;

	__rq = elv_rb_find(&xd->sort[bio_data_dir(bio)], bio_end_sector(bio));
	if (__rq && elv_bio_merge_ok(__rq, bio)) {
		*rq = __rq;
		if (blk_discard_mergable(__rq))
			return ELEVATOR_DISCARD_MERGE;
		return ELEVATOR_FRONT_MERGE;
	}
	return ELEVATOR_NO_MERGE;
}

/* A front merge moved @rq's start sector: re-key it in the sector tree. */
static void xot_request_merged(struct request_queue *q, struct request *rq,
			       enum elv_merge type)
{
	struct xot_data *xd = xot_data_of(q);

	if (type == ELEVATOR_FRONT_MERGE) {
		elv_rb_del(&xd->sort[rq_data_dir(rq)], rq);
		elv_rb_add(&xd->sort[rq_data_dir(rq)], rq);
	}
}

/*
 * @next was merged into @rq and will be freed: forget it. @next may be a
 * request being inserted (blk_mq_sched_try_insert_merge() from
 * xot_insert_request(): a plug's requests merging into one already queued),
 * which never entered a queue or the sector tree: nothing to take out then.
 */
static void xot_requests_merged(struct request_queue *q, struct request *rq,
				struct request *next)
{
	struct xot_data *xd = xot_data_of(q);

	lockdep_assert_held(&xd->lock);
	xd->merged++;
	if (RQ_FLAG(next, XOT_RQ_QUEUED))
		xot_remove_request(xd, next);
}

/* ------------------------------------------------------------ setup/teardown */

static int xot_init_sched(struct request_queue *q, struct elevator_type *e)
{
	struct elevator_queue *eq;
	struct xot_data *xd;
	int ret;

	eq = elevator_alloc(q, e);
	if (!eq)
		return -ENOMEM;

	xd = kzalloc_node(sizeof(*xd), GFP_KERNEL, q->node);
	if (!xd) {
		kobject_put(&eq->kobj);
		return -ENOMEM;
	}
	spin_lock_init(&xd->lock);
	xd->q = q;
	INIT_LIST_HEAD(&xd->dispatch);
	xd->sort[READ] = RB_ROOT;
	xd->sort[WRITE] = RB_ROOT;
	atomic_set(&xd->inflight, 0);
	atomic64_set(&xd->completed, 0);
	xd->front_merges = 1;
	xd->max_inflight = 0;
	xd->max_queues = 1024;
	xd->max_guest_groups = 256;
	xd->max_vms = 256;
	xd->idle_credit = XOT_IDLE_CREDIT_DEFAULT;
	xd->depth = xot_driver_depth(q);
	xd->inflight_mode = 1;
	xd->slice_idle_us = XOT_SLICE_IDLE_US_DEFAULT;
	xd->tag_shares = 1;
	xd->slot_hold_us = XOT_SLOT_HOLD_US_DEFAULT;
	atomic64_set(&xd->tag_limited, 0);
	hrtimer_init(&xd->antic_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	xd->antic_timer.function = xot_antic_timer_fn;
	xot_window_init(&xd->win, xd->depth);
	atomic64_set(&xd->lat_ns, 0);
	eq->elevator_data = xd;

	/* the policy's groups find the elevator data through q->elevator */
	q->elevator = eq;
	ret = xot_blkcg_activate(q, &blkcg_policy_xot);
	if (ret) {
		q->elevator = NULL;
		kfree(xd);
		kobject_put(&eq->kobj);
		return ret;
	}
	xd->root_grp = blkg_to_grp(q->root_blkg);
	/* dispatch starts from the root group: in the tree before any request */
	spin_lock(&xd->lock);
	xot_grp_use(xd, xd->root_grp);
	spin_unlock(&xd->lock);

	/* one fairness decision for the whole device, not per hardware queue */
	blk_queue_flag_set(QUEUE_FLAG_SQ_SCHED, q);
	return 0;
}

static void xot_exit_sched(struct elevator_queue *e)
{
	struct xot_data *xd = e->elevator_data;

	hrtimer_cancel(&xd->antic_timer);
	spin_lock(&xd->lock);
	xot_antic_clear(xd);
	spin_unlock(&xd->lock);
	/* the block layer drains the queue before it switches schedulers */
	WARN_ON_ONCE(!list_empty(&xd->dispatch));
	WARN_ON_ONCE(xd->nr_queued);
	WARN_ON_ONCE(atomic_read(&xd->inflight));
	xot_blkcg_deactivate(xd->q, &blkcg_policy_xot);
	kfree(xd);
}

/* -------------------------------------------------------------------- sysfs */

/*
 * Tunables under /sys/block/<dev>/queue/iosched/ (README: "Tunables"). Each
 * is an unsigned integer with a range; anything else is -EINVAL.
 */
#define XOT_TUNABLE(name, min, max)					\
static ssize_t xot_##name##_show(struct elevator_queue *e, char *page)	\
{									\
	struct xot_data *xd = e->elevator_data;				\
									\
	return sysfs_emit(page, "%u\n", READ_ONCE(xd->name));		\
}									\
static ssize_t xot_##name##_store(struct elevator_queue *e,		\
				  const char *page, size_t count)	\
{									\
	struct xot_data *xd = e->elevator_data;				\
	unsigned int v;							\
	int ret = kstrtouint(page, 10, &v);				\
									\
	if (ret)							\
		return ret;						\
	if (v < (min) || v > (max))					\
		return -EINVAL;						\
	WRITE_ONCE(xd->name, v);					\
	return count;							\
}

XOT_TUNABLE(front_merges, 0, 1)
XOT_TUNABLE(max_inflight, 0, 4096)
XOT_TUNABLE(max_queues, 1, 65536)
XOT_TUNABLE(max_guest_groups, 1, 65536)
XOT_TUNABLE(max_vms, 1, 65536)
XOT_TUNABLE(idle_credit, 0, 4096)
XOT_TUNABLE(inflight_mode, 0, 2)
XOT_TUNABLE(slice_idle_us, 0, 100000)
XOT_TUNABLE(tag_shares, 0, 1)
XOT_TUNABLE(slot_hold_us, 0, 100000)
#undef XOT_TUNABLE

#define XOT_ATTR(name) __ATTR(name, 0644, xot_##name##_show, xot_##name##_store)
static struct elv_fs_entry xot_attrs[] = {
	XOT_ATTR(front_merges),
	XOT_ATTR(max_inflight),
	XOT_ATTR(max_queues),
	XOT_ATTR(max_guest_groups),
	XOT_ATTR(max_vms),
	XOT_ATTR(idle_credit),
	XOT_ATTR(inflight_mode),
	XOT_ATTR(slice_idle_us),
	XOT_ATTR(tag_shares),
	XOT_ATTR(slot_hold_us),
	__ATTR_NULL
};

/* ------------------------------------------------------------------ debugfs */

#ifdef CONFIG_BLK_DEBUG_FS
static int xot_stats_show(void *data, struct seq_file *m)
{
	struct request_queue *q = data;
	struct xot_data *xd = xot_data_of(q);

	spin_lock(&xd->lock);
	seq_printf(m, "inserted %llu\nmerged %llu\ndispatched %llu\nthrottled %llu\ndepth_full %llu\n",
		   xd->inserted, xd->merged, xd->dispatched, xd->throttled, xd->depth_full);
	seq_printf(m, "driver_depth %u\nwindow %u\nwindow_base_us %llu\nwindow_mean_us %llu\n",
		   xd->depth, xd->win.window, div_u64(xd->win.base_ns, NSEC_PER_USEC),
		   div_u64(xd->win.last_mean_ns, NSEC_PER_USEC));
	seq_printf(m, "window_shrinks %llu\nwindow_grows %llu\nwindow_probes %llu\n",
		   xd->win.shrinks, xd->win.grows, xd->win.probes);
	seq_printf(m, "antic_waits %llu\nantic_hits %llu\nantic_expired %llu\n",
		   xd->antic_waits, xd->antic_hits, xd->antic_expired);
	seq_printf(m, "guest_fallbacks %llu\nslot_held %llu\nslots_waited_weight %llu\n",
		   xd->guest_fallbacks, xd->slot_held, xd->root_grp->group.ret_weight);
	seq_printf(m, "queued %u\nactive_groups %u\nbypassed %llu\nbypassed_bytes %llu\n",
		   xd->nr_queued, xd->root_grp->group.nr_active, xd->bypassed,
		   xd->bypassed_bytes);
	spin_unlock(&xd->lock);
	seq_printf(m, "inflight %d\nwindow_samples %lld\ntag_limited %lld\n",
		   atomic_read(&xd->inflight), (long long)atomic64_read(&xd->completed),
		   (long long)atomic64_read(&xd->tag_limited));
	seq_printf(m, "vms_allocated %lld\nvms_freed %lld\nguest_groups_allocated %lld\nguest_groups_freed %lld\n",
		   (long long)atomic64_read(&xd->vms_allocated),
		   (long long)atomic64_read(&xd->vms_freed),
		   (long long)atomic64_read(&xd->guest_groups_allocated),
		   (long long)atomic64_read(&xd->guest_groups_freed));
	return 0;
}

static void xot_dump_queue(struct seq_file *m, const char *what, struct xot_queue *xq)
{
	seq_printf(m, "  %s tgid=%u w=%u vt=%llu queued=%u refs=%d rqs=%llu%s\n", what,
		   xq->tgid, xq->entity.weight, xq->entity.vtime, xq->nr_queued,
		   atomic_read(&xq->refs), xq->dispatched,
		   xq->entity.active ? " active" : "");
}

/*
 * Bounds of the tree dump. Guests name their cgroups and processes, so what
 * lies below a dom0 cgroup is sized by them: the dump prints at most
 * XOT_TREE_LINES_GROUP lines per cgroup, each cgroup under one short hold of
 * the elevator's lock, and at most XOT_TREE_GROUPS cgroups.
 */
#define XOT_TREE_GROUPS		256
#define XOT_TREE_LINES_GROUP	256

/* One cgroup's paragraph: the group, its queues, its guests. Under xd->lock. */
static void xot_dump_grp(struct seq_file *m, const char *path, struct xot_grp *grp)
{
	unsigned int budget = XOT_TREE_LINES_GROUP;
	struct rb_node *n;

	if (!grp->linked) {
		/* no request yet: not in the tree (blkcg.c, "Locking") */
		seq_printf(m, "group %s w=%u unlinked\n", path, READ_ONCE(grp->weight));
		return;
	}
	/* the weight set, which the tree takes at the group's next request */
	seq_printf(m, "group %s w=%u vt=%llu vclock=%llu active_children=%u queues=%u%s\n",
		   path, READ_ONCE(grp->weight), grp->group.entity.vtime,
		   grp->group.vclock, grp->group.nr_active, grp->nr_queues,
		   grp->group.entity.active ? " active" : "");
	xot_dump_queue(m, "shared", &grp->shared_q);
	for (n = rb_first(&grp->queues); n && budget; n = rb_next(n), budget--)
		xot_dump_queue(m, "process", rb_entry(n, struct xot_queue, node));
	xot_vgroups_dump(m, grp, 1, &budget);
	if (!budget)
		seq_puts(m, "  ... (truncated)\n");
}

/*
 * The scheduling tree: one paragraph per cgroup (group), then its queues.
 * Virtual times are raw core units (service << 32 / weight).
 *
 * The cgroups are taken (a reference each) under the queue_lock, then
 * printed one at a time under the elevator's lock alone, with interrupts
 * on: xot_data's lock is never taken under the queue_lock (blkcg.c), and
 * seq_file may call this again with a larger buffer, so every hold stays
 * short and the output bounded.
 */
static int xot_tree_show(void *data, struct seq_file *m)
{
	struct request_queue *q = data;
	struct xot_data *xd = xot_data_of(q);
	unsigned int n = 0, more = 0, i;
	struct blkcg_gq **blkgs, *blkg;
	char *path;

	blkgs = kmalloc_array(XOT_TREE_GROUPS, sizeof(*blkgs), GFP_KERNEL);
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!blkgs || !path) {
		kfree(blkgs);
		kfree(path);
		return -ENOMEM;
	}
	spin_lock_irq(&q->queue_lock);
	list_for_each_entry(blkg, &q->blkg_list, q_node) {
		if (!blkg_to_grp(blkg))
			continue;
		if (n == XOT_TREE_GROUPS) {
			more++;
			continue;
		}
		blkg_get(blkg);
		blkgs[n++] = blkg;
	}
	spin_unlock_irq(&q->queue_lock);

	for (i = 0; i < n; i++) {
		cgroup_path(blkgs[i]->blkcg->css.cgroup, path, PATH_MAX);
		spin_lock(&xd->lock);
		xot_dump_grp(m, path, blkg_to_grp(blkgs[i]));
		spin_unlock(&xd->lock);
		blkg_put(blkgs[i]);
	}
	if (more)
		seq_printf(m, "... %u more groups\n", more);
	kfree(path);
	kfree(blkgs);
	return 0;
}

static const struct blk_mq_debugfs_attr xot_queue_debugfs_attrs[] = {
	{"stats", 0400, xot_stats_show},
	{"tree", 0400, xot_tree_show},
	{},
};
#endif

static struct elevator_type xot_iosched = {
	.ops = {
		.depth_updated		= xot_depth_updated,
		.limit_depth		= xot_limit_depth,
		.init_hctx		= xot_init_hctx,
		.insert_requests	= xot_insert_requests,
		.dispatch_request	= xot_dispatch_request,
		.has_work		= xot_has_work,
		.prepare_request	= xot_prepare_request,
		.completed_request	= xot_completed_request,
		.finish_request		= xot_finish_request,
		.requeue_request	= xot_requeue_request,
		.next_request		= elv_rb_latter_request,
		.former_request		= elv_rb_former_request,
		.bio_merge		= xot_bio_merge,
		.request_merge		= xot_request_merge,
		.request_merged		= xot_request_merged,
		.requests_merged	= xot_requests_merged,
		.init_sched		= xot_init_sched,
		.exit_sched		= xot_exit_sched,
	},
#ifdef CONFIG_BLK_DEBUG_FS
	.queue_debugfs_attrs = xot_queue_debugfs_attrs,
#endif
	.elevator_attrs = xot_attrs,
	.elevator_name = "xot",
	.elevator_owner = THIS_MODULE,
};

static int __init xot_iosched_init(void)
{
	int ret;

	xot_queue_cache = KMEM_CACHE(xot_queue, 0);
	if (!xot_queue_cache)
		return -ENOMEM;
	ret = xot_origin_init();
	if (ret)
		goto err_cache;
	ret = xot_blkcg_register();
	if (ret)
		goto err_origin;
	xot_getrq_tp = xot_tp_attach("xot", "block_getrq", xot_getrq_probe);
	if (IS_ERR(xot_getrq_tp)) {
		ret = PTR_ERR(xot_getrq_tp);
		goto err_blkcg;
	}
	ret = elv_register(&xot_iosched);
	if (ret)
		goto err_tp;
	return 0;

err_tp:
	xot_tp_detach(xot_getrq_tp, xot_getrq_probe);
err_blkcg:
	xot_blkcg_unregister();
err_origin:
	xot_origin_exit();
err_cache:
	kmem_cache_destroy(xot_queue_cache);
	return ret;
}

static void __exit xot_iosched_exit(void)
{
	elv_unregister(&xot_iosched);
	/* no elevator of ours is left, so the probe has nothing to charge */
	xot_tp_detach(xot_getrq_tp, xot_getrq_probe);
	xot_blkcg_unregister();
	xot_origin_exit();
	kmem_cache_destroy(xot_queue_cache);
}

module_init(xot_iosched_init);
module_exit(xot_iosched_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XoT hierarchical proportional-share I/O scheduler");
MODULE_ALIAS("xot-iosched");
