// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xotctl's parsers (userspace/xotctl): the elevator's debugfs
 * tree, shares from two snapshots, xot-blkback's vbds file, the vm_weights
 * list, the modprobe.d line, and JSON string escaping.
 */
#include <stdlib.h>

#include "xotctl.h"
#include "unit.h"

static const char tree_a[] =
	"group / w=100 vt=0 vclock=0 active_children=1 queues=1\n"
	"  shared tgid=0 w=100 vt=0 queued=0 refs=0\n"
	"  process tgid=900 w=100 vt=5 queued=0 refs=1 active\n"
	"  vm 1 w=200 vt=1 vclock=1 active_children=1 queues=0 refs=0 rqs=10 active\n"
	"    shared tgid=0 w=100 queued=0\n"
	"    guest-cgroup 4242 w=800 vt=1 vclock=1 active_children=1 queues=1 refs=1 rqs=100 active\n"
	"      shared tgid=0 w=100 queued=0\n"
	"      process tgid=77 w=25 queued=3 refs=1\n"
	"    guest-cgroup 4243 w=200 vt=1 vclock=1 active_children=0 queues=0 refs=0 rqs=50\n"
	"      shared tgid=0 w=100 queued=0\n"
	"  vm 2 w=100 vt=1 vclock=1 active_children=0 queues=0 refs=0 rqs=20\n"
	"    shared tgid=0 w=100 queued=0\n"
	"group /gold w=800 vt=0 vclock=0 active_children=0 queues=0 active\n"
	"  shared tgid=0 w=100 vt=0 queued=2 refs=1 active\n"
	"group /gold/inner w=50 vt=0 vclock=0 active_children=0 queues=0\n"
	"  shared tgid=0 w=100 vt=0 queued=0 refs=0\n";

static int find(const struct xc_tree *t, const char *key)
{
	char k[512];
	int i;

	for (i = 0; i < t->nr; i++) {
		xc_ent_key(t, i, k, sizeof(k));
		if (!strcmp(k, key))
			return i;
	}
	return -1;
}

static void test_tree_parse(void)
{
	struct xc_tree t;
	int i;

	CHECK(xc_tree_parse(tree_a, &t) == 0);
	CHECKF(t.nr == 16, "nr %d", t.nr);
	CHECK(t.bad_lines == 0);
	i = find(&t, "/");
	CHECK(i == 0 && t.e[i].kind == XC_GROUP && t.e[i].weight == 100 && !t.e[i].has_rqs);
	i = find(&t, "/|p900");
	CHECK(i >= 0 && t.e[i].kind == XC_PROC && t.e[i].id == 900 && t.e[i].active &&
	      t.e[i].parent == 0);
	i = find(&t, "/|vm1");
	CHECK(i >= 0 && t.e[i].kind == XC_VM && t.e[i].weight == 200 && t.e[i].has_rqs &&
	      t.e[i].rqs == 10 && t.e[i].active);
	i = find(&t, "/|vm1|cg4242|p77");
	CHECK(i >= 0 && t.e[i].weight == 25 && t.e[i].queued == 3 && !t.e[i].has_rqs);
	CHECK(i >= 0 && t.e[t.e[i].parent].kind == XC_GCG && t.e[t.e[i].parent].id == 4242);
	i = find(&t, "/|vm2|shared");
	CHECK(i >= 0 && t.e[t.e[i].parent].id == 2);
	i = find(&t, "/gold|shared");
	CHECK(i >= 0 && t.e[i].queued == 2);
	CHECK(xc_tree_find_group(&t, "/gold/inner") == 14);
	CHECK(xc_tree_group_parent(&t, 14) == 12);
	CHECK(xc_tree_group_parent(&t, 12) == 0);
	CHECK(xc_tree_group_parent(&t, 0) == -1);
	xc_tree_free(&t);

	/* a cgroup path with blanks; the fields start at the last " w=" */
	CHECK(xc_tree_parse("group /my w=x w=7 vt=0\n", &t) == 0);
	CHECK(t.nr == 1 && !strcmp(t.e[0].path, "/my w=x") && t.e[0].weight == 7);
	xc_tree_free(&t);
	/* empty tree */
	CHECK(xc_tree_parse("", &t) == 0 && t.nr == 0 && t.bad_lines == 0);
	xc_tree_free(&t);
}

