// SPDX-License-Identifier: GPL-2.0
/*
 * XoT portable scheduling core: hierarchical weighted fair queueing.
 * See include/xot/sched.h for the model. This file is compiled unchanged into
 * the xot elevator and into the userspace tests, simulator and benchmarks.
 */
#include <xot/sched.h>

/* ------------------------------------------------------------ pairing heap */

/*
 * Heap order: smaller virtual time first; on equal virtual times the larger
 * weight first. Equal start tags happen whenever an entity returns from
 * idling (it starts at its group's clock, beside the busy entities that
 * have not been served yet in this round); the larger weight has the
 * earlier finish tag for the same cost, so it goes first, as in WF2Q. This
 * is what lets a depth-1 reader with a large weight pass equal-tagged
 * writers instead of queueing behind them.
 */
static bool hp_before(const struct xot_entity *a, const struct xot_entity *b)
{
	if (a->vtime != b->vtime)
		return xot_vt_before(a->vtime, b->vtime);
	return a->weight > b->weight;
}

/* Link two heap roots; the one that goes first becomes the root. */
static struct xot_entity *hp_link(struct xot_entity *a, struct xot_entity *b)
{
	struct xot_entity *t;

	if (hp_before(b, a)) {
		t = a;
		a = b;
		b = t;
	}
	/* b becomes the first child of a */
	b->hp_prev = a;
	b->hp_next = a->hp_child;
	if (a->hp_child)
		a->hp_child->hp_prev = b;
	a->hp_child = b;
	a->hp_next = NULL;
	a->hp_prev = NULL;
	return a;
}

/*
 * Two-pass pairing of a sibling list (the children of a removed node):
 * link neighbours left to right, then fold the pairs right to left.
 */
static struct xot_entity *hp_merge_pairs(struct xot_entity *first)
{
	struct xot_entity *pairs = NULL;	/* linked through hp_prev, reversed */
	struct xot_entity *a, *b, *next, *root;

	while (first) {
		a = first;
		b = a->hp_next;
		if (!b) {
			a->hp_next = NULL;
			a->hp_prev = pairs;
			pairs = a;
			break;
		}
		next = b->hp_next;
		a->hp_next = NULL;
		b->hp_next = NULL;
		a = hp_link(a, b);
		a->hp_prev = pairs;
		pairs = a;
		first = next;
	}

	root = NULL;
	while (pairs) {
		next = pairs->hp_prev;
		pairs->hp_prev = NULL;
		root = root ? hp_link(root, pairs) : pairs;
		pairs = next;
	}
	return root;
}

static void hp_insert(struct xot_group *g, struct xot_entity *e)
{
	e->hp_child = NULL;
	e->hp_next = NULL;
	e->hp_prev = NULL;
	g->heap = g->heap ? hp_link(g->heap, e) : e;
}

static void hp_remove(struct xot_group *g, struct xot_entity *e)
{
	struct xot_entity *sub = hp_merge_pairs(e->hp_child);

	if (g->heap == e) {
		g->heap = sub;
	} else {
		/* unlink e from its sibling list */
		if (e->hp_prev->hp_child == e)
			e->hp_prev->hp_child = e->hp_next;
		else
			e->hp_prev->hp_next = e->hp_next;
		if (e->hp_next)
			e->hp_next->hp_prev = e->hp_prev;
		if (sub)
			g->heap = hp_link(g->heap, sub);
	}
	e->hp_child = NULL;
	e->hp_next = NULL;
	e->hp_prev = NULL;
}

/* ---------------------------------------------------------------- entities */

u32 xot_weight_clamp(u64 w)
{
	if (w < XOT_WEIGHT_MIN)
		return XOT_WEIGHT_MIN;
	if (w > XOT_WEIGHT_MAX)
		return XOT_WEIGHT_MAX;
	return (u32)w;
}

void xot_entity_init(struct xot_entity *e, struct xot_group *parent, u32 weight)
{
	memset(e, 0, sizeof(*e));
	e->parent = parent;
	e->weight = xot_weight_clamp(weight);
	/* start at the parent's clock so a new entity gets no head start */
	if (parent)
		e->vtime = parent->vclock;
}

void xot_group_init(struct xot_group *g, struct xot_group *parent, u32 weight)
{
	xot_entity_init(&g->entity, parent, weight);
	g->entity.is_group = true;
	g->heap = NULL;
	g->vclock = 0;
	g->nr_active = 0;
}

void xot_group_init_root(struct xot_group *root)
{
	xot_group_init(root, NULL, XOT_WEIGHT_DEFAULT);
}

void xot_entity_set_weight(struct xot_entity *e, u32 weight)
{
	weight = xot_weight_clamp(weight);
	if (weight == e->weight)
		return;
	/* the weight breaks ties in the heap order: re-sort an active entity */
	if (e->active) {
		hp_remove(e->parent, e);
		e->weight = weight;
		hp_insert(e->parent, e);
	} else {
		e->weight = weight;
	}
}

