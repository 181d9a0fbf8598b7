// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of fairness-report's arithmetic (userspace/bench/fairness-report.c,
 * included here without its main): hierarchical targets, achieved shares,
 * errors per level, Jain's index, ratios to none, overhead medians, and the
 * refusal of malformed input. Expected values are worked out by hand in the
 * comments.
 */
#define FAIRNESS_REPORT_NO_MAIN
#include "../../userspace/bench/fairness-report.c"
#include "unit.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)

/* parse + compute @text; 0 on success, else -1 with the message in @e */
static int load_alt(struct fr_report *r, const char *text, const char *alt_key,
		    struct fr_err *e)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int ret;

	memset(r, 0, sizeof(*r));
	r->alt_key = alt_key;
	if (!in)
		return fr_fail(e, "fmemopen failed");
	ret = fr_parse(r, in, "test", e);
	fclose(in);
	if (!ret)
		ret = fr_compute(r, e);
	return ret;
}

static int load(struct fr_report *r, const char *text, struct fr_err *e)
{
	return load_alt(r, text, NULL, e);
}

static const struct fr_entity *ent(const struct fr_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nent; i++)
		if (!strcmp(run->ent[i].name, name))
			return &run->ent[i];
	return NULL;
}

static const char flat[] =
	"# flat 100:200:400\n"
	"meta benchmark host-fairness\n"
	"meta commit 0123456\n"
	"param nr_requests 256\n"
	"device dev null_blk irqmode=2 completion_nsec=400000\n"
	"run flat dev exact xot nr_requests=256\n"
	"entity flat dev exact g100 - 100 100\n"
	"entity flat dev exact g200 - 200 200\n"
	"entity flat dev exact g400 - 400 400 xot_rqs=4000\n"
	"run flat dev skew bfq\n"
	"entity flat dev skew g100 - 100 300\n"
	"entity flat dev skew g200 - 200 300\n"
	"entity flat dev skew g400 - 400 400\n"
	"run flat dev none none\n"
	"entity flat dev none g100 - 100 400\n"
	"entity flat dev none g200 - 200 400\n"
	"entity flat dev none g400 - 400 450\n";

static void test_flat_exact(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	const struct fr_run *run;

	CHECKF(load(&r, flat, &e) == 0, "%s", e.msg);
	CHECK(r.nruns == 3);
	if (r.nruns != 3)
		return;
	run = &r.runs[0];
	/* 100:200:400 -> 1/7, 2/7, 4/7; IOPS in exactly that ratio */
	CHECK(NEAR(ent(run, "g100")->target, 1.0 / 7));
	CHECK(NEAR(ent(run, "g200")->target, 2.0 / 7));
	CHECK(NEAR(ent(run, "g400")->target, 4.0 / 7));
	CHECK(NEAR(ent(run, "g400")->achieved, 4.0 / 7));
	CHECK(NEAR(run->total_iops, 700));
	CHECK(NEAR(run->max_err, 0));
	CHECK(NEAR(run->jain, 1));
	CHECK(run->max_depth == 1);
	/* 700 against none's 1250 */
	CHECK(run->has_ratio && NEAR(run->ratio_none, 700.0 / 1250));
	fr_free(&r);
}

static void test_flat_skewed(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	const struct fr_run *run;

	CHECKF(load(&r, flat, &e) == 0, "%s", e.msg);
	if (r.nruns != 3)
		return;
	run = &r.runs[1];
	/*
	 * 300:300:400 of 1000 -> 0.3, 0.3, 0.4 against 1/7, 2/7, 4/7:
	 * errors 15.714, 1.429, 17.143 points; x = achieved/target =
	 * 2.1, 1.05, 0.7: Jain = 3.85^2 / (3 * 6.0025) = 0.823129...
	 */
	CHECK(NEAR(ent(run, "g100")->achieved, 0.3));
	CHECK(NEAR(run->max_err, (4.0 / 7 - 0.4) * 100));
	CHECK(NEAR(run->level_err[1], run->max_err));
	CHECK(NEAR(run->jain, 3.85 * 3.85 / (3 * 6.0025)));
	CHECK(NEAR(run->ratio_none, 1000.0 / 1250));
	/* the none run is its own reference */
	CHECK(NEAR(r.runs[2].ratio_none, 1));
	fr_free(&r);
}

