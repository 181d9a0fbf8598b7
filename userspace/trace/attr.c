// SPDX-License-Identifier: GPL-2.0
/* xot-trace: matching messages, issues and completions (attr.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"

struct qinfo {
	uint64_t time, cgid;
	uint32_t pid;
	uint8_t has_cgid;
};

struct flight {
	struct xt_req req;
	uint8_t requeued;
};

struct comm {
	char name[17];
};

int xt_parse_msg(const char *text, struct xt_who *who)
{
	unsigned int tgid, w, gw, vw;
	unsigned long long vm, gcg;
	int n = -1;

	memset(who, 0, sizeof(*who));
	if (sscanf(text, "xot dispatch tgid=%u w=%u gw=%u vm=%llu gcg=%llu vw=%u%n",
		   &tgid, &w, &gw, &vm, &gcg, &vw, &n) == 6 && text[n] == 0) {
		who->guest = 1;
		who->domid = vm;
		who->gcg = gcg;
		who->vw = vw;
	} else if (n = -1, sscanf(text, "xot dispatch tgid=%u w=%u gw=%u%n",
				  &tgid, &w, &gw, &n) == 3 && n > 0 && text[n] == 0) {
		;
	} else {
		return 0;
	}
	who->src = XT_SRC_MSG;
	who->tgid = tgid;
	who->w = w;
	who->gw = gw;
	return 1;
}

void xt_attr_init(struct xt_attr *a)
{
	memset(a, 0, sizeof(*a));
	xt_map_init(&a->qmap, sizeof(struct qinfo));
	xt_map_init(&a->imap, sizeof(struct qinfo));
	xt_map_init(&a->inflight, sizeof(struct flight));
	xt_map_init(&a->comms, sizeof(struct comm));
	a->q_purge_at = 1 << 16;
}

static struct xt_fifo *fifo_get(struct xt_attr *a, uint32_t dev, uint32_t cpu, int create)
{
	struct xt_fifo *f;
	size_t i;

	for (i = 0; i < a->nfifos; i++)
		if (a->fifos[i].dev == dev && a->fifos[i].cpu == cpu)
			return &a->fifos[i];
	if (!create)
		return NULL;
	f = realloc(a->fifos, (a->nfifos + 1) * sizeof(*f));
	if (!f)
		return NULL;
	a->fifos = f;
	f = &a->fifos[a->nfifos++];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->cpu = cpu;
	return f;
}

static int fifo_push(struct xt_fifo *f, const struct xt_pend *p)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64, i;
		struct xt_pend *v = malloc(cap * sizeof(*v));

		if (!v)
			return -1;
		for (i = 0; i < f->n; i++)
			v[i] = f->v[(f->head + i) % f->cap];
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	f->v[(f->head + f->n) % f->cap] = *p;
	f->n++;
	return 0;
}

static struct xt_pend *fifo_head(struct xt_fifo *f)
{
	return f->n ? &f->v[f->head] : NULL;
}

static void fifo_pop(struct xt_fifo *f)
{
	f->head = (f->head + 1) % f->cap;
	f->n--;
}

static void note_device(struct xt_attr *a, uint32_t dev)
{
	size_t i;

	for (i = 0; i < a->ndevs; i++)
		if (a->devs[i] == dev)
			return;
	if (a->ndevs < sizeof(a->devs) / sizeof(a->devs[0]))
		a->devs[a->ndevs++] = dev;
}

/* Take the @k-th pending message of @f out (0: the head). */
static void fifo_take(struct xt_fifo *f, size_t k, struct xt_who *who)
{
	size_t i;

	*who = f->v[(f->head + k) % f->cap].who;
	for (i = k; i > 0; i--)
		f->v[(f->head + i) % f->cap] = f->v[(f->head + i - 1) % f->cap];
	fifo_pop(f);
}

/* The first message of @f naming local process @pid, or (size_t)-1. */
static size_t fifo_find_pid(const struct xt_fifo *f, uint32_t pid)
{
	size_t k;

	for (k = 0; pid && k < f->n; k++) {
		const struct xt_who *w = &f->v[(f->head + k) % f->cap].who;

		if (!w->guest && w->tgid == pid)
			return k;
	}
	return (size_t)-1;
}

