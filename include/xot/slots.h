/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XoT slot shares: the device's slots kept for an entity in its turnaround.
 *
 * Fair queueing orders what waits in the elevator; on a deep device with a
 * fixed service time (null_blk's timer, many flash devices under a steady
 * load) that is not enough. Requests dispatched together complete together,
 * so the device's slots free in bursts, and a job takes a moment to turn its
 * completed requests round. In that moment the work-conserving elevator
 * fills the slots they freed from the siblings' backlog, and the job's
 * requests then wait a whole service time for the next burst: a job with Q
 * requests outstanding holds about Q / 2 slots, whatever its weight
 * (docs/simulator.md, section 4).
 *
 * So the slots are shared too. Each entity counts its requests waiting in
 * the elevator and in the device, and remembers the most it had outstanding
 * at once (peak, decaying by 1/8 each time it runs dry). When it runs dry
 * (its last queued request dispatched) short of what it will want back,
 * while others have requests waiting in the elevator (the caller's test:
 * nobody competes for the slots otherwise),
 *
 *     need = min(peak, its weighted share of the parent's slots) - in device
 *
 * it is waited for: until it has work again, or for hold_ns at most, its
 * siblings may go past their own weighted share of the parent's slots only
 * while more than the needs of those waited for stay free,
 *
 *     slots(c) = slots(g) * w(c) / (active weights of g + waited-for weights)
 *
 * from the driver's depth at the root down the path of the entity served.
 * A depth-1 reader needs nothing once its one request is in the device, and
 * a job that keeps fewer requests outstanding than its share is kept only
 * the slots it uses: nothing is held for work that will not come.
 *
 * The hold is bounded: it needs a request of the held entity in the device,
 * whose completion runs the elevator again, and it ends hold_ns after the
 * last child was found waiting. Entities within their share are never held.
 *
 * Locking: xot_slots_end() runs without the caller's lock (completion
 * context: atomics only); everything else under the lock of the tree.
 */
#ifndef _XOT_SLOTS_H
#define _XOT_SLOTS_H

#include <xot/sched.h>

/* deepest path followed; deeper entities are never held nor waited for */
#define XOT_SLOTS_MAX_DEPTH	16

/*
 * Is @e, a child that ran dry, still waited for by its parent (counted in
 * its ret_weight and ret_need, in the parent's current epoch)?
 */
static inline bool xot_slots_waited_for(const struct xot_entity *e)
{
	return e->ret_weight && e->ret_epoch == e->parent->ret_epoch;
}

/* A request of @leaf is queued in the elevator (+) or leaves it (-). */
void xot_slots_enqueue(struct xot_entity *leaf);
void xot_slots_dequeue(struct xot_entity *leaf);

/* A request of @leaf enters the device: count it on its path. */
void xot_slots_start(struct xot_entity *leaf);

/* A counted request of @leaf left the device (completed or requeued). */
void xot_slots_end(struct xot_entity *leaf);

/*
 * @leaf's queue ran dry at @now on a device of @slots slots: called after
 * xot_deactivate() and xot_slots_start() of the request that emptied it.
 * Each entity on its path that left its parent's active set short of what
 * it will want back is waited for until @now + @hold_ns, or until it is
 * active again. @hold_ns 0: nobody is waited for.
 */
void xot_slots_ran_dry(struct xot_entity *leaf, u32 slots, u64 now, u64 hold_ns);

/*
 * @e is about to be freed, or reused for another process or under another
 * group (the elevator's queue reuse): its parent stops waiting for it now.
 * Otherwise the parent keeps its weight and need until the wait expires,
 * and every other child that runs dry in the meantime pushes the expiry
 * back: the siblings would be held for slots nobody will claim. Nothing is
 * taken back once the wait expired (another epoch). Call it while @e still
 * has its parent, before re-initialising it.
 */
void xot_slots_forget(struct xot_entity *e);

/*
 * Is some group on @leaf's path waiting for a child (one that ran dry short
 * of what it will want back)? Only then can xot_slots_hold() hold @leaf
 * back. One walk of loads, no arithmetic and no clock: the usual answer is
 * no, and the caller need not even read the time.
 */
bool xot_slots_waiting(const struct xot_entity *leaf);

/*
 * Should @leaf (what xot_select() returned) wait rather than be served, on
 * a device of @slots slots holding @inflight requests, at @now? True when,
 * at some level of its path, the child on the path already has its share
 * of the slots and no more than the waited-for siblings' needs are free.
 * Meant for when xot_slots_waiting(@leaf); false otherwise, at the cost of
 * the share arithmetic.
 */
bool xot_slots_hold(struct xot_entity *leaf, u32 slots, u32 inflight, u64 now);

#endif /* _XOT_SLOTS_H */
