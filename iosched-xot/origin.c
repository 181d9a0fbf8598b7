// SPDX-License-Identifier: GPL-2.0
/*
 * Requests from Xen guests: the VM and guest-cgroup levels of the tree.
 *
 * xen-blkback submits every guest's I/O from its own kernel threads, in
 * dom0's cgroups. A provider module (xot-blkback) knows, for the request
 * current is submitting, which VM it serves and, from the guest's XoT
 * record, which guest cgroup and process issued it (include/xot/origin.h).
 * The elevator asks the provider when the request is allocated and keeps a
 * copy until the request is inserted; at insertion the request goes to a
 * queue in virtual groups below its dom0 cgroup's group:
 *
 *   dom0 cgroup (blkg) -> VM (domid, VM weight) -> guest cgroup (its guest
 *   weight) -> guest process (weight from its guest ioprio)
 *
 * Requests of a VM without a valid record go to the VM's own shared queue,
 * so a guest without the tagger, or one that lies, is still held to its VM
 * weight. Guest cgroups are flat below their VM: the record names the
 * cgroup, not its ancestors.
 *
 * Memory: virtual groups are bounded per group by the max_guest_groups
 * tunable (VMs per dom0 cgroup, guest cgroups per VM); at the bound an idle
 * group is reused, or the request goes to the VM's shared queue. Process
 * queues are bounded by max_queues per VM, over all its guest groups
 * (elevator.c: xot_proc_queue()). A VM's elevator state is thus at most
 * max_guest_groups groups and max_queues queues, whatever its guest writes.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/blkdev.h>

#include <xot/origin.h>
#include "xot.h"

static const struct xot_origin_ops __rcu *origin_ops;
static DEFINE_MUTEX(origin_mutex);
static struct kmem_cache *origin_cache;

int xot_origin_register(const struct xot_origin_ops *ops)
{
	int ret = 0;

	mutex_lock(&origin_mutex);
	if (rcu_access_pointer(origin_ops))
		ret = -EBUSY;
	else
		rcu_assign_pointer(origin_ops, ops);
	mutex_unlock(&origin_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(xot_origin_register);

void xot_origin_unregister(const struct xot_origin_ops *ops)
{
	mutex_lock(&origin_mutex);
	if (rcu_access_pointer(origin_ops) == ops)
		RCU_INIT_POINTER(origin_ops, NULL);
	mutex_unlock(&origin_mutex);
	/* callers of ops->current_origin() hold rcu_read_lock() */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xot_origin_unregister);

int xot_origin_init(void)
{
	origin_cache = KMEM_CACHE(xot_origin, 0);
	return origin_cache ? 0 : -ENOMEM;
}

void xot_origin_exit(void)
{
	kmem_cache_destroy(origin_cache);
}

/*
 * prepare_request: ask the provider, if any, where the request comes from.
 * On true, rq->elv.priv[1] holds a copy of the answer (XOT_RQ_ORIGIN) until
 * insertion or, if the request is never inserted, until it is finished.
 */
bool xot_origin_capture(struct request *rq)
{
	const struct xot_origin_ops *ops;
	struct xot_origin o, *copy;
	bool known = false;

	if (!rcu_access_pointer(origin_ops))
		return false;
	rcu_read_lock();
	ops = rcu_dereference(origin_ops);
	if (ops)
		known = ops->current_origin(&o);
	rcu_read_unlock();
	if (!known)
		return false;
	/* no memory: the request is scheduled as the blkback thread's own */
	copy = kmem_cache_alloc(origin_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!copy)
		return false;
	*copy = o;
	rq->elv.priv[1] = (void *)((unsigned long)copy | XOT_RQ_ORIGIN);
	return true;
}

static struct xot_origin *rq_origin(struct request *rq)
{
	unsigned long v = (unsigned long)rq->elv.priv[1];

	return v & XOT_RQ_ORIGIN ? (struct xot_origin *)(v & ~XOT_RQ_ORIGIN) : NULL;
}

