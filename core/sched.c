// SPDX-License-Identifier: GPL-2.0
/*
 * XoT portable scheduling core: hierarchical weighted fair queueing.
 * See include/xot/sched.h for the model. This file is compiled unchanged into
 * the xot elevator and into the userspace tests, simulator and benchmarks.
 */
#include <xot/sched.h>
#include <xot/slots.h>

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

/* ---------------------------------------------------------------- calendar */

/*
 * A group with many active children keeps those whose virtual time lies in
 * the window [cal_base, cal_base + CAL_SPAN) in XOT_CAL_BUCKETS FIFO buckets
 * of CAL_WIDTH each, bucket i holding the virtual times whose bits
 * XOT_CAL_SHIFT and up are i modulo XOT_CAL_BUCKETS; every other active
 * child stays in the pairing heap, exactly ordered. The base only moves
 * forward, over empty buckets, to the first non-empty one whenever a bucket
 * empties, so every bucketed child stays in the window.
 */
#define CAL_WIDTH	(1ULL << XOT_CAL_SHIFT)
#define CAL_SPAN	((u64)XOT_CAL_BUCKETS << XOT_CAL_SHIFT)
#define CAL_MASK	(XOT_CAL_BUCKETS - 1)

/* the bitmap of non-empty buckets is one u64, rotated by the base's bucket */
_Static_assert(XOT_CAL_BUCKETS == 64, "XOT_CAL_BUCKETS must be 64");

static unsigned int cal_slot(u64 vt)
{
	return (vt >> XOT_CAL_SHIFT) & CAL_MASK;
}

/* Buckets from the base to the first non-empty one; the map is not empty. */
static unsigned int cal_first_off(const struct xot_group *g)
{
	return xot_ffs64(xot_ror64(g->cal_map, cal_slot(g->cal_base)));
}

/* Append @e to bucket @i; a bucket's head keeps its tail in hp_prev. */
static void cal_insert(struct xot_group *g, struct xot_entity *e, unsigned int i)
{
	struct xot_entity *h = g->cal[i];

	e->slot = i;
	e->hp_child = NULL;
	e->hp_next = NULL;
	if (!h) {
		e->hp_prev = e;
		g->cal[i] = e;
		g->cal_map |= 1ULL << i;
	} else {
		e->hp_prev = h->hp_prev;
		h->hp_prev->hp_next = e;
		h->hp_prev = e;
	}
}

static void cal_remove(struct xot_group *g, struct xot_entity *e)
{
	unsigned int i = e->slot;
	struct xot_entity *h = g->cal[i], *n = e->hp_next;

	if (n) {
		n->hp_prev = e->hp_prev;
		/* the next one is likely served soon: start loading the one after */
		xot_prefetch(n->hp_next);
	} else {
		h->hp_prev = e->hp_prev;	/* e was the tail */
	}
	if (e != h) {
		e->hp_prev->hp_next = n;
	} else if (n) {
		g->cal[i] = n;
	} else {
		g->cal[i] = NULL;
		g->cal_map &= ~(1ULL << i);
		/*
		 * Keep the base at the first non-empty bucket, so that the
		 * window reaches as far ahead as it can: it moves on when the
		 * first bucket empties, and catches up when the base's own
		 * bucket was empty (the window restarted at the group's clock).
		 */
		if (g->cal_map)
			g->cal_base += (u64)cal_first_off(g) << XOT_CAL_SHIFT;
	}
	e->hp_next = NULL;
	e->hp_prev = NULL;
	e->slot = XOT_SLOT_HEAP;
}

/*
 * Enter calendar mode. Nothing moves: the children in the heap stay there
 * (still exactly ordered) until they are served or leave, and each one
 * charged or activated from now on goes to a bucket if it falls in the
 * window, which starts at the group's clock when the buckets are empty.
 */
static void cal_start(struct xot_group *g)
{
	g->calendar = true;
	g->cal_map = 0;
}

