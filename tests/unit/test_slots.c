// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of slot shares (core/slots.c): in-flight counts on the path,
 * who is waited for, the share each sibling may fill, expiry, and a
 * returning child no longer counting once it has work again.
 */
#include <xot/slots.h>
#include "unit.h"

#define MS	1000000ULL

struct tree {
	struct xot_group root;
	struct xot_group g[3];		/* weights 100, 200, 400 */
	struct xot_entity q[3];		/* one queue in each */
};

static void tree_init(struct tree *t)
{
	static const u32 w[3] = { 100, 200, 400 };
	int i;

	xot_group_init_root(&t->root);
	for (i = 0; i < 3; i++) {
		xot_group_init(&t->g[i], &t->root, w[i]);
		xot_entity_init(&t->q[i], &t->g[i], 100);
	}
}

/* queue @n requests of @q and dispatch them: the last one empties it */
static void dispatch_n(struct xot_entity *q, int n, u32 slots, u64 now, u64 hold)
{
	int i;

	for (i = 0; i < n; i++)
		xot_slots_enqueue(q);
	xot_activate(q);
	for (i = 0; i < n; i++) {
		xot_slots_dequeue(q);
		xot_slots_start(q);
	}
	xot_deactivate(q);
	xot_slots_ran_dry(q, slots, now, hold);
}

/* serve @q while xot_slots_hold() lets it, counting the device's load */
static int fill(struct xot_entity *q, u32 slots, u32 *device, u64 now)
{
	int n = 0;

	while (!xot_slots_hold(q, slots, *device, now) && n < 1000) {
		xot_slots_start(q);
		(*device)++;
		n++;
	}
	return n;
}

static void test_counts_on_path(void)
{
	struct tree t;
	int i;

	tree_init(&t);
	for (i = 0; i < 5; i++)
		xot_slots_enqueue(&t.q[2]);
	for (i = 0; i < 3; i++) {
		xot_slots_dequeue(&t.q[2]);
		xot_slots_start(&t.q[2]);
	}
	xot_slots_enqueue(&t.q[0]);
	xot_slots_dequeue(&t.q[0]);
	xot_slots_start(&t.q[0]);
	CHECK(xot_atomic_read(&t.q[2].inflight) == 3);
	CHECK(t.q[2].queued == 2 && t.g[2].entity.queued == 2);
	CHECK(xot_atomic_read(&t.g[2].entity.inflight) == 3);
	CHECK(xot_atomic_read(&t.g[0].entity.inflight) == 1);
	CHECK(t.q[2].peak == 5 && t.g[2].entity.peak == 5);
	/* the root is nobody's child: not counted */
	CHECK(xot_atomic_read(&t.root.entity.inflight) == 0);
	xot_slots_end(&t.q[2]);
	CHECK(xot_atomic_read(&t.g[2].entity.inflight) == 2);
	CHECK(xot_atomic_read(&t.q[2].inflight) == 2);
	CHECK(xot_warnings == 0);
}

static void test_no_hold_without_waiting(void)
{
	struct tree t;
	u32 device = 0;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[1]);
	/* nobody waited for: g100 may take the whole device */
	CHECK(fill(&t.q[0], 64, &device, 0) == 1000);
}

static void test_hold_at_share(void)
{
	struct tree t;
	u32 device;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[1]);
	/* g400 has had 64 outstanding; it runs dry with 27 in the device */
	t.q[2].peak = t.g[2].entity.peak = 64;
	dispatch_n(&t.q[2], 27, 64, 0, 5 * MS);
	device = 27;
	/* its share of 64 slots is 36.6: it will want 10 back */
	CHECK(t.root.ret_weight == 400);
	CHECKF(t.root.ret_need == 10, "need %u", t.root.ret_need);
	/* the peak decays each time it runs dry */
	CHECK(t.g[2].entity.peak == 56);

	/* g100 may go past its share (9) until only those 10 are free */
	CHECKF(fill(&t.q[0], 64, &device, 1 * MS) == 27, "device %u", device);
	/* g200, below its share (18.3), is not held: it gets eighteen */
	CHECKF(fill(&t.q[1], 64, &device, 1 * MS) == 18, "device %u", device);

	/* g400 back with work: nobody is waited for any more */
	xot_activate(&t.q[2]);
	CHECK(t.root.ret_weight == 0 && t.root.ret_need == 0);
	CHECK(t.g[2].entity.ret_weight == 0);
	CHECK(!xot_slots_hold(&t.q[0], 64, device, 1 * MS));
}

