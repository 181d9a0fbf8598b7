// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: processes and recorded arrivals submit requests; a
 * request takes a scheduler tag (nr_requests; without one it waits in
 * arrival order, as blk-mq makes it wait before the elevator sees it),
 * enters the elevator, is dispatched whenever the device can accept one,
 * and completes after its service time. After every event the elevator is
 * asked for requests until the device is full or the elevator has none to
 * give, as blk-mq runs the hardware queue after an insert or a completion.
 *
 * Events at the same instant run in the order they were scheduled, so a
 * run depends on nothing but its input and its seed.
 */
#include <stdlib.h>

#include "sim.h"

/* a run stops rather than let an overloaded open loop eat all memory */
#define SIM_MAX_OUTSTANDING	10000000ULL
#define REQ_BLOCK		1024

enum ev_type {
	EV_PROC_START,		/* a process begins */
	EV_PROC_ISSUE,		/* a process issues one request */
	EV_ARRIVAL,		/* the next recorded arrival */
	EV_DONE,		/* a request's service ends */
};

struct event {
	u64 t;
	u64 seq;
	enum ev_type type;
	void *p;
};

struct run {
	struct sim_model *m;
	struct sim_result *res;
	struct sim_elv elv;
	struct sim_device dev;
	/* events: a binary min-heap by (t, seq) */
	struct event *ev;
	size_t nev, ev_cap;
	u64 seq;
	/* scheduler tags and the requests waiting for one */
	u32 tags;
	struct sim_req *tw_head, *tw_tail;
	u32 tw_n;
	/* requests: allocated in blocks, recycled through a free list */
	struct sim_req **blocks;
	size_t nblocks, blocks_cap;
	struct sim_req *free_rq;
	u64 outstanding;
	size_t next_arr;
	u64 win_start, win_end;
};

/* ------------------------------------------------------------------ events */

static bool ev_before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void ev_push(struct run *r, u64 t, enum ev_type type, void *p)
{
	size_t i, parent;
	struct event x = { .t = t, .seq = r->seq++, .type = type, .p = p };

	sim_grow(&r->ev, &r->ev_cap, r->nev + 1, sizeof(*r->ev));
	for (i = r->nev++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!ev_before(&x, &r->ev[parent]))
			break;
		r->ev[i] = r->ev[parent];
	}
	r->ev[i] = x;
}

static struct event ev_pop(struct run *r)
{
	struct event top = r->ev[0], last = r->ev[--r->nev];
	size_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nev)
			break;
		if (c + 1 < r->nev && ev_before(&r->ev[c + 1], &r->ev[c]))
			c++;
		if (!ev_before(&r->ev[c], &last))
			break;
		r->ev[i] = r->ev[c];
		i = c;
	}
	if (r->nev)
		r->ev[i] = last;
	return top;
}

/* ---------------------------------------------------------------- requests */

static struct sim_req *req_alloc(struct run *r)
{
	struct sim_req *rq, *block;
	size_t i;

	if (!r->free_rq) {
		block = sim_xcalloc(REQ_BLOCK, sizeof(*block));
		sim_grow(&r->blocks, &r->blocks_cap, r->nblocks + 1, sizeof(*r->blocks));
		r->blocks[r->nblocks++] = block;
		for (i = 0; i < REQ_BLOCK; i++) {
			block[i].next = r->free_rq;
			r->free_rq = &block[i];
		}
	}
	rq = r->free_rq;
	r->free_rq = rq->next;
	memset(rq, 0, sizeof(*rq));
	return rq;
}

static void req_free(struct run *r, struct sim_req *rq)
{
	rq->next = r->free_rq;
	r->free_rq = rq;
}

static bool in_window(struct run *r, u64 t)
{
	return t >= r->win_start && t <= r->win_end;
}

static void insert(struct run *r, struct sim_req *rq, u64 now)
{
	r->tags++;
	sim_elv_insert(&r->elv, rq, now);
	if (r->elv.nr_queued > r->res->max_queued)
		r->res->max_queued = r->elv.nr_queued;
}