static void test_tree_bad(void)
{
	static const char bad[] =
		"  process tgid=1 w=100 queued=0 refs=0\n"	/* no group yet */
		"group / w=100 vt=0\n"
		"   shared tgid=0 w=1\n"			/* odd indentation */
		"  vm x w=100 rqs=1\n"				/* domid not a number */
		"  vm 3 rqs=1\n"				/* no weight */
		"  guest-cgroup 5 w=100 rqs=1\n"		/* guest cgroup outside a VM */
		"    process tgid=9 w=100 queued=0\n"		/* below nothing */
		"  vm 4 w=100 rqs=-1\n"				/* negative counter */
		"  frobnicator 1 w=1\n"				/* unknown kind */
		"  vm 5 w=100 rqs=7 newfield=abc someflag\n";	/* unknown fields: fine */
	struct xc_tree t;

	CHECK(xc_tree_parse(bad, &t) == 0);
	CHECKF(t.bad_lines == 8, "bad %d", t.bad_lines);
	CHECKF(t.nr == 2, "nr %d", t.nr);
	CHECK(find(&t, "/|vm5") == 1 && t.e[1].rqs == 7);
	xc_tree_free(&t);
}

static void set_group_rqs(struct xc_tree *t, const char *path, long long rqs)
{
	int i = xc_tree_find_group(t, path);

	CHECK(i >= 0);
	if (i >= 0) {
		t->e[i].rqs = rqs;
		t->e[i].has_rqs = true;
	}
}

static void test_shares(void)
{
	struct xc_tree a, b;
	struct xc_share *s;
	char *tb = strdup(tree_a);
	bool complete;
	long long total;
	int i;

	/* b: vm1 +20 own, cg4242 +400, cg4243 +49, vm2 +76; dom0 / +80, /gold +100 */
	CHECK(xc_tree_parse(tree_a, &a) == 0);
	memcpy(strstr(tb, "rqs=10 "), "rqs=30 ", 7);
	memcpy(strstr(tb, "rqs=100 "), "rqs=500 ", 8);
	memcpy(strstr(tb, "rqs=50\n"), "rqs=99\n", 7);
	memcpy(strstr(tb, "rqs=20\n"), "rqs=96\n", 7);
	CHECK(xc_tree_parse(tb, &b) == 0);
	set_group_rqs(&a, "/", 100);
	set_group_rqs(&a, "/gold", 0);
	set_group_rqs(&a, "/gold/inner", 5);
	set_group_rqs(&b, "/", 180);
	set_group_rqs(&b, "/gold", 100);
	set_group_rqs(&b, "/gold/inner", 5);
	s = calloc((size_t)b.nr, sizeof(*s));
	total = xc_shares(&a, &b, s, &complete);
	/* 80 + 100 + 0 + 20 + 400 + 49 + 76 */
	CHECKF(total == 725, "total %lld", total);
	CHECK(complete);
	i = find(&b, "/|vm1");
	CHECKF(s[i].delta == 20 && s[i].subtree == 469, "vm1 %lld %lld", s[i].delta, s[i].subtree);
	CHECK(s[i].has_share && s[i].of_device > 0.6468 && s[i].of_device < 0.6470);
	i = find(&b, "/|vm1|cg4242");
	CHECK(s[i].subtree == 400 && s[i].of_parent > 0.852 && s[i].of_parent < 0.853);
	i = find(&b, "/gold");
	CHECK(s[i].subtree == 100 && s[i].tparent == 0);
	i = find(&b, "/");
	CHECK(s[i].subtree == 725 && s[i].of_parent == 1.0 && s[i].tparent == -1);
	i = find(&b, "/|vm1|cg4242|p77");
	CHECK(!s[i].known && !s[i].has_share);

	/* a dom0 group without io.xot.stat: counts incomplete */
	b.e[xc_tree_find_group(&b, "/gold/inner")].has_rqs = false;
	total = xc_shares(&a, &b, s, &complete);
	CHECK(!complete && total == 725);

	/* a counter that went back (group freed and made again): counted from 0 */
	i = find(&b, "/|vm2");
	b.e[i].rqs = 3;
	total = xc_shares(&a, &b, s, &complete);
	CHECK(s[i].delta == 3);

	/* nothing dispatched: no shares, no division by zero */
	total = xc_shares(&a, &a, s, &complete);
	CHECK(total == 0 && !s[0].has_share);

	free(s);
	free(tb);
	xc_tree_free(&a);
	xc_tree_free(&b);
}