/* Back to heap mode: O(XOT_CAL_OFF) insertions into the heap. */
static void cal_stop(struct xot_group *g)
{
	struct xot_entity *e, *n;
	unsigned int i;

	while (g->cal_map) {
		i = xot_ffs64(g->cal_map);
		for (e = g->cal[i]; e; e = n) {
			n = e->hp_next;
			e->slot = XOT_SLOT_HEAP;
			hp_insert(g, e);
		}
		g->cal[i] = NULL;
		g->cal_map &= ~(1ULL << i);
	}
	g->calendar = false;
}

/* Insert an active child into its group's heap or calendar. */
static void sched_insert(struct xot_group *g, struct xot_entity *e)
{
	if (g->calendar) {
		if (!g->cal_map)
			g->cal_base = g->vclock & ~(CAL_WIDTH - 1);
		if (e->vtime - g->cal_base < CAL_SPAN) {
			cal_insert(g, e, cal_slot(e->vtime));
			return;
		}
	}
	e->slot = XOT_SLOT_HEAP;
	hp_insert(g, e);
}

static void sched_remove(struct xot_group *g, struct xot_entity *e)
{
	if (e->slot != XOT_SLOT_HEAP)
		cal_remove(g, e);
	else
		hp_remove(g, e);
}

/*
 * The child to serve next: the head of the first non-empty bucket, unless
 * the heap's top comes before that bucket ends. Either way its virtual time
 * is less than one bucket width above the smallest among the children.
 */
static struct xot_entity *first_child(const struct xot_group *g)
{
	struct xot_entity *h = g->heap;
	unsigned int off;

	if (!g->cal_map)
		return h;
	off = cal_first_off(g);
	if (h && xot_vt_before(h->vtime, g->cal_base + ((u64)(off + 1) << XOT_CAL_SHIFT)))
		return h;
	return g->cal[(cal_slot(g->cal_base) + off) & CAL_MASK];
}

/*
 * Would a child of @g with virtual time @vt and weight @weight, inserted
 * now (sched_insert()), be first_child()? Changes nothing.
 */
static bool would_be_first(const struct xot_group *g, u64 vt, u32 weight)
{
	const struct xot_entity *h = g->heap;
	u64 base = g->cal_map ? g->cal_base : g->vclock & ~(CAL_WIDTH - 1);
	unsigned int off = g->cal_map ? cal_first_off(g) : XOT_CAL_BUCKETS;
	/* enqueue_entity() switches to the calendar before inserting */
	bool cal = g->calendar || g->nr_active + 1 >= XOT_CAL_ON;
	struct xot_entity as_if;

	if (cal && vt - base < CAL_SPAN) {
		unsigned int t = (vt - base) >> XOT_CAL_SHIFT;

		/* a bucket at or before its own is served first (FIFO) */
		if (off <= t)
			return false;
		return !h || !xot_vt_before(h->vtime, base + ((u64)(t + 1) << XOT_CAL_SHIFT));
	}
	/* into the heap: it must become the top, and come before the buckets */
	as_if.vtime = vt;
	as_if.weight = weight;
	if (h && !hp_before(&as_if, h))
		return false;
	return off == XOT_CAL_BUCKETS ||
	       xot_vt_before(vt, base + ((u64)(off + 1) << XOT_CAL_SHIFT));
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
	e->slot = XOT_SLOT_HEAP;
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
	g->active_weight = 0;
	g->calendar = false;
	g->cal_base = 0;
	g->cal_map = 0;
	memset(g->cal, 0, sizeof(g->cal));
	g->ret_weight = 0;
	g->ret_until = 0;
	g->ret_need = 0;
	g->ret_epoch = 0;
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
	if (e->active)
		e->parent->active_weight += (u64)weight - e->weight;
	/*
	 * The weight breaks ties in the heap order: re-sort an entity in the
	 * heap. A calendar bucket is FIFO: the weight does not enter.
	 */
	if (e->active && e->slot == XOT_SLOT_HEAP) {
		hp_remove(e->parent, e);
		e->weight = weight;
		hp_insert(e->parent, e);
	} else {
		e->weight = weight;
	}
}