static int submit(struct run *r, struct sim_queue *q, struct sim_proc *pr, u32 bytes,
		  u64 now, struct sim_err *e)
{
	struct sim_req *rq;
	u32 nr = r->m->set.nr_requests;

	if (++r->outstanding > SIM_MAX_OUTSTANDING)
		return sim_fail(e, "more than %llu requests outstanding at %.6f s: the offered load exceeds what the device can serve (lower an open-loop rate, or set a duration)",
				SIM_MAX_OUTSTANDING, (double)now / 1e9);
	rq = req_alloc(r);
	rq->q = q;
	rq->proc = pr;
	rq->bytes = bytes;
	rq->sectors = bytes / SIM_SECTOR_SIZE;
	rq->cost = xot_cost_of_sectors(rq->sectors);
	rq->t_submit = now;
	q->st.submitted++;
	if (in_window(r, now))
		q->st.present = true;
	if (pr)
		pr->outstanding++;
	if (nr && r->tags >= nr) {
		/* no scheduler tag: wait, in arrival order, before the elevator */
		if (r->tw_tail)
			r->tw_tail->next = rq;
		else
			r->tw_head = rq;
		r->tw_tail = rq;
		r->tw_n++;
		r->res->tag_waits++;
		if (r->tw_n > r->res->max_tag_wait)
			r->res->max_tag_wait = r->tw_n;
		return 0;
	}
	insert(r, rq, now);
	return 0;
}

static int proc_issue(struct run *r, struct sim_proc *pr, u64 now, struct sim_err *e)
{
	return submit(r, pr->q, pr, pr->bytes, now, e);
}

static bool proc_stopped(const struct sim_proc *pr, u64 now)
{
	return pr->stop_ns && now >= pr->stop_ns;
}

static void record(struct run *r, struct sim_req *rq, u64 now)
{
	struct sim_qstats *st = &rq->q->st;

	st->finished++;
	if (now >= r->win_start && rq->t_submit <= r->win_end)
		st->present = true;
	/* completions in (start, end]: a window's worth, not one more */
	if (now <= r->win_start || now > r->win_end)
		return;
	st->completed++;
	st->bytes += rq->bytes;
	st->cost += rq->cost;
	st->lat_sum += now - rq->t_submit;
	sim_grow(&st->lat, &st->lat_cap, st->nlat + 1, sizeof(*st->lat));
	st->lat[st->nlat++] = now - rq->t_submit;
}

static int complete(struct run *r, struct sim_req *rq, u64 now, struct sim_err *e)
{
	struct sim_proc *pr = rq->proc;
	struct sim_req *next;

	next = sim_dev_complete(&r->dev, rq, now);
	if (next)
		ev_push(r, next->t_done, EV_DONE, next);
	sim_elv_complete(&r->elv, rq);
	record(r, rq, now);
	r->res->completed++;
	r->outstanding--;
	req_free(r, rq);

	/* its scheduler tag goes to the oldest request waiting for one */
	r->tags--;
	if (r->tw_head) {
		next = r->tw_head;
		r->tw_head = next->next;
		if (!r->tw_head)
			r->tw_tail = NULL;
		r->tw_n--;
		insert(r, next, now);
	}

	if (!pr)
		return 0;
	pr->outstanding--;
	if (pr->gen != SIM_GEN_CLOSED || proc_stopped(pr, now))
		return 0;
	if (!pr->think_ns)
		return proc_issue(r, pr, now, e);
	ev_push(r, now + pr->think_ns, EV_PROC_ISSUE, pr);
	return 0;
}

static void dispatch(struct run *r, u64 now)
{
	struct sim_req *rq, *started;

	while (sim_dev_can_accept(&r->dev)) {
		rq = sim_elv_dispatch(&r->elv, now);
		if (!rq)
			break;
		started = sim_dev_submit(&r->dev, rq, now);
		if (started)
			ev_push(r, started->t_done, EV_DONE, started);
	}
}

/* an open loop's next arrival: Poisson at its rate */
static u64 next_arrival(struct sim_proc *pr, u64 now)
{
	return now + sim_rng_exp(&pr->rng, 1e9 / pr->rate);
}