/*
 * Insert @e into its parent's heap; true if the parent was idle before.
 * Idle time earns at most @credit of virtual time: the entity starts no
 * earlier than its parent's clock minus @credit (never earlier than where
 * it stopped: debt is kept).
 */
static bool enqueue_entity(struct xot_entity *e, u64 credit)
{
	struct xot_group *p = e->parent;
	u64 floor = p->vclock - credit;

	if (xot_vt_before(e->vtime, floor))
		e->vtime = floor;
	hp_insert(p, e);
	e->active = true;
	return p->nr_active++ == 0;
}

void xot_activate_credit(struct xot_entity *leaf, u64 credit)
{
	struct xot_entity *e = leaf;

	if (credit > XOT_CREDIT_MAX)
		credit = XOT_CREDIT_MAX;
	while (e->parent && !e->active) {
		if (!enqueue_entity(e, credit))
			break;		/* the parent was already active */
		e = &e->parent->entity;
	}
}

void xot_activate(struct xot_entity *leaf)
{
	xot_activate_credit(leaf, 0);
}

void xot_deactivate(struct xot_entity *leaf)
{
	struct xot_entity *e = leaf;
	struct xot_group *p;

	while (e->parent && e->active) {
		p = e->parent;
		hp_remove(p, e);
		e->active = false;
		if (XOT_WARN_ON(p->nr_active == 0))
			break;
		if (--p->nr_active > 0)
			break;		/* the parent still has work */
		e = &p->entity;
	}
}

struct xot_entity *xot_select(struct xot_group *root)
{
	struct xot_group *g = root;
	struct xot_entity *e;

	for (;;) {
		e = g->heap;
		if (!e)
			return NULL;
		if (!e->is_group)
			return e;
		g = xot_entity_group(e);
	}
}

bool xot_would_lead(const struct xot_entity *leaf, u64 credit)
{
	const struct xot_entity *a;

	if (credit > XOT_CREDIT_MAX)
		credit = XOT_CREDIT_MAX;
	for (a = leaf; a->parent; a = &a->parent->entity) {
		const struct xot_group *p = a->parent;
		const struct xot_entity *top = p->heap;
		struct xot_entity as_if;

		if (a->active) {
			if (top != a)
				return false;
			continue;
		}
		if (!top)
			continue;
		/* where activation would put it (enqueue_entity) */
		as_if.vtime = a->vtime;
		as_if.weight = a->weight;
		if (xot_vt_before(as_if.vtime, p->vclock - credit))
			as_if.vtime = p->vclock - credit;
		if (!hp_before(&as_if, top))
			return false;
	}
	return true;
}

void xot_charge(struct xot_entity *leaf, u64 cost)
{
	struct xot_entity *e;
	struct xot_group *p;

	if (cost > XOT_COST_MAX)
		cost = XOT_COST_MAX;

	for (e = leaf; e->parent; e = &p->entity) {
		p = e->parent;
		/* the group's clock is the start tag of the child it serves */
		if (xot_vt_before(p->vclock, e->vtime))
			p->vclock = e->vtime;
		if (e->active) {
			hp_remove(p, e);
			e->vtime += xot_div_u64(cost << XOT_VT_SHIFT, e->weight);
			hp_insert(p, e);
		} else {
			e->vtime += xot_div_u64(cost << XOT_VT_SHIFT, e->weight);
		}
	}
}

/* ------------------------------------------------------------- self check */

int xot_group_check(const struct xot_group *g);

/*
 * Check the heap below @n and, recursively, every active child group.
 * Returns the number of heap nodes or a negative line number.
 */
static long check_heap(const struct xot_group *g, const struct xot_entity *n,
		       const struct xot_entity *prev, int depth)
{
	long count = 0, sub;
	const struct xot_entity *c;

	if (depth > 100000)
		return -__LINE__;
	for (; n; prev = n, n = n->hp_next) {
		if (n->hp_prev != prev)
			return -__LINE__;
		if (!n->active || n->parent != g)
			return -__LINE__;
		for (c = n->hp_child; c; c = c->hp_next)
			if (hp_before(c, n))
				return -__LINE__;
		if (n->is_group) {
			sub = xot_group_check(container_of(n, struct xot_group, entity));
			if (sub)
				return sub;
		}
		sub = check_heap(g, n->hp_child, n, depth + 1);
		if (sub < 0)
			return sub;
		count += sub + 1;
	}
	return count;
}

int xot_group_check(const struct xot_group *g)
{
	long n;

	if (g->heap && (g->heap->hp_prev || g->heap->hp_next))
		return -__LINE__;
	n = check_heap(g, g->heap, NULL, 0);
	if (n < 0)
		return (int)n;
	if (n != g->nr_active)
		return -__LINE__;
	if (g->entity.parent && !!g->nr_active != g->entity.active)
		return -__LINE__;
	return 0;
}
