/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XoT slot shares: the device's slots held for an entity in its turnaround.
 *
 * Fair queueing orders what waits in the elevator; on a deep device with a
 * fixed service time (null_blk's timer, many flash devices under a steady
 * load) that is not enough. Requests dispatched together complete together,
 * so the device's slots free in bursts, and a job that turns its completed
 * requests round takes a moment to send the next ones. In that moment the
 * work-conserving elevator fills the slots it freed from its siblings'
 * backlog, and its requests then wait one service time for the next burst:
 * a job with Q requests outstanding can never hold more than about Q / 2
 * slots, whatever its weight (docs/simulator.md, section 4).
 *
 * So the slots are shared too. A child that runs dry (its last queued
 * request dispatched) while it still has requests in the device is waited
 * for: its completions will come back. Until it has work again, or for
 * hold_ns at most, each sibling may fill the device only up to its weighted
 * share of the group's slots,
 *
 *     slots(c) = slots(g) * w(c) / (active weight of g + waited-for weight)
 *
 * from the driver's depth at the root down the path of the entity served.
 * The slots above those shares stay free for the returning child. A child
 * with nothing else in the device when it runs dry (a synchronous reader at
 * depth 1) is not waited for: it holds at most the one slot it just got.
 *
 * The hold is bounded: it needs a request of the held entity in the device,
 * whose completion runs the elevator again, and it ends hold_ns after the
 * last child ran dry. It is not a throttle: entities below their share are
 * never held, and nobody is held while no sibling is being waited for.
 *
 * Locking: xot_slots_end() runs without the caller's lock (completion
 * context: atomics only); everything else under the lock of the tree.
 */
#ifndef _XOT_SLOTS_H
#define _XOT_SLOTS_H

#include <xot/sched.h>

/* deepest path the hold check follows; deeper trees are never held */
#define XOT_SLOTS_MAX_DEPTH	16

/* A request of @leaf enters the device: count it on its path. */
void xot_slots_start(struct xot_entity *leaf);

/* A counted request of @leaf left the device (completed or requeued). */
void xot_slots_end(struct xot_entity *leaf);

/*
 * @leaf's queue ran dry at @now (after xot_deactivate()): each entity on its
 * path that left its parent's active set with requests still in the device
 * is waited for until @now + @hold_ns, or until it is active again.
 */
void xot_slots_ran_dry(struct xot_entity *leaf, u64 now, u64 hold_ns);

/*
 * Should @leaf (what xot_select() returned) wait rather than be served, on
 * a device of @slots slots at @now? True when, at some level of its path, a
 * sibling is waited for and the child on the path already has its share of
 * the slots in the device. Expires what is no longer waited for.
 */
bool xot_slots_hold(struct xot_entity *leaf, u32 slots, u64 now);

#endif /* _XOT_SLOTS_H */
