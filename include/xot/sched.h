/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XoT portable scheduling core: hierarchical weighted fair queueing.
 *
 * The core knows nothing about requests, cgroups or Xen. It keeps a tree of
 * entities: groups (inner nodes: the root, VMs, cgroups) and queues (leaves:
 * processes). Each entity has a weight and a virtual time: the service it
 * received, divided by its weight. Among the active children of a group the
 * one with the smallest virtual time is served next (start-time fair queueing,
 * applied at every level of the tree), so over any busy period each active
 * child receives service in proportion to its weight.
 *
 * An entity that becomes active again starts no earlier than its group's
 * virtual clock (the virtual time of the child last selected): idle time
 * earns no credit, which keeps the scheme work-conserving without letting a
 * returning entity monopolise the device. It starts no later than one
 * maximum charge (XOT_COST_MAX at its weight) after that clock either: debt
 * up to that is kept, and a virtual time further ahead can only be stale
 * (see below), so however long it idled, a returning entity waits at most
 * the starvation bound (docs/design.md).
 *
 * A group keeps its active children in one of two structures:
 *
 * - Heap mode, until the group has XOT_CAL_ON active children: a pairing
 *   heap keyed by virtual time (ties: larger weight first). Exact: the child
 *   served is the one with the smallest virtual time. O(1) insert, O(log n)
 *   amortised removal.
 *
 * - Calendar mode, from XOT_CAL_ON active children until they are down to
 *   XOT_CAL_OFF: XOT_CAL_BUCKETS FIFO buckets of 2^XOT_CAL_SHIFT of virtual
 *   time each, covering the window [cal_base, cal_base + XOT_CAL_BUCKETS
 *   buckets), with a bitmap of the non-empty ones; children outside the
 *   window (far ahead, or behind the base thanks to an idle credit), and
 *   those in the heap when the group switched until they are served, stay
 *   in the pairing heap. Insert, removal and selection in the window are
 *   O(1) and touch no other entity than the neighbours in one bucket: at
 *   100 000 children a request costs about what it costs at 10
 *   (docs/results.md). The price: the child served may have a virtual time
 *   less than one bucket width (2^24, that is w / 256 units of service for
 *   weight w) above the smallest among its siblings, instead of being the
 *   smallest. The error does not accumulate: shares stay exact in
 *   proportion over a busy period, and the starvation bound grows by
 *   2 * 2^24 * w_j / 2^32 = w_j / 128 units of service per sibling of
 *   weight w_j (docs/design.md, "Starvation bound").
 *
 * Selecting the next queue costs O(depth); charging it O(depth) in the
 * calendar, O(depth * log n) amortised in the heap.
 *
 * Virtual times are u64 and compared with wrap-around arithmetic, so they
 * may overflow freely as long as the active entities of one group stay
 * within 2^63 of each other. They do: an active child is at most the idle
 * credit (XOT_CREDIT_MAX, 2^56) behind its group's clock and one maximum
 * charge (2^56 / weight) ahead of it. An idle entity's virtual time does
 * not move while its siblings move the clock, so after enough of their
 * service (2^63 of virtual time: some 10^11 units at weight 100) it may
 * look ahead of the clock instead of behind; activation puts it back in
 * [clock - credit, clock + one maximum charge], which holds whatever
 * happened while it idled.
 *
 * Locking is the caller's job: one lock must cover a whole tree.
 */
#ifndef _XOT_SCHED_H
#define _XOT_SCHED_H

#include <xot/compat.h>

#define XOT_WEIGHT_MIN		1
#define XOT_WEIGHT_MAX		10000
#define XOT_WEIGHT_DEFAULT	100

/* virtual time = (cost << XOT_VT_SHIFT) / weight */
#define XOT_VT_SHIFT		32
/* largest cost charged at once; keeps the shift from overflowing */
#define XOT_COST_MAX		(1ULL << 24)
/* largest idle credit (virtual time): far below the 2^63 comparison range */
#define XOT_CREDIT_MAX		(1ULL << 56)

/* the calendar of a large group: bucket width 2^XOT_CAL_SHIFT of virtual time */
#define XOT_CAL_SHIFT		24
#define XOT_CAL_BUCKETS		64	/* one bit each in a u64 bitmap: 64 only */
/* a group switches to the calendar at XOT_CAL_ON active children... */
#define XOT_CAL_ON		32
/* ...and back to the exact heap when down to XOT_CAL_OFF */
#define XOT_CAL_OFF		16
/* xot_entity.slot of an entity in the pairing heap (or inactive) */
#define XOT_SLOT_HEAP		0xff

struct xot_group;

struct xot_entity {
	/*
	 * Links among the active children of the parent. In the pairing heap:
	 * first child, next sibling, and the parent node if first child, else
	 * the left sibling. In a calendar bucket (FIFO): hp_next is the next in
	 * the bucket, hp_prev the previous one, and the head's hp_prev the tail.
	 */
	struct xot_entity *hp_child;
	struct xot_entity *hp_next;
	struct xot_entity *hp_prev;

	u64 vtime;			/* service received / weight, wrapping */
	struct xot_group *parent;	/* NULL only for the root group */
	u32 weight;			/* XOT_WEIGHT_MIN..XOT_WEIGHT_MAX */
	bool active;			/* in the parent's heap or calendar */
	bool is_group;
	u8 slot;			/* calendar bucket, or XOT_SLOT_HEAP */
	/* slot shares (include/xot/slots.h) */
	xot_atomic_t inflight;		/* requests of this subtree in the device */
	u32 queued;			/* ...waiting in the elevator */
	u32 peak;			/* most of both at once, decaying */
	u32 ret_weight;			/* counted in the parent's ret_weight... */
	u32 ret_need;			/* ...and ret_need... */
	u32 ret_epoch;			/* ...in this epoch of the parent's */
};

