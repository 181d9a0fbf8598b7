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
 * returning entity monopolise the device.
 *
 * Active children sit in a pairing heap keyed by virtual time: O(1) insert,
 * O(log n) amortised removal of the minimum or of any entity. Selecting the
 * next queue costs O(depth); charging it costs O(depth * log n).
 *
 * Virtual times are u64 and compared with wrap-around arithmetic, so they
 * may overflow freely as long as the active entities of one group stay
 * within 2^63 of each other (they stay within a few requests' worth).
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

struct xot_group;

struct xot_entity {
	/* pairing-heap links among the active children of the parent */
	struct xot_entity *hp_child;
	struct xot_entity *hp_next;
	struct xot_entity *hp_prev;	/* parent node if first child, else left sibling */

	u64 vtime;			/* service received / weight, wrapping */
	struct xot_group *parent;	/* NULL only for the root group */
	u32 weight;			/* XOT_WEIGHT_MIN..XOT_WEIGHT_MAX */
	bool active;			/* in the parent's heap */
	bool is_group;
};

struct xot_group {
	struct xot_entity entity;	/* this group as a child of its parent */
	struct xot_entity *heap;	/* active children, smallest vtime on top */
	u64 vclock;			/* vtime of the child last selected */
	u32 nr_active;			/* active children */
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
 * max(its virtual time, its parent's clock): idling earns no credit.
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
 * and no more. @credit = 0 is xot_activate(). Clamped to XOT_CREDIT_MAX.
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
 * Check every invariant of the subtree under @g (heap order, parent links,
 * active counts). Returns 0 or a negative line number of the first failed
 * check. O(n): for tests and debugging, never on the I/O path.
 */
int xot_group_check(const struct xot_group *g);

#endif /* _XOT_SCHED_H */