static void test_hold_expires(void)
{
	struct tree t;
	u32 device = 10;

	tree_init(&t);
	xot_activate(&t.q[0]);
	t.q[2].peak = t.g[2].entity.peak = 64;
	dispatch_n(&t.q[2], 10, 64, 100 * MS, 5 * MS);
	CHECK(t.root.ret_need > 0);
	fill(&t.q[0], 64, &device, 101 * MS);
	CHECK(xot_slots_hold(&t.q[0], 64, device, 104 * MS));
	/* 5 ms later g400 is no longer waited for */
	CHECK(!xot_slots_hold(&t.q[0], 64, device, 105 * MS));
	CHECK(t.root.ret_weight == 0 && t.root.ret_need == 0);
	/* an expired wait is not taken back twice when it returns */
	xot_activate(&t.q[2]);
	CHECK(t.root.ret_weight == 0 && t.root.ret_need == 0);
	CHECK(t.g[2].entity.ret_weight == 0);
}

static void test_not_waited_for(void)
{
	struct tree t;
	u32 device = 1;

	tree_init(&t);
	xot_activate(&t.q[0]);
	/* a reader at depth 1: once its request is in the device, no need */
	dispatch_n(&t.q[2], 1, 64, 0, 5 * MS);
	CHECK(t.root.ret_weight == 0 && t.root.ret_need == 0);
	CHECK(fill(&t.q[0], 64, &device, 1 * MS) == 1000);
	/* hold 0 (the tunable off): nobody is waited for */
	tree_init(&t);
	t.q[2].peak = t.g[2].entity.peak = 64;
	dispatch_n(&t.q[2], 5, 64, 0, 0);
	CHECK(t.root.ret_weight == 0 && t.root.ret_need == 0);
}

static void test_small_job_keeps_its_slots(void)
{
	/*
	 * Two cgroups of equal weight: a greedy one and one that keeps only
	 * 8 requests outstanding. The small one is kept its 8 slots, not its
	 * share of 32: the greedy one may use the other 56.
	 */
	struct tree t;
	u32 device;

	tree_init(&t);
	xot_entity_set_weight(&t.g[2].entity, 100);
	xot_activate(&t.q[0]);
	t.q[2].peak = t.g[2].entity.peak = 8;
	dispatch_n(&t.q[2], 7, 64, 0, 5 * MS);
	device = 7;
	CHECK(t.root.ret_need == 1);
	CHECKF(fill(&t.q[0], 64, &device, 1 * MS) == 56, "device %u", device);
}

static void test_nested_share(void)
{
	/* root: A (100) and B (100); A: a1 (100), a2 (300) */
	struct xot_group root, a, b;
	struct xot_entity a1, a2, qb;
	u32 device = 0;
	int n;

	xot_group_init_root(&root);
	xot_group_init(&a, &root, 100);
	xot_group_init(&b, &root, 100);
	xot_entity_init(&a1, &a, 100);
	xot_entity_init(&a2, &a, 300);
	xot_entity_init(&qb, &b, 100);
	xot_activate(&a1);
	xot_activate(&qb);
	/* a2 runs dry with 4 in the device after having had 64 outstanding */
	a2.peak = 64;
	dispatch_n(&a2, 4, 64, 0, 5 * MS);
	device = 4;
	/* A's share is 32 slots; a2's within it 24: it wants 20 back */
	CHECKF(a.ret_need == 20, "need %u", a.ret_need);
	CHECK(a.ret_weight == 300);
	CHECK(root.ret_weight == 0);	/* A is still active */
	/* a1 (share 8) may go on until A has only those 20 free: 8 */
	n = fill(&a1, 64, &device, 0);
	CHECKF(n == 8, "a1 filled %d slots", n);
	/* B waits for nobody at its level */
	CHECK(fill(&qb, 64, &device, 0) == 1000);
}