/* The most one charge adds to the virtual time of an entity of @weight. */
static u64 max_charge(u32 weight)
{
	return xot_div_u64(XOT_COST_MAX << XOT_VT_SHIFT, weight);
}

/*
 * Where @e starts if it becomes active now with @credit (clamped): in
 * [clock - @credit, clock + max_charge(its weight)], its parent's clock,
 * wrap-aware. Below: idle time earns at most @credit. Above: an entity is
 * charged only when selected, at or after the clock (xot_charge()), so none
 * can legitimately be more than one maximum charge ahead of it; a virtual
 * time further ahead is stale (the siblings moved the clock by 2^63 or more
 * while it idled), and compared with wrap-around it would look ahead and be
 * served only once every sibling is idle. Debt within the bound is kept,
 * whatever the credit: the upper end is measured from the clock, not from
 * clock - @credit, or a large credit would move an entity that had not
 * fallen behind backwards. Shared by enqueue_entity() and xot_would_lead():
 * they must agree.
 */
static u64 start_vtime(const struct xot_entity *e, u64 credit)
{
	u64 clock = e->parent->vclock;
	u64 lead = e->vtime - clock;

	if ((s64)lead < 0)
		return xot_vt_before(e->vtime, clock - credit) ? clock - credit : e->vtime;
	/* within the bound of the heaviest weight: no division needed */
	if (lead <= (XOT_COST_MAX << XOT_VT_SHIFT) / XOT_WEIGHT_MAX)
		return e->vtime;
	if (lead > max_charge(e->weight))
		return clock + max_charge(e->weight);
	return e->vtime;
}

/*
 * Insert @e among its parent's active children; true if the parent was idle
 * before. The parent switches to the calendar at XOT_CAL_ON. It starts at
 * start_vtime(): idle time earns at most @credit, debt is kept up to one
 * maximum charge.
 */
static bool enqueue_entity(struct xot_entity *e, u64 credit)
{
	struct xot_group *p = e->parent;

	e->vtime = start_vtime(e, credit);
	if (!p->calendar && p->nr_active + 1 >= XOT_CAL_ON)
		cal_start(p);
	sched_insert(p, e);
	e->active = true;
	p->active_weight += e->weight;
	/* back from its turnaround: no longer waited for (core/slots.c) */
	if (e->ret_weight)
		xot_slots_forget(e);
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
		sched_remove(p, e);
		e->active = false;
		p->active_weight -= e->weight;
		if (XOT_WARN_ON(p->nr_active == 0))
			break;
		if (--p->nr_active > 0) {
			if (p->calendar && p->nr_active <= XOT_CAL_OFF)
				cal_stop(p);
			break;		/* the parent still has work */
		}
		e = &p->entity;
	}
}

struct xot_entity *xot_select(struct xot_group *root)
{
	struct xot_group *g = root;
	struct xot_entity *e;

	for (;;) {
		e = first_child(g);
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

		if (a->active) {
			if (first_child(p) != a)
				return false;
			continue;
		}
		if (!p->nr_active)
			continue;
		/* where activation would put it (enqueue_entity) */
		if (!would_be_first(p, start_vtime(a, credit), a->weight))
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
			sched_remove(p, e);
			e->vtime += xot_div_u64(cost << XOT_VT_SHIFT, e->weight);
			sched_insert(p, e);
		} else {
			e->vtime += xot_div_u64(cost << XOT_VT_SHIFT, e->weight);
		}
	}
}

/*
 * @e's virtual time after a debt of @inc: raised by @inc, but not past one
 * maximum charge ahead of its parent's clock (nor lowered if it already is
 * past it). Debt moves no clock, so nothing else keeps an entity charged
 * debt after debt, and served seldom, within 2^63 of its siblings: past
 * that it would wrap round and look far behind them. The bound is the one
 * activation applies (start_vtime()), so an idle entity keeps exactly the
 * debt it will start with, and at most one maximum charge of debt is a
 * huge amount of service (2^24 units) for requests that bypass the queue.
 */
