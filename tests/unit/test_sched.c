// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the portable scheduling core (core/sched.c): weights,
 * hierarchy, virtual-time invariants, idle/busy transitions, wrap-around,
 * starvation bound, and random operation sequences checked against the
 * core's own invariant checker.
 */
#include <math.h>
#include <stdint.h>

#include <xot/sched.h>
#include "unit.h"


/* A leaf with a count of pending units of work. */
struct leaf {
	struct xot_entity e;
	long pending;		/* < 0: infinite backlog */
	long served;
};

static struct leaf *leaf_of(struct xot_entity *e)
{
	return container_of(e, struct leaf, e);
}

static void leaf_init(struct leaf *l, struct xot_group *parent, u32 w, long pending)
{
	xot_entity_init(&l->e, parent, w);
	l->pending = pending;
	l->served = 0;
	if (pending)
		xot_activate(&l->e);
}

/* Serve one unit of cost @cost; returns the leaf served or NULL. */
static struct leaf *serve(struct xot_group *root, u64 cost)
{
	struct xot_entity *e = xot_select(root);
	struct leaf *l;

	if (!e)
		return NULL;
	l = leaf_of(e);
	xot_charge(e, cost);
	l->served++;
	if (l->pending > 0 && --l->pending == 0)
		xot_deactivate(e);
	return l;
}

static void test_flat_weights(void)
{
	struct xot_group root;
	struct leaf l[3];
	const u32 w[3] = { 100, 200, 400 };
	int i, n = 70000;

	xot_group_init_root(&root);
	for (i = 0; i < 3; i++)
		leaf_init(&l[i], &root, w[i], -1);
	for (i = 0; i < n; i++)
		serve(&root, 1);
	for (i = 0; i < 3; i++) {
		double want = n * w[i] / 700.0;

		CHECKF(fabs(l[i].served - want) <= 2, "leaf %d served %ld want %.0f",
		       i, l[i].served, want);
	}
	CHECK(xot_group_check(&root) == 0);
	CHECK(xot_warnings == 0);
}

static void test_hierarchy(void)
{
	/* A=200 {A1=100, A2=300} beside B=100: A1 1/6, A2 1/2, B 1/3 */
	struct xot_group root, a;
	struct leaf a1, a2, b;
	int i, n = 60000;

	xot_group_init_root(&root);
	xot_group_init(&a, &root, 200);
	leaf_init(&a1, &a, 100, -1);
	leaf_init(&a2, &a, 300, -1);
	leaf_init(&b, &root, 100, -1);
	CHECK(root.nr_active == 2 && a.nr_active == 2);
	for (i = 0; i < n; i++)
		serve(&root, 1);
	CHECKF(labs(a1.served - n / 6) <= 3, "a1 %ld", a1.served);
	CHECKF(labs(a2.served - n / 2) <= 3, "a2 %ld", a2.served);
	CHECKF(labs(b.served - n / 3) <= 3, "b %ld", b.served);
	CHECK(xot_group_check(&root) == 0);
}

static void test_deep_hierarchy(void)
{
	/* a chain of 8 groups with one leaf at the bottom, beside one leaf */
	struct xot_group root, g[8];
	struct leaf deep, top;
	int i, n = 10000;

	xot_group_init_root(&root);
	for (i = 0; i < 8; i++)
		xot_group_init(&g[i], i ? &g[i - 1] : &root, i ? 5000 : 300);
	leaf_init(&deep, &g[7], 1, -1);
	leaf_init(&top, &root, 100, -1);
	for (i = 0; i < 8; i++)
		CHECK(g[i].entity.active);
	for (i = 0; i < n; i++)
		serve(&root, 1);
	/* only g[0]'s weight matters against top: 3:1 */
	CHECKF(labs(deep.served - n * 3 / 4) <= 2, "deep %ld", deep.served);
	xot_entity_set_weight(&deep.e, 0);
	CHECK(deep.e.weight == XOT_WEIGHT_MIN);
	xot_deactivate(&deep.e);
	for (i = 0; i < 8; i++)
		CHECK(!g[i].entity.active && g[i].nr_active == 0);
	CHECK(root.nr_active == 1);
	CHECK(xot_group_check(&root) == 0);
}

static void test_work_conserving(void)
{
	struct xot_group root;
	struct leaf a, b;
	int i;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 1, -1);
	leaf_init(&b, &root, 10000, 0);	/* idle */
	for (i = 0; i < 1000; i++)
		CHECK(serve(&root, 1) == &a);
	CHECK(xot_select(&root) == &a.e);
	xot_deactivate(&a.e);
	CHECK(xot_select(&root) == NULL);
	CHECK(serve(&root, 1) == NULL);
	CHECK(root.nr_active == 0 && root.heap == NULL);
}

static void test_idle_earns_no_credit(void)
{
	/*
	 * b sleeps while a runs alone for a long time; when b returns it must
	 * not get the device for the whole period it missed: from then on the
	 * two alternate (equal weights).
	 */
	struct xot_group root;
	struct leaf a, b;
	int i, run_b = 0, max_run_b = 0;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 100, 0);
	for (i = 0; i < 5000; i++)
		serve(&root, 1);
	b.pending = -1;
	xot_activate(&b.e);
	for (i = 0; i < 1000; i++) {
		struct leaf *s = serve(&root, 1);

		run_b = s == &b ? run_b + 1 : 0;
		if (run_b > max_run_b)
			max_run_b = run_b;
	}
	CHECKF(max_run_b <= 2, "b ran %d in a row after idling", max_run_b);
	CHECKF(labs(a.served - 5500) <= 2, "a %ld", a.served);
}

static void test_short_idle_keeps_lag(void)
{
	/*
	 * An entity that consumed more than its share and idles briefly keeps
	 * its debt: activation never moves a virtual time backwards.
	 */
	struct xot_group root;
	struct leaf a, b;
	u64 vt;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 100, -1);
	xot_charge(&b.e, 1000);	/* b is far ahead */
	vt = b.e.vtime;
	xot_deactivate(&b.e);
	xot_activate(&b.e);
	CHECK(b.e.vtime == vt);
	CHECK(xot_select(&root) == &a.e);
}

