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
#include <trace/events/block.h>

#include <block/elevator.h>
#include <block/blk.h>
#include <block/blk-mq.h>
#include <block/blk-mq-debugfs.h>
#include <block/blk-mq-sched.h>

#include <xot/sched.h>

/* Service cost of a request, in core units: a fixed part per request and a
 * part per 4 KiB moved, so that large requests cannot buy an unfair share
 * of the device by being few.
 */
#define XOT_COST_PER_REQUEST	8
#define XOT_COST_SHIFT_4K	(12 - SECTOR_SHIFT)

/* rq->elv.priv[0]: the queue the request was inserted into */
#define RQ_QUEUE(rq)		((struct xot_queue *)(rq)->elv.priv[0])

/* A leaf of the scheduling tree: requests of one entity in arrival order. */
struct xot_queue {
	struct xot_entity entity;
	struct list_head fifo;
	unsigned int nr_queued;
};

struct xot_data {
	spinlock_t lock;		/* protects everything below */
	struct xot_group root;
	struct xot_queue default_queue;
	struct list_head dispatch;	/* at-head inserts: served first */
	struct rb_root sort[2];		/* queued requests by sector, per direction */

	/* statistics, under lock except completed */
	u64 inserted;
	u64 merged;
	u64 dispatched;
	atomic64_t completed;

	/* tunables */
	unsigned int front_merges;
};

static struct xot_data *xot_data_of(struct request_queue *q)
{
	return q->elevator->elevator_data;
}

static u64 xot_rq_cost(struct request *rq)
{
	return XOT_COST_PER_REQUEST + (blk_rq_sectors(rq) >> XOT_COST_SHIFT_4K);
}

static struct xot_queue *xot_queue_for(struct xot_data *xd, struct request *rq)
{
	return &xd->default_queue;
}

static void xot_queue_init(struct xot_queue *xq, struct xot_group *parent, u32 weight)
{
	xot_entity_init(&xq->entity, parent, weight);
	INIT_LIST_HEAD(&xq->fifo);
	xq->nr_queued = 0;
}

/* ------------------------------------------------------------------ queueing */

static void xot_add_request(struct xot_data *xd, struct xot_queue *xq,
			    struct request *rq)
{
	struct request_queue *q = rq->q;

	list_add_tail(&rq->queuelist, &xq->fifo);
	elv_rb_add(&xd->sort[rq_data_dir(rq)], rq);
	if (rq_mergeable(rq)) {
		elv_rqhash_add(q, rq);
		if (!q->last_merge)
			q->last_merge = rq;
	}
	if (xq->nr_queued++ == 0)
		xot_activate(&xq->entity);
}

/* Take @rq out of its queue and of every merge structure. */
static void xot_remove_request(struct xot_data *xd, struct request *rq)
{
	struct request_queue *q = rq->q;
	struct xot_queue *xq = RQ_QUEUE(rq);

	list_del_init(&rq->queuelist);
	elv_rb_del(&xd->sort[rq_data_dir(rq)], rq);
	elv_rqhash_del(q, rq);
	if (q->last_merge == rq)
		q->last_merge = NULL;
	if (!WARN_ON_ONCE(xq->nr_queued == 0) && --xq->nr_queued == 0)
		xot_deactivate(&xq->entity);
}

static void xot_insert_request(struct blk_mq_hw_ctx *hctx, struct request *rq,
			       bool at_head)
{
	struct request_queue *q = hctx->queue;
	struct xot_data *xd = xot_data_of(q);
	LIST_HEAD(free);

	lockdep_assert_held(&xd->lock);

	/* a requeued request keeps the queue it was first inserted into */
	if (!RQ_QUEUE(rq)) {
		rq->elv.priv[0] = xot_queue_for(xd, rq);
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
				struct list_head *list, bool at_head)
{
	struct xot_data *xd = xot_data_of(hctx->queue);

	spin_lock(&xd->lock);
	while (!list_empty(list)) {
		struct request *rq = list_first_entry(list, struct request, queuelist);

		list_del_init(&rq->queuelist);
		xot_insert_request(hctx, rq, at_head);
	}
	spin_unlock(&xd->lock);
}

static struct request *xot_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct xot_data *xd = xot_data_of(hctx->queue);
	struct xot_entity *e;
	struct xot_queue *xq;
	struct request *rq;

	spin_lock(&xd->lock);
	rq = list_first_entry_or_null(&xd->dispatch, struct request, queuelist);
	if (rq) {
		list_del_init(&rq->queuelist);
		goto out;
	}
	e = xot_select(&xd->root);
	if (!e)
		goto out;
	xq = container_of(e, struct xot_queue, entity);
	rq = list_first_entry(&xq->fifo, struct request, queuelist);
	xot_charge(e, xot_rq_cost(rq));
	xot_remove_request(xd, rq);
out:
	if (rq)
		xd->dispatched++;
	spin_unlock(&xd->lock);
	return rq;
}