/*
 * Queues with their own counters (rqs= on shared/process lines): a share of
 * their parent, and not counted twice in the parent's subtree.
 */
static const char tree_q_a[] =
	"group / w=100 vt=0 vclock=0 active_children=1 queues=1\n"
	"  shared tgid=0 w=100 vt=0 queued=0 refs=0 rqs=0\n"
	"  vm 1 w=200 vt=1 vclock=1 active_children=1 queues=0 refs=0 rqs=0\n"
	"    shared tgid=0 w=100 queued=0 rqs=0\n"
	"    guest-cgroup 7 w=100 vt=1 vclock=1 active_children=2 queues=2 refs=2 rqs=10\n"
	"      shared tgid=0 w=100 queued=0 rqs=0\n"
	"      process tgid=11 w=100 queued=1 refs=1 rqs=4\n"
	"      process tgid=12 w=100 queued=1 refs=1 rqs=6\n";

static const char tree_q_b[] =
	"group / w=100 vt=0 vclock=0 active_children=1 queues=1\n"
	"  shared tgid=0 w=100 vt=0 queued=0 refs=0 rqs=0\n"
	"  vm 1 w=200 vt=1 vclock=1 active_children=1 queues=0 refs=0 rqs=0\n"
	"    shared tgid=0 w=100 queued=0 rqs=0\n"
	"    guest-cgroup 7 w=100 vt=1 vclock=1 active_children=2 queues=2 refs=2 rqs=410\n"
	"      shared tgid=0 w=100 queued=0 rqs=0\n"
	"      process tgid=11 w=100 queued=1 refs=1 rqs=104\n"
	"      process tgid=12 w=100 queued=1 refs=1 rqs=306\n";

static void test_queue_shares(void)
{
	struct xc_tree a, b;
	struct xc_share *s;
	bool complete;
	long long total;
	int i;

	/* b: process 11 +100, process 12 +300 (guest cgroup 7 +400 in all) */
	CHECK(xc_tree_parse(tree_q_a, &a) == 0);
	CHECK(xc_tree_parse(tree_q_b, &b) == 0);
	set_group_rqs(&a, "/", 0);
	set_group_rqs(&b, "/", 0);
	s = calloc((size_t)b.nr, sizeof(*s));
	total = xc_shares(&a, &b, s, &complete);
	CHECKF(total == 400, "total %lld (queues counted twice?)", total);
	CHECK(complete);
	i = find(&b, "/|vm1|cg7");
	CHECKF(s[i].subtree == 400, "cg7 subtree %lld", s[i].subtree);
	i = find(&b, "/|vm1|cg7|p11");
	CHECKF(s[i].known && s[i].delta == 100 && s[i].has_share, "p11 %lld", s[i].delta);
	CHECK(s[i].of_parent > 0.2499 && s[i].of_parent < 0.2501);
	CHECK(s[i].of_device > 0.2499 && s[i].of_device < 0.2501);
	i = find(&b, "/|vm1|cg7|p12");
	CHECK(s[i].delta == 300 && s[i].of_parent > 0.7499 && s[i].of_parent < 0.7501);
	i = find(&b, "/|vm1|cg7|shared");
	CHECK(s[i].known && s[i].delta == 0 && s[i].has_share && s[i].of_parent == 0);

	/* a counter that went back (its group freed and made again): from 0 */
	i = find(&b, "/|vm1|cg7|p11");
	b.e[i].rqs = 2;
	xc_shares(&a, &b, s, &complete);
	CHECK(s[i].delta == 2);

	free(s);
	xc_tree_free(&a);
	xc_tree_free(&b);
}