static int handle(struct run *r, const struct event *ev, struct sim_err *e)
{
	struct sim_proc *pr = ev->p;
	struct sim_arrival *a;
	u32 i;

	switch (ev->type) {
	case EV_PROC_START:
		if (pr->gen == SIM_GEN_OPEN) {
			ev_push(r, next_arrival(pr, ev->t), EV_PROC_ISSUE, pr);
			return 0;
		}
		for (i = 0; i < pr->iodepth; i++)
			if (proc_issue(r, pr, ev->t, e))
				return -1;
		return 0;
	case EV_PROC_ISSUE:
		if (proc_stopped(pr, ev->t))
			return 0;
		if (proc_issue(r, pr, ev->t, e))
			return -1;
		if (pr->gen == SIM_GEN_OPEN)
			ev_push(r, next_arrival(pr, ev->t), EV_PROC_ISSUE, pr);
		return 0;
	case EV_ARRIVAL:
		a = &r->m->arr[r->next_arr++];
		if (r->next_arr < r->m->narr)
			ev_push(r, r->m->arr[r->next_arr].t_ns, EV_ARRIVAL, NULL);
		return submit(r, a->q, NULL, a->bytes, ev->t, e);
	case EV_DONE:
		return complete(r, ev->p, ev->t, e);
	}
	return 0;
}

static void run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nblocks; i++)
		free(r->blocks[i]);
	free(r->blocks);
	free(r->ev);
}

int sim_run(struct sim_model *m, struct sim_result *res, struct sim_err *e)
{
	struct sim_settings *s = &m->set;
	struct run r;
	struct event ev;
	u64 now = 0, end = s->duration_ns;
	size_t i;
	int ret = 0, chk;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.m = m;
	r.res = res;
	r.win_start = s->warmup_ns;
	r.win_end = end ? end : UINT64_MAX;
	sim_elv_init(&r.elv, m->cg[0], s->max_inflight, r.win_start, r.win_end);
	/* as the elevator's xot_credit_vt(): N requests of 4 KiB at weight 100 */
	r.elv.credit_vt = (u64)s->idle_credit * (xot_cost_of_sectors(8) << XOT_VT_SHIFT) /
		XOT_WEIGHT_DEFAULT;
	r.elv.slots = s->dev.depth;
	r.elv.slot_hold_ns = s->slot_hold_ns;
	sim_dev_init(&r.dev, &s->dev, s->seed, r.win_start, r.win_end);

	for (i = 0; i < m->nproc; i++)
		ev_push(&r, m->proc[i]->start_ns, EV_PROC_START, m->proc[i]);
	if (m->narr)
		ev_push(&r, m->arr[0].t_ns, EV_ARRIVAL, NULL);

	while (r.nev) {
		if (end && r.ev[0].t > end)
			break;
		ev = ev_pop(&r);
		if (ev.t > SIM_MAX_TIME_NS) {
			ret = sim_fail(e, "the simulation passed %llu s without finishing",
				       SIM_MAX_TIME_NS / SIM_NS_PER_S);
			break;
		}
		now = ev.t;
		ret = handle(&r, &ev, e);
		if (ret)
			break;
		/*
		 * Dispatch once everything due at this instant was handled, as
		 * blk-mq runs the queue after a batch of completions (a restart
		 * runs it from kblockd), not between two of them.
		 */
		if (!r.nev || r.ev[0].t != now)
			dispatch(&r, now);
	}
	if (end)
		now = end;
	sim_elv_finish(&r.elv, m, now);
	sim_dev_finish(&r.dev, now);
	for (i = 0; i < m->nq; i++)
		if (m->q[i]->st.submitted > m->q[i]->st.finished)
			m->q[i]->st.present = true;

	res->end_ns = now;
	res->win_start = r.win_start;
	res->win_end = end ? end : now;
	res->inserted = r.elv.inserted;
	res->dispatched = r.elv.dispatched;
	res->throttled = r.elv.throttled;
	res->slot_held = r.elv.slot_held;
	res->dev_busy_ns = r.dev.busy_ns;
	res->dev_server_ns = r.dev.server_ns;
	res->servers = r.dev.servers;
	res->unfinished = r.outstanding;

	chk = xot_group_check(&m->cg[0]->group);
	if (!ret && (chk || xot_warnings))
		ret = sim_fail(e, "internal error: the scheduling core's invariants do not hold (check %d, warnings %lu)",
			       chk, xot_warnings);
	run_free(&r);
	return ret;
}