void xot_origin_release(struct request *rq)
{
	struct xot_origin *o = rq_origin(rq);

	if (o) {
		kmem_cache_free(origin_cache, o);
		rq->elv.priv[1] = NULL;
	}
}

/* ------------------------------------------------------------ virtual groups */

static bool vgroup_idle(struct xot_grp *vg)
{
	return !atomic_read(&vg->vrefs) && !vg->group.entity.active &&
	       !vg->group.nr_active;
}

/* Free @vg and everything below it. It is idle and nothing refers to it. */
static void vgroup_free(struct xot_grp *vg)
{
	struct xot_queue *xq, *tmp;

	xot_vgroups_free(vg);
	/* a guest group's queues count in its VM's budget (xot_proc_queue()) */
	if (vg->level == XOT_LEVEL_GUEST_CGROUP)
		vg->vparent->nr_vqueues -= vg->nr_queues;
	rbtree_postorder_for_each_entry_safe(xq, tmp, &vg->queues, node) {
		WARN_ON_ONCE(xq->nr_queued || atomic_read(&xq->refs));
		kmem_cache_free(xot_queue_cache, xq);
	}
	kfree(vg);
}

/* Every virtual group below @grp (pd_free, or reclaim of a VM). */
void xot_vgroups_free(struct xot_grp *grp)
{
	struct xot_grp *vg, *tmp;

	rbtree_postorder_for_each_entry_safe(vg, tmp, &grp->vchildren, vnode) {
		WARN_ON_ONCE(atomic_read(&vg->vrefs));
		vgroup_free(vg);
	}
	grp->vchildren = RB_ROOT;
	grp->nr_vchildren = 0;
}

static struct xot_grp *vgroup_find(struct xot_grp *parent, u64 key,
				   struct rb_node ***linkp, struct rb_node **parentp)
{
	struct rb_node **link = &parent->vchildren.rb_node, *up = NULL;

	while (*link) {
		struct xot_grp *vg = rb_entry(*link, struct xot_grp, vnode);

		up = *link;
		if (key < vg->vkey)
			link = &up->rb_left;
		else if (key > vg->vkey)
			link = &up->rb_right;
		else
			return vg;
	}
	*linkp = link;
	*parentp = up;
	return NULL;
}

/* Reuse room taken by an idle virtual group below @parent, if there is one. */
static bool vgroup_reclaim(struct xot_grp *parent)
{
	struct rb_node *n;

	for (n = rb_first(&parent->vchildren); n; n = rb_next(n)) {
		struct xot_grp *vg = rb_entry(n, struct xot_grp, vnode);
		struct rb_node *c;
		bool idle = vgroup_idle(vg);

		/* a VM is idle only if every guest group in it is */
		for (c = rb_first(&vg->vchildren); idle && c; c = rb_next(c))
			idle = vgroup_idle(rb_entry(c, struct xot_grp, vnode));
		if (!idle)
			continue;
		rb_erase(n, &parent->vchildren);
		parent->nr_vchildren--;
		vgroup_free(vg);
		return true;
	}
	return false;
}

/* The virtual group @key below @parent, created if there is room. */
static struct xot_grp *vgroup_get(struct xot_data *xd, struct xot_grp *parent,
				  u64 key, u32 weight, u8 level)
{
	struct rb_node **link, *up;
	struct xot_grp *vg = vgroup_find(parent, key, &link, &up);

	if (vg) {
		if (vg->group.entity.weight != weight)
			xot_entity_set_weight(&vg->group.entity, weight);
		return vg;
	}
	if (parent->nr_vchildren >= READ_ONCE(xd->max_guest_groups)) {
		if (!vgroup_reclaim(parent))
			return NULL;
		vgroup_find(parent, key, &link, &up);
	}
	vg = kzalloc(sizeof(*vg), GFP_NOWAIT | __GFP_NOWARN);
	if (!vg)
		return NULL;
	vg->xd = xd;
	vg->owner = xot_grp_owner(parent);
	vg->vparent = parent;
	vg->vkey = key;
	vg->level = level;
	vg->queues = RB_ROOT;
	vg->vchildren = RB_ROOT;
	INIT_LIST_HEAD(&vg->idle_queues);
	atomic_set(&vg->vrefs, 0);
	xot_group_init(&vg->group, &parent->group, weight);
	xot_queue_init(&vg->shared_q, vg, 0, XOT_WEIGHT_DEFAULT);
	rb_link_node(&vg->vnode, up, link);
	rb_insert_color(&vg->vnode, &parent->vchildren);
	parent->nr_vchildren++;
	return vg;
}

