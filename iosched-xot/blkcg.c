// SPDX-License-Identifier: GPL-2.0
/*
 * The xot blkcg policy: io.xot.weight and io.xot.stat on cgroup v2
 * (blkio.xot.weight and blkio.xot.stat on v1), and the per-blkg groups that
 * place every cgroup in the elevator's scheduling tree.
 *
 * Locking: the elevator's lock (xd->lock) is taken with plain spin_lock()
 * on the I/O path (insert, dispatch, bio_merge), with softirqs and
 * interrupts on: it is never taken in interrupt context, and it must never
 * be taken under a lock that is. The policy callbacks (pd_init, pd_free,
 * pd_offline) and the cgroup file writers run under the request queue's
 * queue_lock or the blkcg's lock, with interrupts off, and blk-throttle's
 * timer takes the queue_lock in softirq: taking xd->lock in there would
 * make it SOFTIRQ-safe -> SOFTIRQ-unsafe, and a CPU holding xd->lock in
 * process context, interrupted by that timer, would deadlock with one
 * holding the queue_lock and waiting for xd->lock.
 *
 * So nothing here takes xd->lock:
 *  - pd_init only initialises the group's own fields; the elevator links
 *    the group into its tree under xd->lock when it first uses it
 *    (xot_grp_use(): ancestors first, each from its parent's clock);
 *  - a weight write stores the new weight in the group (grp->weight,
 *    serialised by the blkcg's lock); the elevator applies it at the next
 *    insertion below the group, one compare per level of the path;
 *  - pd_free runs when no request, no pin and no child blkg refers to the
 *    group any more (each holds a blkg reference), so it frees the group
 *    and everything below it without the elevator's lock, linked or not.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/cgroup.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/backing-dev.h>

#include <block/elevator.h>

#include <xot/weight.h>
#include <xot/origin.h>
#include "xot.h"

/* Per-cgroup data: its default weight on every device. */
struct xot_cg {
	struct blkcg_policy_data cpd;
	u32 weight;
};

static struct xot_cg *cpd_to_cg(struct blkcg_policy_data *cpd)
{
	return cpd ? container_of(cpd, struct xot_cg, cpd) : NULL;
}

static struct xot_cg *blkcg_to_cg(struct blkcg *blkcg)
{
	return cpd_to_cg(blkcg_to_cpd(blkcg, &blkcg_policy_xot));
}

u32 xot_grp_weight(struct xot_grp *grp)
{
	struct xot_cg *cg = blkcg_to_cg(grp->pd.blkg->blkcg);

	u32 dev_weight = READ_ONCE(grp->dev_weight);

	if (dev_weight)
		return dev_weight;
	return cg ? READ_ONCE(cg->weight) : XOT_WEIGHT_DEFAULT;
}

u32 xot_blkg_weight(struct blkcg_gq *blkg)
{
	struct xot_grp *grp = blkg_to_grp(blkg);
	struct xot_cg *cg;

	if (grp)
		return xot_grp_weight(grp);
	cg = blkcg_to_cg(blkg->blkcg);
	return cg ? READ_ONCE(cg->weight) : XOT_WEIGHT_DEFAULT;
}
EXPORT_SYMBOL_GPL(xot_blkg_weight);

/*
 * Publish a group's weight for the elevator (xot_grp_use()). Callers hold
 * the blkcg's lock, so that a default-weight write and a per-device write
 * racing on one group cannot leave the older value behind.
 */
static void grp_update_weight(struct xot_grp *grp)
{
	WRITE_ONCE(grp->weight, xot_weight_clamp(xot_grp_weight(grp)));
}

/* The group of @grp's parent cgroup on the same device; NULL for the root. */
static struct xot_grp *xot_grp_blkg_parent(struct xot_data *xd, struct xot_grp *grp)
{
	struct blkcg_gq *parent = grp->pd.blkg->parent;
	struct xot_grp *up;

	if (!parent)
		return NULL;
	up = blkg_to_grp(parent);
	/* every blkg of the queue has the policy's data while it is on */
	return !WARN_ON_ONCE(!up) ? up : xd->root_grp;
}

/* Link @grp under its parent group, which is linked. Under xd->lock. */
static void xot_grp_link(struct xot_data *xd, struct xot_grp *grp)
{
	struct xot_grp *parent = xot_grp_blkg_parent(xd, grp);

	if (parent)
		/* from the parent's clock: a new group gets no head start */
		xot_group_init(&grp->group, &parent->group, READ_ONCE(grp->weight));
	else
		xot_group_init_root(&grp->group);
	xot_queue_init(&grp->shared_q, grp, 0, XOT_WEIGHT_DEFAULT);
	grp->linked = true;
}

/*
 * Under xd->lock, before a request of @grp (a blkg's group) is queued: link
 * the group and any unlinked ancestor into the tree, parents first, and
 * apply weights written since the path was last used. Returns @grp.
 */
