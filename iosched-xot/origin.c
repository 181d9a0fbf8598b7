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
 * Memory: a dom0 cgroup holds at most max_vms VMs and a VM at most
 * max_guest_groups guest cgroups; process queues are bounded by max_queues
 * per VM, over all its guest groups (elevator.c: xot_proc_queue()). A VM's
 * elevator state is thus at most max_guest_groups groups and max_queues
 * queues, whatever its guest writes.
 *
 * Xen gives a guest a new domid at every boot, so the VMs of a dom0 cgroup
 * come and go: a VM (or guest cgroup) that has had no request for
 * XOT_VGROUP_IDLE_S seconds and holds nothing (no request inserted and not
 * finished, nothing queued, no slot-share wait) is freed, oldest first,
 * while its parent has more than XOT_VGROUP_KEEP children; at a cap, the
 * least recently used idle one is freed at once. Each parent keeps its
 * children on an LRU list (vlru), so that every decision looks at the
 * head of a list, not at all the children.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/blkdev.h>

#include <xot/origin.h>
#include <xot/slots.h>
#include "xot.h"

static const struct xot_origin_ops __rcu *origin_ops;
static DEFINE_MUTEX(origin_mutex);
static struct kmem_cache *origin_cache;
/*
 * Virtual groups: struct xot_grp is a little over 1 KiB (the core group's
 * calendar), which kmalloc would round up to 2 KiB.
 */
static struct kmem_cache *vgroup_cache;

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
	if (!origin_cache)
		return -ENOMEM;
	vgroup_cache = kmem_cache_create("xot_vgroup", sizeof(struct xot_grp),
					 __alignof__(struct xot_grp), 0, NULL);
	if (!vgroup_cache) {
		kmem_cache_destroy(origin_cache);
		return -ENOMEM;
	}
	return 0;
}

void xot_origin_exit(void)
{
	kmem_cache_destroy(vgroup_cache);
	kmem_cache_destroy(origin_cache);
}

/*
 * Ask the provider, if any, where the I/O current is submitting comes from.
 * In the submitting task's context; may run with preemption disabled.
 */
bool xot_origin_current(struct xot_origin *o)
{
	const struct xot_origin_ops *ops;
	bool known = false;

	if (!rcu_access_pointer(origin_ops))
		return false;
	rcu_read_lock();
	ops = rcu_dereference(origin_ops);
	if (ops)
		known = ops->current_origin(o);
	rcu_read_unlock();
	return known;
}

/*
 * prepare_request: on true, rq->elv.priv[1] holds a copy of the origin
 * (XOT_RQ_ORIGIN) until insertion or, if the request is never inserted,
 * until it is finished.
 */