struct xot_group {
	struct xot_entity entity;	/* this group as a child of its parent */
	/* heap mode: the active children; calendar: those outside the window */
	struct xot_entity *heap;
	u64 cal_map;			/* bit i: bucket i is not empty */
	u64 vclock;			/* vtime of the child last selected */
	u32 nr_active;			/* active children */
	u64 active_weight;		/* sum of the active children's weights */
	bool calendar;			/* calendar mode (see above) */
	u64 cal_base;			/* first bucket's start, a bucket multiple */
	struct xot_entity *cal[XOT_CAL_BUCKETS];	/* bucket heads */
	/* slot shares: children waited for (include/xot/slots.h) */
	u64 ret_weight;			/* their weights */
	u64 ret_until;			/* when they no longer count */
	u32 ret_need;			/* the slots they will want back */
	u32 ret_epoch;			/* bumped when they expire */
};

static inline bool xot_vt_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static inline struct xot_group *xot_entity_group(struct xot_entity *e)
{
	return e->is_group ? container_of(e, struct xot_group, entity) : NULL;
}

/* Initialise a root group (no parent). */
void xot_group_init_root(struct xot_group *root);
/* Initialise a group or a leaf entity under @parent, inactive. */
void xot_group_init(struct xot_group *g, struct xot_group *parent, u32 weight);
void xot_entity_init(struct xot_entity *e, struct xot_group *parent, u32 weight);

/* Clamp a weight into XOT_WEIGHT_MIN..XOT_WEIGHT_MAX. */
u32 xot_weight_clamp(u64 w);

/*
 * Change an entity's weight. Service already received keeps its old cost;
 * the new weight applies from the next charge on.
 */
void xot_entity_set_weight(struct xot_entity *e, u32 weight);

/*
 * A leaf gained work: make it and, as needed, its ancestors active.
 * No-op if already active. Each entity that becomes active starts at
 * max(its virtual time, its parent's clock): idling earns no credit; and no
 * later than its parent's clock + (XOT_COST_MAX << XOT_VT_SHIFT) / weight,
 * one maximum charge: debt is kept up to that, and a virtual time further
 * ahead is a stale one that wrapped while it idled.
 */
void xot_activate(struct xot_entity *leaf);

/*
 * The same, but each entity that becomes active may keep up to @credit of
 * virtual time it missed while idle: it starts at
 * max(its virtual time, its parent's clock - @credit). Virtual time is
 * service / weight, so the credit is the same head start in time for every
 * weight (like the sleeper credit of Linux's CFS): an entity whose queue ran
 * dry for a moment (its requests were in the device, or it was thinking
 * between two synchronous requests) comes back ahead of the siblings that
 * kept the device busy, instead of behind them, and gets back the service
 * it missed, up to @credit * weight; one that idled longer gets that much
 * and no more. The upper end is xot_activate()'s, whatever @credit.
 * @credit = 0 is xot_activate(). Clamped to XOT_CREDIT_MAX.
 * Each sibling's wait grows by at most @credit * its weight of service
 * (docs/design.md, "Starvation bound").
 */
void xot_activate_credit(struct xot_entity *leaf, u64 credit);

/*
 * A leaf ran out of work: remove it, and every ancestor left without active
 * children, from the tree. No-op if not active.
 */
void xot_deactivate(struct xot_entity *leaf);

/*
 * Would @leaf, activated now with @credit (xot_activate_credit()), be the
 * one xot_select() returns? For an active leaf: is it the one selected.
 * Changes nothing. The elevator idles the device for a synchronous reader
 * that just ran dry only while this holds: it waits for work that fair
 * queueing would serve next anyway, never for more than its share.
 */
bool xot_would_lead(const struct xot_entity *leaf, u64 credit);

/* The leaf to serve next, or NULL if nothing is active. Changes nothing. */
struct xot_entity *xot_select(struct xot_group *root);

/*
 * Charge @cost units of service to @leaf and all its ancestors (the path that
 * xot_select() returned), advancing their virtual times and the virtual
 * clocks of their groups. Cost is clamped to XOT_COST_MAX.
 *
 * The entities on the path may already have been deactivated (a queue whose
 * last request was just taken): charge after xot_deactivate() then, which
 * gives the same virtual times and saves re-sorting levels that are about
 * to leave the tree.
 */
void xot_charge(struct xot_entity *leaf, u64 cost);

/*
 * Charge @cost units of debt to @leaf and all its ancestors: service they
 * received outside fair queueing (a request that bypassed the elevator,
 * such as a flush or FUA write). Their virtual times advance as in
 * xot_charge(), active ones re-sorted among their siblings, but no group's
 * clock moves: the request was not selected, so the clock, the start tag of
 * what fair queueing served, must not jump to it. Cost is clamped to
 * XOT_COST_MAX, and each entity's virtual time to one maximum charge ahead
 * of its parent's clock (where activation would clamp it anyway): the debt
 * kept is bounded, and debt piled on an entity that is seldom served
 * cannot carry it 2^63 ahead, where it would wrap and look behind.
 * Debt on an idle entity behind its parent's clock first fills the idle
 * time it would not get back anyway (xot_activate()).
 */
void xot_charge_debt(struct xot_entity *leaf, u64 cost);

/*
 * Check every invariant of the subtree under @g (heap order, calendar
 * buckets, bitmap and window, parent links, active counts, mode thresholds).
 * Returns 0 or a negative line number of the first failed
 * check. O(n): for tests and debugging, never on the I/O path.
 */
int xot_group_check(const struct xot_group *g);

#endif /* _XOT_SCHED_H */