/*
 * The message for a request issued on @dev by @cpu at @now, if any: the
 * oldest pending on that CPU, else the oldest on the device. @pid, if not
 * 0, is the pid that queued the request: a message naming that local
 * process is preferred among the pending ones, as blk-mq issues a batch
 * taken from several hardware queues sorted by queue (list_sort in
 * __blk_mq_do_dispatch_sched()), not in dispatch order.
 */
static int take_message(struct xt_attr *a, uint32_t dev, uint32_t cpu, uint64_t now,
			uint32_t pid, struct xt_who *who)
{
	struct xt_fifo *own = NULL, *best = NULL, *bypid = NULL;
	size_t i, k = 0, kpid = 0;

	for (i = 0; i < a->nfifos; i++) {
		struct xt_fifo *f = &a->fifos[i];
		struct xt_pend *p;
		size_t j;

		if (f->dev != dev)
			continue;
		while ((p = fifo_head(f)) && p->time + XT_MSG_MAX_AGE_NS < now) {
			fifo_pop(f);
			a->st.orphan_msgs++;
		}
		if (!f->n)
			continue;
		if (f->cpu == cpu)
			own = f;
		if (!best || fifo_head(f)->time < fifo_head(best)->time)
			best = f;
		j = fifo_find_pid(f, pid);
		if (j != (size_t)-1 && (!bypid || f->cpu == cpu ||
		    (bypid->cpu != cpu && f->v[(f->head + j) % f->cap].time <
		     bypid->v[(bypid->head + kpid) % bypid->cap].time))) {
			bypid = f;
			kpid = j;
		}
	}
	if (bypid && (!own || bypid == own)) {
		own = bypid;
		k = kpid;
		if (k)
			a->st.reordered++;
	}
	if (!own && best)
		own = best;
	if (!own)
		return 0;
	if (own->cpu != cpu)
		a->st.cross_cpu++;
	fifo_take(own, k, who);
	return 1;
}

static int q_older(const void *val, const void *arg)
{
	return ((const struct qinfo *)val)->time < *(const uint64_t *)arg;
}

/* an issued request in the state @arg->requeued, of @arg->bytes if >= 0 */
struct match {
	int requeued;
	int64_t bytes;
};

static int matches(const void *val, const void *arg)
{
	const struct flight *f = val;
	const struct match *m = arg;

	return f->requeued == m->requeued && (m->bytes < 0 || f->req.bytes == m->bytes);
}

/*
 * The request a record of @ev's device and sector is about: one of its
 * size first (a flush or a request at the same sector may be in flight
 * too), else the oldest one.
 */
static struct flight *find_flight(struct xt_attr *a, const struct xt_event *ev, int requeued)
{
	struct match m = { requeued, ev->bytes };
	struct flight *f = xt_map_find(&a->inflight, ev->device, ev->sector, matches, &m);

	if (f)
		return f;
	m.bytes = -1;
	return xt_map_find(&a->inflight, ev->device, ev->sector, matches, &m);
}

static int q_pid(const void *val, const void *arg)
{
	return ((const struct qinfo *)val)->pid == *(const uint32_t *)arg;
}

static void purge(struct xt_attr *a, uint64_t now)
{
	uint64_t limit = now > 10 * XT_MSG_MAX_AGE_NS ? now - 10 * XT_MSG_MAX_AGE_NS : 0;
	size_t n;

	xt_map_purge(&a->qmap, q_older, &limit);
	xt_map_purge(&a->imap, q_older, &limit);
	n = a->qmap.n > a->imap.n ? a->qmap.n : a->imap.n;
	a->q_purge_at = n * 2 > (1 << 16) ? n * 2 : 1 << 16;
}

/* Q and I records of bios and requests merged into others are never issued */
static void maybe_purge(struct xt_attr *a, uint64_t now)
{
	if (a->qmap.n >= a->q_purge_at || a->imap.n >= a->q_purge_at)
		purge(a, now);
}

static int on_queue(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	struct qinfo *q = xt_map_add(&a->qmap, ev->device, ev->sector);

	if (!q)
		return xt_fail(err, "out of memory");
	q->time = ev->time;
	q->pid = ev->pid;
	q->cgid = ev->cgid;
	q->has_cgid = ev->has_cgid;
	a->st.queued++;
	maybe_purge(a, ev->time);
	return 0;
}