static void test_forget_reused(void)
{
	/*
	 * The elevator reuses an idle queue for another process, in its group
	 * or in another one, while its group still waits for it: the group
	 * must stop waiting at once. Left to expire, the wait would last as
	 * long as other children keep running dry (each pushes the expiry
	 * back), holding the siblings for slots nobody will claim.
	 */
	struct xot_group root, g, g2;
	struct xot_entity x, y, z;
	u32 device = 0;
	int i;

	xot_group_init_root(&root);
	xot_group_init(&g, &root, 100);
	xot_group_init(&g2, &root, 100);
	xot_entity_init(&x, &g, 100);
	xot_entity_init(&y, &g, 100);
	xot_entity_init(&z, &g, 100);
	xot_activate(&y);
	x.peak = 64;
	dispatch_n(&x, 8, 64, 0, 5 * MS);
	CHECK(g.ret_weight == 100 && g.ret_need > 0);
	/* its requests complete; the elevator reuses it for a new process */
	for (i = 0; i < 8; i++)
		xot_slots_end(&x);
	xot_slots_forget(&x);
	xot_entity_init(&x, &g, 100);
	CHECKF(g.ret_weight == 0 && g.ret_need == 0, "weight %llu need %u",
	       (unsigned long long)g.ret_weight, g.ret_need);
	/* the new process has work, then z runs dry and comes back */
	xot_activate(&x);
	z.peak = 64;
	dispatch_n(&z, 8, 64, 4 * MS, 5 * MS);
	xot_activate(&z);
	/* past the first hold, the later one still running: nobody waited for */
	CHECKF(!xot_slots_waiting(&y), "still waiting: weight %llu need %u",
	       (unsigned long long)g.ret_weight, g.ret_need);
	CHECK(fill(&y, 64, &device, 6 * MS) == 1000);

	/* reused under another group: the old one stops waiting */
	xot_deactivate(&x);
	xot_deactivate(&z);
	x.peak = 64;
	dispatch_n(&x, 8, 64, 10 * MS, 5 * MS);
	CHECK(g.ret_weight == 100);
	xot_slots_forget(&x);
	xot_entity_init(&x, &g2, 100);
	CHECK(g.ret_weight == 0 && g.ret_need == 0);
	CHECK(g2.ret_weight == 0 && g2.ret_need == 0);

	/* an expired wait is not taken back from the next one */
	xot_entity_init(&x, &g, 100);
	x.peak = 64;
	dispatch_n(&x, 8, 64, 20 * MS, 5 * MS);
	CHECK(!xot_slots_hold(&y, 64, 8, 30 * MS));	/* expires */
	z.peak = 64;
	dispatch_n(&z, 8, 64, 31 * MS, 5 * MS);
	CHECK(g.ret_weight == 100);
	xot_slots_forget(&x);
	CHECK(g.ret_weight == 100 && g.ret_need == z.ret_need && z.ret_need > 0);
	CHECK(xot_warnings == 0);
}

static const struct unit_test tests[] = {
	{ "counts_on_path", test_counts_on_path },
	{ "no_hold_without_waiting", test_no_hold_without_waiting },
	{ "hold_at_share", test_hold_at_share },
	{ "hold_expires", test_hold_expires },
	{ "not_waited_for", test_not_waited_for },
	{ "small_job_keeps_its_slots", test_small_job_keeps_its_slots },
	{ "nested_share", test_nested_share },
	{ "forget_reused", test_forget_reused },
};

UNIT_MAIN("slots", tests)