static const char nested[] =
	"run nest dev exact xot\n"
	"entity nest dev exact A - 200 -\n"
	"entity nest dev exact A1 A 100 100\n"
	"entity nest dev exact A2 A 300 300\n"
	"entity nest dev exact B - 100 200\n"
	"run nest dev skew xot-mi\n"
	"entity nest dev skew A - 200 -\n"
	"entity nest dev skew A1 A 100 150\n"
	"entity nest dev skew A2 A 300 250\n"
	"entity nest dev skew B - 100 200\n";

static void test_nested(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	const struct fr_run *run;

	CHECKF(load(&r, nested, &e) == 0, "%s", e.msg);
	if (r.nruns != 2)
		return;
	run = &r.runs[0];
	/* A 2/3 (A1 1/4 of it = 1/6, A2 3/4 = 1/2), B 1/3 */
	CHECK(NEAR(ent(run, "A")->target, 2.0 / 3));
	CHECK(NEAR(ent(run, "A1")->target, 1.0 / 6));
	CHECK(NEAR(ent(run, "A2")->target, 0.5));
	CHECK(NEAR(ent(run, "B")->target, 1.0 / 3));
	CHECK(NEAR(ent(run, "A1")->local_target, 0.25));
	CHECK(NEAR(ent(run, "A")->sub_iops, 400));
	CHECK(NEAR(ent(run, "A")->achieved, 2.0 / 3));
	CHECK(NEAR(run->total_iops, 600));
	CHECK(NEAR(run->max_err, 0));
	CHECK(NEAR(run->jain, 1));
	CHECK(run->max_depth == 2);
	CHECK(ent(run, "A1")->depth == 2 && ent(run, "B")->depth == 1);
	CHECK(!run->has_ratio);	/* no "none" run here */

	run = &r.runs[1];
	/*
	 * A1 150/600 = 0.25 vs 1/6 and A2 250/600 vs 1/2: 8.333 points each
	 * at level 2; A 400/600 and B 200/600 exact at level 1. Inside A:
	 * A1 150/400 = 0.375 vs 0.25.
	 */
	CHECK(NEAR(run->level_err[1], 0));
	CHECK(NEAR(run->level_err[2], 100.0 / 12));
	CHECK(NEAR(run->max_err, 100.0 / 12));
	CHECK(NEAR(ent(run, "A1")->local_achieved, 0.375));
	/* x = 1.5, 0.8333, 1: Jain = 3.3333^2 / (3 * (2.25 + 0.69444 + 1)) */
	CHECK(NEAR(run->jain, (10.0 / 3) * (10.0 / 3) / (3 * (2.25 + 25.0 / 36 + 1))));
	fr_free(&r);
}

/* two repeats of xot and one of none (xot#3 alone is a repeat of one) */
static const char repeats[] =
	"run r dev xot#1 xot\n"
	"entity r dev xot#1 A - 100 30\n"
	"entity r dev xot#1 B - 300 70\n"
	"run r dev none#1 none\n"
	"entity r dev none#1 A - 100 50\n"
	"entity r dev none#1 B - 300 150\n"
	"run r dev xot#2 xot\n"
	"entity r dev xot#2 A - 100 20\n"
	"entity r dev xot#2 B - 300 80\n"
	"run r dev plain xot\n"
	"entity r dev plain A - 100 25\n"
	"entity r dev plain B - 300 75\n";