static void test_returning_reader_waits_little(void)
{
	/*
	 * Four always-busy writers (weight 100) and a depth-1 reader (weight
	 * 400) that is idle between its requests. A returning reader starts no
	 * later than a quarter request's worth after the clock, so at most the
	 * three writers not yet served in this round go before it; and when it
	 * starts exactly at the clock, level with them, it goes first (ties go
	 * to the larger weight).
	 */
	struct xot_group root;
	struct leaf w[4], r;
	int i, round, waited, max_wait = 0, first = 0;

	xot_group_init_root(&root);
	for (i = 0; i < 4; i++)
		leaf_init(&w[i], &root, 100, -1);
	leaf_init(&r, &root, 400, 0);
	for (round = 0; round < 1000; round++) {
		for (i = 0; i < 1 + round % 5; i++)
			serve(&root, 1);	/* the reader "thinks" */
		r.pending = 1;
		xot_activate(&r.e);
		for (waited = 0; serve(&root, 1) != &r; waited++)
			;
		if (waited > max_wait)
			max_wait = waited;
		first += waited == 0;
	}
	CHECKF(max_wait <= 3, "reader waited behind %d writers", max_wait);
	CHECKF(first >= 800, "reader went first only %d times of 1000", first);
	CHECK(xot_group_check(&root) == 0);
}

static void test_credit_bounded(void)
{
	/*
	 * With an idle credit, a returning entity starts at most @credit of
	 * virtual time before its group's clock, never before where it
	 * stopped; one that overspent keeps its debt; credit 0 is the plain
	 * activation.
	 */
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;	/* one unit at weight 100 */
	struct xot_group root;
	struct leaf a, b;
	u64 vt;
	int i;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 100, 0);
	for (i = 0; i < 1000; i++)
		serve(&root, 1);
	/* b missed 1000 units: it gets back 10 of them */
	xot_activate_credit(&b.e, 10 * unit);
	CHECK(b.e.vtime == root.vclock - 10 * unit);
	CHECK(xot_group_check(&root) == 0);
	/* b now goes first until it has caught up with the clock */
	for (i = 0; i < 10; i++)
		CHECK(serve(&root, 1) == &b);
	xot_deactivate(&b.e);
	/* b missed only 3 units: it keeps its own virtual time */
	vt = b.e.vtime;
	for (i = 0; i < 3; i++)
		serve(&root, 1);
	xot_activate_credit(&b.e, 10 * unit);
	CHECK(b.e.vtime == vt);
	xot_deactivate(&b.e);
	/* debt is kept whatever the credit */
	xot_charge(&b.e, 5000);
	vt = b.e.vtime;
	xot_activate_credit(&b.e, 100000 * unit);
	CHECK(b.e.vtime == vt);
	CHECK(xot_select(&root) == &a.e);
	xot_deactivate(&b.e);
	/* credit 0: back at the clock */
	for (i = 0; i < 10000; i++)
		serve(&root, 1);
	xot_activate_credit(&b.e, 0);
	CHECK(b.e.vtime == root.vclock);
	/* a huge credit is clamped, and works across the wrap of u64 */
	xot_deactivate(&b.e);
	root.vclock = 5;
	b.e.vtime = 0;
	xot_activate_credit(&b.e, UINT64_MAX);
	CHECK(b.e.vtime == 0);
	CHECK(xot_warnings == 0);
}

static void test_credit_hierarchy(void)
{
	/*
	 * The credit applies at every level that becomes active: a cgroup
	 * whose only queue ran dry for a moment comes back ahead of its busy
	 * sibling cgroups, by the same virtual time at each level.
	 */
	const u64 credit = 4 * ((1ULL << XOT_VT_SHIFT) / 100);
	struct xot_group root, g1, g2;
	struct leaf a, b;
	int i;

	xot_group_init_root(&root);
	xot_group_init(&g1, &root, 100);
	xot_group_init(&g2, &root, 400);
	leaf_init(&a, &g1, 100, -1);
	leaf_init(&b, &g2, 100, 0);
	for (i = 0; i < 100; i++)
		serve(&root, 1);
	xot_activate_credit(&b.e, credit);
	CHECK(g2.entity.active && b.e.active);
	CHECK(g2.entity.vtime == root.vclock - credit);
	CHECK(xot_select(&root) == &b.e);
	/*
	 * g2 (weight 400) gets back 4 x 4 units, then the 4 that bring it
	 * level with a (one unit of weight 100 past the clock), then the tie
	 * (larger weight first): 21 in a row, then a.
	 */
	for (i = 0; serve(&root, 1) == &b; i++)
		;
	CHECKF(i == 21, "b served %d in a row", i);
	CHECK(xot_group_check(&root) == 0);
}

static void test_credit_deceptive_idleness(void)
{
	/*
	 * The deep-device case: g400 keeps its share of a device only if each
	 * of its brief empty spells (its requests are all in the device) is
	 * made up for when it returns. Two always-busy leaves of weight 100
	 * and 200, and one of weight 400 that after every 10 of its own
	 * dispatches is empty while 3 others are served. Without credit it
	 * loses those turns for good; with a credit of a few requests it gets
	 * them back: its share stays 4/7 (within 0.5 points).
	 */
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;
	struct xot_group root;
	struct leaf l[3];
	const u32 w[3] = { 100, 200, 400 };
	int pass, i, n = 70000;

	for (pass = 0; pass < 2; pass++) {
		u64 credit = pass ? 8 * unit : 0;
		long total = 0;
		int own = 0;
		double share;

		xot_group_init_root(&root);
		for (i = 0; i < 3; i++)
			leaf_init(&l[i], &root, w[i], -1);
		for (i = 0; i < n; i++) {
			struct leaf *s = serve(&root, 1);

			if (s == &l[2] && ++own % 10 == 0) {
				int k;

				xot_deactivate(&l[2].e);
				for (k = 0; k < 3; k++)
					serve(&root, 1);
				xot_activate_credit(&l[2].e, credit);
			}
		}
		for (i = 0; i < 3; i++)
			total += l[i].served;
		share = 100.0 * l[2].served / total;
		if (pass)
			CHECKF(fabs(share - 400.0 / 7) <= 0.5, "credit: g400 share %.2f%%", share);
		else
			CHECKF(share < 400.0 / 7 - 2, "no credit: g400 share %.2f%%", share);
		CHECK(xot_group_check(&root) == 0);
	}
}