struct xot_grp *xot_grp_use(struct xot_data *xd, struct xot_grp *grp)
{
	struct xot_group *p;
	struct xot_grp *g, *up;

	lockdep_assert_held(&xd->lock);
	/* the topmost unlinked group first, until @grp is linked: rare */
	while (unlikely(!grp->linked)) {
		for (g = grp; (up = xot_grp_blkg_parent(xd, g)) && !up->linked; g = up)
			;
		xot_grp_link(xd, g);
	}
	/* the root's weight is nobody's business: it has no siblings */
	for (g = grp; (p = g->group.entity.parent); g = container_of(p, struct xot_grp, group)) {
		u32 w = READ_ONCE(g->weight);

		if (unlikely(w != g->group.entity.weight))
			xot_entity_set_weight(&g->group.entity, w);
	}
	return grp;
}

/* ---------------------------------------------------------- policy callbacks */

/*
 * Initialised here, not in a cpd_init_fn: 6.12 has none, and 6.1 only ever
 * called it right after cpd_alloc_fn.
 */
static struct blkcg_policy_data *xot_cpd_alloc(gfp_t gfp)
{
	struct xot_cg *cg = kzalloc(sizeof(*cg), gfp);

	if (!cg)
		return NULL;
	cg->weight = XOT_WEIGHT_DEFAULT;
	return &cg->cpd;
}

static void xot_cpd_free(struct blkcg_policy_data *cpd)
{
	kfree(cpd_to_cg(cpd));
}

/* called by the policy's pd_alloc_fn, xot_pd_alloc() (compat.h) */
struct blkg_policy_data *xot_pd_alloc_node(gfp_t gfp, int node)
{
	struct xot_grp *grp = kzalloc_node(sizeof(*grp), gfp, node);

	return grp ? &grp->pd : NULL;
}

/*
 * A new blkg. Under the queue_lock with interrupts off: the group's own
 * fields only, unlinked; the elevator links it at its first request
 * (xot_grp_use()).
 */
static void xot_pd_init(struct blkg_policy_data *pd)
{
	struct xot_grp *grp = pd_to_grp(pd);

	grp->xd = pd->blkg->q->elevator->elevator_data;
	grp->queues = RB_ROOT;
	grp->vchildren = RB_ROOT;
	INIT_LIST_HEAD(&grp->vlru);
	INIT_LIST_HEAD(&grp->idle_queues);
	grp->linked = false;
	grp_update_weight(grp);
}

/*
 * Free the group and everything below it. Nothing refers to it any more:
 * requests and the anticipation pin hold its blkg, and so does every child
 * blkg. May run under the queue_lock (policy deactivation, or a failed
 * activation, where @pd may never have been initialised: all zero then),
 * so it takes no elevator lock.
 */
static void xot_pd_free(struct blkg_policy_data *pd)
{
	struct xot_grp *grp = pd_to_grp(pd);
	struct xot_queue *xq, *tmp;

	xot_vgroups_free(grp);
	rbtree_postorder_for_each_entry_safe(xq, tmp, &grp->queues, node) {
		WARN_ON_ONCE(xq->nr_queued || atomic_read(&xq->refs));
		kmem_cache_free(xot_queue_cache, xq);
	}
	WARN_ON_ONCE(grp->group.nr_active || grp->shared_q.nr_queued);
	kfree(grp);
}

static void xot_pd_reset_stats(struct blkg_policy_data *pd)
{
	struct xot_grp_stats *s = &pd_to_grp(pd)->stats;

	WRITE_ONCE(s->rqs, 0);
	WRITE_ONCE(s->bytes, 0);
	WRITE_ONCE(s->wait_ns, 0);
	WRITE_ONCE(s->flush_rqs, 0);
	WRITE_ONCE(s->flush_bytes, 0);
	atomic64_set(&s->service_ns, 0);
}

/* ------------------------------------------------------------ cgroup files */

/* "MAJ:MIN" of a blkg's device; the kernel's blkg_dev_name() is not exported. */
static const char *xot_blkg_dev_name(struct blkcg_gq *blkg)
{
	if (!blkg->q->disk || !blkg->q->disk->bdi->dev)
		return NULL;
	return bdi_dev_name(blkg->q->disk->bdi);
}

static u64 weight_prfill(struct seq_file *sf, struct blkg_policy_data *pd, int off)
{
	const char *dname = xot_blkg_dev_name(pd->blkg);
	struct xot_grp *grp = pd_to_grp(pd);

	if (dname && grp->dev_weight)
		seq_printf(sf, "%s %u\n", dname, grp->dev_weight);
	return 0;
}

static int xot_weight_show(struct seq_file *sf, void *v)
{
	struct blkcg *blkcg = css_to_blkcg(seq_css(sf));
	struct xot_cg *cg = blkcg_to_cg(blkcg);

	seq_printf(sf, "default %u\n", cg ? cg->weight : XOT_WEIGHT_DEFAULT);
	blkcg_print_blkgs(sf, blkcg, weight_prfill, &blkcg_policy_xot, 0, false);
	return 0;
}

