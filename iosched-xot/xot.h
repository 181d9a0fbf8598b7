/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface between the xot elevator (elevator.c) and its blkcg
 * policy (blkcg.c).
 *
 * The scheduling tree of one device mirrors the cgroup tree: every blkg
 * (cgroup x device) carries a struct xot_grp whose core group sits under the
 * group of the parent cgroup; the root cgroup's group is the root of the
 * tree. Inside a group, each process (tgid) issuing synchronous I/O has its
 * own leaf queue; asynchronous I/O (writeback, charged by the block layer to
 * the cgroup owning the pages) and kernel threads share the group's
 * "shared" queue.
 */
#ifndef _XOT_IOSCHED_H
#define _XOT_IOSCHED_H

#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/seq_file.h>

#include <linux/hrtimer.h>

#include <block/blk-cgroup.h>

#include "compat.h"

#include <xot/sched.h>
#include <xot/window.h>

struct xot_grp;

/* A leaf of the scheduling tree: the requests of one process, FIFO. */
struct xot_queue {
	struct xot_entity entity;
	struct list_head fifo;		/* queued requests, arrival order */
	unsigned int nr_queued;
	atomic_t refs;			/* requests inserted and not yet finished */
	u32 tgid;			/* 0: the group's shared queue */
	struct xot_grp *grp;
	struct rb_node node;		/* in grp->queues, by tgid */
	struct list_head idle;		/* in grp->idle_queues while empty */
	u64 done_ns;			/* last completion (set lock-free) */
	u64 ttime_ns;			/* think time: mean of idle gaps */
	u32 ttime_samples;
	u64 dispatched;			/* served from this queue (xd->lock) */
};

/*
 * Per-group statistics: rqs, bytes and wait_ns are updated at dispatch under
 * xd->lock (plain stores, read locklessly); service_ns at completion,
 * without the lock.
 */
struct xot_grp_stats {
	u64 rqs;
	u64 bytes;
	u64 wait_ns;			/* allocation to dispatch */
	atomic64_t service_ns;		/* dispatch to completion */
	u64 flush_rqs;			/* requests that bypassed the elevator... */
	u64 flush_bytes;		/* ...and their data (charged as debt) */
};

/* Policy data of one blkg: a cgroup's group on one device. */
struct xot_grp {
	struct blkg_policy_data pd;
	struct xot_group group;		/* the core's node */
	struct xot_data *xd;
	struct xot_queue shared_q;	/* async I/O and kernel threads */
	struct rb_root queues;		/* per-process queues, by tgid */
	struct list_head idle_queues;	/* empty queues, oldest first */
	unsigned int nr_queues;		/* per-process queues allocated */
	u32 dev_weight;			/* "MAJ:MIN W" of io.xot.weight; 0: none */
	/*
	 * The weight the cgroup files ask for (WRITE_ONCE by blkcg.c, under
	 * the blkcg's lock): the elevator applies it to the tree under its
	 * own lock, at the next insertion below the group (xot_grp_use()).
	 */
	u32 weight;
	/*
	 * In the scheduling tree (under xd->lock). A blkg's group is linked
	 * by the elevator when it first uses it, not by pd_init, which runs
	 * under the queue_lock (blkcg.c: "Locking"). Virtual groups are
	 * linked when created.
	 */
	bool linked;
	struct xot_grp_stats stats;
	/*
	 * Requests of this group and the groups below it, from insertion to
	 * finish, counted while the tags are scarce: what it holds of the
	 * scheduler tags (xot_limit_depth()). Not kept for the root group.
	 */
	atomic_t held;

	/*
	 * Requests from Xen guests (origin.c) are scheduled in virtual groups
	 * below the blkg's group: one per VM, in it one per guest cgroup.
	 * A virtual group is a struct xot_grp without a blkg of its own.
	 */
	struct xot_grp *owner;		/* the blkg's group; NULL in that group */
	struct xot_grp *vparent;	/* the group above a virtual group */
	struct rb_root vchildren;	/* virtual groups below, by vkey */
	struct list_head vlru;		/* the same, least recently used first */
	struct rb_node vnode;		/* in vparent->vchildren */
	struct list_head vlru_node;	/* in vparent->vlru */
	unsigned long vused;		/* jiffies of the last request put below */
	u64 vkey;			/* VM: domid; guest group: guest cgroup id */
	atomic_t vrefs;			/* requests inserted below, not finished */
	unsigned int nr_vchildren;
	unsigned int nr_vqueues;	/* VM: process queues of its guest groups */
	u8 level;			/* enum xot_level */
};

enum xot_level {
	XOT_LEVEL_CGROUP = 0,		/* a (dom0) cgroup: a blkg */
	XOT_LEVEL_VM,			/* a Xen guest */
	XOT_LEVEL_GUEST_CGROUP,		/* a cgroup inside a guest */
};

/* The blkg-backed group a (possibly virtual) group belongs to. */
static inline struct xot_grp *xot_grp_owner(struct xot_grp *grp)
{
	return grp->owner ? grp->owner : grp;
}

static inline struct blkcg_gq *xot_grp_blkg(struct xot_grp *grp)
{
	return xot_grp_owner(grp)->pd.blkg;
}

/* Elevator data of one request queue. */
struct xot_data {
	spinlock_t lock;		/* the scheduling tree and all queues */
	struct request_queue *q;
	struct xot_grp *root_grp;	/* the root cgroup's group */
	struct list_head dispatch;	/* at-head inserts: served first */
	struct rb_root sort[2];		/* queued requests by sector, per direction */
	unsigned int nr_queued;		/* requests in queues (not dispatch) */

