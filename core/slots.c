// SPDX-License-Identifier: GPL-2.0
/*
 * XoT slot shares (see include/xot/slots.h). Compiled unchanged into the
 * xot elevator, the simulator and the userspace tests.
 */
#include <xot/slots.h>

/* slots in fixed point: 1/65536 of a slot */
#define SLOT_SHIFT	16

void xot_slots_start(struct xot_entity *leaf)
{
	struct xot_entity *e;

	for (e = leaf; e->parent; e = &e->parent->entity)
		xot_atomic_inc(&e->inflight);
}

void xot_slots_end(struct xot_entity *leaf)
{
	struct xot_entity *e;

	for (e = leaf; e->parent; e = &e->parent->entity)
		xot_atomic_dec(&e->inflight);
}

void xot_slots_ran_dry(struct xot_entity *leaf, u64 now, u64 hold_ns)
{
	struct xot_entity *e;

	if (!hold_ns)
		return;
	for (e = leaf; e->parent && !e->active; e = &e->parent->entity) {
		struct xot_group *p = e->parent;

		/* nothing in the device: nothing will come back soon */
		if (xot_atomic_read(&e->inflight) <= 0)
			continue;
		if (!e->ret_weight || e->ret_epoch != p->ret_epoch) {
			e->ret_weight = e->weight;
			e->ret_epoch = p->ret_epoch;
			p->ret_weight += e->weight;
		}
		p->ret_until = now + hold_ns;
	}
}

bool xot_slots_hold(struct xot_entity *leaf, u32 slots, u64 now)
{
	struct xot_entity *path[XOT_SLOTS_MAX_DEPTH];
	bool waiting = false;
	unsigned int n = 0;
	struct xot_entity *e;
	u64 share;

	/* the path, and whether anyone on it is waited for at all */
	for (e = leaf; e->parent; e = &e->parent->entity) {
		if (n == XOT_SLOTS_MAX_DEPTH)
			return false;
		path[n++] = e;
		waiting |= e->parent->ret_weight != 0;
	}
	if (!waiting)
		return false;

	share = (u64)slots << SLOT_SHIFT;
	while (n--) {
		struct xot_group *g;
		u64 total;
		int in;

		e = path[n];
		g = e->parent;
		if (g->ret_weight && (s64)(now - g->ret_until) >= 0) {
			/* waited long enough: forget every child waited for */
			g->ret_weight = 0;
			g->ret_epoch++;
		}
		total = g->active_weight + g->ret_weight;
		if (!total)
			return false;
		in = xot_atomic_read(&e->inflight);
		/* one more would take it past its share (each may have one) */
		if (g->ret_weight && in > 0 &&
		    ((u64)(in + 1) << SLOT_SHIFT) * total > share * e->weight)
			return true;
		share = xot_div64_u64(share * e->weight, total);
	}
	return false;
}
