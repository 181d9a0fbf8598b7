// SPDX-License-Identifier: GPL-2.0
/*
 * The xot elevator, as iosched-xot/elevator.c runs it, without the block
 * layer: requests wait FIFO in their leaf queue; a queue joins the core's
 * tree when its first request arrives (xot_activate) and leaves it when its
 * last one is dispatched (xot_deactivate); each dispatch asks the core for
 * the next leaf (xot_select) and charges it the request's cost
 * (xot_charge, cost from include/xot/cost.h); max_inflight refuses dispatch
 * while that many requests are in the driver. Merges, requeues and at-head
 * inserts are not modelled.
 *
 * Beside the elevator's own work it keeps the per-queue statistics that
 * only it can see: time backlogged, longest wait, and the starvation gap
 * (dispatches of other queues while this one waited with work).
 */
#include "sim.h"

void sim_elv_init(struct sim_elv *elv, struct sim_cgroup *root, u32 max_inflight,
		  u64 win_start, u64 win_end)
{
	memset(elv, 0, sizeof(*elv));
	elv->root = root;
	elv->max_inflight = max_inflight;
	elv->win_start = win_start;
	elv->win_end = win_end;
}

/* add the part of [from, to) inside the window to @acc */
static void add_window(u64 *acc, u64 from, u64 to, u64 ws, u64 we)
{
	if (from < ws)
		from = ws;
	if (to > we)
		to = we;
	if (to > from)
		*acc += to - from;
}

/* after a leaf joined or left the tree: update its cgroups' busy times */
static void cgroups_busy(struct sim_elv *elv, struct sim_cgroup *cg, u64 now)
{
	bool busy;

	for (; cg; cg = cg->parent) {
		busy = cg->group.nr_active > 0;
		if (busy == cg->was_busy)
			break;
		cg->was_busy = busy;
		if (busy)
			cg->busy_since = now;
		else
			add_window(&cg->busy_ns, cg->busy_since, now, elv->win_start, elv->win_end);
	}
}

void sim_elv_insert(struct sim_elv *elv, struct sim_req *rq, u64 now)
{
	struct sim_queue *q = rq->q;

	rq->t_insert = now;
	rq->next = NULL;
	if (q->tail)
		q->tail->next = rq;
	else
		q->head = rq;
	q->tail = rq;
	elv->inserted++;
	elv->nr_queued++;
	xot_slots_enqueue(&q->entity);
	if (q->nr_queued++ == 0) {
		xot_activate_credit(&q->entity, elv->credit_vt);
		q->st.busy_since = now;
		q->st.gap_since = elv->dispatched;
		cgroups_busy(elv, q->cg, now);
	}
}

/* xot_remove_request(): the queue leaves the tree with its last request */
static void remove_head(struct sim_elv *elv, struct sim_queue *q, u64 now)
{
	struct sim_req *rq = q->head;

	q->head = rq->next;
	if (!q->head)
		q->tail = NULL;
	rq->next = NULL;
	elv->nr_queued--;
	xot_slots_dequeue(&q->entity);
	if (--q->nr_queued == 0) {
		xot_deactivate(&q->entity);
		add_window(&q->st.busy_ns, q->st.busy_since, now, elv->win_start, elv->win_end);
		cgroups_busy(elv, q->cg, now);
	}
}

struct sim_req *sim_elv_dispatch(struct sim_elv *elv, u64 now)
{
	struct xot_entity *e;
	struct sim_queue *q;
	struct sim_req *rq;
	u64 gap;

	/* keep the device queue short enough that this order decides */
	if (elv->max_inflight && elv->inflight >= elv->max_inflight) {
		if (elv->nr_queued)
			elv->throttled++;
		return NULL;
	}
	e = xot_select(&elv->root->group);
	if (!e)
		return NULL;
	/* slot shares: leave the slot to a sibling in its turnaround */
	if (elv->slot_hold_ns && xot_slots_waiting(e) &&
	    xot_slots_hold(e, elv->slots, elv->inflight, now)) {
		elv->slot_held++;
		return NULL;
	}
	q = container_of(e, struct sim_queue, entity);
	rq = q->head;

	/* statistics: dispatches of others since this queue last got one */
	gap = elv->dispatched - q->st.gap_since;
	if (gap > q->st.gap_max)
		q->st.gap_max = gap;
	q->st.gap_since = elv->dispatched + 1;
	if (now - rq->t_insert > q->st.wait_max_ns)
		q->st.wait_max_ns = now - rq->t_insert;

	/* as the elevator: out of the queue first, then charge (see sched.h) */
	remove_head(elv, q, now);
	xot_slots_start(e);
	/* as the elevator: only if others have requests waiting for slots */
	if (!q->nr_queued && elv->nr_queued && elv->slot_hold_ns)
		xot_slots_ran_dry(e, elv->slots, now, elv->slot_hold_ns);
	xot_charge(e, rq->cost);
	rq->t_dispatch = now;
	elv->inflight++;
	elv->dispatched++;
	return rq;
}

void sim_elv_complete(struct sim_elv *elv, struct sim_req *rq)
{
	xot_slots_end(&rq->q->entity);
	if (!XOT_WARN_ON(elv->inflight == 0))
		elv->inflight--;
}

void sim_elv_finish(struct sim_elv *elv, struct sim_model *m, u64 now)
{
	size_t i;

	for (i = 0; i < m->ncg; i++) {
		struct sim_cgroup *cg = m->cg[i];

		if (cg->was_busy)
			add_window(&cg->busy_ns, cg->busy_since, now, elv->win_start, elv->win_end);
	}
	for (i = 0; i < m->nq; i++) {
		struct sim_queue *q = m->q[i];
		u64 gap;

		if (!q->nr_queued)
			continue;
		add_window(&q->st.busy_ns, q->st.busy_since, now, elv->win_start, elv->win_end);
		/* a queue still waiting at the end: its gap so far counts too */
		gap = elv->dispatched - q->st.gap_since;
		if (gap > q->st.gap_max)
			q->st.gap_max = gap;
		if (now - q->head->t_insert > q->st.wait_max_ns)
			q->st.wait_max_ns = now - q->head->t_insert;
	}
}