static int on_insert(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	struct qinfo *i = xt_map_add(&a->imap, ev->device, ev->sector);

	if (!i)
		return xt_fail(err, "out of memory");
	i->time = ev->time;
	a->st.inserted++;
	maybe_purge(a, ev->time);
	return 0;
}

/* Move the entry of @m at @from to @to (keeping its value), if any. */
static int rekey(struct xt_map *m, uint32_t dev, uint64_t from, uint64_t to)
{
	struct qinfo *old = xt_map_find(m, dev, from, NULL, NULL), *n;

	if (!old)
		return 0;
	n = xt_map_add(m, dev, to);
	if (!n)
		return -1;
	*n = *old;
	xt_map_del(m, old);
	return 0;
}

/*
 * A bio (sector, bytes) merged at the front of a request that started
 * where the bio ends: the request now starts at the bio's sector. Its I
 * record moves there; so does its Q record (the request's first bio),
 * replacing the merged bio's own.
 */
static int on_front_merge(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	uint64_t old = ev->sector + ev->bytes / 512;
	struct qinfo *q;

	if (xt_map_find(&a->qmap, ev->device, old, NULL, NULL)) {
		q = xt_map_find(&a->qmap, ev->device, ev->sector, NULL, NULL);
		if (q)
			xt_map_del(&a->qmap, q);
	}
	if (rekey(&a->qmap, ev->device, old, ev->sector) ||
	    rekey(&a->imap, ev->device, old, ev->sector))
		return xt_fail(err, "out of memory");
	return 0;
}

static int on_issue(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	uint32_t cat = ev->action >> XT_TC_SHIFT;
	struct qinfo *q, *ins;
	struct flight *f;
	int bypass, nodata, got;

	a->st.issued++;
	nodata = (cat & XT_TC_PC) || ((cat & XT_TC_FLUSH) && !ev->bytes);
	ins = nodata ? NULL : xt_map_find(&a->imap, ev->device, ev->sector, NULL, NULL);
	if (ins)
		xt_map_del(&a->imap, ins);
	f = find_flight(a, ev, 1);
	if (f && f->req.bytes == ev->bytes) {
		f->requeued = 0;
		f->req.td = ev->time;
		a->st.reissued++;
		return 0;
	}
	/* bypassed the elevator: no insert record although the trace has them */
	bypass = nodata || (!ins && a->st.inserted && ev->time >= a->st.t0 + XT_PRE_TRACE_NS);
	if (bypass)
		a->st.bypassed++;
	f = xt_map_add(&a->inflight, ev->device, ev->sector);
	if (!f)
		return xt_fail(err, "out of memory");
	f->req.td = ev->time;
	f->req.bytes = ev->bytes;
	f->req.dev = ev->device;
	f->req.write = !!(cat & XT_TC_WRITE);
	q = xt_map_find(&a->qmap, ev->device, ev->sector, NULL, NULL);
	got = !bypass && take_message(a, ev->device, ev->cpu, ev->time, q ? q->pid : 0,
				      &f->req.who);
	/*
	 * Its Q record: several requests may be queued at one sector (fio's
	 * jobs share a random seed); local sync I/O is queued by the process
	 * the message names, else the oldest.
	 */
	q = NULL;
	if (got && !f->req.who.guest && f->req.who.tgid)
		q = xt_map_find(&a->qmap, ev->device, ev->sector, q_pid, &f->req.who.tgid);
	if (!q)
		q = xt_map_find(&a->qmap, ev->device, ev->sector, NULL, NULL);
	if (q) {
		f->req.has_q = 1;
		f->req.tq = q->time;
	}
	if (!got) {
		struct xt_who *w = &f->req.who;

		memset(w, 0, sizeof(*w));
		w->src = XT_SRC_PID;
		w->pid = q ? q->pid : ev->pid;
		if (!q)
			a->st.pid_from_issue++;
		w->has_cgid = q ? q->has_cgid : ev->has_cgid;
		w->cgid = q ? q->cgid : ev->cgid;
	}
	/* a check of the matching: sync local I/O is queued by its process */
	if (q && f->req.who.src == XT_SRC_MSG && !f->req.who.guest && f->req.who.tgid) {
		a->st.pid_checked++;
		if (f->req.who.tgid != q->pid)
			a->st.pid_differs++;
	}
	if (q)
		xt_map_del(&a->qmap, q);
	return 0;
}