static void test_vbds(void)
{
	static const char text[] =
		"domid vm devid vm_weight channel rings order ups errors\n"
		"1 web 51712 200 up 2 1 3 0\n"
		"  ring 0 next_seq 99 matched 90 continued 3 unmatched 2 dropped 1 rejected_weight 2\n"
		"  ring 1 next_seq 9 matched 10 continued 0 unmatched 0 dropped 0 rejected_weight 1 rejected_sequence 4\n"
		"  offers 3 reads 2\n"			/* known, not summed */
		"  thread 0 bios 120\n"
		"  thread 1 bios 5\n"
		"7 - 51728 100 down 0 0 0 1\n"
		"8 x 1 2 sideways 0 0 0 0\n"		/* bad channel state */
		"  ring 0 matched 5\n"			/* belongs to the bad line: skipped */
		"9 y 1 2 up 0 0 0\n"			/* too few fields */
		"10 my vm 51712 300 up 1 0 1 0\n";	/* a name with a blank */
	struct xc_vbds v;

	CHECK(xc_vbds_parse(text, &v) == 0);
	CHECKF(v.nr == 3, "nr %d", v.nr);
	CHECKF(v.bad_lines == 3, "bad %d", v.bad_lines);
	CHECK(v.nr == 3 && v.v[2].domid == 10 && !strcmp(v.v[2].vm, "my vm") &&
	      v.v[2].devid == 51712 && v.v[2].vm_weight == 300 && v.v[2].up);
	CHECK(v.v[0].domid == 1 && !strcmp(v.v[0].vm, "web") && v.v[0].devid == 51712 &&
	      v.v[0].vm_weight == 200 && v.v[0].up && v.v[0].rings == 2 && v.v[0].order == 1 &&
	      v.v[0].ups == 3);
	CHECK(v.v[0].matched == 100 && v.v[0].continued == 3 && v.v[0].unmatched == 2 &&
	      v.v[0].dropped == 1 && v.v[0].rejected == 7 && v.v[0].bios == 125);
	CHECK(v.v[0].nr_reasons == 2 && !strcmp(v.v[0].reason[0].name, "weight") &&
	      v.v[0].reason[0].n == 3 && v.v[0].reason[1].n == 4);
	CHECK(v.v[1].domid == 7 && !strcmp(v.v[1].vm, "-") && !v.v[1].up && v.v[1].errors == 1);
	xc_vbds_free(&v);
}

