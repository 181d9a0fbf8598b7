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

/* put @n requests of queue @i in the device */
static void start_n(struct tree *t, int i, int n)
{
	while (n--)
		xot_slots_start(&t->q[i]);
}

static void test_counts_on_path(void)
{
	struct tree t;

	tree_init(&t);
	start_n(&t, 2, 3);
	xot_slots_start(&t.q[0]);
	CHECK(xot_atomic_read(&t.q[2].inflight) == 3);
	CHECK(xot_atomic_read(&t.g[2].entity.inflight) == 3);
	CHECK(xot_atomic_read(&t.g[0].entity.inflight) == 1);
	/* the root is nobody's child: not counted */
	CHECK(xot_atomic_read(&t.root.entity.inflight) == 0);
	xot_slots_end(&t.q[2]);
	CHECK(xot_atomic_read(&t.g[2].entity.inflight) == 2);
	CHECK(xot_atomic_read(&t.q[2].inflight) == 2);
}

static void test_no_hold_without_waiting(void)
{
	struct tree t;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[1]);
	/* g100 with the whole device in flight: nobody waited for, no hold */
	start_n(&t, 0, 64);
	CHECK(!xot_slots_hold(&t.q[0], 64, 0));
}

static void test_hold_at_share(void)
{
	struct tree t;
	int n;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[1]);
	xot_activate(&t.q[2]);
	/* g400 sends its last queued request with 27 others in the device */
	start_n(&t, 2, 27);
	xot_deactivate(&t.q[2]);
	xot_slots_ran_dry(&t.q[2], 0, 5 * MS);
	xot_slots_start(&t.q[2]);
	CHECK(t.root.ret_weight == 400);
	CHECK(t.g[2].entity.ret_weight == 400);

	/* of 64 slots, g100 may fill 64 * 100 / 700 = 9.14: nine */
	for (n = 0; !xot_slots_hold(&t.q[0], 64, 1 * MS); n++)
		xot_slots_start(&t.q[0]);
	CHECKF(n == 9, "g100 filled %d slots", n);
	/* g200: 18.3, eighteen */
	for (n = 0; !xot_slots_hold(&t.q[1], 64, 1 * MS); n++)
		xot_slots_start(&t.q[1]);
	CHECKF(n == 18, "g200 filled %d slots", n);

	/* g400 back with work: it no longer counts as waited for */
	xot_activate(&t.q[2]);
	CHECK(t.root.ret_weight == 0);
	CHECK(t.g[2].entity.ret_weight == 0);
	CHECK(!xot_slots_hold(&t.q[0], 64, 1 * MS));
	CHECK(!xot_slots_hold(&t.q[2], 64, 1 * MS));
}

static void test_hold_expires(void)
{
	struct tree t;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[2]);
	start_n(&t, 2, 10);
	xot_deactivate(&t.q[2]);
	xot_slots_ran_dry(&t.q[2], 100 * MS, 5 * MS);
	start_n(&t, 0, 20);
	CHECK(xot_slots_hold(&t.q[0], 64, 104 * MS));
	/* 5 ms later g400 is no longer waited for */
	CHECK(!xot_slots_hold(&t.q[0], 64, 105 * MS));
	CHECK(t.root.ret_weight == 0);
	/* an expired flag is not taken back twice when it returns */
	xot_activate(&t.q[2]);
	CHECK(t.root.ret_weight == 0);
	CHECK(t.g[2].entity.ret_weight == 0);
}

static void test_not_waited_for(void)
{
	struct tree t;

	tree_init(&t);
	xot_activate(&t.q[0]);
	xot_activate(&t.q[2]);
	/* a reader at depth 1: nothing else in the device when it runs dry */
	xot_deactivate(&t.q[2]);
	xot_slots_ran_dry(&t.q[2], 0, 5 * MS);
	xot_slots_start(&t.q[2]);
	CHECK(t.root.ret_weight == 0);
	start_n(&t, 0, 40);
	CHECK(!xot_slots_hold(&t.q[0], 64, 1 * MS));
	/* hold 0 (the tunable off): nobody is waited for */
	xot_activate(&t.q[2]);
	start_n(&t, 2, 5);
	xot_deactivate(&t.q[2]);
	xot_slots_ran_dry(&t.q[2], 0, 0);
	CHECK(t.root.ret_weight == 0);
}

static void test_nested_share(void)
{
	/* root: A (100) and B (100); A: a1 (100), a2 (300) */
	struct xot_group root, a, b;
	struct xot_entity a1, a2, qb;
	int n;

	xot_group_init_root(&root);
	xot_group_init(&a, &root, 100);
	xot_group_init(&b, &root, 100);
	xot_entity_init(&a1, &a, 100);
	xot_entity_init(&a2, &a, 300);
	xot_entity_init(&qb, &b, 100);
	xot_activate(&a1);
	xot_activate(&qb);
	xot_activate(&a2);
	/* a2 runs dry with requests in the device: waited for inside A */
	xot_slots_start(&a2);
	xot_deactivate(&a2);
	xot_slots_ran_dry(&a2, 0, 5 * MS);
	CHECK(a.ret_weight == 300);
	CHECK(root.ret_weight == 0);	/* A is still active */
	/* A's share of 64 slots is 32; a1's within it 32 * 100 / 400 = 8 */
	for (n = 0; !xot_slots_hold(&a1, 64, 0); n++)
		xot_slots_start(&a1);
	CHECKF(n == 8, "a1 filled %d slots", n);
	/* B is held by nobody: its level waits for no one */
	for (n = 0; n < 60; n++)
		xot_slots_start(&qb);
	CHECK(!xot_slots_hold(&qb, 64, 0));
}

static const struct unit_test tests[] = {
	{ "counts_on_path", test_counts_on_path },
	{ "no_hold_without_waiting", test_no_hold_without_waiting },
	{ "hold_at_share", test_hold_at_share },
	{ "hold_expires", test_hold_expires },
	{ "not_waited_for", test_not_waited_for },
	{ "nested_share", test_nested_share },
};

UNIT_MAIN("slots", tests)
