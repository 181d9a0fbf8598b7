// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the io.xot.weight grammar parser (core/weight.c): every
 * accepted form, and rejection of zero, out-of-range, malformed and
 * trailing-garbage input (the cgroup file must return -EINVAL for those and
 * change nothing).
 */
#include <xot/weight.h>
#include "unit.h"


static int parse(const char *s, struct xot_weight_line *l)
{
	memset(l, 0xa5, sizeof(*l));
	return xot_weight_line_parse(s, l);
}

static void test_accepts(void)
{
	struct xot_weight_line l;

	CHECK(parse("800", &l) == 0 && !l.has_dev && l.weight == 800);
	CHECK(parse("800\n", &l) == 0 && l.weight == 800);
	CHECK(parse("  default 1\n", &l) == 0 && !l.has_dev && l.weight == 1);
	CHECK(parse("default\t10000", &l) == 0 && l.weight == 10000);
	CHECK(parse("8:16 250", &l) == 0 && l.has_dev && !l.reset &&
	      l.major == 8 && l.minor == 16 && l.weight == 250);
	CHECK(parse("252:0 default\n", &l) == 0 && l.has_dev && l.reset &&
	      l.major == 252 && l.minor == 0);
	CHECK(parse("8:0   42  ", &l) == 0 && l.weight == 42);
}

static void test_rejects(void)
{
	static const char *const bad[] = {
		"", "\n", "0", "10001", "-5", "+5", "5x", "5 6", "default",
		"default 0", "default 10001", "default5", "default 5 6",
		"8:16", "8:16 0", "8:16 10001", "8:16 abc", "8: 16 5", "8 :16 5",
		":16 5", "8:16default", "8:16 defaultx", "8:16 default 5",
		"99999999999 5", "8:99999999999 5", "4294967296",
		"100\n\n", "1e3", "0x10", "100 # comment",
	};
	struct xot_weight_line l;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i], &l);

		CHECKF(r == -1, "accepted '%s'", bad[i]);
	}
}

static const struct unit_test tests[] = {
	{ "accepts", test_accepts },
	{ "rejects", test_rejects },
};

UNIT_MAIN("weight", tests)