static int on_complete(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	struct flight *f = find_flight(a, ev, 0);

	if (!f) {
		a->st.unmatched_completions++;
		return 0;
	}
	if (a->nreq == a->capreq) {
		size_t cap = a->capreq ? a->capreq * 2 : 4096;
		struct xt_req *r = realloc(a->reqs, cap * sizeof(*r));

		if (!r)
			return xt_fail(err, "out of memory");
		a->reqs = r;
		a->capreq = cap;
	}
	f->req.tc = ev->time;
	f->req.error = ev->error != 0;
	if (ev->error)
		a->st.errors++;
	a->reqs[a->nreq++] = f->req;
	a->st.completed++;
	if (f->req.who.src == XT_SRC_MSG)
		a->st.by_msg++;
	else
		a->st.by_pid++;
	xt_map_del(&a->inflight, f);
	return 0;
}

static int on_note(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	unsigned int kind = xt_act(ev);
	struct xt_pend p;

	a->st.notes++;
	if (kind == XT_TN_PROCESS) {
		struct comm *c = xt_map_find(&a->comms, 0, ev->pid, NULL, NULL);

		if (!c)
			c = xt_map_add(&a->comms, 0, ev->pid);
		if (!c)
			return xt_fail(err, "out of memory");
		snprintf(c->name, sizeof(c->name), "%.16s", ev->text);
		return 0;
	}
	if (kind != XT_TN_MESSAGE)
		return 0;
	if (!xt_parse_msg(ev->text, &p.who)) {
		a->st.other_msgs++;
		return 0;
	}
	a->st.xot_msgs++;
	if (!p.who.guest)
		a->st.local_msgs++;
	p.time = ev->time;
	p.who.has_cgid = ev->has_cgid;
	p.who.cgid = ev->cgid;
	{
		struct xt_fifo *f = fifo_get(a, ev->device, ev->cpu, 1);

		if (!f || fifo_push(f, &p))
			return xt_fail(err, "out of memory");
	}
	return 0;
}

int xt_attr_feed(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err)
{
	if (!a->st.records++)
		a->st.t0 = ev->time;
	if (ev->time > a->st.tend)
		a->st.tend = ev->time;
	if (xt_is_note(ev)) {
		/* process notes name pids on every device */
		if (a->dev_filter && ev->device != a->dev_filter && xt_act(ev) != XT_TN_PROCESS) {
			a->st.skipped_dev++;
			return 0;
		}
		return on_note(a, ev, err);
	}
	if (a->dev_filter && ev->device != a->dev_filter) {
		a->st.skipped_dev++;
		return 0;
	}
	if (ev->has_cgid)
		a->st.cg_records++;
	switch (xt_act(ev)) {
	case XT_TA_QUEUE:
		return on_queue(a, ev, err);
	case XT_TA_INSERT:
		return on_insert(a, ev, err);
	case XT_TA_FRONTMERGE:
		return on_front_merge(a, ev, err);
	case XT_TA_ISSUE:
		note_device(a, ev->device);
		return on_issue(a, ev, err);
	case XT_TA_REQUEUE: {
		struct flight *f = find_flight(a, ev, 0);

		if (f)
			f->requeued = 1;
		return 0;
	}
	case XT_TA_COMPLETE:
		note_device(a, ev->device);
		return on_complete(a, ev, err);
	default:
		return 0;
	}
}

void xt_attr_finish(struct xt_attr *a)
{
	size_t i;

	a->st.in_flight_at_end = a->inflight.n;
	for (i = 0; i < a->nfifos; i++)
		a->st.orphan_msgs += a->fifos[i].n;
}

const char *xt_attr_comm(const struct xt_attr *a, uint32_t pid)
{
	const struct comm *c = xt_map_find(&a->comms, 0, pid, NULL, NULL);

	return c ? c->name : NULL;
}

void xt_attr_free(struct xt_attr *a)
{
	size_t i;

	for (i = 0; i < a->nfifos; i++)
		free(a->fifos[i].v);
	free(a->fifos);
	free(a->reqs);
	xt_map_free(&a->qmap);
	xt_map_free(&a->imap);
	xt_map_free(&a->inflight);
	xt_map_free(&a->comms);
	memset(a, 0, sizeof(*a));
}