static void test_would_lead(void)
{
	/*
	 * xot_would_lead() answers "would this leaf be served next if it
	 * became active now" without changing anything, at every level.
	 */
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;
	struct xot_group root, g1, g2, g3;
	struct leaf a, b, c, r, s3;
	u64 vt;
	int i;

	xot_group_init_root(&root);
	xot_group_init(&g1, &root, 100);
	xot_group_init(&g2, &root, 400);
	xot_group_init(&g3, &root, 100);
	leaf_init(&a, &g1, 100, -1);
	leaf_init(&b, &g1, 100, -1);
	leaf_init(&c, &root, 100, -1);
	leaf_init(&r, &g2, 100, 0);
	leaf_init(&s3, &g3, 100, 0);
	for (i = 0; i < 101; i++)
		serve(&root, 1);
	/* level with the clock and heavier than the one due: r would go first */
	CHECK(xot_would_lead(&r.e, 0));
	vt = g2.entity.vtime;
	CHECK(!r.e.active && !g2.entity.active && g2.entity.vtime == vt);
	/* level with the clock, equal weight: the busy one due goes first... */
	CHECK(!xot_would_lead(&s3.e, 0));
	/* ...unless a credit puts it before the clock */
	CHECK(xot_would_lead(&s3.e, 1 * unit));
	/* r overspent: behind the busy entities, whatever the credit */
	xot_charge(&r.e, 1000);
	CHECK(!xot_would_lead(&r.e, 0));
	CHECK(!xot_would_lead(&r.e, 1000 * unit));
	/* active leaves: only the one selected leads */
	CHECK(xot_would_lead(xot_select(&root), 0));
	CHECK(!xot_would_lead(xot_select(&root) == &c.e ? &a.e : &c.e, 0));
	/* alone in the tree: always */
	xot_deactivate(&a.e);
	xot_deactivate(&b.e);
	xot_deactivate(&c.e);
	CHECK(xot_would_lead(&r.e, 0));
	CHECK(xot_group_check(&root) == 0);
}

static void test_wraparound(void)
{
	/* virtual times start just below 2^64 and wrap during the run */
	struct xot_group root;
	struct leaf l[3];
	const u32 w[3] = { 100, 200, 400 };
	int i, n = 70000;

	xot_group_init_root(&root);
	root.vclock = UINT64_MAX - (10ULL << XOT_VT_SHIFT);
	for (i = 0; i < 3; i++)
		leaf_init(&l[i], &root, w[i], -1);
	for (i = 0; i < 3; i++)
		CHECK(l[i].e.vtime == root.vclock);
	for (i = 0; i < n; i++)
		serve(&root, 1);
	CHECK(root.vclock < (1ULL << 40));	/* it did wrap */
	for (i = 0; i < 3; i++) {
		double want = n * w[i] / 700.0;

		CHECKF(fabs(l[i].served - want) <= 2, "leaf %d served %ld", i, l[i].served);
	}
	CHECK(xot_group_check(&root) == 0);
}

static void test_cost_clamp(void)
{
	struct xot_group root;
	struct leaf a;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 1, -1);
	xot_charge(&a.e, UINT64_MAX);	/* must not overflow the shift */
	CHECK(a.e.vtime == (XOT_COST_MAX << XOT_VT_SHIFT));
}

static void test_starvation_bound(void)
{
	/*
	 * Weight 1 against weight 10000, both always backlogged, equal costs:
	 * the low-weight leaf waits at most ceil(10000 / 1) + 1 dispatches.
	 */
	struct xot_group root;
	struct leaf lo, hi;
	int i, since = 0, max_since = 0;

	xot_group_init_root(&root);
	leaf_init(&lo, &root, 1, -1);
	leaf_init(&hi, &root, 10000, -1);
	for (i = 0; i < 200000; i++) {
		struct leaf *s = serve(&root, 1);

		since = s == &lo ? 0 : since + 1;
		if (since > max_since)
			max_since = since;
	}
	CHECKF(max_since <= 10001, "low weight waited %d dispatches", max_since);
	CHECKF(lo.served >= 19 && lo.served <= 21, "lo served %ld", lo.served);
}

static void test_weight_change(void)
{
	struct xot_group root;
	struct leaf a, b;
	int i;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 100, -1);
	for (i = 0; i < 1000; i++)
		serve(&root, 1);
	CHECK(labs(a.served - 500) <= 1);
	xot_entity_set_weight(&a.e, 300);
	a.served = b.served = 0;
	for (i = 0; i < 4000; i++)
		serve(&root, 1);
	CHECKF(labs(a.served - 3000) <= 3, "a %ld after weight change", a.served);
	xot_entity_set_weight(&b.e, 100000);
	CHECK(b.e.weight == XOT_WEIGHT_MAX);
}

/*
 * Each group keeps the sum of its active children's weights (the elevator
 * divides scheduler tags by it): through activation, weight changes of
 * active and idle children, and deactivation up the tree.
 */
static void test_active_weight(void)
{
	struct xot_group root, g;
	struct leaf a, b, c;

	xot_group_init_root(&root);
	xot_group_init(&g, &root, 300);
	leaf_init(&a, &root, 100, 0);
	leaf_init(&b, &g, 200, 0);
	leaf_init(&c, &g, 50, 0);
	CHECK(root.active_weight == 0 && g.active_weight == 0);
	xot_activate(&b.e);
	CHECK(g.active_weight == 200 && root.active_weight == 300);
	xot_activate(&a.e);
	xot_activate(&c.e);
	CHECK(g.active_weight == 250 && root.active_weight == 400);
	xot_entity_set_weight(&c.e, 150);
	xot_entity_set_weight(&g.entity, 500);
	CHECK(g.active_weight == 350 && root.active_weight == 600);
	CHECK(xot_group_check(&root) == 0);
	xot_deactivate(&b.e);
	CHECK(g.active_weight == 150 && root.active_weight == 600);
	xot_deactivate(&c.e);
	CHECK(g.active_weight == 0 && root.active_weight == 100);
	xot_entity_set_weight(&c.e, 10);	/* idle: no sum changes */
	CHECK(g.active_weight == 0 && root.active_weight == 100);
	xot_deactivate(&a.e);
	CHECK(root.active_weight == 0);
	CHECK(xot_group_check(&root) == 0);
}