bool xot_origin_capture(struct request *rq)
{
	struct xot_origin o, *copy;

	if (!xot_origin_current(&o))
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

/* children kept below a parent whatever their age: cheap to keep, and reused */
#define XOT_VGROUP_KEEP		4
/* a child idle for longer is freed once its parent has more than the above */
#define XOT_VGROUP_IDLE_S	10
/* children looked at per decision; the busy ones go to the back of the list */
#define XOT_VGROUP_TRIES	4

/*
 * Nothing refers to @vg or below: no request inserted below it and not
 * finished (vrefs counts those of its whole subtree, and the anticipation
 * pin), so nothing queued or in flight, and its parent waits for no slot
 * of it (slot shares). xot_grp_put() touches nothing of a group after its
 * count drops, so a zero count read here under xd->lock stays zero.
 */
static bool vgroup_idle(struct xot_grp *vg)
{
	const struct xot_entity *e = &vg->group.entity;

	return !atomic_read(&vg->vrefs) && !e->active && !vg->group.nr_active &&
	       !xot_slots_waited_for(e);
}

/* Free @vg and everything below it. It is out of its parent's tree and list. */
static void vgroup_free(struct xot_grp *vg)
{
	struct xot_data *xd = vg->xd;
	struct xot_queue *xq, *tmp;

	xot_vgroups_free(vg);
	/* a guest group's queues count in its VM's budget (xot_proc_queue()) */
	if (vg->level == XOT_LEVEL_GUEST_CGROUP)
		vg->vparent->nr_vqueues -= vg->nr_queues;
	rbtree_postorder_for_each_entry_safe(xq, tmp, &vg->queues, node) {
		WARN_ON_ONCE(xq->nr_queued || atomic_read(&xq->refs));
		/* a guest group's idle queues wait in its VM's list */
		list_del(&xq->idle);
		kmem_cache_free(xot_queue_cache, xq);
	}
	atomic64_inc(vg->level == XOT_LEVEL_VM ? &xd->vms_freed :
		     &xd->guest_groups_freed);
	kmem_cache_free(vgroup_cache, vg);
}

/*
 * Every virtual group below @grp: pd_free of a blkg's group (nothing
 * refers to any of them then, and no lock is held), or a virtual group
 * being freed.
 */
void xot_vgroups_free(struct xot_grp *grp)
{
	struct xot_grp *vg, *tmp;

	rbtree_postorder_for_each_entry_safe(vg, tmp, &grp->vchildren, vnode) {
		WARN_ON_ONCE(atomic_read(&vg->vrefs));
		vgroup_free(vg);
	}
	grp->vchildren = RB_ROOT;
	INIT_LIST_HEAD(&grp->vlru);
	grp->nr_vchildren = 0;
}

static void vgroup_unlink_free(struct xot_grp *parent, struct xot_grp *vg)
{
	rb_erase(&vg->vnode, &parent->vchildren);
	list_del(&vg->vlru_node);
	parent->nr_vchildren--;
	vgroup_free(vg);
}

/*
 * Free the least recently used idle child of @parent, looking at a few
 * from the head of its LRU list; with @old_only, only one unused for
 * XOT_VGROUP_IDLE_S. True if one was freed.
 */
static bool vgroup_reclaim(struct xot_grp *parent, bool old_only)
{
	struct xot_grp *vg;
	int i;

	for (i = 0; i < XOT_VGROUP_TRIES && !list_empty(&parent->vlru); i++) {
		vg = list_first_entry(&parent->vlru, struct xot_grp, vlru_node);
		/* the list is in order of use: nothing older behind the head */
		if (old_only && time_before(jiffies, vg->vused + XOT_VGROUP_IDLE_S * HZ))
			return false;
		if (vgroup_idle(vg)) {
			vgroup_unlink_free(parent, vg);
			return true;
		}
		/* requests in the device for that long (or pinned): look later */
		list_move_tail(&vg->vlru_node, &parent->vlru);
	}
	return false;
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

/* Under xd->lock: the group of VM @domid below @grp, if it exists. */
struct xot_grp *xot_origin_vm(struct xot_grp *grp, u32 domid)
{
	struct rb_node **link, *up;

	lockdep_assert_held(&grp->xd->lock);
	return vgroup_find(grp, domid, &link, &up);
}

/*
 * The virtual group @key below @parent, created if there is room, and
 * marked used. At most one long-idle child of @parent is freed per call:
 * the work under the lock stays bounded, and a parent that keeps being
 * used sheds its dead children (old domids) one request at a time.
 */
static struct xot_grp *vgroup_get(struct xot_data *xd, struct xot_grp *parent,
				  u64 key, u32 weight, u8 level)
{
	unsigned int max = level == XOT_LEVEL_VM ? READ_ONCE(xd->max_vms) :
			   READ_ONCE(xd->max_guest_groups);
	struct rb_node **link, *up;
	struct xot_grp *vg;

	if (parent->nr_vchildren > XOT_VGROUP_KEEP)
		vgroup_reclaim(parent, true);
	vg = vgroup_find(parent, key, &link, &up);
	if (vg) {
		if (vg->group.entity.weight != weight)
			xot_entity_set_weight(&vg->group.entity, weight);
		list_move_tail(&vg->vlru_node, &parent->vlru);
		vg->vused = jiffies;
		return vg;
	}
	if (parent->nr_vchildren >= max) {
		if (!vgroup_reclaim(parent, false))
			return NULL;
		vgroup_find(parent, key, &link, &up);
	}
	vg = kmem_cache_zalloc(vgroup_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!vg)
		return NULL;
	vg->xd = xd;
	vg->owner = xot_grp_owner(parent);
	vg->vparent = parent;
	vg->vkey = key;
	vg->level = level;
	vg->linked = true;
	vg->queues = RB_ROOT;
	vg->vchildren = RB_ROOT;
	INIT_LIST_HEAD(&vg->vlru);
	INIT_LIST_HEAD(&vg->idle_queues);
	atomic_set(&vg->vrefs, 0);
	xot_group_init(&vg->group, &parent->group, weight);
	xot_queue_init(&vg->shared_q, vg, 0, XOT_WEIGHT_DEFAULT);
	rb_link_node(&vg->vnode, up, link);
	rb_insert_color(&vg->vnode, &parent->vchildren);
	list_add_tail(&vg->vlru_node, &parent->vlru);
	vg->vused = jiffies;
	parent->nr_vchildren++;
	atomic64_inc(level == XOT_LEVEL_VM ? &xd->vms_allocated :
		     &xd->guest_groups_allocated);
	return vg;
}

/*
 * Under xd->lock: the queue of I/O from a guest whose origin is @o, in @grp,
 * the group of the dom0 cgroup it was submitted from.
 */
struct xot_queue *xot_origin_queue_of(struct xot_data *xd, struct xot_grp *grp,
				      const struct xot_origin *o)
{
	struct xot_grp *vm, *gg;
	struct xot_queue *xq;

	vm = vgroup_get(xd, grp, o->domid, xot_weight_clamp(o->vm_weight),
			XOT_LEVEL_VM);
	if (!vm)
		return &grp->shared_q;
	if (!(o->flags & XOT_ORIGIN_F_RECORD))
		return &vm->shared_q;
	gg = vgroup_get(xd, vm, o->cgroup_id, xot_weight_clamp(o->weight),
			XOT_LEVEL_GUEST_CGROUP);
	if (!gg) {
		xd->guest_fallbacks++;
		return &vm->shared_q;
	}
	/* writeback and guest kernel threads: the guest cgroup's shared queue */
	if (!o->tgid)
		return &gg->shared_q;
	xq = xot_proc_queue(xd, gg, o->tgid);
	if (xq != &gg->shared_q)
		xot_entity_set_weight(&xq->entity, xot_ioprio_weight(o->ioprio));
	return xq;
}

/*
 * insert_requests, under xd->lock: the queue of a request from a guest.
 * Consumes the origin copy. NULL if the request carries no origin.
 */
struct xot_queue *xot_origin_queue(struct xot_data *xd, struct xot_grp *grp,
				   struct request *rq)
{
	struct xot_origin *o = rq_origin(rq);
	struct xot_queue *xq;

	if (!o)
		return NULL;
	xq = xot_origin_queue_of(xd, grp, o);
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
