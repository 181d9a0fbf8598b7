/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-iosched's kernel compatibility: the block-layer internals whose
 * names, arguments or rules differ between the two kernels XoT is built
 * for, Debian 12's Linux 6.1 and Debian 13's Linux 6.12
 * (docs/platforms.md lists every difference, with file:line in both
 * trees). Everything else in this module is written once, against the
 * names below. One comment per trick: why it is needed, and what breaks it.
 *
 * Still outside this file (docs/platforms.md, "Left"): the private block
 * headers themselves (block/elevator.h, block/blk-cgroup.h, block/blk.h,
 * block/blk-mq*.h, taken from linux-source at build time), the tracepoint
 * block_getrq found by name (include/xot/ktracepoint.h) and the timing
 * contract between xot-blkback's block_bio_queue probe and prepare_request
 * (origin.c).
 */
#ifndef _XOT_IOSCHED_COMPAT_H
#define _XOT_IOSCHED_COMPAT_H

#include <linux/version.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>

#include <block/blk-cgroup.h>

/*
 * The two kernel generations. Only 6.1 and 6.12 are built and checked:
 * a kernel between them (6.2 .. 6.11) takes the 6.12 branch, which is
 * right for some changes and not for others (docs/platforms.md says when
 * each one came upstream, where known). Breaks: a later kernel that
 * changes any of the below again.
 */
#define XOT_KERNEL_6_12	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/*
 * insert_requests: 6.1 passes "bool at_head"; 6.12 passes blk_insert_t
 * flags, of which only BLK_MQ_INSERT_AT_HEAD exists. What comes at head is
 * the same kind of request in both (requeues), plus, in 6.12 only, the data
 * of a REQ_PREFLUSH write coming back from the flush machinery
 * (blk_flush_complete_seq() -> requeue list -> blk_mq_requeue_work()).
 * Breaks: a new BLK_MQ_INSERT_* flag with a meaning for schedulers.
 */
#if XOT_KERNEL_6_12
#include <block/blk-mq.h>	/* blk_insert_t */
typedef blk_insert_t xot_insert_t;
#define xot_insert_at_head(flags)	(!!((flags) & BLK_MQ_INSERT_AT_HEAD))
#else
typedef bool xot_insert_t;
#define xot_insert_at_head(flags)	(flags)
#endif

/*
 * Does @rq carry elevator data (prepare_request() ran, finish_request()
 * will)? 6.1 marks it RQF_ELVPRIV; 6.12 RQF_USE_SCHED. The sets differ:
 * 6.1 leaves out every op_is_flush() request (REQ_PREFLUSH or REQ_FUA);
 * 6.12 only REQ_OP_FLUSH and passthrough requests, so a REQ_PREFLUSH or
 * REQ_FUA write gets prepare_request(), limit_depth() and
 * finish_request() there. Breaks: the flag renamed again.
 */
static inline bool xot_rq_elv_private(const struct request *rq)
{
#if XOT_KERNEL_6_12
	return rq->rq_flags & RQF_USE_SCHED;
#else
	return rq->rq_flags & RQF_ELVPRIV;
#endif
}

/*
 * Does @bio bypass the elevator (the flush machinery puts it on
 * hctx->dispatch, no insert_requests)? 6.1: every REQ_PREFLUSH or REQ_FUA
 * write (blk_mq_submit_bio() -> blk_insert_flush()). 6.12: only
 * REQ_PREFLUSH ones: blk_insert_flush() returns false for a FUA write
 * without a preflush (policy REQ_FSEQ_DATA, or REQ_FSEQ_DATA |
 * REQ_FSEQ_POSTFLUSH when the device has no FUA), which is then inserted
 * like any write (docs/design.md, "Requests that bypass the elevator").
 * Devices without a volatile write cache lose both flags in
 * submit_bio_noacct() first, on both kernels. Breaks: any change in
 * blk_insert_flush()'s policy switch.
 */
static inline bool xot_bio_bypasses_elevator(const struct bio *bio)
{
#if XOT_KERNEL_6_12
	return bio->bi_opf & REQ_PREFLUSH;
#else
	return op_is_flush(bio->bi_opf);
#endif
}

/*
 * blkcg_activate_policy()/blkcg_deactivate_policy() take the request
 * queue in 6.1 and its gendisk in 6.12 (elevators are set up with
 * q->disk set in both). Breaks: the signature changes again.
 */
static inline int xot_blkcg_activate(struct request_queue *q,
				     const struct blkcg_policy *pol)
{
#if XOT_KERNEL_6_12
	return blkcg_activate_policy(q->disk, pol);
#else
	return blkcg_activate_policy(q, pol);
#endif
}

static inline void xot_blkcg_deactivate(struct request_queue *q,
					const struct blkcg_policy *pol)
{
#if XOT_KERNEL_6_12
	blkcg_deactivate_policy(q->disk, pol);
#else
	blkcg_deactivate_policy(q, pol);
#endif
}

/*
 * pd_alloc_fn: (gfp, q, blkcg) in 6.1, (disk, blkcg, gfp) in 6.12.
 * xot_pd_alloc() is the policy's callback with the kernel's arguments; it
 * calls blkcg.c's xot_pd_alloc_node(gfp, numa_node). Breaks: another
 * argument change (the policy struct's initialiser then fails to compile).
 */
struct blkg_policy_data *xot_pd_alloc_node(gfp_t gfp, int node);

#if XOT_KERNEL_6_12
static inline struct blkg_policy_data *xot_pd_alloc(struct gendisk *disk,
						    struct blkcg *blkcg, gfp_t gfp)
{
	return xot_pd_alloc_node(gfp, disk->queue->node);
}
#else
static inline struct blkg_policy_data *xot_pd_alloc(gfp_t gfp, struct request_queue *q,
						    struct blkcg *blkcg)
{
	return xot_pd_alloc_node(gfp, q->node);
}
#endif

/*
 * Per-device cgroup file writes. 6.1: blkg_conf_prep(blkcg, pol, input,
 * ctx) then blkg_conf_finish(ctx), on success only. 6.12: blkg_conf_init(),
 * blkg_conf_prep(blkcg, pol, ctx), and blkg_conf_exit() whatever prep
 * returned (a failed prep may still hold the bdev and q->rq_qos_mutex).
 * These two keep 6.1's contract on both: after a failed
 * xot_blkg_conf_prep() nothing is held; after a successful one the
 * queue_lock is (with interrupts off) until xot_blkg_conf_finish().
 * 6.12's prep no longer takes rcu_read_lock(): nothing here relies on it.
 * Breaks: the ctx life cycle changing again.
 */
static inline int xot_blkg_conf_prep(struct blkcg *blkcg,
				     const struct blkcg_policy *pol,
				     char *input, struct blkg_conf_ctx *ctx)
{
#if XOT_KERNEL_6_12
	int ret;

	blkg_conf_init(ctx, input);
	ret = blkg_conf_prep(blkcg, pol, ctx);
	if (ret)
		blkg_conf_exit(ctx);
	return ret;
#else
	return blkg_conf_prep(blkcg, pol, input, ctx);
#endif
}

static inline void xot_blkg_conf_finish(struct blkg_conf_ctx *ctx)
{
#if XOT_KERNEL_6_12
	blkg_conf_exit(ctx);
#else
	blkg_conf_finish(ctx);
#endif
}

#endif /* _XOT_IOSCHED_COMPAT_H */