/* deterministic xorshift so failures reproduce */
static u64 rng_state = 88172645463325252ULL;
static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random_operations(void)
{
	/*
	 * Random activations, deactivations, charges and weight changes over a
	 * two-level tree; after every step the invariants hold, and an entity is
	 * selectable exactly when it is active.
	 */
	enum { NG = 6, NL = 60 };
	struct xot_group root, g[NG];
	struct leaf l[NL];
	int i, step, bad = 0;

	xot_group_init_root(&root);
	for (i = 0; i < NG; i++)
		xot_group_init(&g[i], &root, 1 + rng() % 1000);
	for (i = 0; i < NL; i++)
		leaf_init(&l[i], &g[i % NG], 1 + rng() % 10000, 0);

	for (step = 0; step < 200000; step++) {
		struct leaf *x = &l[rng() % NL];
		struct xot_entity *s;

		switch (rng() % 5) {
		case 0:
		case 1:
			xot_activate(&x->e);
			break;
		case 2:
			xot_deactivate(&x->e);
			break;
		case 3:
			s = xot_select(&root);
			if (s) {
				if (!s->active)
					bad++;
				xot_charge(s, 1 + rng() % 64);
			}
			break;
		default:
			xot_entity_set_weight(&x->e, 1 + rng() % 10000);
			break;
		}
		if (step % 97 == 0 && xot_group_check(&root)) {
			bad++;
			break;
		}
	}
	CHECKF(bad == 0, "%d invariant violations", bad);
	CHECK(xot_group_check(&root) == 0);
	/* drain: every active leaf can be deactivated, leaving an empty tree */
	for (i = 0; i < NL; i++)
		xot_deactivate(&l[i].e);
	CHECK(root.nr_active == 0 && xot_select(&root) == NULL);
	for (i = 0; i < NG; i++)
		CHECK(!g[i].entity.active);
	CHECK(xot_warnings == 0);
}

static void test_many_queues(void)
{
	/* 100 000 equal leaves: each is served once per round, in some order */
	enum { N = 100000 };
	struct xot_group root;
	struct leaf *l = calloc(N, sizeof(*l));
	int i, round, bad = 0;

	CHECK(l != NULL);
	if (!l)
		return;
	xot_group_init_root(&root);
	for (i = 0; i < N; i++)
		leaf_init(&l[i], &root, 100, -1);
	for (round = 0; round < 3; round++)
		for (i = 0; i < N; i++)
			serve(&root, 1);
	for (i = 0; i < N; i++)
		if (l[i].served != 3)
			bad++;
	CHECKF(bad == 0, "%d leaves not served exactly 3 times", bad);
	free(l);
}

/* ---------------------------------------------------- calendar (large groups) */

#define CAL_W	(1ULL << XOT_CAL_SHIFT)	/* one bucket of virtual time */

/*
 * The exact reference: how far the virtual time of @s lies above the
 * smallest among its active siblings in @sib (0 if it is the smallest).
 * Exact mode serves the smallest (ties: the larger weight); the calendar
 * serves one less than a bucket width above it.
 */
static s64 above_min(const struct xot_entity *s, struct xot_entity *const *sib, int n,
		     bool *tie_lost)
{
	s64 d, worst = 0;
	int i;

	*tie_lost = false;
	for (i = 0; i < n; i++) {
		if (!sib[i]->active || sib[i]->parent != s->parent)
			continue;
		d = (s64)(s->vtime - sib[i]->vtime);
		if (d > worst)
			worst = d;
		if (d == 0 && sib[i]->weight > s->weight)
			*tie_lost = true;
	}
	return worst;
}

/* Check one selection at one level against the exact reference. */
static int check_choice(const struct xot_entity *s, struct xot_entity *const *sib, int n)
{
	bool tie_lost;
	s64 d = above_min(s, sib, n, &tie_lost);

	if (s->parent->calendar)
		return d < (s64)CAL_W ? 0 : 1;
	return d == 0 && !tie_lost ? 0 : 1;
}

/* Spread of the virtual times of the active entities in @e. */
static u64 vt_spread(struct xot_entity *const *e, int n)
{
	u64 lo = 0, hi = 0;
	bool any = false;
	int i;

	for (i = 0; i < n; i++) {
		if (!e[i]->active)
			continue;
		if (!any || xot_vt_before(e[i]->vtime, lo))
			lo = e[i]->vtime;
		if (!any || xot_vt_before(hi, e[i]->vtime))
			hi = e[i]->vtime;
		any = true;
	}
	return hi - lo;
}

static struct xot_entity **entities_of(struct leaf *l, int n)
{
	struct xot_entity **e = calloc(n, sizeof(*e));
	int i;

	for (i = 0; e && i < n; i++)
		e[i] = &l[i].e;
	return e;
}

static u64 random_cost(void)
{
	switch (rng() % 16) {
	case 0:
		return 1 + rng() % XOT_COST_MAX;	/* far ahead: the heap */
	case 1:
		return 1 + rng() % 4096;
	default:
		return 1 + rng() % 64;
	}
}

/*
 * Random activations (with and without credit), deactivations of any leaf,
 * weight changes and charges (some far ahead) in one group whose active
 * count swings across the calendar's thresholds, the group's clock starting
 * at @clock0. At every selection, against an exact reference: the leaf
 * served is the smallest (exact mode) or less than one bucket above it
 * (calendar); xot_would_lead() predicts every activation; the invariants
 * hold. Returns whether the clock wrapped.
 */
static bool calendar_order_run(u64 clock0)
{
	enum { N = 100 };
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;
	struct xot_group root;
	struct leaf *l = calloc(N, sizeof(*l));
	struct xot_entity **e = entities_of(l, N);
	int i, step, bad = 0, wrong_lead = 0, cal_sel = 0, exact_sel = 0, switches = 0;
	bool was_cal = false, wrapped = false;

	CHECK(l && e);
	if (!l || !e)
		goto out;
	xot_group_init_root(&root);
	root.vclock = clock0;
	for (i = 0; i < N; i++)
		leaf_init(&l[i], &root, 1 + rng() % 10000, 0);
	for (step = 0; step < 60000; step++) {
		/* phases: mostly activating, then mostly deactivating */
		bool filling = (step / 3000) % 2 == 0;
		struct leaf *x = &l[rng() % N];
		struct xot_entity *s;
		u64 r = rng() % 16, credit;
		bool pred;

		if (r < (filling ? 6u : 1u)) {
			credit = rng() % 2 ? 0 : (rng() % 64) * unit;
			pred = xot_would_lead(&x->e, credit);
			xot_activate_credit(&x->e, credit);
			wrong_lead += pred != (xot_select(&root) == &x->e);
		} else if (r < 8) {
			xot_deactivate(&x->e);
		} else if (r == 8) {
			xot_entity_set_weight(&x->e, 1 + rng() % 10000);
		} else {
			s = xot_select(&root);
			if (!s)
				continue;
			bad += check_choice(s, e, N);
			if (root.calendar)
				cal_sel++;
			else
				exact_sel++;
			wrong_lead += !xot_would_lead(s, 0);
			xot_charge(s, random_cost());
			wrapped |= root.vclock < clock0;
		}
		if (root.calendar != was_cal) {
			switches++;
			was_cal = root.calendar;
		}
		if (step % 101 == 0 && xot_group_check(&root)) {
			bad++;
			break;
		}
	}
	CHECKF(bad == 0, "%d selections out of bound or invariant violations", bad);
	CHECKF(wrong_lead == 0, "%d wrong xot_would_lead() answers", wrong_lead);
	CHECKF(cal_sel > 10000 && exact_sel > 1000, "calendar %d, exact %d selections",
	       cal_sel, exact_sel);
	CHECKF(switches >= 4, "only %d mode switches", switches);
	CHECK(xot_group_check(&root) == 0);
	for (i = 0; i < N; i++)
		xot_deactivate(&l[i].e);
	CHECK(root.nr_active == 0 && !root.calendar && xot_select(&root) == NULL);
	CHECK(xot_warnings == 0);
out:
	free(e);
	free(l);
	return wrapped;
}