static u64 debt_vtime(const struct xot_entity *e, u64 inc)
{
	u64 ceil = e->parent->vclock + max_charge(e->weight);
	u64 vt = e->vtime + inc;

	if (!xot_vt_before(ceil, vt))
		return vt;
	return xot_vt_before(ceil, e->vtime) ? e->vtime : ceil;
}

void xot_charge_debt(struct xot_entity *leaf, u64 cost)
{
	struct xot_entity *e;
	struct xot_group *p;
	u64 vt;

	if (cost > XOT_COST_MAX)
		cost = XOT_COST_MAX;

	for (e = leaf; e->parent; e = &p->entity) {
		p = e->parent;
		vt = debt_vtime(e, xot_div_u64(cost << XOT_VT_SHIFT, e->weight));
		/* as in xot_charge(), but the group's clock stays where it is */
		if (e->active) {
			sched_remove(p, e);
			e->vtime = vt;
			sched_insert(p, e);
		} else {
			e->vtime = vt;
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
		if (!n->active || n->parent != g || n->slot != XOT_SLOT_HEAP)
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

/*
 * Check the calendar's buckets and, recursively, every active child group
 * in them. Returns the number of bucketed children or a negative line number.
 */
static long check_calendar(const struct xot_group *g)
{
	const struct xot_entity *h, *e, *prev;
	long count = 0, sub;
	unsigned int i;

	if (g->cal_base & (CAL_WIDTH - 1))
		return -__LINE__;
	if (g->cal_map && !g->calendar)
		return -__LINE__;
	for (i = 0; i < XOT_CAL_BUCKETS; i++) {
		h = g->cal[i];
		if (!h != !(g->cal_map & (1ULL << i)))
			return -__LINE__;
		for (prev = NULL, e = h; e; prev = e, e = e->hp_next) {
			if (++count > g->nr_active)
				return -__LINE__;	/* a loop, or lost counts */
			if (e != h && e->hp_prev != prev)
				return -__LINE__;
			if (!e->active || e->parent != g || e->slot != i || e->hp_child)
				return -__LINE__;
			/* in the window, in its own bucket */
			if (e->vtime - g->cal_base >= CAL_SPAN || cal_slot(e->vtime) != i)
				return -__LINE__;
			if (e->is_group) {
				sub = xot_group_check(container_of(e, struct xot_group, entity));
				if (sub)
					return sub;
			}
		}
		if (h && h->hp_prev != prev)
			return -__LINE__;	/* the head points at the tail */
	}
	return count;
}

/* Sum of the weights in the heap under @n (its siblings and children). */
static u64 heap_weight(const struct xot_entity *n)
{
	u64 w = 0;

	for (; n; n = n->hp_next)
		w += n->weight + heap_weight(n->hp_child);
	return w;
}

static u64 active_weight(const struct xot_group *g)
{
	const struct xot_entity *e;
	u64 w = heap_weight(g->heap);
	unsigned int i;

	for (i = 0; i < XOT_CAL_BUCKETS; i++)
		for (e = g->cal[i]; e; e = e->hp_next)
			w += e->weight;
	return w;
}

int xot_group_check(const struct xot_group *g)
{
	long n, c;

	if (g->heap && (g->heap->hp_prev || g->heap->hp_next))
		return -__LINE__;
	n = check_heap(g, g->heap, NULL, 0);
	if (n < 0)
		return (int)n;
	c = check_calendar(g);
	if (c < 0)
		return (int)c;
	if (n + c != g->nr_active)
		return -__LINE__;
	if (active_weight(g) != g->active_weight)
		return -__LINE__;
	/* the mode follows the number of active children, with hysteresis */
	if (g->calendar ? g->nr_active <= XOT_CAL_OFF : g->nr_active >= XOT_CAL_ON)
		return -__LINE__;
	if (g->entity.parent && !!g->nr_active != g->entity.active)
		return -__LINE__;
	return 0;
}