	/* statistics, under lock */
	u64 inserted;
	u64 merged;
	u64 dispatched;
	u64 throttled;			/* dispatch refused by max_inflight */
	u64 depth_full;			/* dispatch refused: the driver is full */
	u64 slot_held;			/* dispatch left to a sibling in its turnaround */
	struct xot_window win;		/* adaptive in-flight window */

	/* anticipation: idling for a synchronous queue that just ran dry */
	struct xot_queue *antic_q;	/* pinned (refs, blkg) while set */
	struct hrtimer antic_timer;	/* restarts dispatch when the wait ends */
	u64 antic_waits;		/* dispatches held back for it */
	u64 antic_hits;			/* it came back within the wait */
	u64 antic_expired;		/* it did not (or lost its turn) */
	atomic64_t tag_limited;		/* allocations held to one tag per word */
	/* virtual groups made and freed (freed also by pd_free, unlocked) */
	atomic64_t vms_allocated;
	atomic64_t vms_freed;
	atomic64_t guest_groups_allocated;
	atomic64_t guest_groups_freed;

	/* written at completion, lock-free: a cache line of their own */
	atomic_t inflight ____cacheline_aligned_in_smp;	/* dispatched, not completed */
	u64 guest_fallbacks;		/* guest requests put in a VM's shared queue */
	u64 bypassed;			/* flush/FUA requests charged as debt */
	u64 bypassed_bytes;		/* their data, with dm's deferred data */
	atomic64_t completed;		/* window samples: completions (inflight_mode 2) */
	atomic64_t lat_ns;		/* their dispatch-to-completion times */

	/* tunables (sysfs iosched/) */
	unsigned int front_merges;
	unsigned int max_inflight;	/* 0: no limit */
	unsigned int max_queues;	/* process queues per group, and per VM */
	unsigned int max_guest_groups;	/* guest cgroups per VM */
	unsigned int max_vms;		/* VMs per dom0 cgroup */
	unsigned int idle_credit;	/* 4 KiB requests at weight 100 */
	unsigned int depth;		/* requests the driver holds at once */
	unsigned int inflight_mode;	/* 0 none, 1 driver depth, 2 + window */
	unsigned int slice_idle_us;	/* longest wait for a sync queue; 0: never */
	unsigned int tag_shares;	/* limit a group to its share of the tags */
	unsigned int slot_hold_us;	/* slot shares: longest wait; 0: off */
};

extern struct blkcg_policy blkcg_policy_xot;

static inline struct xot_grp *pd_to_grp(struct blkg_policy_data *pd)
{
	return pd ? container_of(pd, struct xot_grp, pd) : NULL;
}

static inline struct xot_grp *blkg_to_grp(struct blkcg_gq *blkg)
{
	return pd_to_grp(blkg_to_pd(blkg, &blkcg_policy_xot));
}

void xot_queue_init(struct xot_queue *xq, struct xot_grp *grp, u32 tgid, u32 weight);

/* elevator.c */
struct xot_queue *xot_proc_queue(struct xot_data *xd, struct xot_grp *grp, u32 tgid);
extern struct kmem_cache *xot_queue_cache;

/*
 * Between prepare_request and insertion, elv.priv[1] holds either the
 * issuing tgid shifted left by 2, or a struct xot_origin copy tagged with
 * XOT_RQ_ORIGIN (origin.c).
 */
#define XOT_RQ_ORIGIN		2UL
#define XOT_RQ_TGID_SHIFT	2

/*
 * A request inserted into a queue of @grp holds the blkg of the group's
 * cgroup and counts in every virtual group on the way up.
 */
static inline void xot_grp_get(struct xot_grp *grp)
{
	struct xot_grp *g;

	for (g = grp; g->owner; g = g->vparent)
		atomic_inc(&g->vrefs);
	blkg_get(xot_grp_blkg(grp));
}

/* At completion, lock-free; nothing of @grp is touched after its count drops. */
static inline void xot_grp_put(struct xot_grp *grp)
{
	struct blkcg_gq *blkg = xot_grp_blkg(grp);
	struct xot_grp *up;

	for (; grp->owner; grp = up) {
		up = grp->vparent;
		atomic_dec(&grp->vrefs);
	}
	blkg_put(blkg);
}

/* origin.c: requests from Xen guests (include/xot/origin.h) */
int xot_origin_init(void);
void xot_origin_exit(void);
struct xot_origin;
bool xot_origin_current(struct xot_origin *o);
struct xot_grp *xot_origin_vm(struct xot_grp *grp, u32 domid);
bool xot_origin_capture(struct request *rq);
struct xot_queue *xot_origin_queue_of(struct xot_data *xd, struct xot_grp *grp,
				      const struct xot_origin *o);
struct xot_queue *xot_origin_queue(struct xot_data *xd, struct xot_grp *grp,
				   struct request *rq);
void xot_origin_release(struct request *rq);
void xot_vgroups_free(struct xot_grp *grp);
void xot_vgroups_dump(struct seq_file *m, struct xot_grp *grp, int depth,
		      unsigned int *budget);

/* blkcg.c */
struct xot_grp *xot_grp_use(struct xot_data *xd, struct xot_grp *grp);
int xot_blkcg_register(void);
void xot_blkcg_unregister(void);
u32 xot_grp_weight(struct xot_grp *grp);

/* Weight of a process queue from the request's I/O priority (README). */
u32 xot_ioprio_weight(u16 ioprio);

#endif /* _XOT_IOSCHED_H */