static void test_calendar_order_bound(void)
{
	calendar_order_run(0);
	/* across the wrap of u64 */
	CHECK(calendar_order_run(UINT64_MAX - (1ULL << 40)));
}

static void test_calendar_hierarchy(void)
{
	/*
	 * 40 groups of 100 always-busy leaves, both levels in calendar mode.
	 * Every selection is within one bucket of the smallest at both levels;
	 * the virtual times of busy siblings never spread by more than one
	 * request's increment plus one bucket; the groups' services follow
	 * their weights.
	 */
	enum { NG = 40, PER = 100, NL = NG * PER };
	struct xot_group root, *g = calloc(NG, sizeof(*g));
	struct leaf *l = calloc(NL, sizeof(*l));
	struct xot_entity **ge = calloc(NG, sizeof(*ge)), **le = entities_of(l, NL);
	long served[NG] = { 0 };
	int i, step, bad = 0, n = 400000;
	u64 max_inc_g = 0, max_inc_l = 0, spread;
	double norm_lo = 1e300, norm_hi = 0;

	CHECK(g && l && ge && le);
	if (!g || !l || !ge || !le)
		goto out;
	xot_group_init_root(&root);
	for (i = 0; i < NG; i++) {
		xot_group_init(&g[i], &root, 50 + 50 * (i % 8));
		ge[i] = &g[i].entity;
	}
	for (i = 0; i < NL; i++)
		leaf_init(&l[i], &g[i / PER], 1 + rng() % 1000, -1);
	CHECK(root.calendar && g[0].calendar);
	for (step = 0; step < n; step++) {
		struct xot_entity *s = xot_select(&root);
		int gi = s->parent - g;
		u64 cost = 8 + rng() % 8;

		bad += check_choice(&s->parent->entity, ge, NG);
		bad += check_choice(s, le + gi * PER, PER);
		served[gi] += cost;
		if (xot_div_u64(cost << XOT_VT_SHIFT, s->weight) > max_inc_l)
			max_inc_l = xot_div_u64(cost << XOT_VT_SHIFT, s->weight);
		if (xot_div_u64(cost << XOT_VT_SHIFT, g[gi].entity.weight) > max_inc_g)
			max_inc_g = xot_div_u64(cost << XOT_VT_SHIFT, g[gi].entity.weight);
		xot_charge(s, cost);
		if (step % 40000 == 0) {
			spread = vt_spread(ge, NG);
			CHECKF(spread <= max_inc_g + CAL_W, "groups spread %llu",
			       (unsigned long long)spread);
			spread = vt_spread(le + gi * PER, PER);
			CHECKF(spread <= max_inc_l + CAL_W, "leaves spread %llu",
			       (unsigned long long)spread);
		}
	}
	CHECKF(bad == 0, "%d selections more than a bucket above the smallest", bad);
	for (i = 0; i < NG; i++) {
		double norm = (double)served[i] / g[i].entity.weight;

		if (norm < norm_lo)
			norm_lo = norm;
		if (norm > norm_hi)
			norm_hi = norm;
	}
	/* service per weight: within one request plus one bucket per group */
	CHECKF(norm_hi - norm_lo <= 2.0 * 15 / 50 + 2.0 * CAL_W / (1ULL << XOT_VT_SHIFT),
	       "service per weight from %.2f to %.2f", norm_lo, norm_hi);
	CHECK(xot_group_check(&root) == 0);
	CHECK(xot_warnings == 0);
out:
	free(le);
	free(ge);
	free(l);
	free(g);
}

static void test_calendar_wraparound(void)
{
	/*
	 * The calendar's window wraps with the virtual times; the service of
	 * each leaf stays within one request plus one bucket (w / 256 units)
	 * of its share.
	 */
	enum { N = 200 };
	struct xot_group root;
	struct leaf l[N];
	long service[N] = { 0 };
	int i, n = 200000;

	xot_group_init_root(&root);
	root.vclock = UINT64_MAX - (2ULL << XOT_VT_SHIFT);
	for (i = 0; i < N; i++)
		leaf_init(&l[i], &root, i % 2 ? 300 : 100, -1);
	CHECK(root.calendar);
	for (i = 0; i < n; i++) {
		struct xot_entity *s = xot_select(&root);

		if (i % 1000 == 0 && xot_group_check(&root)) {
			CHECK(xot_group_check(&root) == 0);
			break;
		}
		xot_charge(s, 1 + i % 3);
		service[leaf_of(s) - l] += 1 + i % 3;
	}
	CHECK(root.vclock < (1ULL << 40));	/* it did wrap */
	for (i = 0; i < N; i++) {
		/* 2n units in all, 1 or 3 parts in 400 */
		double want = 2.0 * n * (i % 2 ? 3 : 1) / 400;

		CHECKF(fabs(service[i] - want) <= 3 + 300.0 / 256, "leaf %d: %ld units, want %.0f",
		       i, service[i], want);
	}
	CHECK(xot_group_check(&root) == 0);
}