static void test_repeats(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	double mean, min, max;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	CHECKF(load(&r, repeats, &e) == 0, "%s", e.msg);
	if (r.nruns != 4)
		return;
	CHECK(fr_first_repeat(&r, 0) == 0 && fr_first_repeat(&r, 2) == 0);
	CHECK(fr_first_repeat(&r, 1) == 1 && fr_first_repeat(&r, 3) == -1);
	/* A: 0.30 and 0.20 against 0.25: mean 0.25, spread 0.20-0.30 */
	CHECK(fr_over_repeats(&r, 0, 0, 0, &mean, &min, &max) == 2);
	CHECK(NEAR(mean, 0.25) && NEAR(min, 0.2) && NEAR(max, 0.3));
	/* largest errors 5 and 5 points */
	CHECK(fr_over_repeats(&r, 0, -1, 0, &mean, &min, &max) == 2 && NEAR(mean, 5));
	/* each repeat against the same repeat of none: xot#1 100/200, xot#2 none */
	CHECK(r.runs[0].has_ratio && NEAR(r.runs[0].ratio_none, 0.5));
	CHECK(!r.runs[2].has_ratio && !r.runs[3].has_ratio);
	out = open_memstream(&buf, &len);
	CHECK(out != NULL);
	if (out) {
		fr_print_table(&r, out, NULL);
		fr_write_json(&r, out);
		fclose(out);
		CHECKF(strstr(buf, "r on dev, xot, 2 runs: largest error 5.00pp [5.00-5.00]"), "%s", buf);
		CHECK(strstr(buf, "achieved  25.0% [20.0-30.0]") != NULL);
		CHECK(strstr(buf, "\"config\": \"xot\", \"runs\": 2") != NULL);
		CHECK(strstr(buf, "\"config\": \"plain\", \"runs\"") == NULL);
		free(buf);
	}
	fr_free(&r);
}

static const char overhead[] =
	"scenario cgroups-1 cgroups=1 jobs=4\n"
	"sample cgroups-1 none 100 round=1\n"
	"sample cgroups-1 mq-deadline 100\n"
	"sample cgroups-1 xot 70\n"
	"sample cgroups-1 none 300\n"
	"sample cgroups-1 mq-deadline 120\n"
	"sample cgroups-1 xot 50\n"
	"sample cgroups-1 none 200\n"
	"sample cgroups-1 xot 80\n"
	"sample cgroups-1 xot 60\n";

static void test_overhead(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	const struct fr_ovh *o;

	CHECKF(load(&r, overhead, &e) == 0, "%s", e.msg);
	CHECK(r.novh == 1);
	if (r.novh != 1)
		return;
	o = &r.ovh[0];
	CHECK(o->ns == 3 && o->attrs && o->attrs->n == 2);
	if (o->ns != 3)
		return;
	/* none: 100 300 200 -> 200; mq-deadline 100 120 -> 110; xot 50..80 -> 65 */
	CHECK(!strcmp(o->s[0].scheduler, "none") && NEAR(o->s[0].median, 200));
	CHECK(NEAR(o->s[1].median, 110));
	CHECK(NEAR(o->s[2].median, 65) && NEAR(o->s[2].min, 50) && NEAR(o->s[2].max, 80));
	CHECK(o->s[2].has_mqdl && NEAR(o->s[2].ratio_mqdl, 65.0 / 110));
	CHECK(o->s[2].has_none && NEAR(o->s[2].ratio_none, 65.0 / 200));
	/* paired by position (no round=K on these): 70/100 and 50/120 */
	CHECK(o->s[2].npaired == 2 && NEAR(o->s[2].paired_mqdl, (0.7 + 50.0 / 120) / 2));
	/* none's first sample says round=1, the others are 2 and 3 by position */
	CHECK(o->s[0].npaired == 2 && NEAR(o->s[0].paired_mqdl, (1.0 + 2.5) / 2));
	CHECK(NEAR(o->s[1].paired_mqdl, 1));
	/* samples keep their input order in the output */
	CHECK(NEAR(o->s[2].vals[0], 70));
	fr_free(&r);
}