/*
 * insert_requests, under xd->lock: the queue of a request from a guest, in
 * @grp, the group of the dom0 cgroup it was submitted from. Consumes the
 * origin copy. NULL if the request carries no origin.
 */
struct xot_queue *xot_origin_queue(struct xot_data *xd, struct xot_grp *grp,
				   struct request *rq)
{
	struct xot_origin *o = rq_origin(rq);
	struct xot_queue *xq = NULL;
	struct xot_grp *vm, *gg;

	if (!o)
		return NULL;
	vm = vgroup_get(xd, grp, o->domid, xot_weight_clamp(o->vm_weight),
			XOT_LEVEL_VM);
	if (!vm) {
		xq = &grp->shared_q;
		goto out;
	}
	if (!(o->flags & XOT_ORIGIN_F_RECORD)) {
		xq = &vm->shared_q;
		goto out;
	}
	gg = vgroup_get(xd, vm, o->cgroup_id, xot_weight_clamp(o->weight),
			XOT_LEVEL_GUEST_CGROUP);
	if (!gg) {
		xd->guest_fallbacks++;
		xq = &vm->shared_q;
		goto out;
	}
	/* writeback and guest kernel threads: the guest cgroup's shared queue */
	if (!o->tgid) {
		xq = &gg->shared_q;
		goto out;
	}
	xq = xot_proc_queue(xd, gg, o->tgid);
	if (xq != &gg->shared_q)
		xot_entity_set_weight(&xq->entity, xot_ioprio_weight(o->ioprio));
out:
	xot_origin_release(rq);
	return xq;
}

/*
 * debugfs tree: the virtual groups below @grp, indented by @depth, one line
 * per group and queue while *@budget lasts (elevator.c: xot_tree_show()).
 */
void xot_vgroups_dump(struct seq_file *m, struct xot_grp *grp, int depth,
		      unsigned int *budget)
{
	static const char *const what[] = { "cgroup", "vm", "guest-cgroup" };
	struct rb_node *n, *qn;

	for (n = rb_first(&grp->vchildren); n && *budget; n = rb_next(n)) {
		struct xot_grp *vg = rb_entry(n, struct xot_grp, vnode);

		seq_printf(m, "%*s%s %llu w=%u vt=%llu vclock=%llu active_children=%u queues=%u refs=%d rqs=%lld%s\n",
			   2 * depth, "", what[vg->level], vg->vkey,
			   vg->group.entity.weight, vg->group.entity.vtime,
			   vg->group.vclock, vg->group.nr_active, vg->nr_queues,
			   atomic_read(&vg->vrefs),
			   (long long)READ_ONCE(vg->stats.rqs),
			   vg->group.entity.active ? " active" : "");
		seq_printf(m, "%*s  shared tgid=0 w=%u queued=%u rqs=%llu\n", 2 * depth, "",
			   vg->shared_q.entity.weight, vg->shared_q.nr_queued,
			   vg->shared_q.dispatched);
		(*budget)--;
		for (qn = rb_first(&vg->queues); qn && *budget; qn = rb_next(qn), (*budget)--) {
			struct xot_queue *xq = rb_entry(qn, struct xot_queue, node);

			seq_printf(m, "%*s  process tgid=%u w=%u queued=%u refs=%d rqs=%llu\n",
				   2 * depth, "", xq->tgid, xq->entity.weight,
				   xq->nr_queued, atomic_read(&xq->refs), xq->dispatched);
		}
		xot_vgroups_dump(m, vg, depth + 1, budget);
	}
}