static void test_calendar_weight_change(void)
{
	/* a weight change of a bucketed leaf applies from its next charge on */
	enum { N = 100 };
	struct xot_group root;
	struct leaf l[N];
	int i, n = 102000;
	long others = 0;

	xot_group_init_root(&root);
	for (i = 0; i < N; i++)
		leaf_init(&l[i], &root, 100, -1);
	for (i = 0; i < 10000; i++)
		serve(&root, 1);
	xot_entity_set_weight(&l[0].e, 300);
	CHECK(l[0].e.slot != XOT_SLOT_HEAP && xot_group_check(&root) == 0);
	for (i = 0; i < N; i++)
		l[i].served = 0;
	for (i = 0; i < n; i++)
		serve(&root, 1);
	for (i = 1; i < N; i++)
		others += l[i].served;
	/* 3 parts out of 102 */
	CHECKF(labs(l[0].served - 3000) <= 6, "leaf 0 served %ld of %d", l[0].served, n);
	CHECKF(labs(others - 99000) <= 6, "others served %ld", others);
	/* and back, on a leaf in the heap */
	xot_entity_set_weight(&l[1].e, 10000);
	CHECK(xot_group_check(&root) == 0);
}

static void test_calendar_removal_and_transitions(void)
{
	/*
	 * Remove leaves from the head, the middle and the tail of buckets; a
	 * group that swings between 10 and 40 active children switches to the
	 * calendar at XOT_CAL_ON and back at XOT_CAL_OFF, and is exact again
	 * once back.
	 */
	enum { N = 40 };
	struct xot_group root;
	struct leaf l[N];
	struct xot_entity *e[N];
	int i, round, bad = 0;

	xot_group_init_root(&root);
	for (i = 0; i < N; i++) {
		leaf_init(&l[i], &root, 100 + i, 0);
		e[i] = &l[i].e;
	}
	for (round = 0; round < 50; round++) {
		for (i = 0; i < N; i++) {
			xot_activate(&l[(i * 7 + round) % N].e);
			if (root.calendar != (root.nr_active >= XOT_CAL_ON))
				bad++;
		}
		CHECK(root.calendar && root.nr_active == N);
		/* serve a while: leaves spread over several buckets */
		for (i = 0; i < 3 * N; i++) {
			struct xot_entity *s = xot_select(&root);

			bad += check_choice(s, e, N);
			xot_charge(s, 1 + (i + round) % 5);
		}
		bad += xot_group_check(&root) != 0;
		/* remove all but 10, in an order that hits heads, middles, tails */
		for (i = 0; i < N - 10; i++) {
			xot_deactivate(&l[(i * 13 + round) % N].e);
			if (root.calendar != (root.nr_active > XOT_CAL_OFF))
				bad++;
			bad += xot_group_check(&root) != 0;
		}
		CHECK(!root.calendar && root.cal_map == 0 && root.nr_active == 10);
		for (i = 0; i < 20; i++) {
			struct xot_entity *s = xot_select(&root);

			bad += check_choice(s, e, N);	/* exact again */
			xot_charge(s, 1);
		}
	}
	CHECKF(bad == 0, "%d violations", bad);
	CHECK(xot_warnings == 0);
}

static void test_calendar_window_follows(void)
{
	/*
	 * A group that grows past XOT_CAL_ON keeps its heap children where
	 * they are; as they are served they move to buckets, and the window
	 * must follow them (its base moves to the first non-empty bucket):
	 * in the steady state every busy leaf whose increment fits in the
	 * window is in a bucket, none is left in the heap.
	 */
	enum { N = 40 };
	struct xot_group root;
	struct leaf l[N];
	int i, in_heap = 0, from_heap = 0;

	xot_group_init_root(&root);
	for (i = 0; i < XOT_CAL_ON - 1; i++)
		leaf_init(&l[i], &root, 100, -1);
	for (i = 0; i < 500; i++)
		serve(&root, 9);
	CHECK(!root.calendar);
	/* the newcomers start a request ahead: the base's bucket stays empty */
	for (i = XOT_CAL_ON - 1; i < N; i++) {
		leaf_init(&l[i], &root, 100, 0);
		xot_charge(&l[i].e, 9);
		l[i].pending = -1;
		xot_activate(&l[i].e);
	}
	CHECK(root.calendar);
	for (i = 0; i < 20000; i++) {
		/* 9 << 32 / 100: 23 buckets ahead */
		if (i >= 1000)
			from_heap += xot_select(&root)->slot == XOT_SLOT_HEAP;
		serve(&root, 9);
	}
	for (i = 0; i < N; i++)
		in_heap += l[i].e.slot == XOT_SLOT_HEAP;
	CHECKF(in_heap == 0, "%d of %d busy leaves in the heap", in_heap, N);
	CHECKF(from_heap == 0, "%d of 19000 served from the heap", from_heap);
	CHECK(xot_group_check(&root) == 0);
}

static void test_calendar_very_large(void)
{
	/*
	 * 100 000 busy leaves of weights 1..1000, costs 8..15 (as core-bench):
	 * the spread of their virtual times stays within the largest increment
	 * plus one bucket, so each one's service follows its weight.
	 */
	enum { N = 100000 };
	struct leaf *l = calloc(N, sizeof(*l));
	struct xot_entity **e = entities_of(l, N);
	struct xot_group root;
	int i, n = 1000000, bad = 0;
	u64 spread, max_inc = (15ULL << XOT_VT_SHIFT);	/* weight 1 */

	CHECK(l && e);
	if (!l || !e)
		goto out;
	xot_group_init_root(&root);
	for (i = 0; i < N; i++)
		leaf_init(&l[i], &root, 1 + (i * 37) % 1000, -1);
	for (i = 0; i < n; i++) {
		struct xot_entity *s = xot_select(&root);

		xot_charge(s, 8 + i % 8);
		leaf_of(s)->served++;
		if (i % 250000 == 0) {
			spread = vt_spread(e, N);
			if (spread > max_inc + CAL_W)
				bad++;
		}
	}
	CHECKF(bad == 0, "%d spreads beyond the bound", bad);
	CHECK(xot_group_check(&root) == 0);
out:
	free(e);
	free(l);
}