static void test_vm_weights(void)
{
	struct xc_vmw l;
	char why[128], buf[256];
	unsigned int w;

	CHECK(xc_weight_parse("200", &w) == 0 && w == 200);
	CHECK(xc_weight_parse("10000", &w) == 0 && w == 10000);
	CHECK(xc_weight_parse("0", &w) == -1);
	CHECK(xc_weight_parse("10001", &w) == -1);
	CHECK(xc_weight_parse("default 5", &w) == -1);
	CHECK(xc_weight_parse("8:16 5", &w) == -1);
	CHECK(xc_weight_parse("5x", &w) == -1);
	CHECK(xc_weight_parse("", &w) == -1);

	CHECK(xc_vm_name_ok("web-01.example"));
	CHECK(!xc_vm_name_ok(""));
	CHECK(!xc_vm_name_ok("a b"));
	CHECK(!xc_vm_name_ok("a,b"));
	CHECK(!xc_vm_name_ok("a=b"));
	CHECK(!xc_vm_name_ok("a\"b"));
	CHECK(!xc_vm_name_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	CHECK(xc_vm_name_ok("012345678901234567890123456789012345678901234567890123456789012"));

	CHECK(xc_vmw_parse("web=200,db=400\n", &l, why, sizeof(why)) == 0 && l.nr == 2);
	CHECK(xc_vmw_parse("\n", &l, why, sizeof(why)) == 0 && l.nr == 0);
	CHECK(xc_vmw_parse(" web=200 , db=400 ", &l, why, sizeof(why)) == 0 && l.nr == 2 &&
	      l.e[1].weight == 400);
	CHECK(xc_vmw_parse("web=0", &l, why, sizeof(why)) == -1 && strstr(why, "bad weight"));
	CHECK(xc_vmw_parse("web", &l, why, sizeof(why)) == -1);
	CHECK(xc_vmw_parse("=5", &l, why, sizeof(why)) == -1);
	CHECK(xc_vmw_parse("a=1,a=2", &l, why, sizeof(why)) == -1 && strstr(why, "twice"));
	/* the running list may hold names only the kernel takes */
	CHECK(xc_vmw_parse("my vm=5", &l, why, sizeof(why)) == -1);
	CHECK(xc_vmw_parse_running("my vm=5,web=7\n", &l, why, sizeof(why)) == 0 && l.nr == 2 &&
	      !strcmp(l.e[0].name, "my vm"));
	CHECK(xc_vmw_parse_running("a=0", &l, why, sizeof(why)) == -1);

	CHECK(xc_vmw_parse("web=200,db=400", &l, why, sizeof(why)) == 0);
	CHECK(xc_vmw_set(&l, "db", 50) == 0 && l.nr == 2 && l.e[1].weight == 50);
	CHECK(xc_vmw_set(&l, "mail", 300) == 0 && l.nr == 3);
	CHECK(xc_vmw_format(&l, buf, sizeof(buf)) && !strcmp(buf, "web=200,db=50,mail=300"));
	CHECK(xc_vmw_unset(&l, "web") == 0 && xc_vmw_unset(&l, "web") == -1);
	CHECK(xc_vmw_format(&l, buf, sizeof(buf)) && !strcmp(buf, "db=50,mail=300"));
	CHECK(!xc_vmw_format(&l, buf, 5));
	CHECK(xc_vmw_unset(&l, "db") == 0 && xc_vmw_unset(&l, "mail") == 0);
	CHECK(xc_vmw_format(&l, buf, sizeof(buf)) && !strcmp(buf, ""));
}

static void test_conf(void)
{
	char *v, *t;

	CHECK(xc_conf_get("") == NULL);
	v = xc_conf_get("# c\noptions xot-blkback vm_weights=a=1,b=2\n");
	CHECK(v && !strcmp(v, "a=1,b=2"));
	free(v);
	/* the last one wins; xot_blkback spelling; other modules ignored */
	v = xc_conf_get("options xot_blkback vm_weights=a=1\noptions other vm_weights=z=9\n"
			"  options\txot-blkback foo=1 vm_weights=b=2\n");
	CHECK(v && !strcmp(v, "b=2"));
	free(v);
	CHECK(xc_conf_get("options xot-blkbackx vm_weights=a=1\n") == NULL);

	/* new file: header, then the line */
	t = xc_conf_put(NULL, "a=1");
	CHECK(t && strstr(t, "# XoT") && strstr(t, "\noptions xot-blkback vm_weights=a=1\n"));
	v = t ? xc_conf_get(t) : NULL;
	CHECK(v && !strcmp(v, "a=1"));
	free(v);
	free(t);
	/* replace in place, keep other lines and other parameters */
	t = xc_conf_put("# mine\noptions xot-blkback foo=1 vm_weights=a=1\nblacklist x\n", "b=2");
	CHECK(t && !strcmp(t, "# mine\noptions xot-blkback foo=1 vm_weights=b=2\nblacklist x\n"));
	free(t);
	/* two lines: the first takes the list, the second loses its vm_weights */
	t = xc_conf_put("options xot-blkback vm_weights=a=1\noptions xot_blkback vm_weights=c=3 bar=2\n",
			"b=2");
	CHECK(t && !strcmp(t, "options xot-blkback vm_weights=b=2\noptions xot_blkback bar=2\n"));
	free(t);
	/* empty list: the option goes, the line too when nothing else is on it */
	t = xc_conf_put("# mine\noptions xot-blkback vm_weights=a=1\n", "");
	CHECK(t && !strcmp(t, "# mine\n"));
	free(t);
	t = xc_conf_put("options xot-blkback foo=1 vm_weights=a=1", "");
	CHECK(t && !strcmp(t, "options xot-blkback foo=1\n"));
	free(t);
	/* a file without our line: appended */
	t = xc_conf_put("blacklist x\n", "a=1");
	CHECK(t && !strcmp(t, "blacklist x\noptions xot-blkback vm_weights=a=1\n"));
	free(t);
}

static void test_json_quote(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	jw_quote(f, "a\"b\\c\nd\te\x01\xff");
	fclose(f);
	CHECKF(!strcmp(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u00ff\""), "%s", buf);
	free(buf);
}

/*
 * Garbage in: mutated copies of good inputs (bytes changed, lines cut) go
 * through every parser; ASan/UBSan catch what a bad byte could do.
 */
static void mutate(char *buf, size_t len, unsigned int *seed)
{
	static const char alphabet[] = " \n=w-0123456789abcrqsvmgrouptdefault:,#\t\xff";
	int k, n = 1 + (int)(rand_r(seed) % 8);

	for (k = 0; k < n && len; k++) {
		size_t at = (size_t)rand_r(seed) % len;

		if (rand_r(seed) % 5 == 0)
			buf[at] = '\0';	/* cut */
		else
			buf[at] = alphabet[(size_t)rand_r(seed) % (sizeof(alphabet) - 1)];
	}
}

static void test_garbage(void)
{
	static const char vbds[] =
		"domid vm devid vm_weight channel rings order ups errors\n"
		"1 web 51712 200 up 2 1 3 0\n"
		"  ring 0 next_seq 99 matched 90 continued 3 unmatched 2 dropped 1 rejected_weight 2\n"
		"  thread 0 bios 120\n";
	static const char conf[] = "# c\noptions xot-blkback foo=1 vm_weights=a=1,b=2\nblacklist x\n";
	unsigned int seed = 12345;
	char buf[2048];
	int round;

	for (round = 0; round < 3000; round++) {
		struct xc_tree a, b;
		struct xc_vbds v;
		struct xc_vmw l;
		struct xc_share *s;
		char why[128], *c, *t;
		bool complete;

		snprintf(buf, sizeof(buf), "%s", tree_a);
		mutate(buf, strlen(buf), &seed);
		CHECK(xc_tree_parse(tree_a, &a) == 0 && xc_tree_parse(buf, &b) == 0);
		/* out has one entry per entity of the second tree */
		s = calloc((size_t)(a.nr > b.nr ? a.nr : b.nr) + 1, sizeof(*s));
		xc_shares(&a, &b, s, &complete);
		xc_shares(&b, &a, s, &complete);	/* b's entities fewer or more */
		free(s);
		xc_tree_free(&a);
		xc_tree_free(&b);

		snprintf(buf, sizeof(buf), "%s", vbds);
		mutate(buf, strlen(buf), &seed);
		CHECK(xc_vbds_parse(buf, &v) == 0);
		xc_vbds_free(&v);

		snprintf(buf, sizeof(buf), "%s", conf);
		mutate(buf, strlen(buf), &seed);
		c = xc_conf_get(buf);
		if (c)
			xc_vmw_parse(c, &l, why, sizeof(why));
		t = xc_conf_put(buf, "z=5");
		CHECK(t && strstr(t, "vm_weights=z=5"));
		free(t);
		free(c);
	}
}

static const struct unit_test tests[] = {
	{ "tree-parse", test_tree_parse },
	{ "tree-bad-lines", test_tree_bad },
	{ "shares", test_shares },
	{ "queue-shares", test_queue_shares },
	{ "vbds", test_vbds },
	{ "vm-weights", test_vm_weights },
	{ "modprobe-conf", test_conf },
	{ "json-quote", test_json_quote },
	{ "garbage", test_garbage },
};

UNIT_MAIN("xotctl", tests)