/* shares counted another way: xot_rqs 150:250:600 -> 15%, 25%, 60% */
static void test_share_from(void)
{
	static const char text[] =
		"run s d xot xot\n"
		"entity s d xot A - 300 -\n"
		"entity s d xot g100 A 100 100 xot_rqs=150\n"
		"entity s d xot g200 A 200 200 xot_rqs=250\n"
		"entity s d xot g400 - 400 400 xot_rqs=600\n"
		"run s d partial xot\n"
		"entity s d partial g100 - 100 100 xot_rqs=1\n"
		"entity s d partial g200 - 200 200\n";
	struct fr_report r;
	struct fr_err e = { "" };
	const struct fr_run *run;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	CHECKF(load_alt(&r, text, "xot_rqs", &e) == 0, "%s", e.msg);
	if (r.nruns != 2)
		return;
	run = &r.runs[0];
	/* targets: A 3/7 (g100 1/7, g200 2/7), g400 4/7 */
	CHECK(run->has_alt);
	CHECK(NEAR(ent(run, "g100")->alt_share, 0.15));
	CHECK(NEAR(ent(run, "A")->alt_share, 0.4));
	/*
	 * errors: g100 15 vs 14.29, g200 25 vs 28.57 (the worst, 3.57 points),
	 * A 40 vs 42.86, g400 60 vs 57.14
	 */
	CHECK(NEAR(run->alt_max_err, (2.0 / 7 - 0.25) * 100));
	CHECK(!r.runs[1].has_alt);	/* not every leaf has the key */
	out = open_memstream(&buf, &len);
	if (out) {
		fr_write_json(&r, out);
		fclose(out);
		CHECK(strstr(buf, "\"xot_rqs_share\": 0.1500") != NULL);
		CHECK(strstr(buf, "\"xot_rqs_max_abs_share_error\": 3.57") != NULL);
		free(buf);
	}
	fr_free(&r);
}

static void test_jain_median(void)
{
	double v[] = { 3, 1, 2 }, eq[] = { 2, 2, 2, 2 }, one[] = { 5, 0 };

	CHECK(NEAR(fr_median(v, 3), 2));
	CHECK(NEAR(fr_median(v, 0), 0));
	CHECK(NEAR(xot_jain(eq, 4), 1));
	CHECK(NEAR(xot_jain(one, 2), 0.5));	/* one of two gets all: 1/n */
	CHECK(xot_jain(one, 0) == 0);
}

/* What @write prints for @r, in a string of *@len bytes (NULL: no memory). */
static char *render(const struct fr_report *r,
		    void (*write)(const struct fr_report *, FILE *), size_t *len)
{
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	CHECK(out != NULL);
	if (!out)
		return NULL;
	write(r, out);
	fclose(out);
	return buf;
}

static void test_json_and_table(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	char *buf;
	size_t len = 0;
	FILE *out;

	CHECKF(load(&r, flat, &e) == 0, "%s", e.msg);
	buf = render(&r, fr_write_json, &len);
	if (!buf)
		return;
	CHECK(!strncmp(buf, "{\n  \"benchmark\": \"host-fairness\",\n  \"commit\": \"0123456\"", 52));
	CHECK(strstr(buf, "\"nr_requests\": 256") != NULL);	/* param: a number */
	CHECK(strstr(buf, "\"max_abs_share_error\": 17.14,") != NULL);
	CHECK(strstr(buf, "\"target_share\": 0.1429, \"achieved_share\": 0.1429") != NULL);
	CHECK(strstr(buf, "\"xot_rqs\": 4000}") != NULL);
	CHECK(strstr(buf, "\"total_iops_ratio_to_none\": 0.560") != NULL);
	CHECK(buf[len - 2] == '}');
	free(buf);

	buf = NULL;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	fr_print_table(&r, out, "xot_rqs");
	fclose(out);
	CHECK(strstr(buf, "flat on dev: target g100 14.3% g200 28.6% g400 57.1%") != NULL);
	CHECK(strstr(buf, "xot_rqs=4000") != NULL);
	free(buf);
	fr_free(&r);
}