static void test_calendar_starvation_bound(void)
{
	/*
	 * Weight 1 among 39 always-busy siblings of weight 1000, in calendar
	 * mode, cost 1: the low-weight leaf waits at most
	 * sum_j ((w_j / w + 1) * C + 2 * 2^XOT_CAL_SHIFT * w_j / 2^32)
	 * dispatches (docs/design.md).
	 */
	enum { N = 40 };
	struct xot_group root;
	struct leaf l[N];
	int i, since = 0, max_since = 0, n = 400000;
	double bound = (N - 1) * ((1000.0 / 1 + 1) + 2.0 * CAL_W * 1000 / (1ULL << XOT_VT_SHIFT));

	xot_group_init_root(&root);
	leaf_init(&l[0], &root, 1, -1);
	for (i = 1; i < N; i++)
		leaf_init(&l[i], &root, 1000, -1);
	CHECK(root.calendar);
	for (i = 0; i < n; i++) {
		struct leaf *s = serve(&root, 1);

		since = s == &l[0] ? 0 : since + 1;
		if (since > max_since)
			max_since = since;
	}
	CHECKF(max_since <= bound, "low weight waited %d dispatches (bound %.0f)",
	       max_since, bound);
	/* 1 part in 39001 */
	CHECKF(labs(l[0].served - n / 39001) <= 1, "lo served %ld", l[0].served);
}

/* the cost the elevator charges for a request of @bytes: 8 + 1 per 4 KiB */
static u64 req_cost(u64 bytes)
{
	return 8 + (bytes >> 9) / 8;
}

/*
 * One long idle spell: VM-like groups A and B (weight 100 each, one leaf of
 * weight 100 in each); A alone is charged @n requests of @cost, which moves
 * the root's clock by about n * cost * 2^32 / 100, then B returns with one
 * request (idle credit @credit) while A stays busy with 4 KiB requests.
 * Returns how many of A's requests went before B's, stopping at @cap.
 */
static long idle_return_wait(long n, u64 cost, u64 credit, long cap, bool *ahead)
{
	struct xot_group root, ga, gb;
	struct leaf a, b;
	bool lead;
	long i;

	xot_group_init_root(&root);
	xot_group_init(&ga, &root, 100);
	xot_group_init(&gb, &root, 100);
	leaf_init(&a, &ga, 100, -1);
	leaf_init(&b, &gb, 100, 0);
	for (i = 0; i < n; i++)
		serve(&root, cost);
	/* B's stale virtual time, seen from the clock: ahead (wrapped) or not */
	*ahead = xot_vt_before(root.vclock, gb.entity.vtime);
	lead = xot_would_lead(&b.e, credit);
	b.pending = 1;
	xot_activate_credit(&b.e, credit);
	/* xot_would_lead() and the activation agree on where B starts */
	CHECK(lead == (xot_select(&root) == &b.e));
	for (i = 0; i < cap && serve(&root, req_cost(4096)) != &b; i++)
		;
	CHECK(xot_group_check(&root) == 0);
	return i;
}

static void test_long_idle_no_starvation(void)
{
	/*
	 * However long B idled, and however far the siblings moved the clock
	 * (here past 2^63 of virtual time, where B's stale virtual time looks
	 * ahead of the clock), B waits at most the starvation bound of
	 * docs/design.md: sum over the others of (w_j / w + 1) * C of service
	 * with C = XOT_COST_MAX, plus the idle credit's c * w_j. In 4 KiB
	 * requests of A: about 3.7 million, where the wrapped virtual time
	 * would make it wait some 10^10.
	 */
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;
	static const struct {
		long n;
		u64 cost;
	} spell[] = {
		/* XOT_COST_MAX each: the clock ends 3/4 of 2^64 on */
		{ 19200, XOT_COST_MAX },
		/* 4 GiB discards: just past 2^63 */
		{ 205000, 8 + ((4ULL << 30) >> 9) / 8 },
	};
	const u64 credits[2] = { 0, 32 * 9 * unit };
	unsigned int s, c;

	CHECK(req_cost(4ULL << 30) == spell[1].cost);
	for (s = 0; s < 2; s++) {
		for (c = 0; c < 2; c++) {
			u64 credit = credits[c];
			long bound = (long)((100 / 100 + 1) * XOT_COST_MAX / req_cost(4096) +
					    (credit * 100 >> XOT_VT_SHIFT) / req_cost(4096) + 1);
			bool ahead;
			long waited = idle_return_wait(spell[s].n, spell[s].cost, credit,
						       bound + 1, &ahead);

			/* the case of the report: the stale time looks ahead */
			CHECK(ahead);
			CHECKF(waited <= bound,
			       "spell %u credit %u: B waited %ld of A's requests (bound %ld, gave up at %ld)",
			       s, c, waited, bound, bound + 1);
		}
	}
}

/*
 * Idle spells across the wrap of u64: the clock and the virtual times start
 * just below 2^64 and cross over while a leaf keeps leaving and coming back.
 * The busy leaves keep their proportion, the returning one waits at most
 * the starvation bound each time, and one that left with debt keeps it
 * across the wrap.
 */
static void test_wraparound_idle(void)
{
	const u64 unit = (1ULL << XOT_VT_SHIFT) / 100;
	struct xot_group root;
	struct leaf a, b, c;
	int i, k, round, waited, max_wait = 0;
	u64 vt;

	xot_group_init_root(&root);
	root.vclock = UINT64_MAX - 2000 * unit;
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 200, -1);
	leaf_init(&c, &root, 100, 0);
	for (round = 0; round < 3000; round++) {
		for (k = 0; k < 1 + round % 7; k++)
			serve(&root, 1);	/* c idles */
		c.pending = 1 + round % 3;
		xot_activate(&c.e);
		for (waited = 0; serve(&root, 1) != &c; waited++)
			;
		if (waited > max_wait)
			max_wait = waited;
		while (c.pending)
			serve(&root, 1);
	}
	CHECK(root.vclock < (1ULL << 40));	/* it did wrap */
	/* c starts level with the clock: a and b, one each at most, go first */
	CHECKF(max_wait <= (100 / 100 + 1) + (200 / 100 + 1), "c waited %d", max_wait);
	CHECKF(labs(b.served - 2 * a.served) <= 3, "a %ld b %ld", a.served, b.served);
	CHECK(xot_group_check(&root) == 0);

	/* debt across the wrap: c leaves 50 units ahead, the clock crosses 0 */
	xot_group_init_root(&root);
	root.vclock = UINT64_MAX - 20 * unit;
	leaf_init(&a, &root, 100, -1);
	leaf_init(&c, &root, 100, 1);
	serve(&root, 1);
	if (serve(&root, 1) != &c)
		serve(&root, 1);
	CHECK(!c.e.active);
	xot_charge(&c.e, 50);
	vt = c.e.vtime;
	for (i = 0; i < 30; i++)
		serve(&root, 1);
	CHECK(root.vclock < (1ULL << 40));
	xot_activate(&c.e);
	CHECK(c.e.vtime == vt);
	for (i = 0; serve(&root, 1) == &a; i++)
		;
	CHECKF(i >= 18 && i <= 23, "a served %d before the indebted c", i);
	CHECK(xot_group_check(&root) == 0);
}