static bool xot_has_work(struct blk_mq_hw_ctx *hctx)
{
	struct xot_data *xd = xot_data_of(hctx->queue);

	return !list_empty_careful(&xd->dispatch) || READ_ONCE(xd->root.nr_active);
}

static void xot_prepare_request(struct request *rq)
{
	rq->elv.priv[0] = NULL;
}

static void xot_finish_request(struct request *rq)
{
	/* requests that bypassed the scheduler were never inserted */
	if (!RQ_QUEUE(rq))
		return;
	atomic64_inc(&xot_data_of(rq->q)->completed);
}

/* ------------------------------------------------------------------ merging */

static bool xot_bio_merge(struct request_queue *q, struct bio *bio,
			  unsigned int nr_segs)
{
	struct xot_data *xd = xot_data_of(q);
	struct request *free = NULL;
	bool ret;

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

/* @next was merged into @rq and will be freed: forget it. */
static void xot_requests_merged(struct request_queue *q, struct request *rq,
				struct request *next)
{
	struct xot_data *xd = xot_data_of(q);

	lockdep_assert_held(&xd->lock);
	xd->merged++;
	xot_remove_request(xd, next);
}

/* ------------------------------------------------------------ setup/teardown */

static int xot_init_sched(struct request_queue *q, struct elevator_type *e)
{
	struct elevator_queue *eq;
	struct xot_data *xd;

	eq = elevator_alloc(q, e);
	if (!eq)
		return -ENOMEM;

	xd = kzalloc_node(sizeof(*xd), GFP_KERNEL, q->node);
	if (!xd) {
		kobject_put(&eq->kobj);
		return -ENOMEM;
	}
	spin_lock_init(&xd->lock);
	xot_group_init_root(&xd->root);
	xot_queue_init(&xd->default_queue, &xd->root, XOT_WEIGHT_DEFAULT);
	INIT_LIST_HEAD(&xd->dispatch);
	xd->sort[READ] = RB_ROOT;
	xd->sort[WRITE] = RB_ROOT;
	atomic64_set(&xd->completed, 0);
	xd->front_merges = 1;
	eq->elevator_data = xd;

	/* one fairness decision for the whole device, not per hardware queue */
	blk_queue_flag_set(QUEUE_FLAG_SQ_SCHED, q);

	q->elevator = eq;
	return 0;
}

static void xot_exit_sched(struct elevator_queue *e)
{
	struct xot_data *xd = e->elevator_data;

	/* the block layer drains the queue before it switches schedulers */
	WARN_ON_ONCE(!list_empty(&xd->dispatch));
	WARN_ON_ONCE(xd->default_queue.nr_queued);
	WARN_ON_ONCE(xd->root.nr_active);
	kfree(xd);
}

/* -------------------------------------------------------------------- sysfs */

static ssize_t xot_front_merges_show(struct elevator_queue *e, char *page)
{
	struct xot_data *xd = e->elevator_data;

	return sysfs_emit(page, "%u\n", xd->front_merges);
}

static ssize_t xot_front_merges_store(struct elevator_queue *e,
				      const char *page, size_t count)
{
	struct xot_data *xd = e->elevator_data;
	unsigned int v;
	int ret;

	ret = kstrtouint(page, 10, &v);
	if (ret)
		return ret;
	if (v > 1)
		return -EINVAL;
	WRITE_ONCE(xd->front_merges, v);
	return count;
}

static struct elv_fs_entry xot_attrs[] = {
	__ATTR(front_merges, 0644, xot_front_merges_show, xot_front_merges_store),
	__ATTR_NULL
};

/* ------------------------------------------------------------------ debugfs */

#ifdef CONFIG_BLK_DEBUG_FS
static int xot_stats_show(void *data, struct seq_file *m)
{
	struct request_queue *q = data;
	struct xot_data *xd = xot_data_of(q);

	spin_lock(&xd->lock);
	seq_printf(m, "inserted %llu\nmerged %llu\ndispatched %llu\n",
		   xd->inserted, xd->merged, xd->dispatched);
	seq_printf(m, "queued %u\nactive_entities %u\n",
		   xd->default_queue.nr_queued, xd->root.nr_active);
	spin_unlock(&xd->lock);
	seq_printf(m, "completed %lld\n", (long long)atomic64_read(&xd->completed));
	return 0;
}

static const struct blk_mq_debugfs_attr xot_queue_debugfs_attrs[] = {
	{"stats", 0400, xot_stats_show},
	{},
};
#endif

static struct elevator_type xot_iosched = {
	.ops = {
		.insert_requests	= xot_insert_requests,
		.dispatch_request	= xot_dispatch_request,
		.has_work		= xot_has_work,
		.prepare_request	= xot_prepare_request,
		.finish_request		= xot_finish_request,
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
	return elv_register(&xot_iosched);
}

static void __exit xot_iosched_exit(void)
{
	elv_unregister(&xot_iosched);
}

module_init(xot_iosched_init);
module_exit(xot_iosched_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XoT hierarchical proportional-share I/O scheduler");
MODULE_ALIAS("xot-iosched");