/*
 * The whole line is validated by the shared parser before anything is
 * looked up or changed, so a bad line returns -EINVAL and changes nothing.
 */
static ssize_t xot_weight_write(struct kernfs_open_file *of, char *buf,
				size_t nbytes, loff_t off)
{
	struct blkcg *blkcg = css_to_blkcg(of_css(of));
	struct xot_cg *cg = blkcg_to_cg(blkcg);
	struct xot_weight_line line;
	struct blkg_conf_ctx ctx;
	struct blkcg_gq *blkg;
	struct xot_grp *grp;
	int ret;

	if (xot_weight_line_parse(buf, &line))
		return -EINVAL;
	if (!cg)
		return -ENODEV;

	if (!line.has_dev) {
		spin_lock_irq(&blkcg->lock);
		WRITE_ONCE(cg->weight, line.weight);
		hlist_for_each_entry(blkg, &blkcg->blkg_list, blkcg_node) {
			grp = blkg_to_grp(blkg);
			if (grp)
				grp_update_weight(grp);
		}
		spin_unlock_irq(&blkcg->lock);
		return nbytes;
	}

	/*
	 * xot_blkg_conf_prep() finds the device and its blkg. An unknown device is
	 * bad input like any other (-EINVAL), not a missing resource.
	 */
	ret = xot_blkg_conf_prep(blkcg, &blkcg_policy_xot, buf, &ctx);
	if (ret)
		return ret == -ENODEV ? -EINVAL : ret;
	grp = blkg_to_grp(ctx.blkg);
	if (!grp) {
		/* the device does not use the xot scheduler */
		xot_blkg_conf_finish(&ctx);
		return -EINVAL;
	}
	/* the blkcg's lock nests in the queue_lock, as in blkg_create() */
	spin_lock(&blkcg->lock);
	WRITE_ONCE(grp->dev_weight, line.reset ? 0 : line.weight);
	grp_update_weight(grp);
	spin_unlock(&blkcg->lock);
	xot_blkg_conf_finish(&ctx);
	return nbytes;
}

static u64 stat_prfill(struct seq_file *sf, struct blkg_policy_data *pd, int off)
{
	const char *dname = xot_blkg_dev_name(pd->blkg);
	struct xot_grp_stats *s = &pd_to_grp(pd)->stats;

	if (!dname)
		return 0;
	seq_printf(sf, "%s rqs=%llu bytes=%llu service_us=%lld wait_us=%llu flush_rqs=%llu flush_bytes=%llu\n",
		   dname, READ_ONCE(s->rqs), READ_ONCE(s->bytes),
		   div_s64(atomic64_read(&s->service_ns), NSEC_PER_USEC),
		   div_u64(READ_ONCE(s->wait_ns), NSEC_PER_USEC),
		   READ_ONCE(s->flush_rqs), READ_ONCE(s->flush_bytes));
	return 0;
}

static int xot_stat_show(struct seq_file *sf, void *v)
{
	blkcg_print_blkgs(sf, css_to_blkcg(seq_css(sf)), stat_prfill,
			  &blkcg_policy_xot, 0, false);
	return 0;
}

/*
 * The same files on both hierarchies; the cgroup core links each array into
 * its own lists, so v1 and v2 need one array each.
 */
#define XOT_CGROUP_FILES {						\
	{								\
		.name = "xot.weight",					\
		.flags = CFTYPE_NOT_ON_ROOT,				\
		.seq_show = xot_weight_show,				\
		.write = xot_weight_write,				\
	},								\
	{								\
		.name = "xot.stat",					\
		.seq_show = xot_stat_show,				\
	},								\
	{}								\
}

/* cgroup v2: io.xot.weight, io.xot.stat */
static struct cftype xot_dfl_files[] = XOT_CGROUP_FILES;
/* cgroup v1: blkio.xot.weight, blkio.xot.stat */
static struct cftype xot_legacy_files[] = XOT_CGROUP_FILES;

struct blkcg_policy blkcg_policy_xot = {
	.dfl_cftypes		= xot_dfl_files,
	.legacy_cftypes		= xot_legacy_files,
	.cpd_alloc_fn		= xot_cpd_alloc,
	.cpd_free_fn		= xot_cpd_free,
	.pd_alloc_fn		= xot_pd_alloc,
	.pd_init_fn		= xot_pd_init,
	.pd_free_fn		= xot_pd_free,
	.pd_reset_stats_fn	= xot_pd_reset_stats,
};

int xot_blkcg_register(void)
{
	return blkcg_policy_register(&blkcg_policy_xot);
}

void xot_blkcg_unregister(void)
{
	blkcg_policy_unregister(&blkcg_policy_xot);
}