static void test_debt_charge(void)
{
	/*
	 * Debt (service outside fair queueing) counts like service: a leaf
	 * that is charged one request's worth of debt per request served gets
	 * half as many dispatches as its equal sibling, and at every level of
	 * its path (its group against the root's other child); no clock moves.
	 */
	struct xot_group root, g;
	struct leaf a1, a2, b;
	u64 vclock, gclock;
	long n = 60000, i;

	xot_group_init_root(&root);
	xot_group_init(&g, &root, 100);
	leaf_init(&a1, &g, 100, -1);
	leaf_init(&a2, &g, 100, -1);
	leaf_init(&b, &root, 100, -1);
	/* no clock moves, the debt lands on the whole path */
	vclock = root.vclock;
	gclock = g.vclock;
	xot_charge_debt(&a1.e, 8);
	CHECK(root.vclock == vclock && g.vclock == gclock);
	CHECK(a1.e.vtime == (8ULL << XOT_VT_SHIFT) / 100);
	CHECK(g.entity.vtime == (8ULL << XOT_VT_SHIFT) / 100);
	CHECK(xot_select(&root) == &b.e);	/* re-sorted at the root... */
	CHECK(xot_group_check(&root) == 0);
	xot_charge_debt(&b.e, 16);
	CHECK(xot_select(&root) == &a2.e);	/* ...and in g */
	for (i = 0; i < n; i++) {
		struct leaf *s = serve(&root, 8);

		if (s == &a1)
			xot_charge_debt(&a1.e, 8);
	}
	/*
	 * In g, a1 pays twice per request: 1:2. g's service, debt included,
	 * equals b's: a1's debt is g's too.
	 */
	CHECKF(labs(2 * a1.served + a2.served - b.served) <= 3, "a1 %ld a2 %ld b %ld",
	       a1.served, a2.served, b.served);
	CHECKF(labs(2 * a1.served - a2.served) <= 3, "a1 %ld a2 %ld", a1.served, a2.served);
	CHECK(xot_group_check(&root) == 0);
	CHECK(xot_warnings == 0);
}

static void test_debt_bounded(void)
{
	/*
	 * Debt on an idle entity is bounded by the activation clamp: it starts
	 * at most one maximum charge ahead of the clock however much it was
	 * charged, and keeps a debt within that bound exactly. The same holds
	 * for an active one that is charged debt and never served.
	 */
	const u64 maxc = (XOT_COST_MAX << XOT_VT_SHIFT) / 100;
	struct xot_group root;
	struct leaf a, b;
	long i, waited;
	u64 vt;

	xot_group_init_root(&root);
	leaf_init(&a, &root, 100, -1);
	leaf_init(&b, &root, 100, 0);
	for (i = 0; i < 1000; i++)
		serve(&root, 9);
	/* a small debt is kept exactly */
	vt = root.vclock;
	b.e.vtime = vt;
	xot_charge_debt(&b.e, 90);
	CHECK(b.e.vtime == vt + (90ULL << XOT_VT_SHIFT) / 100);
	xot_activate(&b.e);
	CHECK(b.e.vtime == vt + (90ULL << XOT_VT_SHIFT) / 100);
	for (i = 0; serve(&root, 9) == &a; i++)
		;
	CHECKF(i >= 10 && i <= 11, "a served %ld before b", i);
	xot_deactivate(&b.e);
	/* a huge one (2^63 and more in total) stops at one maximum charge */
	for (i = 0; i < 40000; i++)
		xot_charge_debt(&b.e, UINT64_MAX);
	CHECK(b.e.vtime == root.vclock + maxc);
	xot_activate(&b.e);
	CHECK(b.e.vtime == root.vclock + maxc);
	b.pending = 1;
	/* starvation bound: (100 / 100 + 1) * XOT_COST_MAX of a's service */
	for (waited = 0; waited <= 2 * (long)XOT_COST_MAX / 9 + 1 &&
	     serve(&root, 9) != &b; waited++)
		;
	CHECKF(waited <= 2 * (long)XOT_COST_MAX / 9 + 1, "b waited %ld", waited);
	/* active and never served: the same bound, no wrap to the front */
	b.pending = -1;
	xot_activate(&b.e);
	for (i = 0; i < 40000; i++)
		xot_charge_debt(&b.e, XOT_COST_MAX);
	CHECK(!xot_vt_before(b.e.vtime, root.vclock));
	CHECK(b.e.vtime - root.vclock <= maxc);
	CHECK(xot_select(&root) == &a.e);
	CHECK(xot_group_check(&root) == 0);
}

static const struct unit_test tests[] = {
	{ "flat_weights", test_flat_weights },
	{ "hierarchy", test_hierarchy },
	{ "deep_hierarchy", test_deep_hierarchy },
	{ "work_conserving", test_work_conserving },
	{ "idle_earns_no_credit", test_idle_earns_no_credit },
	{ "short_idle_keeps_lag", test_short_idle_keeps_lag },
	{ "returning_reader_waits_little", test_returning_reader_waits_little },
	{ "credit_bounded", test_credit_bounded },
	{ "credit_hierarchy", test_credit_hierarchy },
	{ "credit_deceptive_idleness", test_credit_deceptive_idleness },
	{ "would_lead", test_would_lead },
	{ "wraparound", test_wraparound },
	{ "cost_clamp", test_cost_clamp },
	{ "starvation_bound", test_starvation_bound },
	{ "weight_change", test_weight_change },
	{ "active_weight", test_active_weight },
	{ "random_operations", test_random_operations },
	{ "many_queues", test_many_queues },
	{ "calendar_order_bound", test_calendar_order_bound },
	{ "calendar_hierarchy", test_calendar_hierarchy },
	{ "calendar_wraparound", test_calendar_wraparound },
	{ "calendar_weight_change", test_calendar_weight_change },
	{ "calendar_removal_and_transitions", test_calendar_removal_and_transitions },
	{ "calendar_window_follows", test_calendar_window_follows },
	{ "calendar_very_large", test_calendar_very_large },
	{ "calendar_starvation_bound", test_calendar_starvation_bound },
	{ "long_idle_no_starvation", test_long_idle_no_starvation },
	{ "wraparound_idle", test_wraparound_idle },
	{ "debt_charge", test_debt_charge },
	{ "debt_bounded", test_debt_bounded },
};

UNIT_MAIN("sched", tests)
