/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request origin: the kernel interface through which a module that knows
 * where a request really comes from (xot-blkback: which VM, and, from the
 * guest's XoT record, which guest cgroup and process) tells the xot
 * elevator. The elevator asks when a request is allocated, in the context
 * of the task submitting it (for blkback: the ring thread, which also
 * submits the dm-linear clones below a VM's volume), so the provider
 * answers from what it knows about current.
 */
#ifndef _XOT_ORIGIN_H
#define _XOT_ORIGIN_H

#include <linux/types.h>

struct module;

#define XOT_ORIGIN_F_RECORD	(1U << 0)	/* guest fields below are valid */

struct xot_origin {
	u32 domid;		/* the VM */
	u32 vm_weight;		/* the VM's weight, 1..10000 */
	/* from the guest's record, if XOT_ORIGIN_F_RECORD */
	u64 cgroup_id;		/* guest cgroup */
	u32 weight;		/* its io.xot.weight in the guest */
	u32 tgid;		/* guest process; 0: writeback or kernel */
	u16 ioprio;		/* guest I/O priority */
	u16 flags;
	/*
	 * Data sectors of the preflush write being submitted that a bio-based
	 * device (dm) will resubmit without the flush from its own worker,
	 * where no provider knows the VM: the elevator charges them with the
	 * flush (docs/design.md, "Requests that bypass the elevator"). 0 if
	 * none.
	 */
	u32 deferred_sectors;
};

struct xot_origin_ops {
	struct module *owner;
	/*
	 * Fill @o for the request current is submitting and return true, or
	 * return false if current is not a task the provider knows. Called
	 * with preemption possibly disabled: must not sleep.
	 */
	bool (*current_origin)(struct xot_origin *o);
};

/* Only one provider at a time: -EBUSY otherwise. */
int xot_origin_register(const struct xot_origin_ops *ops);
/* Returns once no elevator can still be calling @ops. */
void xot_origin_unregister(const struct xot_origin_ops *ops);

/*
 * The io.xot.weight applying to I/O of @blkg's cgroup on @blkg's device,
 * whether or not that device uses the xot scheduler (the per-device line
 * counts only on xot devices; the "default" line everywhere). Used by the
 * guest tagger. Caller holds rcu_read_lock() or a reference on @blkg.
 */
struct blkcg_gq;
u32 xot_blkg_weight(struct blkcg_gq *blkg);

#endif /* _XOT_ORIGIN_H */