/* the chart: one bar per entity and configuration, one target tick each */
static void test_svg(void)
{
	struct fr_report r;
	struct fr_err e = { "" };
	char *buf, *p;
	size_t len = 0, bars = 0, ticks = 0;

	CHECKF(load(&r, flat, &e) == 0, "%s", e.msg);
	buf = render(&r, fr_write_svg, &len);
	if (!buf)
		return;
	CHECK(!strncmp(buf, "<svg ", 5));
	for (p = buf; (p = strstr(p, "<title>")); p++)
		bars++;
	for (p = buf; (p = strstr(p, "stroke-width=\"2.5\"")); p++)
		ticks++;
	CHECKF(bars == r.runs[0].nent * r.nruns, "%zu bars", bars);
	CHECKF(ticks == r.runs[0].nent, "%zu ticks", ticks);
	CHECK(strstr(buf, "</svg>\n") != NULL);
	free(buf);
	fr_free(&r);
}

/* each must be refused with a message naming the problem */
static void test_bad_input(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "entity s d c g - 100 5\n", "no 'run' record" },
		{ "run s d c x\nentity s d c g - 0 5\n", "weight '0'" },
		{ "run s d c x\nentity s d c g - abc 5\n", "weight 'abc'" },
		{ "run s d c x\nentity s d c g - 100 -5\n", "IOPS '-5'" },
		{ "run s d c x\nentity s d c g - 100 1e400\n", "IOPS '1e400'" },
		{ "run s d c x\nentity s d c g - 100 nan\n", "IOPS 'nan'" },
		{ "run s d c x\nentity s d c g nosuch 100 5\n", "parent 'nosuch'" },
		{ "run s d c x\nentity s d c a b 100 -\nentity s d c b a 100 -\n", "levels deep" },
		{ "run s d c x\nentity s d c a - 100 5\nentity s d c b a 100 5\n", "must be '-'" },
		{ "run s d c x\nentity s d c a - 100 -\n", "needs its own IOPS" },
		{ "run s d c x\nentity s d c a - 100 0\n", "no I/O" },
		{ "run s d c x\nentity s d c a - 100 5\nentity s d c a - 100 5\n", "twice" },
		{ "run s d c x\nrun s d c y\n", "appears twice" },
		{ "run s d c x\n", "has no entities" },
		{ "run s d c x extra\n", "not KEY=VALUE" },
		{ "bogus 1 2\n", "unknown record 'bogus'" },
		{ "sample s x fast\n", "IOPS 'fast'" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fr_report r;
		struct fr_err e = { "" };
		int ret = load(&r, bad[i].text, &e);

		CHECKF(ret != 0, "accepted: %s", bad[i].text);
		CHECKF(strstr(e.msg, bad[i].msg) != NULL, "'%s' does not say '%s'", e.msg, bad[i].msg);
		fr_free(&r);
	}
}

static void test_json_numbers(void)
{
	CHECK(fr_is_json_number("0"));
	CHECK(fr_is_json_number("-1.5e3"));
	CHECK(fr_is_json_number("2500"));
	CHECK(!fr_is_json_number("0123"));
	CHECK(!fr_is_json_number("1."));
	CHECK(!fr_is_json_number("+1"));
	CHECK(!fr_is_json_number("inf"));
	CHECK(!fr_is_json_number("0x10"));
	CHECK(!fr_is_json_number(""));
	CHECK(!fr_is_json_number("6.1.0"));
}

static const struct unit_test tests[] = {
	{ "flat_exact", test_flat_exact },
	{ "flat_skewed", test_flat_skewed },
	{ "nested", test_nested },
	{ "overhead", test_overhead },
	{ "share_from", test_share_from },
	{ "jain_median", test_jain_median },
	{ "json_and_table", test_json_and_table },
	{ "svg", test_svg },
	{ "bad_input", test_bad_input },
	{ "json_numbers", test_json_numbers },
	{ "repeats", test_repeats },
};

UNIT_MAIN("fairness", tests)
