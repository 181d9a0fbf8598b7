// SPDX-License-Identifier: GPL-2.0
/*
 * XoT slot shares (see include/xot/slots.h). Compiled unchanged into the
 * xot elevator, the simulator and the userspace tests.
 */
#include <xot/slots.h>

/* slots in fixed point: 1/65536 of a slot */
#define SLOT_SHIFT	16

static u32 inflight_of(struct xot_entity *e)
{
	int in = xot_atomic_read(&e->inflight);

	return in > 0 ? (u32)in : 0;
}

void xot_slots_enqueue(struct xot_entity *leaf)
{
	struct xot_entity *e;
	u32 out;

	for (e = leaf; e->parent; e = &e->parent->entity) {
		out = ++e->queued + inflight_of(e);
		if (out > e->peak)
			e->peak = out;
	}
}

void xot_slots_dequeue(struct xot_entity *leaf)
{
	struct xot_entity *e;

	for (e = leaf; e->parent; e = &e->parent->entity)
		if (!XOT_WARN_ON(e->queued == 0))
			e->queued--;
}

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

/* @leaf's path, leaf first; 0 if deeper than XOT_SLOTS_MAX_DEPTH */
static unsigned int path_of(struct xot_entity *leaf, struct xot_entity **path)
{
	unsigned int n = 0;
	struct xot_entity *e;

	for (e = leaf; e->parent; e = &e->parent->entity) {
		if (n == XOT_SLOTS_MAX_DEPTH)
			return 0;
		path[n++] = e;
	}
	return n;
}

/* Forget every child @g waited for once the wait is over. */
static void expire(struct xot_group *g, u64 now)
{
	if (g->ret_weight && (s64)(now - g->ret_until) >= 0) {
		g->ret_weight = 0;
		g->ret_need = 0;
		g->ret_epoch++;
	}
}

void xot_slots_ran_dry(struct xot_entity *leaf, u32 slots, u64 now, u64 hold_ns)
{
	struct xot_entity *path[XOT_SLOTS_MAX_DEPTH];
	unsigned int n = path_of(leaf, path);
	u64 share = (u64)slots << SLOT_SHIFT;

	if (!hold_ns)
		return;
	while (n--) {
		struct xot_entity *e = path[n];
		struct xot_group *g = e->parent;
		bool was = false;
		u64 total;
		u32 want, in, need;

		expire(g, now);
		if (!e->active)
			was = xot_slots_waited_for(e);
		total = g->active_weight + g->ret_weight +
			(e->active || was ? 0 : e->weight);
		share = total ? xot_div64_u64(share * e->weight, total) : 0;
		if (e->active)
			continue;

		/* what it will want back: its peak, up to its share (rounded up) */
		want = (u32)((share + (1 << SLOT_SHIFT) - 1) >> SLOT_SHIFT);
		if (want > e->peak)
			want = e->peak;
		in = inflight_of(e);
		need = want > in ? want - in : 0;
		e->peak -= e->peak >> 3;

		if (was) {
			g->ret_need -= e->ret_need;
			if (!need) {
				g->ret_weight -= e->ret_weight;
				e->ret_weight = 0;
			}
		} else if (need) {
			e->ret_weight = e->weight;
			e->ret_epoch = g->ret_epoch;
			g->ret_weight += e->weight;
		}
		e->ret_need = need;
		if (need) {
			g->ret_need += need;
			g->ret_until = now + hold_ns;
		}
	}
}

void xot_slots_forget(struct xot_entity *e)
{
	if (e->parent && xot_slots_waited_for(e)) {
		e->parent->ret_weight -= e->ret_weight;
		e->parent->ret_need -= e->ret_need;
	}
	e->ret_weight = 0;
	e->ret_need = 0;
}

bool xot_slots_waiting(const struct xot_entity *leaf)
{
	const struct xot_entity *a;

	for (a = leaf; a->parent; a = &a->parent->entity)
		if (a->parent->ret_need)
			return true;
	return false;
}

bool xot_slots_hold(struct xot_entity *leaf, u32 slots, u32 inflight, u64 now)
{
	struct xot_entity *path[XOT_SLOTS_MAX_DEPTH];
	unsigned int n = path_of(leaf, path);
	u64 share, used;

	share = (u64)slots << SLOT_SHIFT;	/* the group's slots */
	used = inflight;			/* its requests in the device */
	while (n--) {
		struct xot_entity *e = path[n];
		struct xot_group *g = e->parent;
		u64 total, in;

		expire(g, now);
		total = g->active_weight + g->ret_weight;
		if (!total)
			return false;
		in = inflight_of(e);
		/*
		 * Past its share with one more (each may have one), and no
		 * more free than the waited-for children will want back.
		 */
		if (g->ret_need && in > 0 &&
		    ((in + 1) << SLOT_SHIFT) * total > share * e->weight &&
		    share < ((used + g->ret_need) << SLOT_SHIFT) + (1 << SLOT_SHIFT))
			return true;
		share = xot_div64_u64(share * e->weight, total);
		used = in;
	}
	return false;
}
